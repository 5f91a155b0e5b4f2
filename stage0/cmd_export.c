/*
 * cmd_export.c - `ace export [--app=NAME] [--overwrite] UUID OUT.aci`: an exited pod's app as
 * an ACI (stage0/pod_export.h). Beyond rkt, which only exported single-app --no-overlay pods.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/pod_export.h"

struct export_opts {
        char *app;
        bool overwrite;
};

static void export_opts_free(void *p)
{
        free(((struct export_opts *)p)->app);
}

static const struct cli_option export_options[] = {
    {.name = "app",
     .type = CLI_STRING,
     .offset = offsetof(struct export_opts, app),
     .argname = "NAME",
     .help = "the app to export (required with several apps)"},
    {.name = "overwrite",
     .type = CLI_BOOL,
     .offset = offsetof(struct export_opts, overwrite),
     .help = "overwrite output ACI",
     .defval = "false"},
    CLI_END,
};

static int run_export(struct ace_global *g, void *opts, char **args)
{
        struct export_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        _cleanup_pod_ struct pod *pod = NULL;
        _cleanup_free_ char *id = NULL;

        if (!args[0] || !args[1] || args[2]) {
                log_error("usage: ace export [--app=NAME] [--overwrite] UUID OUT.aci");
                return ACE_EXIT_FAILURE;
        }
        if (pod_cmd_find_pod(g, (char *[]){args[0], NULL}, NULL, &pods, &pod, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (pod_export(pod, o->app, args[1], o->overwrite, &id, &e) < 0) {
                log_error("error exporting pod: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        log_debug("exported %s as %s", pod->uuid, id);
        return 0;
}

const struct cli_command cmd_export = {
    .name = "export",
    .summary = "Export an app of an exited pod to an ACI file",
    .usage = "[--app=NAME] [--overwrite] UUID OUT.aci",
    .description = "Writes the app's root filesystem as the pod left it (the image plus "
                   "everything the app\nchanged) with the app's image manifest.",
    .options = export_options,
    .opts_size = sizeof(struct export_opts),
    .opts_free = export_opts_free,
    .run = run_export,
    .flags = CMD_ROOT,
};
