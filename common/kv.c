/* kv.c - ordered name/value lists and their two JSON shapes (see kv.h). */
#include "common/kv.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

struct ace_kv *ace_kv_find(const struct ace_kv_list *l, const char *name)
{
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].name && strcmp(l->items[i].name, name) == 0)
                        return &l->items[i];
        return NULL;
}

const char *ace_kv_get(const struct ace_kv_list *l, const char *name)
{
        const struct ace_kv *kv = ace_kv_find(l, name);
        return kv ? kv->value : NULL;
}

void ace_kv_append(struct ace_kv_list *l, const char *name, const char *value)
{
        l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
        l->items[l->n] = (struct ace_kv){.name = xstrdup(name), .value = xstrdup(value)};
        l->n++;
}

void ace_kv_set(struct ace_kv_list *l, const char *name, const char *value)
{
        struct ace_kv *kv = ace_kv_find(l, name);

        if (!kv) {
                ace_kv_append(l, name, value);
                return;
        }
        free(kv->value);
        kv->value = xstrdup(value);
}

static void kv_done(struct ace_kv *kv)
{
        free(kv->name);
        free(kv->value);
        json_meta_clear(&kv->meta);
}

size_t ace_kv_remove(struct ace_kv_list *l, const char *name)
{
        size_t j = 0, removed = 0;

        for (size_t i = 0; i < l->n; i++) {
                if (l->items[i].name && strcmp(l->items[i].name, name) == 0) {
                        kv_done(&l->items[i]);
                        removed++;
                        continue;
                }
                l->items[j++] = l->items[i];
        }
        l->n = j;
        return removed;
}

long ace_kv_find_duplicate(const struct ace_kv_list *l)
{
        /* Lists are short (a handful of labels); quadratic is fine and allocation-free. */
        for (size_t i = 1; i < l->n; i++)
                for (size_t j = 0; j < i; j++)
                        if (l->items[i].name && l->items[j].name &&
                            strcmp(l->items[i].name, l->items[j].name) == 0)
                                return (long)i;
        return -1;
}

void ace_kv_list_copy(struct ace_kv_list *dst, const struct ace_kv_list *src)
{
        dst->n = src->n;
        dst->items = src->n ? xcalloc(src->n, sizeof(*dst->items)) : NULL;
        for (size_t i = 0; i < src->n; i++) {
                const struct ace_kv *s = &src->items[i];
                dst->items[i].name = s->name ? xstrdup(s->name) : NULL;
                dst->items[i].value = s->value ? xstrdup(s->value) : NULL;
                json_meta_copy(&dst->items[i].meta, &s->meta);
        }
}

void ace_kv_list_clear(struct ace_kv_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                kv_done(&l->items[i]);
        free(l->items);
        l->items = NULL;
        l->n = 0;
}

/* ---- JSON: [{"name": ..., "value": ...}] ----------------------------------------------------- */

static const struct json_field kv_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string, offsetof(struct ace_kv, name),
     JSON_MANDATORY},
    {"value", json_field_parse_string, json_field_emit_string_nonempty,
     offsetof(struct ace_kv, value), 0},
};
static const struct json_table kv_table = JSON_TABLE("name/value pair", struct ace_kv, kv_fields);

static int parse_kv(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_kv *kv = dst;
        int r = json_bind(v, &kv_table, kv, path, err);

        if (r < 0)
                return r;
        /* A missing "value" reads as "" (as in the reference); it is not written back. */
        if (!kv->value)
                kv->value = xstrdup("");
        return 0;
}

static struct json_object *emit_kv(const void *src, bool present)
{
        (void)present;
        return json_unbind(&kv_table, src);
}

int ace_kv_parse_array(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_kv_list *l = dst;

        ace_kv_list_clear(l);
        return json_parse_array(v, path, sizeof(struct ace_kv), parse_kv, (void **)&l->items, &l->n,
                                err);
}

struct json_object *ace_kv_emit_array(const void *src, bool present)
{
        const struct ace_kv_list *l = src;

        if (!present && l->n == 0)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(struct ace_kv), emit_kv);
}

/* ---- JSON: {"name": "value", ...}
 * ----------------------------------------------------------------- */

int ace_kv_parse_object(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_kv_list *l = dst;
        size_t i = 0;

        if (!json_object_is_type(v, json_type_object))
                return json_path_error(err, path, "expected an object of strings, got %s",
                                       json_type_name(v));
        ace_kv_list_clear(l);
        l->n = (size_t)json_object_object_length(v);
        l->items = l->n ? xcalloc(l->n, sizeof(*l->items)) : NULL;
        json_object_object_foreach(v, key, val)
        {
                _cleanup_free_ char *sub = json_path_key(path, key);
                l->items[i].name = xstrdup(key);
                if (json_object_is_type(val, json_type_null)) {
                        /* Go decodes null into a map[string]string as "" */
                        l->items[i++].value = xstrdup("");
                        continue;
                }
                int r = json_get_string(val, &l->items[i].value, sub, err);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}

static int cmp_kv_name(const void *a, const void *b)
{
        const struct ace_kv *const *x = a, *const *y = b;
        return strcmp((*x)->name, (*y)->name);
}

struct json_object *ace_kv_emit_object(const void *src, bool present)
{
        const struct ace_kv_list *l = src;
        struct json_object *o;
        _cleanup_free_ const struct ace_kv **sorted = NULL;

        if (!present && l->n == 0)
                return NULL;
        o = json_object_new_object();
        if (l->n == 0)
                return o;
        sorted = xcalloc(l->n, sizeof(*sorted));
        for (size_t i = 0; i < l->n; i++)
                sorted[i] = &l->items[i];
        qsort(sorted, l->n, sizeof(*sorted), cmp_kv_name);
        for (size_t i = 0; i < l->n; i++)
                json_object_object_add(o, sorted[i]->name,
                                       json_object_new_string(sorted[i]->value));
        return o;
}
