/*
 * cmd_run.c - `ace run [flags] IMAGE [app flags] [-- args ---] ...`: prepare a pod from the
 * command line (stage0/run_args.h, stage0/pod_prepare.h), move it to run/ and exec stage1 with
 * the pod lock. The exit status is the pod's; SIGTERM to this PID stops the pod.
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

static int run_run(struct ace_global *g, void *opts, char **args)
{
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        struct pod_prepare_result res = {0};
        struct run_config c;
        struct fetch_ui ui = {.diag = pod_run_fetch_diag};
        int r;

        (void)opts;
        r = pod_cmd_run_config(g, args, false, &c, &e);
        if (r < 0) {
                log_error_ace(e);
                fprintf(stderr, "Run 'ace run --help' for usage.\n");
                goto out;
        }
        r = pod_cmd_open_pods(g, true, &pods, &e);
        if (r >= 0)
                r = pod_prepare(g, &c, pods, &ui, false, &res, &e);
        if (r >= 0)
                r = pod_transition_nosync(res.pod, POD_DIR_RUN, &e);
        if (r >= 0) {
                struct pod_run_opts o = {.net = c.net,
                                         .hostname = c.hostname,
                                         .interactive = c.interactive,
                                         .strict_isolators = c.strict_isolators,
                                         .dns = &c.dns,
                                         .mds_register = c.mds_register};
                pod_run_exec(g, res.pod, &o, &e); /* returns only on failure */
        }
        log_error_ace(e);
out:
        pod_close(res.pod);
        run_config_free(&c);
        return ACE_EXIT_FAILURE;
}

const struct cli_command cmd_run = {
    .name = "run",
    .summary = "Run image(s) in a pod",
    .usage = "[flags] IMAGE [image flags] [-- image args [---]] [IMAGE ...]",
    .description = "IMAGE is an image ID (sha512-...), a local .aci file, an https:// or "
                   "file:// URL, or an\nappc name (example.com/app:1.0). Per-app flags "
                   "(--name, --exec, --user, ...) follow their\nimage; `--` starts the "
                   "app's arguments, `---` ends them.\n\nApp flags: --name --exec --user "
                   "--group --supplementary-gids --working-dir --readonly-rootfs\n--mount "
                   "--environment --user-annotation --user-label --annotation --signature "
                   "--memory\n--cpu --cpu-shares --oom-score-adj --caps-retain --caps-remove "
                   "--seccomp (Documentation/commands/run.md).",
    .options = run_pod_options,
    .run = run_run,
    .flags = CMD_ROOT | CMD_RAW_ARGS,
};
