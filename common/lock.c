/* lock.c - flock(2) helpers for lock files and lock directories (see lock.h). */
#include "common/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

int lock_open_at(int dirfd, const char *path, unsigned flags, struct ace_error **err)
{
        int oflags = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
        int fd;

        if (flags & LOCK_DIRECTORY) {
                oflags |= O_RDONLY | O_DIRECTORY;
                if (flags & LOCK_CREATE) {
                        if (mkdirat(dirfd, path, 0700) < 0 && errno != EEXIST)
                                return ace_error_errno(err, errno, "create lock directory %s",
                                                       path);
                }
        } else {
                oflags |= O_RDWR;
                if (flags & LOCK_CREATE)
                        oflags |= O_CREAT;
        }
        fd = openat(dirfd, path, oflags, 0600);
        if (fd < 0)
                return ace_error_errno(err, errno, "open lock %s", path);
        return fd;
}

int lock_fd(int fd, enum lock_mode mode, unsigned flags, struct ace_error **err)
{
        int op = mode == LOCK_MODE_EXCLUSIVE ? LOCK_EX : LOCK_SH;

        if (flags & LOCK_NONBLOCK)
                op |= LOCK_NB;
        if (TEMP_FAILURE_RETRY(flock(fd, op)) < 0) {
                if (errno == EWOULDBLOCK)
                        return ace_error_make(err, EWOULDBLOCK, "lock is held by another process");
                return ace_error_errno(err, errno, "flock");
        }
        return 0;
}

int lock_unlock(int fd, struct ace_error **err)
{
        if (flock(fd, LOCK_UN) < 0)
                return ace_error_errno(err, errno, "unlock");
        return 0;
}

int lock_acquire_at(int dirfd, const char *path, enum lock_mode mode, unsigned flags,
                    const char *what, struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = lock_open_at(dirfd, path, flags, err);
        if (fd < 0)
                return fd;
        r = lock_fd(fd, mode, flags, err);
        if (r < 0)
                return ace_error_wrap(err, "%s %s", what ? what : "lock", path);
        return TAKE_FD(fd);
}

int lock_is_held_at(int dirfd, const char *path, enum lock_mode mode, unsigned flags,
                    struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = lock_open_at(dirfd, path, flags & ~LOCK_CREATE, err);
        if (fd < 0)
                return fd;
        r = lock_fd(fd, mode, LOCK_NONBLOCK, NULL);
        if (r == -EWOULDBLOCK)
                return 1;
        if (r < 0)
                return ace_error_errno(err, -r, "probe lock %s", path);
        return 0;
}
