/*
 * config_kinds.c - the configuration kinds (auth, dockerAuth, paths, stage1, http) and their
 * v1 parsers, with rkt's rules and messages (rkt/config/). A parser fills one directory's
 * layer; "already specified" errors are per directory (see config.c for layering).
 */
#include "stage0/config_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/cli.h"

void config_json_putp(struct json_object **o)
{
        if (*o)
                json_object_put(*o);
}

/* Key lookup like Go's encoding/json: an exact match first, else a case-insensitive one. */
struct json_object *config_obj_get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (json_object_object_get_ex(o, key, &v))
                return v;
        json_object_object_foreach(o, k, val) if (strcasecmp(k, key) == 0) return val;
        return NULL;
}

/* A string field: absent or null gives NULL; another type is an error. */
int config_get_string(struct json_object *o, const char *key, const char **ret,
                      struct ace_error **err)
{
        struct json_object *v = config_obj_get(o, key);

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return ace_error_make(err, EINVAL, "%s: expected a string", key);
        *ret = json_object_get_string(v);
        return 0;
}

static int get_string_array(struct json_object *o, const char *key, char ***ret,
                            struct ace_error **err)
{
        struct json_object *v = config_obj_get(o, key);
        char **r = xcalloc(1, sizeof(char *));

        *ret = NULL;
        if (v && !json_object_is_type(v, json_type_array)) {
                strv_free(r);
                return ace_error_make(err, EINVAL, "%s: expected an array of strings", key);
        }
        for (size_t i = 0; v && i < json_object_array_length(v); i++) {
                struct json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string)) {
                        strv_free(r);
                        return ace_error_make(err, EINVAL, "%s[%zu]: expected a string", key, i);
                }
                r = strv_push(r, json_object_get_string(e));
        }
        *ret = r;
        return 0;
}

static int get_credentials(struct json_object *o, struct json_object **ret, struct ace_error **err)
{
        struct json_object *v = config_obj_get(o, "credentials");

        if (!v)
                return ace_error_make(err, EINVAL, "no credentials");
        if (!json_object_is_type(v, json_type_object))
                return ace_error_make(err, EINVAL, "credentials: expected an object");
        *ret = v;
        return 0;
}

static int parse_basic(struct json_object *creds, const char **user, const char **password,
                       struct ace_error **err)
{
        int r = config_get_string(creds, "user", user, err);
        if (r >= 0)
                r = config_get_string(creds, "password", password, err);
        if (r < 0)
                return r;
        if (!*user || !**user)
                return ace_error_make(err, EINVAL, "user not specified");
        if (!*password || !**password)
                return ace_error_make(err, EINVAL, "password not specified");
        return 0;
}

int config_find_auth(const struct http_auth *a, size_t n, const char *domain)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(a[i].domain, domain) == 0)
                        return (int)i;
        return -1;
}

/* auth v1: {"domains": [...], "type": "basic"|"oauth", "credentials": {...}} */
static int parse_auth_v1(struct json_object *o, struct http_auth **auths, size_t *n,
                         struct ace_error **err)
{
        _cleanup_strv_free_ char **domains = NULL;
        const char *type, *user = NULL, *password = NULL, *token = NULL;
        struct json_object *creds;
        enum http_auth_type t;
        int r;

        r = get_string_array(o, "domains", &domains, err);
        if (r < 0)
                return r;
        if (strv_length(domains) == 0)
                return ace_error_make(err, EINVAL, "no domains specified");
        r = config_get_string(o, "type", &type, err);
        if (r < 0)
                return r;
        if (!type || !*type)
                return ace_error_make(err, EINVAL, "no auth type specified");
        if (strcmp(type, "basic") == 0)
                t = HTTP_AUTH_BASIC;
        else if (strcmp(type, "oauth") == 0)
                t = HTTP_AUTH_BEARER;
        else
                return ace_error_make(err, EINVAL, "unknown auth type: \"%s\"", type);
        r = get_credentials(o, &creds, err);
        if (r < 0)
                return r;
        if (t == HTTP_AUTH_BASIC) {
                r = parse_basic(creds, &user, &password, err);
                if (r < 0)
                        return r;
        } else {
                r = config_get_string(creds, "token", &token, err);
                if (r < 0)
                        return r;
                if (!token || !*token)
                        return ace_error_make(err, EINVAL, "no oauth bearer token specified");
        }
        for (char **d = domains; *d; d++) {
                if (config_find_auth(*auths, *n, *d) >= 0)
                        return ace_error_make(err, EEXIST,
                                              "auth for domain \"%s\" is already specified", *d);
                *auths = xrealloc(*auths, (*n + 1) * sizeof(**auths));
                (*auths)[(*n)++] = (struct http_auth){
                    .domain = xstrdup(*d),
                    .type = t,
                    .user = user ? xstrdup(user) : NULL,
                    .password = password ? xstrdup(password) : NULL,
                    .token = token ? xstrdup(token) : NULL,
                };
        }
        return 0;
}

