/*
 * tar.h - the ACI archive module on libarchive: read (scan), extract and write appc images.
 *
 * Reading is one streaming pass: the input (fd, memory buffer or a pull callback; or pushed
 * bytes through tar_push_*) is checked by magic bytes (gzip, bzip2, xz, zstd or plain tar; zip,
 * cpio, iso, 7z, rar... are refused before any parser runs), decompressed in-process by a
 * filter-only libarchive reader, hashed (sha512 of the *uncompressed* stream = the image ID,
 * including tar padding, trailer and anything after it), optionally teed to a callback (the
 * store writes those bytes as the blob), and parsed by a tar-only libarchive reader whose every
 * entry is checked against the ACI layout rules:
 *
 *   - only `manifest` (regular file) and `rootfs` (directory) + `rootfs/...` at the top, after
 *     normalisation like Go's filepath.Clean (`./manifest` is fine, `rootfs-extra` is refused);
 *   - no absolute names, no `..` component, no duplicate entries;
 *   - hard links only to an earlier non-directory entry under `rootfs/`, and with no payload
 *     (CVE-2016-5418);
 *   - limits (struct tar_limits) on manifest size, entry count, name length, path depth,
 *     summed apparent entry size (sparse entries count their apparent size) and uncompressed
 *     stream size, so a decompression bomb stops with an error.
 *
 * Every error names the entry and the rule. The manifest bytes are returned raw: this module
 * never parses JSON (the caller validates them with schema/).
 *
 * Extraction writes beneath a target directory fd, never following a symlink (parents are
 * walked with O_NOFOLLOW / openat2 RESOLVE_NO_SYMLINKS; chown/chmod/utimes go through the new
 * fd or *at(AT_SYMLINK_NOFOLLOW), never through a link: CVE-2021-32760).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/hash.h"

/* ---- limits -------------------------------------------------------------------------------- */

/* Defaults (tar_limits_default). Chosen to be far above real images (Debian minbase: 6675
 * entries, 121 MB) and far below what hurts the host. */
#define TAR_DEFAULT_MAX_MANIFEST_SIZE (1ULL << 20) /* 1 MiB */
#define TAR_DEFAULT_MAX_ENTRIES 500000ULL          /* entries in one archive */
#define TAR_DEFAULT_MAX_PATH_LEN 4095ULL           /* bytes of an entry or link name */
#define TAR_DEFAULT_MAX_DEPTH 256ULL               /* path components */
#define TAR_DEFAULT_MAX_TOTAL_SIZE (32ULL << 30)   /* summed apparent entry sizes */
#define TAR_DEFAULT_MAX_STREAM_SIZE (36ULL << 30)  /* uncompressed tar bytes */

struct tar_limits {
        uint64_t max_manifest_size;
        uint64_t max_entries;
        uint64_t max_path_len;
        uint64_t max_depth;
        uint64_t max_total_size;
        uint64_t max_stream_size;
};

void tar_limits_default(struct tar_limits *l);

/* ---- compression --------------------------------------------------------------------------- */

enum tar_compression {
        TAR_COMPRESSION_NONE,
        TAR_COMPRESSION_GZIP,
        TAR_COMPRESSION_BZIP2,
        TAR_COMPRESSION_XZ,
        TAR_COMPRESSION_ZSTD,
};

/* "none", "gzip", "bzip2", "xz", "zstd". */
const char *tar_compression_name(enum tar_compression c);
int tar_compression_from_name(const char *name, enum tar_compression *ret, struct ace_error **err);

/* Bytes of input the detector wants to see (ISO 9660's magic sits at offset 32769). */
#define TAR_DETECT_HEAD_SIZE 32774

/* Classifies the first bytes of an input (up to TAR_DETECT_HEAD_SIZE; less only when that is
 * the whole input). Known non-tar formats (zip, cpio, iso9660, 7z, rar, xar, cab, lzip, lz4,
 * compress) are refused by name (EPROTONOSUPPORT); so is anything that is not a compressed
 * stream or a tar header (EPROTONOSUPPORT, "unrecognized archive format"). */
int tar_detect_compression(const void *head, size_t len, enum tar_compression *ret,
                           struct ace_error **err);

/* ---- input --------------------------------------------------------------------------------- */

/* Pull callback: fills up to len bytes, returns the count, 0 at end of input, -errno (with
 * *err set) on failure. */
typedef ssize_t (*tar_read_fn)(void *userdata, void *buf, size_t len, struct ace_error **err);

enum tar_input_kind {
        TAR_INPUT_FD,
        TAR_INPUT_MEMORY,
        TAR_INPUT_CALLBACK,
};

