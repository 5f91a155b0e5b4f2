/*
 * isolator.c - the isolator registry (sorted, bsearch) and isolator lists: JSON binding, list
 * rules, and the small editing API stage0 uses for --memory, --caps-retain, --seccomp, ...
 *
 * Reference behaviour kept: unknown names are rejected in an app and kept at pod level;
 * capability sets, resources and no-new-privileges may repeat; seccomp, oom-score-adj,
 * cpu-shares, selinux-context, apparmor-profile and sysctl may not.
 * Stricter than the reference: an isolator outside its spec scope (capabilities in a pod's list,
 * sysctl in an app's) is refused; the pod list gets the same instance/conflict rules as apps;
 * capabilities retain and remove sets conflict, as spec/ace.md says ("The retain set cannot be
 * used in conjunction with the remove set"); an isolator without a value is an error (the
 * reference dereferences a nil pointer and panics).
 */
#include "schema/isolator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"
#include "schema/isolators_internal.h"
#include "schema/types.h"

#define APP ISOLATOR_SCOPE_APP
#define POD ISOLATOR_SCOPE_POD
#define BOTH ISOLATOR_SCOPE_BOTH

#define RESOURCE(name_, parse_, emit_)                                                             \
        {                                                                                          \
                name_, BOTH, true, NULL, sizeof(struct isolator_resource), parse_, emit_,          \
                    isolator_resource_done                                                         \
        }

/* Sorted by name (strcmp); the unit tests check order and completeness. */
static const struct isolator_type types[] = {
    {"ace/pids", POD, false, NULL, sizeof(struct isolator_pids), isolator_pids_parse,
     isolator_pids_emit, isolator_pids_done},
    {"os/linux/apparmor-profile", BOTH, false, NULL, sizeof(struct isolator_apparmor),
     isolator_apparmor_parse, isolator_apparmor_emit, isolator_apparmor_done},
    {"os/linux/capabilities-remove-set", APP, true, "os/linux/capabilities-retain-set",
     sizeof(struct isolator_capabilities), isolator_capabilities_parse, isolator_capabilities_emit,
     isolator_capabilities_done},
    {"os/linux/capabilities-retain-set", APP, true, "os/linux/capabilities-remove-set",
     sizeof(struct isolator_capabilities), isolator_capabilities_parse, isolator_capabilities_emit,
     isolator_capabilities_done},
    {"os/linux/cpu-shares", APP, false, NULL, sizeof(struct isolator_int),
     isolator_cpu_shares_parse, isolator_int_emit, isolator_nothing_done},
    {"os/linux/no-new-privileges", APP, true, NULL, sizeof(struct isolator_bool),
     isolator_bool_parse, isolator_bool_emit, isolator_nothing_done},
    {"os/linux/oom-score-adj", APP, false, NULL, sizeof(struct isolator_int),
     isolator_oom_score_adj_parse, isolator_int_emit, isolator_nothing_done},
    {"os/linux/seccomp-remove-set", APP, false, "os/linux/seccomp-retain-set",
     sizeof(struct isolator_seccomp), isolator_seccomp_parse, isolator_seccomp_emit,
     isolator_seccomp_done},
    {"os/linux/seccomp-retain-set", APP, false, "os/linux/seccomp-remove-set",
     sizeof(struct isolator_seccomp), isolator_seccomp_parse, isolator_seccomp_emit,
     isolator_seccomp_done},
    {"os/linux/selinux-context", BOTH, false, NULL, sizeof(struct isolator_selinux),
     isolator_selinux_parse, isolator_selinux_emit, isolator_selinux_done},
    {"os/unix/sysctl", POD, false, NULL, sizeof(struct isolator_sysctl), isolator_sysctl_parse,
     isolator_sysctl_emit, isolator_sysctl_done},
    RESOURCE("resource/block-bandwidth", isolator_limit_only_parse, isolator_resource_emit),
    RESOURCE("resource/block-iops", isolator_limit_only_parse, isolator_resource_emit),
    RESOURCE("resource/cpu", isolator_cpu_parse, isolator_cpu_emit),
    RESOURCE("resource/memory", isolator_memory_parse, isolator_resource_emit),
    RESOURCE("resource/network-bandwidth", isolator_limit_only_parse, isolator_resource_emit),
};

static int cmp_type(const void *key, const void *elem)
{
        return strcmp(key, ((const struct isolator_type *)elem)->name);
}

const struct isolator_type *isolator_type_find(const char *name)
{
        if (!name)
                return NULL;
        return bsearch(name, types, ARRAY_SIZE(types), sizeof(types[0]), cmp_type);
}

const struct isolator_type *isolator_type_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(types);
        return types;
}

/* ---- one isolator
 * --------------------------------------------------------------------------------- */

static const struct json_field isolator_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string, offsetof(struct ace_isolator, name),
     JSON_MANDATORY},
    {"value", json_field_parse_raw, json_field_emit_raw, offsetof(struct ace_isolator, raw),
     JSON_MANDATORY},
};
static const struct json_table isolator_table =
    JSON_TABLE("isolator", struct ace_isolator, isolator_fields);

static void isolator_done(struct ace_isolator *iso)
{
        if (iso->type && iso->value)
                iso->type->done(iso->value);
        free(iso->value);
        free(iso->name);
        if (iso->raw)
                json_object_put(iso->raw);
        json_meta_clear(&iso->meta);
        memset(iso, 0, sizeof(*iso));
}

