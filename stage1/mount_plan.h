/*
 * mount_plan.h - an app's filesystem as a list of typed operations (plan), executed in one place
 * (mount_apply.c). The planner is pure: it turns a struct pod_app plus the pod's paths into the
 * ordered op list, so the order and every source/target can be unit-tested without root.
 *
 * Targets are paths inside the app rootfs; the executor resolves each one with openat2
 * RESOLVE_IN_ROOT against the rootfs fd and mounts on the resulting fd, so an image-controlled
 * symlink can never redirect a mount to the host (T-21, CVE-2021-30465 class).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "stage1/cgroup.h"
#include "stage1/pod.h"

enum mount_op_kind {
        MOP_ROOTFS_OVERLAY, /* overlayfs: source = lowerdir, upper, work; target = rootfs path */
        MOP_ROOTFS_BIND,    /* the prepared copy bound onto itself (pivot_root needs a mount) */
        MOP_DIR,            /* ensure a directory; a symlink/file there is replaced, not followed */
        MOP_PROC,           /* fresh procfs of the pod's PID namespace */
        MOP_SYSFS,          /* read-only sysfs */
        MOP_TMPFS,          /* tmpfs with data options */
        MOP_DEVPTS,         /* devpts newinstance */
        MOP_MQUEUE,         /* mqueue of the pod's IPC namespace */
        MOP_DEVNODE,        /* character device: mode, major:minor */
        MOP_SYMLINK,        /* symlink target -> source, only if nothing is there yet */
        MOP_BIND,           /* volume: bind source (host path or pod-dir relative) on target */
        MOP_ROOT_READONLY,  /* remount the rootfs mount itself read-only (not its submounts) */
        MOP_READONLY_BIND,  /* bind a path onto itself, read-only (/proc/sys); skipped if absent */
        MOP_MASK_FILE,      /* bind the pod's empty mode-0 file over a file, read-only; or skip */
        MOP_MASK_DIR,       /* an empty read-only mode-0 tmpfs over a directory; or skip */
        MOP_READONLY,       /* make the mount at target read-only (after filling it) */
        MOP_ETC_FILE,       /* bind a pod/host file read-only over an app's /etc file */
        _MOP_MAX,
};

enum mount_source_base {
        MSRC_NONE,
        MSRC_HOST, /* absolute host path, opened with RESOLVE_NO_SYMLINKS */
        MSRC_POD,  /* relative to the pod directory (sharedVolumes/<name>) */
};

struct mount_op {
        enum mount_op_kind kind;
        char *source; /* kind-specific, see above */
        enum mount_source_base source_base;
        char *upper, *work;  /* MOP_ROOTFS_OVERLAY */
        char *target;        /* inside the rootfs ("/dev/null"); rootfs path for MOP_ROOTFS_* */
        char *data;          /* mount data (tmpfs/devpts options) */
        unsigned long flags; /* MS_* */
        mode_t mode;         /* MOP_DEVNODE, MOP_DIR */
        unsigned dev_major, dev_minor;
        bool recursive, read_only;
        bool if_missing; /* MOP_ETC_FILE: only where the app has no such file */
};

struct mount_plan {
        char *rootfs; /* absolute path of the app rootfs mount point */
        struct mount_op *ops;
        size_t n_ops;
};

/* A file bound over one of every app's /etc files (stage1/dns.h: resolv.conf, hosts). */
struct mount_etc_file {
        const char *target; /* "/etc/resolv.conf" */
        const char *source; /* pod-relative (MSRC_POD) or absolute (MSRC_HOST, symlinks followed:
                               the host's own /etc/resolv.conf often is one) */
        enum mount_source_base base;
        bool if_missing;
};

/* Where things are for one pod (absolute paths; pod_dir is the pod directory). */
struct mount_paths {
        const char *pod_dir;
        const char *tree_store; /* runtime-config treeStorePath (overlay pods) */
        bool overlay;
        bool interactive;
        bool disable_paths; /* --disable-paths: no masked or read-only /proc paths, rw /sys */
        const struct cgroup_view *cgroups; /* the pod's cgroup dirs, for the apps' RO view */
        size_t n_cgroups;
        const struct mount_etc_file *etc_files;
        size_t n_etc_files;
};

/* The empty mode-0 file masked files are covered with, relative to the pod directory (created
 * by stage1 before any app filesystem is set up). */
#define MOUNT_MASK_FILE "stage1/masked"

/* What the apps' /proc and /sys hide or keep read-only (rkt's lists, rkt.md section 7
 * "paths", with Docker's additions; reliability.md 1d), sorted by path. Paths the kernel does
 * not have are skipped. */
struct mount_masked_path {
        const char *path;
        enum mount_op_kind kind; /* MOP_READONLY_BIND, MOP_MASK_FILE or MOP_MASK_DIR */
};
extern const struct mount_masked_path mount_masked_paths[];
extern const size_t n_mount_masked_paths;

/* The rootfs mount point of an app: <pod>/stage1/rootfs/opt/stage2/<app>/rootfs. */
char *mount_app_rootfs(const char *pod_dir, const char *app);

int mount_plan_app(const struct pod_app *app, const struct mount_paths *paths,
                   struct mount_plan *ret, struct ace_error **err);
void mount_plan_done(struct mount_plan *plan);

const char *mount_op_kind_name(enum mount_op_kind kind);

/* The device nodes every app gets (OS-SPEC), sorted by name; a unit test checks it. */
struct mount_devnode {
        const char *name;
        unsigned major, minor;
};
extern const struct mount_devnode mount_devnodes[];
extern const size_t n_mount_devnodes;
