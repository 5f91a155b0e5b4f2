/*
 * pod.c - load the pod directory into struct pod (pod.h).
 *
 * The pod manifest is reified by stage0; stage1 parses it (and the image manifests it needs) with
 * the same schema library, so a hand-edited or corrupted pod dir fails with the schema's message
 * naming the JSON path, not by running something unexpected. What stage1 adds is the "reified"
 * check (every mount point has a volume) and the resolution of isolators (pod_isolators.c).
 */
#include "stage1/pod.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"
#include "stage1/pod_isolators.h"

#define POD_FILE_MAX (4u << 20)

void pod_free(struct pod *pod)
{
        if (!pod)
                return;
        for (size_t i = 0; i < pod->n_apps; i++) {
                struct pod_app *a = &pod->apps[i];
                free(a->name);
                free(a->image_id);
                free(a->tree_id);
                launch_spec_done(&a->launch);
                strv_free(a->pre_start);
                strv_free(a->post_stop);
                for (size_t m = 0; m < a->n_mounts; m++)
                        free(a->mounts[m].path);
                free(a->mounts);
        }
        for (size_t i = 0; i < pod->n_volumes; i++) {
                free(pod->volumes[i].name);
                free(pod->volumes[i].source);
        }
        for (size_t i = 0; i < pod->n_unenforced; i++) {
                free(pod->unenforced[i].name);
                free(pod->unenforced[i].scope);
                free(pod->unenforced[i].reason);
        }
        free(pod->unenforced);
        free(pod->apps);
        free(pod->volumes);
        free(pod->uuid);
        free(pod->tree_store);
        free(pod);
}

const struct pod_app *pod_find_app(const struct pod *pod, const char *name)
{
        for (size_t i = 0; i < pod->n_apps; i++)
                if (strcmp(pod->apps[i].name, name) == 0)
                        return &pod->apps[i];
        return NULL;
}

void pod_add_unenforced(struct pod *pod, const char *name, const char *scope, const char *reason)
{
        pod->unenforced =
            xrealloc(pod->unenforced, (pod->n_unenforced + 1) * sizeof(*pod->unenforced));
        pod->unenforced[pod->n_unenforced++] = (struct pod_unenforced){
            .name = xstrdup(name),
            .scope = xstrdup(scope),
            .reason = xstrdup(reason),
        };
}

char *pod_unenforced_format(const struct pod *pod)
{
        char *text = xstrdup("");

        for (size_t i = 0; i < pod->n_unenforced; i++) {
                const struct pod_unenforced *u = &pod->unenforced[i];
                char *next = xasprintf("%s%s %s: %s\n", text, u->name, u->scope, u->reason);
                free(text);
                text = next;
        }
        return text;
}

/* ---- runtime-config (not an appc document: plain json-c) ------------------------------------ */

