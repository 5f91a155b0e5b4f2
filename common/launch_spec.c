/* launch_spec.c - parse and format the stage1 -> stage2 launch description (launch_spec.h). */
#include "common/launch_spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

static const char *const caps_mode_names[] = {
    [LAUNCH_CAPS_DEFAULT] = "default",
    [LAUNCH_CAPS_RETAIN] = "retain",
    [LAUNCH_CAPS_REMOVE] = "remove",
    [LAUNCH_CAPS_ALL] = "all",
};

static const char *const seccomp_mode_names[] = {
    [LAUNCH_SECCOMP_NONE] = "none",
    [LAUNCH_SECCOMP_REMOVE] = "remove",
    [LAUNCH_SECCOMP_RETAIN] = "retain",
};

const char *launch_seccomp_mode_to_string(enum launch_seccomp_mode mode)
{
        if ((size_t)mode >= ARRAY_SIZE(seccomp_mode_names))
                return NULL;
        return seccomp_mode_names[mode];
}

int launch_seccomp_mode_from_string(const char *s, enum launch_seccomp_mode *ret)
{
        for (size_t i = 0; i < ARRAY_SIZE(seccomp_mode_names); i++)
                if (strcmp(s, seccomp_mode_names[i]) == 0) {
                        *ret = (enum launch_seccomp_mode)i;
                        return 0;
                }
        return -EINVAL;
}

const char *launch_caps_mode_to_string(enum launch_caps_mode mode)
{
        if ((size_t)mode >= ARRAY_SIZE(caps_mode_names))
                return NULL;
        return caps_mode_names[mode];
}

int launch_caps_mode_from_string(const char *s, enum launch_caps_mode *ret)
{
        for (size_t i = 0; i < ARRAY_SIZE(caps_mode_names); i++)
                if (strcmp(s, caps_mode_names[i]) == 0) {
                        *ret = (enum launch_caps_mode)i;
                        return 0;
                }
        return -EINVAL;
}

void launch_spec_done(struct launch_spec *spec)
{
        if (!spec)
                return;
        free(spec->app_name);
        strv_free(spec->exec);
        free(spec->user);
        free(spec->group);
        free(spec->supp_gids);
        strv_free(spec->environment);
        free(spec->working_dir);
        free(spec->metadata_url);
        strv_free(spec->caps_set);
        free(spec->seccomp_errno);
        strv_free(spec->seccomp_set);
        memset(spec, 0, sizeof(*spec));
}

static int get_string(json_object *obj, const char *key, bool required, char **ret,
                      struct ace_error **err)
{
        json_object *v;

        if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
                if (required)
                        return ace_error_make(err, EINVAL, "missing \"%s\"", key);
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return ace_error_make(err, EINVAL, "\"%s\" must be a string", key);
        *ret = xstrdup(json_object_get_string(v));
        return 0;
}

