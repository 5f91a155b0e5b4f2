/*
 * stage1.h - stage0's side of the stage1 ABI (Documentation/stage1-abi.md): finding a pod's
 * stage1 rootfs and entrypoints from the pod directory, and invoking run, enter, stop and gc
 * with rkt's arguments.
 *
 * Where the entrypoints live: the stage1 image manifest (`stage1/manifest` in the pod dir)
 * names them with the annotations coreos.com/rkt/stage1/{run,enter,gc,stop}; the rootfs is
 * `<treeStorePath>/<stage1TreeStoreID>/rootfs` for overlay pods (runtime-config +
 * stage1TreeStoreID) and `<pod>/stage1/rootfs` otherwise.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "stage0/pod.h"

#define STAGE1_ANNOTATION_PREFIX "coreos.com/rkt/stage1/"

enum stage1_entrypoint {
        STAGE1_RUN,
        STAGE1_ENTER,
        STAGE1_GC,
        STAGE1_STOP,
        STAGE1_ENTRYPOINT_MAX,
};

struct stage1_info {
        char *rootfs;                             /* absolute */
        char *entrypoints[STAGE1_ENTRYPOINT_MAX]; /* as annotated ("/init"), or NULL */
        int interface_version;                    /* 1 when not annotated */
};

void stage1_info_free(struct stage1_info *s);

/*
 * Entrypoints and interface version from a stage1 image manifest (JSON text). Missing
 * annotations leave NULL; an unparsable manifest is an error.
 */
int stage1_info_parse_manifest(const char *json, size_t len, struct stage1_info *ret,
                               struct ace_error **err);

/* treeStorePath (NULL when absent) and overlay from the pod's runtime-config. */
int stage1_read_runtime_config(struct pod *pod, char **ret_tree_path, bool *ret_overlay,
                               struct ace_error **err);

/* Reads the stage1 of an existing pod directory. -ENOENT when the pod has no stage1 yet
 * (an embryo, or a prepare that failed early). */
int stage1_info_load(struct pod *pod, struct stage1_info *ret, struct ace_error **err);

/* Absolute path of an entrypoint; -ENOTSUP (with rkt's message) when the image lacks it. */
int stage1_entrypoint_path(const struct stage1_info *s, enum stage1_entrypoint e, char **ret,
                           struct ace_error **err);

/* Runs the gc entrypoint for a dead pod (cwd = pod dir) and waits:
 * `gc [--debug] [--local-config=DIR] UUID`. A non-zero exit is an error. */
int stage1_run_gc(struct pod *pod, const struct stage1_info *s, bool debug,
                  const char *local_config, struct ace_error **err);

/* Runs the stop entrypoint `stop [--force] UUID` and waits; non-zero exit is an error. */
int stage1_run_stop(struct pod *pod, const struct stage1_info *s, bool force,
                    struct ace_error **err);

/* Execs `enter --pid=PID --appname=APP -- CMD...` in place of this process (cwd = pod dir).
 * Returns only on failure. */
int stage1_exec_enter(struct pod *pod, const struct stage1_info *s, pid_t pid, const char *app,
                      char *const *cmd, struct ace_error **err);

/* What the run entrypoint gets besides the UUID. */
struct stage1_run_args {
        bool debug;
        const char *net; /* the --net list ("default", "none", "host", "a,b:K=V") */
        bool interactive;
        const char *mds_token; /* NULL: not registered with the metadata service */
        const char *local_config;
        const char *hostname;
        const char *dns_conf_mode; /* NULL when both modes are default */
        bool disable_capabilities; /* --insecure-options=capabilities */
        bool disable_paths;        /* --insecure-options=paths */
        bool disable_seccomp;      /* --insecure-options=seccomp */
        bool strict_isolators;     /* --strict-isolators */
};

/* The argv of the run entrypoint (heap strv; argv[0] = the absolute entrypoint path). */
char **stage1_run_argv(const char *entrypoint, const struct stage1_run_args *a, const char *uuid);

/*
 * Execs the run entrypoint in place of this process: cwd = pod dir, environment = ours plus
 * RKT_LOCK_FD=<pod->fd>, and FD_CLOEXEC cleared on that one fd so the exclusive lock passes to
 * stage1 and lives as long as the pod. Returns only on failure.
 */
int stage1_exec_run(struct pod *pod, const struct stage1_info *s, const struct stage1_run_args *a,
                    struct ace_error **err);
