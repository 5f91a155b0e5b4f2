/*
 * pod.c - load the pod directory into struct pod (pod.h).
 *
 * The pod manifest is reified by stage0 (schema validates it there); stage1 still checks every
 * field it uses, because a hand-edited or corrupted pod dir must fail with a clear message, not
 * run something unexpected. Isolators that stage1 does not enforce yet are reported (appc: an
 * executor MUST tell the user which isolators it ignored).
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
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define POD_FILE_MAX (4u << 20)

static void json_putp(json_object **o)
{
        json_object_put(*o);
        *o = NULL;
}
#define _cleanup_json_ _cleanup_(json_putp)

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

/* ---- small typed getters ------------------------------------------------------------------- */

static json_object *get(json_object *o, const char *key)
{
        json_object *v = NULL;

        if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

static int get_str(json_object *o, const char *key, bool required, const char **ret,
                   struct ace_error **err)
{
        json_object *v = get(o, key);

        *ret = NULL;
        if (!v)
                return required ? ace_error_make(err, EINVAL, "missing \"%s\"", key) : 0;
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

static int get_array(json_object *o, const char *key, json_object **ret, struct ace_error **err)
{
        json_object *v = get(o, key);

        *ret = v;
        if (v && !json_object_is_type(v, json_type_array))
                return ace_error_make(err, EINVAL, "\"%s\" must be an array", key);
        return 0;
}

static int get_strv(json_object *o, const char *key, char ***ret, struct ace_error **err)
{
        json_object *a;
        char **v = NULL;
        int r;

        *ret = NULL;
        if ((r = get_array(o, key, &a, err)) < 0 || !a)
                return r;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *s = json_object_array_get_idx(a, i);
                if (!json_object_is_type(s, json_type_string)) {
                        strv_free(v);
                        return ace_error_make(err, EINVAL, "\"%s\"[%zu] must be a string", key, i);
                }
                v = strv_push(v, json_object_get_string(s));
        }
        *ret = v;
        return 0;
}

static int parse_text(const char *text, const char *what, json_object **ret,
                      struct ace_error **err)
{
        enum json_tokener_error jerr;
        json_object *o = json_tokener_parse_verbose(text, &jerr);

        if (!o)
                return ace_error_make(err, EINVAL, "%s: %s", what, json_tokener_error_desc(jerr));
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return ace_error_make(err, EINVAL, "%s: not a JSON object", what);
        }
        *ret = o;
        return 0;
}

/* ---- runtime-config ------------------------------------------------------------------------ */

