/*
 * config.c - reading and merging ace's configuration directories (see config.h).
 *
 * Each directory is read into a fresh layer (so "given twice in one directory" can be detected),
 * then merged over the layers before it. Within a directory, config files are read in name
 * order (rkt walks them lexically) so errors and results do not depend on readdir order.
 */
#include "stage0/config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/cli.h"

#define CONFIG_MAX_FILE (1u << 20)

/* Which kinds each config subdirectory accepts (rkt registerSubDir), sorted by directory. */
static const struct {
        const char *dir;
        const char *kinds[3];
} config_subdirs[] = {
        {"auth.d", {"auth", "dockerAuth", NULL}},
        {"http.d", {"http", NULL, NULL}},
        {"paths.d", {"paths", NULL, NULL}},
        {"stage1.d", {"stage1", NULL, NULL}},
};

const char *ace_config_subdir(size_t i)
{
        return i < ARRAY_SIZE(config_subdirs) ? config_subdirs[i].dir : NULL;
}

/* A layer also remembers which single-valued settings it set, to refuse duplicates. */
struct layer {
        struct ace_config *c;
        bool connect_set, stall_set, min_bps_set, redirects_set;
};

static struct ace_config *config_new(void)
{
        struct ace_config *c = xcalloc(1, sizeof(*c));
        c->max_redirects = -1;
        return c;
}

void ace_config_free(struct ace_config *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n_auths; i++)
                http_auth_clear(&c->auths[i]);
        free(c->auths);
        for (size_t i = 0; i < c->n_docker_auths; i++) {
                free(c->docker_auths[i].registry);
                free(c->docker_auths[i].user);
                free(c->docker_auths[i].password);
        }
        free(c->docker_auths);
        free(c->data_dir);
        free(c->stage1_images_dir);
        free(c->stage1_name);
        free(c->stage1_version);
        free(c->stage1_location);
        strv_free(c->ca_bundles);
        free(c);
}

static void json_putp(struct json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* Key lookup like Go's encoding/json: an exact match first, else a case-insensitive one. */
static struct json_object *obj_get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (json_object_object_get_ex(o, key, &v))
                return v;
        json_object_object_foreach(o, k, val) if (strcasecmp(k, key) == 0) return val;
        return NULL;
}

