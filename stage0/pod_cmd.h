/*
 * pod_cmd.h - what the pod verbs (status, stop, rm, enter, cat-manifest, export, logs, list,
 * gc) share: opening the data directory's pods and resolving a pod argument given as a UUID,
 * a unique UUID prefix, or --uuid-file.
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
