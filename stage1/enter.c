/*
 * enter.c - the `enter` entrypoint: run a command inside a running app.
 *
 *   enter --pid=<pod pid> --appname=NAME -- CMD [ARGS...]   (CMD defaults to /bin/sh)
 *
 * Moves itself into the app's cgroup leaf (from the pod's `cgroup` file; CVE-2019-10147 was
 * `rkt enter` staying in the host's cgroup, outside the app's limits), joins the app's cgroup
 * namespace and the pod's IPC, UTS, network and PID namespaces (from the pod's PID 1), and execs
 * stage2 in enter mode with the app's launch spec and a handle on the app's own mount namespace
 * (from appsinfo/<app>/pid), which stage2 joins first -- its root is the app rootfs -- so nothing
 * is exec'd from inside the app's tree. stage2 then applies the launch spec, so the command gets
 * exactly the app's user, groups, capabilities, seccomp filter, no_new_privs and environment
 * (CVE-2019-10144/10145 were `rkt enter` keeping host privileges and no filter). stage2 is exec'd
 * from a sealed in-memory copy, as for apps, since the child is in the pod's PID namespace
 * (CVE-2019-5736). Non-dumpable throughout, so the pod cannot ptrace us or steal our fds while
 * we hold host resources (CVE-2016-9962). Default command /bin/sh rather than rkt's /bin/bash:
 * minimal images (busybox) have sh, not bash. Exit status: the command's; 254 on enter errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "stage1/cgroup.h"
#include "stage1/namespaces.h"
#include "stage1/podfiles.h"
#include "stage1/run.h"
#include "stage1/stage2_path.h"

#define EXIT_ENTER_FAILED 254
#define ENTER_MNTNS_FD 3

struct enter_args {
        pid_t pod_pid;
        const char *app;
        char **cmd;
};

static char *default_cmd[] = {(char *)"/bin/sh", NULL};

static int parse(int argc, char **argv, struct enter_args *a, struct ace_error **err)
{
        static const struct option opts[] = {
            {"pid", required_argument, NULL, 'p'},
            {"appname", required_argument, NULL, 'a'},
            {"debug", optional_argument, NULL, 'd'},
            {},
        };
        int c;

        *a = (struct enter_args){.cmd = default_cmd};
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                switch (c) {
                case 'p':
                        a->pod_pid = (pid_t)atoi(optarg);
                        break;
                case 'a':
                        a->app = optarg;
                        break;
                case 'd':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                default:
                        return ace_error_make(err, EINVAL, "bad option %s", argv[optind - 1]);
                }
        }
        if (a->pod_pid <= 0)
                return ace_error_make(err, EINVAL, "--pid=<pod pid> is required");
        if (!a->app || !*a->app || strchr(a->app, '/') || a->app[0] == '.')
                return ace_error_make(err, EINVAL, "--appname=NAME is required");
        if (optind < argc)
                a->cmd = argv + optind;
        return 0;
}

/* The app's main pid, checked to be in the pod's PID namespace (a recycled pid is not). */
static int app_pid(const struct enter_args *a, pid_t *ret, struct ace_error **err)
{
        _cleanup_free_ char *path = xasprintf("appsinfo/%s/pid", a->app);
        unsigned long long pod_ns, app_ns;
        pid_t pid = 0;
        int r;

        if ((r = podfile_read_pid(AT_FDCWD, path, &pid, err)) < 0) {
                if (r == -ENOENT)
                        return ace_error_make(err, ESRCH, "app %s is not running", a->app);
                return r;
        }
        pod_ns = ns_inode(a->pod_pid, "pid");
        app_ns = ns_inode(pid, "pid");
        if (!pod_ns || pod_ns != app_ns)
                return ace_error_make(err, ESRCH, "app %s (pid %d) is not running in pod pid %d",
                                      a->app, (int)pid, (int)a->pod_pid);
        *ret = pid;
        return 0;
}

/* The app's cgroup leaf, in every hierarchy the pod's `cgroup` file names (a pod run without
 * cgroups has none). */
