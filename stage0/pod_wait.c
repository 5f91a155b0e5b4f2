/*
 * pod_wait.c - waiting for a pod to finish or to become ready without polling.
 *
 * Two event sources cover every way a pod's state changes:
 *  - a move or removal between state directories (or a file created in the pod directory,
 *    for readiness) shows up on an inotify fd watching them;
 *  - the release of a lock does not touch the file system, so while the pod is locked a
 *    small child blocks in flock(LOCK_SH) on its own open of the pod directory and exits once
 *    it gets it; its pipe reaching EOF is the "lock released" event.
 * The loop re-derives the state after every event, so spurious wake-ups are harmless.
 */
#include "stage0/pod.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

int pod_lock_waiter_start(struct pod_lock_waiter *w, int pod_fd, struct ace_error **err)
{
        _cleanup_close_ int dfd = -EBADF;
        int p[2];
        pid_t parent = getpid();

        /* A separate open file description: the child's shared lock must not touch ours. */
        dfd = openat(pod_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return ace_error_errno(err, errno, "reopening pod directory");
        if (pipe2(p, O_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "pipe");
        w->pid = fork();
        if (w->pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return ace_error_errno(err, e, "fork");
        }
        if (w->pid == 0) {
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(1);
                close(p[0]);
                while (flock(dfd, LOCK_SH) < 0 && errno == EINTR)
                        ;
                _exit(0);
        }
        close(p[1]);
        w->fd = p[0];
        return 0;
}

void pod_lock_waiter_stop(struct pod_lock_waiter *w)
{
        if (w->pid > 0) {
                (void)kill(w->pid, SIGKILL);
                while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        closep(&w->fd);
        w->pid = 0;
}

static int watch_fd(int ino, int fd, uint32_t mask)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        return inotify_add_watch(ino, path, mask) < 0 ? -errno : 0;
}

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool state_locked(enum pod_state s)
{
        return s == POD_STATE_PREPARING || s == POD_STATE_RUNNING ||
               s == POD_STATE_EXITED_DELETING || s == POD_STATE_DELETING;
}

static void drain(int fd)
{
        char buf[4096];
        while (read(fd, buf, sizeof(buf)) > 0)
                ;
}

/* 1: the condition holds, 0: keep waiting, < 0: error (-ESRCH: finished without ready). */
static int check(struct pod *pod, const char *file, struct ace_error **err)
{
        bool want_ready = file != NULL;
        int r = pod_refresh(pod, NULL);

        if (r == -ENOENT)
                return want_ready ? ace_error_make(err, ESRCH, "pod %s is gone", pod->uuid)
                                  : ace_error_make(err, ENOENT, "pod %s is gone", pod->uuid);
        if (r < 0)
                return ace_error_errno(err, -r, "pod %s", pod->uuid);
        if (!want_ready)
                return pod_state_finished(pod->state);
        if (faccessat(pod->fd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 1;
        if (pod_state_finished(pod->state))
                return ace_error_make(err, ESRCH, "pod %s finished without creating %s", pod->uuid,
                                      file);
        return 0;
}

static int wait_for(struct pod *pod, const char *file, int64_t timeout_ns, struct ace_error **err)
{
        bool want_ready = file != NULL;
        _cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        struct pod_lock_waiter w = {.pid = 0, .fd = -EBADF};
        int64_t deadline = timeout_ns < 0 ? -1 : now_ns() + timeout_ns;
        int r;

        if (ino < 0)
                return ace_error_errno(err, errno, "inotify");
        /* Watches first, then the check: a change between the two still wakes us. */
        for (int d = 0; d < POD_DIR_MAX; d++) {
                int fd = pods_state_fd(pod->pods, d);
                if (fd >= 0 && (r = watch_fd(ino, fd, IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE)) < 0)
                        return ace_error_errno(err, -r, "watching pods/%s", pod_dir_name(d));
        }
        if (want_ready && (r = watch_fd(ino, pod->fd, IN_CREATE | IN_MOVED_TO)) < 0)
                return ace_error_errno(err, -r, "watching pod %s", pod->uuid);
        for (;;) {
                struct pollfd pfd[2] = {{.fd = ino, .events = POLLIN}, {.fd = -1}};
                int timeout_ms = -1;

                r = check(pod, file, err);
                if (r != 0)
                        break;
                if (state_locked(pod->state) && w.pid == 0) {
                        r = pod_lock_waiter_start(&w, pod->fd, err);
                        if (r < 0)
                                break;
                } else if (!state_locked(pod->state) && w.pid > 0) {
                        pod_lock_waiter_stop(&w);
                }
                pfd[1].fd = w.pid > 0 ? w.fd : -1;
                pfd[1].events = POLLIN;
                if (deadline >= 0) {
                        int64_t left = deadline - now_ns();
                        if (left <= 0) {
                                r = ace_error_make(err, ETIMEDOUT, "timed out waiting for pod %s",
                                                   pod->uuid);
                                break;
                        }
                        timeout_ms = (int)((left + 999999) / 1000000);
                }
                if (poll(pfd, 2, timeout_ms) < 0 && errno != EINTR) {
                        r = ace_error_errno(err, errno, "poll");
                        break;
                }
                drain(ino);
                if (pfd[1].revents)
                        pod_lock_waiter_stop(&w); /* got the lock: the holder let go */
        }
        pod_lock_waiter_stop(&w);
        return r < 0 ? r : 0;
}

int pod_wait_finished(struct pod *pod, int64_t timeout_ns, struct ace_error **err)
{
        return wait_for(pod, NULL, timeout_ns, err);
}

int pod_wait_ready(struct pod *pod, int64_t timeout_ns, struct ace_error **err)
{
        return wait_for(pod, "ready", timeout_ns, err);
}

int pod_wait_file(struct pod *pod, const char *name, int64_t timeout_ns, struct ace_error **err)
{
        return wait_for(pod, name, timeout_ns, err);
}
