/*
 * rootpath.h - path operations confined to a root directory fd.
 *
 * Every lookup inside an app rootfs (an image-controlled tree) goes through openat2(2) with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: absolute symlinks and `..` resolve as if the rootfs
 * were `/`, and /proc magic links (`/proc/self/fd/N`, `/proc/1/root`) are refused, so nothing an
 * image contains can make the runtime open, create or mount over a host path (T-20, T-21, T-32).
 * Requires Linux >= 5.6; on older kernels the calls fail with ENOSYS (no unsafe fallback).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

/* openat2(rootfd, path, flags | O_CLOEXEC, mode) resolved inside rootfd; returns the fd or
 * -errno. `path` may be absolute (it is taken relative to the root). `extra` adds RESOLVE_*
 * flags (e.g. RESOLVE_NO_SYMLINKS). */
int root_open(int rootfd, const char *path, int flags, mode_t mode, unsigned long long extra);

/* Opens (as O_PATH|O_DIRECTORY) the directory `path` inside rootfd, creating missing components
 * with `mode` (owner root). A component that exists but is not a directory is an error
 * (ENOTDIR). Returns the fd or -errno with a message. */
int root_mkdir_p(int rootfd, const char *path, mode_t mode, struct ace_error **err);

/* Reads a whole regular file inside rootfd, at most max bytes (EFBIG beyond). *ret is
 * NUL-terminated and owned by the caller. */
int root_read_file(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len,
                   struct ace_error **err);

/* openat2(dirfd, path, ...) with only the given resolve flags (not confined): for host paths
 * that must not contain symlinks (volume sources: RESOLVE_NO_SYMLINKS). */
int path_open_resolve(int dirfd, const char *path, int flags, unsigned long long resolve);
