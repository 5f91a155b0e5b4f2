/* launch.c - fork + exec stage2 for one app process (launch.h). */
#include "stage1/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/podfiles.h"

/* The pid of the calling process in the host PID namespace: /proc here is the host's procfs
 * (the pod's own procfs is only mounted inside app rootfses), and /proc/self resolves to our pid
 * as that procfs's namespace sees it. */
static pid_t host_pid(void)
{
        char buf[32];
        ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

        if (n <= 0)
                return -1;
        buf[n] = 0;
        return (pid_t)atoi(buf);
}

static void child_fail(const char *what, const char *app)
{
        dprintf(STDERR_FILENO, "ace-stage1: app %s: %s: %s\n", app, what, strerror(errno));
        _exit(254);
}

static void record_start(const struct launch_req *req)
{
        _cleanup_free_ char *pidp = xasprintf("appsinfo/%s/pid", req->app);
        _cleanup_free_ char *startp = xasprintf("appsinfo/%s/started", req->app);
        pid_t pid = host_pid();

        if (pid <= 0 || podfile_write_pid(req->podfd, pidp, pid, NULL) < 0 ||
            podfile_touch(req->podfd, startp, NULL) < 0)
                child_fail("record pid", req->app);
}

/* The sockets to fds 3, 4, ...: first out of the way (copies above 3+n, so none sits on a
 * target number), then into place -- a plain dup2 loop could overwrite a socket that is still
 * to be moved. Last thing before the exec: the pod dir fd used above may be one of the
 * numbers taken. */
static void move_listen_fds(const struct launch_req *req)
{
        int tmp[256];

        for (size_t i = 0; i < req->n_listen_fds && i < 256; i++) {
                tmp[i] = fcntl(req->listen_fds[i], F_DUPFD_CLOEXEC, 3 + (int)req->n_listen_fds);
                if (tmp[i] < 0)
                        child_fail("move passed sockets", req->app);
        }
        for (size_t i = 0; i < req->n_listen_fds && i < 256; i++)
                if (dup2(tmp[i], 3 + (int)i) < 0)
                        child_fail("move passed sockets", req->app);
}

static void child(const struct launch_req *req)
{
        char **argv = NULL;
        size_t n = 0;
        sigset_t none;
        int devnull;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        umask(022);
        if (!req->inherit_stdin) {
                devnull = open("/dev/null", O_RDONLY);
                if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0)
                        child_fail("stdin", req->app);
        }
        if ((req->stdout_fd >= 0 && dup2(req->stdout_fd, STDOUT_FILENO) < 0) ||
            (req->stderr_fd >= 0 && dup2(req->stderr_fd, STDERR_FILENO) < 0))
                child_fail("stdio", req->app);
        if (req->cgroup && req->cgroup->host.n) {
                _cleanup_free_ char *leaf = cgroup_app_leaf(req->app);
                if (cgroup_pod_attach(req->cgroup, leaf, 0, NULL) < 0)
                        child_fail("join the app's cgroup", req->app);
        }
        if (!req->event)
                record_start(req);
        argv = xcalloc(16 + (req->event_argv ? strv_length(req->event_argv) : 0), sizeof(char *));
        argv[n++] = (char *)"ace-stage2";
        argv[n++] = xasprintf("--spec=%s", req->spec_path);
        argv[n++] = xasprintf("--root=%s", req->rootfs);
        if (req->debug)
                argv[n++] = (char *)"--debug";
        if (req->event) {
                argv[n++] = xasprintf("--event=%s", req->event);
                argv[n++] = (char *)"--";
                for (size_t i = 0; req->event_argv[i]; i++)
                        argv[n++] = req->event_argv[i];
        }
        if (req->n_listen_fds) {
                argv[n++] = xasprintf("--listen-fds=%zu", req->n_listen_fds);
                move_listen_fds(req);
        }
        argv[n] = NULL;
        /* An empty environment: stage2 builds the app's from the launch spec alone. */
        if (req->stage2_fd >= 0)
                fexecve(req->stage2_fd, argv, (char *[]){NULL});
        else
                execve(req->stage2, argv, (char *[]){NULL});
        child_fail("exec stage2", req->app);
}

/* Returns once the child has exec'd stage2 (or died trying): the end of a close-on-exec pipe
 * is its signal. So "spawned" means `started` exists, and the pod's readiness (the `ready`
 * file, READY=1 to systemd) never precedes an app's start. About a millisecond per app. */
pid_t launch_spawn(const struct launch_req *req, struct ace_error **err)
{
        int sync[2];
        char c;
        pid_t pid;

        if (pipe2(sync, O_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "pipe for app %s", req->app);
        pid = fork();
        if (pid < 0) {
                close(sync[0]);
                close(sync[1]);
                return ace_error_errno(err, errno, "fork for app %s", req->app);
        }
        if (pid == 0) {
                close(sync[0]);
                child(req);
        }
        close(sync[1]);
        (void)!TEMP_FAILURE_RETRY(read(sync[0], &c, 1));
        close(sync[0]);
        return pid;
}
