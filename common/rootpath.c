/* rootpath.c - openat2-confined path operations inside a rootfs (rootpath.h). */
#include "common/rootpath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

/* With RESOLVE_IN_ROOT or RESOLVE_BENEATH the kernel answers EAGAIN when a rename or a mount
 * anywhere on the system raced the resolution of a ".." component and it cannot prove the walk
 * stayed inside; openat2(2) says to retry. Busy hosts (other pods mounting) hit it for real. */
#define OPENAT2_EAGAIN_RETRIES 64

static int openat2_retry(int dirfd, const char *path, struct open_how *how)
{
        long fd = -1;

        for (int i = 0; i < OPENAT2_EAGAIN_RETRIES; i++) {
                fd = TEMP_FAILURE_RETRY(syscall(SYS_openat2, dirfd, path, how, sizeof(*how)));
                if (fd >= 0 || errno != EAGAIN)
                        break;
        }
        return fd < 0 ? -errno : (int)fd;
}

int path_open_resolve(int dirfd, const char *path, int flags, unsigned long long resolve)
{
        struct open_how how = {
                .flags = (unsigned long long)(flags | O_CLOEXEC),
                .resolve = resolve,
        };

        return openat2_retry(dirfd, path, &how);
}

int root_open(int rootfd, const char *path, int flags, mode_t mode, unsigned long long extra)
{
        struct open_how how = {
                .flags = (unsigned long long)(flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra,
        };

        /* An empty relative path means the root itself. openat2 refuses a mode without
         * O_CREAT/O_TMPFILE, so the mode only rides along there. */
        while (*path == '/')
                path++;
        if (!*path)
                path = ".";
        return openat2_retry(rootfd, path, &how);
}

int root_mkdir_p(int rootfd, const char *path, mode_t mode, struct ace_error **err)
{
        _cleanup_free_ char *copy = xstrdup(path);
        _cleanup_close_ int cur = -EBADF;
        char *save = NULL;

        cur = root_open(rootfd, "/", O_PATH | O_DIRECTORY, 0, 0);
        if (cur < 0)
                return ace_error_errno(err, -cur, "open root");
        /* One component at a time, each resolved relative to the previous directory but still
         * confined: the component fd is reopened through root_open() of the accumulated path,
         * so a symlink component that points "up and out" lands inside the root. */
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                int next;

                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0)
                        return ace_error_make(err, EINVAL, "path %s contains \"..\"", path);
                next = root_open(cur, c, O_PATH | O_DIRECTORY, 0, 0);
                if (next == -ENOENT) {
                        if (mkdirat(cur, c, mode) < 0 && errno != EEXIST)
                                return ace_error_errno(err, errno, "create %s in %s", c, path);
                        next = root_open(cur, c, O_PATH | O_DIRECTORY, 0, 0);
                }
                if (next < 0)
                        return ace_error_errno(err, -next, "open %s in %s", c, path);
                closep(&cur);
                cur = next;
        }
        return TAKE_FD(cur);
}

int root_read_file(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len,
                   struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        struct stat st;

        fd = root_open(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, 0);
        if (fd < 0)
                return ace_error_errno(err, -fd, "open %s", path);
        /* A FIFO or device at /etc/passwd must not block or feed us endless data. */
        if (fstat(fd, &st) < 0)
                return ace_error_errno(err, errno, "stat %s", path);
        if (!S_ISREG(st.st_mode))
                return ace_error_make(err, EINVAL, "%s is not a regular file", path);
        for (;;) {
                ssize_t n;
                buf = xgrow(buf, &cap, len + 4096 + 1, 1);
                n = TEMP_FAILURE_RETRY(read(fd, buf + len, cap - len - 1));
                if (n < 0)
                        return ace_error_errno(err, errno, "read %s", path);
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max)
                        return ace_error_make(err, EFBIG, "%s is larger than %zu bytes", path, max);
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}
