/*
 * isolators_linux.c - the os/linux isolators (spec/ace.md "Linux Isolators"): capability sets,
 * seccomp sets, no-new-privileges, oom-score-adj, cpu-shares, SELinux context and AppArmor
 * profile.
 *
 * Stricter than the reference: capability names must be known Linux capabilities ("CAP_" +
 * upper case, as in capabilities.c); seccomp entries must look like syscall names or be one of
 * the recognized @groups. Seccomp errno names follow the reference's E[A-Z0-9]* shape; unknown
 * ones get errno_value -1 (see isolator_seccomp_parse). os/linux/apparmor-profile is accepted (appc
 * HEAD; 0.8.11 rejects it).
 */
#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "common/strv.h"
#include "schema/isolators_internal.h"

/* ---- capabilities-retain-set / capabilities-remove-set ------------------------------------------
 */

static const struct json_field caps_fields[] = {
    {"set", json_field_parse_strv, json_field_emit_strv,
     offsetof(struct isolator_capabilities, set), 0},
};
static const struct json_table caps_table =
    JSON_TABLE("capabilities isolator value", struct isolator_capabilities, caps_fields);

int isolator_capabilities_parse(struct json_object *v, void *value, const char *path,
                                struct ace_error **err)
{
        struct isolator_capabilities *c = value;
        int r = json_bind(v, &caps_table, c, path, err);

        if (r < 0)
                return r;
        if (strv_length(c->set) == 0)
                return json_path_error(err, path, "set must be non-empty");
        for (size_t i = 0; c->set[i]; i++)
                if (capability_from_name(c->set[i]) < 0) {
                        _cleanup_free_ char *sub = json_path_key(path, "set");
                        _cleanup_free_ char *item = json_path_index(sub, i);
                        _cleanup_free_ char *q = json_quote(c->set[i]);
                        return json_path_error(err, item, "unknown capability %s", q);
                }
        return 0;
}

struct json_object *isolator_capabilities_emit(const void *value)
{
        return json_unbind(&caps_table, value);
}

void isolator_capabilities_done(void *value)
{
        struct isolator_capabilities *c = value;

        strv_free(c->set);
        c->set = NULL;
        json_meta_clear(&c->meta);
}

/* ---- seccomp-retain-set / seccomp-remove-set
 * ------------------------------------------------------ */

static const struct json_field seccomp_fields[] = {
    {"set", json_field_parse_strv, json_field_emit_strv, offsetof(struct isolator_seccomp, set), 0},
    {"errno", json_field_parse_string, json_field_emit_string,
     offsetof(struct isolator_seccomp, errno_name), 0},
};
static const struct json_table seccomp_table =
    JSON_TABLE("seccomp isolator value", struct isolator_seccomp, seccomp_fields);

int isolator_seccomp_parse(struct json_object *v, void *value, const char *path,
                           struct ace_error **err)
{
        struct isolator_seccomp *s = value;
        int r = json_bind(v, &seccomp_table, s, path, err);

        if (r < 0)
                return r;
        if (strv_length(s->set) == 0)
                return json_path_error(err, path, "set must be non-empty");
        for (size_t i = 0; s->set[i]; i++)
                if (!seccomp_entry_valid(s->set[i])) {
                        _cleanup_free_ char *sub = json_path_key(path, "set");
                        _cleanup_free_ char *item = json_path_index(sub, i);
                        _cleanup_free_ char *q = json_quote(s->set[i]);
                        return json_path_error(err, item,
                                               s->set[i][0] == '@' ? "unknown seccomp group %s"
                                                                   : "invalid syscall name %s",
                                               q);
                }
        s->errno_value = 0;
        if (s->errno_name && *s->errno_name) {
                /* The reference's shape rule. A well-formed name this libc does not know (the
                 * spec's own example has "EACCESS") is kept with errno_value -1: the spec lets
                 * an implementation ignore "locally unsupported" codes, so that is stage1's
                 * call, not a manifest error. */
                bool shape = s->errno_name[0] == 'E';
                for (const char *p = s->errno_name + 1; shape && *p; p++)
                        shape = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
                if (!shape) {
                        _cleanup_free_ char *sub = json_path_key(path, "errno");
                        _cleanup_free_ char *q = json_quote(s->errno_name);
                        return json_path_error(err, sub,
                                               "errno must be an upper-case errno name like "
                                               "EPERM, got %s",
                                               q);
                }
                s->errno_value = errno_from_name(s->errno_name);
        }
        return 0;
}

struct json_object *isolator_seccomp_emit(const void *value)
{
        return json_unbind(&seccomp_table, value);
}

void isolator_seccomp_done(void *value)
{
        struct isolator_seccomp *s = value;

        strv_free(s->set);
        free(s->errno_name);
        s->set = NULL;
        s->errno_name = NULL;
        json_meta_clear(&s->meta);
}

