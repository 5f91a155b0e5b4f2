/*
 * lock.h - advisory flock(2) locks on lock files and directories (rkt's store, pod and prepare
 * locks). A lock is held by an open fd: closing the fd releases it, and a child that inherits
 * the fd (e.g. stage1 through RKT_LOCK_FD) keeps holding it.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"

enum lock_mode {
        LOCK_MODE_SHARED,
        LOCK_MODE_EXCLUSIVE,
};

enum {
        LOCK_NONBLOCK = 1 << 0,  /* fail with -EWOULDBLOCK instead of waiting */
        LOCK_CREATE = 1 << 1,    /* create the lock file (0600) if missing */
        LOCK_DIRECTORY = 1 << 2, /* the lock is a directory (opened O_DIRECTORY) */
};

/* Opens the lock file or directory at path (relative to dirfd) without taking a lock; returns
 * the fd (O_CLOEXEC; O_NOFOLLOW so a symlink planted at the lock path is refused). */
int lock_open_at(int dirfd, const char *path, unsigned flags, struct ace_error **err);

/* Takes (or converts) a lock on fd. With LOCK_NONBLOCK in flags a busy lock returns
 * -EWOULDBLOCK with an error saying so; EINTR is retried. */
int lock_fd(int fd, enum lock_mode mode, unsigned flags, struct ace_error **err);

/* Releases the lock on fd (the fd stays open). */
int lock_unlock(int fd, struct ace_error **err);

/* lock_open_at() + lock_fd(): returns the fd holding the lock. `what` names the lock in errors
 * ("pod lock", "image lock"); NULL uses the path. */
int lock_acquire_at(int dirfd, const char *path, enum lock_mode mode, unsigned flags,
                    const char *what, struct ace_error **err);

/* Whether some process holds a conflicting lock on path (probe with a non-blocking try).
 * Returns 1 if locked, 0 if free, -errno on error. */
int lock_is_held_at(int dirfd, const char *path, enum lock_mode mode, unsigned flags,
                    struct ace_error **err);
