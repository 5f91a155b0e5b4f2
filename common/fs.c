/*
 * fs.c - openat-safe file helpers: beneath-resolution (the one openat2 wrapper of the tree, with
 * its EAGAIN retry and its no-openat2 fallback), mkdir -p, whole-file read, atomic write,
 * directory fsync and archive entry name normalisation (see fs.h). Tree walks (rm -rf, copy)
 * live in fs_tree.c. Pure libc: stage1 links this statically.
 */
#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

bool fs_openat2_disabled(void)
{
        const char *e = getenv("ACE_TEST_NO_OPENAT2");
        return e && *e && strcmp(e, "0") != 0;
}

/* With RESOLVE_IN_ROOT or RESOLVE_BENEATH the kernel answers EAGAIN when a rename or a mount
 * anywhere on the system raced the resolution of a ".." component and it cannot prove the walk
 * stayed inside; openat2(2) says to retry. Busy hosts (other pods mounting) hit it for real, so
 * the runtime retries, but a bounded number of times. */
#define OPENAT2_EAGAIN_RETRIES 64

/* openat2 with kernel RESOLVE_* flags; the fd or -errno (-ENOSYS: no openat2, or forced off). */
static int openat2_retry(int dirfd, const char *path, int flags, mode_t mode,
                         unsigned long long resolve)
{
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            /* openat2 refuses a mode without O_CREAT/O_TMPFILE. */
            .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
            .resolve = resolve,
        };
        long fd = -1;

        if (fs_openat2_disabled())
                return -ENOSYS;
        for (int i = 0; i < OPENAT2_EAGAIN_RETRIES; i++) {
                fd = TEMP_FAILURE_RETRY(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
                if (fd >= 0 || errno != EAGAIN)
                        break;
        }
        return fd < 0 ? -errno : (int)fd;
}

static int openat2_beneath(int dirfd, const char *path, int flags, mode_t mode, unsigned resolve)
{
        unsigned long long how = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

        if (resolve & FS_RESOLVE_NO_SYMLINKS)
                how |= RESOLVE_NO_SYMLINKS;
        if (resolve & FS_RESOLVE_NO_XDEV)
                how |= RESOLVE_NO_XDEV;
        return openat2_retry(dirfd, path, flags, mode, how);
}

static int mount_id_of(int fd, const char *name, uint64_t *ret)
{
        struct statx stx;

        if (statx(fd, name, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
                return -errno;
        *ret = (stx.stx_mask & STATX_MNT_ID)
                   ? stx.stx_mnt_id
                   : ((uint64_t)stx.stx_dev_major << 32 | stx.stx_dev_minor);
        return 0;
}

/* Opens comp in cur as a directory without following it. A symlink is ELOOP, a non-directory
 * ENOTDIR. */
static int open_dir_component(int cur, const char *comp)
{
        int fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        if (fd >= 0)
                return fd;
        if (errno == ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode))
                return -ELOOP;
        return -errno;
}

/* The ENOSYS / forced fallback: component walk; symlinks and ".." are errors. */
static int walk_beneath(int dirfd, const char *path, int flags, mode_t mode, unsigned resolve)
{
        _cleanup_free_ char *copy = xstrdup(path);
        _cleanup_close_ int cur = -EBADF;
        uint64_t root_mnt = 0;
        char *save = NULL, *comp, *next;
        int r;

        if ((resolve & FS_RESOLVE_NO_XDEV) && (r = mount_id_of(dirfd, "", &root_mnt)) < 0)
                return r;
        cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -errno;
        comp = strtok_r(copy, "/", &save);
        while (comp && strcmp(comp, ".") == 0)
                comp = strtok_r(NULL, "/", &save);
        if (!comp) {
                int fd = openat(cur, ".", flags | O_CLOEXEC, mode);
                return fd < 0 ? -errno : fd;
        }
        for (;;) {
                next = strtok_r(NULL, "/", &save);
                while (next && strcmp(next, ".") == 0)
                        next = strtok_r(NULL, "/", &save);
                if (strcmp(comp, "..") == 0)
                        return -EXDEV;
                if (!next)
                        break;
                int fd = open_dir_component(cur, comp);
                if (fd < 0)
                        return fd;
                closep(&cur);
                cur = fd;
                if (resolve & FS_RESOLVE_NO_XDEV) {
                        uint64_t m;
                        if ((r = mount_id_of(cur, "", &m)) < 0)
                                return r;
                        if (m != root_mnt)
                                return -EXDEV;
                }
                comp = next;
        }
        int fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        return fd;
}

int fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve)
{
        int fd;

        /* An absolute path is taken relative to the root; an empty one is the root. */
        while (*path == '/')
                path++;
        if (!*path)
                path = ".";
        fd = openat2_beneath(rootfd, path, flags, mode, resolve);
        if (fd == -ENOSYS)
                fd = walk_beneath(rootfd, path, flags, mode, resolve);
        return fd;
}

