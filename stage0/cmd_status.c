/*
 * cmd_status.c - `ace status [--wait[=DURATION]] [--wait-ready[=DURATION]]
 * [--format=json|json-pretty] [--uuid-file=FILE] UUID`: rkt's key=value lines or its v1 JSON
 * Pod object. Waiting is event-driven (stage0/pod_wait.c), not rkt's 100 ms polling.
 */
#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/pod_info.h"
#include "stage0/timefmt.h"

struct status_opts {
        char *wait;
        char *wait_ready;
        char *format;
        char *uuid_file;
};

static void status_opts_free(void *p)
{
        struct status_opts *o = p;
        free(o->wait);
        free(o->wait_ready);
        free(o->format);
        free(o->uuid_file);
}

static const struct cli_option status_options[] = {
    POD_CMD_FORMAT_OPTION(struct status_opts, format, "key=value lines"),
    POD_CMD_UUID_FILE_OPTION(struct status_opts, uuid_file),
    {.name = "wait",
     .type = CLI_STRING,
     .offset = offsetof(struct status_opts, wait),
     .argname = "BOOL|DURATION",
     .flags = CLI_OPTIONAL,
     .defval = "false",
     .help = "wait for the pod to finish (true: forever; a duration: at most that long)"},
    {.name = "wait-ready",
     .type = CLI_STRING,
     .offset = offsetof(struct status_opts, wait_ready),
     .argname = "BOOL|DURATION",
     .flags = CLI_OPTIONAL,
     .defval = "false",
     .help = "wait until every app of the pod has started"},
    CLI_END,
};

/* rkt's parseDuration: ""/true = forever (-1), false = no wait (0), else a Go duration (a
 * negative one waits forever). */
static int parse_wait(const char *s, int64_t *ret, struct ace_error **err)
{
        bool b;

        if (!s) {
                *ret = 0;
                return 0;
        }
        if (!*s) {
                *ret = -1;
                return 0;
        }
        if (cli_parse_bool(s, &b, NULL) == 0) {
                *ret = b ? -1 : 0;
                return 0;
        }
        int r = cli_parse_duration(s, ret, err);
        if (r >= 0 && *ret < 0)
                *ret = -1;
        return r;
}

static void print_text(struct pod *pod, const struct pod_info *info)
{
        enum pod_state s = info->state;
        _cleanup_free_ char *created = NULL, *started = NULL;

        printf("state=%s\n", pod_state_to_string(s));
        if (info->has_created) {
                created = time_format_go(&info->created);
                printf("created=%s\n", created);
        }
        if (info->has_started) {
                started = time_format_go(&info->started);
                printf("started=%s\n", started);
        }
        /* rkt: only when running or exited (net-info.json stays after the teardown). */
        if (s == POD_STATE_RUNNING || s == POD_STATE_EXITED) {
                _cleanup_free_ char *nets = pod_info_networks_string(info);
                printf("networks=%s\n", nets);
        }
        if (s != POD_STATE_RUNNING && s != POD_STATE_DELETING && s != POD_STATE_EXITED_DELETING &&
            s != POD_STATE_EXITED && s != POD_STATE_EXITED_GARBAGE)
                return;
        if (info->has_pid)
                printf("pid=%d\n", (int)info->pid);
        printf("exited=%s\n",
               s == POD_STATE_EXITED || s == POD_STATE_EXITED_GARBAGE ? "true" : "false");
        /* ace: one line per isolator stage1 could not enforce (the key repeats). */
        for (char **l = info->isolators_unenforced; l && *l; l++)
                printf("isolator-unenforced=%s\n", *l);
        if (s == POD_STATE_RUNNING)
                return;
        for (size_t i = 0; i < info->n_apps; i++)
                if (info->apps[i].has_exit)
                        printf("app-%s=%d\n", info->apps[i].name, info->apps[i].exit_code);
        (void)pod;
}

static int print_status(struct pod *pod, enum pod_cmd_format format, struct ace_error **err)
{
        struct pod_info info = {0};
        int r;

        /* A just-started pod may not have published its pid yet: give stage1 a second. */
        if (pod->state == POD_STATE_RUNNING)
                (void)pod_wait_file(pod, "pid", 1000000000LL, NULL);
        r = pod_refresh(pod, err);
        if (r >= 0)
                r = pod_info_load(pod, &info, err);
        if (r < 0) {
                pod_info_done(&info);
                return r;
        }
        if (format != POD_CMD_FORMAT_TEXT) {
                struct json_object *o = pod_info_to_json(&info);
                pod_cmd_print_json(o, format);
                json_object_put(o);
        } else {
                print_text(pod, &info);
        }
        pod_info_done(&info);
        return 0;
}

static int run_status(struct ace_global *g, void *opts, char **args)
{
        struct status_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_strv_free_ char **uuids = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        _cleanup_pod_ struct pod *pod = NULL;
        enum pod_cmd_format format;
        int64_t wait, ready;
        int r;

        if (pod_cmd_parse_format(o->format, &format, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (parse_wait(o->wait, &wait, &e) < 0 || parse_wait(o->wait_ready, &ready, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        r = pod_cmd_uuid_args(args, o->uuid_file, false, &uuids, &e);
        if (r < 0) {
                log_error_ace(e);
                /* rkt: an unreadable --uuid-file is exit 1, a usage error 254. */
                return o->uuid_file && !args[0] ? 1 : ACE_EXIT_FAILURE;
        }
        if (pod_cmd_open_pods(g, false, &pods, &e) < 0 ||
            pod_lookup(pods, uuids[0], &pod, &e) < 0) {
                log_error("problem retrieving pod: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (ready != 0 && pod_wait_ready(pod, ready, &e) < 0) {
                log_error("error waiting for pod readiness: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (wait != 0 && (r = pod_wait_finished(pod, wait, &e)) < 0 && r != -ENOENT) {
                log_error("error waiting for pod to finish: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (print_status(pod, format, &e) < 0) {
                log_error("unable to print status: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

const struct cli_command cmd_status = {
    .name = "status",
    .summary = "Check the status of a pod",
    .usage = "[--wait[=BOOL|DURATION]] [--wait-ready[=BOOL|DURATION]] [--format=FORMAT] "
             "[--uuid-file=FILE] UUID",
    .description = "Prints the pod's state, creation and start times, pid and, once it has "
                   "exited, each app's\nexit status (app-NAME=CODE). --wait and "
                   "--wait-ready take true (wait forever), false or a\nduration such as "
                   "10s.",
    .options = status_options,
    .opts_size = sizeof(struct status_opts),
    .opts_free = status_opts_free,
    .run = run_status,
};