static int load_runtime_config(struct pod *pod, const char *text, struct ace_error **err)
{
        _cleanup_json_ json_object *o = NULL;
        const char *ts;
        json_object *v;
        int r;

        if ((r = parse_text(text, "runtime-config", &o, err)) < 0)
                return r;
        if ((r = get_str(o, "treeStorePath", false, &ts, err)) < 0 ||
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
                        return ace_error_make(err, EINVAL,
                                              "runtime-config: stopTimeout must be 0..86400 seconds");
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

static bool valid_ac_name(const char *s)
{
        /* AC Name: [a-z0-9]+([-][a-z0-9]+)* -- also what makes it safe as a path component. */
        if (!*s || *s == '-' || s[strlen(s) - 1] == '-' || strlen(s) > 255)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return false;
        return true;
}

/* ---- volumes ----------------------------------------------------------------------------------- */

static int parse_mode(const char *s, mode_t *ret)
{
        char *end;
        unsigned long m;

        errno = 0;
        m = strtoul(s, &end, 8);
        if (errno || *end || end == s || m > 07777)
                return -EINVAL;
        *ret = (mode_t)m;
        return 0;
}

static int parse_uid(json_object *o, const char *key, unsigned *ret, struct ace_error **err)
{
        json_object *v = get(o, key);
        int64_t id;

        *ret = 0;
        if (!v)
                return 0;
        id = json_object_get_int64(v);
        if (!json_object_is_type(v, json_type_int) || id < 0 || id >= UINT32_MAX)
                return ace_error_make(err, EINVAL, "\"%s\" must be an id", key);
        *ret = (unsigned)id;
        return 0;
}

static int load_volume(json_object *o, struct pod_volume *v, struct ace_error **err)
{
        const char *name, *kind, *source, *mode;
        unsigned uid, gid;
        int r;

        if ((r = get_str(o, "name", true, &name, err)) < 0 ||
            (r = get_str(o, "kind", true, &kind, err)) < 0)
                return r;
        v->name = xstrdup(name);
        if (!valid_ac_name(name))
                return ace_error_make(err, EINVAL, "bad volume name \"%s\"", name);
        if ((r = get_bool(o, "readOnly", false, &v->read_only, err)) < 0)
                return r;
        if (strcmp(kind, "host") == 0) {
                v->kind = POD_VOLUME_HOST;
                if ((r = get_str(o, "source", true, &source, err)) < 0 ||
                    (r = get_bool(o, "recursive", true, &v->recursive, err)) < 0)
                        return r;
                if (source[0] != '/')
                        return ace_error_make(err, EINVAL, "source \"%s\" is not absolute", source);
                v->source = xstrdup(source);
        } else if (strcmp(kind, "empty") == 0) {
                v->kind = POD_VOLUME_EMPTY;
                v->mode = 0755;
                if ((r = get_str(o, "mode", false, &mode, err)) < 0)
                        return r;
                if (mode && parse_mode(mode, &v->mode) < 0)
                        return ace_error_make(err, EINVAL, "bad mode \"%s\"", mode);
                if ((r = parse_uid(o, "uid", &uid, err)) < 0 ||
                    (r = parse_uid(o, "gid", &gid, err)) < 0)
                        return r;
                v->uid = uid;
                v->gid = gid;
        } else {
                return ace_error_make(err, EINVAL, "unknown kind \"%s\"", kind);
        }
        return 0;
}

static int load_volumes(struct pod *pod, json_object *manifest, struct ace_error **err)
{
        json_object *a;
        int r;

        if ((r = get_array(manifest, "volumes", &a, err)) < 0 || !a)
                return r;
        pod->n_volumes = json_object_array_length(a);
        pod->volumes = xcalloc(pod->n_volumes + 1, sizeof(*pod->volumes));
        for (size_t i = 0; i < pod->n_volumes; i++) {
                if ((r = load_volume(json_object_array_get_idx(a, i), &pod->volumes[i], err)) < 0)
                        return ace_error_wrap(err, "volumes[%zu]", i);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(pod->volumes[j].name, pod->volumes[i].name) == 0)
                                return ace_error_make(err, EINVAL, "volume \"%s\" defined twice",
                                                      pod->volumes[i].name);
        }
        return 0;
}

static const struct pod_volume *find_volume(const struct pod *pod, const char *name)
{
        for (size_t i = 0; i < pod->n_volumes; i++)
                if (strcmp(pod->volumes[i].name, name) == 0)
                        return &pod->volumes[i];
        return NULL;
}

/* ---- app section ----------------------------------------------------------------------------- */

static int load_env(json_object *app, struct launch_spec *l, struct ace_error **err)
{
        json_object *a;
        int r;

        if ((r = get_array(app, "environment", &a, err)) < 0 || !a)
                return r;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                const char *name, *value;
                if ((r = get_str(e, "name", true, &name, err)) < 0 ||
                    (r = get_str(e, "value", true, &value, err)) < 0)
                        return ace_error_wrap(err, "environment[%zu]", i);
                if (!*name || strchr(name, '='))
                        return ace_error_make(err, EINVAL, "environment[%zu]: bad name \"%s\"", i,
                                              name);
                l->environment = strv_env_set(l->environment, name, value);
        }
        return 0;
}

static int load_gids(json_object *app, struct launch_spec *l, struct ace_error **err)
{
        json_object *a;
        int r;

        if ((r = get_array(app, "supplementaryGIDs", &a, err)) < 0 || !a)
                return r;
        l->n_supp_gids = json_object_array_length(a);
        l->supp_gids = xcalloc(l->n_supp_gids + 1, sizeof(gid_t));
        for (size_t i = 0; i < l->n_supp_gids; i++) {
                json_object *g = json_object_array_get_idx(a, i);
                int64_t gid = json_object_get_int64(g);
                if (!json_object_is_type(g, json_type_int) || gid < 0 || gid >= UINT32_MAX)
                        return ace_error_make(err, EINVAL, "supplementaryGIDs[%zu] is not a gid", i);
                l->supp_gids[i] = (gid_t)gid;
        }
        return 0;
}

