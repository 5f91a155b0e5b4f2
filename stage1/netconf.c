/* netconf.c - the --net list, network definitions and their resolution (netconf.h). */
#include "stage1/netconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define NET_CONF_MAX (1u << 20)

/* rkt's two built-in networks (reference/rkt.md §6), at a cniVersion whose results carry
 * interfaces and whose DEL gets prevResult. */
const struct net_builtin net_builtins[] = {
    {"default",
     "{\"cniVersion\": \"0.4.0\", \"name\": \"default\", \"type\": \"ptp\", \"ipMasq\": true, "
     "\"ipam\": {\"type\": \"host-local\", \"subnet\": \"172.16.28.0/24\", "
     "\"routes\": [{\"dst\": \"0.0.0.0/0\"}]}}"},
    {"default-restricted",
     "{\"cniVersion\": \"0.4.0\", \"name\": \"default-restricted\", \"type\": \"ptp\", "
     "\"ipMasq\": false, \"ipam\": {\"type\": \"host-local\", \"subnet\": "
     "\"172.31.0.0/16\"}}"},
};
const size_t n_net_builtins = ARRAY_SIZE(net_builtins);

/* ---- definitions --------------------------------------------------------------------------- */

int net_version_cmp(const char *a, const char *b)
{
        unsigned va[3] = {0}, vb[3] = {0};
        int na = a ? sscanf(a, "%u.%u.%u", &va[0], &va[1], &va[2]) : 0;
        int nb = b ? sscanf(b, "%u.%u.%u", &vb[0], &vb[1], &vb[2]) : 0;

        if (na != 3 || nb != 3)
                return (na == 3) - (nb == 3);
        for (int i = 0; i < 3; i++)
                if (va[i] != vb[i])
                        return va[i] < vb[i] ? -1 : 1;
        return 0;
}

static const char *get_string(struct json_object *o, const char *key)
{
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int check_version(const char *v, const char *what, struct ace_error **err)
{
        unsigned a, b, c;
        char tail;

        if (sscanf(v, "%u.%u.%u%c", &a, &b, &c, &tail) != 3)
                return ace_error_make(err, EINVAL, "%s: cniVersion \"%s\" is not N.N.N", what, v);
        return 0;
}

static int check_plugin(struct json_object *p, size_t i, const char *what, struct ace_error **err)
{
        const char *type;

        if (!json_object_is_type(p, json_type_object))
                return ace_error_make(err, EINVAL, "%s: plugins[%zu] is not an object", what, i);
        type = get_string(p, "type");
        /* The type names a binary in CNI_PATH: a plain file name, nothing to walk out of it. */
        if (!type || !*type || strchr(type, '/') || strcmp(type, ".") == 0 ||
            strcmp(type, "..") == 0)
                return ace_error_make(err, EINVAL, "%s: plugins[%zu] has no valid \"type\"", what,
                                      i);
        return 0;
}

static struct json_object *wrap_conf(struct json_object *conf, const char *name,
                                     const char *version)
{
        struct json_object *list = json_object_new_object(), *plugins = json_object_new_array();

        json_object_object_add(list, "cniVersion", json_object_new_string(version));
        json_object_object_add(list, "name", json_object_new_string(name));
        json_object_array_add(plugins, json_object_get(conf));
        json_object_object_add(list, "plugins", plugins);
        return list;
}

int net_conf_parse(const char *text, size_t len, bool is_list, const char *what,
                   struct json_object **ret, struct ace_error **err)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *plugins;
        const char *name, *version;
        size_t n;
        int r;

        if ((r = json_parse_object(text, len, ACE_JSON_MAX_DEPTH, &o, err)) < 0)
                return ace_error_wrap(err, "%s", what);
        name = get_string(o, "name");
        if (!name || !net_name_valid(name))
                return ace_error_make(err, EINVAL, "%s: missing or bad network \"name\"", what);
        version = get_string(o, "cniVersion");
        if (!version && is_list)
                return ace_error_make(err, EINVAL, "%s: a configuration list needs a cniVersion",
                                      what);
        if (version && (r = check_version(version, what, err)) < 0)
                return r;
        if (!is_list) {
                if ((r = check_plugin(o, 0, what, err)) < 0)
                        return r;
                *ret = wrap_conf(o, name, version ? version : "0.1.0");
                return 0;
        }
        if (!json_object_object_get_ex(o, "plugins", &plugins) ||
            !json_object_is_type(plugins, json_type_array) ||
            (n = json_object_array_length(plugins)) == 0)
                return ace_error_make(err, EINVAL, "%s: \"plugins\" must be a non-empty array",
                                      what);
        for (size_t i = 0; i < n; i++)
                if ((r = check_plugin(json_object_array_get_idx(plugins, i), i, what, err)) < 0)
                        return r;
        if (n > 1 && net_version_cmp(version, "0.3.0") < 0)
                return ace_error_make(err, EINVAL,
                                      "%s: chaining %zu plugins needs cniVersion 0.3.0 or later",
                                      what, n);
        *ret = TAKE_PTR(o);
        return 0;
}

void net_defs_done(struct net_defs *d)
{
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].name);
                free(d->items[i].source);
                json_object_put(d->items[i].conf);
        }
        free(d->items);
        *d = (struct net_defs){0};
}

