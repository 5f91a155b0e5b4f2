/*
 * pod.h - stage1's view of a pod: what the pod directory says, resolved into the few facts stage1
 * acts on (ABI: Documentation/stage1-abi.md).
 *
 * pod_load() reads `runtime-config`, the reified pod manifest `pod` and, for an app without an
 * `app` section in the pod manifest, `appsinfo/<app>/manifest`, both parsed and validated by the
 * schema library (schema/pod_manifest.h, schema/image_manifest.h). It resolves each app's volume
 * mounts (explicit pod-manifest mounts first, then the app's mountPoints by volume name) and its
 * isolators (stage1/pod_isolators.h): per-process ones into a launch spec for stage2, resource
 * ones into cgroup limits, and the ones this stage1 cannot enforce into a report. Everything
 * here is pure data: the mount planner, the cgroup code and the supervisor take it as input, and
 * unit tests build it by hand.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/launch_spec.h"

enum pod_volume_kind { POD_VOLUME_HOST, POD_VOLUME_EMPTY };

struct pod_volume {
        char *name;
        enum pod_volume_kind kind;
        char *source; /* host: absolute host path */
        bool read_only;
        bool recursive; /* host: rbind (default true) */
        mode_t mode;    /* empty: mode of sharedVolumes/<name> (default 0755) */
        uid_t uid;
        gid_t gid;
};

struct pod_mount {
        const struct pod_volume *volume; /* points into pod.volumes */
        char *path;                      /* absolute path in the app rootfs */
        bool read_only;                  /* volume readOnly || mountPoint readOnly */
};

/* Resource limits of one cgroup (the pod's or an app's), from the resource isolators. */
struct pod_limits {
        bool has_memory;          /* resource/memory limit */
        uint64_t memory;          /* bytes */
        bool has_memory_request;  /* resource/memory request, when given */
        uint64_t memory_request;  /* bytes */
        bool has_cpu;             /* resource/cpu limit */
        uint64_t cpu_milli;       /* millicores */
        bool has_cpu_shares;      /* os/linux/cpu-shares, else derived from resource/cpu request */
        uint64_t cpu_shares;      /* 2..262144 */
        bool cpu_shares_explicit; /* from os/linux/cpu-shares (for reports) */
        bool has_pids;            /* ace/pids (pod only) */
        uint64_t pids;
};

/* An isolator this stage1 does not enforce (appc: the executor MUST say which ones it ignored).
 * Written to `isolators-unenforced`, one per line: "<name> <scope>: <reason>". */
struct pod_unenforced {
        char *name;  /* isolator name */
        char *scope; /* "pod" or "app=<name>" */
        char *reason;
};

struct pod_app {
        char *name;
        char *image_id;
        char *tree_id; /* appsinfo/<app>/treeStoreID */
        struct launch_spec launch;
        char **pre_start; /* event handler argv or NULL */
        char **post_stop;
        bool read_only_rootfs;
        struct pod_mount *mounts;
        size_t n_mounts;
        struct pod_limits limits; /* the app's own; the pod's bound them (pod_effective_limits) */
};

struct pod {
        char *uuid;
        struct pod_app *apps;
        size_t n_apps;
        struct pod_volume *volumes;
        size_t n_volumes;
        /* runtime-config */
        char *tree_store;
        bool overlay;
        unsigned stop_timeout;    /* seconds */
        size_t log_max_bytes;     /* per log file before rotation */
        struct pod_limits limits; /* pod-level isolators */
        struct pod_unenforced *unenforced;
        size_t n_unenforced;
};

#define POD_DEFAULT_STOP_TIMEOUT 10
#define POD_DEFAULT_LOG_MAX (8u << 20)

/* Loads the pod from the pod directory fd. */
int pod_load(int podfd, const char *uuid, struct pod **ret, struct ace_error **err);
/* Same from already-read texts (unit tests): app manifests by index, NULL if absent. */
int pod_load_texts(const char *runtime_config, const char *pod_manifest,
                   const char *const *image_manifests, const char *const *tree_ids, size_t n,
                   struct pod **ret, struct ace_error **err);
void pod_free(struct pod *pod);
static inline void pod_freep(struct pod **p)
{
        pod_free(*p);
        *p = NULL;
}

const struct pod_app *pod_find_app(const struct pod *pod, const char *name);

/* Records an isolator that is not enforced (name, scope "pod" or "app=<name>", reason). */
void pod_add_unenforced(struct pod *pod, const char *name, const char *scope, const char *reason);
/* The isolators-unenforced file: one "<name> <scope>: <reason>" line each; "" when none. */
char *pod_unenforced_format(const struct pod *pod);
