/*
 * stop.c - the `stop` and `gc` entrypoints.
 *
 *   stop [--force] UUID : SIGTERM to the pod's PID 1 (graceful: apps get SIGTERM, SIGKILL after
 *                         stopTimeout, post-stop handlers run), or SIGKILL with --force (the
 *                         kernel kills the whole pod). A pod that is not running is not an
 *                         error: there is nothing to stop.
 *   gc [--debug] [--local-config=DIR] UUID : releases what a dead pod held outside its
 *                         directory. Mounts need nothing: they all lived in the pod's mount
 *                         namespace and died with it. The pod's cgroups (named in `cgroup`) are
 *                         emptied and removed; networks are released here once the networking
 *                         issue creates them. Idempotent.
 * Both run with the pod directory as the current directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "stage1/cgroup.h"
#include "stage1/metadata.h"
#include "stage1/network.h"
#include "stage1/podfiles.h"
#include "stage1/run.h"

#define EXIT_STAGE1_FAILED 254

/* The run process holds an exclusive flock on the pod directory for the pod's lifetime. */
static int pod_running(int podfd, bool *ret, struct ace_error **err)
{
        if (flock(podfd, LOCK_SH | LOCK_NB) == 0) {
                (void)flock(podfd, LOCK_UN);
                *ret = false;
                return 0;
        }
        if (errno != EWOULDBLOCK)
                return ace_error_errno(err, errno, "probe the pod lock");
        *ret = true;
        return 0;
}

static int parse_uuid_args(int argc, char **argv, bool *force, const char **ret_uuid,
                           struct ace_error **err)
{
        static const struct option opts[] = {
            {"force", optional_argument, NULL, 'f'},
            {"debug", optional_argument, NULL, 'd'},
            {"local-config", required_argument, NULL, 'l'},
            {},
        };
        int c;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (!force)
                                return ace_error_make(err, EINVAL, "--force is a stop option");
                        *force = !optarg || strcmp(optarg, "true") == 0;
                        break;
                case 'd':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                case 'l':
                        break;
                default:
                        return ace_error_make(err, EINVAL, "bad option %s", argv[optind - 1]);
                }
        }
        if (optind != argc - 1)
                return ace_error_make(err, EINVAL, "expected exactly one pod UUID argument");
        *ret_uuid = argv[optind];
        if (strlen(*ret_uuid) != 36 || strspn(*ret_uuid, "0123456789abcdef-") != 36)
                return ace_error_make(err, EINVAL, "bad pod UUID \"%s\"", *ret_uuid);
        return 0;
}

static int stop(int argc, char **argv, struct ace_error **err)
{
        _cleanup_close_ int podfd = -EBADF, pidfd = -EBADF;
        bool force = false, running;
        const char *uuid;
        pid_t pid;
        int r;

        if ((r = parse_uuid_args(argc, argv, &force, &uuid, err)) < 0)
                return r;
        if ((podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return ace_error_errno(err, errno, "open the pod directory");
        if ((r = pod_running(podfd, &running, err)) < 0)
                return r;
        if (!running)
                return 0;
        if ((r = podfile_read_pid(podfd, "pid", &pid, err)) < 0)
                return r;
        /* A pidfd pins the process: the signal cannot hit a recycled pid. */
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return errno == ESRCH ? 0 : ace_error_errno(err, errno, "pidfd_open %d", (int)pid);
        if (syscall(SYS_pidfd_send_signal, pidfd, force ? SIGKILL : SIGTERM, NULL, 0) < 0 &&
            errno != ESRCH)
                return ace_error_errno(err, errno, "signal pod pid %d", (int)pid);
        return 0;
}

/* The pod's cgroups, as `run` recorded them (possibly from another mount namespace: each line
 * is matched to the hierarchy mounted here). */
static int gc_cgroups(int podfd, const char *uuid, struct ace_error **err)
{
        _cleanup_close_ int fd = openat(podfd, "cgroup", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct cgroup_host host __attribute__((cleanup(cgroup_host_done))) = {0};
        struct cgroup_pod cp __attribute__((cleanup(cgroup_pod_done))) = {0};
        char buf[8192];
        ssize_t n;
        int r;

        if (fd < 0)
                return errno == ENOENT ? 0 : ace_error_errno(err, errno, "open cgroup");
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return ace_error_errno(err, errno, "read cgroup");
        buf[n] = 0;
        if ((r = cgroup_host_detect(true, &host, err)) < 0 ||
            (r = cgroup_pod_parse(buf, uuid, &host, &cp, err)) < 0)
                return r;
        return cgroup_pod_remove(&cp, err);
}

static int gc(int argc, char **argv, struct ace_error **err)
{
        _cleanup_close_ int podfd = -EBADF;
        const char *uuid;
        bool running;
        int r;

        if ((r = parse_uuid_args(argc, argv, NULL, &uuid, err)) < 0)
                return r;
        if ((podfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return ace_error_errno(err, errno, "open the pod directory");
        if ((r = pod_running(podfd, &running, err)) < 0)
                return r;
        if (running)
                return ace_error_make(err, EBUSY, "pod is still running");
        /* In reverse order of creation at run time: the networks (CNI DEL from the records in
         * net/, the netns mount) -- normally already done by the relay when the pod exited,
         * then a no-op -- then the pod's cgroups. */
        metadata_disconnect(podfd, uuid);
        if ((r = network_teardown(podfd, uuid, true, err)) < 0)
                return r;
        return gc_cgroups(podfd, uuid, err);
}

int stage1_stop(int argc, char **argv)
{
        _cleanup_error_ struct ace_error *err = NULL;

        if (stop(argc, argv, &err) < 0) {
                log_error_ace(err);
                return EXIT_STAGE1_FAILED;
        }
        return 0;
}

int stage1_gc(int argc, char **argv)
{
        _cleanup_error_ struct ace_error *err = NULL;

        if (gc(argc, argv, &err) < 0) {
                log_error_ace(err);
                return EXIT_STAGE1_FAILED;
        }
        return 0;
}
