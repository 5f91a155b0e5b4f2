/*
 * pod_gc.c - rm and gc of pods (see pod_gc.h for the order of the steps and their cost).
 */
#include "stage0/pod_gc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "stage0/cli.h"
#include "stage0/stage1.h"

static void emit(const struct pod_gc_opts *o, enum pod_gc_event ev, const char *uuid,
                 const char *detail)
{
        if (o->event)
                o->event(o->userdata, ev, uuid, detail);
}

static void emit_error(const struct pod_gc_opts *o, enum pod_gc_event ev, const char *uuid,
                       const struct ace_error *e)
{
        emit(o, ev, uuid, ace_error_msg(e));
}

/* The stage1 gc entrypoint of a pod that ran; a pod without a stage1 has nothing to release. */
static void run_stage1_gc(struct pod *pod, const struct pod_gc_opts *o)
{
        _cleanup_error_ struct ace_error *e = NULL;
        struct stage1_info s1 = {0};
        int r;

        r = stage1_info_load(pod, &s1, &e);
        if (r == -ENOENT)
                return;
        if (r >= 0)
                r = stage1_run_gc(pod, &s1, o->debug, o->local_config, &e);
        if (r < 0) {
                ace_error_wrap(&e, "problem performing stage1 GC on \"%s\"", pod->uuid);
                emit_error(o, POD_GC_WARNING, pod->uuid, e);
        }
        stage1_info_free(&s1);
}

int pod_delete(struct pod *pod, const struct pod_gc_opts *o, struct ace_error **err)
{
        int r;

        r = pod_refresh(pod, err);
        if (r < 0)
                return r;
        if (!pod->locked || (pod->dir != POD_DIR_EXITED_GARBAGE && pod->dir != POD_DIR_GARBAGE))
                return ace_error_make(err, EBUSY,
                                      "non-garbage pod \"%s\" (status \"%s\"), "
                                      "skipped",
                                      pod->uuid, pod_state_to_string(pod->state));
        if (pod->dir == POD_DIR_EXITED_GARBAGE) {
                /* stage1 gc refuses a pod whose lock it cannot share ("still running"), so it
                 * runs while we hold the lock shared: other deleters (exclusive) still wait,
                 * and nothing can start a pod in exited-garbage/. Then back to exclusive; a
                 * concurrent deleter holding it shared makes us leave the pod to it. */
                (void)flock(pod->fd, LOCK_SH);
                run_stage1_gc(pod, o);
                if (flock(pod->fd, LOCK_EX | LOCK_NB) < 0) {
                        pod->locked = false;
                        return ace_error_make(err, EBUSY,
                                              "pod \"%s\" is being deleted by "
                                              "another process",
                                              pod->uuid);
                }
        }
        /* Relative to the state directory fd: the pod cannot be swapped for a symlink, and
         * fs_rm_rf_at stops at any mount point instead of deleting through it. */
        r = fs_rm_rf_at(pods_state_fd(pod->pods, pod->dir), pod->uuid, FS_RM_MISSING_OK, err);
        if (r < 0)
                return ace_error_wrap(err, "unable to remove pod \"%s\"", pod->uuid);
        (void)fs_fsync_dir(pods_state_fd(pod->pods, pod->dir), NULL, NULL);
        return 0;
}

int pod_remove(struct pod *pod, const struct pod_gc_opts *o, struct ace_error **err)
{
        int r;

        r = pod_refresh(pod, err);
        if (r < 0)
                return r;
        switch (pod->state) {
        case POD_STATE_RUNNING:
                return ace_error_make(err, EBUSY, "pod \"%s\" is currently running", pod->uuid);
        case POD_STATE_EMBRYO:
        case POD_STATE_PREPARING:
                return ace_error_make(err, EBUSY, "pod \"%s\" is currently being prepared",
                                      pod->uuid);
        case POD_STATE_DELETING:
        case POD_STATE_EXITED_DELETING:
                return ace_error_make(err, EBUSY, "pod \"%s\" is currently being deleted",
                                      pod->uuid);
        case POD_STATE_ABORTED_PREPARE:
                emit(o, POD_GC_MARK_ABORTED, pod->uuid, NULL);
                r = pod_transition(pod, POD_DIR_GARBAGE, err);
                break;
        case POD_STATE_PREPARED:
                /* Locked first: a run-prepared holding it wins and the pod is not removed. */
                r = pod_lock(pod, false, err);
                if (r < 0)
                        return ace_error_wrap(err, "unable to acquire exclusive lock");
                emit(o, POD_GC_MARK_EXPIRED, pod->uuid, NULL);
                r = pod_transition(pod, POD_DIR_GARBAGE, err);
                break;
        case POD_STATE_EXITED:
                r = pod_transition(pod, POD_DIR_EXITED_GARBAGE, err);
                break;
        default:
                r = 0;
        }
        if (r < 0)
                return r;
        r = pod_lock(pod, false, err);
        if (r < 0)
                return ace_error_wrap(err, "unable to acquire exclusive lock");
        return pod_delete(pod, o, err);
}

