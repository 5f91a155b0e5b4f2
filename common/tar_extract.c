/*
 * tar_extract.c - validated extraction of an ACI beneath a directory fd (see tar.h).
 *
 * Every entry passes tar_rules_check() first. Parents are opened beneath the target with
 * openat2(RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS) (or the O_NOFOLLOW component walk) and created
 * with fs_mkdir_p_at(), so a symlink in a parent position is an error (or, when layering, is
 * replaced by a directory) and is never followed. New inodes are created with O_EXCL /
 * O_NOFOLLOW / *at() calls in that parent; metadata goes through the new fd or
 * *at(AT_SYMLINK_NOFOLLOW), never through a path that could be a link (CVE-2021-32760). Hard
 * links never get metadata applied (it would land on the target inode).
 *
 * Order per regular file: data, chown, xattrs, chmod, times — a write clears
 * security.capability and chown clears setuid bits and capabilities, so each step comes after
 * what would undo it. Directory modes and times are applied at the end, children first, since
 * creating children changes a directory's mtime and a read-only directory would block them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/tar_internal.h"
#include "common/xalloc.h"

struct dir_fixup {
        char *rel;
        mode_t mode;
        struct timespec ts[2];
};

struct extractor {
        int root;
        const struct tar_extract_opts *o;
        struct tar_stream *s;
        char *cache_path; /* parent directory cache: entries arrive grouped by directory */
        int cache_fd;
        struct dir_fixup *dirs;
        size_t n_dirs, cap_dirs;
};

void tar_extract_opts_init(struct tar_extract_opts *o)
{
        *o = (struct tar_extract_opts){0};
        tar_limits_default(&o->limits);
}

static void cache_drop(struct extractor *x)
{
        free(x->cache_path);
        x->cache_path = NULL;
        closep(&x->cache_fd);
}

static int get_parent(struct extractor *x, const char *parent, const char *name, int *ret,
                      struct ace_error **err)
{
        int fd, r;

        if (x->cache_path && strcmp(x->cache_path, parent) == 0) {
                *ret = x->cache_fd;
                return 0;
        }
        cache_drop(x);
        fd = fs_openat_beneath_flags(x->root, parent, O_PATH | O_DIRECTORY, 0,
                                     FS_RESOLVE_NO_SYMLINKS, NULL);
        if (fd < 0) {
                /* Missing, or a symlink/file in the way: mkdir -p never follows, and replaces
                 * only when layering. */
                unsigned fl = (x->o->flags & TAR_EXTRACT_OVERWRITE) ? FS_MKDIR_REPLACE : 0;
                r = fs_mkdir_p_at(x->root, parent, 0755, fl, &fd, err);
                if (r < 0)
                        return ace_error_wrap(err, "entry %s", name);
        }
        x->cache_path = xstrdup(parent);
        x->cache_fd = fd;
        *ret = fd;
        return 0;
}

/* Returns 1 when an existing directory is to be reused, 0 when the name is free. */
static int prepare_target(struct extractor *x, int pfd, const char *base, mode_t type,
                          const char *name, struct ace_error **err)
{
        struct stat st;
        int r;

        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return ace_error_errno(err, errno, "entry %s: stat", name);
        }
        if (type == S_IFDIR && S_ISDIR(st.st_mode))
                return 1;
        if (!(x->o->flags & TAR_EXTRACT_OVERWRITE))
                return ace_error_make(err, EEXIST, "entry %s: already exists in the target", name);
        if (S_ISDIR(st.st_mode)) {
                r = fs_rm_rf_at(pfd, base, 0, err);
                if (r < 0)
                        return ace_error_wrap(err, "entry %s: replacing a directory", name);
        } else if (unlinkat(pfd, base, 0) < 0) {
                return ace_error_errno(err, errno, "entry %s: replacing", name);
        }
        /* A removed directory may be the cached parent of later entries. */
        cache_drop(x);
        return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
        ts[1] = archive_entry_mtime_is_set(e)
                    ? (struct timespec){archive_entry_mtime(e), archive_entry_mtime_nsec(e)}
                    : (struct timespec){0, UTIME_OMIT};
        ts[0] = archive_entry_atime_is_set(e)
                    ? (struct timespec){archive_entry_atime(e), archive_entry_atime_nsec(e)}
                    : ts[1];
}

static int entry_owner(struct archive_entry *e, const char *name, uid_t *uid, gid_t *gid,
                       struct ace_error **err)
{
        la_int64_t u = archive_entry_uid(e), g = archive_entry_gid(e);