struct tar_input {
        enum tar_input_kind kind;
        int fd;           /* TAR_INPUT_FD: read from its current offset, not closed */
        const void *data; /* TAR_INPUT_MEMORY */
        size_t size;
        tar_read_fn read; /* TAR_INPUT_CALLBACK */
        void *userdata;
};

static inline struct tar_input tar_input_fd(int fd)
{
        return (struct tar_input){.kind = TAR_INPUT_FD, .fd = fd};
}

static inline struct tar_input tar_input_memory(const void *data, size_t size)
{
        return (struct tar_input){.kind = TAR_INPUT_MEMORY, .fd = -1, .data = data, .size = size};
}

static inline struct tar_input tar_input_callback(tar_read_fn read, void *userdata)
{
        return (struct tar_input){
            .kind = TAR_INPUT_CALLBACK, .fd = -1, .read = read, .userdata = userdata};
}

/* Tee callback: receives every uncompressed tar byte, in order, exactly once (the same bytes
 * the image ID covers). Returning < 0 (with *err set) aborts the read. */
typedef int (*tar_tee_fn)(void *userdata, const void *buf, size_t len, struct ace_error **err);

/* ---- results ------------------------------------------------------------------------------- */

struct tar_result {
        char *manifest; /* raw manifest bytes, NUL-terminated, heap */
        size_t manifest_len;
        char image_id[HASH_IMAGE_ID_SIZE]; /* "sha512-<128 hex>" of the uncompressed stream */
        enum tar_compression compression;
        uint64_t stream_size; /* uncompressed bytes hashed */
        uint64_t entries;     /* entries in the archive */
        uint64_t total_size;  /* summed apparent entry sizes */
};

/* Frees the manifest; the struct may be reused. */
void tar_result_done(struct tar_result *r);

/* ---- scan ---------------------------------------------------------------------------------- */

struct tar_read_opts {
        struct tar_limits limits;
        tar_tee_fn tee; /* optional */
        void *tee_userdata;
};

/* Defaults: tar_limits_default(), no tee. */
void tar_read_opts_init(struct tar_read_opts *o);

/* Reads the whole ACI from in: validates the layout of every entry (rules above), returns the
 * manifest bytes and the image ID. opts may be NULL for defaults. On error *res is left empty. */
int tar_read_manifest(const struct tar_input *in, const struct tar_read_opts *opts,
                      struct tar_result *res, struct ace_error **err);

/* ---- extract ------------------------------------------------------------------------------- */

enum {
        /* Extract the contents of rootfs/ into the target itself (the target becomes the
         * rootfs; the `rootfs` entry's mode/owner/times go to the target dir); `manifest` is
         * not written (still returned in the result). Otherwise the target receives
         * `manifest` and `rootfs/`. */
        TAR_EXTRACT_ROOTFS_ONLY = 1 << 0,
        /* Layering: an existing entry is replaced by the archive's (a file by a file, a dir
         * keeps its contents and takes the new metadata, a non-dir by a dir and vice versa); a
         * symlink or file in a parent position is replaced by a directory, never followed.
         * Without it any pre-existing path other than a directory is an error (EEXIST). */
        TAR_EXTRACT_OVERWRITE = 1 << 1,
        /* Do not chown, and ignore EPERM on privileged xattrs (security.*, trusted.*):
         * for unprivileged callers and tests. Device nodes still need CAP_MKNOD. */
        TAR_EXTRACT_NO_OWNERS = 1 << 2,
};

/* Path filter (pathWhitelist): called for every entry under rootfs with its path as the app
 * sees it ("/etc/passwd", "/" for rootfs itself) and its type (S_IFREG, S_IFDIR, S_IFLNK,
 * S_IFCHR, S_IFBLK, S_IFIFO; hard links report the type S_IFREG). Return true to extract.
 * The entry is still validated when skipped. A hard link whose target was skipped is skipped. */
typedef bool (*tar_filter_fn)(void *userdata, const char *path, mode_t type);

struct tar_extract_opts {
        struct tar_limits limits;
        unsigned flags;       /* TAR_EXTRACT_* */
        tar_filter_fn filter; /* optional */
        void *filter_userdata;
        tar_tee_fn tee; /* optional, as in tar_read_opts */
        void *tee_userdata;
};

void tar_extract_opts_init(struct tar_extract_opts *o);

/* Validates and extracts the ACI from in into target_dirfd (modes, numeric owners, mtimes,
 * atimes, xattrs incl. security.capability, hard links, symlinks, fifos, char/block devices).
 * Directory modes and times are applied after their contents. Returns the manifest and the
 * image ID as tar_read_manifest(). On error, what was written stays (the caller extracts into
 * a fresh temp dir and removes it: the tree store does). */