static int64_t ctime_ns(int dirfd, const char *name)
{
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -1;
        return (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
}

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Steps 1-3: move every pod of `from` that qualifies to `to`. */
static size_t mark(struct pods *p, enum pod_dir from, enum pod_dir to, const struct pod_gc_opts *o,
                   const struct pod_entry *v, size_t n)
{
        int state_fd = pods_state_fd(p, from);
        size_t failed = 0;
        int64_t now = now_ns();

        for (size_t i = 0; i < n; i++) {
                _cleanup_error_ struct ace_error *e = NULL;
                _cleanup_pod_ struct pod *pod = NULL;
                enum pod_gc_event ev;
                int r;

                if (v[i].dir != from)
                        continue;
                if (from == POD_DIR_PREPARED) {
                        /* Expiry by ctime first: the common case costs one fstatat. */
                        int64_t c = ctime_ns(state_fd, v[i].uuid);
                        if (c < 0 || c + o->expire_prepared_ns > now)
                                continue;
                }
                r = pod_open_entry(p, &v[i], &pod, &e);
                if (r == -ENOENT)
                        continue; /* moved on since the readdir: somebody else handled it */
                if (r < 0) {
                        emit_error(o, POD_GC_ERROR, v[i].uuid, e);
                        failed++;
                        continue;
                }
                if (pod->dir != from)
                        continue;
                if (from == POD_DIR_RUN && pod->state != POD_STATE_EXITED)
                        continue;
                if (from == POD_DIR_PREPARE && pod->state != POD_STATE_ABORTED_PREPARE)
                        continue;
                /* A prepared pod is locked while we move it, so a racing run-prepared (which
                 * locks before it moves) either wins or waits; busy means it is starting. */
                if (from == POD_DIR_PREPARED && pod_lock(pod, false, NULL) < 0)
                        continue;
                ev = from == POD_DIR_RUN       ? POD_GC_MARK_EXITED
                     : from == POD_DIR_PREPARE ? POD_GC_MARK_ABORTED
                                               : POD_GC_MARK_EXPIRED;
                emit(o, ev, pod->uuid, NULL);
                r = pod_transition(pod, to, &e);
                if (r < 0 && r != -ENOENT) {
                        emit_error(o, POD_GC_ERROR, pod->uuid, e);
                        failed++;
                }
        }
        return failed;
}

/* Steps 4-5: delete what is past its grace period and not locked by anybody. */
static size_t sweep(struct pods *p, enum pod_dir dir, const struct pod_gc_opts *o,
                    const struct pod_entry *v, size_t n)
{
        _cleanup_free_ char *grace = cli_format_duration(o->grace_ns);
        int state_fd = pods_state_fd(p, dir);
        size_t failed = 0;
        int64_t now = now_ns();

        for (size_t i = 0; i < n; i++) {
                _cleanup_error_ struct ace_error *e = NULL;
                _cleanup_pod_ struct pod *pod = NULL;
                int r;

                if (v[i].dir != dir)
                        continue;
                if (dir == POD_DIR_EXITED_GARBAGE) {
                        int64_t c = ctime_ns(state_fd, v[i].uuid);
                        if (c < 0)
                                continue;
                        if (c + o->grace_ns > now) {
                                emit(o, POD_GC_WITHIN_GRACE, v[i].uuid, grace);
                                continue;
                        }
                }
                r = pod_open_entry(p, &v[i], &pod, &e);
                if (r == -ENOENT)
                        continue;
                if (r >= 0 && pod_lock(pod, false, &e) == -EWOULDBLOCK)
                        continue; /* somebody else is deleting it */
                if (r >= 0) {
                        emit(o, POD_GC_COLLECTING, pod->uuid, NULL);
                        r = pod_delete(pod, o, &e);
                }
                if (r < 0) {
                        emit_error(o, POD_GC_ERROR, v[i].uuid, e);
                        failed++;
                }
        }
        return failed;
}

int pods_gc(struct pods *p, const struct pod_gc_opts *o, size_t *ret_failed, struct ace_error **err)
{
        _cleanup_free_ struct pod_entry *v = NULL;
        size_t n = 0, failed = 0;
        int r;

        /* One readdir of the directories the mark phase reads. Pods marked below land in
         * exited-garbage/ and garbage/ after it, so those are read again for the sweep. */
        r = pods_list(p, (1u << POD_DIR_RUN) | (1u << POD_DIR_PREPARE) | (1u << POD_DIR_PREPARED),
                      &v, &n, err);
        if (r < 0)
                return r;
        failed += mark(p, POD_DIR_RUN, POD_DIR_EXITED_GARBAGE, o, v, n);
        failed += mark(p, POD_DIR_PREPARE, POD_DIR_GARBAGE, o, v, n);
        if (!o->mark_only) {
                failed += mark(p, POD_DIR_PREPARED, POD_DIR_GARBAGE, o, v, n);
                free(v);
                v = NULL;
                r = pods_list(p, (1u << POD_DIR_EXITED_GARBAGE) | (1u << POD_DIR_GARBAGE), &v, &n,
                              err);
                if (r < 0)
                        return r;
                failed += sweep(p, POD_DIR_EXITED_GARBAGE, o, v, n);
                failed += sweep(p, POD_DIR_GARBAGE, o, v, n);
        }
        if (ret_failed)
                *ret_failed = failed;
        return 0;
}