static int get_strv(json_object *obj, const char *key, char ***ret, struct ace_error **err)
{
        json_object *v;
        char **list = NULL;

        if (!json_object_object_get_ex(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return ace_error_make(err, EINVAL, "\"%s\" must be an array of strings", key);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *s = json_object_array_get_idx(v, i);
                if (!json_object_is_type(s, json_type_string)) {
                        strv_free(list);
                        return ace_error_make(err, EINVAL, "\"%s\"[%zu] must be a string", key, i);
                }
                list = strv_push(list, json_object_get_string(s));
        }
        *ret = list;
        return 0;
}

static int get_bool(json_object *obj, const char *key, bool *ret, struct ace_error **err)
{
        json_object *v;

        if (!json_object_object_get_ex(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return ace_error_make(err, EINVAL, "\"%s\" must be a boolean", key);
        *ret = json_object_get_boolean(v);
        return 0;
}

static int parse_gids(json_object *obj, struct launch_spec *s, struct ace_error **err)
{
        json_object *v;
        size_t n;

        if (!json_object_object_get_ex(obj, "supplementaryGIDs", &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return ace_error_make(err, EINVAL, "\"supplementaryGIDs\" must be an array");
        n = json_object_array_length(v);
        s->supp_gids = xcalloc(n ? n : 1, sizeof(gid_t));
        for (size_t i = 0; i < n; i++) {
                json_object *g = json_object_array_get_idx(v, i);
                int64_t gid = json_object_get_int64(g);
                if (!json_object_is_type(g, json_type_int) || gid < 0 || gid >= UINT32_MAX)
                        return ace_error_make(err, EINVAL, "supplementaryGIDs[%zu] is not a gid",
                                              i);
                s->supp_gids[i] = (gid_t)gid;
        }
        s->n_supp_gids = n;
        return 0;
}

static int parse_env(json_object *obj, struct launch_spec *s, struct ace_error **err)
{
        json_object *v;

        if (!json_object_object_get_ex(obj, "environment", &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return ace_error_make(err, EINVAL, "\"environment\" must be an array");
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i), *name, *value;
                if (!json_object_object_get_ex(e, "name", &name) ||
                    !json_object_object_get_ex(e, "value", &value) ||
                    !json_object_is_type(name, json_type_string) ||
                    !json_object_is_type(value, json_type_string))
                        return ace_error_make(err, EINVAL,
                                              "environment[%zu] needs string name and value", i);
                const char *n = json_object_get_string(name);
                if (!*n || strchr(n, '='))
                        return ace_error_make(err, EINVAL, "environment[%zu]: bad name \"%s\"", i,
                                              n);
                s->environment = strv_env_set(s->environment, n, json_object_get_string(value));
        }
        return 0;
}

static int parse_caps(json_object *obj, struct launch_spec *s, struct ace_error **err)
{
        json_object *v, *mode;
        int r;

        if (!json_object_object_get_ex(obj, "capabilities", &v))
                return 0;
        if (!json_object_object_get_ex(v, "mode", &mode) ||
            !json_object_is_type(mode, json_type_string) ||
            launch_caps_mode_from_string(json_object_get_string(mode), &s->caps_mode) < 0)
                return ace_error_make(err, EINVAL, "\"capabilities\" needs a valid \"mode\"");
        r = get_strv(v, "set", &s->caps_set, err);
        if (r < 0)
                return ace_error_wrap(err, "capabilities");
        return 0;
}

static int parse_seccomp(json_object *obj, struct launch_spec *s, struct ace_error **err)
{
        json_object *v, *mode;
        int r;

        if (!json_object_object_get_ex(obj, "seccomp", &v) ||
            json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_object_get_ex(v, "mode", &mode) ||
            !json_object_is_type(mode, json_type_string) ||
            launch_seccomp_mode_from_string(json_object_get_string(mode), &s->seccomp_mode) < 0)
                return ace_error_make(err, EINVAL, "\"seccomp\" needs a valid \"mode\"");
        if ((r = get_string(v, "errno", false, &s->seccomp_errno, err)) < 0 ||
            (r = get_strv(v, "set", &s->seccomp_set, err)) < 0)
                return ace_error_wrap(err, "seccomp");
        if (s->seccomp_mode != LAUNCH_SECCOMP_NONE && strv_length(s->seccomp_set) == 0 &&
            s->seccomp_mode != LAUNCH_SECCOMP_RETAIN)
                return ace_error_make(err, EINVAL, "seccomp: a remove set must not be empty");
        return 0;
}

static int parse_fields(json_object *root, struct launch_spec *s, struct ace_error **err)
{
        json_object *v;
        int r;

        if (!json_object_is_type(root, json_type_object))
                return ace_error_make(err, EINVAL, "not a JSON object");
        if ((r = get_string(root, "app", true, &s->app_name, err)) < 0 ||
            (r = get_strv(root, "exec", &s->exec, err)) < 0 ||
            (r = get_string(root, "user", false, &s->user, err)) < 0 ||
            (r = get_string(root, "group", false, &s->group, err)) < 0 ||
            (r = get_string(root, "workingDirectory", false, &s->working_dir, err)) < 0 ||
            (r = get_string(root, "metadataURL", false, &s->metadata_url, err)) < 0 ||
            (r = get_bool(root, "noNewPrivileges", &s->no_new_privs, err)) < 0 ||
            (r = get_bool(root, "interactive", &s->interactive, err)) < 0 ||
            (r = parse_gids(root, s, err)) < 0 || (r = parse_env(root, s, err)) < 0 ||
            (r = parse_caps(root, s, err)) < 0 || (r = parse_seccomp(root, s, err)) < 0)
                return r;
        if (strv_length(s->exec) == 0)
                return ace_error_make(err, EINVAL, "\"exec\" must not be empty");
        if (json_object_object_get_ex(root, "oomScoreAdj", &v) &&
            !json_object_is_type(v, json_type_null)) {
                int64_t adj = json_object_get_int64(v);
                if (!json_object_is_type(v, json_type_int) || adj < -1000 || adj > 1000)
                        return ace_error_make(err, EINVAL,
                                              "\"oomScoreAdj\" must be in -1000..1000");
                s->has_oom_score_adj = true;
                s->oom_score_adj = (int)adj;
        }
        return 0;
}

int launch_spec_parse(const char *json, size_t len, struct launch_spec *out, struct ace_error **err)
{
        struct launch_spec s = {0};
        json_tokener *tok;
        json_object *root;
        int r;

        memset(out, 0, sizeof(*out));
        tok = json_tokener_new();
        root = json_tokener_parse_ex(tok, json, (int)len);
        if (!root || json_tokener_get_error(tok) != json_tokener_success) {
                r = ace_error_make(err, EINVAL, "launch spec: %s",
                                   json_tokener_error_desc(json_tokener_get_error(tok)));
                json_tokener_free(tok);
                json_object_put(root);
                return r;
        }
        json_tokener_free(tok);
        r = parse_fields(root, &s, err);
        json_object_put(root);
        if (r < 0) {
                launch_spec_done(&s);
                return ace_error_wrap(err, "launch spec");
        }
        *out = s;
        return 0;
}

static json_object *strv_to_json(char *const *v)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static void add_string(json_object *o, const char *key, const char *value)
{
        if (value)
                json_object_object_add(o, key, json_object_new_string(value));
}

char *launch_spec_format(const struct launch_spec *s)
{
        json_object *o = json_object_new_object(), *env, *gids, *caps;
        char *ret;

        add_string(o, "app", s->app_name);
        json_object_object_add(o, "exec", strv_to_json(s->exec));
        add_string(o, "user", s->user);
        add_string(o, "group", s->group);
        gids = json_object_new_array();
        for (size_t i = 0; i < s->n_supp_gids; i++)
                json_object_array_add(gids, json_object_new_int64(s->supp_gids[i]));
        json_object_object_add(o, "supplementaryGIDs", gids);
        env = json_object_new_array();
        for (size_t i = 0; s->environment && s->environment[i]; i++) {
                const char *kv = s->environment[i], *eq = strchr(kv, '=');
                json_object *e = json_object_new_object();
                json_object_object_add(
                    e, "name",
                    json_object_new_string_len(kv, eq ? (int)(eq - kv) : (int)strlen(kv)));
                json_object_object_add(e, "value", json_object_new_string(eq ? eq + 1 : ""));
                json_object_array_add(env, e);
        }
        json_object_object_add(o, "environment", env);
        add_string(o, "workingDirectory", s->working_dir);
        add_string(o, "metadataURL", s->metadata_url);
        caps = json_object_new_object();
        json_object_object_add(caps, "mode",
                               json_object_new_string(launch_caps_mode_to_string(s->caps_mode)));
        json_object_object_add(caps, "set", strv_to_json(s->caps_set));
        json_object_object_add(o, "capabilities", caps);
        if (s->seccomp_mode != LAUNCH_SECCOMP_NONE) {
                json_object *sc = json_object_new_object();
                json_object_object_add(
                    sc, "mode",
                    json_object_new_string(launch_seccomp_mode_to_string(s->seccomp_mode)));
                json_object_object_add(
                    sc, "errno", json_object_new_string(s->seccomp_errno ? s->seccomp_errno : ""));
                json_object_object_add(sc, "set", strv_to_json(s->seccomp_set));
                json_object_object_add(o, "seccomp", sc);
        }
        json_object_object_add(o, "noNewPrivileges", json_object_new_boolean(s->no_new_privs));
        if (s->has_oom_score_adj)
                json_object_object_add(o, "oomScoreAdj", json_object_new_int(s->oom_score_adj));
        json_object_object_add(o, "interactive", json_object_new_boolean(s->interactive));
        ret = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return ret;
}

void launch_spec_seccomp_default(struct launch_spec *spec)
{
        strv_freep(&spec->seccomp_set);
        free(spec->seccomp_errno);
        spec->seccomp_mode = LAUNCH_SECCOMP_REMOVE;
        spec->seccomp_errno = xstrdup(LAUNCH_SECCOMP_DEFAULT_ERRNO);
        spec->seccomp_set = strv_push(NULL, LAUNCH_SECCOMP_DEFAULT_SET);
}