int fs_open_no_symlinks(int dirfd, const char *path, int flags)
{
        _cleanup_close_ int root = -EBADF;
        int fd = openat2_retry(dirfd, path, flags, 0, RESOLVE_NO_SYMLINKS);

        if (fd != -ENOSYS)
                return fd;
        /* The fallback walk is confined to its start: "/" for an absolute path. */
        if (path[0] == '/') {
                root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        return -errno;
                dirfd = root;
        }
        return fs_open_in_root(dirfd, path, flags, 0, FS_RESOLVE_NO_SYMLINKS);
}

int fs_openat_beneath_flags(int dirfd, const char *path, int flags, mode_t mode, unsigned resolve,
                            struct ace_error **err)
{
        int fd = fs_open_in_root(dirfd, path, flags, mode, resolve);

        if (fd < 0) {
                if (fd == -EXDEV)
                        return ace_error_make(err, EXDEV,
                                              "open %s: path leaves the root or "
                                              "crosses a mount point",
                                              path);
                if (fd == -ELOOP)
                        return ace_error_make(err, ELOOP, "open %s: refusing to follow a symlink",
                                              path);
                return ace_error_errno(err, -fd, "open %s", path);
        }
        return fd;
}

int fs_openat_beneath(int dirfd, const char *path, int flags, mode_t mode, struct ace_error **err)
{
        return fs_openat_beneath_flags(dirfd, path, flags, mode, 0, err);
}

int fs_mkdir_p_at(int dirfd, const char *path, mode_t mode, unsigned flags, int *ret_fd,
                  struct ace_error **err)
{
        _cleanup_free_ char *norm = NULL;
        _cleanup_close_ int cur = -EBADF;
        char *save = NULL;
        int r;

        if (path[0] == '\0') {
                norm = xstrdup(".");
        } else {
                r = fs_path_normalize_relative(path, &norm, err);
                if (r < 0)
                        return r;
        }
        cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return ace_error_errno(err, errno, "mkdir %s: open base directory", path);
        for (char *comp = strtok_r(norm, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                if (strcmp(comp, ".") == 0)
                        continue;
                int fd = open_dir_component(cur, comp);
                if (fd == -ENOENT) {
                        if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST)
                                return ace_error_errno(err, errno, "mkdir %s (at %s)", path, comp);
                        fd = open_dir_component(cur, comp);
                } else if ((fd == -ENOTDIR || fd == -ELOOP) && (flags & FS_MKDIR_REPLACE)) {
                        /* Replace, never follow: the link itself is removed. */
                        if (unlinkat(cur, comp, 0) < 0)
                                return ace_error_errno(err, errno, "mkdir %s: replace %s", path,
                                                       comp);
                        if (mkdirat(cur, comp, mode) < 0)
                                return ace_error_errno(err, errno, "mkdir %s (at %s)", path, comp);
                        fd = open_dir_component(cur, comp);
                }
                if (fd == -ENOTDIR || fd == -ELOOP)
                        return ace_error_make(err, ENOTDIR, "mkdir %s: %s is %s, not a directory",
                                              path, comp, fd == -ELOOP ? "a symlink" : "a file");
                if (fd < 0)
                        return ace_error_errno(err, -fd, "mkdir %s (at %s)", path, comp);
                closep(&cur);
                cur = fd;
        }
        if (ret_fd) {
                int fd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return ace_error_errno(err, errno, "open %s", path);
                *ret_fd = fd;
        }
        return 0;
}

int fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, struct ace_error **err)
{
        _cleanup_free_ char *copy = xstrdup(path);
        _cleanup_close_ int cur = -EBADF;
        char *save = NULL;

        cur = fs_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0, 0);
        if (cur < 0)
                return ace_error_errno(err, -cur, "open root");
        /* One component at a time, each resolved in the root from the previous directory, so a
         * symlink component that points "up and out" lands inside the root. */
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int next;

                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0)
                        return ace_error_make(err, EINVAL, "path %s contains \"..\"", path);
                next = fs_open_in_root(cur, c, O_PATH | O_DIRECTORY, 0, 0);
                if (next == -ENOENT) {
                        if (mkdirat(cur, c, mode) < 0 && errno != EEXIST)
                                return ace_error_errno(err, errno, "create %s in %s", c, path);
                        next = fs_open_in_root(cur, c, O_PATH | O_DIRECTORY, 0, 0);
                }
                if (next < 0)
                        return ace_error_errno(err, -next, "open %s in %s", c, path);
                closep(&cur);
                cur = next;
        }
        return TAKE_FD(cur);
}

