/*
 * fs_tree.c - recursive tree operations under directory fds (see fs.h): rm -rf that never
 * follows a symlink nor crosses a mount point, and a metadata-preserving tree copy (used for
 * `--no-overlay` pods). Pure libc: stage1 links this statically.
 */
#include "common/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

static int mnt_id(int fd, uint64_t *ret)
{
        struct statx stx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
                return -errno;
        *ret = (stx.stx_mask & STATX_MNT_ID)
                   ? stx.stx_mnt_id
                   : ((uint64_t)stx.stx_dev_major << 32 | stx.stx_dev_minor);
        return 0;
}

static char *join(const char *a, const char *b)
{
        if (!a || !*a || strcmp(a, ".") == 0)
                return xstrdup(b);
        return xasprintf("%s/%s", a, b);
}

/* ---- rm -rf -------------------------------------------------------------------------------- */

static int rm_children(int fd, uint64_t mnt, const char *where, struct ace_error **err);

static int rm_entry(int pfd, const char *name, uint64_t mnt, const char *where,
                    struct ace_error **err)
{
        struct stat st;
        int r;

        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : ace_error_errno(err, errno, "stat %s", where);
        if (!S_ISDIR(st.st_mode)) {
                if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
                        return ace_error_errno(err, errno, "remove %s", where);
                return 0;
        }
        _cleanup_close_ int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == EACCES && fchmodat(pfd, name, 0700, 0) == 0)
                fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", where);
        uint64_t m;
        if ((r = mnt_id(fd, &m)) < 0)
                return ace_error_errno(err, -r, "statx %s", where);
        if (m != mnt)
                return ace_error_make(err, EXDEV, "refusing to remove %s: it is a mount point",
                                      where);
        /* Our own files in a read-only dir (e.g. an extracted 0555 dir): make it writable. */
        if ((st.st_mode & 0700) != 0700 && st.st_uid == geteuid())
                (void)fchmod(fd, 0700);
        r = rm_children(fd, mnt, where, err);
        if (r < 0)
                return r;
        if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return ace_error_errno(err, errno, "remove directory %s", where);
        return 0;
}

static int rm_children(int fd, uint64_t mnt, const char *where, struct ace_error **err)
{
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (dfd < 0)
                return ace_error_errno(err, errno, "dup %s", where);
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return ace_error_errno(err, errno, "opendir %s", where);
        }
        for (errno = 0; (de = readdir(d)); errno = 0) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *child = join(where, de->d_name);
                int r = rm_entry(fd, de->d_name, mnt, child, err);
                if (r < 0)
                        return r;
        }
        if (errno)
                return ace_error_errno(err, errno, "readdir %s", where);
        return 0;
}