/* dockerAuth v1: {"registries": [...], "credentials": {"user", "password"}} ("indices" is the
 * older spelling rkt also had). Kept for `ace config`; ace fetches no docker images. */
static int parse_docker_auth_v1(struct json_object *o, struct ace_config *c, struct ace_error **err)
{
        _cleanup_strv_free_ char **regs = NULL;
        const char *user, *password;
        struct json_object *creds;
        int r;

        r = get_string_array(o, config_obj_get(o, "registries") ? "registries" : "indices", &regs,
                             err);
        if (r < 0)
                return r;
        if (strv_length(regs) == 0)
                return ace_error_make(err, EINVAL, "no registries specified");
        r = get_credentials(o, &creds, err);
        if (r >= 0)
                r = parse_basic(creds, &user, &password, err);
        if (r < 0)
                return r;
        for (char **g = regs; *g; g++) {
                for (size_t i = 0; i < c->n_docker_auths; i++)
                        if (strcmp(c->docker_auths[i].registry, *g) == 0)
                                return ace_error_make(err, EEXIST,
                                                      "credentials for docker registry \"%s\" "
                                                      "are already specified",
                                                      *g);
                c->docker_auths =
                    xrealloc(c->docker_auths, (c->n_docker_auths + 1) * sizeof(*c->docker_auths));
                c->docker_auths[c->n_docker_auths++] = (struct ace_docker_auth){
                    .registry = xstrdup(*g),
                    .user = xstrdup(user),
                    .password = xstrdup(password),
                };
        }
        return 0;
}

static int set_abs_path(struct json_object *o, const char *key, const char *what, char **dst,
                        struct ace_error **err)
{
        const char *v;
        int r = config_get_string(o, key, &v, err);

        if (r < 0 || !v || !*v)
                return r;
        if (*dst)
                return ace_error_make(err, EEXIST, "%s is already specified", what);
        if (v[0] != '/')
                return ace_error_make(err, EINVAL, "%s must be an absolute path", what);
        *dst = xstrdup(v);
        return 0;
}

/* paths v1: {"data": "/abs", "stage1-images": "/abs"} */
static int parse_paths_v1(struct json_object *o, struct ace_config *c, struct ace_error **err)
{
        int r = set_abs_path(o, "data", "data directory", &c->data_dir, err);
        if (r < 0)
                return r;
        return set_abs_path(o, "stage1-images", "stage1 images directory", &c->stage1_images_dir,
                            err);
}

static bool has_scheme(const char *s, const char **ret_scheme_end)
{
        const char *p = s;

        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
                return false;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '+' || *p == '-' || *p == '.')
                p++;
        *ret_scheme_end = p;
        return *p == ':';
}

static int validate_stage1_location(const char *loc, struct ace_error **err)
{
        static const char *const schemes[] = {"docker", "file", "http", "https"};
        const char *end;

        if (loc[0] == '/')
                return 0;
        if (!has_scheme(loc, &end))
                return ace_error_make(err, EINVAL,
                                      "default stage1 image location is either a relative path "
                                      "or a URL without scheme");
        for (size_t i = 0; i < ARRAY_SIZE(schemes); i++)
                if (strlen(schemes[i]) == (size_t)(end - loc) &&
                    strncmp(loc, schemes[i], (size_t)(end - loc)) == 0)
                        return 0;
        return ace_error_make(err, EINVAL,
                              "default stage1 image location URL has invalid scheme \"%.*s\", "
                              "allowed schemes are \"docker\", \"file\", \"http\", \"https\"",
                              (int)(end - loc), loc);
}

/* stage1 v1: {"name", "version", "location"}; name and version go together. */
static int parse_stage1_v1(struct json_object *o, struct ace_config *c, struct ace_error **err)
{
        const char *name, *version, *location;
        int r;

        r = config_get_string(o, "name", &name, err);
        if (r >= 0)
                r = config_get_string(o, "version", &version, err);
        if (r >= 0)
                r = config_get_string(o, "location", &location, err);
        if (r < 0)
                return r;
        name = name && *name ? name : NULL;
        version = version && *version ? version : NULL;
        location = location && *location ? location : NULL;
        if (!name && version)
                return ace_error_make(err, EINVAL,
                                      "invalid stage1 configuration: default stage1 image version "
                                      "specified, but name is missing");
        if (name && !version)
                return ace_error_make(err, EINVAL,
                                      "invalid stage1 configuration: default stage1 image name "
                                      "specified, but version is missing");
        if (location) {
                r = validate_stage1_location(location, err);
                if (r < 0)
                        return ace_error_wrap(err, "invalid stage1 configuration");
        }
        if (name) {
                if (c->stage1_name)
                        return ace_error_make(err, EEXIST,
                                              "name and version of a default stage1 image are "
                                              "already specified");
                c->stage1_name = xstrdup(name);
                c->stage1_version = xstrdup(version);
        }
        if (location) {
                if (c->stage1_location)
                        return ace_error_make(err, EEXIST,
                                              "location of a default stage1 image is already "
                                              "specified");
                c->stage1_location = xstrdup(location);
        }
        return 0;
}

