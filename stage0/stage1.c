/*
 * stage1.c - invoking a pod's stage1 entrypoints (see stage1.h and
 * Documentation/stage1-abi.md).
 */
#include "stage0/stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/proc.h"
#include "common/strv.h"
#include "common/xalloc.h"

static const char *const entry_names[STAGE1_ENTRYPOINT_MAX] = {
    [STAGE1_RUN] = "run",
    [STAGE1_ENTER] = "enter",
    [STAGE1_GC] = "gc",
    [STAGE1_STOP] = "stop",
};

void stage1_info_free(struct stage1_info *s)
{
        free(s->rootfs);
        for (int i = 0; i < STAGE1_ENTRYPOINT_MAX; i++)
                free(s->entrypoints[i]);
        *s = (struct stage1_info){0};
}

static struct json_object *parse_json(const char *json, size_t len, const char *what,
                                      struct ace_error **err)
{
        struct json_tokener *tok = json_tokener_new();
        struct json_object *o = json_tokener_parse_ex(tok, json, (int)len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);

        json_tokener_free(tok);
        if (!o || jerr != json_tokener_success || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                ace_error_make(err, EINVAL, "%s is not a JSON object", what);
                return NULL;
        }
        return o;
}

int stage1_info_parse_manifest(const char *json, size_t len, struct stage1_info *ret,
                               struct ace_error **err)
{
        struct json_object *m = parse_json(json, len, "stage1 image manifest", err), *anns;
        const size_t plen = strlen(STAGE1_ANNOTATION_PREFIX);

        if (!m)
                return -EINVAL;
        ret->interface_version = 1;
        if (json_object_object_get_ex(m, "annotations", &anns) &&
            json_object_is_type(anns, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(anns); i++) {
                        struct json_object *a = json_object_array_get_idx(anns, i), *n, *v;
                        const char *name, *value;
                        if (!json_object_object_get_ex(a, "name", &n) ||
                            !json_object_object_get_ex(a, "value", &v))
                                continue;
                        name = json_object_get_string(n);
                        value = json_object_get_string(v);
                        if (!name || !value || strncmp(name, STAGE1_ANNOTATION_PREFIX, plen) != 0)
                                continue;
                        name += plen;
                        if (strcmp(name, "interface-version") == 0) {
                                ret->interface_version = atoi(value);
                                continue;
                        }
                        for (int e = 0; e < STAGE1_ENTRYPOINT_MAX; e++)
                                if (strcmp(name, entry_names[e]) == 0) {
                                        free(ret->entrypoints[e]);
                                        ret->entrypoints[e] = xstrdup(value);
                                }
                }
        }
        json_object_put(m);
        return 0;
}

int stage1_read_runtime_config(struct pod *pod, char **ret_tree_path, bool *ret_overlay,
                               struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        struct json_object *c, *v;
        size_t len;
        int r;

        r = pod_read_file(pod, "runtime-config", &buf, &len, err);
        if (r < 0)
                return r;
        c = parse_json(buf, len, "runtime-config", err);
        if (!c)
                return -EINVAL;
        *ret_overlay = json_object_object_get_ex(c, "overlay", &v) && json_object_get_boolean(v);
        if (json_object_object_get_ex(c, "treeStorePath", &v) && json_object_get_string(v))
                *ret_tree_path = xstrdup(json_object_get_string(v));
        json_object_put(c);
        if (*ret_overlay && !*ret_tree_path)
                return ace_error_make(err, EINVAL, "runtime-config of pod %s lacks treeStorePath",
                                      pod->uuid);
        return 0;
}

