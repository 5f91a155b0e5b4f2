/*
 * cgroup.h - the pod's control groups, on cgroup v1 or v2 (unified), behind one interface.
 *
 * Layout (in every hierarchy used), under the cgroup of the process that runs `ace run`:
 *
 *   <caller's cgroup>/ace-<uuid>/              the pod: pod-level limits (resource isolators,
 * ace/pids) /supervisor    the run process and the pod's PID 1 (a leaf of its own: an app's OOM
 * kill never picks them, and on v2 the pod cgroup stays free of processes so it can hand
 * controllers to its children) /app-<name>    each app, its event handlers, and `enter`ed commands:
 * the app's limits, bounded by the pod's
 *
 * Under the caller's cgroup, so that `systemd-run --slice=machine ace run` (or a unit with
 * Delegate=yes) gets the whole pod inside its unit, and a pod started from a shell stays in
 * that shell's session: ace creates no slice of its own and talks to no cgroup manager.
 *
 * Backend choice, at run time (cgroup_host_detect): if a v1 hierarchy with a resource
 * controller is mounted (v1 or "hybrid" hosts), v1 is used with every mounted v1 hierarchy
 * except cpuset (which needs cpus and mems filled in before use) and named ones (name=systemd
 * belongs to systemd); otherwise the cgroup2 mount, if any, is used; with neither the pod runs
 * without cgroups and its resource isolators are reported unenforced. On v2 the controllers a
 * limit needs are enabled in the caller's cgroup.subtree_control and the pod's; when that is
 * impossible (the caller's cgroup holds other processes and the controller is not already
 * enabled there) the limit is reported unenforced, not faked.
 *
 * `<pod>/cgroup` records the pod cgroup, one line per hierarchy in the format of
 * /proc/PID/cgroup ("4:memory:/user.slice/ace-<uuid>", "0::/ace-<uuid>" for v2). It is written
 * before anything is created, so that `gc` can always remove what `run` may have made.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "stage1/cgroup_devices.h"
#include "stage1/pod.h"

enum cgroup_controller { CGROUP_MEMORY, CGROUP_CPU, CGROUP_PIDS, _CGROUP_CONTROLLER_MAX };
#define CGROUP_MASK(c) (1u << (c))
#define CGROUP_ALL ((1u << _CGROUP_CONTROLLER_MAX) - 1)

/* The name of a controller ("memory", "cpu", "pids"). */
const char *cgroup_controller_name(enum cgroup_controller c);

struct cgroup_hierarchy {
        char *mount;       /* mount point in our mount namespace */
        char *root;        /* the hierarchy path mounted there ("/" normally) */
        char *controllers; /* v1: as in /proc/self/cgroup ("cpu,cpuacct"); v2: "" */
        char *base;        /* our cgroup in it, from /proc/self/cgroup */
        int id;            /* hierarchy ID of /proc/self/cgroup; 0 for v2 */
        unsigned mask;     /* CGROUP_MASK bits of the controllers it offers (v1) */
};

struct cgroup_setting {
        enum cgroup_controller controller;
        const char *file;
        char value[48];
};
#define CGROUP_SETTINGS_MAX 8

struct cgroup_host;

