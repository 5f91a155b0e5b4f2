/*
 * launch.h - start one process of an app (its pre-start handler, the app itself, or its
 * post-stop handler) from the supervisor: fork, wire stdio, record the pid, exec stage2.
 *
 * The child is in the pod's namespaces; it moves into the app's cgroup leaf (so that the app,
 * its handlers and everything they fork are counted and limited there from the first
 * instruction), then stage2 gives it its own mount and cgroup namespaces rooted at the app. Before
 * exec the child restores the default signal mask (the supervisor blocks everything it reads from
 * its signalfd), resets the umask, and for the app's main process writes `appsinfo/<app>/pid` with
 * its *host* pid (read from the host /proc the supervisor still sees) and touches
 * `appsinfo/<app>/started`. All supervisor fds are O_CLOEXEC and stage2 closes everything above 2
 * again, so nothing leaks into the app (T-19).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "stage1/cgroup.h"

struct launch_req {
        const char *stage2;    /* absolute path of the stage2 binary */
        const char *spec_path; /* absolute path of appsinfo/<app>/launch.json */
        const char *rootfs;    /* absolute path of the app rootfs mount */
        const char *app;       /* app name */
        const char *event;     /* NULL for the app, "pre-start" or "post-stop" */
        char *const *event_argv;
        int podfd;
        int stdout_fd, stderr_fd; /* -1: inherit the supervisor's (interactive) */
        int stage2_fd;            /* >= 0: exec this sealed copy of stage2 instead of the path */
        const struct cgroup_pod *cgroup; /* the app's cgroup leaf is joined before exec */
        bool inherit_stdin;              /* interactive: the terminal; otherwise /dev/null */
        bool debug;
        const int *listen_fds; /* socket activation: become fds 3.. of the app */
        size_t n_listen_fds;
};

/* Returns the child's pid (in the pod's PID namespace) or -errno. */
pid_t launch_spawn(const struct launch_req *req, struct ace_error **err);
