/* podfiles.c - atomic small files in the pod directory (podfiles.h). */
#include "stage1/podfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

int podfile_write(int podfd, const char *path, const char *content, struct ace_error **err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp%d", path, (int)getpid());
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(content);

        fd = openat(podfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return ace_error_errno(err, errno, "create %s", tmp);
        if (TEMP_FAILURE_RETRY(write(fd, content, len)) != (ssize_t)len) {
                int e = errno ? errno : EIO;
                unlinkat(podfd, tmp, 0);
                return ace_error_errno(err, e, "write %s", tmp);
        }
        if (renameat(podfd, tmp, podfd, path) < 0) {
                int e = errno;
                unlinkat(podfd, tmp, 0);
                return ace_error_errno(err, e, "rename %s", path);
        }
        return 0;
}

int podfile_touch(int podfd, const char *path, struct ace_error **err)
{
        _cleanup_close_ int fd =
            openat(podfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

        if (fd < 0)
                return ace_error_errno(err, errno, "create %s", path);
        return 0;
}

int podfile_write_pid(int podfd, const char *path, pid_t pid, struct ace_error **err)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "%d\n", (int)pid);
        return podfile_write(podfd, path, buf, err);
}

int podfile_read_pid(int podfd, const char *path, pid_t *ret, struct ace_error **err)
{
        _cleanup_close_ int fd = openat(podfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        char buf[32], *end;
        ssize_t n;
        long v;

        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", path);
        n = TEMP_FAILURE_RETRY(read(fd, buf, sizeof(buf) - 1));
        if (n < 0)
                return ace_error_errno(err, errno, "read %s", path);
        buf[n] = 0;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno || end == buf || (*end && *end != '\n') || v <= 0 || v > (1 << 22))
                return ace_error_make(err, EINVAL, "%s does not hold a pid", path);
        *ret = (pid_t)v;
        return 0;
}