/* What differs between v1 and v2; everything else (mkdir, attach, rmdir) is the same. */
struct cgroup_ops {
        const char *name; /* "v1", "v2" */
        /* The files and values that express `l` on this backend, in the order to write them.
         * Pure: unit-tested. */
        size_t (*settings)(const struct pod_limits *l,
                           struct cgroup_setting out[CGROUP_SETTINGS_MAX]);
        /* Makes the controllers in `want` usable by the children of cgroup `rel` (v2:
         * cgroup.subtree_control; v1: nothing to do). Returns the usable subset. */
        unsigned (*delegate)(const struct cgroup_host *h, const char *rel, unsigned want);
        /* SIGKILLs every process in cgroup `rel` (v2: cgroup.kill; v1: cgroup.procs). */
        int (*kill)(const struct cgroup_host *h, const char *rel, struct ace_error **err);
        /* Restricts cgroup `rel` to the device rules (cgroup_devices.h); -ENOENT when this
         * host has no device controller. */
        int (*devices)(const struct cgroup_host *h, const char *rel,
                       const struct device_rule *rules, size_t n, struct ace_error **err);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

struct cgroup_host {
        const struct cgroup_ops *ops; /* NULL: no cgroups on this host */
        struct cgroup_hierarchy *h;
        size_t n;
};

/* ---- detection (cgroup_detect.c) ------------------------------------------------------------ */

/* Builds the host view from the texts of /proc/self/mountinfo and /proc/self/cgroup (pure).
 * With `all`, every usable hierarchy is listed whatever the backend choice (v1 and v2 alike) and
 * ops is left NULL: for reading back a `cgroup` file that another mount namespace wrote. */
int cgroup_host_from_texts(const char *mountinfo, const char *self_cgroup, bool all,
                           struct cgroup_host *ret, struct ace_error **err);
/* Same from this process's /proc (v2: also reads the controllers available at our cgroup). */
int cgroup_host_detect(bool all, struct cgroup_host *ret, struct ace_error **err);
void cgroup_host_done(struct cgroup_host *h);

/* The v1 controller names the kernel has (sorted; unit-tested), for parsing mount options. */
extern const char *const cgroup_v1_controllers[];
extern const size_t n_cgroup_v1_controllers;

/* ---- the pod's cgroups (cgroup.c) ------------------------------------------------------------ */

struct cgroup_pod {
        struct cgroup_host host;
        char *rel;                   /* "ace-<uuid>", relative to each hierarchy's base */
        unsigned usable;             /* controllers usable for limits in the pod and its apps */
        bool has_terminal;           /* --interactive: the app may also use ... */
        struct device_rule terminal; /* ... the run process's terminal device */
        bool devices_applied;        /* the device policy is in force on every app leaf */
};

/* Absolute directory of cgroup `rel` (relative to the base) in hierarchy h; malloc'd. */
char *cgroup_dir(const struct cgroup_hierarchy *h, const char *rel);

/* The pod's cgroup name and the leaves' names. */
char *cgroup_pod_name(const char *uuid);
char *cgroup_app_leaf(const char *app);
#define CGROUP_SUPERVISOR_LEAF "supervisor"

/* The `<pod>/cgroup` file for cp (one /proc/PID/cgroup-style line per hierarchy). */
char *cgroup_pod_format(const struct cgroup_pod *cp);
/* Reads such a file back against host (detected with `all`; taken over by *ret): each line must
 * end in /ace-<uuid>; lines of hierarchies not mounted here are skipped (nothing to do there). A
 * pod run without cgroups has an empty file. */
int cgroup_pod_parse(const char *text, const char *uuid, struct cgroup_host *host,
                     struct cgroup_pod *ret, struct ace_error **err);

/* run: creates the pod cgroup with its supervisor and app leaves, enables controllers, writes the
 * limits (pod->limits on the pod, pod_effective_limits() on each app) and the device policy of
 * each app leaf. A limit whose controller is not usable is added to pod->unenforced instead; a
 * device policy the host cannot apply leaves devices_applied false (the caller warns). Writes
 * `cgroup` in podfd first. */
int cgroup_pod_create(struct cgroup_pod *cp, struct pod *pod, int podfd, struct ace_error **err);
/* The pod's cgroup directory in each hierarchy, with the name its mount point has under
 * /sys/fs/cgroup ("memory", "cpu"; "" for v2), for the apps' read-only view of their cgroup. */
struct cgroup_view {
        char *name;
        char *dir;
};
size_t cgroup_pod_views(const struct cgroup_pod *cp, struct cgroup_view **ret);
void cgroup_views_free(struct cgroup_view *v, size_t n);

/* Moves process pid (0: the caller) into leaf `leaf` of the pod in every hierarchy. */
int cgroup_pod_attach(const struct cgroup_pod *cp, const char *leaf, pid_t pid,
                      struct ace_error **err);
/* gc: kills what is left in the pod's cgroups and removes them, leaves first. Missing
 * cgroups are fine (idempotent). */
int cgroup_pod_remove(const struct cgroup_pod *cp, struct ace_error **err);
void cgroup_pod_done(struct cgroup_pod *cp);