static int get_duration(struct json_object *o, const char *key, bool *set, int64_t *dst,
                        struct ace_error **err)
{
        const char *v;
        int64_t ns;
        int r = config_get_string(o, key, &v, err);

        if (r < 0 || !v)
                return r;
        if (*set)
                return ace_error_make(err, EEXIST, "%s is already specified", key);
        r = cli_parse_duration(v, &ns, err);
        if (r < 0)
                return ace_error_wrap(err, "%s", key);
        if (ns <= 0)
                return ace_error_make(err, EINVAL, "%s must be positive", key);
        *dst = ns;
        *set = true;
        return 0;
}

static int get_int(struct json_object *o, const char *key, long min, long max, bool *set, long *dst,
                   struct ace_error **err)
{
        struct json_object *v = config_obj_get(o, key);
        int64_t n;

        if (!v)
                return 0;
        if (*set)
                return ace_error_make(err, EEXIST, "%s is already specified", key);
        if (!json_object_is_type(v, json_type_int))
                return ace_error_make(err, EINVAL, "%s: expected an integer", key);
        n = json_object_get_int64(v);
        if (n < min || n > max)
                return ace_error_make(err, ERANGE, "%s must be between %ld and %ld", key, min, max);
        *dst = (long)n;
        *set = true;
        return 0;
}

/* http v1 (ace's own kind): CA bundles, timeouts, redirect limit. */
static int parse_http_v1(struct json_object *o, struct layer *l, struct ace_error **err)
{
        _cleanup_strv_free_ char **bundles = NULL;
        long redirects = 0;
        int r;

        r = get_string_array(o, "caBundles", &bundles, err);
        if (r < 0)
                return r;
        for (char **b = bundles; *b; b++) {
                if ((*b)[0] != '/')
                        return ace_error_make(err, EINVAL, "caBundles: %s must be an absolute path",
                                              *b);
                l->c->ca_bundles = strv_push(l->c->ca_bundles, *b);
        }
        r = get_duration(o, "connectTimeout", &l->connect_set, &l->c->connect_timeout_ns, err);
        if (r >= 0)
                r = get_duration(o, "stallTimeout", &l->stall_set, &l->c->stall_timeout_ns, err);
        if (r >= 0)
                r = get_int(o, "stallMinBytesPerSecond", 1, 1L << 30, &l->min_bps_set,
                            &l->c->stall_min_bps, err);
        if (r >= 0)
                r = get_int(o, "maxRedirects", 0, 100, &l->redirects_set, &redirects, err);
        if (r >= 0 && l->redirects_set)
                l->c->max_redirects = (int)redirects;
        return r;
}

int ace_config_parse_auth(const char *json, size_t len, struct http_auth **ret, size_t *ret_n,
                          struct ace_error **err)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_tokener *tok = json_tokener_new();
        struct http_auth *auths = NULL;
        size_t n = 0;
        int r;

        o = json_tokener_parse_ex(tok, json, (int)len);
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) < len || !json_object_is_type(o, json_type_object)) {
                json_tokener_free(tok);
                return ace_error_make(err, EINVAL, "invalid JSON object");
        }
        json_tokener_free(tok);
        r = parse_auth_v1(o, &auths, &n, err);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        http_auth_clear(&auths[i]);
                free(auths);
                return r;
        }
        *ret = auths;
        *ret_n = n;
        return 0;
}

int config_parse_kind(struct json_object *o, const char *kind, const char *version, struct layer *l,
                      struct ace_error **err)
{
        if (strcmp(version, "v1") != 0)
                return ace_error_make(err, EINVAL,
                                      "no parser available for configuration of kind \"%s\" and "
                                      "version \"%s\"",
                                      kind, version);
        if (strcmp(kind, "auth") == 0)
                return parse_auth_v1(o, &l->c->auths, &l->c->n_auths, err);
        if (strcmp(kind, "dockerAuth") == 0)
                return parse_docker_auth_v1(o, l->c, err);
        if (strcmp(kind, "paths") == 0)
                return parse_paths_v1(o, l->c, err);
        if (strcmp(kind, "stage1") == 0)
                return parse_stage1_v1(o, l->c, err);
        if (strcmp(kind, "http") == 0)
                return parse_http_v1(o, l, err);
        return ace_error_make(err, EINVAL, "no parser available for configuration of kind \"%s\"",
                              kind);
}
