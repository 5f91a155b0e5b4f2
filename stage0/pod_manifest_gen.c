/*
 * pod_manifest_gen.c - generating the reified pod manifest from the command line (see
 * pod_manifest_gen.h for the rules and their order).
 */
#include "stage0/pod_manifest_gen.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"
#include "schema/types.h"
#include "stage0/app_isolators.h"

int env_file_parse(const char *text, const char *what, char ***env, struct ace_error **err)
{
        _cleanup_strv_free_ char **lines = strv_split(text, "\n", true);
        size_t n = 0;

        for (char **l = lines; l && *l; l++) {
                char *s = *l;
                n++;
                s[strcspn(s, "\r")] = '\0';
                while (isspace((unsigned char)*s))
                        s++;
                if (!*s || *s == '#' || *s == ';')
                        continue;
                char *eq = strchr(s, '=');
                if (!eq || eq == s)
                        return ace_error_make(err, EINVAL, "%s:%zu: want NAME=VALUE, got \"%s\"",
                                              what, n, s);
                *env = strv_push(*env, s);
        }
        return 0;
}

/* Sets K=V entries into an environment list; without override only names not set yet. */
static int merge_env(struct ace_kv_list *env, char *const *kvs, bool override, const char *what,
                     struct ace_error **err)
{
        for (; kvs && *kvs; kvs++) {
                const char *eq = strchr(*kvs, '=');
                _cleanup_free_ char *name = NULL;

                if (!eq || eq == *kvs)
                        return ace_error_make(err, EINVAL, "invalid %s \"%s\": want NAME=VALUE",
                                              what, *kvs);
                name = xstrndup(*kvs, (size_t)(eq - *kvs));
                if (override || !ace_kv_get(env, name))
                        ace_kv_set(env, name, eq + 1);
        }
        return 0;
}

/* --user-annotation / --user-label / --annotation: K=V into a list (last wins). */
static int set_kvs(struct ace_kv_list *l, char *const *kvs, const char *what,
                   struct ace_error **err)
{
        return merge_env(l, kvs, true, what, err);
}

static int parse_gids(const char *s, struct ace_gid_list *ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **parts = strv_split(s, ",", false);

        free(ret->items);
        *ret = (struct ace_gid_list){0};
        ret->items = xcalloc(strv_length(parts) + 1, sizeof(uint32_t));
        for (char **p = parts; p && *p; p++) {
                char *end;
                unsigned long long v;
                errno = 0;
                v = strtoull(*p, &end, 10);
                if (errno || end == *p || *end || **p == '-' || v > 4294967294ULL)
                        return ace_error_make(err, EINVAL,
                                              "invalid --supplementary-gids \"%s\": \"%s\" is "
                                              "not a gid",
                                              s, *p);
                ret->items[ret->n++] = (uint32_t)v;
        }
        return 0;
}

/* The app section: the image's, with the per-app flags applied (rkt generateRuntimeApp). */
static int build_app(const struct run_app *a, const struct ace_image_manifest *im,
                     const struct gen_input *in, struct ace_app **ret, struct ace_error **err)
{
        _cleanup_ace_app_ struct ace_app *app = NULL;
        const struct run_config *c = in->config;
        int r;

        if (!im->app && !a->exec)
                return ace_error_make(err, EINVAL,
                                      "image %s has no app section and --exec "
                                      "argument is not provided",
                                      a->image);
        if (im->app) {
                app = ace_app_copy(im->app);
        } else {
                app = ace_app_new();
                app->user = xasprintf("%u", (unsigned)in->uid);
                app->group = xasprintf("%u", (unsigned)in->gid);
        }
        if (a->exec) {
                strv_free(app->exec);
                app->exec = strv_push(NULL, a->exec);
        }
        if (a->has_args)
                for (char **p = a->args; p && *p; p++)
                        app->exec = strv_push(app->exec, *p);
        if (strv_length(app->exec) == 0)
                return ace_error_make(err, EINVAL, "image %s has no exec and --exec is not given",
                                      a->image);
        if (a->working_dir) {
                free(app->working_directory);
                app->working_directory = xstrdup(a->working_dir);
        }
        if (a->user) {
                free(app->user);
                app->user = xstrdup(a->user);
        }
        if (a->group) {
                free(app->group);
                app->group = xstrdup(a->group);
        }
        if (a->supplementary_gids &&
            (r = parse_gids(a->supplementary_gids, &app->supplementary_gids, err)) < 0)
                return r;
        if ((r = app_isolators_apply(a, &app->isolators, err)) < 0 ||
            (r = set_kvs(&app->user_annotations, a->user_annotations, "--user-annotation", err)) <
                0 ||
            (r = set_kvs(&app->user_labels, a->user_labels, "--user-label", err)) < 0)
                return ace_error_wrap(err, "image %s", a->image);
        /* Environment, lowest precedence first (rkt's code order). */
        if ((r = merge_env(&app->environment, a->environment, true, "--environment", err)) < 0 ||
            (c->inherit_env &&
             (r = merge_env(&app->environment, in->host_env, false, "host variable", err)) < 0) ||
            (r = merge_env(&app->environment, in->env_file, true, "--set-env-file entry", err)) <
                0 ||
            (r = merge_env(&app->environment, c->set_env, true, "--set-env", err)) < 0)
                return r;
        *ret = TAKE_PTR(app);
        return 0;
}

