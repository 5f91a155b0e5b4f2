/*
 * json_bind.c - table-driven binding between JSON objects and C structs (see json.h), and the
 * field parsers/emitters for plain types.
 *
 * Key matching follows Go's encoding/json, because the appc reference decodes manifests with it
 * and images in the wild were validated by it: exact name first, else ASCII case-insensitive;
 * the last key that lands on a field wins. Unknown keys are kept for re-serialization.
 */
#include "common/json.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strv.h"
#include "common/xalloc.h"

static struct json_meta *meta_of(const struct json_table *t, const void *s)
{
        return (struct json_meta *)((char *)s + t->meta_offset);
}

static int field_index(const struct json_table *t, const char *key)
{
        for (size_t i = 0; i < t->n_fields; i++)
                if (strcmp(t->fields[i].name, key) == 0)
                        return (int)i;
        for (size_t i = 0; i < t->n_fields; i++)
                if (strcasecmp(t->fields[i].name, key) == 0)
                        return (int)i;
        return -1;
}

static int field_index_exact(const struct json_table *t, const char *name)
{
        for (size_t i = 0; i < t->n_fields; i++)
                if (strcmp(t->fields[i].name, name) == 0)
                        return (int)i;
        abort(); /* a programming error: the table has no such field */
}

void json_meta_clear(struct json_meta *meta)
{
        if (meta->unknown)
                json_object_put(meta->unknown);
        meta->unknown = NULL;
        meta->present = 0;
}

void json_meta_copy(struct json_meta *dst, const struct json_meta *src)
{
        dst->present = src->present;
        dst->unknown = NULL;
        if (src->unknown)
                (void)json_object_deep_copy(src->unknown, &dst->unknown, NULL);
}

bool json_meta_is_present(const struct json_meta *meta, const struct json_table *t,
                          const char *name)
{
        return meta->present & (UINT64_C(1) << field_index_exact(t, name));
}

void json_meta_set_present(struct json_meta *meta, const struct json_table *t, const char *name)
{
        meta->present |= UINT64_C(1) << field_index_exact(t, name);
}

int json_bind(struct json_object *obj, const struct json_table *t, void *dst, const char *path,
              struct ace_error **err)
{
        struct json_object *chosen[64] = {0};
        struct json_meta *meta = meta_of(t, dst);

        if (t->n_fields > 64)
                abort();
        if (!json_object_is_type(obj, json_type_object))
                return json_path_error(err, path, "expected a JSON object for %s, got %s", t->what,
                                       json_type_name(obj));
        json_meta_clear(meta);

        /* Pass 1: map keys to fields in document order, so the last matching key wins. */
        json_object_object_foreach(obj, key, val)
        {
                int i = field_index(t, key);
                if (i >= 0) {
                        chosen[i] = json_object_is_type(val, json_type_null) ? NULL : val;
                        continue;
                }
                if (!meta->unknown)
                        meta->unknown = json_object_new_object();
                json_object_object_add(meta->unknown, key, json_object_get(val));
        }

        /* Pass 2: parse in table order. */
        for (size_t i = 0; i < t->n_fields; i++) {
                const struct json_field *f = &t->fields[i];
                _cleanup_free_ char *sub = json_path_key(path, f->name);
                int r;

                if (!chosen[i]) {
                        if (f->flags & JSON_MANDATORY)
                                return json_path_error(err, sub, "required field is missing");
                        continue;
                }
                r = f->parse(chosen[i], (char *)dst + f->offset, sub, err);
                if (r < 0)
                        return r;
                meta->present |= UINT64_C(1) << i;
        }
        return 0;
}

struct json_object *json_unbind(const struct json_table *t, const void *src)
{
        const struct json_meta *meta = meta_of(t, src);
        struct json_object *obj = json_object_new_object();

        for (size_t i = 0; i < t->n_fields; i++) {
                const struct json_field *f = &t->fields[i];
                struct json_object *v =
                    f->emit((const char *)src + f->offset, meta->present & (UINT64_C(1) << i));
                if (v)
                        json_object_object_add(obj, f->name, v);
        }
        if (meta->unknown) {
                json_object_object_foreach(meta->unknown, key, val)
                {
                        if (!json_object_object_get_ex(obj, key, NULL))
                                json_object_object_add(obj, key, json_object_get(val));
                }
        }
        return obj;
}

