/*
 * cmd_logs.c - `ace logs [--app=NAME] [--follow] UUID` (beyond rkt, which left logs to the
 * journal): prints an app's stdout+stderr as stage1 recorded them in `logs/<app>.log` (after
 * the rotated `<app>.log.1`), during or after the run. --follow keeps printing until the pod
 * has exited: inotify on the logs directory for new bytes and rotations, and the pod lock
 * for the end - no sleep polling.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "schema/pod_manifest.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"

struct logs_opts {
        char *app;
        bool follow;
};

static void logs_opts_free(void *p)
{
        free(((struct logs_opts *)p)->app);
}

static const struct cli_option logs_options[] = {
    {.name = "app",
     .type = CLI_STRING,
     .offset = offsetof(struct logs_opts, app),
     .argname = "NAME",
     .help = "the app whose log to print (required with several apps)"},
    {.name = "follow",
     .type = CLI_BOOL,
     .offset = offsetof(struct logs_opts, follow),
     .help = "keep printing new output until the pod exits",
     .defval = "false"},
    CLI_END,
};

/* Copies fd from its offset to EOF onto stdout. */
static int drain(int fd, struct ace_error **err)
{
        char buf[65536];

        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return ace_error_errno(err, errno, "reading log");
                if (n == 0)
                        return 0;
                if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
                        return ace_error_errno(err, EIO, "writing to stdout");
        }
}

/* The current log's fd if it exists (-ENOENT otherwise). */
static int open_log(int logs_fd, const char *name)
{
        int fd = openat(logs_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

static bool same_file(int fd, int dirfd, const char *name)
{
        struct stat a, b;
        return fstat(fd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
               a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/*
 * Follows logs/<name> until the pod's lock is released. A rotation renames the file to
 * <name>.1 and starts a new one: the old fd is read to its end, then the new file from 0.
 */
static int follow(struct pod *pod, int logs_fd, const char *name, int fd, struct ace_error **err)
{
        _cleanup_close_ int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        struct pod_lock_waiter w = {.pid = 0, .fd = -EBADF};
        char path[64];
        int r;

        if (ino < 0)
                return ace_error_errno(err, errno, "inotify");
        snprintf(path, sizeof(path), "/proc/self/fd/%d", logs_fd);
        if (inotify_add_watch(ino, path, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
                return ace_error_errno(err, errno, "watching logs of pod %s", pod->uuid);
        r = pod_lock_waiter_start(&w, pod->fd, err);
        for (bool done = false; r >= 0;) {
                struct pollfd pfd[2] = {{.fd = ino, .events = POLLIN},
                                        {.fd = w.fd, .events = POLLIN}};
                char evbuf[4096];

                /* Catch up first: what was written before the watch, or since the last event. */
                if (fd >= 0 && (r = drain(fd, err)) < 0)
                        break;
                if (fd < 0 || !same_file(fd, logs_fd, name)) {
                        int nfd = open_log(logs_fd, name);
                        if (nfd >= 0) {
                                closep(&fd);
                                fd = nfd;
                                continue;
                        }
                }
                fflush(stdout);
                if (done)
                        break;
                if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
                        r = ace_error_errno(err, errno, "poll");
                        break;
                }
                while (read(ino, evbuf, sizeof(evbuf)) > 0)
                        ;
                if (pfd[1].revents)
                        done = true; /* one last pass picks up what the pod wrote before */
        }
        pod_lock_waiter_stop(&w);
        closep(&fd);
        return r < 0 ? r : 0;
}

static int run_logs(struct ace_global *g, void *opts, char **args)
{
        struct logs_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        _cleanup_pod_ struct pod *pod = NULL;
        _cleanup_free_ char *app = NULL, *name = NULL, *rotated = NULL;
        _cleanup_close_ int logs_fd = -EBADF, fd = -EBADF, old = -EBADF;
        int r;

        if (pod_cmd_find_pod(g, args, NULL, &pods, &pod, &e) < 0 ||
            pod_cmd_pick_app(pod, o->app, &app, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        name = xasprintf("%s.log", app);
        rotated = xasprintf("%s.log.1", app);
        /* A pod that is starting may not have its logs directory yet. */
        if (o->follow && pod->state == POD_STATE_RUNNING)
                (void)pod_wait_file(pod, "logs", -1, NULL);
        logs_fd = openat(pod->fd, "logs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (logs_fd < 0) {
                log_error("pod \"%s\" has no logs: %s", pod->uuid, strerror(errno));
                return ACE_EXIT_FAILURE;
        }
        /* The current file is opened before the rotated one is printed, so a rotation in
         * between cannot lose what moved to .1 (it would be printed from the old fd). */
        fd = open_log(logs_fd, name);
        old = open_log(logs_fd, rotated);
        if (old >= 0 && fd >= 0 && same_file(fd, logs_fd, rotated))
                closep(&old); /* rotated in between: the current fd has it all */
        if (old >= 0 && (r = drain(old, &e)) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (o->follow && pod_refresh(pod, NULL) >= 0 && pod->state == POD_STATE_RUNNING)
                r = follow(pod, logs_fd, name, TAKE_FD(fd), &e);
        else
                r = fd >= 0 ? drain(fd, &e) : 0;
        fflush(stdout);
        if (r < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

const struct cli_command cmd_logs = {
    .name = "logs",
    .summary = "Print the output of an app of a pod",
    .usage = "[--app=NAME] [--follow] UUID",
    .description = "Prints what the app wrote to stdout and stderr, as stage1 recorded it "
                   "in the pod directory\n(logs/APP.log, bounded and rotated once). Works "
                   "while the pod runs and after it exited.\nWith --follow, keeps printing "
                   "until the pod exits.",
    .options = logs_options,
    .opts_size = sizeof(struct logs_opts),
    .opts_free = logs_opts_free,
    .run = run_logs,
};