static json_object *get(json_object *o, const char *key)
{
        json_object *v = NULL;

        if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

static int get_str(json_object *o, const char *key, const char **ret, struct ace_error **err)
{
        json_object *v = get(o, key);

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return ace_error_make(err, EINVAL, "\"%s\" must be a string", key);
        *ret = json_object_get_string(v);
        return 0;
}

static int get_bool(json_object *o, const char *key, bool def, bool *ret, struct ace_error **err)
{
        json_object *v = get(o, key);

        *ret = def;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return ace_error_make(err, EINVAL, "\"%s\" must be a boolean", key);
        *ret = json_object_get_boolean(v);
        return 0;
}

static int load_runtime_config(struct pod *pod, const char *text, struct ace_error **err)
{
        _cleanup_json_ json_object *o = NULL;
        const char *ts;
        json_object *v;
        int r;

        if ((r = json_parse_object(text, strlen(text), ACE_JSON_MAX_DEPTH, &o, err)) < 0)
                return ace_error_wrap(err, "runtime-config");
        if ((r = get_str(o, "treeStorePath", &ts, err)) < 0 ||
            (r = get_bool(o, "overlay", false, &pod->overlay, err)) < 0)
                return ace_error_wrap(err, "runtime-config");
        pod->tree_store = ts ? xstrdup(ts) : NULL;
        if (pod->overlay && (!ts || ts[0] != '/'))
                return ace_error_make(err, EINVAL,
                                      "runtime-config: overlay needs an absolute treeStorePath");
        pod->stop_timeout = POD_DEFAULT_STOP_TIMEOUT;
        if ((v = get(o, "stopTimeout"))) {
                int64_t t = json_object_get_int64(v);
                if (!json_object_is_type(v, json_type_int) || t < 0 || t > 86400)
                        return ace_error_make(
                            err, EINVAL, "runtime-config: stopTimeout must be 0..86400 seconds");
                pod->stop_timeout = (unsigned)t;
        }
        pod->log_max_bytes = POD_DEFAULT_LOG_MAX;
        if ((v = get(o, "logMaxBytes"))) {
                int64_t m = json_object_get_int64(v);
                if (!json_object_is_type(v, json_type_int) || m < 1024 || m > (INT64_C(1) << 40))
                        return ace_error_make(err, EINVAL,
                                              "runtime-config: logMaxBytes must be >= 1024");
                pod->log_max_bytes = (size_t)m;
        }
        return 0;
}

/* ---- volumes -----------------------------------------------------------------------------------
 */

static void load_volumes(struct pod *pod, const struct ace_pod_manifest *pm)
{
        pod->n_volumes = pm->volumes.n;
        pod->volumes = xcalloc(pod->n_volumes + 1, sizeof(*pod->volumes));
        for (size_t i = 0; i < pod->n_volumes; i++) {
                const struct ace_volume *av = &pm->volumes.items[i];
                struct pod_volume *v = &pod->volumes[i];

                v->name = xstrdup(av->name);
                v->read_only = av->read_only;
                if (av->kind == ACE_VOLUME_HOST) {
                        v->kind = POD_VOLUME_HOST;
                        v->source = xstrdup(av->source);
                        v->recursive = av->recursive;
                } else {
                        v->kind = POD_VOLUME_EMPTY;
                        v->mode = ace_volume_mode(av);
                        v->uid = av->uid;
                        v->gid = av->gid;
                }
        }
}

static const struct pod_volume *find_volume(const struct pod *pod, const char *name)
{
        for (size_t i = 0; i < pod->n_volumes; i++)
                if (strcmp(pod->volumes[i].name, name) == 0)
                        return &pod->volumes[i];
        return NULL;
}

/* ---- app section ----------------------------------------------------------------------------- */

static void load_event_handlers(const struct ace_app *app, struct pod_app *a)
{
        const struct ace_event_handler *pre = ace_app_event_handler(app, "pre-start");
        const struct ace_event_handler *post = ace_app_event_handler(app, "post-stop");

        a->pre_start = pre ? strv_copy(pre->exec) : NULL;
        a->post_stop = post ? strv_copy(post->exec) : NULL;
}

static int load_app_section(const struct ace_app *app, struct pod *pod, struct pod_app *a,
                            struct ace_error **err)
{
        struct launch_spec *l = &a->launch;
        const char *wd = app->working_directory;

        l->app_name = xstrdup(a->name);
        if (strv_length(app->exec) == 0)
                return ace_error_make(err, EINVAL, "app has no exec");
        l->exec = strv_copy(app->exec);
        for (size_t i = 0; i < app->environment.n; i++)
                l->environment = strv_env_set(l->environment, app->environment.items[i].name,
                                              app->environment.items[i].value);
        l->n_supp_gids = app->supplementary_gids.n;
        l->supp_gids = xcalloc(l->n_supp_gids + 1, sizeof(gid_t));
        for (size_t i = 0; i < l->n_supp_gids; i++)
                l->supp_gids[i] = (gid_t)app->supplementary_gids.items[i];
        load_event_handlers(app, a);
        l->user = xstrdup(app->user && *app->user ? app->user : "0");
        l->group = xstrdup(app->group && *app->group ? app->group : "0");
        l->working_dir = xstrdup(wd && *wd ? wd : "/");
        return pod_isolators_app(&app->isolators, pod, a, err);
}

/* ---- mounts ------------------------------------------------------------------------------------
 */

static bool path_taken(const struct pod_app *a, const char *path)
{
        for (size_t i = 0; i < a->n_mounts; i++)
                if (strcmp(a->mounts[i].path, path) == 0)
                        return true;
        return false;
}

static int add_mount(const struct pod *pod, struct pod_app *a, const char *volume, const char *path,
                     bool read_only, struct ace_error **err)
{
        const struct pod_volume *v = find_volume(pod, volume);

        if (!v)
                return ace_error_make(err, ENOENT, "no volume \"%s\" for %s", volume, path);
        if (path[0] != '/')
                return ace_error_make(err, EINVAL, "mount path \"%s\" is not absolute", path);
        a->mounts = xrealloc(a->mounts, (a->n_mounts + 1) * sizeof(*a->mounts));
        a->mounts[a->n_mounts++] = (struct pod_mount){
            .volume = v,
            .path = xstrdup(path),
            .read_only = v->read_only || read_only,
        };
        return 0;
}

/* Explicit `mounts` of the runtime app win; every mountPoint of the app not already covered at
 * its path is satisfied by the pod volume of the same name (a reified manifest has one). */
static int load_mounts(const struct pod *pod, const struct ace_runtime_app *ra,
                       const struct ace_app *app, struct pod_app *a, struct ace_error **err)
{
        const struct ace_mount_point_list *mps = &app->mount_points;
        int r;

        for (size_t i = 0; i < ra->mounts.n; i++) {
                const struct ace_mount *m = &ra->mounts.items[i];
                bool mp_ro = false;

                if (m->app_volume)
                        return ace_error_make(err, ENOTSUP,
                                              "mounts[%zu]: appVolume is not supported", i);
                for (size_t j = 0; j < mps->n; j++)
                        if (strcmp(mps->items[j].path, m->path) == 0)
                                mp_ro = mps->items[j].read_only;
                if (path_taken(a, m->path))
                        return ace_error_make(err, EINVAL, "two mounts at %s", m->path);
                if ((r = add_mount(pod, a, m->volume, m->path, mp_ro, err)) < 0)
                        return r;
        }
        for (size_t j = 0; j < mps->n; j++) {
                const struct ace_mount_point *mp = &mps->items[j];

                if (path_taken(a, mp->path))
                        continue;
                if (!find_volume(pod, mp->name))
                        return ace_error_make(
                            err, ENOENT, "mount point \"%s\" (%s) has no volume (pod not reified)",
                            mp->name, mp->path);
                if ((r = add_mount(pod, a, mp->name, mp->path, mp->read_only, err)) < 0)
                        return r;
        }
        return 0;
}

/* ---- apps ---------------------------------------------------------------------------------------
 */

static int load_app(struct pod *pod, const struct ace_runtime_app *ra, const char *image_manifest,
                    const char *tree_id, struct pod_app *a, struct ace_error **err)
{
        _cleanup_image_manifest_ struct ace_image_manifest *im = NULL;
        const struct ace_app *app = ra->app;
        int r;

        a->name = xstrdup(ra->name);
        a->image_id = xstrdup(ra->image.id);
        a->tree_id = tree_id ? xstrdup(tree_id) : NULL;
        a->read_only_rootfs = ra->read_only_root_fs;
        /* The pod manifest's app section replaces the image's (appc pods.md). */
        if (!app && image_manifest) {
                if ((r = ace_image_manifest_parse(image_manifest, strlen(image_manifest), &im,
                                                  err)) < 0)
                        return ace_error_wrap(err, "image manifest");
                app = im->app;
        }
        if (!app)
                return ace_error_make(err, EINVAL, "neither the pod nor the image defines an app");
        if ((r = load_app_section(app, pod, a, err)) < 0 ||
            (r = load_mounts(pod, ra, app, a, err)) < 0)
                return r;
        return 0;
}

static int load_manifest(const char *runtime_config, const struct ace_pod_manifest *pm,
                         const char *const *image_manifests, const char *const *tree_ids, size_t n,
                         struct pod **ret, struct ace_error **err)
{
        _cleanup_(pod_freep) struct pod *pod = xcalloc(1, sizeof(*pod));
        int r;

        if ((r = load_runtime_config(pod, runtime_config, err)) < 0)
                return r;
        load_volumes(pod, pm);
        pod->n_apps = pm->apps.n;
        if (pod->n_apps == 0)
                return ace_error_make(err, EINVAL, "pod manifest has no apps");
        if (pod->n_apps != n)
                return ace_error_make(err, EINVAL, "pod manifest has %zu apps, %zu app infos",
                                      pod->n_apps, n);
        if ((r = pod_isolators_pod(&pm->isolators, pod, err)) < 0)
                return ace_error_wrap(err, "pod manifest: isolators");
        pod->apps = xcalloc(pod->n_apps, sizeof(*pod->apps));
        for (size_t i = 0; i < pod->n_apps; i++) {
                struct pod_app *a = &pod->apps[i];
                r = load_app(pod, &pm->apps.items[i], image_manifests[i], tree_ids[i], a, err);
                if (r < 0)
                        return ace_error_wrap(err, "pod manifest: app %s", pm->apps.items[i].name);
        }
        *ret = TAKE_PTR(pod);
        return 0;
}

static int parse_pod_manifest(const char *text, struct ace_pod_manifest **ret,
                              struct ace_error **err)
{
        if (ace_pod_manifest_parse(text, strlen(text), ret, err) < 0)
                return ace_error_wrap(err, "pod manifest");
        return 0;
}

int pod_load_texts(const char *runtime_config, const char *pod_manifest,
                   const char *const *image_manifests, const char *const *tree_ids, size_t n,
                   struct pod **ret, struct ace_error **err)
{
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = NULL;
        int r;

        if ((r = parse_pod_manifest(pod_manifest, &pm, err)) < 0)
                return r;
        return load_manifest(runtime_config, pm, image_manifests, tree_ids, n, ret, err);
}

/* ---- reading the pod directory ----------------------------------------------------------------
 */

static int read_at(int dirfd, const char *path, bool optional, char **ret, struct ace_error **err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        *ret = NULL;
        if (fd < 0) {
                if (optional && errno == ENOENT)
                        return 0;
                return ace_error_errno(err, errno, "open %s", path);
        }
        for (;;) {
                buf = xgrow(buf, &cap, len + 4097, 1);
                ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf + len, cap - len - 1));
                if (n < 0)
                        return ace_error_errno(err, errno, "read %s", path);
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > POD_FILE_MAX)
                        return ace_error_make(err, EFBIG, "%s is too large", path);
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