int json_parse_array(struct json_object *v, const char *path, size_t elem_size,
                     json_parse_fn elem_parse, void **items, size_t *n, struct ace_error **err)
{
        size_t len;

        if (!json_object_is_type(v, json_type_array))
                return json_path_error(err, path, "expected an array, got %s", json_type_name(v));
        len = json_object_array_length(v);
        *items = len ? xcalloc(len, elem_size) : NULL;
        *n = len;
        for (size_t i = 0; i < len; i++) {
                _cleanup_free_ char *sub = json_path_index(path, i);
                struct json_object *e = json_object_array_get_idx(v, i);
                int r = elem_parse(e, (char *)*items + i * elem_size, sub, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct json_object *json_emit_array(const void *items, size_t n, size_t elem_size,
                                    json_emit_fn elem_emit)
{
        struct json_object *a = json_object_new_array_ext((int)n);

        for (size_t i = 0; i < n; i++) {
                struct json_object *e = elem_emit((const char *)items + i * elem_size, true);
                json_object_array_add(a, e ? e : json_object_new_object());
        }
        return a;
}

/* ---- strings -----------------------------------------------------------------------------------
 */

int json_get_string(struct json_object *v, char **ret, const char *path, struct ace_error **err)
{
        const char *s;
        size_t len;

        if (!json_object_is_type(v, json_type_string))
                return json_path_error(err, path, "expected a string, got %s", json_type_name(v));
        s = json_object_get_string(v);
        len = (size_t)json_object_get_string_len(v);
        if (memchr(s, '\0', len))
                return json_path_error(err, path, "string contains a NUL character");
        *ret = xstrndup(s, len);
        return 0;
}

int json_field_parse_string(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err)
{
        char **d = dst, *s = NULL;
        int r = json_get_string(v, &s, path, err);

        if (r < 0)
                return r;
        free(*d);
        *d = s;
        return 0;
}

struct json_object *json_field_emit_string(const void *src, bool present)
{
        const char *s = *(char *const *)src;
        (void)present;
        return s ? json_object_new_string(s) : NULL;
}

struct json_object *json_field_emit_string_nonempty(const void *src, bool present)
{
        const char *s = *(char *const *)src;
        return s && (present || *s) ? json_object_new_string(s) : NULL;
}

struct json_object *json_field_emit_string_if_present(const void *src, bool present)
{
        const char *s = *(char *const *)src;
        return s && present ? json_object_new_string(s) : NULL;
}

/* ---- booleans ----------------------------------------------------------------------------------
 */

int json_field_parse_bool(struct json_object *v, void *dst, const char *path,
                          struct ace_error **err)
{
        if (!json_object_is_type(v, json_type_boolean))
                return json_path_error(err, path, "expected true or false, got %s",
                                       json_type_name(v));
        *(bool *)dst = json_object_get_boolean(v);
        return 0;
}

struct json_object *json_field_emit_bool(const void *src, bool present)
{
        bool b = *(const bool *)src;
        return present || b ? json_object_new_boolean(b) : NULL;
}

struct json_object *json_field_emit_bool_if_present(const void *src, bool present)
{
        return present ? json_object_new_boolean(*(const bool *)src) : NULL;
}

/* ---- integers ----------------------------------------------------------------------------------
 */

/* The integer in v as sign + magnitude (the lexer guarantees it fits int64 or uint64). */
static int get_integer(struct json_object *v, bool *neg, uint64_t *mag, const char *path,
                       struct ace_error **err)
{
        if (json_object_is_type(v, json_type_double))
                return json_path_error(err, path, "expected an integer, got %s",
                                       json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        if (!json_object_is_type(v, json_type_int))
                return json_path_error(err, path, "expected an integer, got %s", json_type_name(v));
        int64_t i = json_object_get_int64(v);
        if (i < 0) {
                *neg = true;
                *mag = (uint64_t)(-(i + 1)) + 1;
        } else {
                *neg = false;
                *mag = i == INT64_MAX ? json_object_get_uint64(v) : (uint64_t)i;
        }
        return 0;
}

int json_get_int64(struct json_object *v, int64_t min, int64_t max, int64_t *ret, const char *path,
                   struct ace_error **err)
{
        bool neg;
        uint64_t mag;
        int64_t val;
        int r = get_integer(v, &neg, &mag, path, err);

        if (r < 0)
                return r;
        if (!neg && mag > (uint64_t)INT64_MAX)
                goto range;
        val = neg ? (int64_t)(-(mag - 1)) - 1 : (int64_t)mag;
        if (val < min || val > max)
                goto range;
        *ret = val;
        return 0;
range:
        return json_path_error(err, path, "%s%llu out of range [%lld, %lld]", neg ? "-" : "",
                               (unsigned long long)mag, (long long)min, (long long)max);
}

int json_get_uint64(struct json_object *v, uint64_t max, uint64_t *ret, const char *path,
                    struct ace_error **err)
{
        bool neg;
        uint64_t mag;
        int r = get_integer(v, &neg, &mag, path, err);

        if (r < 0)
                return r;
        if ((neg && mag) || mag > max)
                return json_path_error(err, path, "%s%llu out of range [0, %llu]", neg ? "-" : "",
                                       (unsigned long long)mag, (unsigned long long)max);
        *ret = mag;
        return 0;
}

int json_field_parse_int(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        int64_t x = 0;
        int r = json_get_int64(v, INT_MIN, INT_MAX, &x, path, err);
        if (r >= 0)
                *(int *)dst = (int)x;
        return r;
}

int json_field_parse_int64(struct json_object *v, void *dst, const char *path,
                           struct ace_error **err)
{
        return json_get_int64(v, INT64_MIN, INT64_MAX, (int64_t *)dst, path, err);
}

int json_field_parse_uint32(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err)
{
        uint64_t x = 0;
        int r = json_get_uint64(v, UINT32_MAX, &x, path, err);
        if (r >= 0)
                *(uint32_t *)dst = (uint32_t)x;
        return r;
}

int json_field_parse_uint64(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err)
{
        return json_get_uint64(v, UINT64_MAX, (uint64_t *)dst, path, err);
}

struct json_object *json_field_emit_int(const void *src, bool present)
{
        int x = *(const int *)src;
        return present || x ? json_object_new_int64(x) : NULL;
}

struct json_object *json_field_emit_int64(const void *src, bool present)
{
        int64_t x = *(const int64_t *)src;
        return present || x ? json_object_new_int64(x) : NULL;
}

struct json_object *json_field_emit_uint32(const void *src, bool present)
{
        uint32_t x = *(const uint32_t *)src;
        return present || x ? json_object_new_int64(x) : NULL;
}

struct json_object *json_field_emit_uint32_if_present(const void *src, bool present)
{
        return present ? json_object_new_int64(*(const uint32_t *)src) : NULL;
}

struct json_object *json_field_emit_uint64(const void *src, bool present)
{
        uint64_t x = *(const uint64_t *)src;
        return present || x ? json_object_new_uint64(x) : NULL;
}

/* ---- string vectors and raw values
 * --------------------------------------------------------------- */

int json_field_parse_strv(struct json_object *v, void *dst, const char *path,
                          struct ace_error **err)
{
        char ***d = dst;
        size_t n;

        if (!json_object_is_type(v, json_type_array))
                return json_path_error(err, path, "expected an array of strings, got %s",
                                       json_type_name(v));
        n = json_object_array_length(v);
        strv_free(*d);
        *d = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *sub = json_path_index(path, i);
                int r = json_get_string(json_object_array_get_idx(v, i), &(*d)[i], sub, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

struct json_object *json_field_emit_strv(const void *src, bool present)
{
        char *const *v = *(char **const *)src;
        struct json_object *a;

        if (!v && !present)
                return NULL;
        a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

int json_field_parse_raw(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct json_object **d = dst;
        (void)path;
        (void)err;
        if (*d)
                json_object_put(*d);
        *d = json_object_get(v);
        return 0;
}

struct json_object *json_field_emit_raw(const void *src, bool present)
{
        struct json_object *v = *(struct json_object *const *)src;
        (void)present;
        return v ? json_object_get(v) : NULL;
}