        if (u < 0 || u >= (la_int64_t)UINT32_MAX || g < 0 || g >= (la_int64_t)UINT32_MAX)
                return ace_error_make(err, EINVAL, "entry %s: owner %lld:%lld out of range", name,
                                      (long long)u, (long long)g);
        *uid = (uid_t)u;
        *gid = (gid_t)g;
        return 0;
}

/* fd >= 0: through the fd; else the inode (a symlink, device or fifo) named base in pfd, via
 * the /proc/self/fd path of the parent and l*xattr, which does not follow the last component. */
static int set_xattrs(struct extractor *x, struct archive_entry *e, int fd, int pfd,
                      const char *base, const char *name, struct ace_error **err)
{
        const char *k;
        const void *v;
        size_t sz;
        char path[64 + 256];

        if (archive_entry_xattr_reset(e) == 0)
                return 0;
        if (fd < 0)
                snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", pfd, base);
        while (archive_entry_xattr_next(e, &k, &v, &sz) == ARCHIVE_OK) {
                int r = fd >= 0 ? fsetxattr(fd, k, v, sz, 0) : lsetxattr(path, k, v, sz, 0);
                if (r == 0)
                        continue;
                if (errno == EPERM && (x->o->flags & TAR_EXTRACT_NO_OWNERS) &&
                    (strncmp(k, "security.", 9) == 0 || strncmp(k, "trusted.", 8) == 0))
                        continue;
                return ace_error_errno(err, errno, "entry %s: set xattr %s", name, k);
        }
        return 0;
}

static int fd_meta(struct extractor *x, struct archive_entry *e, int fd, const char *name,
                   bool chmod_now, struct ace_error **err)
{
        struct timespec ts[2];
        uid_t uid;
        gid_t gid;
        int r;

        if (!(x->o->flags & TAR_EXTRACT_NO_OWNERS)) {
                if ((r = entry_owner(e, name, &uid, &gid, err)) < 0)
                        return r;
                if (fchown(fd, uid, gid) < 0)
                        return ace_error_errno(err, errno, "entry %s: chown", name);
        }
        if ((r = set_xattrs(x, e, fd, -1, NULL, name, err)) < 0)
                return r;
        if (!chmod_now)
                return 0;
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return ace_error_errno(err, errno, "entry %s: chmod", name);
        entry_times(e, ts);
        if (futimens(fd, ts) < 0)
                return ace_error_errno(err, errno, "entry %s: set times", name);
        return 0;
}

