/*
 * mount_plan.c - build an app's mount plan (mount_plan.h).
 *
 * The order is the contract; each step says why it sits where it does:
 *   1. the rootfs mount (overlay or bind): everything else lands inside it;
 *   2. /proc, /sys, /dev directories ensured (image symlinks there are replaced, never followed:
 *      T-21), then the API filesystems mounted on them; the masked and read-only /proc and /sys
 *      paths right after their filesystem (they cover paths in it), then the read-only view of
 *      the app's own cgroup at /sys/fs/cgroup (a tmpfs filled with binds, then made read-only);
 *   3. /dev contents after the /dev tmpfs (they live on it), devpts and shm/mqueue after the
 *      directories they mount on;
 *   4. /etc/mtab symlink (only when missing) -- after /proc so the link has a target;
 *   5. volumes (overlapping targets are refused), after the API filesystems so a volume under
 *      /dev or /sys is not hidden by them;
 *   6. readOnlyRootFS last: the remount only touches the rootfs mount, the volume and API mounts
 *      below it keep their own flags (rkt's "RW holes").
 *   4b. /etc/resolv.conf and /etc/hosts (stage1/dns.h) -- after /etc/mtab for the same reason
 *      as volumes come after the API filesystems: a volume on /etc must win over them.
 */
#include "stage1/mount_plan.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

const struct mount_devnode mount_devnodes[] = {
    {"full", 1, 7}, {"null", 1, 3},    {"random", 1, 8},
    {"tty", 5, 0},  {"urandom", 1, 9}, {"zero", 1, 5},
};
const size_t n_mount_devnodes = ARRAY_SIZE(mount_devnodes);

static const char *const op_names[_MOP_MAX] = {
    [MOP_ROOTFS_OVERLAY] = "rootfs-overlay",
    [MOP_ROOTFS_BIND] = "rootfs-bind",
    [MOP_DIR] = "dir",
    [MOP_PROC] = "proc",
    [MOP_SYSFS] = "sysfs",
    [MOP_TMPFS] = "tmpfs",
    [MOP_DEVPTS] = "devpts",
    [MOP_MQUEUE] = "mqueue",
    [MOP_DEVNODE] = "devnode",
    [MOP_SYMLINK] = "symlink",
    [MOP_BIND] = "bind",
    [MOP_ROOT_READONLY] = "root-readonly",
    [MOP_READONLY_BIND] = "readonly-bind",
    [MOP_MASK_FILE] = "mask-file",
    [MOP_MASK_DIR] = "mask-dir",
    [MOP_READONLY] = "readonly",
    [MOP_ETC_FILE] = "etc-file",
};

const struct mount_masked_path mount_masked_paths[] = {
    {"/proc/acpi", MOP_MASK_DIR},
    {"/proc/asound", MOP_MASK_DIR},
    {"/proc/bus", MOP_READONLY_BIND},
    {"/proc/config.gz", MOP_MASK_FILE},
    {"/proc/fs", MOP_READONLY_BIND},
    {"/proc/irq", MOP_READONLY_BIND},
    {"/proc/kallsyms", MOP_MASK_FILE},
    {"/proc/kcore", MOP_MASK_FILE},
    {"/proc/keys", MOP_MASK_FILE},
    {"/proc/kmem", MOP_MASK_FILE},
    {"/proc/latency_stats", MOP_MASK_FILE},
    {"/proc/mem", MOP_MASK_FILE},
    {"/proc/sched_debug", MOP_MASK_FILE},
    {"/proc/scsi", MOP_MASK_DIR},
    {"/proc/sys", MOP_READONLY_BIND},
    {"/proc/sysrq-trigger", MOP_READONLY_BIND},
    {"/proc/timer_list", MOP_MASK_FILE},
    {"/proc/timer_stats", MOP_MASK_FILE},
    {"/sys/devices/virtual/powercap", MOP_MASK_DIR},
    {"/sys/firmware", MOP_MASK_DIR},
    {"/sys/hypervisor", MOP_MASK_DIR},
    {"/sys/kernel/debug", MOP_MASK_DIR},
    {"/sys/kernel/security", MOP_MASK_DIR},
    {"/sys/power", MOP_MASK_DIR},
};
const size_t n_mount_masked_paths = ARRAY_SIZE(mount_masked_paths);

const char *mount_op_kind_name(enum mount_op_kind kind)
{
        return (unsigned)kind < _MOP_MAX ? op_names[kind] : "?";
}

char *mount_app_rootfs(const char *pod_dir, const char *app)
{
        return xasprintf("%s/stage1/rootfs/opt/stage2/%s/rootfs", pod_dir, app);
}

void mount_plan_done(struct mount_plan *plan)
{
        for (size_t i = 0; i < plan->n_ops; i++) {
                struct mount_op *op = &plan->ops[i];
                free(op->source);
                free(op->upper);
                free(op->work);
                free(op->target);
                free(op->data);
        }
        free(plan->ops);
        free(plan->rootfs);
        memset(plan, 0, sizeof(*plan));
}

