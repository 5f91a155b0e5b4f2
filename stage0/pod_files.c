/*
 * pod_files.c - the small files of a pod and of its users: UUID generation and --uuid-file,
 * reading pod files relative to the pod directory fd, creation and start times, the pid.
 */
#include "stage0/pod.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define POD_FILE_MAX (64u << 20)

int pod_uuid_generate(char ret[POD_UUID_LEN + 1], struct ace_error **err)
{
        unsigned char b[16];
        size_t got = 0;

        while (got < sizeof(b)) {
                ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return ace_error_errno(err, errno, "generating a pod UUID");
                }
                got += (size_t)n;
        }
        b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
        b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
        snprintf(ret, POD_UUID_LEN + 1,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                 b[15]);
        return 0;
}

static int read_all(int fd, size_t max, char **ret, size_t *ret_len, struct ace_error **err,
                    const char *what)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        for (;;) {
                ssize_t n;
                buf = xgrow(buf, &cap, len + 4096 + 1, 1);
                n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return ace_error_errno(err, errno, "reading %s", what);
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max)
                        return ace_error_make(err, EFBIG, "%s is larger than %zu bytes", what, max);
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int pod_uuid_file_read(const char *path, char ret[POD_UUID_LEN + 1], struct ace_error **err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        if (fd < 0)
                return ace_error_errno(err, errno, "unable to read UUID from file %s", path);
        r = read_all(fd, 4096, &buf, &len, err, path);
        if (r < 0)
                return r;
        while (len > 0 && isspace((unsigned char)buf[len - 1]))
                buf[--len] = '\0';
        if (!pod_uuid_valid(buf))
                return ace_error_make(err, EINVAL, "invalid UUID \"%s\" in file %s", buf, path);
        for (size_t i = 0; i <= POD_UUID_LEN; i++)
                ret[i] = (char)tolower((unsigned char)buf[i]);
        return 0;
}

int pod_uuid_file_write(const char *path, const char *uuid, struct ace_error **err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.XXXXXX", path);
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        _cleanup_free_ char *line = xasprintf("%s\n", uuid);
        size_t len = strlen(line);

        if (fd < 0)
                return ace_error_errno(err, errno, "saving UUID to %s", path);
        if (write(fd, line, len) != (ssize_t)len || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
                int e = errno ? errno : EIO;
                unlink(tmp);
                return ace_error_errno(err, e, "saving UUID to %s", path);
        }
        if (rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                return ace_error_errno(err, e, "saving UUID to %s", path);
        }
        return 0;
}

int pod_read_file(struct pod *pod, const char *name, char **ret, size_t *ret_len,
                  struct ace_error **err)
{
        _cleanup_free_ char *what = xasprintf("%s of pod %s", name, pod->uuid);
        _cleanup_close_ int fd = openat(pod->fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return ace_error_errno(err, errno, "opening %s", what);
        return read_all(fd, POD_FILE_MAX, ret, ret_len, err, what);
}

static int mtime_of(struct pod *pod, const char *name, struct timespec *ret)
{
        struct stat st;

        if (fstatat(pod->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        *ret = st.st_mtim;
        return 0;
}

int pod_created_time(struct pod *pod, struct timespec *ret)
{
        if (mtime_of(pod, "pod-created", ret) == 0)
                return 0;
        return mtime_of(pod, "pod", ret);
}

int pod_started_time(struct pod *pod, struct timespec *ret)
{
        return mtime_of(pod, "pid", ret);
}

int pod_read_pid(struct pod *pod, pid_t *ret, struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        char *end;
        long v;
        int r;

        r = pod_read_file(pod, "pid", &buf, NULL, err);
        if (r < 0)
                return r;
        errno = 0;
        v = strtol(buf, &end, 10);
        while (*end && isspace((unsigned char)*end))
                end++;
        if (errno || end == buf || *end || v <= 0 || v > INT_MAX)
                return ace_error_make(err, EINVAL, "invalid pid file of pod %s", pod->uuid);
        *ret = (pid_t)v;
        return 0;
}