static int load_event_handlers(json_object *app, struct pod_app *a, struct ace_error **err)
{
        json_object *hs;
        int r;

        if ((r = get_array(app, "eventHandlers", &hs, err)) < 0 || !hs)
                return r;
        for (size_t i = 0; i < json_object_array_length(hs); i++) {
                json_object *h = json_object_array_get_idx(hs, i);
                const char *name;
                char ***slot, **exec = NULL;
                if ((r = get_str(h, "name", true, &name, err)) < 0 ||
                    (r = get_strv(h, "exec", &exec, err)) < 0)
                        return ace_error_wrap(err, "eventHandlers[%zu]", i);
                if (strcmp(name, "pre-start") == 0)
                        slot = &a->pre_start;
                else if (strcmp(name, "post-stop") == 0)
                        slot = &a->post_stop;
                else {
                        strv_free(exec);
                        return ace_error_make(err, EINVAL, "unknown event handler \"%s\"", name);
                }
                if (*slot || strv_length(exec) == 0) {
                        strv_free(exec);
                        return ace_error_make(err, EINVAL,
                                              "event handler \"%s\" twice or with empty exec", name);
                }
                *slot = exec;
        }
        return 0;
}

static int load_caps_isolator(json_object *value, enum launch_caps_mode mode,
                              struct launch_spec *l, struct ace_error **err)
{
        int r;

        if (l->caps_mode != LAUNCH_CAPS_DEFAULT)
                return ace_error_make(err, EINVAL,
                                      "only one capabilities-retain-set or -remove-set isolator");
        if ((r = get_strv(value, "set", &l->caps_set, err)) < 0)
                return r;
        if (!l->caps_set)
                return ace_error_make(err, EINVAL, "capabilities isolator needs a \"set\"");
        l->caps_mode = mode;
        return 0;
}

/* Applies the isolators stage2 enforces; reports the others once (appc ace.md "Isolators"). */
static int load_isolators(json_object *app, const char *app_name, struct launch_spec *l,
                          struct ace_error **err)
{
        json_object *isos;
        int r;

        if ((r = get_array(app, "isolators", &isos, err)) < 0 || !isos)
                return r;
        for (size_t i = 0; i < json_object_array_length(isos); i++) {
                json_object *iso = json_object_array_get_idx(isos, i), *value = get(iso, "value");
                const char *name;

                if ((r = get_str(iso, "name", true, &name, err)) < 0)
                        return ace_error_wrap(err, "isolators[%zu]", i);
                if (strcmp(name, "os/linux/capabilities-retain-set") == 0) {
                        r = load_caps_isolator(value, LAUNCH_CAPS_RETAIN, l, err);
                } else if (strcmp(name, "os/linux/capabilities-remove-set") == 0) {
                        r = load_caps_isolator(value, LAUNCH_CAPS_REMOVE, l, err);
                } else if (strcmp(name, "os/linux/no-new-privileges") == 0) {
                        if (!value || !json_object_is_type(value, json_type_boolean))
                                r = ace_error_make(err, EINVAL, "value must be a boolean");
                        else
                                l->no_new_privs = json_object_get_boolean(value);
                } else if (strcmp(name, "os/linux/oom-score-adj") == 0) {
                        int64_t adj = value ? json_object_get_int64(value) : 0;
                        if (!value || !json_object_is_type(value, json_type_int) || adj < -1000 ||
                            adj > 1000)
                                r = ace_error_make(err, EINVAL, "value must be in -1000..1000");
                        l->has_oom_score_adj = true;
                        l->oom_score_adj = (int)adj;
                } else {
                        log_warn("app %s: isolator %s is not enforced by this stage1", app_name,
                                 name);
                }
                if (r < 0)
                        return ace_error_wrap(err, "isolator %s", name);
        }
        return 0;
}

static int load_app_section(json_object *app, struct pod_app *a, struct ace_error **err)
{
        struct launch_spec *l = &a->launch;
        const char *user, *group, *wd;
        int r;

        l->app_name = xstrdup(a->name);
        if ((r = get_strv(app, "exec", &l->exec, err)) < 0 ||
            (r = get_str(app, "user", false, &user, err)) < 0 ||
            (r = get_str(app, "group", false, &group, err)) < 0 ||
            (r = get_str(app, "workingDirectory", false, &wd, err)) < 0 ||
            (r = load_env(app, l, err)) < 0 || (r = load_gids(app, l, err)) < 0 ||
            (r = load_event_handlers(app, a, err)) < 0 ||
            (r = load_isolators(app, a->name, l, err)) < 0)
                return r;
        if (strv_length(l->exec) == 0)
                return ace_error_make(err, EINVAL, "app has no exec");
        if (wd && *wd && wd[0] != '/')
                return ace_error_make(err, EINVAL, "workingDirectory \"%s\" is not absolute", wd);
        l->user = xstrdup(user && *user ? user : "0");
        l->group = xstrdup(group && *group ? group : "0");
        l->working_dir = xstrdup(wd && *wd ? wd : "/");
        return 0;
}

