/*
 * config.c - reading and merging ace's configuration directories (see config.h).
 *
 * Each directory is read into a fresh layer (so "given twice in one directory" can be detected),
 * then merged over the layers before it. Within a directory, config files are read in name
 * order (rkt walks them lexically) so errors and results do not depend on readdir order.
 */
#include "stage0/config_internal.h"

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

static bool kind_allowed(size_t subdir, const char *kind)
{
        for (size_t k = 0; k < ARRAY_SIZE(config_subdirs[subdir].kinds); k++)
                if (config_subdirs[subdir].kinds[k] &&
                    strcmp(config_subdirs[subdir].kinds[k], kind) == 0)
                        return true;
        return false;
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
        if (config_get_string(o, config_obj_get(o, "rktKind") ? "rktKind" : "aceKind", &kind, err) <
                0 ||
            config_get_string(o, config_obj_get(o, "rktVersion") ? "rktVersion" : "aceVersion",
                              &version, err) < 0)
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
        r = config_parse_kind(o, kind, version, l, err);
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
                int j = config_find_auth(c->auths, c->n_auths, a->domain);
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
                        c->docker_auths =
                            xrealloc(c->docker_auths, (j + 1) * sizeof(*c->docker_auths));
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
                json_object_object_add(
                    e, "type",
                    json_object_new_string(a->type == HTTP_AUTH_BASIC ? "basic" : "oauth"));
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
