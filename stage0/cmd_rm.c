/* cmd_rm.c - `ace rm [--uuid-file=FILE] UUID...`: remove exited or prepared pods now. */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/pod_gc.h"
#include "stage0/pod_gc_ui.h"

struct rm_opts {
        char *uuid_file;
};

static void rm_opts_free(void *p)
{
        free(((struct rm_opts *)p)->uuid_file);
}

static const struct cli_option rm_options[] = {
    POD_CMD_UUID_FILE_OPTION(struct rm_opts, uuid_file),
    CLI_END,
};

static int run_rm(struct ace_global *g, void *opts, char **args)
{
        struct rm_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_strv_free_ char **uuids = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        struct pod_gc_opts gco = {
            .debug = g->debug, .local_config = g->local_config, .event = pod_gc_print_event};
        int ret = 0;

        if (pod_cmd_uuid_args(args, o->uuid_file, true, &uuids, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (pod_cmd_open_pods(g, false, &pods, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        for (char **u = uuids; *u; u++) {
                _cleanup_pod_ struct pod *pod = NULL;
                _cleanup_error_ struct ace_error *pe = NULL;

                if (pod_lookup(pods, *u, &pod, &pe) < 0) {
                        log_error("cannot get pod: %s", ace_error_msg(pe));
                        ret = ACE_EXIT_FAILURE;
                        continue;
                }
                if (pod_remove(pod, &gco, &pe) < 0) {
                        log_error_ace(pe);
                        ret = ACE_EXIT_FAILURE;
                        continue;
                }
                printf("\"%s\"\n", pod->uuid);
                fflush(stdout);
        }
        if (ret)
                log_error("failed to remove one or more pods");
        return ret;
}

const struct cli_command cmd_rm = {
    .name = "rm",
    .summary = "Remove all files and resources associated with an exited pod",
    .usage = "[--uuid-file=FILE] UUID...",
    .description = "Unlike gc, rm removes the given pods now: exited pods (after the stage1 "
                   "gc entrypoint has\nreleased what they held), prepared and aborted ones. "
                   "Running pods are refused.",
    .options = rm_options,
    .opts_size = sizeof(struct rm_opts),
    .opts_free = rm_opts_free,
    .run = run_rm,
    .flags = CMD_ROOT,
};
