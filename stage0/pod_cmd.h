/*
 * pod_cmd.h - what the pod verbs (status, stop, rm, enter, cat-manifest, export, logs, list,
 * gc) share: opening the data directory's pods, resolving a pod argument given as a UUID, a
 * unique UUID prefix, or --uuid-file (and the --uuid-file flag itself), choosing the app of a
 * pod (--app), and the --format=json|json-pretty flag.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "stage0/cli.h"
#include "stage0/pod.h"

/* Opens <data dir>/pods. With create, the tree is created when missing. */
int pod_cmd_open_pods(const struct ace_global *g, bool create, struct pods **ret,
                      struct ace_error **err);

/*
 * The UUIDs (or prefixes) a verb acts on: exactly one of `--uuid-file` and positional args
 * must be given ("--uuid-file" reads one UUID). Errors are usage errors (EINVAL) or the
 * file's read error.
 */
int pod_cmd_uuid_args(char **args, const char *uuid_file, bool many, char ***ret,
                      struct ace_error **err);

/* The data directory: --dir, else paths.d "data", else /var/lib/ace; made absolute with
 * symlinks resolved (heap). */
char *pod_cmd_data_dir(const struct ace_global *g);

/* The --uuid-file option of a verb whose options struct has `char *field`. */
#define POD_CMD_UUID_FILE_OPTION(opts_type, field)                                                 \
        {                                                                                          \
                .name = "uuid-file", .type = CLI_STRING, .offset = offsetof(opts_type, field),     \
                .argname = "FILE", .help = "read pod UUID from file instead of argument"           \
        }

/*
 * The one pod a verb acts on, from its positional UUID (prefix) or --uuid-file (uuid_file may
 * be NULL where the verb has no such flag): opens the pods and looks it up. Errors read
 * "problem retrieving pod: ..." as rkt's.
 */
int pod_cmd_find_pod(const struct ace_global *g, char **args, const char *uuid_file,
                     struct pods **ret_pods, struct pod **ret_pod, struct ace_error **err);

/*
 * The app of the pod a verb acts on: `want` (--app) when the pod has it, else the only app.
 * A pod with several apps and no --app is an error that lists them
 * ("pod contains multiple apps:\n\tNAME\n...").
 */
int pod_cmd_pick_app(struct pod *pod, const char *want, char **ret, struct ace_error **err);

struct run_config;
/* run and prepare: initialises *c and parses args into it (run_args.h), sets the log level
 * from --debug (which may come after the images), and checks it. Errors are usage errors;
 * *c is always to be freed with run_config_free(). */
int pod_cmd_run_config(struct ace_global *g, char **args, bool is_prepare, struct run_config *c,
                       struct ace_error **err);

/* --format: text (NULL or ""), json (compact) or json-pretty (tab-indented, as rkt). */
enum pod_cmd_format {
        POD_CMD_FORMAT_TEXT,
        POD_CMD_FORMAT_JSON,
        POD_CMD_FORMAT_JSON_PRETTY,
};

/* The --format option of a verb whose options struct has `char *field`; `deflt` names the
 * text output in the help. */
#define POD_CMD_FORMAT_OPTION(opts_type, field, deflt)                                             \
        {                                                                                          \
                .name = "format", .type = CLI_STRING, .offset = offsetof(opts_type, field),        \
                .argname = "FORMAT",                                                               \
                .help = "output format: json or json-pretty (default: " deflt ")"                  \
        }

int pod_cmd_parse_format(const char *s, enum pod_cmd_format *ret, struct ace_error **err);

struct json_object;
/* Prints o (not consumed) on stdout in the JSON format f, with a newline. */
void pod_cmd_print_json(struct json_object *o, enum pod_cmd_format f);