int fs_read_file_in_root(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len,
                         struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = fs_open_in_root(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, 0);
        if (fd < 0)
                return ace_error_errno(err, -fd, "open %s", path);
        /* A FIFO or device at /etc/passwd must not block or feed us endless data. */
        if (fstat(fd, &st) < 0)
                return ace_error_errno(err, errno, "stat %s", path);
        if (!S_ISREG(st.st_mode))
                return ace_error_make(err, EINVAL, "%s is not a regular file", path);
        return fs_read_fd(fd, path, max, ret, ret_len, err);
}

int fs_read_fd(int fd, const char *what, size_t max_size, char **ret_buf, size_t *ret_len,
               struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                if (len + 1 >= cap || cap - len < 4096) {
                        size_t want = len + 65536;
                        if (want > max_size + 2)
                                want = max_size + 2;
                        if (want <= len + 1)
                                return ace_error_make(err, EFBIG, "%s: larger than %zu bytes", what,
                                                      max_size);
                        buf = xrealloc(buf, want);
                        cap = want;
                }
                ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf + len, cap - len - 1));
                if (n < 0)
                        return ace_error_errno(err, errno, "read %s", what);
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max_size)
                        return ace_error_make(err, EFBIG, "%s: larger than %zu bytes", what,
                                              max_size);
        }
        buf = xrealloc(buf, len + 1);
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret_buf = TAKE_PTR(buf);
        return 0;
}

int fs_read_file_at(int dirfd, const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
                    struct ace_error **err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", path);
        return fs_read_fd(fd, path, max_size, ret_buf, ret_len, err);
}

int fs_write_all(int fd, const void *buf, size_t len, struct ace_error **err)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = TEMP_FAILURE_RETRY(write(fd, p, len));
                if (n < 0)
                        return ace_error_errno(err, errno, "write");
                if (n == 0)
                        return ace_error_make(err, EIO, "write: no progress");
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int fs_fsync_dir(int dirfd, const char *path, struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        int use = dirfd;

        if (path) {
                fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return ace_error_errno(err, errno, "open directory %s", path);
                use = fd;
        }
        if (fsync(use) < 0)
                return ace_error_errno(err, errno, "fsync directory %s", path ? path : ".");
        return 0;
}

int fs_write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                            struct ace_error **err)
{
        _cleanup_free_ char *dir = NULL, *tmp = NULL;
        _cleanup_close_ int pfd = -EBADF, fd = -EBADF;
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        unsigned char rnd[8];
        char hex[17];
        int r;

        if (!*base)
                return ace_error_make(err, EINVAL, "write %s: no file name", path);
        dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
        pfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return ace_error_errno(err, errno, "write %s: open directory", path);
        if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                return ace_error_errno(err, errno, "write %s: getrandom", path);
        for (size_t i = 0; i < sizeof(rnd); i++)
                snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
        tmp = xasprintf(".#%s.%s", base, hex);
        fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return ace_error_errno(err, errno, "write %s: create temp file", path);
        r = fs_write_all(fd, data, len, err);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = ace_error_errno(err, errno, "chmod");
        if (r >= 0 && fsync(fd) < 0)
                r = ace_error_errno(err, errno, "fsync");
        if (r >= 0 && renameat(pfd, tmp, pfd, base) < 0)
                r = ace_error_errno(err, errno, "rename");
        if (r < 0) {
                (void)unlinkat(pfd, tmp, 0);
                return ace_error_wrap(err, "write %s", path);
        }
        if (fsync(pfd) < 0)
                return ace_error_errno(err, errno, "write %s: fsync directory", path);
        return 0;
}

int fs_path_normalize_relative(const char *name, char **ret, struct ace_error **err)
{
        size_t n = strlen(name);
        _cleanup_free_ char *out = xmalloc(n + 2);
        size_t olen = 0;
        const char *p = name;

        if (n == 0)
                return ace_error_make(err, EINVAL, "entry with an empty name");
        if (name[0] == '/')
                return ace_error_make(err, EINVAL, "entry %s: absolute names are not allowed",
                                      name);
        while (*p) {
                const char *e = strchrnul(p, '/');
                size_t cl = (size_t)(e - p);
                if (cl == 2 && p[0] == '.' && p[1] == '.')
                        return ace_error_make(err, EINVAL,
                                              "entry %s: \"..\" components are not allowed", name);
                if (cl > 0 && !(cl == 1 && p[0] == '.')) {
                        if (olen)
                                out[olen++] = '/';
                        memcpy(out + olen, p, cl);
                        olen += cl;
                }
                p = *e ? e + 1 : e;
        }
        if (olen == 0)
                out[olen++] = '.';
        out[olen] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

size_t fs_path_depth(const char *normalized)
{
        size_t d = 1;

        if (strcmp(normalized, ".") == 0 || !*normalized)
                return 0;
        for (const char *p = normalized; *p; p++)
                if (*p == '/')
                        d++;
        return d;
}
