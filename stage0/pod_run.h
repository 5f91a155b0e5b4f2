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

struct pod_run_opts {
        const char *net;      /* none (default) or host */
        const char *hostname; /* NULL: stage1's default ace-<uuid> */
        bool interactive;
};

/* Returns only on failure (the error says what failed). */
int pod_run_exec(const struct ace_global *g, struct pod *pod, const struct pod_run_opts *o,
                 struct ace_error **err);

/* Checks --net (none|host; bare --net means "default", refused until CNI networks land). */
int pod_run_check_net(const char *net, struct ace_error **err);

/* Diagnostics of the fetcher (image resolution) go to stderr. */
void pod_run_fetch_diag(void *userdata, const char *line);
