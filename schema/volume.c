/*
 * volume.c - pod volumes (spec/pods.md "volumes"): JSON binding with defaults, kind rules, and
 * rkt's --volume flag syntax.
 *
 * Defaults are filled on parse (readOnly false; host: recursive true, the spec's SHOULD;
 * empty: mode "0755", uid 0, gid 0) but only fields that were in the input (or that a builder
 * marked present) are written back, so a manifest round-trips unchanged.
 * Stricter than the reference: mode must be an octal permission string (the reference takes
 * any string and fails later at run time), uid/gid must be valid ids (0..4294967294).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/pod_manifest.h"

static const char *const kind_names[_ACE_VOLUME_KIND_MAX] = {
    [ACE_VOLUME_HOST] = "host",
    [ACE_VOLUME_EMPTY] = "empty",
};

const char *ace_volume_kind_to_string(enum ace_volume_kind k)
{
        if (k < 0 || k >= _ACE_VOLUME_KIND_MAX)
                return NULL;
        return kind_names[k];
}

enum ace_volume_kind ace_volume_kind_from_string(const char *s)
{
        for (int k = 0; k < _ACE_VOLUME_KIND_MAX; k++)
                if (s && strcmp(s, kind_names[k]) == 0)
                        return (enum ace_volume_kind)k;
        return ACE_VOLUME_KIND_INVALID;
}

static int parse_kind(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        _cleanup_free_ char *s = NULL;
        int r = json_get_string(v, &s, path, err);

        if (r < 0)
                return r;
        *(enum ace_volume_kind *)dst = ace_volume_kind_from_string(s);
        if (*(enum ace_volume_kind *)dst == ACE_VOLUME_KIND_INVALID)
                return json_path_error(err, path,
                                       "unrecognized volume kind: should be one of \"empty\", "
                                       "\"host\"");
        return 0;
}

static struct json_object *emit_kind(const void *src, bool present)
{
        const char *s = ace_volume_kind_to_string(*(const enum ace_volume_kind *)src);
        (void)present;
        return json_object_new_string(s ? s : "");
}

/* uid/gid: ids the kernel can use (not (uid_t)-1) */
static int parse_id(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        uint64_t x = 0;
        int r = json_get_uint64(v, UINT32_MAX - 1, &x, path, err);
        if (r >= 0)
                *(uint32_t *)dst = (uint32_t)x;
        return r;
}

/* Field order as the reference marshals types.Volume. */
static const struct json_field volume_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string, offsetof(struct ace_volume, name), 0},
    {"kind", parse_kind, emit_kind, offsetof(struct ace_volume, kind), JSON_MANDATORY},
    {"source", json_field_parse_string, json_field_emit_string, offsetof(struct ace_volume, source),
     0},
    {"readOnly", json_field_parse_bool, json_field_emit_bool,
     offsetof(struct ace_volume, read_only), 0},
    {"recursive", json_field_parse_bool, json_field_emit_bool_if_present,
     offsetof(struct ace_volume, recursive), 0},
    {"mode", json_field_parse_string, json_field_emit_string_if_present,
     offsetof(struct ace_volume, mode), 0},
    {"uid", parse_id, json_field_emit_uint32_if_present, offsetof(struct ace_volume, uid), 0},
    {"gid", parse_id, json_field_emit_uint32_if_present, offsetof(struct ace_volume, gid), 0},
};
static const struct json_table volume_table =
    JSON_TABLE("volume", struct ace_volume, volume_fields);

static bool present(const struct ace_volume *v, const char *field)
{
        return json_meta_is_present(&v->meta, &volume_table, field);
}

static void fill_defaults(struct ace_volume *v)
{
        if (v->kind == ACE_VOLUME_HOST && !present(v, "recursive"))
                v->recursive = true;
        if (v->kind == ACE_VOLUME_EMPTY && !v->mode)
                v->mode = xstrdup("0755");
}

int ace_volume_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_volume *vol = dst;
        int r = json_bind(v, &volume_table, vol, path, err);

        if (r < 0)
                return r;
        fill_defaults(vol);
        return 0;
}

struct json_object *ace_volume_emit(const void *src, bool present_)
{
        (void)present_;
        return json_unbind(&volume_table, src);
}