int tar_extract(const struct tar_input *in, int target_dirfd, const struct tar_extract_opts *opts,
                struct tar_result *res, struct ace_error **err);

/* ---- push interface ------------------------------------------------------------------------ */

/* For producers that push bytes (a libcurl write callback): the scan or extraction runs in a
 * worker thread that pulls what tar_push_write() hands it, so downloading, decompression,
 * hashing, teeing and validation happen in one pass. tar_push_write() blocks while the
 * worker's bounded buffer is full and fails as soon as the worker has failed. */
struct tar_push;

/* target_dirfd < 0: scan only (opts->flags/filter ignored); else extract into it. The tee and
 * filter callbacks run in the worker thread. */
int tar_push_begin(const struct tar_extract_opts *opts, int target_dirfd, struct tar_push **ret,
                   struct ace_error **err);
int tar_push_write(struct tar_push *p, const void *buf, size_t len, struct ace_error **err);
/* Signals end of input, waits for the worker and returns its result; frees p. */
int tar_push_finish(struct tar_push *p, struct tar_result *res, struct ace_error **err);
/* Cancels: the worker stops at its next read with ECANCELED; frees p. NULL is fine. */
void tar_push_abort(struct tar_push *p);

/* ---- pipelined unpacking ------------------------------------------------------------------- */
/* The reading pipeline over two threads, for the store's imports: detection and decompression
 * (the rules above: magic bytes, refused formats, one built-in filter, xz through liblzma
 * under TAR_XZ_MEMLIMIT, and a compressed stream inside a compressed one refused) run in one
 * thread and push the plain tar into a tar_push worker that hashes, validates and extracts (or
 * only scans: target_dirfd < 0), so decompression overlaps the rest. Results and errors are
 * those of tar_extract()/tar_read_manifest(), the worker's own error when it refused the
 * archive. */
/* Reads the ACI from fd until EOF; decompresses in the calling thread. */
int tar_unpack_fd(int fd, const struct tar_extract_opts *opts, int target_dirfd,
                  struct tar_result *res, struct ace_error **err);
/* For bytes pushed by a producer (a download): a thread of its own decompresses what
 * tar_unpacker_write() hands it. _write fails with the pipeline's error once it has stopped
 * (then only _finish or _abort); _finish ends the input, waits and returns the result; both
 * _finish and _abort free u (_abort takes NULL). */
struct tar_unpacker;
int tar_unpacker_start(const struct tar_extract_opts *opts, int target_dirfd,
                       struct tar_unpacker **ret, struct ace_error **err);
int tar_unpacker_write(struct tar_unpacker *u, const void *buf, size_t len, struct ace_error **err);
int tar_unpacker_finish(struct tar_unpacker *u, struct tar_result *res, struct ace_error **err);
void tar_unpacker_abort(struct tar_unpacker *u);
/* ---- write --------------------------------------------------------------------------------- */

struct tar_write_opts {
        enum tar_compression compression; /* default gzip */
        int level;                        /* compression level, 0 = library default */
        bool owner_root;                  /* every entry 0:0 root/root */
        bool has_source_date_epoch;       /* clamp mtimes to source_date_epoch */
        int64_t source_date_epoch;
        /* Manifest bytes to write instead of the layout's `manifest` file (actool re-serialises
         * the validated manifest); NULL: copy the file. */
        const void *manifest;
        size_t manifest_len;
};

void tar_write_opts_init(struct tar_write_opts *o);

/* Writes the layout at layout_dirfd (`manifest` + `rootfs/`) as an ACI to out_fd.
 * Entry order is deterministic: `manifest` first (it sorts first, and a streaming reader sees
 * it before the rootfs), then `rootfs` and its tree walked in bytewise-lexical order. Entries
 * are pax-restricted ustar with numeric owners (uname/gname only with owner_root), hard links
 * as tar links, xattrs kept (SCHILY.xattr), sockets skipped, no atime/ctime. The gzip header
 * carries no name and no timestamp, so the same tree with the same source_date_epoch gives
 * byte-identical output. Returns the image ID of the uncompressed stream written. */
int tar_write_aci(int layout_dirfd, int out_fd, const struct tar_write_opts *opts,
                  char image_id[HASH_IMAGE_ID_SIZE], struct ace_error **err);

/* Copies the ACI read from `in` to out_fd with its manifest replaced by opts->manifest (written
 * first), every other entry copied unchanged after passing the same layout rules as a scan.
 * Compression and source_date_epoch (for the manifest's mtime) come from opts. Returns the new
 * image ID. (actool patch-manifest.) */
int tar_rewrite_aci(const struct tar_input *in, int out_fd, const struct tar_write_opts *opts,
                    char image_id[HASH_IMAGE_ID_SIZE], struct ace_error **err);
