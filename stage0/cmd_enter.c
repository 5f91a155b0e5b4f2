/*
 * cmd_enter.c - `ace enter [--app=NAME] UUID [CMD [ARGS...]]`: exec the pod's stage1 `enter`
 * entrypoint, which runs CMD inside the app's namespaces, root and credentials. The app is
 * required when the pod has more than one. Default CMD: /bin/sh (rkt used /bin/bash, which
 * busybox-based images lack).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "schema/pod_manifest.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/stage1.h"

#define ENTER_DEFAULT_CMD "/bin/sh"
/* How long to wait for a just-started pod to publish its pid (rkt retried for a while too). */
#define ENTER_PID_WAIT_NS (5LL * 1000000000LL)

struct enter_opts {
        char *app;
};

static void enter_opts_free(void *p)
{
        free(((struct enter_opts *)p)->app);
}

static const struct cli_option enter_options[] = {
    {.name = "app",
     .type = CLI_STRING,
     .offset = offsetof(struct enter_opts, app),
     .argname = "NAME",
     .help = "name of the app to enter within the specified pod"},
    CLI_END,
};

static int run_enter(struct ace_global *g, void *opts, char **args)
{
        struct enter_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        _cleanup_pod_ struct pod *pod = NULL;
        _cleanup_free_ char *app = NULL;
        struct stage1_info s1 = {0};
        char *default_cmd[] = {(char *)ENTER_DEFAULT_CMD, NULL};
        pid_t pid;

        if (pod_cmd_find_pod(g, (char *[]){args ? args[0] : NULL, NULL}, NULL, &pods, &pod, &e) <
            0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (pod->state != POD_STATE_RUNNING) {
                log_error("pod \"%s\" isn't currently running", pod->uuid);
                return ACE_EXIT_FAILURE;
        }
        if (pod_wait_file(pod, "pid", ENTER_PID_WAIT_NS, &e) < 0 ||
            pod_read_pid(pod, &pid, &e) < 0) {
                log_error("unable to determine the pid for pod \"%s\": %s", pod->uuid,
                          ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (pod_cmd_pick_app(pod, o->app, &app, &e) < 0) {
                log_error("unable to determine app name: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (!args[1])
                log_info("no command specified, assuming \"%s\"", ENTER_DEFAULT_CMD);
        if (stage1_info_load(pod, &s1, &e) >= 0)
                stage1_exec_enter(pod, &s1, pid, app, args[1] ? args + 1 : default_cmd, &e);
        stage1_info_free(&s1);
        log_error("enter failed: %s", ace_error_msg(e));
        return ACE_EXIT_FAILURE;
}

const struct cli_command cmd_enter = {
    .name = "enter",
    .summary = "Enter the namespaces of an app within a pod",
    .usage = "[--app=NAME] UUID [CMD [ARGS...]]",
    .description = "UUID should be the UUID of a running pod. By default the CMD that is run "
                   "is /bin/sh.",
    .options = enter_options,
    .opts_size = sizeof(struct enter_opts),
    .opts_free = enter_opts_free,
    .run = run_enter,
    .flags = CMD_ROOT | CMD_NO_INTERSPERSE,
};
