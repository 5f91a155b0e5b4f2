/*
 * cleanup.h - scope-bound ownership of resources through __attribute__((cleanup)).
 *
 * Declare owned resources with one of the _cleanup_*_ attributes; they are released when the
 * variable leaves scope. Move ownership out with TAKE_PTR()/TAKE_FD(). File descriptors start at
 * -EBADF. Every release function accepts NULL / negative fds. Module-specific cleanups (json-c,
 * libarchive) live next to their module: common/json.h, common/tar.h.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#ifndef TEMP_FAILURE_RETRY
#define TEMP_FAILURE_RETRY(expr)                                                                   \
        ({                                                                                         \
                long _r;                                                                           \
                do                                                                                 \
                        _r = (long)(expr);                                                         \
                while (_r == -1L && errno == EINTR);                                               \
                _r;                                                                                \
        })
#endif

/* Returns the pointer and leaves NULL behind, so the cleanup attribute no longer frees it. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _p = (p);                                                            \
                (p) = NULL;                                                                        \
                _p;                                                                                \
        })

/* Returns the fd and leaves -EBADF behind. */
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _fd = (fd);                                                                    \
                (fd) = -EBADF;                                                                     \
                _fd;                                                                               \
        })

static inline void freep(void *p)
{
        free(*(void **)p);
}

static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                (void)close(*fd);
                errno = saved;
        }
        *fd = -EBADF;
}

static inline void fclosep(FILE **f)
{
        if (*f)
                (void)fclose(*f);
        *f = NULL;
}

static inline void closedirp(DIR **d)
{
        if (*d)
                (void)closedir(*d);
        *d = NULL;
}

void strv_free(char **v);
static inline void strv_freep(char ***v)
{
        strv_free(*v);
        *v = NULL;
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_strv_free_ _cleanup_(strv_freep)
#define _cleanup_error_ _cleanup_(ace_error_freep)
