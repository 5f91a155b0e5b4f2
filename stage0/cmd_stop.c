/*
 * cmd_stop.c - `ace stop [--force] [--uuid-file=FILE] UUID...`: stop running pods through
 * their stage1 `stop` entrypoint (SIGTERM, or SIGKILL with --force), then wait for each to
 * exit, so `ace stop U && ace rm U` works. Pods already stopped are not errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/stage1.h"

/* How long stop waits for a pod to go after its stop entrypoint returned: past stage1's own
 * SIGTERM-to-SIGKILL escalation (stopTimeout, 10 s by default). */
#define STOP_WAIT_NS (30LL * 1000000000LL)

struct stop_opts {
        bool force;
        char *uuid_file;
};

static void stop_opts_free(void *p)
{
        free(((struct stop_opts *)p)->uuid_file);
}

static const struct cli_option stop_options[] = {
    {.name = "force",
     .type = CLI_BOOL,
     .offset = offsetof(struct stop_opts, force),
     .help = "forced stopping (SIGKILL)",
     .defval = "false"},
    POD_CMD_UUID_FILE_OPTION(struct stop_opts, uuid_file),
    CLI_END,
};

static bool after_run(enum pod_state s)
{
        return s == POD_STATE_EXITED || s == POD_STATE_EXITED_GARBAGE ||
               s == POD_STATE_EXITED_DELETING;
}

/* 0 stopped (or was), < 0 error (message in *err). */
static int stop_one(struct pods *pods, const char *uuid, bool force, struct ace_error **err)
{
        _cleanup_pod_ struct pod *pod = NULL;
        struct stage1_info s1 = {0};
        int r;

        r = pod_lookup(pods, uuid, &pod, err);
        if (r < 0)
                return ace_error_wrap(err, "cannot get pod");
        if (after_run(pod->state)) {
                printf("pod \"%s\" is already stopped\n", pod->uuid);
                return 0;
        }
        if (pod->state != POD_STATE_RUNNING)
                return ace_error_make(err, EINVAL, "pod \"%s\" is not running", pod->uuid);
        r = stage1_info_load(pod, &s1, err);
        if (r >= 0)
                r = stage1_run_stop(pod, &s1, force, err);
        stage1_info_free(&s1);
        if (r >= 0)
                r = pod_wait_finished(pod, STOP_WAIT_NS, err);
        if (r < 0 && r != -ENOENT)
                return ace_error_wrap(err, "error stopping \"%s\"", pod->uuid);
        printf("\"%s\"\n", pod->uuid);
        return 0;
}

static int run_stop(struct ace_global *g, void *opts, char **args)
{
        struct stop_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_strv_free_ char **uuids = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        size_t errors = 0;

        if (pod_cmd_uuid_args(args, o->uuid_file, true, &uuids, &e) < 0) {
                log_error_ace(e);
                return o->uuid_file && !args[0] ? 1 : ACE_EXIT_FAILURE;
        }
        if (pod_cmd_open_pods(g, false, &pods, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        for (char **u = uuids; *u; u++) {
                _cleanup_error_ struct ace_error *pe = NULL;
                if (stop_one(pods, *u, o->force, &pe) < 0) {
                        log_error_ace(pe);
                        errors++;
                }
                fflush(stdout);
        }
        if (errors) {
                log_error("failed to stop %zu pod(s)", errors);
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

const struct cli_command cmd_stop = {
    .name = "stop",
    .summary = "Stop a pod",
    .usage = "[--force] [--uuid-file=FILE] UUID...",
    .description = "Asks each pod's stage1 to stop it (SIGTERM to every app, SIGKILL after "
                   "the stop timeout;\n--force: SIGKILL at once) and waits until it has "
                   "exited.",
    .options = stop_options,
    .opts_size = sizeof(struct stop_opts),
    .opts_free = stop_opts_free,
    .run = run_stop,
};