/* Parses "volume=NAME,target=PATH". */
static int parse_mount(const char *s, char **ret_volume, char **ret_target, struct ace_error **err)
{
        _cleanup_strv_free_ char **parts = strv_split(s, ",", false);
        _cleanup_free_ char *vol = NULL, *target = NULL;

        for (char **p = parts; p && *p; p++) {
                if (strncmp(*p, "volume=", 7) == 0 && !vol)
                        vol = xstrdup(*p + 7);
                else if (strncmp(*p, "target=", 7) == 0 && !target)
                        target = xstrdup(*p + 7);
                else
                        return ace_error_make(err, EINVAL,
                                              "invalid --mount \"%s\": unexpected \"%s\"", s, *p);
        }
        if (!vol || !*vol || !target || !*target)
                return ace_error_make(err, EINVAL,
                                      "invalid --mount \"%s\": want volume=NAME,target=PATH", s);
        *ret_volume = TAKE_PTR(vol);
        *ret_target = TAKE_PTR(target);
        return 0;
}

static bool mount_at(const struct ace_runtime_app *ra, const char *path)
{
        for (size_t i = 0; i < ra->mounts.n; i++)
                if (strcmp(ra->mounts.items[i].path, path) == 0)
                        return true;
        return false;
}

/* Per-app mounts first, then the global ones; the first mount of a path wins. */
static int add_mounts(const struct ace_pod_manifest *pm, struct ace_runtime_app *ra,
                      char *const *mounts, struct ace_error **err)
{
        for (; mounts && *mounts; mounts++) {
                _cleanup_free_ char *vol = NULL, *target = NULL;
                int r = parse_mount(*mounts, &vol, &target, err);
                if (r < 0)
                        return r;
                if (!ace_pod_manifest_volume(pm, vol))
                        return ace_error_make(err, ENOENT,
                                              "--mount \"%s\": no volume \"%s\" (dangling mount "
                                              "point; declare it with --volume)",
                                              *mounts, vol);
                if (mount_at(ra, target))
                        continue;
                r = ace_runtime_app_add_mount(ra, vol, target, err);
                if (r < 0)
                        return ace_error_wrap(err, "--mount \"%s\"", *mounts);
        }
        return 0;
}

static int add_volumes(struct ace_pod_manifest *pm, char *const *flags, struct ace_error **err)
{
        for (; flags && *flags; flags++) {
                struct ace_volume v = {0};
                int r = ace_volume_parse_flag(*flags, &v, err);
                if (r >= 0)
                        r = ace_pod_manifest_add_volume(pm, &v, err);
                ace_volume_done(&v);
                if (r < 0)
                        return ace_error_wrap(err, "--volume \"%s\"", *flags);
        }
        return 0;
}

static int add_app(struct ace_pod_manifest *pm, const struct gen_input *in, size_t i,
                   struct ace_error **err)
{
        const struct run_app *a = &in->config->apps[i];
        const struct gen_image *img = &in->images[i];
        _cleanup_free_ char *name = NULL;
        _cleanup_ace_app_ struct ace_app *app = NULL;
        struct ace_runtime_app *ra;
        bool ro = false;
        int r;

        name = a->name ? xstrdup(a->name) : ac_name_sanitize(img->manifest->name);
        if (!name || !ac_name_valid(name))
                return ace_error_make(err, EINVAL, "invalid app name \"%s\" for image %s",
                                      name ? name : "", a->image);
        if (ace_pod_manifest_app(pm, name))
                return ace_error_make(err, EEXIST, "error: multiple apps with name %s", name);
        if (a->readonly_rootfs && cli_parse_bool(a->readonly_rootfs, &ro, err) < 0)
                return ace_error_wrap(err, "--readonly-rootfs");
        r = build_app(a, img->manifest, in, &app, err);
        if (r < 0)
                return r;
        r = ace_pod_manifest_add_app(pm, name, img->id, img->manifest->name, &ra, err);
        if (r < 0)
                return r;
        ace_kv_list_copy(&ra->image.labels, &img->manifest->labels);
        ace_runtime_app_set_app(ra, app);
        ra->read_only_root_fs = ro;
        if ((r = set_kvs(&ra->annotations, a->annotations, "--annotation", err)) < 0 ||
            (r = add_mounts(pm, ra, a->mounts, err)) < 0 ||
            (r = add_mounts(pm, ra, in->config->mounts, err)) < 0)
                return r;
        return 0;
}

/* The app port named `name` in the pod, or NULL. */
static const struct ace_port *find_app_port(const struct ace_pod_manifest *pm, const char *name)
{
        for (size_t i = 0; i < pm->apps.n; i++) {
                const struct ace_app *app = pm->apps.items[i].app;
                for (size_t k = 0; app && k < app->ports.n; k++)
                        if (strcmp(app->ports.items[k].name, name) == 0)
                                return &app->ports.items[k];
        }
        return NULL;
}