const struct net_def *net_defs_find(const struct net_defs *d, const char *name)
{
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->items[i].name, name) == 0)
                        return &d->items[i];
        return NULL;
}

/* Adds or replaces (a higher-precedence directory's definition wins). */
static void defs_put(struct net_defs *d, struct json_object *conf, const char *source)
{
        const char *name = get_string(conf, "name");
        struct net_def *slot = (struct net_def *)net_defs_find(d, name);

        if (!slot) {
                d->items = xrealloc(d->items, (d->n + 1) * sizeof(*d->items));
                slot = &d->items[d->n++];
                slot->name = xstrdup(name);
        } else {
                log_debug("network \"%s\" from %s overrides %s", name, source, slot->source);
                free(slot->source);
                json_object_put(slot->conf);
        }
        slot->source = xstrdup(source);
        slot->conf = conf;
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n > m && strcmp(s + n - m, suffix) == 0;
}

/* The *.conf and *.conflist names of a directory, sorted; NULL when it does not exist. */
static int list_conf_files(const char *dir, char ***ret, struct ace_error **err)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        char **names = NULL;
        struct dirent *de;

        *ret = NULL;
        if (!d)
                return errno == ENOENT || errno == ENOTDIR
                           ? 0
                           : ace_error_errno(err, errno, "open %s", dir);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' &&
                    (has_suffix(de->d_name, ".conf") || has_suffix(de->d_name, ".conflist")))
                        names = strv_push(names, de->d_name);
        if (names)
                strv_sort(names);
        *ret = names;
        return 0;
}

static int load_dir(const char *dir, struct net_defs *d, struct ace_error **err)
{
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_strv_free_ char **seen = NULL;
        int r;

        if ((r = list_conf_files(dir, &names, err)) < 0)
                return r;
        for (size_t i = 0; names && names[i]; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]), *buf = NULL;
                struct json_object *conf = NULL;
                size_t len;
                const char *name;

                if ((r = fs_read_file_at(AT_FDCWD, path, NET_CONF_MAX, &buf, &len, err)) < 0 ||
                    (r = net_conf_parse(buf, len, has_suffix(path, ".conflist"), path, &conf,
                                        err)) < 0)
                        return r;
                name = get_string(conf, "name");
                if (strv_contains(seen, name)) {
                        log_debug("network \"%s\" already defined in %s, ignoring %s", name, dir,
                                  path);
                        json_object_put(conf);
                        continue;
                }
                seen = strv_push(seen, name);
                defs_put(d, conf, path);
        }
        return 0;
}

int net_defs_load(const char *const *dirs, size_t n_dirs, struct net_defs *ret,
                  struct ace_error **err)
{
        struct net_defs d = {0};
        int r;

        for (size_t i = 0; i < n_net_builtins; i++) {
                struct json_object *conf = NULL;
                r = net_conf_parse(net_builtins[i].json, strlen(net_builtins[i].json), false,
                                   "builtin", &conf, err);
                if (r < 0) {
                        net_defs_done(&d);
                        return r;
                }
                defs_put(&d, conf, "builtin");
        }
        for (size_t i = 0; i < n_dirs; i++) {
                _cleanup_free_ char *dir = NULL;
                if (!dirs[i])
                        continue;
                dir = xasprintf("%s/net.d", dirs[i]);
                if ((r = load_dir(dir, &d, err)) < 0) {
                        net_defs_done(&d);
                        return r;
                }
        }
        *ret = d;
        return 0;
}

/* ---- resolution ---------------------------------------------------------------------------- */

static bool is_builtin(const struct net_def *def)
{
        return strcmp(def->source, "builtin") == 0;
}

int net_resolve(const struct net_list *l, const struct net_defs *d, struct net_attach **ret,
                size_t *ret_n, struct ace_error **err)
{
        _cleanup_free_ struct net_attach *out = xcalloc(d->n + l->n + 1, sizeof(*out));
        _cleanup_free_ char *missing = NULL;
        size_t n = 0;

        if (l->all) {
                /* Files by name first, then the built-ins, as rkt loaded them. */
                for (int pass = 0; pass < 2; pass++)
                        for (size_t i = 0; i < d->n; i++)
                                if (is_builtin(&d->items[i]) == (pass == 1))
                                        out[n++].def = &d->items[i];
        }
        for (size_t i = 0; i < l->n; i++) {
                const struct net_def *def;
                if (strcmp(l->items[i].name, "all") == 0)
                        continue;
                def = net_defs_find(d, l->items[i].name);
                if (!def) {
                        char *m = xasprintf("%s%s\"%s\"", missing ? missing : "",
                                            missing ? ", " : "", l->items[i].name);
                        free(missing);
                        missing = m;
                        continue;
                }
                size_t k = 0;
                while (k < n && out[k].def != def)
                        k++;
                out[k].def = def;
                out[k].args = l->items[i].args;
                if (k == n)
                        n++;
        }
        if (missing)
                return ace_error_make(err, ENOENT, "networks not found: %s", missing);
        for (size_t i = 0; i < n; i++)
                snprintf(out[i].ifname, sizeof(out[i].ifname), "eth%u", (unsigned)(i % 1000));
        *ret = TAKE_PTR(out);
        *ret_n = n;
        return 0;
}
