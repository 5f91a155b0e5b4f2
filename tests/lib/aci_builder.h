/*
 * aci_builder.h - test helper: build arbitrary (also hostile) ACIs in memory with libarchive's
 * writer: any names, link names, types, duplicates, payloads, xattrs, owners, compression.
 * Also raw ustar headers for what libarchive's writer will not produce (a hard link with a
 * payload), and archives in other formats (zip, cpio, iso9660) to test the format allow-list.
 * Every function aborts the test process on an internal failure (they are test fixtures).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/tar.h"

struct aci_builder;

/* keep_tar: also keep the uncompressed tar bytes (aci_builder_tar) to compare hashes. */
struct aci_builder *aci_builder_new(enum tar_compression c, bool keep_tar);
void aci_builder_free(struct aci_builder *b);

struct aci_entry {
        const char *name;
        mode_t type; /* S_IFREG (default when 0), S_IFDIR, S_IFLNK, S_IFCHR, ... */
        mode_t perm; /* 0: 0644 files, 0755 dirs */
        int64_t uid, gid;
        int64_t mtime; /* seconds; 0 = 1000000000 */
        long mtime_nsec;
        const void *data; /* regular file payload */
        size_t len;
        int64_t size;         /* size when data is NULL: libarchive pads it with zeros (use
                                 aci_add_raw_header for a header with no payload) */
        const char *linkname; /* symlink target */
        const char *hardlink; /* hard link target */
        unsigned dev_major, dev_minor;
        const char *xattr_name; /* one xattr */
        const void *xattr_value;
        size_t xattr_len;
        bool sparse_hole; /* regular, header only: sparse entry of apparent size `size` with
                             one 512-byte data region at its end */
};

void aci_add(struct aci_builder *b, const struct aci_entry *e);
void aci_add_file(struct aci_builder *b, const char *name, mode_t perm, const char *data);
void aci_add_dir(struct aci_builder *b, const char *name, mode_t perm);
void aci_add_symlink(struct aci_builder *b, const char *name, const char *target);
void aci_add_hardlink(struct aci_builder *b, const char *name, const char *target);
/* A ustar hard-link header with a payload (CVE-2016-5418), written by hand. */
void aci_add_hardlink_payload(struct aci_builder *b, const char *name, const char *target,
                              const char *payload);
/* A hand-written ustar header (typeflag '0' file, '1' hard link, ...) declaring `size` bytes;
 * the caller adds (or withholds) the payload with aci_add_raw(). */
void aci_add_raw_header(struct aci_builder *b, const char *name, char typeflag, uint64_t size,
                        const char *linkname);
/* Streams `len` zero bytes as the payload of a regular file (decompression bombs). */
void aci_add_zero_file(struct aci_builder *b, const char *name, uint64_t len);
/* Raw bytes straight into the tar stream (garbage after a header, ...). */
void aci_add_raw(struct aci_builder *b, const void *data, size_t len);
/* `manifest` with a small valid image manifest, and the `rootfs` directory. */
void aci_add_manifest(struct aci_builder *b);
void aci_add_minimal(struct aci_builder *b);

/* Finishes the archive (tar trailer unless no_trailer) and returns the compressed bytes
 * (owned by the builder). */
void aci_builder_finish(struct aci_builder *b, bool no_trailer, const void **ret, size_t *ret_len);
/* The uncompressed tar bytes (keep_tar) after finish. */
void aci_builder_tar(struct aci_builder *b, const void **ret, size_t *ret_len);
/* Writes the finished bytes to path. */
void aci_builder_write_file(struct aci_builder *b, const char *path);

/* A small archive in another format ("zip", "cpio", "iso9660", "7zip") holding manifest and
 * rootfs/x; heap bytes. */
void aci_build_other_format(const char *format, void **ret, size_t *ret_len);

/* sha512 image ID of a byte buffer. */
void aci_image_id_of(const void *data, size_t len, char id[HASH_IMAGE_ID_SIZE]);
