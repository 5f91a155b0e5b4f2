/*
 * pod_run.h - the last step of `ace run` and `ace run-prepared`: a locked pod in run/ gets its
 * stage1 `run` entrypoint exec'd in place of this process, holding the pod lock, so that the
 * `ace` PID becomes the pod and its exit status is the pod's.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "stage0/cli.h"
#include "stage0/pod.h"
#include "stage0/pod_dns.h"

struct pod_run_opts {
        const char *net;      /* NULL or "true": default */
        const char *hostname; /* NULL: stage1's default ace-<uuid> */
        bool interactive;
        bool strict_isolators;           /* refuse to run when an isolator cannot be enforced */
        const struct pod_dns_flags *dns; /* may be NULL */
        bool mds_register;
};

/* Returns only on failure (the error says what failed). */
int pod_run_exec(const struct ace_global *g, struct pod *pod, const struct pod_run_opts *o,
                 struct ace_error **err);

/* Checks --net (common/net_list.h) and what needs a pod network: --port and --mds-register
 * are refused with --net=none, --port also with --net=host (rkt's rules). */
int pod_net_check(const char *net, bool ports, bool mds_register, struct ace_error **err);

/* Diagnostics of the fetcher (image resolution) go to stderr. */
void pod_run_fetch_diag(void *userdata, const char *line);