/* ---- no-new-privileges, oom-score-adj, cpu-shares ----------------------------------------------
 */

int isolator_bool_parse(struct json_object *v, void *value, const char *path,
                        struct ace_error **err)
{
        return json_field_parse_bool(v, &((struct isolator_bool *)value)->value, path, err);
}

struct json_object *isolator_bool_emit(const void *value)
{
        return json_object_new_boolean(((const struct isolator_bool *)value)->value);
}

static int int_in_range(struct json_object *v, void *value, int min, int max, const char *name,
                        const char *path, struct ace_error **err)
{
        int64_t x = 0;
        int r = json_get_int64(v, INT64_MIN, INT64_MAX, &x, path, err);

        if (r < 0)
                return r;
        if (x < min || x > max)
                return json_path_error(err, path, "%s must be between %d and %d, got %lld", name,
                                       min, max, (long long)x);
        ((struct isolator_int *)value)->value = (int)x;
        return 0;
}

int isolator_oom_score_adj_parse(struct json_object *v, void *value, const char *path,
                                 struct ace_error **err)
{
        return int_in_range(v, value, -1000, 1000, "os/linux/oom-score-adj", path, err);
}

int isolator_cpu_shares_parse(struct json_object *v, void *value, const char *path,
                              struct ace_error **err)
{
        return int_in_range(v, value, 2, 262144, "os/linux/cpu-shares", path, err);
}

struct json_object *isolator_int_emit(const void *value)
{
        return json_object_new_int(((const struct isolator_int *)value)->value);
}

void isolator_nothing_done(void *value)
{
        (void)value;
}

/* ---- selinux-context
 * ----------------------------------------------------------------------------- */

static const struct json_field selinux_fields[] = {
    {"user", json_field_parse_string, json_field_emit_string,
     offsetof(struct isolator_selinux, user), 0},
    {"role", json_field_parse_string, json_field_emit_string,
     offsetof(struct isolator_selinux, role), 0},
    {"type", json_field_parse_string, json_field_emit_string,
     offsetof(struct isolator_selinux, type), 0},
    {"level", json_field_parse_string, json_field_emit_string,
     offsetof(struct isolator_selinux, level), 0},
};
static const struct json_table selinux_table =
    JSON_TABLE("selinux-context value", struct isolator_selinux, selinux_fields);

int isolator_selinux_parse(struct json_object *v, void *value, const char *path,
                           struct ace_error **err)
{
        struct isolator_selinux *s = value;
        const char *parts[] = {s->user, s->role, s->type};
        int r = json_bind(v, &selinux_table, s, path, err);

        if (r < 0)
                return r;
        parts[0] = s->user;
        parts[1] = s->role;
        parts[2] = s->type;
        /* user, role and type are ':'-separated in the context string; level may hold ':' */
        for (size_t i = 0; i < 3; i++)
                if (!parts[i] || !*parts[i] || strchr(parts[i], ':')) {
                        _cleanup_free_ char *q = json_quote(parts[i] ? parts[i] : "");
                        return json_path_error(err, path, "invalid %s value %s",
                                               selinux_fields[i].name, q);
                }
        if (!s->level || !*s->level)
                return json_path_error(err, path, "invalid level value \"\"");
        return 0;
}

struct json_object *isolator_selinux_emit(const void *value)
{
        return json_unbind(&selinux_table, value);
}

void isolator_selinux_done(void *value)
{
        struct isolator_selinux *s = value;

        free(s->user);
        free(s->role);
        free(s->type);
        free(s->level);
        s->user = s->role = s->type = s->level = NULL;
        json_meta_clear(&s->meta);
}

/* ---- apparmor-profile
 * ------------------------------------------------------------------------------ */

static const struct json_field apparmor_fields[] = {
    {"profile", json_field_parse_string, json_field_emit_string,
     offsetof(struct isolator_apparmor, profile), 0},
};
static const struct json_table apparmor_table =
    JSON_TABLE("apparmor-profile value", struct isolator_apparmor, apparmor_fields);

int isolator_apparmor_parse(struct json_object *v, void *value, const char *path,
                            struct ace_error **err)
{
        struct isolator_apparmor *a = value;
        int r = json_bind(v, &apparmor_table, a, path, err);

        if (r < 0)
                return r;
        if (!a->profile || !*a->profile)
                return json_path_error(err, path, "profile must be set");
        for (const char *p = a->profile; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return json_path_error(err, path, "profile contains a control character");
        return 0;
}

struct json_object *isolator_apparmor_emit(const void *value)
{
        return json_unbind(&apparmor_table, value);
}

void isolator_apparmor_done(void *value)
{
        struct isolator_apparmor *a = value;

        free(a->profile);
        a->profile = NULL;
        json_meta_clear(&a->meta);
}
