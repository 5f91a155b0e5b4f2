/*
 * mount_apply.c - execute a mount plan (mount_plan.h) in the pod's mount namespace.
 *
 * Runs in the pod's PID 1 after the whole mount tree was made private, so nothing here reaches
 * the host. Every target inside the rootfs is opened with openat2 RESOLVE_IN_ROOT relative to the
 * rootfs fd and mounted through /proc/self/fd/N (the host's procfs, which the supervisor still
 * sees): the kernel mounts on exactly the inode we checked, whatever the image put in the path.
 */
#include "stage1/mount_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#define FD_PATH_MAX 32

static const char *fd_path(char buf[FD_PATH_MAX], int fd)
{
        snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

/* Splits "/dev/pts" into a parent fd (for "/dev", inside the root) and the name "pts". */
static int open_parent(int rootfd, const char *target, char **ret_name, struct ace_error **err)
{
        _cleanup_free_ char *a = xstrdup(target), *b = xstrdup(target);
        const char *dir = dirname(a), *base = basename(b);
        int fd;

        if (!*base || strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return ace_error_make(err, EINVAL, "bad target %s", target);
        fd = fs_open_in_root(rootfd, dir, O_PATH | O_DIRECTORY, 0, 0);
        if (fd < 0)
                return ace_error_errno(err, -fd, "open %s", dir);
        *ret_name = xstrdup(base);
        return fd;
}

/* A directory at target; anything else there (a symlink to / or to a canary) is removed first,
 * never followed: the image cannot steer where /proc, /sys or /dev get mounted (T-21). */
static int apply_dir(int rootfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int pfd = open_parent(rootfd, op->target, &name, err);
        struct stat st;

        if (pfd < 0)
                return pfd;
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (S_ISDIR(st.st_mode))
                        return 0;
                log_debug("replacing non-directory %s in the app rootfs", op->target);
                if (unlinkat(pfd, name, 0) < 0)
                        return ace_error_errno(err, errno, "remove non-directory %s", op->target);
        } else if (errno != ENOENT) {
                return ace_error_errno(err, errno, "stat %s", op->target);
        }
        if (mkdirat(pfd, name, op->mode) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir %s", op->target);
        return 0;
}

static int mount_fs_at(int rootfd, const struct mount_op *op, const char *fstype,
                       struct ace_error **err)
{
        _cleanup_close_ int tfd =
            fs_open_in_root(rootfd, op->target, O_PATH | O_DIRECTORY, 0, FS_RESOLVE_NO_SYMLINKS);
        char p[FD_PATH_MAX];

        if (tfd < 0)
                return ace_error_errno(err, -tfd, "open %s", op->target);
        if (mount(fstype, fd_path(p, tfd), fstype, op->flags, op->data) < 0)
                return ace_error_errno(err, errno, "mount %s on %s", fstype, op->target);
        return 0;
}

static int apply_devnode(int rootfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int pfd = open_parent(rootfd, op->target, &name, err);

        if (pfd < 0)
                return pfd;
        if (mknodat(pfd, name, S_IFCHR | op->mode, makedev(op->dev_major, op->dev_minor)) < 0)
                return ace_error_errno(err, errno, "mknod %s", op->target);
        /* mknod honours the umask; the node must be exactly 0666. */
        if (fchmodat(pfd, name, op->mode, 0) < 0)
                return ace_error_errno(err, errno, "chmod %s", op->target);
        return 0;
}

static int apply_symlink(int rootfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int pfd = -EBADF;
        struct stat st;

        pfd = open_parent(rootfd, op->target, &name, err);
        if (pfd == -ENOENT || pfd == -ENOTDIR) {
                /* No /etc in the image: no /etc/mtab either. */
                ace_error_freep(err);
                return 0;
        }
        if (pfd < 0)
                return pfd;
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return 0; /* the image's own wins (rkt: mtab only "if missing") */
        if (symlinkat(op->source, pfd, name) < 0)
                return ace_error_errno(err, errno, "symlink %s", op->target);
        return 0;
}

static int open_bind_source(int podfd, const struct mount_op *op, struct ace_error **err)
{
        int fd;

        if (op->source_base == MSRC_POD) {
                fd = openat(podfd, op->source, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return ace_error_errno(err, errno, "open %s in the pod", op->source);
                return fd;
        }
        /* appc: a missing source, or a symlink anywhere in it, is an error. */
        fd = fs_open_no_symlinks(AT_FDCWD, op->source, O_PATH);
        if (fd == -ELOOP)
                return ace_error_make(err, ELOOP, "volume source %s is or passes through a symlink",
                                      op->source);
        if (fd == -ENOENT)
                return ace_error_make(err, ENOENT, "volume source %s does not exist", op->source);
        if (fd < 0)
                return ace_error_errno(err, -fd, "open volume source %s", op->source);
        return fd;
}

/* The mount point for a bind: a directory for a directory, an empty file for anything else. */
static int make_bind_target(int rootfd, const char *target, bool dir, struct ace_error **err)
{
        _cleanup_free_ char *a = xstrdup(target);
        _cleanup_close_ int pfd = -EBADF, fd = -EBADF;

        if (dir)
                return fs_mkdir_p_in_root(rootfd, target, 0755, err);
        pfd = fs_mkdir_p_in_root(rootfd, dirname(a), 0755, err);
        if (pfd < 0)
                return pfd;
        fd = fs_open_in_root(rootfd, target, O_RDONLY | O_CREAT | O_NOFOLLOW, 0644, 0);
        if (fd < 0)
                return ace_error_errno(err, -fd, "create %s", target);
        closep(&fd);
        fd = fs_open_in_root(rootfd, target, O_PATH | O_NOFOLLOW, 0, 0);
        if (fd < 0)
                return ace_error_errno(err, -fd, "open %s", target);
        return TAKE_FD(fd);
}

static int apply_bind(int rootfd, int podfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_close_ int sfd = -EBADF, tfd = -EBADF, mfd = -EBADF;
        char sp[FD_PATH_MAX], tp[FD_PATH_MAX];
        struct stat st;
        int r;

        if ((sfd = open_bind_source(podfd, op, err)) < 0)
                return sfd;
        if (fstat(sfd, &st) < 0)
                return ace_error_errno(err, errno, "stat %s", op->source);
        if ((tfd = make_bind_target(rootfd, op->target, S_ISDIR(st.st_mode), err)) < 0)
                return ace_error_wrap(err, "mount point %s", op->target);
        if (mount(fd_path(sp, sfd), fd_path(tp, tfd), NULL, MS_BIND | (op->recursive ? MS_REC : 0),
                  NULL) < 0)
                return ace_error_errno(err, errno, "bind %s on %s", op->source, op->target);
        if (!op->read_only)
                return 0;
        /* Reopen: tfd is the covered directory, the new mount is what is there now. */
        mfd = fs_open_in_root(rootfd, op->target, O_PATH, 0, 0);
        if (mfd < 0)
                return ace_error_errno(err, -mfd, "reopen %s", op->target);
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        r = mount_setattr(mfd, "", AT_EMPTY_PATH | (op->recursive ? AT_RECURSIVE : 0), &attr,
                          sizeof(attr));
        if (r < 0)
                return ace_error_errno(err, errno, "make %s read-only", op->target);
        return 0;
}

/* Opens target for masking; 0 with *ret = -1 when the kernel has no such path (nothing to hide). */
static int open_optional(int rootfd, const char *target, int flags, int *ret,
                         struct ace_error **err)
{
        int fd = fs_open_in_root(rootfd, target, O_PATH | flags, 0, FS_RESOLVE_NO_SYMLINKS);

        *ret = -1;
        if (fd == -ENOENT || fd == -ENOTDIR)
                return 0;
        if (fd < 0)
                return ace_error_errno(err, -fd, "open %s", target);
        *ret = fd;
        return 0;
}

static int make_readonly(int rootfd, const char *target, bool recursive, struct ace_error **err)
{
        /* Reopened: the new mount is what is at target now, not the fd we mounted on. */
        _cleanup_close_ int mfd =
            fs_open_in_root(rootfd, target, O_PATH, 0, FS_RESOLVE_NO_SYMLINKS);
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

        if (mfd < 0)
                return ace_error_errno(err, -mfd, "reopen %s", target);
        if (mount_setattr(mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
                          sizeof(attr)) < 0)
                return ace_error_errno(err, errno, "make %s read-only", target);
        return 0;
}

/* /proc/sys and friends: the same files, through a read-only mount (writes give EROFS). */
static int apply_readonly_bind(int rootfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_close_ int tfd = -EBADF;
        char p[FD_PATH_MAX];
        int r;

        if ((r = open_optional(rootfd, op->target, 0, &tfd, err)) < 0 || tfd < 0)
                return r;
        if (mount(fd_path(p, tfd), fd_path(p, tfd), NULL, MS_BIND | MS_REC, NULL) < 0)
                return ace_error_errno(err, errno, "bind %s", op->target);
        return make_readonly(rootfd, op->target, true, err);
}

/* A hidden file: the pod's empty mode-0 file on top, read-only. */
static int apply_mask_file(int rootfd, int podfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_close_ int tfd = -EBADF, sfd = -EBADF;
        char sp[FD_PATH_MAX], tp[FD_PATH_MAX];
        struct stat st;
        int r;

        if ((r = open_optional(rootfd, op->target, 0, &tfd, err)) < 0 || tfd < 0)
                return r;
        if (fstat(tfd, &st) < 0)
                return ace_error_errno(err, errno, "stat %s", op->target);
        if (S_ISDIR(st.st_mode))
                return ace_error_make(err, EISDIR, "%s is a directory, not a file to mask",
                                      op->target);
        sfd = openat(podfd, op->source, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0)
                return ace_error_errno(err, errno, "open %s in the pod", op->source);
        if (mount(fd_path(sp, sfd), fd_path(tp, tfd), NULL, MS_BIND, NULL) < 0)
                return ace_error_errno(err, errno, "mask %s", op->target);
        return make_readonly(rootfd, op->target, false, err);
}

/* A hidden directory: an empty, read-only tmpfs with mode 0 on top. */
static int apply_mask_dir(int rootfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_close_ int tfd = -EBADF;
        char p[FD_PATH_MAX];
        int r;

        if ((r = open_optional(rootfd, op->target, O_DIRECTORY, &tfd, err)) < 0 || tfd < 0)
                return r;
        if (mount("tmpfs", fd_path(p, tfd), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=000,size=4k,nr_inodes=8") < 0)
                return ace_error_errno(err, errno, "mask %s", op->target);
        return 0;
}

/* resolv.conf/hosts: a regular file of the image is covered; a symlink (often into /run) is
 * replaced by an empty file to mount on, never followed; with if_missing an existing one
 * stays the app's. */
static int apply_etc_file(int rootfd, int podfd, const struct mount_op *op, struct ace_error **err)
{
        _cleanup_free_ char *a = xstrdup(op->target), *name = NULL;
        _cleanup_close_ int pfd = -EBADF, sfd = -EBADF, tfd = -EBADF;
        char sp[FD_PATH_MAX], tp[FD_PATH_MAX];
        struct stat st;

        pfd = fs_mkdir_p_in_root(rootfd, dirname(a), 0755, err);
        if (pfd < 0)
                return pfd;
        name = xstrdup(strrchr(op->target, '/') + 1);
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (op->if_missing || S_ISDIR(st.st_mode))
                        return 0;
                if (S_ISLNK(st.st_mode) && unlinkat(pfd, name, 0) < 0)
                        return ace_error_errno(err, errno, "replace symlink %s", op->target);
        }
        tfd = openat(pfd, name, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (tfd < 0)
                return ace_error_errno(err, errno, "create %s", op->target);
        sfd = op->source_base == MSRC_POD
                  ? openat(podfd, op->source, O_PATH | O_NOFOLLOW | O_CLOEXEC)
                  : open(op->source, O_PATH | O_CLOEXEC);
        if (sfd < 0)
                return ace_error_errno(err, errno, "open %s", op->source);
        if (mount(fd_path(sp, sfd), fd_path(tp, tfd), NULL, MS_BIND, NULL) < 0)
                return ace_error_errno(err, errno, "bind %s on %s", op->source, op->target);
        closep(&tfd);
        tfd = fs_open_in_root(rootfd, op->target, O_PATH, 0, 0);
        if (tfd < 0)
                return ace_error_errno(err, -tfd, "reopen %s", op->target);
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(tfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return ace_error_errno(err, errno, "make %s read-only", op->target);
        return 0;
}

static int apply_root_readonly(int rootfd, struct ace_error **err)
{
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

        if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return ace_error_errno(err, errno, "make the rootfs read-only");
        return 0;
}

/* mkdir -p of a path in the pod directory (stage0's tree, trusted, not image content). */
static int pod_mkdir_p(const char *path, struct ace_error **err)
{
        _cleanup_free_ char *p = xstrdup(path);

        for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return ace_error_errno(err, errno, "mkdir %s", p);
                if (!s)
                        return 0;
                *s = '/';
        }
}

static int apply_rootfs(const struct mount_op *op, struct ace_error **err)
{
        _cleanup_free_ char *data = NULL;
        int r;

        /* The mount point lives in the pod directory (stage1/rootfs/opt/stage2/<app>/rootfs);
         * upper and work are normally made by stage0 at prepare time. */
        if ((r = pod_mkdir_p(op->target, err)) < 0)
                return r;
        if (op->kind == MOP_ROOTFS_BIND) {
                if (mount(op->source, op->target, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return ace_error_errno(err, errno, "bind rootfs %s", op->target);
                return 0;
        }
        if ((r = pod_mkdir_p(op->upper, err)) < 0 || (r = pod_mkdir_p(op->work, err)) < 0)
                return r;
        data = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", op->source, op->upper, op->work);
        if (mount("overlay", op->target, "overlay", 0, data) < 0)
                return ace_error_errno(err, errno, "mount overlay on %s (lower %s)", op->target,
                                       op->source);
        return 0;
}

static int apply_one(int rootfd, int podfd, const struct mount_op *op, struct ace_error **err)
{
        switch (op->kind) {
        case MOP_DIR:
                return apply_dir(rootfd, op, err);
        case MOP_PROC:
                return mount_fs_at(rootfd, op, "proc", err);
        case MOP_SYSFS:
                return mount_fs_at(rootfd, op, "sysfs", err);
        case MOP_TMPFS:
                return mount_fs_at(rootfd, op, "tmpfs", err);
        case MOP_DEVPTS:
                return mount_fs_at(rootfd, op, "devpts", err);
        case MOP_MQUEUE:
                return mount_fs_at(rootfd, op, "mqueue", err);
        case MOP_DEVNODE:
                return apply_devnode(rootfd, op, err);
        case MOP_SYMLINK:
                return apply_symlink(rootfd, op, err);
        case MOP_BIND:
                return apply_bind(rootfd, podfd, op, err);
        case MOP_ROOT_READONLY:
                return apply_root_readonly(rootfd, err);
        case MOP_READONLY_BIND:
                return apply_readonly_bind(rootfd, op, err);
        case MOP_MASK_FILE:
                return apply_mask_file(rootfd, podfd, op, err);
        case MOP_MASK_DIR:
                return apply_mask_dir(rootfd, op, err);
        case MOP_READONLY:
                return make_readonly(rootfd, op->target, false, err);
        case MOP_ETC_FILE:
                return apply_etc_file(rootfd, podfd, op, err);
        case MOP_ROOTFS_OVERLAY:
        case MOP_ROOTFS_BIND:
        case _MOP_MAX:
                break;
        }
        return ace_error_make(err, EINVAL, "mount op %s out of place",
                              mount_op_kind_name(op->kind));
}

int mount_plan_apply(const struct mount_plan *plan, int podfd, struct ace_error **err)
{
        _cleanup_close_ int rootfd = -EBADF;
        int r;

        if (plan->n_ops == 0 ||
            (plan->ops[0].kind != MOP_ROOTFS_OVERLAY && plan->ops[0].kind != MOP_ROOTFS_BIND))
                return ace_error_make(err, EINVAL, "mount plan does not start with the rootfs");
        if ((r = apply_rootfs(&plan->ops[0], err)) < 0)
                return r;
        /* Opened after the rootfs mount: this fd is the mount's root, the anchor of every other
         * operation and the handle the read-only remount acts on. */
        rootfd = open(plan->rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rootfd < 0)
                return ace_error_errno(err, errno, "open rootfs %s", plan->rootfs);
        for (size_t i = 1; i < plan->n_ops; i++) {
                const struct mount_op *op = &plan->ops[i];
                if ((r = apply_one(rootfd, podfd, op, err)) < 0)
                        return ace_error_wrap(err, "%s %s", mount_op_kind_name(op->kind),
                                              op->target);
        }
        return 0;
}
