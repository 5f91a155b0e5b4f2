/*
 * pod_info.c - reading a pod's status from its directory, and rkt's v1 JSON Pod object
 * (see pod_info.h). All reads are relative to the pod directory fd.
 */
#include "stage0/pod_info.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"

static void app_info_done(struct pod_app_info *a)
{
        free(a->name);
        free(a->image_id);
        free(a->image_name);
        for (size_t i = 0; i < a->n_mounts; i++) {
                free(a->mounts[i].name);
                free(a->mounts[i].container_path);
                free(a->mounts[i].host_path);
        }
        free(a->mounts);
        ace_kv_list_clear(&a->user_annotations);
        ace_kv_list_clear(&a->user_labels);
}

void pod_info_done(struct pod_info *info)
{
        for (size_t i = 0; i < info->n_apps; i++)
                app_info_done(&info->apps[i]);
        free(info->apps);
        ace_kv_list_clear(&info->user_annotations);
        ace_kv_list_clear(&info->user_labels);
        json_object_put(info->networks);
        strv_free(info->isolators_unenforced);
        *info = (struct pod_info){0};
}

/* App state of an immutable pod follows the pod (rkt lib/app.go appStateFromPod). */
static const char *app_state_from_pod(enum pod_state s)
{
        switch (s) {
        case POD_STATE_PREPARED:
                return "created";
        case POD_STATE_RUNNING:
                return "running";
        case POD_STATE_EXITED:
        case POD_STATE_EXITED_DELETING:
        case POD_STATE_EXITED_GARBAGE:
        case POD_STATE_DELETING:
        case POD_STATE_GARBAGE:
                return "exited";
        default:
                return "unknown";
        }
}

static bool mtime_at(int dirfd, const char *path, struct timespec *ret)
{
        struct stat st;
        if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        *ret = st.st_mtim;
        return true;
}

/* "name[:version]" from appsinfo/<app>/manifest. */
static char *image_name_of(struct pod *pod, const char *app)
{
        _cleanup_free_ char *path = xasprintf("appsinfo/%s/manifest", app), *buf = NULL;
        struct ace_image_manifest *m = NULL;
        size_t len;
        char *name;

        if (pod_read_file(pod, path, &buf, &len, NULL) < 0 ||
            ace_image_manifest_parse(buf, len, &m, NULL) < 0)
                return NULL;
        const char *version = ace_image_manifest_label(m, "version");
        name = version ? xasprintf("%s:%s", m->name, version) : xstrdup(m->name);
        ace_image_manifest_free(m);
        return name;
}

static void read_exit(struct pod *pod, struct pod_app_info *a)
{
        _cleanup_free_ char *path = xasprintf("appsinfo/%s/exit", a->name), *buf = NULL;
        char *end;
        long v;

        if (pod_read_file(pod, path, &buf, NULL, NULL) < 0)
                return;
        v = strtol(buf, &end, 10);
        if (end == buf || v < 0 || v > 255)
                return;
        a->has_exit = true;
        a->exit_code = (int)v;
        a->state = "exited";
        (void)mtime_at(pod->fd, path, &a->finished);
}

static void fill_mounts(struct pod_app_info *a, const struct ace_runtime_app *ra,
                        const struct ace_pod_manifest *pm)
{
        a->mounts = xcalloc(ra->mounts.n ? ra->mounts.n : 1, sizeof(*a->mounts));
        for (size_t i = 0; i < ra->mounts.n; i++) {
                const struct ace_mount *m = &ra->mounts.items[i];
                const struct ace_volume *v =
                    m->app_volume ? m->app_volume : ace_pod_manifest_volume(pm, m->volume);
                struct pod_mount_info *mi = &a->mounts[a->n_mounts++];
                mi->name = xstrdup(m->volume);
                mi->container_path = xstrdup(m->path);
                mi->host_path = xstrdup(v && v->source ? v->source : "");
                mi->read_only = v ? v->read_only : false;
        }
}

