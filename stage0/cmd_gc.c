/*
 * cmd_gc.c - `ace gc [--grace-period=30m0s] [--expire-prepared=24h0m0s] [--mark-only]`:
 * garbage-collect dead pods in rkt's two phases (stage0/pod_gc.h).
 */
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/pod_gc.h"
#include "stage0/pod_gc_ui.h"

#define NS_PER_MIN (60LL * 1000000000LL)

struct gc_opts {
        int64_t grace;
        int64_t expire_prepared;
        bool mark_only;
};

static void gc_opts_init(void *p)
{
        struct gc_opts *o = p;
        o->grace = 30 * NS_PER_MIN;
        o->expire_prepared = 24 * 60 * NS_PER_MIN;
}

static const struct cli_option gc_options[] = {
    {.name = "expire-prepared",
     .type = CLI_DURATION,
     .offset = offsetof(struct gc_opts, expire_prepared),
     .argname = "DURATION",
     .help = "duration to wait before expiring prepared pods",
     .defval = "24h0m0s"},
    {.name = "grace-period",
     .type = CLI_DURATION,
     .offset = offsetof(struct gc_opts, grace),
     .argname = "DURATION",
     .help = "duration to wait before discarding inactive pods from garbage",
     .defval = "30m0s"},
    {.name = "mark-only",
     .type = CLI_BOOL,
     .offset = offsetof(struct gc_opts, mark_only),
     .help = "move exited and aborted pods to garbage without deleting them (records the "
             "exit time)",
     .defval = "false"},
    CLI_END,
};

static int run_gc(struct ace_global *g, void *opts, char **args)
{
        struct gc_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        struct pod_gc_opts gco = {.debug = g->debug,
                                  .local_config = g->local_config,
                                  .grace_ns = o->grace,
                                  .expire_prepared_ns = o->expire_prepared,
                                  .mark_only = o->mark_only,
                                  .event = pod_gc_print_event};
        size_t failed = 0;

        if (args && args[0]) {
                log_error("gc takes no arguments");
                return ACE_EXIT_FAILURE;
        }
        if (pod_cmd_open_pods(g, false, &pods, &e) < 0 || pods_gc(pods, &gco, &failed, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (failed) {
                log_error("failed to collect %zu pod(s)", failed);
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

const struct cli_command cmd_gc = {
    .name = "gc",
    .summary = "Garbage collect pods that are no longer in use",
    .usage = "[--grace-period=DURATION] [--expire-prepared=DURATION] [--mark-only]",
    .description = "Exited pods are first marked (moved to exited-garbage), then deleted on "
                   "a later run once\n--grace-period has passed since the mark. Prepared "
                   "pods older than --expire-prepared\nand aborted prepares are deleted.",
    .options = gc_options,
    .opts_size = sizeof(struct gc_opts),
    .opts_init = gc_opts_init,
    .run = run_gc,
    .flags = CMD_ROOT,
};