/* chmod on a non-symlink through *at: fchmodat2(AT_SYMLINK_NOFOLLOW) where the kernel has it. */
static int chmod_nofollow(int pfd, const char *base, mode_t mode)
{
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
        if (syscall(SYS_fchmodat2, pfd, base, mode, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;
        return fchmodat(pfd, base, mode, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int at_meta(struct extractor *x, struct archive_entry *e, int pfd, const char *base,
                   bool is_link, const char *name, struct ace_error **err)
{
        struct timespec ts[2];
        uid_t uid;
        gid_t gid;
        int r;

        if (!(x->o->flags & TAR_EXTRACT_NO_OWNERS)) {
                if ((r = entry_owner(e, name, &uid, &gid, err)) < 0)
                        return r;
                if (fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return ace_error_errno(err, errno, "entry %s: chown", name);
        }
        if ((r = set_xattrs(x, e, -1, pfd, base, name, err)) < 0)
                return r;
        if (!is_link && (r = chmod_nofollow(pfd, base, archive_entry_perm(e) & 07777)) < 0)
                return ace_error_errno(err, -r, "entry %s: chmod", name);
        entry_times(e, ts);
        if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "entry %s: set times", name);
        return 0;
}

static int write_data(struct extractor *x, int fd, uint64_t size, const char *name,
                      struct ace_error **err)
{
        uint64_t end = 0;

        for (;;) {
                const void *buf;
                size_t sz;
                la_int64_t off;
                int h = archive_read_data_block(x->s->tar, &buf, &sz, &off);
                if (h == ARCHIVE_EOF)
                        break;
                if (TAR_LA_FAILED(h))
                        return tar_stream_error(x->s, x->s->tar, name, err);
                /* pwrite at the block's offset: holes of sparse entries stay holes. */
                for (size_t done = 0; done < sz;) {
                        ssize_t n = pwrite(fd, (const char *)buf + done, sz - done,
                                           (off_t)off + (off_t)done);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                return ace_error_errno(err, n < 0 ? errno : EIO, "entry %s: write",
                                                       name);
                        done += (size_t)n;
                }
                if ((uint64_t)off + sz > end)
                        end = (uint64_t)off + sz;
        }
        if (end < size && ftruncate(fd, (off_t)size) < 0)
                return ace_error_errno(err, errno, "entry %s: truncate", name);
        return 0;
}

static int extract_file(struct extractor *x, struct archive_entry *e, int pfd, const char *base,
                        const struct tar_entry_info *info, struct ace_error **err)
{
        _cleanup_close_ int fd = openat(
            pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        int r;

        if (fd < 0)
                return ace_error_errno(err, errno, "entry %s: create", info->name);
        if ((r = write_data(x, fd, info->size, info->name, err)) < 0)
                return r;
        return fd_meta(x, e, fd, info->name, true, err);
}

static int extract_dir(struct extractor *x, struct archive_entry *e, int pfd, const char *base,
                       const char *rel, bool exists, const struct tar_entry_info *info,
                       struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!exists && mkdirat(pfd, base, 0700) < 0)
                return ace_error_errno(err, errno, "entry %s: mkdir", info->name);
        fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "entry %s: open", info->name);
        if ((r = fd_meta(x, e, fd, info->name, false, err)) < 0)
                return r;
        x->dirs = xgrow(x->dirs, &x->cap_dirs, x->n_dirs + 1, sizeof(*x->dirs));
        struct dir_fixup *d = &x->dirs[x->n_dirs++];
        d->rel = xstrdup(rel);
        d->mode = archive_entry_perm(e) & 07777;
        entry_times(e, d->ts);
        return 0;
}

static char *map_path(struct extractor *x, const char *name)
{
        bool rootfs_only = x->o->flags & TAR_EXTRACT_ROOTFS_ONLY;

        if (strcmp(name, "rootfs") == 0)
                return xstrdup(rootfs_only ? "." : "rootfs");
        return xstrdup(rootfs_only ? name + 7 : name);
}

static int extract_hardlink(struct extractor *x, int pfd, const char *base,
                            const struct tar_entry_info *info, struct ace_error **err)
{
        _cleanup_free_ char *target = map_path(x, info->hardlink);
        _cleanup_close_ int tpfd = -EBADF;
        char *slash = strrchr(target, '/');
        const char *tbase = slash ? slash + 1 : target;

        if (slash)
                *slash = '\0';
        tpfd = fs_openat_beneath_flags(x->root, slash ? target : ".", O_PATH | O_DIRECTORY, 0,
                                       FS_RESOLVE_NO_SYMLINKS, NULL);
        if (tpfd == -ENOENT && x->o->filter)
                return 0; /* the target's directory was filtered out */
        if (tpfd < 0)
                return ace_error_errno(err, -tpfd, "entry %s: hard link target %s", info->name,
                                       info->hardlink);
        /* No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself. */
        if (linkat(tpfd, tbase, pfd, base, 0) < 0) {
                if (errno == ENOENT && x->o->filter)
                        return 0; /* the target was filtered out */
                return ace_error_errno(err, errno, "entry %s: link to %s", info->name,
                                       info->hardlink);
        }
        return 0;
}

static int extract_entry(struct extractor *x, struct archive_entry *e,
                         const struct tar_entry_info *info, const char *rel, struct ace_error **err)
{
        _cleanup_free_ char *parent = xstrdup(rel);
        char *slash = strrchr(parent, '/');
        const char *base = slash ? slash + 1 : parent;
        int pfd, r;

        if (strcmp(rel, ".") == 0) {
                /* rootfs itself in rootfs-only mode: the target directory. */
                return extract_dir(x, e, x->root, ".", ".", true, info, err);
        }
        if (slash)
                *slash = '\0';
        r = get_parent(x, slash ? parent : ".", info->name, &pfd, err);
        if (r < 0)
                return r;
        r = prepare_target(x, pfd, base, info->hardlink ? S_IFREG : info->type, info->name, err);
        if (r < 0)
                return r;
        if (r == 0 && x->cache_fd < 0 &&
            (r = get_parent(x, slash ? parent : ".", info->name, &pfd, err)) < 0)
                return r;
        if (info->hardlink)
                return extract_hardlink(x, pfd, base, info, err);
        switch (info->type) {
        case S_IFREG:
                return extract_file(x, e, pfd, base, info, err);
        case S_IFDIR:
                return extract_dir(x, e, pfd, base, rel, r == 1, info, err);
        case S_IFLNK:
                if (symlinkat(archive_entry_symlink(e), pfd, base) < 0)
                        return ace_error_errno(err, errno, "entry %s: symlink", info->name);
                return at_meta(x, e, pfd, base, true, info->name, err);
        default: /* S_IFCHR, S_IFBLK, S_IFIFO */
                if (mknodat(pfd, base, info->type | 0600, archive_entry_rdev(e)) < 0)
                        return ace_error_errno(err, errno, "entry %s: mknod", info->name);
                return at_meta(x, e, pfd, base, false, info->name, err);
        }
}

static int write_manifest(struct extractor *x, struct archive_entry *e, const char *data,
                          size_t len, struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        int r = prepare_target(x, x->root, "manifest", S_IFREG, "manifest", err);

        if (r < 0)
                return r;
        fd =
            openat(x->root, "manifest", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return ace_error_errno(err, errno, "entry manifest: create");
        if ((r = fs_write_all(fd, data, len, err)) < 0)
                return ace_error_wrap(err, "entry manifest");
        return fd_meta(x, e, fd, "manifest", true, err);
}

/* Children before parents: reverse order of creation. */
static int apply_dir_fixups(struct extractor *x, struct ace_error **err)
{
        for (size_t i = x->n_dirs; i-- > 0;) {
                struct dir_fixup *d = &x->dirs[i];
                _cleanup_close_ int fd =
                    fs_openat_beneath_flags(x->root, d->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0,
                                            FS_RESOLVE_NO_SYMLINKS, err);
                if (fd < 0)
                        return ace_error_wrap(err, "finishing directory %s", d->rel);
                if (fchmod(fd, d->mode) < 0)
                        return ace_error_errno(err, errno, "directory %s: chmod", d->rel);
                if (futimens(fd, d->ts) < 0)
                        return ace_error_errno(err, errno, "directory %s: set times", d->rel);
        }
        return 0;
}

static bool filtered_out(struct extractor *x, const struct tar_entry_info *info)
{
        if (!x->o->filter)
                return false;
        _cleanup_free_ char *app =
            info->kind == TAR_ENTRY_ROOTFS ? xstrdup("/") : xstrdup(info->name + 6);
        return !x->o->filter(x->o->filter_userdata, app, info->type);
}

static int extract_one(struct extractor *x, struct tar_rules *rules, struct tar_result *out,
                       struct ace_error **err)
{
        struct archive_entry *e;
        struct tar_entry_info info;
        int h = archive_read_next_header(x->s->tar, &e);
        int r;

        if (h == ARCHIVE_EOF)
                return 0;
        if (h != ARCHIVE_OK && h != ARCHIVE_WARN)
                return tar_stream_error(x->s, x->s->tar, "reading tar", err);
        if ((r = tar_rules_check(rules, e, &info, err)) < 0)
                return r;
        if (info.kind == TAR_ENTRY_MANIFEST) {
                r = tar_read_entry_data(x->s, info.size, "manifest", &out->manifest,
                                        &out->manifest_len, err);
                if (r >= 0 && !(x->o->flags & TAR_EXTRACT_ROOTFS_ONLY))
                        r = write_manifest(x, e, out->manifest, out->manifest_len, err);
                return r < 0 ? r : 1;
        }
        if (filtered_out(x, &info)) {
                if (TAR_LA_FAILED(archive_read_data_skip(x->s->tar)))
                        return tar_stream_error(x->s, x->s->tar, info.name, err);
                return 1;
        }
        _cleanup_free_ char *rel = map_path(x, info.name);
        r = extract_entry(x, e, &info, rel, err);
        return r < 0 ? r : 1;
}

int tar_extract(const struct tar_input *in, int target_dirfd, const struct tar_extract_opts *opts,
                struct tar_result *res, struct ace_error **err)
{
        struct tar_extract_opts defaults;
        struct tar_stream s;
        struct tar_rules rules;
        struct tar_result out = {0};
        struct extractor x = {.root = target_dirfd, .s = &s, .cache_fd = -EBADF};
        int r;

        if (!opts) {
                tar_extract_opts_init(&defaults);
                opts = &defaults;
        }
        x.o = opts;
        *res = (struct tar_result){0};
        tar_rules_init(&rules, &opts->limits);
        r = tar_stream_open(&s, in, opts->limits.max_stream_size, opts->tee, opts->tee_userdata,
                            err);
        while (r >= 0 && (r = extract_one(&x, &rules, &out, err)) > 0)
                ;
        if (r >= 0)
                r = tar_rules_finish(&rules, err);
        if (r >= 0)
                r = apply_dir_fixups(&x, err);
        if (r >= 0)
                r = tar_stream_finish(&s, out.image_id, err);
        tar_result_take(r, &out, &s, &rules, res);
        cache_drop(&x);
        for (size_t i = 0; i < x.n_dirs; i++)
                free(x.dirs[i].rel);
        free(x.dirs);
        tar_stream_close(&s);
        tar_rules_done(&rules);
        return r;
}
