/*
 * fs.h - openat-safe file helpers: "fd first, path second".
 *
 * Every operation on an image tree is relative to a directory fd and never follows a symlink out
 * of it. fs_openat_beneath() uses openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) (optionally
 * RESOLVE_NO_SYMLINKS); where the kernel lacks openat2 (ENOSYS) it walks the path one component
 * at a time with O_PATH|O_NOFOLLOW and treats every symlink as an error (ELOOP) and every ".."
 * as an error (EXDEV). Setting ACE_TEST_NO_OPENAT2=1 in the environment forces the fallback so
 * tests can exercise it (as crun's no_openat2).
 *
 * This file is pure libc: stage1 links it statically.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* Resolution flags for fs_openat_beneath_flags(). */
enum {
        FS_RESOLVE_NO_SYMLINKS = 1 << 0, /* any symlink on the way (or at the end unless
                                            O_PATH|O_NOFOLLOW) is ELOOP */
        FS_RESOLVE_NO_XDEV = 1 << 1,     /* never cross a mount point (EXDEV) */
};

/* Opens path inside dirfd: symlinks are resolved as if dirfd were "/", ".." stops at dirfd,
 * magic links (/proc/self/fd/N) are refused. flags are open(2) flags (O_CLOEXEC is added);
 * mode is used with O_CREAT/O_TMPFILE. Returns the fd. */
int fs_openat_beneath(int dirfd, const char *path, int flags, mode_t mode, struct ace_error **err);
/* Same with FS_RESOLVE_* flags. */
int fs_openat_beneath_flags(int dirfd, const char *path, int flags, mode_t mode, unsigned resolve,
                            struct ace_error **err);
/* Whether the fallback walk is forced (ACE_TEST_NO_OPENAT2=1) — for tests and debug output. */
bool fs_openat2_disabled(void);

/*
 * The runtime's lookups inside an app rootfs (stage1 mount targets, stage2's /etc/passwd and
 * working directory): fs_openat_beneath_flags() without the message, returning the fd or
 * -errno. A leading "/" is relative to the root, "" and "/" are the root itself. openat2's
 * EAGAIN (a rename or mount racing a ".." somewhere on the host) is retried a bounded number
 * of times. Without openat2 the fallback walk refuses every symlink (ELOOP) and "..": safe,
 * but stricter than RESOLVE_IN_ROOT.
 */
int fs_open_in_root(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve);

/* Creates path and its missing parents inside rootfd (owner: the caller), each component
 * resolved as fs_open_in_root() does, so a symlink component (an image's /var/run -> /run)
 * lands inside the root. A component that exists and is not a directory is ENOTDIR; ".." is
 * refused. Returns an O_PATH|O_DIRECTORY fd of the last directory. */
int fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, struct ace_error **err);

/* Reads a whole regular file inside rootfd (fs_open_in_root()); a FIFO, device or directory is
 * refused without blocking (EINVAL), more than max bytes is EFBIG. */
int fs_read_file_in_root(int rootfd, const char *path, size_t max, char **ret, size_t *ret_len,
                         struct ace_error **err);

/* Opens a host path (absolute, or relative to dirfd), not confined, but refusing a symlink in
 * any component (ELOOP): volume sources. Returns the fd or -errno. */
int fs_open_no_symlinks(int dirfd, const char *path, int flags);

/* Flags for fs_mkdir_p_at(). */
enum {
        FS_MKDIR_REPLACE = 1 << 0, /* a non-directory (file, symlink) in the way is unlinked and
                                      replaced by a directory, never followed */
};

/* Creates path and its missing parents inside dirfd with mode (umask applies), never following
 * a symlink: without FS_MKDIR_REPLACE a symlink or file in the way is an error (ENOTDIR).
 * ".." and absolute paths are refused. With ret_fd, returns an O_DIRECTORY|O_RDONLY fd of the
 * last directory. "" or "." means dirfd itself. */
int fs_mkdir_p_at(int dirfd, const char *path, mode_t mode, unsigned flags, int *ret_fd,
                  struct ace_error **err);

/* Reads a whole file opened with openat(dirfd, path) into a NUL-terminated heap buffer.
 * More than max_size bytes is an error (EFBIG). ret_len may be NULL. */
int fs_read_file_at(int dirfd, const char *path, size_t max_size, char **ret_buf, size_t *ret_len,
                    struct ace_error **err);
/* Same from an open fd (from its current offset); `what` names it in errors. */
int fs_read_fd(int fd, const char *what, size_t max_size, char **ret_buf, size_t *ret_len,
               struct ace_error **err);

/* Writes all of buf to fd (EINTR and short writes handled). */
int fs_write_all(int fd, const void *buf, size_t len, struct ace_error **err);

/* Atomically replaces path in dirfd with data: a temp file in the same directory, written,
 * fchmod'ed to mode, fsync'ed, renamed over path, then the directory is fsync'ed. On failure
 * the temp file is removed and path is untouched. */
int fs_write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
                            struct ace_error **err);

/* fsync of a directory: the directory fd itself, or openat(dirfd, path) when path != NULL. */
int fs_fsync_dir(int dirfd, const char *path, struct ace_error **err);

/* Flags for fs_rm_rf_at(). */
enum {
        FS_RM_CONTENTS_ONLY = 1 << 0, /* empty path but keep it */
        FS_RM_MISSING_OK = 1 << 1,    /* a missing path is success */
};

/* Removes path (relative to dirfd) recursively. Never follows symlinks (they are unlinked) and
 * never crosses a mount point: a directory on another mount (st_dev or statx mount id differs)
 * is an error (EXDEV) naming it, and nothing under it is touched. */
int fs_rm_rf_at(int dirfd, const char *path, unsigned flags, struct ace_error **err);

/* Copies the whole of src into dst, both freshly opened (a reflink, FICLONE, where the file
 * system can; else copy_file_range; else read/write from the current offsets). `where` names
 * the data in errors. */
int fs_copy_data(int src, int dst, const char *where, struct ace_error **err);

/* Flags for fs_copy_tree_at(). */
enum {
        FS_COPY_NO_OWNERS = 1 << 0, /* do not chown (unprivileged callers) */
        FS_COPY_NO_XATTRS = 1 << 1,
};

/* Copies the tree at src_path (in src_dirfd) to dst_path (in dst_dirfd, must not exist; its
 * parent must). Preserves file types, modes (incl. setuid/sticky), owners, mtimes/atimes,
 * xattrs, hard links within the tree, symlinks (copied, not followed), fifos and device nodes.
 * Sockets are skipped. Does not cross mount points of the source (EXDEV). */
int fs_copy_tree_at(int src_dirfd, const char *src_path, int dst_dirfd, const char *dst_path,
                    unsigned flags, struct ace_error **err);

/* Normalizes an archive entry name like Go's filepath.Clean ("./a//b/" -> "a/b", "./" -> ".")
 * and refuses absolute names, ".." components and empty names (EINVAL, message names the
 * entry). Returns a heap string. */
int fs_path_normalize_relative(const char *name, char **ret, struct ace_error **err);

/* Number of components of a normalized relative path ("." is 0). */
size_t fs_path_depth(const char *normalized);