/* Turns iso->raw into a typed value when the name is known (raw is then dropped). */
static int isolator_type_value(struct ace_isolator *iso, const char *path, struct ace_error **err)
{
        _cleanup_free_ char *name_path = json_path_key(path, "name");
        _cleanup_free_ char *value_path = json_path_key(path, "value");
        int r;

        r = ac_identifier_check(iso->name, name_path, err);
        if (r < 0)
                return r;
        iso->type = isolator_type_find(iso->name);
        if (!iso->type)
                return 0;
        iso->value = xcalloc(1, iso->type->value_size);
        r = iso->type->parse(iso->raw, iso->value, value_path, err);
        if (r < 0)
                return r;
        json_object_put(iso->raw);
        iso->raw = NULL;
        return 0;
}

static int isolator_parse(struct json_object *v, void *dst, const char *path,
                          struct ace_error **err)
{
        struct ace_isolator *iso = dst;
        int r = json_bind(v, &isolator_table, iso, path, err);

        return r < 0 ? r : isolator_type_value(iso, path, err);
}

static struct json_object *isolator_emit(const void *src, bool present)
{
        const struct ace_isolator *iso = src;
        struct json_object *o = json_object_new_object();

        (void)present;
        json_object_object_add(o, "name", json_object_new_string(iso->name ? iso->name : ""));
        if (iso->type && iso->value)
                json_object_object_add(o, "value", iso->type->emit(iso->value));
        else if (iso->raw)
                json_object_object_add(o, "value", json_object_get(iso->raw));
        if (iso->meta.unknown) {
                json_object_object_foreach(iso->meta.unknown, key, val)
                {
                        if (!json_object_object_get_ex(o, key, NULL))
                                json_object_object_add(o, key, json_object_get(val));
                }
        }
        return o;
}

/* ---- lists
 * ------------------------------------------------------------------------------------------ */

int ace_isolators_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_isolator_list *l = dst;

        ace_isolators_clear(l);
        return json_parse_array(v, path, sizeof(struct ace_isolator), isolator_parse,
                                (void **)&l->items, &l->n, err);
}

struct json_object *ace_isolators_emit(const void *src, bool present)
{
        const struct ace_isolator_list *l = src;

        if (!present && l->n == 0)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(struct ace_isolator), isolator_emit);
}

int ace_isolators_validate(const struct ace_isolator_list *l, enum isolator_scope scope,
                           const char *path, struct ace_error **err)
{
        const char *where = scope == ISOLATOR_SCOPE_APP ? "an app" : "a pod";

        for (size_t i = 0; i < l->n; i++) {
                const struct ace_isolator *iso = &l->items[i];
                const struct isolator_type *t = iso->type;
                _cleanup_free_ char *item = json_path_index(path, i);
                _cleanup_free_ char *q = json_quote(iso->name);

                if (!t) {
                        if (scope & ISOLATOR_SCOPE_APP)
                                return json_path_error(err, item, "unknown isolator %s", q);
                        continue; /* kept and reported by the executor */
                }
                if (!(t->scope & scope))
                        return json_path_error(err, item, "isolator %s cannot be used in %s", q,
                                               where);
                for (size_t j = 0; j < i; j++) {
                        const char *other = l->items[j].name;
                        if (!t->multiple && strcmp(other, t->name) == 0)
                                return json_path_error(
                                    err, item,
                                    "isolators set contains too many instances of type %s",
                                    t->name);
                        if (t->conflicts_with && strcmp(other, t->conflicts_with) == 0)
                                return json_path_error(
                                    err, item,
                                    "isolators set contains incompatible types: %s and %s", other,
                                    t->name);
                }
        }
        return 0;
}

int ace_isolators_add(struct ace_isolator_list *l, const char *name, struct json_object *value,
                      enum isolator_scope scope, struct ace_error **err)
{
        struct ace_isolator iso = {0};
        _cleanup_free_ char *path = NULL;
        int r;

        if (!value || json_object_is_type(value, json_type_null))
                return ace_error_make(err, EINVAL, "isolator %s: value is required",
                                      name ? name : "");
        iso.name = xstrdup(name ? name : "");
        iso.raw = json_object_get(value);
        path = xstrdup(iso.name);
        r = isolator_type_value(&iso, path, err);
        if (r >= 0 && !iso.type && !(scope & ISOLATOR_SCOPE_POD))
                r = ace_error_make(err, EINVAL, "unknown isolator %s", iso.name);
        if (r < 0) {
                isolator_done(&iso);
                return r;
        }
        l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
        l->items[l->n++] = iso;
        return 0;
}

const struct ace_isolator *ace_isolators_find(const struct ace_isolator_list *l, const char *name)
{
        for (size_t i = l->n; i > 0; i--)
                if (strcmp(l->items[i - 1].name, name) == 0)
                        return &l->items[i - 1];
        return NULL;
}

size_t ace_isolators_remove(struct ace_isolator_list *l, const char *name)
{
        size_t j = 0, removed = 0;

        for (size_t i = 0; i < l->n; i++) {
                if (strcmp(l->items[i].name, name) == 0) {
                        isolator_done(&l->items[i]);
                        removed++;
                        continue;
                }
                l->items[j++] = l->items[i];
        }
        l->n = j;
        return removed;
}

void ace_isolators_copy(struct ace_isolator_list *dst, const struct ace_isolator_list *src)
{
        /* Through JSON: the typed values own nested allocations, and their emit/parse pair is
         * exactly what a round trip must preserve anyway. */
        _cleanup_json_ struct json_object *j = ace_isolators_emit(src, true);

        *dst = (struct ace_isolator_list){0};
        if (ace_isolators_parse(j, dst, "", NULL) < 0)
                abort(); /* what we emitted must parse again */
}

void ace_isolators_clear(struct ace_isolator_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                isolator_done(&l->items[i]);
        free(l->items);
        l->items = NULL;
        l->n = 0;
}