static int join_cgroup(const char *app, struct ace_error **err)
{
        _cleanup_close_ int fd = open("cgroup", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct cgroup_host host __attribute__((cleanup(cgroup_host_done))) = {0};
        struct cgroup_pod cp __attribute__((cleanup(cgroup_pod_done))) = {0};
        _cleanup_free_ char *leaf = cgroup_app_leaf(app), *uuid = NULL, *cwd = NULL;
        char buf[8192];
        ssize_t n;
        int r;

        if (fd < 0)
                return errno == ENOENT ? 0 : ace_error_errno(err, errno, "open cgroup");
        if ((n = read(fd, buf, sizeof(buf) - 1)) < 0)
                return ace_error_errno(err, errno, "read cgroup");
        buf[n] = 0;
        /* The pod directory is named after its UUID. */
        if (!(cwd = getcwd(NULL, 0)))
                return ace_error_errno(err, errno, "getcwd");
        uuid = xstrdup(strrchr(cwd, '/') ? strrchr(cwd, '/') + 1 : cwd);
        if ((r = cgroup_host_detect(true, &host, err)) < 0 ||
            (r = cgroup_pod_parse(buf, uuid, &host, &cp, err)) < 0)
                return r;
        if (cp.host.n && (r = cgroup_pod_attach(&cp, leaf, 0, err)) < 0)
                return ace_error_wrap(err, "join the cgroup of app %s", app);
        return 0;
}

/* Opens every namespace first and joins afterwards (a half-joined process could no longer open
 * the rest). PID only applies to children, hence the fork in enter(). The cgroup namespace is
 * the app's own (stage2 made it at the app's cgroup), the others are the pod's. */
static int join(pid_t pod_pid, pid_t app_pid, struct ace_error **err)
{
        static const char *const pod_ns[] = {"ipc", "uts", "net", "pid", "cgroup"};
        int fds[ARRAY_SIZE(pod_ns)];
        int r = 0;

        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                fds[i] = -1;
        for (size_t i = 0; i < ARRAY_SIZE(pod_ns) && r >= 0; i++)
                r = fds[i] =
                    ns_open(strcmp(pod_ns[i], "cgroup") == 0 ? app_pid : pod_pid, pod_ns[i], err);
        for (size_t i = 0; i < ARRAY_SIZE(fds) && r >= 0; i++)
                if (setns(fds[i], 0) < 0)
                        r = ace_error_errno(err, errno, "join %s namespace", pod_ns[i]);
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        return r < 0 ? r : 0;
}

static int wait_child(pid_t child)
{
        int wstatus;

        /* Termination signals reach the entered command through the terminal's process group;
         * we only wait for it. */
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        while (waitpid(child, &wstatus, 0) < 0)
                if (errno != EINTR)
                        return EXIT_ENTER_FAILED;
        return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

static int enter(int argc, char **argv, struct ace_error **err)
{
        _cleanup_free_ char *stage2 = NULL, *spec = NULL, *cwd = NULL;
        _cleanup_close_ int mntfd = -EBADF, stage2_fd = -EBADF;
        struct enter_args a;
        pid_t pid = 0, child;
        int r;

        if ((r = parse(argc, argv, &a, err)) < 0 || (r = app_pid(&a, &pid, err)) < 0 ||
            (r = stage2_find(&stage2, err)) < 0)
                return r;
        if (!(cwd = getcwd(NULL, 0)))
                return ace_error_errno(err, errno, "getcwd");
        spec = xasprintf("--spec=%s/appsinfo/%s/launch.json", cwd, a.app);
        if ((stage2_fd = stage2_seal(stage2, err)) < 0)
                return stage2_fd;
        /* Out of the way of fd ENTER_MNTNS_FD, which the child dup2()s onto. */
        if (stage2_fd <= ENTER_MNTNS_FD) {
                int moved = fcntl(stage2_fd, F_DUPFD_CLOEXEC, ENTER_MNTNS_FD + 1);
                if (moved < 0)
                        return ace_error_errno(err, errno, "move the stage2 fd");
                closep(&stage2_fd);
                stage2_fd = moved;
        }
        /* The cgroup first: joining it needs the host's view of /sys/fs/cgroup. */
        if ((r = join_cgroup(a.app, err)) < 0 || (mntfd = ns_open(pid, "mnt", err)) < 0 ||
            (r = join(a.pod_pid, pid, err)) < 0)
                return r;
        child = fork();
        if (child < 0)
                return ace_error_errno(err, errno, "fork");
        if (child == 0) {
                size_t n = 0, ncmd = 0;
                while (a.cmd[ncmd])
                        ncmd++;
                char **args = xcalloc(ncmd + 8, sizeof(char *));
                args[n++] = (char *)"ace-stage2";
                args[n++] = (char *)"--enter";
                args[n++] = spec;
                args[n++] = xasprintf("--mntns-fd=%d", ENTER_MNTNS_FD);
                if (log_debug_enabled())
                        args[n++] = (char *)"--debug";
                args[n++] = (char *)"--";
                for (size_t i = 0; i < ncmd; i++)
                        args[n++] = a.cmd[i];
                /* The namespace fd is the one thing stage2 gets: dup2 clears close-on-exec,
                 * except when the fd already has that number. */
                if ((mntfd == ENTER_MNTNS_FD ? fcntl(mntfd, F_SETFD, 0)
                                             : dup2(mntfd, ENTER_MNTNS_FD)) < 0)
                        _exit(EXIT_ENTER_FAILED);
                fexecve(stage2_fd, args, (char *[]){NULL});
                dprintf(STDERR_FILENO, "ace-stage1: exec %s: %s\n", stage2, strerror(errno));
                _exit(EXIT_ENTER_FAILED);
        }
        return wait_child(child);
}

int stage1_enter(int argc, char **argv)
{
        _cleanup_error_ struct ace_error *err = NULL;
        int r = enter(argc, argv, &err);

        if (r < 0) {
                log_error_ace(err);
                return EXIT_ENTER_FAILED;
        }
        return r;
}