/* ---- mounts ------------------------------------------------------------------------------------ */

static bool path_taken(const struct pod_app *a, const char *path)
{
        for (size_t i = 0; i < a->n_mounts; i++)
                if (strcmp(a->mounts[i].path, path) == 0)
                        return true;
        return false;
}

static int add_mount(const struct pod *pod, struct pod_app *a, const char *volume,
                     const char *path, bool read_only, struct ace_error **err)
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
static int load_mounts(const struct pod *pod, json_object *ra, json_object *app,
                       struct pod_app *a, struct ace_error **err)
{
        json_object *mounts, *mps;
        int r;

        if ((r = get_array(ra, "mounts", &mounts, err)) < 0 ||
            (r = get_array(app, "mountPoints", &mps, err)) < 0)
                return r;
        for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                const char *vol, *path;
                bool mp_ro = false;
                if ((r = get_str(m, "volume", true, &vol, err)) < 0 ||
                    (r = get_str(m, "path", true, &path, err)) < 0)
                        return ace_error_wrap(err, "mounts[%zu]", i);
                if (get(m, "appVolume"))
                        return ace_error_make(err, ENOTSUP, "mounts[%zu]: appVolume is not supported",
                                              i);
                for (size_t j = 0; mps && j < json_object_array_length(mps); j++) {
                        json_object *mp = json_object_array_get_idx(mps, j);
                        const char *p = NULL;
                        bool ro = false;
                        if (get_str(mp, "path", false, &p, NULL) == 0 && p && strcmp(p, path) == 0 &&
                            get_bool(mp, "readOnly", false, &ro, NULL) == 0)
                                mp_ro = ro;
                }
                if (path_taken(a, path))
                        return ace_error_make(err, EINVAL, "two mounts at %s", path);
                if ((r = add_mount(pod, a, vol, path, mp_ro, err)) < 0)
                        return r;
        }
        for (size_t j = 0; mps && j < json_object_array_length(mps); j++) {
                json_object *mp = json_object_array_get_idx(mps, j);
                const char *name, *path;
                bool ro;
                if ((r = get_str(mp, "name", true, &name, err)) < 0 ||
                    (r = get_str(mp, "path", true, &path, err)) < 0 ||
                    (r = get_bool(mp, "readOnly", false, &ro, err)) < 0)
                        return ace_error_wrap(err, "mountPoints[%zu]", j);
                if (path_taken(a, path))
                        continue;
                if (!find_volume(pod, name))
                        return ace_error_make(err, ENOENT,
                                              "mount point \"%s\" (%s) has no volume (pod not reified)",
                                              name, path);
                if ((r = add_mount(pod, a, name, path, ro, err)) < 0)
                        return r;
        }
        return 0;
}

/* ---- apps --------------------------------------------------------------------------------------- */

static int load_app(struct pod *pod, json_object *ra, const char *image_manifest,
                    const char *tree_id, struct pod_app *a, struct ace_error **err)
{
        _cleanup_json_ json_object *im = NULL;
        json_object *image, *app;
        const char *name, *id;
        int r;

        if ((r = get_str(ra, "name", true, &name, err)) < 0)
                return r;
        a->name = xstrdup(name);
        image = get(ra, "image");
        if ((r = get_str(image, "id", true, &id, err)) < 0)
                return ace_error_wrap(err, "image");
        a->image_id = xstrdup(id);
        a->tree_id = tree_id ? xstrdup(tree_id) : NULL;
        if ((r = get_bool(ra, "readOnlyRootFS", false, &a->read_only_rootfs, err)) < 0)
                return r;
        /* The pod manifest's app section replaces the image's (appc pods.md). */
        app = get(ra, "app");
        if (!app && image_manifest) {
                if ((r = parse_text(image_manifest, "image manifest", &im, err)) < 0)
                        return r;
                app = get(im, "app");
        }
        if (!app)
                return ace_error_make(err, EINVAL, "neither the pod nor the image defines an app");
        if ((r = load_app_section(app, a, err)) < 0 || (r = load_mounts(pod, ra, app, a, err)) < 0)
                return r;
        return 0;
}