/* "0755", "755", "1777", "01777": up to four octal digits after an optional leading 0 */
static bool mode_valid(const char *m, mode_t *ret)
{
        size_t n = strlen(m);
        unsigned v = 0;

        if (n == 0 || n > 5 || (n == 5 && m[0] != '0'))
                return false;
        for (const char *p = m; *p; p++) {
                if (*p < '0' || *p > '7')
                        return false;
                v = v * 8 + (unsigned)(*p - '0');
        }
        if (ret)
                *ret = (mode_t)v;
        return v <= 07777;
}

mode_t ace_volume_mode(const struct ace_volume *v)
{
        mode_t m = 0755;
        if (v->mode && mode_valid(v->mode, &m))
                return m;
        return 0755;
}

int ace_volume_validate(const struct ace_volume *v, const char *path, struct ace_error **err)
{
        _cleanup_free_ char *name = json_path_key(path, "name");
        int r = ac_name_check(v->name, name, err);

        if (r < 0)
                return r;
        switch (v->kind) {
        case ACE_VOLUME_EMPTY:
                if (v->source && *v->source)
                        return json_path_error(err, path, "source for empty volume must be empty");
                if (v->mode && !mode_valid(v->mode, NULL)) {
                        _cleanup_free_ char *q = json_quote(v->mode);
                        return json_path_error(err, path,
                                               "mode %s for empty volume is not an octal mode", q);
                }
                return 0;
        case ACE_VOLUME_HOST:
                if (!v->source || !*v->source)
                        return json_path_error(err, path, "source for host volume cannot be empty");
                if (present(v, "mode"))
                        return json_path_error(err, path, "mode for host volume cannot be set");
                if (present(v, "uid"))
                        return json_path_error(err, path, "uid for host volume cannot be set");
                if (present(v, "gid"))
                        return json_path_error(err, path, "gid for host volume cannot be set");
                if (v->source[0] != '/')
                        return json_path_error(err, path,
                                               "source for host volume must be absolute path");
                return 0;
        default:
                return json_path_error(err, path,
                                       "unrecognized volume kind: should be one of \"empty\", "
                                       "\"host\"");
        }
}

void ace_volume_done(struct ace_volume *v)
{
        free(v->name);
        free(v->source);
        free(v->mode);
        json_meta_clear(&v->meta);
        memset(v, 0, sizeof(*v));
}

void ace_volume_copy(struct ace_volume *dst, const struct ace_volume *src)
{
        *dst = *src;
        dst->name = src->name ? xstrdup(src->name) : NULL;
        dst->source = src->source ? xstrdup(src->source) : NULL;
        dst->mode = src->mode ? xstrdup(src->mode) : NULL;
        json_meta_copy(&dst->meta, &src->meta);
}

/* ---- rkt's --volume syntax
 * ------------------------------------------------------------------------ */

