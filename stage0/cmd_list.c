/*
 * cmd_list.c - `ace list [--full] [--no-legend] [--format=json|json-pretty]`: rkt's table of
 * pods (one row per app, pod columns on the first row only), tab-aligned like Go's tabwriter,
 * or an array of v1 Pod objects. Lists pods in run/, exited-garbage/, prepare/ and prepared/.
 */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/pod_info.h"
#include "stage0/tabwriter.h"
#include "stage0/timefmt.h"

struct list_opts {
        bool full;
        bool no_legend;
        char *format;
};

static void list_opts_free(void *p)
{
        free(((struct list_opts *)p)->format);
}

static const struct cli_option list_options[] = {
    POD_CMD_FORMAT_OPTION(struct list_opts, format, "a table"),
    {.name = "full",
     .type = CLI_BOOL,
     .offset = offsetof(struct list_opts, full),
     .help = "use long output format",
     .defval = "false"},
    {.name = "no-legend",
     .type = CLI_BOOL,
     .offset = offsetof(struct list_opts, no_legend),
     .help = "suppress a legend with the list",
     .defval = "false"},
    CLI_END,
};

#define LIST_DIRS                                                                                  \
        ((1u << POD_DIR_PREPARE) | (1u << POD_DIR_PREPARED) | (1u << POD_DIR_RUN) |                \
         (1u << POD_DIR_EXITED_GARBAGE))

static char *fmt_time(bool has, const struct timespec *ts, bool full, const struct timespec *now)
{
        if (!has)
                return xstrdup("");
        return full ? time_format_go(ts) : time_humanize(ts, now);
}

static void table_rows(struct tabwriter *w, const struct pod_info *info, bool full,
                       const struct timespec *now)
{
        _cleanup_free_ char *created = fmt_time(info->has_created, &info->created, full, now);
        _cleanup_free_ char *started = fmt_time(info->has_started, &info->started, full, now);
        _cleanup_free_ char *nets = pod_info_networks_string(info);
        char uuid[POD_UUID_LEN + 1];
        const char *state = pod_state_to_string(info->state);

        snprintf(uuid, sizeof(uuid), "%.*s", full ? POD_UUID_LEN : 8, info->uuid);
        if (info->n_apps == 0) {
                if (full)
                        tabwriter_printf(w, "%s\t-\t-\t-\t%s\t%s\t%s\t%s\n", uuid, state, created,
                                         started, nets);
                else
                        tabwriter_printf(w, "%s\t-\t-\t%s\t%s\t%s\t%s\n", uuid, state, created,
                                         started, nets);
                return;
        }
        for (size_t i = 0; i < info->n_apps; i++) {
                const struct pod_app_info *a = &info->apps[i];
                const char *img = a->image_name ? a->image_name : "--";
                bool first = i == 0;
                /* Only the first row of a pod describes the pod. */
                const char *u = first ? uuid : "", *st = first ? state : "";
                const char *c = first ? created : "", *s = first ? started : "";
                const char *n = first ? nets : "";

                if (full)
                        tabwriter_printf(w, "%s\t%s\t%s\t%.19s\t%s\t%s\t%s\t%s\n", u, a->name, img,
                                         a->image_id, st, c, s, n);
                else
                        tabwriter_printf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u, a->name, img, st, c,
                                         s, n);
        }
}

/* Adds every listed pod to the table or the JSON array; returns how many could not be read. */
static size_t collect(struct pods *pods, const struct pod_entry *v, size_t n, bool full,
                      struct tabwriter *w, struct json_object *arr)
{
        struct timespec now;
        size_t errors = 0;

        clock_gettime(CLOCK_REALTIME, &now);
        for (size_t i = 0; i < n; i++) {
                _cleanup_pod_ struct pod *pod = NULL;
                _cleanup_error_ struct ace_error *pe = NULL;
                struct pod_info info = {0};

                if (pod_open_entry(pods, &v[i], &pod, &pe) < 0 || pod->dir != v[i].dir)
                        continue; /* gone or moved since the readdir: listed where it went */
                if (pod_info_load(pod, &info, &pe) < 0) {
                        log_error("%s", ace_error_msg(pe));
                        errors++;
                } else if (arr) {
                        json_object_array_add(arr, pod_info_to_json(&info));
                } else {
                        table_rows(w, &info, full, &now);
                }
                pod_info_done(&info);
        }
        return errors;
}

static int run_list(struct ace_global *g, void *opts, char **args)
{
        struct list_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        _cleanup_free_ struct pod_entry *v = NULL;
        _cleanup_free_ char *text = NULL;
        struct json_object *arr = NULL;
        struct tabwriter *w = NULL;
        enum pod_cmd_format format;
        size_t n = 0, errors;

        if (args && args[0]) {
                log_error("list takes no arguments");
                return ACE_EXIT_FAILURE;
        }
        if (pod_cmd_parse_format(o->format, &format, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (pod_cmd_open_pods(g, false, &pods, &e) < 0 ||
            pods_list(pods, LIST_DIRS, &v, &n, &e) < 0) {
                log_error("failed to get pod handles: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (format != POD_CMD_FORMAT_TEXT) {
                arr = json_object_new_array();
                errors = collect(pods, v, n, o->full, NULL, arr);
                pod_cmd_print_json(arr, format);
                json_object_put(arr);
        } else {
                w = tabwriter_new(0, 8, 1, '\t');
                if (!o->no_legend)
                        tabwriter_printf(w, o->full ? "UUID\tAPP\tIMAGE NAME\tIMAGE ID\tSTATE\t"
                                                      "CREATED\tSTARTED\tNETWORKS\n"
                                                    : "UUID\tAPP\tIMAGE NAME\tSTATE\tCREATED\t"
                                                      "STARTED\tNETWORKS\n");
                errors = collect(pods, v, n, o->full, w, NULL);
                text = tabwriter_finish(w);
                fputs(text, stdout);
        }
        /* As rkt: pods that could not be read are reported, the listing still succeeds. */
        if (errors)
                log_error("%zu pod(s) could not be listed", errors);
        return 0;
}

const struct cli_command cmd_list = {
    .name = "list",
    .summary = "List pods",
    .usage = "[--full] [--no-legend] [--format=FORMAT]",
    .description = "Displays a table of information about the pods: one row per app, the "
                   "pod's UUID, state,\ncreation and start times on its first row.",
    .options = list_options,
    .opts_size = sizeof(struct list_opts),
    .opts_free = list_opts_free,
    .run = run_list,
};