/* --port=NAME:[HOSTIP:]HOSTPORT -> the pod manifest's `ports` (stage1 forwards them with the
 * portmap plugin). The name must be a port of one of the apps. */
static int add_port(struct ace_pod_manifest *pm, const char *flag, struct ace_error **err)
{
        _cleanup_strv_free_ char **parts = strv_split(flag, ":", true);
        size_t n = strv_length(parts);
        struct ace_exposed_port p = {0};
        struct in_addr a;
        char *end;
        unsigned long port;

        if (n < 2 || n > 3 || !ac_name_valid(parts[0]))
                return ace_error_make(err, EINVAL, "--port=%s: want NAME:[HOSTIP:]HOSTPORT", flag);
        errno = 0;
        port = strtoul(parts[n - 1], &end, 10);
        if (errno || *end || !*parts[n - 1] || port == 0 || port > 65535)
                return ace_error_make(err, EINVAL, "--port=%s: bad host port \"%s\"", flag,
                                      parts[n - 1]);
        if (n == 3 && inet_pton(AF_INET, parts[1], &a) != 1)
                return ace_error_make(err, EINVAL, "--port=%s: bad host IP \"%s\"", flag, parts[1]);
        if (!find_app_port(pm, parts[0]))
                return ace_error_make(err, ENOENT, "--port=%s: no app has a port named \"%s\"",
                                      flag, parts[0]);
        for (size_t i = 0; i < pm->ports.n; i++)
                if (strcmp(pm->ports.items[i].name, parts[0]) == 0 ||
                    pm->ports.items[i].host_port == port)
                        return ace_error_make(err, EEXIST,
                                              "--port=%s: port or host port given twice", flag);
        p.name = xstrdup(parts[0]);
        p.host_port = port;
        p.host_ip = n == 3 ? xstrdup(parts[1]) : NULL;
        pm->ports.items = xrealloc(pm->ports.items, (pm->ports.n + 1) * sizeof(p));
        pm->ports.items[pm->ports.n++] = p;
        return 0;
}

int pod_manifest_add_implicit_volumes(struct ace_pod_manifest *pm, const struct gen_image *images,
                                      struct ace_error **err)
{
        for (size_t i = 0; i < pm->apps.n; i++) {
                const struct ace_runtime_app *ra = &pm->apps.items[i];
                const struct ace_app *app = ra->app ? ra->app : images[i].manifest->app;

                for (size_t j = 0; app && j < app->mount_points.n; j++) {
                        const struct ace_mount_point *mp = &app->mount_points.items[j];
                        struct ace_volume v = {0};
                        int r;

                        if (ace_pod_manifest_volume(pm, mp->name))
                                continue;
                        /* ace_volume_parse_flag fills the defaults (mode 0755, uid/gid 0). */
                        _cleanup_free_ char *flag = xasprintf("%s,kind=empty", mp->name);
                        r = ace_volume_parse_flag(flag, &v, err);
                        if (r >= 0)
                                r = ace_pod_manifest_add_volume(pm, &v, err);
                        ace_volume_done(&v);
                        if (r < 0)
                                return ace_error_wrap(err, "implicit volume for mount point %s",
                                                      mp->name);
                }
        }
        return 0;
}

int pod_manifest_generate(const struct gen_input *in, struct ace_pod_manifest **ret,
                          struct ace_error **err)
{
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = ace_pod_manifest_new();
        int r;

        /* Volumes first: mounts are checked against them. */
        r = add_volumes(pm, in->config->volumes, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < in->config->n_apps; i++) {
                r = add_app(pm, in, i, err);
                if (r < 0)
                        return r;
        }
        r = pod_manifest_add_implicit_volumes(pm, in->images, err);
        if (r < 0)
                return r;
        r = app_isolators_apply_pod(in->config, &pm->isolators, err);
        if (r < 0)
                return r;
        for (char *const *p = in->config->ports; p && *p; p++)
                if ((r = add_port(pm, *p, err)) < 0)
                        return r;
        ace_kv_set(&pm->annotations, "coreos.com/rkt/stage1/mutable", "false");
        r = ace_pod_manifest_validate(pm, err);
        if (r < 0)
                return ace_error_wrap(err, "generated pod manifest");
        *ret = TAKE_PTR(pm);
        return 0;
}

int pod_manifest_check_user(const struct ace_pod_manifest *pm, const struct gen_image *images,
                            struct ace_error **err)
{
        for (size_t i = 0; i < pm->apps.n; i++) {
                const struct ace_runtime_app *ra = &pm->apps.items[i];
                for (size_t j = 0; j < i; j++)
                        if (strcmp(pm->apps.items[j].name, ra->name) == 0)
                                return ace_error_make(err, EEXIST,
                                                      "multiple apps with same name %s", ra->name);
                if (!ra->app && !images[i].manifest->app)
                        return ace_error_make(err, EINVAL,
                                              "no app section in the pod manifest or the image "
                                              "manifest of app %s",
                                              ra->name);
        }
        return 0;
}
