/*
 * tar_internal.h - shared between the tar_*.c files of the ACI archive module; not part of the
 * public API (see tar.h).
 *
 * tar_stream: input -> magic check -> decompressor (filter-only libarchive reader) -> sha512 +
 * tee + stream-size limit -> tar-only libarchive reader.
 * tar_rules: the per-entry ACI layout rules shared by scan and extraction.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/hash.h"
#include "common/lazy_archive.h"
#include "common/tar.h"

static inline void archive_read_freep(struct archive **a)
{
        if (*a)
                (void)archive_read_free(*a);
        *a = NULL;
}

static inline void archive_write_freep(struct archive **a)
{
        if (*a)
                (void)archive_write_free(*a);
        *a = NULL;
}

/* A libarchive status that is neither success, a warning nor end of data (ARCHIVE_RETRY is a
 * failure here: resynchronising after a damaged header is how parsers come to disagree). */
static inline bool TAR_LA_FAILED(int r)
{
        return r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_EOF;
}

#define _cleanup_archive_read_ __attribute__((cleanup(archive_read_freep)))
#define _cleanup_archive_write_ __attribute__((cleanup(archive_write_freep)))

struct tar_stream {
        const struct tar_input *in;
        enum tar_compression compression;
        /* Bytes read ahead for detection, replayed before the rest of the input. */
        unsigned char *head;
        size_t head_len, head_pos;
        bool src_eof;
        unsigned char *buf; /* source read buffer */
        size_t bufsz;
        uint64_t src_pos;    /* memory input offset */
        struct archive *dec; /* raw-format reader with one filter; NULL for plain tar/xz */
        struct tar_xz *xz;   /* liblzma decoder for xz (bounded memory); NULL otherwise */
        struct archive *tar; /* the tar-only reader fed with the uncompressed bytes */
        struct hash_sha512 hash;
        uint64_t stream_size, max_stream_size;
        tar_tee_fn tee;
        void *tee_userdata;
        bool plain_eof;
        struct ace_error *err; /* set by the callbacks, which libarchive cannot pass through */
};

/* Memory liblzma may use to decode an xz stream: xz -9 needs 65 MiB; a stream that asks for
 * more (a huge dictionary, T-33) is refused instead of growing the extractor's RSS. */
#define TAR_XZ_MEMLIMIT (256ULL << 20)

/* Name of entry i of the refused-format magic table (sorted by name), NULL past the end: for
 * the table's unit test. */
const char *tar_refused_magic_name(size_t i);

/* Opens the pipeline and the tar reader (s->tar). */
int tar_stream_open(struct tar_stream *s, const struct tar_input *in, uint64_t max_stream_size,
                    tar_tee_fn tee, void *tee_userdata, struct ace_error **err);
/* Turns a libarchive failure into an error: the callback's error when there is one. */
int tar_stream_error(struct tar_stream *s, struct archive *a, const char *what,
                     struct ace_error **err);
/* After the tar reader's EOF: hashes (and tees) the rest of the uncompressed stream, reads the
 * input to its end, and writes the image ID. */
int tar_stream_finish(struct tar_stream *s, char image_id[HASH_IMAGE_ID_SIZE],
                      struct ace_error **err);
void tar_stream_close(struct tar_stream *s);
/* The pipeline's first half alone (tar_pipeline.c runs it in front of a tar_push): detects and
 * decompresses `in` with the rules above and hands the plain tar bytes, in order, to sink.
 * Plain input passes through; a compressed stream whose content is not a tar is refused. */
int tar_stream_decompress(const struct tar_input *in, uint64_t max_stream_size, tar_tee_fn sink,
                          void *userdata, struct ace_error **err);

enum tar_entry_kind {
        TAR_ENTRY_MANIFEST,
        TAR_ENTRY_ROOTFS,       /* the rootfs directory itself */
        TAR_ENTRY_ROOTFS_CHILD, /* rootfs/... */
};

struct tar_entry_info {
        enum tar_entry_kind kind;
        const char *name;     /* normalised, owned by the rules' name set */
        const char *hardlink; /* normalised target, owned by the set, or NULL */
        mode_t type;          /* S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO */
        uint64_t size;        /* apparent size */
};

struct tar_name_set;

struct tar_rules {
        struct tar_limits limits;
        struct tar_name_set *names;
        uint64_t entries, total_size;
        bool seen_manifest, seen_rootfs;
};

void tar_rules_init(struct tar_rules *r, const struct tar_limits *limits);
void tar_rules_done(struct tar_rules *r);
/* Checks one entry against the layout rules and records it. */
int tar_rules_check(struct tar_rules *r, struct archive_entry *e, struct tar_entry_info *info,
                    struct ace_error **err);
/* At the end of the archive: manifest and rootfs present. */
int tar_rules_finish(struct tar_rules *r, struct ace_error **err);
/* The end of a read (scan or extraction): with r >= 0, out gets the stream's and the rules'
 * counts and moves to *res; otherwise its manifest is freed. */
void tar_result_take(int r, struct tar_result *out, const struct tar_stream *s,
                     const struct tar_rules *rules, struct tar_result *res);
/* Reads the manifest entry's data (bounded by the limit checked in tar_rules_check). */
int tar_read_entry_data(struct tar_stream *s, uint64_t size, const char *name, char **ret,
                        size_t *ret_len, struct ace_error **err);