static struct mount_op *add(struct mount_plan *p, enum mount_op_kind kind, const char *target)
{
        struct mount_op *op;

        p->ops = xrealloc(p->ops, (p->n_ops + 1) * sizeof(*p->ops));
        op = &p->ops[p->n_ops++];
        *op = (struct mount_op){.kind = kind, .target = xstrdup(target)};
        return op;
}

static struct mount_op *add_fs(struct mount_plan *p, enum mount_op_kind kind, const char *target,
                               unsigned long flags, const char *data)
{
        struct mount_op *op = add(p, kind, target);

        op->flags = flags;
        op->data = data ? xstrdup(data) : NULL;
        return op;
}

/* overlayfs splits its options on ',' and lowerdir on ':'; such paths cannot be passed. */
static int check_overlay_path(const char *what, const char *path, struct ace_error **err)
{
        if (strpbrk(path, ",:\\"))
                return ace_error_make(err, EINVAL, "%s %s contains ',', ':' or '\\'", what, path);
        return 0;
}

static int plan_rootfs(const struct pod_app *app, const struct mount_paths *paths,
                       struct mount_plan *p, struct ace_error **err)
{
        struct mount_op *op;
        int r;

        if (!paths->overlay) {
                op = add(p, MOP_ROOTFS_BIND, p->rootfs);
                op->source = xstrdup(p->rootfs);
                return 0;
        }
        if (!app->tree_id || !*app->tree_id || strchr(app->tree_id, '/') ||
            strcmp(app->tree_id, "..") == 0)
                return ace_error_make(err, EINVAL, "app %s: bad or missing treeStoreID", app->name);
        op = add(p, MOP_ROOTFS_OVERLAY, p->rootfs);
        op->source = xasprintf("%s/%s/rootfs", paths->tree_store, app->tree_id);
        op->upper = xasprintf("%s/overlay/%s/upper/%s", paths->pod_dir, app->tree_id, app->name);
        op->work = xasprintf("%s/overlay/%s/work/%s", paths->pod_dir, app->tree_id, app->name);
        if ((r = check_overlay_path("tree", op->source, err)) < 0 ||
            (r = check_overlay_path("pod directory", op->upper, err)) < 0)
                return r;
        return 0;
}