int pod_load_texts(const char *runtime_config, const char *pod_manifest,
                   const char *const *image_manifests, const char *const *tree_ids, size_t n,
                   struct pod **ret, struct ace_error **err)
{
        _cleanup_(pod_freep) struct pod *pod = xcalloc(1, sizeof(*pod));
        _cleanup_json_ json_object *pm = NULL;
        json_object *apps;
        int r;

        if ((r = load_runtime_config(pod, runtime_config, err)) < 0 ||
            (r = parse_text(pod_manifest, "pod manifest", &pm, err)) < 0)
                return r;
        if ((r = load_volumes(pod, pm, err)) < 0 || (r = get_array(pm, "apps", &apps, err)) < 0)
                return ace_error_wrap(err, "pod manifest");
        pod->n_apps = apps ? json_object_array_length(apps) : 0;
        if (pod->n_apps == 0)
                return ace_error_make(err, EINVAL, "pod manifest has no apps");
        if (pod->n_apps != n)
                return ace_error_make(err, EINVAL, "pod manifest has %zu apps, %zu app infos",
                                      pod->n_apps, n);
        pod->apps = xcalloc(pod->n_apps, sizeof(*pod->apps));
        for (size_t i = 0; i < pod->n_apps; i++) {
                struct pod_app *a = &pod->apps[i];
                r = load_app(pod, json_object_array_get_idx(apps, i), image_manifests[i],
                             tree_ids[i], a, err);
                if (r < 0)
                        return ace_error_wrap(err, "pod manifest: app %s",
                                              a->name ? a->name : "?");
                if (!valid_ac_name(a->name))
                        return ace_error_make(err, EINVAL, "bad app name \"%s\"", a->name);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(pod->apps[j].name, a->name) == 0)
                                return ace_error_make(err, EINVAL, "app name \"%s\" used twice",
                                                      a->name);
        }
        *ret = TAKE_PTR(pod);
        return 0;
}

/* ---- reading the pod directory ---------------------------------------------------------------- */

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

/* The names of the apps, in manifest order, without trusting anything but the JSON. */
static int app_names(const char *pod_manifest, char ***ret, struct ace_error **err)
{
        _cleanup_json_ json_object *pm = NULL;
        json_object *apps;
        char **names = NULL;
        int r;

        if ((r = parse_text(pod_manifest, "pod manifest", &pm, err)) < 0 ||
            (r = get_array(pm, "apps", &apps, err)) < 0)
                return r;
        for (size_t i = 0; apps && i < json_object_array_length(apps); i++) {
                const char *name;
                if ((r = get_str(json_object_array_get_idx(apps, i), "name", true, &name, err)) < 0) {
                        strv_free(names);
                        return ace_error_wrap(err, "pod manifest: apps[%zu]", i);
                }
                if (!valid_ac_name(name)) {
                        strv_free(names);
                        return ace_error_make(err, EINVAL, "pod manifest: bad app name \"%s\"", name);
                }
                names = strv_push(names, name);
        }
        *ret = names;
        return 0;
}

int pod_load(int podfd, const char *uuid, struct pod **ret, struct ace_error **err)
{
        _cleanup_free_ char *rc = NULL, *pm = NULL;
        _cleanup_strv_free_ char **names = NULL, **manifests = NULL, **trees = NULL;
        size_t n;
        int r;

        if ((r = read_at(podfd, "runtime-config", false, &rc, err)) < 0 ||
            (r = read_at(podfd, "pod", false, &pm, err)) < 0 ||
            (r = app_names(pm, &names, err)) < 0)
                return r;
        n = strv_length(names);
        manifests = xcalloc(n + 1, sizeof(char *));
        trees = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *mpath = xasprintf("appsinfo/%s/manifest", names[i]);
                _cleanup_free_ char *tpath = xasprintf("appsinfo/%s/treeStoreID", names[i]);
                if ((r = read_at(podfd, mpath, true, &manifests[i], err)) < 0 ||
                    (r = read_at(podfd, tpath, true, &trees[i], err)) < 0)
                        return r;
                if (trees[i])
                        trees[i][strcspn(trees[i], "\n")] = 0;
        }
        /* Fill the vectors' holes so strv_free stops at the end, not at a missing manifest. */
        r = pod_load_texts(rc, pm, (const char *const *)manifests, (const char *const *)trees, n,
                           ret, err);
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
