/* pod_run.c - exec'ing stage1 for a pod in run/ (see pod_run.h). */
#include "stage0/pod_run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stage0/stage1.h"

int pod_run_check_net(const char *net, struct ace_error **err)
{
        if (!net || strcmp(net, "none") == 0 || strcmp(net, "host") == 0)
                return 0;
        return ace_error_make(err, ENOTSUP,
                              "network \"%s\" is not supported: only --net=none and --net=host "
                              "are available",
                              strcmp(net, "true") == 0 ? "default" : net);
}

int pod_run_exec(const struct ace_global *g, struct pod *pod, const struct pod_run_opts *o,
                 struct ace_error **err)
{
        struct stage1_info s1 = {0};
        struct stage1_run_args a = {
                .debug = g->debug,
                .net = o->net ? o->net : "none",
                .interactive = o->interactive,
                .local_config = g->local_config,
                .hostname = o->hostname,
                .disable_capabilities = g->insecure & INSECURE_CAPABILITIES,
                .disable_paths = g->insecure & INSECURE_PATHS,
                .disable_seccomp = g->insecure & INSECURE_SECCOMP,
        };
        int r;

        r = stage1_info_load(pod, &s1, err);
        if (r < 0)
                return r;
        fflush(stdout);
        fflush(stderr);
        r = stage1_exec_run(pod, &s1, &a, err);
        stage1_info_free(&s1);
        return r;
}

void pod_run_fetch_diag(void *userdata, const char *line)
{
        (void)userdata;
        fprintf(stderr, "%s\n", line);
}