/* A string field: absent or null gives NULL; another type is an error. */
static int get_string(struct json_object *o, const char *key, const char **ret,
                      struct ace_error **err)
{
        struct json_object *v = obj_get(o, key);

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
        struct json_object *v = obj_get(o, key);
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

static int get_credentials(struct json_object *o, struct json_object **ret,
                           struct ace_error **err)
{
        struct json_object *v = obj_get(o, "credentials");

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
        int r = get_string(creds, "user", user, err);
        if (r >= 0)
                r = get_string(creds, "password", password, err);
        if (r < 0)
                return r;
        if (!*user || !**user)
                return ace_error_make(err, EINVAL, "user not specified");
        if (!*password || !**password)
                return ace_error_make(err, EINVAL, "password not specified");
        return 0;
}

static int find_auth(const struct http_auth *a, size_t n, const char *domain)
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
        r = get_string(o, "type", &type, err);
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
                r = get_string(creds, "token", &token, err);
                if (r < 0)
                        return r;
                if (!token || !*token)
                        return ace_error_make(err, EINVAL, "no oauth bearer token specified");
        }
        for (char **d = domains; *d; d++) {
                if (find_auth(*auths, *n, *d) >= 0)
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
static int parse_docker_auth_v1(struct json_object *o, struct ace_config *c,
                                struct ace_error **err)
{
        _cleanup_strv_free_ char **regs = NULL;
        const char *user, *password;
        struct json_object *creds;
        int r;

        r = get_string_array(o, obj_get(o, "registries") ? "registries" : "indices", &regs, err);
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
                c->docker_auths = xrealloc(c->docker_auths,
                                           (c->n_docker_auths + 1) * sizeof(*c->docker_auths));
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
        int r = get_string(o, key, &v, err);

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

        r = get_string(o, "name", &name, err);
        if (r >= 0)
                r = get_string(o, "version", &version, err);
        if (r >= 0)
                r = get_string(o, "location", &location, err);
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
        int r = get_string(o, key, &v, err);

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

static int get_int(struct json_object *o, const char *key, long min, long max, bool *set,
                   long *dst, struct ace_error **err)
{
        struct json_object *v = obj_get(o, key);
        int64_t n;

        if (!v)
                return 0;
        if (*set)
                return ace_error_make(err, EEXIST, "%s is already specified", key);
        if (!json_object_is_type(v, json_type_int))
                return ace_error_make(err, EINVAL, "%s: expected an integer", key);
        n = json_object_get_int64(v);
        if (n < min || n > max)
                return ace_error_make(err, ERANGE, "%s must be between %ld and %ld", key, min,
                                      max);
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
                        return ace_error_make(err, EINVAL,
                                              "caBundles: %s must be an absolute path", *b);
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

static bool kind_allowed(size_t subdir, const char *kind)
{
        for (size_t k = 0; k < ARRAY_SIZE(config_subdirs[subdir].kinds); k++)
                if (config_subdirs[subdir].kinds[k] && strcmp(config_subdirs[subdir].kinds[k], kind) == 0)
                        return true;
        return false;
}

static int parse_kind(struct json_object *o, const char *kind, const char *version,
                      struct layer *l, struct ace_error **err)
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

static int read_small_file(int dfd, const char *name, char **ret, size_t *ret_len,
                           struct ace_error **err)
{
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        if (fd < 0)
                return ace_error_errno(err, errno, "open");
        for (;;) {
                ssize_t n;
                buf = xgrow(buf, &cap, len + 4096 + 1, 1);
                n = TEMP_FAILURE_RETRY(read(fd, buf + len, cap - len - 1));
                if (n < 0)
                        return ace_error_errno(err, errno, "read");
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > CONFIG_MAX_FILE)
                        return ace_error_make(err, EFBIG, "file larger than %u bytes",
                                              CONFIG_MAX_FILE);
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int parse_file(int dfd, const char *dirpath, const char *name, size_t subdir,
                      struct layer *l, struct ace_error **err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dirpath, name), *buf = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        const char *kind = NULL, *version = NULL;
        struct json_tokener *tok;
        size_t len = 0;
        int r;

        r = read_small_file(dfd, name, &buf, &len, err);
        if (r < 0)
                return ace_error_wrap(err, "reading \"%s\"", path);
        tok = json_tokener_new();
        o = json_tokener_parse_ex(tok, buf, (int)len);
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            !json_object_is_type(o, json_type_object)) {
                r = ace_error_make(err, EINVAL, "failed to parse \"%s\": %s", path,
                                   o ? "expected a JSON object"
                                     : json_tokener_error_desc(json_tokener_get_error(tok)));
                json_tokener_free(tok);
                return r;
        }
        json_tokener_free(tok);
        if (get_string(o, obj_get(o, "rktKind") ? "rktKind" : "aceKind", &kind, err) < 0 ||
            get_string(o, obj_get(o, "rktVersion") ? "rktVersion" : "aceVersion", &version, err) < 0)
                return ace_error_wrap(err, "failed to parse \"%s\"", path);
        if (!kind || !*kind)
                return ace_error_make(err, EINVAL, "no rktKind specified in \"%s\"", path);
        if (!version || !*version)
                return ace_error_make(err, EINVAL, "no rktVersion specified in \"%s\"", path);
        if (!kind_allowed(subdir, kind)) {
                _cleanup_free_ char *kinds = NULL;
                char *const *kv = (char *const *)config_subdirs[subdir].kinds;
                kinds = strv_join(kv, "\", \"");
                return ace_error_make(err, EINVAL,
                                      "the configuration directory \"%s\" expects to have "
                                      "configuration files of kinds \"%s\", but \"%s\" has kind "
                                      "of \"%s\"",
                                      dirpath, kinds, name, kind);
        }
        r = parse_kind(o, kind, version, l, err);
        if (r < 0)
                return ace_error_wrap(err, "failed to parse \"%s\"", path);
        return 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int read_subdir(const char *dir, size_t subdir, struct layer *l, struct ace_error **err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, config_subdirs[subdir].dir);
        _cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent **ents = NULL;
        int n, r = 0;

        if (dfd < 0) {
                if (errno == ENOENT)
                        return 0;
                return ace_error_errno(err, errno, "expected \"%s\" to be a directory", path);
        }
        n = scandirat(dfd, ".", &ents, NULL, cmp_names);
        if (n < 0)
                return ace_error_errno(err, errno, "reading \"%s\"", path);
        for (int i = 0; i < n; i++) {
                const char *name = ents[i]->d_name;
                size_t nl = strlen(name);
                struct stat st;

                if (r < 0 || nl < 5 || strcmp(name + nl - 5, ".json") != 0)
                        continue;
                /* Regular files only: directories and symlinks are skipped, as rkt. */
                if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                r = parse_file(dfd, path, name, subdir, l, err);
        }
        for (int i = 0; i < n; i++)
                free(ents[i]);
        free(ents);
        return r;
}

static int read_dir(const char *dir, struct ace_config **ret, struct ace_error **err)
{
        struct layer l = {.c = config_new()};
        struct stat st;

        *ret = l.c;
        if (stat(dir, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                return ace_error_errno(err, errno, "stat \"%s\"", dir);
        }
        if (!S_ISDIR(st.st_mode))
                return ace_error_make(err, ENOTDIR, "expected \"%s\" to be a directory", dir);
        for (size_t i = 0; i < ARRAY_SIZE(config_subdirs); i++) {
                int r = read_subdir(dir, i, &l, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void replace_str(char **dst, const char *src)
{
        if (!src)
                return;
        free(*dst);
        *dst = xstrdup(src);
}

static void merge(struct ace_config *c, const struct ace_config *s)
{
        for (size_t i = 0; i < s->n_auths; i++) {
                const struct http_auth *a = &s->auths[i];
                int j = find_auth(c->auths, c->n_auths, a->domain);
                if (j < 0) {
                        c->auths = xrealloc(c->auths, (c->n_auths + 1) * sizeof(*c->auths));
                        j = (int)c->n_auths++;
                } else {
                        http_auth_clear(&c->auths[j]);
                }
                c->auths[j] = (struct http_auth){
                        .domain = xstrdup(a->domain),
                        .type = a->type,
                        .user = a->user ? xstrdup(a->user) : NULL,
                        .password = a->password ? xstrdup(a->password) : NULL,
                        .token = a->token ? xstrdup(a->token) : NULL,
                };
        }
        for (size_t i = 0; i < s->n_docker_auths; i++) {
                const struct ace_docker_auth *d = &s->docker_auths[i];
                size_t j;
                for (j = 0; j < c->n_docker_auths; j++)
                        if (strcmp(c->docker_auths[j].registry, d->registry) == 0)
                                break;
                if (j == c->n_docker_auths) {
                        c->docker_auths = xrealloc(c->docker_auths,
                                                   (j + 1) * sizeof(*c->docker_auths));
                        c->docker_auths[j].registry = xstrdup(d->registry);
                        c->docker_auths[j].user = c->docker_auths[j].password = NULL;
                        c->n_docker_auths++;
                }
                replace_str(&c->docker_auths[j].user, d->user);
                replace_str(&c->docker_auths[j].password, d->password);
        }
        replace_str(&c->data_dir, s->data_dir);
        replace_str(&c->stage1_images_dir, s->stage1_images_dir);
        if (s->stage1_name) {
                replace_str(&c->stage1_name, s->stage1_name);
                replace_str(&c->stage1_version, s->stage1_version);
        }
        replace_str(&c->stage1_location, s->stage1_location);
        for (char **b = s->ca_bundles; b && *b; b++)
                c->ca_bundles = strv_push(c->ca_bundles, *b);
        if (s->connect_timeout_ns)
                c->connect_timeout_ns = s->connect_timeout_ns;
        if (s->stall_timeout_ns)
                c->stall_timeout_ns = s->stall_timeout_ns;
        if (s->stall_min_bps)
                c->stall_min_bps = s->stall_min_bps;
        if (s->max_redirects >= 0)
                c->max_redirects = s->max_redirects;
}

static int cmp_auth(const void *a, const void *b)
{
        return strcmp(((const struct http_auth *)a)->domain, ((const struct http_auth *)b)->domain);
}

static int cmp_docker(const void *a, const void *b)
{
        return strcmp(((const struct ace_docker_auth *)a)->registry,
                      ((const struct ace_docker_auth *)b)->registry);
}

int ace_config_load(const char *const *dirs, size_t n_dirs, struct ace_config **ret,
                    struct ace_error **err)
{
        struct ace_config *c = config_new();

        for (size_t i = 0; i < n_dirs; i++) {
                struct ace_config *layer = NULL;
                int r;

                if (!dirs[i] || !*dirs[i])
                        continue;
                r = read_dir(dirs[i], &layer, err);
                if (r < 0) {
                        ace_config_free(layer);
                        ace_config_free(c);
                        return r;
                }
                merge(c, layer);
                ace_config_free(layer);
        }
        if (c->n_auths)
                qsort(c->auths, c->n_auths, sizeof(*c->auths), cmp_auth);
        if (c->n_docker_auths)
                qsort(c->docker_auths, c->n_docker_auths, sizeof(*c->docker_auths), cmp_docker);
        *ret = c;
        return 0;
}

int ace_config_load_global(const struct ace_global *g, struct ace_config **ret,
                           struct ace_error **err)
{
        const char *dirs[] = {g->system_config, g->local_config, g->user_config};
        return ace_config_load(dirs, ARRAY_SIZE(dirs), ret, err);
}

const char *ace_config_data_dir(const struct ace_global *g, const struct ace_config *c)
{
        if (g->dir_set || !c || !c->data_dir)
                return g->dir;
        return c->data_dir;
}

void ace_config_http_options(const struct ace_config *c, unsigned insecure,
                             struct http_options *ret)
{
        *ret = (struct http_options){
                .ca_bundles = c->ca_bundles,
                /* OpenSSL's convention, which Go (the reference actool) honours too. */
                .ca_file = secure_getenv("SSL_CERT_FILE"),
                .insecure_tls = insecure & INSECURE_TLS,
                .allow_http = insecure & INSECURE_HTTP,
                .auths = c->auths,
                .n_auths = c->n_auths,
                .connect_timeout_ms = (long)(c->connect_timeout_ns / 1000000),
                .stall_timeout_ms = (long)(c->stall_timeout_ns / 1000000),
                .stall_min_bps = c->stall_min_bps,
                .max_redirects = c->max_redirects,
        };
}

static struct json_object *entry(const char *kind)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "rktVersion", json_object_new_string("v1"));
        json_object_object_add(o, "rktKind", json_object_new_string(kind));
        return o;
}

static struct json_object *str_or_empty(const char *s)
{
        return json_object_new_string(s ? s : "");
}

static struct json_object *one_element(const char *s)
{
        struct json_object *a = json_object_new_array();
        json_object_array_add(a, json_object_new_string(s));
        return a;
}

char *ace_config_to_json(const struct ace_config *c, bool pretty)
{
        _cleanup_json_ struct json_object *root = json_object_new_object();
        struct json_object *stage0 = json_object_new_array(), *e, *creds;

        for (size_t i = 0; i < c->n_auths; i++) {
                const struct http_auth *a = &c->auths[i];
                e = entry("auth");
                json_object_object_add(e, "domains", one_element(a->domain));
                json_object_object_add(e, "type", json_object_new_string(
                                                          a->type == HTTP_AUTH_BASIC ? "basic"
                                                                                     : "oauth"));
                creds = json_object_new_object();
                if (a->type == HTTP_AUTH_BASIC) {
                        json_object_object_add(creds, "user", str_or_empty(a->user));
                        json_object_object_add(creds, "password", str_or_empty(a->password));
                } else {
                        json_object_object_add(creds, "token", str_or_empty(a->token));
                }
                json_object_object_add(e, "credentials", creds);
                json_object_array_add(stage0, e);
        }
        for (size_t i = 0; i < c->n_docker_auths; i++) {
                const struct ace_docker_auth *d = &c->docker_auths[i];
                e = entry("dockerAuth");
                json_object_object_add(e, "registries", one_element(d->registry));
                creds = json_object_new_object();
                json_object_object_add(creds, "user", str_or_empty(d->user));
                json_object_object_add(creds, "password", str_or_empty(d->password));
                json_object_object_add(e, "credentials", creds);
                json_object_array_add(stage0, e);
        }
        e = entry("paths");
        json_object_object_add(e, "data", str_or_empty(c->data_dir));
        json_object_object_add(e, "stage1-images", str_or_empty(c->stage1_images_dir));
        json_object_array_add(stage0, e);
        e = entry("stage1");
        json_object_object_add(e, "name", str_or_empty(c->stage1_name));
        json_object_object_add(e, "version", str_or_empty(c->stage1_version));
        json_object_object_add(e, "location", str_or_empty(c->stage1_location));
        json_object_array_add(stage0, e);
        json_object_object_add(root, "stage0", stage0);
        return xstrdup(json_object_to_json_string_ext(
                root, JSON_C_TO_STRING_NOSLASHESCAPE |
                              (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
                                                JSON_C_TO_STRING_SPACED
                                      : JSON_C_TO_STRING_PLAIN)));
}