static void fill_app(struct pod *pod, struct pod_info *info, struct pod_app_info *a,
                     const struct ace_runtime_app *ra, const struct ace_pod_manifest *pm)
{
        _cleanup_free_ char *started = xasprintf("appsinfo/%s/started", ra->name);

        a->name = xstrdup(ra->name);
        a->image_id = xstrdup(ra->image.id ? ra->image.id : "");
        a->image_name = image_name_of(pod, ra->name);
        a->state = app_state_from_pod(info->state);
        a->has_started = mtime_at(pod->fd, started, &a->started);
        if (!a->has_started && info->has_started) {
                a->has_started = true;
                a->started = info->started;
        }
        if (ra->app) {
                ace_kv_list_copy(&a->user_annotations, &ra->app->user_annotations);
                ace_kv_list_copy(&a->user_labels, &ra->app->user_labels);
        }
        fill_mounts(a, ra, pm);
        read_exit(pod, a);
}

static void read_networks(struct pod *pod, struct pod_info *info)
{
        _cleanup_free_ char *buf = NULL;
        struct json_object *o = NULL;
        size_t len;

        if (pod_read_file(pod, "net-info.json", &buf, &len, NULL) < 0)
                return;
        if (json_parse_text(buf, len, ACE_JSON_MAX_DEPTH, &o, NULL) < 0)
                return;
        if (json_object_is_type(o, json_type_array))
                info->networks = o;
        else
                json_object_put(o);
}

/* Written by stage1 before the apps start (Documentation/stage1-abi.md). */
static void read_unenforced(struct pod *pod, struct pod_info *info)
{
        _cleanup_free_ char *buf = NULL;

        if (pod_read_file(pod, "isolators-unenforced", &buf, NULL, NULL) < 0)
                return;
        info->isolators_unenforced = strv_split(buf, "\n", false);
}

int pod_info_load(struct pod *pod, struct pod_info *ret, struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = NULL;
        struct pod_info info = {0};
        size_t len;
        int r;

        memcpy(info.uuid, pod->uuid, sizeof(info.uuid));
        info.state = pod->state;
        info.has_created = pod_created_time(pod, &info.created) == 0;
        info.has_started = pod_started_time(pod, &info.started) == 0;
        info.has_pid = pod_read_pid(pod, &info.pid, NULL) == 0;
        read_networks(pod, &info);
        read_unenforced(pod, &info);
        *ret = info;
        if (faccessat(pod->fd, "pod", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        r = pod_read_file(pod, "pod", &buf, &len, err);
        if (r >= 0)
                r = ace_pod_manifest_parse(buf, len, &pm, err);
        if (r < 0)
                return ace_error_wrap(err, "unable to read pod %s manifest", pod->uuid);
        ret->has_manifest = true;
        ret->apps = xcalloc(pm->apps.n ? pm->apps.n : 1, sizeof(*ret->apps));
        for (size_t i = 0; i < pm->apps.n; i++)
                fill_app(pod, ret, &ret->apps[ret->n_apps++], &pm->apps.items[i], pm);
        ace_kv_list_copy(&ret->user_annotations, &pm->user_annotations);
        ace_kv_list_copy(&ret->user_labels, &pm->user_labels);
        return 0;
}

static int64_t ns_of(const struct timespec *ts)
{
        return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static void add_kv_object(struct json_object *o, const char *key, const struct ace_kv_list *l)
{
        if (l->n)
                json_object_object_add(o, key, ace_kv_emit_object(l, true));
}

static struct json_object *app_to_json(const struct pod_info *info, const struct pod_app_info *a)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(a->name));
        json_object_object_add(o, "state", json_object_new_string(a->state));
        if (info->has_created)
                json_object_object_add(o, "created_at",
                                       json_object_new_int64(ns_of(&info->created)));
        if (a->has_started)
                json_object_object_add(o, "started_at", json_object_new_int64(ns_of(&a->started)));
        if (a->has_exit) {
                json_object_object_add(o, "finished_at",
                                       json_object_new_int64(ns_of(&a->finished)));
                json_object_object_add(o, "exit_code", json_object_new_int(a->exit_code));
        }
        json_object_object_add(o, "image_id", json_object_new_string(a->image_id));
        if (a->n_mounts) {
                struct json_object *arr = json_object_new_array();
                for (size_t i = 0; i < a->n_mounts; i++) {
                        struct json_object *m = json_object_new_object();
                        json_object_object_add(m, "name",
                                               json_object_new_string(a->mounts[i].name));
                        json_object_object_add(m, "container_path",
                                               json_object_new_string(a->mounts[i].container_path));
                        json_object_object_add(m, "host_path",
                                               json_object_new_string(a->mounts[i].host_path));
                        json_object_object_add(m, "read_only",
                                               json_object_new_boolean(a->mounts[i].read_only));
                        json_object_array_add(arr, m);
                }
                json_object_object_add(o, "mounts", arr);
        }
        add_kv_object(o, "user_annotations", &a->user_annotations);
        add_kv_object(o, "user_labels", &a->user_labels);
        return o;
}

struct json_object *pod_info_unenforced_to_json(const char *line)
{
        const char *sp = strchr(line, ' '), *colon = sp ? strstr(sp, ": ") : NULL;
        _cleanup_free_ char *scope = NULL;
        struct json_object *o;

        if (!sp || !colon || sp == line)
                return NULL;
        scope = strndup(sp + 1, (size_t)(colon - sp - 1));
        if (!scope)
                return NULL;
        o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string_len(line, (int)(sp - line)));
        if (strncmp(scope, "app=", 4) == 0) {
                json_object_object_add(o, "scope", json_object_new_string("app"));
                json_object_object_add(o, "app", json_object_new_string(scope + 4));
        } else {
                json_object_object_add(o, "scope", json_object_new_string(scope));
        }
        json_object_object_add(o, "reason", json_object_new_string(colon + 2));
        return o;
}