/* Go's strconv.ParseBool */
static int parse_go_bool(const char *s, bool *ret)
{
        static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};

        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
                if (strcmp(s, t[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcmp(s, f[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static int parse_flag_id(const char *key, const char *val, uint32_t *ret, struct ace_error **err)
{
        char *end;
        unsigned long long x;

        errno = 0;
        x = strtoull(val, &end, 10);
        if (!*val || *end || errno || val[0] == '-' || val[0] == '+' || x > UINT32_MAX - 1)
                return ace_error_make(err, EINVAL, "invalid %s %s: expected 0..4294967294", key,
                                      val);
        *ret = (uint32_t)x;
        return 0;
}

/* Index of a flag key in volume_fields (the flag keys are the JSON keys), or -1. */
static int flag_key_index(const char *key)
{
        for (size_t i = 0; i < ARRAY_SIZE(volume_fields); i++)
                if (strcmp(volume_fields[i].name, key) == 0)
                        return (int)i;
        return -1;
}

/* One key=value of the flag. */
static int flag_param(struct ace_volume *v, const char *key, const char *val,
                      struct ace_error **err)
{
        bool b;

        if (strcmp(key, "kind") == 0) {
                v->kind = ace_volume_kind_from_string(val);
                if (v->kind == ACE_VOLUME_KIND_INVALID)
                        return ace_error_make(err, EINVAL,
                                              "unrecognized volume kind: should be one of "
                                              "\"empty\", \"host\"");
        } else if (strcmp(key, "source") == 0) {
                v->source = xstrdup(val);
        } else if (strcmp(key, "readOnly") == 0 || strcmp(key, "recursive") == 0) {
                if (parse_go_bool(val, &b) < 0)
                        return ace_error_make(err, EINVAL,
                                              "invalid %s value %s: expected a boolean", key, val);
                if (strcmp(key, "readOnly") == 0)
                        v->read_only = b;
                else
                        v->recursive = b;
        } else if (strcmp(key, "mode") == 0) {
                v->mode = xstrdup(val);
        } else if (strcmp(key, "uid") == 0) {
                return parse_flag_id(key, val, &v->uid, err);
        } else if (strcmp(key, "gid") == 0) {
                return parse_flag_id(key, val, &v->gid, err);
        }
        return 0;
}

int ace_volume_parse_flag(const char *s, struct ace_volume *ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **parts = NULL;
        struct ace_volume v = {.kind = ACE_VOLUME_KIND_INVALID};
        int r = 0;

        if (!s || !*s)
                return ace_error_make(err, EINVAL, "empty volume");
        /* NAME,key=value,...: the name is the first part, as in the reference's "name=" + s */
        parts = strv_split(s, ",", true);
        v.name = xstrdup(parts[0]);
        json_meta_set_present(&v.meta, &volume_table, "name");
        for (size_t i = 1; parts[i]; i++) {
                char *eq = strchr(parts[i], '=');
                int idx;

                if (!eq) {
                        _cleanup_free_ char *q = json_quote(parts[i]);
                        r = ace_error_make(err, EINVAL,
                                           "malformed volume parameter %s: expected key=value", q);
                        goto fail;
                }
                *eq = '\0';
                idx = flag_key_index(parts[i]);
                if (idx < 0) {
                        _cleanup_free_ char *q = json_quote(parts[i]);
                        r = ace_error_make(err, EINVAL, "unknown volume parameter %s", q);
                        goto fail;
                }
                if (v.meta.present & (UINT64_C(1) << idx)) {
                        r = ace_error_make(err, EINVAL, "volume parameter %s given more than once",
                                           parts[i]);
                        goto fail;
                }
                r = flag_param(&v, parts[i], eq + 1, err);
                if (r < 0)
                        goto fail;
                v.meta.present |= UINT64_C(1) << idx;
        }
        if (v.kind == ACE_VOLUME_KIND_INVALID) {
                r = ace_error_make(
                    err, EINVAL, "unrecognized volume kind: should be one of \"empty\", \"host\"");
                goto fail;
        }
        json_meta_set_present(&v.meta, &volume_table, "kind");
        fill_defaults(&v);
        if (v.kind == ACE_VOLUME_EMPTY) {
                /* the reference fills these and writes them into the pod manifest */
                json_meta_set_present(&v.meta, &volume_table, "mode");
                json_meta_set_present(&v.meta, &volume_table, "uid");
                json_meta_set_present(&v.meta, &volume_table, "gid");
        }
        r = ace_volume_validate(&v, "", err);
        if (r < 0)
                goto fail;
        *ret = v;
        return 0;
fail:
        ace_volume_done(&v);
        return r;
}

char *ace_volume_to_flag(const struct ace_volume *v)
{
        char *out =
            xasprintf("%s,kind=%s", v->name ? v->name : "",
                      ace_volume_kind_to_string(v->kind) ? ace_volume_kind_to_string(v->kind) : "");
        char *n;

#define APPEND(...)                                                                                \
        do {                                                                                       \
                n = xasprintf(__VA_ARGS__);                                                        \
                free(out);                                                                         \
                out = n;                                                                           \
        } while (0)
        if (v->source && *v->source)
                APPEND("%s,source=%s", out, v->source);
        if (present(v, "readOnly"))
                APPEND("%s,readOnly=%s", out, v->read_only ? "true" : "false");
        if (present(v, "recursive"))
                APPEND("%s,recursive=%s", out, v->recursive ? "true" : "false");
        if (v->kind == ACE_VOLUME_EMPTY) {
                if (v->mode && strcmp(v->mode, "0755") != 0)
                        APPEND("%s,mode=%s", out, v->mode);
                if (v->uid)
                        APPEND("%s,uid=%u", out, v->uid);
                if (v->gid)
                        APPEND("%s,gid=%u", out, v->gid);
        }
#undef APPEND
        return out;
}
