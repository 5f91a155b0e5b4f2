/*
 * supervisor.h - the pod's PID 1 once the pod is set up: starts every app, relays their output,
 * reaps every process (orphans included), records exit statuses and decides the pod's status.
 *
 * Event-driven: one epoll over a signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP), the apps' output
 * pipes and a timerfd for the stop timeout; it never sleeps or polls.
 *
 * Lifecycle of an app: [pre-start] -> app -> [post-stop] -> done, each step a stage2 process.
 * All apps start concurrently. The pod status is 0 when every app exited 0, otherwise the status
 * of the first app that failed on its own (exit code, or 128+signal); then the others are
 * stopped: SIGTERM to their process groups, SIGKILL after stopTimeout. An app's exit caused by
 * that stop is recorded in appsinfo/<app>/exit but does not change the pod status (as systemd
 * treats SIGTERM on stop as a clean exit, rkt's `0/5/6 -> 5`). SIGTERM/SIGINT/SIGHUP to the
 * supervisor stop the pod the same way.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "stage1/cgroup.h"
#include "stage1/pod.h"

struct supervisor_config {
        const struct pod *pod;
        int podfd;
        const char *pod_dir;
        const char *stage2;
        int stage2_fd;                   /* sealed memfd copy of stage2, or -1 (launch.h) */
        const struct cgroup_pod *cgroup; /* each app process joins its app leaf */
        bool interactive;
        bool debug;
        int ready_fd;               /* one byte when every app is started, or -1 (ready.h) */
        int *const *listen_fds;     /* per app: sockets for its main process (listen_fds.h) */
        const size_t *n_listen_fds; /* NULL when none */
};

/* Runs the pod to completion; *ret_status is the pod status. Fails only if the supervisor itself
 * cannot work (epoll, signalfd); an app that fails to start is an app failure (status 254). */
int supervisor_run(const struct supervisor_config *cfg, int *ret_status, struct ace_error **err);