static void add_unenforced(struct json_object *o, char *const *lines)
{
        struct json_object *a;

        if (!lines)
                return;
        a = json_object_new_array();
        for (; *lines; lines++) {
                struct json_object *e = pod_info_unenforced_to_json(*lines);
                if (e)
                        json_object_array_add(a, e);
        }
        json_object_object_add(o, "isolators_unenforced", a);
}

struct json_object *pod_info_to_json(const struct pod_info *info)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(info->uuid));
        json_object_object_add(o, "state",
                               json_object_new_string(pod_state_to_string(info->state)));
        if (info->networks && json_object_array_length(info->networks))
                json_object_object_add(o, "networks", json_object_get(info->networks));
        if (info->n_apps) {
                struct json_object *names = json_object_new_array(),
                                   *apps = json_object_new_array();
                for (size_t i = 0; i < info->n_apps; i++) {
                        json_object_array_add(names, json_object_new_string(info->apps[i].name));
                        json_object_array_add(apps, app_to_json(info, &info->apps[i]));
                }
                json_object_object_add(o, "app_names", names);
                json_object_object_add(o, "apps", apps);
        }
        if (info->has_created)
                json_object_object_add(o, "created_at",
                                       json_object_new_int64(info->created.tv_sec));
        if (info->has_started)
                json_object_object_add(o, "started_at",
                                       json_object_new_int64(info->started.tv_sec));
        add_kv_object(o, "user_annotations", &info->user_annotations);
        add_kv_object(o, "user_labels", &info->user_labels);
        add_unenforced(o, info->isolators_unenforced);
        return o;
}

char *pod_info_networks_string(const struct pod_info *info)
{
        char *s = xstrdup("");

        for (size_t i = 0; info->networks && i < json_object_array_length(info->networks); i++) {
                struct json_object *n = json_object_array_get_idx(info->networks, i), *name, *ip;
                char *next;
                if (!json_object_object_get_ex(n, "netName", &name) ||
                    !json_object_object_get_ex(n, "ip", &ip))
                        continue;
                next = xasprintf("%s%s%s:ip4=%s", s, *s ? ", " : "", json_object_get_string(name),
                                 json_object_get_string(ip));
                free(s);
                s = next;
        }
        return s;
}