int pod_load(int podfd, const char *uuid, struct pod **ret, struct ace_error **err)
{
        _cleanup_free_ char *rc = NULL, *text = NULL;
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = NULL;
        _cleanup_strv_free_ char **manifests = NULL, **trees = NULL;
        size_t n;
        int r;

        if ((r = read_at(podfd, "runtime-config", false, &rc, err)) < 0 ||
            (r = read_at(podfd, "pod", false, &text, err)) < 0 ||
            (r = parse_pod_manifest(text, &pm, err)) < 0)
                return r;
        /* App names are AC Names (checked by the schema): safe as path components. */
        n = pm->apps.n;
        manifests = xcalloc(n + 1, sizeof(char *));
        trees = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                const char *name = pm->apps.items[i].name;
                _cleanup_free_ char *mpath = xasprintf("appsinfo/%s/manifest", name);
                _cleanup_free_ char *tpath = xasprintf("appsinfo/%s/treeStoreID", name);
                if ((r = read_at(podfd, mpath, true, &manifests[i], err)) < 0 ||
                    (r = read_at(podfd, tpath, true, &trees[i], err)) < 0)
                        return r;
                if (trees[i])
                        trees[i][strcspn(trees[i], "\n")] = 0;
        }
        r = load_manifest(rc, pm, (const char *const *)manifests, (const char *const *)trees, n,
                          ret, err);
        /* The vectors may have holes (optional files): free by index, not up to the first NULL. */
        for (size_t i = 0; i < n; i++) {
                free(manifests[i]);
                free(trees[i]);
                manifests[i] = trees[i] = NULL;
        }
        if (r < 0)
                return r;
        (*ret)->uuid = xstrdup(uuid);
        return 0;
}