static void plan_api_filesystems(const struct mount_paths *paths, struct mount_plan *p)
{
        const unsigned long nosuid_nodev_noexec = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        struct mount_op *op;

        add(p, MOP_DIR, "/proc")->mode = 0555;
        add_fs(p, MOP_PROC, "/proc", nosuid_nodev_noexec, NULL);
        add(p, MOP_DIR, "/sys")->mode = 0555;
        add_fs(p, MOP_SYSFS, "/sys", nosuid_nodev_noexec | (paths->disable_paths ? 0 : MS_RDONLY),
               NULL);
        if (!paths->disable_paths)
                for (size_t i = 0; i < n_mount_masked_paths; i++) {
                        op = add(p, mount_masked_paths[i].kind, mount_masked_paths[i].path);
                        if (op->kind == MOP_MASK_FILE) {
                                op->source = xstrdup(MOUNT_MASK_FILE);
                                op->source_base = MSRC_POD;
                        }
                }
        add(p, MOP_DIR, "/dev")->mode = 0755;
        add_fs(p, MOP_TMPFS, "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
        for (size_t i = 0; i < n_mount_devnodes; i++) {
                _cleanup_free_ char *t = xasprintf("/dev/%s", mount_devnodes[i].name);
                op = add(p, MOP_DEVNODE, t);
                op->mode = 0666;
                op->dev_major = mount_devnodes[i].major;
                op->dev_minor = mount_devnodes[i].minor;
        }
        add(p, MOP_DIR, "/dev/pts")->mode = 0755;
        add_fs(p, MOP_DEVPTS, "/dev/pts", MS_NOSUID | MS_NOEXEC,
               "newinstance,ptmxmode=0666,mode=0620,gid=5");
        add(p, MOP_SYMLINK, "/dev/ptmx")->source = xstrdup("pts/ptmx");
        add(p, MOP_DIR, "/dev/shm")->mode = 01777;
        add_fs(p, MOP_TMPFS, "/dev/shm", nosuid_nodev_noexec, "mode=1777,size=65536k");
        add(p, MOP_DIR, "/dev/mqueue")->mode = 0755;
        add_fs(p, MOP_MQUEUE, "/dev/mqueue", nosuid_nodev_noexec, NULL);
        add(p, MOP_SYMLINK, "/dev/fd")->source = xstrdup("/proc/self/fd");
        add(p, MOP_SYMLINK, "/dev/stdin")->source = xstrdup("/proc/self/fd/0");
        add(p, MOP_SYMLINK, "/dev/stdout")->source = xstrdup("/proc/self/fd/1");
        add(p, MOP_SYMLINK, "/dev/stderr")->source = xstrdup("/proc/self/fd/2");
        /* An interactive app's terminal is its console; a non-interactive pod has none. */
        if (paths->interactive) {
                op = add(p, MOP_BIND, "/dev/console");
                op->source = xstrdup("/dev/tty");
                op->source_base = MSRC_HOST;
        }
        add(p, MOP_SYMLINK, "/etc/mtab")->source = xstrdup("../proc/self/mounts");
}

/* The app's own cgroup, read-only: v1 gets a tmpfs with one directory per hierarchy (named as
 * on the host), v2 the app's cgroup directory itself. The app sees its limits and usage, but
 * nothing above its cgroup (no release_agent, no other pod) and can change nothing. */
static void plan_cgroup_view(const struct pod_app *app, const struct mount_paths *paths,
                             struct mount_plan *p)
{
        const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        struct mount_op *op;

        if (paths->n_cgroups == 0)
                return;
        if (paths->n_cgroups == 1 && !*paths->cgroups[0].name) {
                op = add(p, MOP_BIND, "/sys/fs/cgroup");
                op->source = xasprintf("%s/app-%s", paths->cgroups[0].dir, app->name);
                op->source_base = MSRC_HOST;
                op->read_only = true;
                return;
        }
        add_fs(p, MOP_TMPFS, "/sys/fs/cgroup", flags, "mode=755,size=64k");
        for (size_t i = 0; i < paths->n_cgroups; i++) {
                _cleanup_free_ char *t = xasprintf("/sys/fs/cgroup/%s", paths->cgroups[i].name);
                add(p, MOP_DIR, t)->mode = 0755;
                op = add(p, MOP_BIND, t);
                op->source = xasprintf("%s/app-%s", paths->cgroups[i].dir, app->name);
                op->source_base = MSRC_HOST;
                op->read_only = true;
        }
        add(p, MOP_READONLY, "/sys/fs/cgroup");
}

/* True if b is a (strict) descendant path of a. */
static bool path_below(const char *a, const char *b)
{
        size_t la = strlen(a);

        if (strcmp(a, "/") == 0)
                return strcmp(b, "/") != 0;
        return strncmp(a, b, la) == 0 && b[la] == '/';
}

static int plan_volumes(const struct pod_app *app, struct mount_plan *p, struct ace_error **err)
{
        size_t n = app->n_mounts;

        /* appc: overlapping targets SHOULD be an error; a mount on "/" would replace the app. */
        for (size_t i = 0; i < n; i++) {
                const char *pi = app->mounts[i].path;
                if (strcmp(pi, "/") == 0 || strstr(pi, "/../") || strstr(pi, "/./") ||
                    (strlen(pi) >= 3 && strcmp(pi + strlen(pi) - 3, "/..") == 0))
                        return ace_error_make(err, EINVAL, "app %s: bad mount path %s", app->name,
                                              pi);
                for (size_t j = 0; j < n; j++)
                        if (i != j && (strcmp(pi, app->mounts[j].path) == 0 ||
                                       path_below(pi, app->mounts[j].path)))
                                return ace_error_make(err, EINVAL,
                                                      "app %s: mounts at %s and %s overlap",
                                                      app->name, pi, app->mounts[j].path);
        }
        for (size_t i = 0; i < n; i++) {
                const struct pod_mount *m = &app->mounts[i];
                const struct pod_volume *v = m->volume;
                struct mount_op *op = add(p, MOP_BIND, m->path);

                op->read_only = m->read_only;
                if (v->kind == POD_VOLUME_HOST) {
                        op->source = xstrdup(v->source);
                        op->source_base = MSRC_HOST;
                        op->recursive = v->recursive;
                } else {
                        op->source = xasprintf("sharedVolumes/%s", v->name);
                        op->source_base = MSRC_POD;
                        op->recursive = false;
                }
        }
        return 0;
}

int mount_plan_app(const struct pod_app *app, const struct mount_paths *paths,
                   struct mount_plan *ret, struct ace_error **err)
{
        struct mount_plan p = {.rootfs = mount_app_rootfs(paths->pod_dir, app->name)};
        int r;

        if ((r = plan_rootfs(app, paths, &p, err)) < 0)
                goto fail;
        plan_api_filesystems(paths, &p);
        plan_cgroup_view(app, paths, &p);
        for (size_t i = 0; i < paths->n_etc_files; i++) {
                struct mount_op *op = add(&p, MOP_ETC_FILE, paths->etc_files[i].target);
                op->source = xstrdup(paths->etc_files[i].source);
                op->source_base = paths->etc_files[i].base;
                op->if_missing = paths->etc_files[i].if_missing;
                op->read_only = true;
        }
        if ((r = plan_volumes(app, &p, err)) < 0)
                goto fail;
        if (app->read_only_rootfs)
                add(&p, MOP_ROOT_READONLY, "/");
        *ret = p;
        return 0;
fail:
        mount_plan_done(&p);
        return r;
}
