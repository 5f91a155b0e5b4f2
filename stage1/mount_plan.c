/*
 * mount_plan.c - build an app's mount plan (mount_plan.h).
 *
 * The order is the contract; each step says why it sits where it does:
 *   1. the rootfs mount (overlay or bind): everything else lands inside it;
 *   2. /proc, /sys, /dev directories ensured (image symlinks there are replaced, never followed:
 *      T-21), then the API filesystems mounted on them;
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
        { "full", 1, 7 },
        { "null", 1, 3 },
        { "random", 1, 8 },
        { "tty", 5, 0 },
        { "urandom", 1, 9 },
        { "zero", 1, 5 },
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
        [MOP_ETC_FILE] = "etc-file",
};

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
        *op = (struct mount_op){ .kind = kind, .target = xstrdup(target) };
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
        add_fs(p, MOP_SYSFS, "/sys", nosuid_nodev_noexec | MS_RDONLY, NULL);
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
        struct mount_plan p = { .rootfs = mount_app_rootfs(paths->pod_dir, app->name) };
        int r;

        if ((r = plan_rootfs(app, paths, &p, err)) < 0)
                goto fail;
        plan_api_filesystems(paths, &p);
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