int stage1_info_load(struct pod *pod, struct stage1_info *ret, struct ace_error **err)
{
        _cleanup_free_ char *manifest = NULL, *tree_path = NULL, *tree_id = NULL;
        _cleanup_free_ char *path = NULL;
        struct stage1_info s = {0};
        bool overlay = false;
        size_t len;
        int r;

        if (faccessat(pod->fd, "stage1/manifest", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_make(err, ENOENT, "pod %s has no stage1", pod->uuid);
        r = pod_read_file(pod, "stage1/manifest", &manifest, &len, err);
        if (r < 0)
                return r;
        r = stage1_info_parse_manifest(manifest, len, &s, err);
        if (r < 0)
                return ace_error_wrap(err, "pod %s", pod->uuid);
        r = stage1_read_runtime_config(pod, &tree_path, &overlay, err);
        if (r < 0)
                goto fail;
        path = pod_path(pod);
        if (overlay) {
                r = pod_read_file(pod, "stage1TreeStoreID", &tree_id, NULL, err);
                if (r < 0)
                        goto fail;
                tree_id[strcspn(tree_id, "\n")] = '\0';
                if (strchr(tree_id, '/') || !*tree_id || tree_id[0] == '.') {
                        r = ace_error_make(err, EINVAL, "invalid stage1TreeStoreID in pod %s",
                                           pod->uuid);
                        goto fail;
                }
                s.rootfs = xasprintf("%s/%s/rootfs", tree_path, tree_id);
        } else {
                s.rootfs = xasprintf("%s/stage1/rootfs", path);
        }
        *ret = s;
        return 0;
fail:
        stage1_info_free(&s);
        return r;
}

int stage1_entrypoint_path(const struct stage1_info *s, enum stage1_entrypoint e, char **ret,
                           struct ace_error **err)
{
        const char *ep = s->entrypoints[e];

        if (!ep || ep[0] != '/' || strstr(ep, ".."))
                return ace_error_make(err, ENOTSUP,
                                      "entrypoint \"%s\" not implemented for pod's "
                                      "stage1",
                                      entry_names[e]);
        *ret = xasprintf("%s%s", s->rootfs, ep);
        return 0;
}

static int spawn_wait(struct pod *pod, char **argv, const char *what, struct ace_error **err)
{
        _cleanup_free_ char *cwd = pod_path(pod);
        struct proc_spawn_opts o;
        struct proc_status st;
        pid_t pid;
        int r;

        proc_spawn_opts_init(&o, argv);
        o.cwd = cwd;
        r = proc_spawn(&o, &pid, err);
        if (r < 0)
                return ace_error_wrap(err, "running stage1 %s of pod %s", what, pod->uuid);
        r = proc_wait(pid, &st, err);
        if (r < 0)
                return r;
        if (st.kind != PROC_EXITED || st.code != 0) {
                _cleanup_free_ char *d = proc_status_describe(&st);
                return ace_error_make(err, EIO, "stage1 %s of pod %s %s", what, pod->uuid, d);
        }
        return 0;
}

int stage1_run_gc(struct pod *pod, const struct stage1_info *s, bool debug,
                  const char *local_config, struct ace_error **err)
{
        _cleanup_strv_free_ char **argv = NULL;
        char *ep = NULL;
        int r;

        r = stage1_entrypoint_path(s, STAGE1_GC, &ep, err);
        if (r < 0)
                return r;
        argv = strv_push_take(NULL, ep);
        if (debug)
                argv = strv_push(argv, "--debug");
        if (local_config && s->interface_version >= 5)
                argv = strv_push_take(argv, xasprintf("--local-config=%s", local_config));
        argv = strv_push(argv, pod->uuid);
        return spawn_wait(pod, argv, "gc", err);
}

int stage1_run_stop(struct pod *pod, const struct stage1_info *s, bool force,
                    struct ace_error **err)
{
        _cleanup_strv_free_ char **argv = NULL;
        char *ep = NULL;
        int r;

        r = stage1_entrypoint_path(s, STAGE1_STOP, &ep, err);
        if (r < 0)
                return r;
        argv = strv_push_take(NULL, ep);
        if (force)
                argv = strv_push(argv, "--force");
        argv = strv_push(argv, pod->uuid);
        return spawn_wait(pod, argv, "stop", err);
}

int stage1_exec_enter(struct pod *pod, const struct stage1_info *s, pid_t pid, const char *app,
                      char *const *cmd, struct ace_error **err)
{
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *cwd = pod_path(pod);
        char *ep = NULL;
        int r;

        r = stage1_entrypoint_path(s, STAGE1_ENTER, &ep, err);
        if (r < 0)
                return r;
        argv = strv_push_take(NULL, ep);
        argv = strv_push_take(argv, xasprintf("--pid=%d", (int)pid));
        argv = strv_push_take(argv, xasprintf("--appname=%s", app));
        argv = strv_push(argv, "--");
        for (char *const *c = cmd; c && *c; c++)
                argv = strv_push(argv, *c);
        if (chdir(cwd) < 0)
                return ace_error_errno(err, errno, "entering pod directory %s", cwd);
        execv(argv[0], argv);
        return ace_error_errno(err, errno, "executing stage1 enter %s", argv[0]);
}

char **stage1_run_argv(const char *entrypoint, const struct stage1_run_args *a, const char *uuid)
{
        char **argv = strv_push(NULL, entrypoint);

        if (a->debug)
                argv = strv_push(argv, "--debug");
        argv = strv_push_take(argv, xasprintf("--net=%s", a->net ? a->net : "default"));
        if (a->interactive)
                argv = strv_push(argv, "--interactive");
        if (a->mds_token)
                argv = strv_push_take(argv, xasprintf("--mds-token=%s", a->mds_token));
        if (a->local_config)
                argv = strv_push_take(argv, xasprintf("--local-config=%s", a->local_config));
        if (a->hostname)
                argv = strv_push_take(argv, xasprintf("--hostname=%s", a->hostname));
        if (a->dns_conf_mode)
                argv = strv_push_take(argv, xasprintf("--dns-conf-mode=%s", a->dns_conf_mode));
        if (a->disable_capabilities)
                argv = strv_push(argv, "--disable-capabilities-restriction");
        if (a->disable_paths)
                argv = strv_push(argv, "--disable-paths");
        if (a->disable_seccomp)
                argv = strv_push(argv, "--disable-seccomp");
        if (a->strict_isolators)
                argv = strv_push(argv, "--strict-isolators");
        return strv_push(argv, uuid);
}

int stage1_exec_run(struct pod *pod, const struct stage1_info *s, const struct stage1_run_args *a,
                    struct ace_error **err)
{
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *cwd = pod_path(pod), *ep = NULL;
        char fdstr[16];
        int flags, r;

        r = stage1_entrypoint_path(s, STAGE1_RUN, &ep, err);
        if (r < 0)
                return r;
        argv = stage1_run_argv(ep, a, pod->uuid);
        if (chdir(cwd) < 0)
                return ace_error_errno(err, errno, "entering pod directory %s", cwd);
        /* The lock fd is the only one that crosses the exec: it keeps the pod "running" for
         * exactly as long as stage1 lives. Every other fd of ours is O_CLOEXEC. */
        flags = fcntl(pod->fd, F_GETFD);
        if (flags < 0 || fcntl(pod->fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "passing the pod lock to stage1");
        snprintf(fdstr, sizeof(fdstr), "%d", pod->fd);
        if (setenv("RKT_LOCK_FD", fdstr, 1) < 0)
                return ace_error_errno(err, errno, "setenv");
        execv(argv[0], argv);
        r = ace_error_errno(err, errno, "executing stage1 run %s", argv[0]);
        (void)fcntl(pod->fd, F_SETFD, flags);
        return r;
}