int fs_rm_rf_at(int dirfd, const char *path, unsigned flags, struct ace_error **err)
{
        uint64_t mnt;
        struct stat st;
        int r;
        const char *p = path && *path ? path : ".";

        if ((r = mnt_id(dirfd, &mnt)) < 0)
                return ace_error_errno(err, -r, "statx");
        if (fstatat(dirfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT && (flags & FS_RM_MISSING_OK))
                        return 0;
                return ace_error_errno(err, errno, "remove %s", p);
        }
        if (!(flags & FS_RM_CONTENTS_ONLY))
                return rm_entry(dirfd, p, mnt, p, err);
        if (!S_ISDIR(st.st_mode))
                return ace_error_make(err, ENOTDIR, "empty %s: not a directory", p);
        _cleanup_close_ int fd = openat(dirfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", p);
        uint64_t m;
        if ((r = mnt_id(fd, &m)) < 0)
                return ace_error_errno(err, -r, "statx %s", p);
        return rm_children(fd, m, p, err);
}

/* ---- copy ---------------------------------------------------------------------------------- */

struct link_ent {
        dev_t dev;
        ino_t ino;
        char *dst; /* path relative to the destination root */
};

struct copy_ctx {
        int dst_root;
        unsigned flags;
        uint64_t src_mnt;
        struct link_ent *links;
        size_t n_links, cap_links;
};

static int copy_xattrs(int src, int dst, const char *where, struct ace_error **err)
{
        ssize_t n = flistxattr(src, NULL, 0);
        _cleanup_free_ char *names = NULL;

        if (n < 0)
                return errno == ENOTSUP ? 0 : ace_error_errno(err, errno, "list xattrs %s", where);
        if (n == 0)
                return 0;
        names = xmalloc((size_t)n);
        n = flistxattr(src, names, (size_t)n);
        if (n < 0)
                return ace_error_errno(err, errno, "list xattrs %s", where);
        for (char *k = names; k < names + n; k += strlen(k) + 1) {
                ssize_t vl = fgetxattr(src, k, NULL, 0);
                if (vl < 0)
                        return ace_error_errno(err, errno, "get xattr %s of %s", k, where);
                _cleanup_free_ char *v = xmalloc((size_t)vl + 1);
                vl = fgetxattr(src, k, v, (size_t)vl);
                if (vl < 0)
                        return ace_error_errno(err, errno, "get xattr %s of %s", k, where);
                if (fsetxattr(dst, k, v, (size_t)vl, 0) < 0)
                        return ace_error_errno(err, errno, "set xattr %s on %s", k, where);
        }
        return 0;
}

/* Owner, xattrs, mode (after chown: chown clears setuid bits), then times. */
static int copy_meta_fd(struct copy_ctx *c, int src, int dst, const struct stat *st,
                        const char *where, struct ace_error **err)
{
        struct timespec ts[2] = {st->st_atim, st->st_mtim};
        int r;

        if (!(c->flags & FS_COPY_NO_OWNERS) && fchown(dst, st->st_uid, st->st_gid) < 0)
                return ace_error_errno(err, errno, "chown %s", where);
        if (!(c->flags & FS_COPY_NO_XATTRS) && (r = copy_xattrs(src, dst, where, err)) < 0)
                return r;
        if (fchmod(dst, st->st_mode & 07777) < 0)
                return ace_error_errno(err, errno, "chmod %s", where);
        if (futimens(dst, ts) < 0)
                return ace_error_errno(err, errno, "set times of %s", where);
        return 0;
}

int fs_copy_data(int src, int dst, const char *where, struct ace_error **err)
{
        if (ioctl(dst, FICLONE, src) == 0)
                return 0;
        for (;;) {
                ssize_t n = copy_file_range(src, NULL, dst, NULL, 1 << 30, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno == EINTR)
                        continue;
                if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
                        return ace_error_errno(err, errno, "copy %s", where);
                break;
        }
        char buf[65536];
        for (;;) {
                ssize_t n = TEMP_FAILURE_RETRY(read(src, buf, sizeof(buf)));
                if (n < 0)
                        return ace_error_errno(err, errno, "read %s", where);
                if (n == 0)
                        return 0;
                int r = fs_write_all(dst, buf, (size_t)n, err);
                if (r < 0)
                        return ace_error_wrap(err, "copy %s", where);
        }
}

static const char *find_link(struct copy_ctx *c, const struct stat *st)
{
        for (size_t i = 0; i < c->n_links; i++)
                if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
                        return c->links[i].dst;
        return NULL;
}

static int copy_node(struct copy_ctx *c, int spfd, const char *sname, int dpfd, const char *dname,
                     const char *rel, struct ace_error **err);

static int copy_dir(struct copy_ctx *c, int sfd, int dfd, const char *rel, struct ace_error **err)
{
        int tmp = fcntl(sfd, F_DUPFD_CLOEXEC, 3);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        char **names = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        if (tmp < 0)
                return ace_error_errno(err, errno, "dup %s", rel);
        d = fdopendir(tmp);
        if (!d) {
                close(tmp);
                return ace_error_errno(err, errno, "opendir %s", rel);
        }
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                names = xgrow(names, &cap, n + 1, sizeof(*names));
                names[n++] = xstrdup(de->d_name);
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *child = join(rel, names[i]);
                r = copy_node(c, sfd, names[i], dfd, names[i], child, err);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

static int copy_special(struct copy_ctx *c, int spfd, const char *sname, int dpfd,
                        const char *dname, const struct stat *st, const char *rel,
                        struct ace_error **err)
{
        struct timespec ts[2] = {st->st_atim, st->st_mtim};

        if (S_ISLNK(st->st_mode)) {
                _cleanup_free_ char *target = xmalloc((size_t)st->st_size + 2);
                ssize_t n = readlinkat(spfd, sname, target, (size_t)st->st_size + 1);
                if (n < 0 || n > st->st_size)
                        return ace_error_errno(err, n < 0 ? errno : EIO, "readlink %s", rel);
                target[n] = '\0';
                if (symlinkat(target, dpfd, dname) < 0)
                        return ace_error_errno(err, errno, "symlink %s", rel);
        } else if (mknodat(dpfd, dname, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0) {
                return ace_error_errno(err, errno, "mknod %s", rel);
        }
        if (!(c->flags & FS_COPY_NO_OWNERS) &&
            fchownat(dpfd, dname, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "chown %s", rel);
        if (!S_ISLNK(st->st_mode) &&
            fchmodat(dpfd, dname, st->st_mode & 07777, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "chmod %s", rel);
        if (utimensat(dpfd, dname, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "set times of %s", rel);
        return 0;
}

static int copy_node(struct copy_ctx *c, int spfd, const char *sname, int dpfd, const char *dname,
                     const char *rel, struct ace_error **err)
{
        struct stat st;
        int r;

        if (fstatat(spfd, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "stat %s", rel);
        if (S_ISSOCK(st.st_mode))
                return 0;
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
                const char *prev = find_link(c, &st);
                if (prev) {
                        if (linkat(c->dst_root, prev, dpfd, dname, 0) < 0)
                                return ace_error_errno(err, errno, "link %s to %s", rel, prev);
                        return 0;
                }
                c->links = xgrow(c->links, &c->cap_links, c->n_links + 1, sizeof(*c->links));
                c->links[c->n_links++] = (struct link_ent){st.st_dev, st.st_ino, xstrdup(rel)};
        }
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int sfd =
                    openat(spfd, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int dfd = -EBADF;
                uint64_t m;
                if (sfd < 0)
                        return ace_error_errno(err, errno, "open %s", rel);
                if ((r = mnt_id(sfd, &m)) < 0)
                        return ace_error_errno(err, -r, "statx %s", rel);
                if (m != c->src_mnt)
                        return ace_error_make(err, EXDEV,
                                              "copy %s: refusing to cross a mount "
                                              "point",
                                              rel);
                if (mkdirat(dpfd, dname, 0700) < 0)
                        return ace_error_errno(err, errno, "mkdir %s", rel);
                dfd = openat(dpfd, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dfd < 0)
                        return ace_error_errno(err, errno, "open %s", rel);
                if (!*rel && c->dst_root < 0)
                        c->dst_root = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
                r = copy_dir(c, sfd, dfd, rel, err);
                if (r < 0)
                        return r;
                /* After the children: creating them changed the directory's mtime. */
                return copy_meta_fd(c, sfd, dfd, &st, rel, err);
        }
        if (S_ISREG(st.st_mode)) {
                _cleanup_close_ int sfd = openat(spfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int dfd = -EBADF;
                if (sfd < 0)
                        return ace_error_errno(err, errno, "open %s", rel);
                dfd =
                    openat(dpfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (dfd < 0)
                        return ace_error_errno(err, errno, "create %s", rel);
                if ((r = fs_copy_data(sfd, dfd, rel, err)) < 0)
                        return r;
                return copy_meta_fd(c, sfd, dfd, &st, rel, err);
        }
        return copy_special(c, spfd, sname, dpfd, dname, &st, rel, err);
}

int fs_copy_tree_at(int src_dirfd, const char *src_path, int dst_dirfd, const char *dst_path,
                    unsigned flags, struct ace_error **err)
{
        struct copy_ctx c = {.flags = flags, .dst_root = -EBADF};
        _cleanup_close_ int sp = -EBADF;
        int r;

        if (geteuid() != 0)
                c.flags |= FS_COPY_NO_OWNERS;
        sp = openat(src_dirfd, src_path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (sp < 0)
                return ace_error_errno(err, errno, "open %s", src_path);
        if ((r = mnt_id(sp, &c.src_mnt)) < 0)
                return ace_error_errno(err, -r, "statx %s", src_path);
        /* The destination root: its parent, so hard links resolve relative to the new tree. */
        /* Hard links are recorded relative to the new root, whose fd copy_node() keeps in
         * c.dst_root once it has created it. */
        r = copy_node(&c, src_dirfd, src_path, dst_dirfd, dst_path, "", err);
        if (c.dst_root >= 0)
                close(c.dst_root);
        for (size_t i = 0; i < c.n_links; i++)
                free(c.links[i].dst);
        free(c.links);
        if (r < 0)
                return ace_error_wrap(err, "copy %s to %s", src_path, dst_path);
        return 0;
}
