/*
 * cmd_prepare.c - `ace prepare [flags] IMAGE [app flags] ...`: build a pod as `run` would and
 * leave it in prepared/; prints only its UUID on stdout (Nomad reads it from there).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "stage0/cli.h"
#include "stage0/fetch.h"
#include "stage0/pod_cmd.h"
#include "stage0/pod_prepare.h"
#include "stage0/pod_run.h"
#include "stage0/run_args.h"

static int run_prepare(struct ace_global *g, void *opts, char **args)
{
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        struct pod_prepare_result res = {0};
        struct run_config c;
        struct fetch_ui ui = {.diag = pod_run_fetch_diag};
        int r;

        (void)opts;
        r = pod_cmd_run_config(g, args, true, &c, &e);
        if (r < 0) {
                log_error_ace(e);
                fprintf(stderr, "Run 'ace prepare --help' for usage.\n");
                run_config_free(&c);
                return ACE_EXIT_FAILURE;
        }
        r = pod_cmd_open_pods(g, true, &pods, &e);
        if (r >= 0)
                r = pod_prepare(g, &c, pods, &ui, true, &res, &e);
        /* prepared/ is a durable state: the rename is fsync'd by the transition. */
        if (r >= 0)
                r = pod_transition(res.pod, POD_DIR_PREPARED, &e);
        if (r >= 0) {
                pod_unlock(res.pod);
                printf("%s\n", res.pod->uuid);
        } else {
                log_error_ace(e);
        }
        pod_close(res.pod);
        run_config_free(&c);
        return r < 0 ? ACE_EXIT_FAILURE : 0;
}

const struct cli_command cmd_prepare = {
    .name = "prepare",
    .summary = "Prepare a pod to run later",
    .usage = "[flags] IMAGE [image flags] [-- image args [---]] [IMAGE ...]",
    .description = "Sets up a pod directory from the images and flags, as `ace run` would, "
                   "and prints its UUID.\nRun it with `ace run-prepared UUID`. App flags as for "
                   "`ace run` (Documentation/commands/run.md).",
    .options = prepare_pod_options,
    .run = run_prepare,
    .flags = CMD_ROOT | CMD_RAW_ARGS,
};
