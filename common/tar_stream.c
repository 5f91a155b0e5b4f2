/*
 * tar_stream.c - the reading pipeline of the ACI module (see tar.h, tar_internal.h):
 *
 *   input (fd | memory | callback) -> magic check -> decompressor -> sha512 + tee + size limit
 *   -> tar-only libarchive reader
 *
 * Decompression runs in-process through a libarchive reader with the raw format and exactly one
 * filter enabled (chosen from the magic bytes, never from a name); a filter that libarchive
 * would run as an external program (ARCHIVE_WARN at registration) is refused, so no binary is
 * ever executed to decompress an image (CVE-2014-9357). xz is the exception: it is decoded
 * with liblzma directly, because libarchive's xz filter allows 1 GiB of decoder memory and an
 * image could make the extractor that large with a huge dictionary; here the limit is
 * TAR_XZ_MEMLIMIT. The uncompressed bytes are hashed as
 * they are handed to the tar reader, so the image ID covers exactly the stream `gzip -dc`
 * produces, in the same pass.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/lazy_lzma.h"
#include "common/tar_internal.h"
#include "common/xalloc.h"

#define SRC_BUF_SIZE (256 * 1024)

void tar_limits_default(struct tar_limits *l)
{
        *l = (struct tar_limits){
            .max_manifest_size = TAR_DEFAULT_MAX_MANIFEST_SIZE,
            .max_entries = TAR_DEFAULT_MAX_ENTRIES,
            .max_path_len = TAR_DEFAULT_MAX_PATH_LEN,
            .max_depth = TAR_DEFAULT_MAX_DEPTH,
            .max_total_size = TAR_DEFAULT_MAX_TOTAL_SIZE,
            .max_stream_size = TAR_DEFAULT_MAX_STREAM_SIZE,
        };
}

static const char *const compression_names[] = {
    [TAR_COMPRESSION_NONE] = "none",   [TAR_COMPRESSION_GZIP] = "gzip",
    [TAR_COMPRESSION_BZIP2] = "bzip2", [TAR_COMPRESSION_XZ] = "xz",
    [TAR_COMPRESSION_ZSTD] = "zstd",
};

const char *tar_compression_name(enum tar_compression c)
{
        if ((size_t)c >= ARRAY_SIZE(compression_names))
                return "unknown";
        return compression_names[c];
}

int tar_compression_from_name(const char *name, enum tar_compression *ret, struct ace_error **err)
{
        for (size_t i = 0; i < ARRAY_SIZE(compression_names); i++)
                if (strcmp(name, compression_names[i]) == 0) {
                        *ret = (enum tar_compression)i;
                        return 0;
                }
        return ace_error_make(err, EINVAL, "unknown compression %s (none, gzip, bzip2, xz, zstd)",
                              name);
}

/* ---- detection ----------------------------------------------------------------------------- */

struct magic {
        const char *name;
        size_t offset;
        const char *bytes;
        size_t len;
};

#define M(n, off, b)                                                                               \
        {                                                                                          \
                n, off, b, sizeof(b) - 1                                                           \
        }
/* Streams this module decompresses. */
static const struct magic compressed_magic[] = {
    M("bzip2", 0, "BZh"),
    M("gzip", 0, "\x1f\x8b"),
    M("xz", 0,
      "\xfd"
      "7zXZ\x00"),
    M("zstd", 0, "\x28\xb5\x2f\xfd"),
};
/* Formats refused by name before any parser runs (T-35). Sorted by name (unit-tested). */
static const struct magic tar_refused_magic[] = {
    M("7z", 0, "7z\xbc\xaf\x27\x1c"),
    M("ar", 0, "!<arch>\n"),
    M("cab", 0, "MSCF"),
    M("compress", 0, "\x1f\x9d"),
    M("cpio (binary, big-endian)", 0, "\x71\xc7"),
    M("cpio (binary, little-endian)", 0, "\xc7\x71"),
    M("cpio (crc)", 0, "070702"),
    M("cpio (newc)", 0, "070701"),
    M("cpio (odc)", 0, "070707"),
    M("iso9660", 32769, "CD001"),
    M("lz4", 0, "\x04\x22\x4d\x18"),
    M("lzip", 0, "LZIP"),
    M("rar", 0, "Rar!\x1a\x07"),
    M("rpm", 0, "\xed\xab\xee\xdb"),
    M("xar", 0, "xar!"),
    M("zip", 0, "PK\x03\x04"),
    M("zip (empty)", 0, "PK\x05\x06"),
    M("zip (spanned)", 0, "PK\x07\x08"),
};
#undef M
const char *tar_refused_magic_name(size_t i)
{
        return i < ARRAY_SIZE(tar_refused_magic) ? tar_refused_magic[i].name : NULL;
}

static bool magic_match(const struct magic *m, const unsigned char *p, size_t len)
{
        return len >= m->offset + m->len && memcmp(p + m->offset, m->bytes, m->len) == 0;
}

/* A ustar/gnu/v7 header block: the checksum field matches (unsigned or signed sum). */
static bool tar_header_valid(const unsigned char *p, size_t len)
{
        unsigned long stored = 0, usum = 0;
        long ssum = 0;
        bool digits = false;

        if (len < 512)
                return false;
        for (size_t i = 148; i < 156; i++) {
                if (p[i] >= '0' && p[i] <= '7') {
                        stored = stored * 8 + (unsigned long)(p[i] - '0');
                        digits = true;
                } else if (p[i] != ' ' && p[i] != '\0') {
                        return false;
                } else if (digits) {
                        break;
                }
        }
        for (size_t i = 0; i < 512; i++) {
                unsigned char c = (i >= 148 && i < 156) ? ' ' : p[i];
                usum += c;
                ssum += (signed char)c;
        }
        return digits && (stored == usum || (long)stored == ssum);
}

static bool all_zero(const unsigned char *p, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (p[i])
                        return false;
        return true;
}

int tar_detect_compression(const void *head, size_t len, enum tar_compression *ret,
                           struct ace_error **err)
{
        static const enum tar_compression codes[] = {TAR_COMPRESSION_BZIP2, TAR_COMPRESSION_GZIP,
                                                     TAR_COMPRESSION_XZ, TAR_COMPRESSION_ZSTD};
        const unsigned char *p = head;

        if (len == 0)
                return ace_error_make(err, EPROTONOSUPPORT, "empty input: not an image archive");
        for (size_t i = 0; i < ARRAY_SIZE(compressed_magic); i++)
                if (magic_match(&compressed_magic[i], p, len)) {
                        *ret = codes[i];
                        return 0;
                }
        if (tar_header_valid(p, len)) {
                *ret = TAR_COMPRESSION_NONE;
                return 0;
        }
        for (size_t i = 0; i < ARRAY_SIZE(tar_refused_magic); i++)
                if (magic_match(&tar_refused_magic[i], p, len))
                        return ace_error_make(err, EPROTONOSUPPORT,
                                              "%s archive refused: an image must be a tar, "
                                              "optionally gzip, bzip2, xz or zstd compressed",
                                              tar_refused_magic[i].name);
        if (len >= 512 && all_zero(p, 512)) {
                /* An empty tar (end-of-archive block first); the layout check refuses it. */
                *ret = TAR_COMPRESSION_NONE;
                return 0;
        }
        return ace_error_make(err, EPROTONOSUPPORT,
                              "unrecognized archive format: not a tar, gzip, bzip2, xz or zstd "
                              "stream");
}

/* ---- source -------------------------------------------------------------------------------- */

static ssize_t src_fill(struct tar_stream *s, void *buf, size_t len)
{
        const struct tar_input *in = s->in;

        if (in->kind == TAR_INPUT_FD) {
                ssize_t n = TEMP_FAILURE_RETRY(read(in->fd, buf, len));
                if (n < 0)
                        return ace_error_errno(&s->err, errno, "reading the archive");
                return n;
        }
        ssize_t n = in->read(in->userdata, buf, len, &s->err);
        if (n < 0 && !s->err)
                ace_error_make(&s->err, (int)-n, "reading the archive");
        return n < 0 ? -EIO : n;
}

/* Next block of input bytes (zero-copy for memory inputs). 0 at the end. */
static ssize_t src_read(struct tar_stream *s, const void **p)
{
        const struct tar_input *in = s->in;
        ssize_t n;

        if (s->src_eof)
                return 0;
        if (s->head_pos < s->head_len) {
                *p = s->head + s->head_pos;
                n = (ssize_t)(s->head_len - s->head_pos);
                s->head_pos = s->head_len;
                return n;
        }
        if (in->kind == TAR_INPUT_MEMORY) {
                size_t left = in->size - s->src_pos;
                if (left > (1u << 20))
                        left = 1u << 20;
                *p = (const unsigned char *)in->data + s->src_pos;
                s->src_pos += left;
                n = (ssize_t)left;
        } else {
                n = src_fill(s, s->buf, s->bufsz);
                *p = s->buf;
        }
        if (n == 0)
                s->src_eof = true;
        return n;
}

static la_ssize_t dec_read_cb(struct archive *a, void *ud, const void **buf)
{
        struct tar_stream *s = ud;
        ssize_t n = src_read(s, buf);

        if (n < 0) {
                archive_set_error(a, EIO, "%s", ace_error_msg(s->err));
                return -1;
        }
        return n;
}

/* ---- xz through liblzma -------------------------------------------------------------------- */

struct tar_xz {
        lzma_stream strm;
        unsigned char out[256 * 1024];
        bool end;
};

static int xz_open(struct tar_stream *s, struct ace_error **err)
{
        s->xz = xcalloc(1, sizeof(*s->xz));
        s->xz->strm = (lzma_stream)LZMA_STREAM_INIT;
        if (lzma_stream_decoder(&s->xz->strm, TAR_XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
                return ace_error_make(err, ENOMEM, "cannot initialise the xz decoder");
        return 0;
}

static void xz_close(struct tar_stream *s)
{
        if (!s->xz)
                return;
        lzma_end(&s->xz->strm);
        free(s->xz);
        s->xz = NULL;
}

static ssize_t xz_error(struct tar_stream *s, lzma_ret ret)
{
        switch (ret) {
        case LZMA_MEMLIMIT_ERROR:
                ace_error_make(&s->err, EFBIG,
                               "xz stream needs more than %llu MiB of memory to decode "
                               "(dictionary too large)",
                               TAR_XZ_MEMLIMIT >> 20);
                return -EFBIG;
        case LZMA_BUF_ERROR:
                ace_error_make(&s->err, EIO, "decompressing xz: truncated stream");
                return -EIO;
        case LZMA_MEM_ERROR:
                ace_error_make(&s->err, ENOMEM, "decompressing xz: out of memory");
                return -ENOMEM;
        default:
                ace_error_make(&s->err, EIO, "decompressing xz: corrupt stream (liblzma error %d)",
                               (int)ret);
                return -EIO;
        }
}

/* Next block of decompressed xz bytes; 0 at the end of the (concatenated) streams. */
static ssize_t xz_next(struct tar_stream *s, const void **p)
{
        struct tar_xz *x = s->xz;
        lzma_stream *z = &x->strm;

        while (!x->end) {
                if (z->avail_in == 0 && !s->src_eof) {
                        const void *in;
                        ssize_t n = src_read(s, &in);
                        if (n < 0)
                                return n;
                        z->next_in = in;
                        z->avail_in = (size_t)n;
                }
                z->next_out = x->out;
                z->avail_out = sizeof(x->out);
                lzma_ret ret =
                    lzma_code(z, s->src_eof && z->avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
                size_t produced = sizeof(x->out) - z->avail_out;
                if (ret == LZMA_STREAM_END)
                        x->end = true;
                else if (ret != LZMA_OK)
                        return xz_error(s, ret);
                if (produced) {
                        *p = x->out;
                        return (ssize_t)produced;
                }
        }
        return 0;
}

/* ---- uncompressed stream ------------------------------------------------------------------- */

static ssize_t plain_next(struct tar_stream *s, const void **p)
{
        ssize_t n = 0;

        if (s->plain_eof)
                return 0;
        if (s->xz) {
                n = xz_next(s, p);
                if (n < 0)
                        return n;
        } else if (!s->dec) {
                n = src_read(s, p);
                if (n < 0)
                        return n;
        } else {
                size_t sz = 0;
                la_int64_t off;
                int r;
                do
                        r = archive_read_data_block(s->dec, p, &sz, &off);
                while (!TAR_LA_FAILED(r) && r != ARCHIVE_EOF && sz == 0);
                if (r == ARCHIVE_EOF)
                        n = 0;
                else if (TAR_LA_FAILED(r)) {
                        if (!s->err)
                                ace_error_make(&s->err, EIO, "decompressing %s: %s",
                                               tar_compression_name(s->compression),
                                               archive_error_string(s->dec)
                                                   ? archive_error_string(s->dec)
                                                   : "corrupt stream");
                        return -EIO;
                } else
                        n = (ssize_t)sz;
        }
        if (n == 0) {
                s->plain_eof = true;
                return 0;
        }
        s->stream_size += (uint64_t)n;
        if (s->stream_size > s->max_stream_size) {
                ace_error_make(&s->err, EFBIG,
                               "uncompressed archive larger than the limit of %llu bytes "
                               "(decompression bomb?)",
                               (unsigned long long)s->max_stream_size);
                return -EFBIG;
        }
        if (s->hash.ctx)
                hash_sha512_update(&s->hash, *p, (size_t)n);
        if (s->tee && s->tee(s->tee_userdata, *p, (size_t)n, &s->err) < 0) {
                if (!s->err)
                        ace_error_make(&s->err, EIO, "writing the uncompressed archive");
                return -EIO;
        }
        return n;
}

static la_ssize_t tar_read_cb(struct archive *a, void *ud, const void **buf)
{
        struct tar_stream *s = ud;
        ssize_t n = plain_next(s, buf);

        if (n < 0) {
                archive_set_error(a, EIO, "%s", ace_error_msg(s->err));
                return -1;
        }
        return n;
}

/* ---- open / finish ------------------------------------------------------------------------- */

static int read_head(struct tar_stream *s, const unsigned char **ret, size_t *ret_len)
{
        if (s->in->kind == TAR_INPUT_MEMORY) {
                *ret = s->in->data;
                *ret_len = s->in->size;
                return 0;
        }
        s->head = xmalloc(TAR_DETECT_HEAD_SIZE);
        while (s->head_len < TAR_DETECT_HEAD_SIZE) {
                ssize_t n = src_fill(s, s->head + s->head_len, TAR_DETECT_HEAD_SIZE - s->head_len);
                if (n < 0)
                        return (int)n;
                if (n == 0) {
                        s->src_eof = s->head_len == 0;
                        break;
                }
                s->head_len += (size_t)n;
        }
        *ret = s->head;
        *ret_len = s->head_len;
        return 0;
}

static int open_decompressor(struct tar_stream *s, struct ace_error **err)
{
        struct archive_entry *e;
        int r, code;

        s->dec = archive_read_new();
        if (!s->dec)
                return ace_error_make(err, ENOMEM, "cannot allocate a decompressor");
        switch (s->compression) {
        case TAR_COMPRESSION_GZIP:
                r = archive_read_support_filter_gzip(s->dec), code = ARCHIVE_FILTER_GZIP;
                break;
        case TAR_COMPRESSION_BZIP2:
                r = archive_read_support_filter_bzip2(s->dec), code = ARCHIVE_FILTER_BZIP2;
                break;
        case TAR_COMPRESSION_ZSTD:
                r = archive_read_support_filter_zstd(s->dec), code = ARCHIVE_FILTER_ZSTD;
                break;
        default:
                return ace_error_make(err, EINVAL, "bad compression");
        }
        /* ARCHIVE_WARN means libarchive would exec an external decompressor: refuse. */
        if (r != ARCHIVE_OK)
                return ace_error_make(err, ENOTSUP, "%s decompression is not built into libarchive",
                                      tar_compression_name(s->compression));
        archive_read_support_format_raw(s->dec);
        if (archive_read_open2(s->dec, s, NULL, dec_read_cb, NULL, NULL) != ARCHIVE_OK ||
            archive_read_next_header(s->dec, &e) != ARCHIVE_OK)
                return tar_stream_error(s, s->dec, "decompressing", err);
        /* The raw format accepts anything: make sure our filter, and only it, is in place. */
        if (archive_filter_count(s->dec) != 2 || archive_filter_code(s->dec, 0) != code)
                return ace_error_make(err, EPROTONOSUPPORT, "nested or corrupt %s stream",
                                      tar_compression_name(s->compression));
        return 0;
}

/* The source half of the pipeline: detection and the decompressor, hashing when asked. */
static int open_source(struct tar_stream *s, const struct tar_input *in, uint64_t max_stream_size,
                       tar_tee_fn tee, void *tee_userdata, bool hash, struct ace_error **err)
{
        const unsigned char *head = NULL;
        size_t head_len = 0;
        int r;

        *s = (struct tar_stream){
            .in = in, .max_stream_size = max_stream_size, .tee = tee, .tee_userdata = tee_userdata};
        if (in->kind == TAR_INPUT_CALLBACK && !in->read)
                return ace_error_make(err, EINVAL, "archive input callback missing");
        if (in->kind != TAR_INPUT_MEMORY) {
                s->bufsz = SRC_BUF_SIZE;
                s->buf = xmalloc(s->bufsz);
        }
        r = read_head(s, &head, &head_len);
        if (r < 0)
                return tar_stream_error(s, NULL, NULL, err);
        r = tar_detect_compression(head, head_len, &s->compression, err);
        if (r < 0)
                return r;
        if (hash && (r = hash_sha512_init(&s->hash, err)) < 0)
                return r;
        if (s->compression == TAR_COMPRESSION_XZ)
                r = xz_open(s, err);
        else if (s->compression != TAR_COMPRESSION_NONE)
                r = open_decompressor(s, err);
        return r;
}

int tar_stream_open(struct tar_stream *s, const struct tar_input *in, uint64_t max_stream_size,
                    tar_tee_fn tee, void *tee_userdata, struct ace_error **err)
{
        int r = open_source(s, in, max_stream_size, tee, tee_userdata, true, err);

        if (r < 0)
                return r;
        s->tar = archive_read_new();
        if (!s->tar)
                return ace_error_make(err, ENOMEM, "cannot allocate a tar reader");
        /* Only tar (ustar, pax, GNU, v7): no other format's parser ever sees image bytes. */
        archive_read_support_format_tar(s->tar);
        if (archive_read_open2(s->tar, s, NULL, tar_read_cb, NULL, NULL) != ARCHIVE_OK)
                return tar_stream_error(s, s->tar, "reading tar", err);
        return 0;
}

int tar_stream_error(struct tar_stream *s, struct archive *a, const char *what,
                     struct ace_error **err)
{
        if (s->err) {
                int code = s->err->code;
                if (err) {
                        ace_error_free(*err);
                        *err = TAKE_PTR(s->err);
                }
                return -code;
        }
        const char *m = a ? archive_error_string(a) : NULL;
        int code = a && archive_errno(a) > 0 ? archive_errno(a) : EIO;
        /* libarchive reports format errors with its own "errno" values (e.g. -1, 84). */
        if (code != ENOMEM && code != EFBIG)
                code = EIO;
        return ace_error_make(err, code, "%s: %s", what ? what : "archive",
                              m ? m : "malformed archive");
}

int tar_stream_finish(struct tar_stream *s, char image_id[HASH_IMAGE_ID_SIZE],
                      struct ace_error **err)
{
        const void *p;
        ssize_t n;

        /* The image ID covers everything after the tar trailer too (block padding, junk). */
        while ((n = plain_next(s, &p)) > 0)
                ;
        if (n < 0)
                return tar_stream_error(s, s->dec, "reading after the end of the tar", err);
        /* Consume the input to its end so a pushing producer is never left blocked. */
        while ((n = src_read(s, &p)) > 0)
                ;
        if (n < 0)
                return tar_stream_error(s, NULL, NULL, err);
        return hash_sha512_final_image_id(&s->hash, image_id, err);
}

void tar_stream_close(struct tar_stream *s)
{
        archive_read_freep(&s->tar);
        archive_read_freep(&s->dec);
        xz_close(s);
        hash_sha512_free(&s->hash);
        free(s->head);
        free(s->buf);
        ace_error_free(s->err);
        *s = (struct tar_stream){0};
}

/* ---- decompression alone ------------------------------------------------------------------- */

/* Holds back the first TAR_DETECT_HEAD_SIZE plain bytes of a compressed input until they are
 * known to be a tar: a stream compressed twice must not reach a reader that would detect, and
 * undo, the second layer too. */
struct inner_check {
        tar_tee_fn sink;
        void *userdata;
        enum tar_compression outer;
        unsigned char *pending;
        size_t n_pending;
        bool checked;
};

static int inner_flush(struct inner_check *c, struct ace_error **err)
{
        enum tar_compression inner;

        c->checked = true;
        if (c->n_pending == 0)
                return 0;
        if (tar_detect_compression(c->pending, c->n_pending, &inner, NULL) < 0 ||
            inner != TAR_COMPRESSION_NONE)
                return ace_error_make(err, EPROTONOSUPPORT, "nested or corrupt %s stream",
                                      tar_compression_name(c->outer));
        return c->sink(c->userdata, c->pending, c->n_pending, err);
}

static int inner_sink(void *ud, const void *buf, size_t len, struct ace_error **err)
{
        struct inner_check *c = ud;

        if (!c->checked) {
                size_t take = TAR_DETECT_HEAD_SIZE - c->n_pending;
                if (take > len)
                        take = len;
                memcpy(c->pending + c->n_pending, buf, take);
                c->n_pending += take;
                buf = (const unsigned char *)buf + take;
                len -= take;
                if (c->n_pending < TAR_DETECT_HEAD_SIZE)
                        return 0;
                int r = inner_flush(c, err);
                if (r < 0)
                        return r;
        }
        return len ? c->sink(c->userdata, buf, len, err) : 0;
}

int tar_stream_decompress(const struct tar_input *in, uint64_t max_stream_size, tar_tee_fn sink,
                          void *userdata, struct ace_error **err)
{
        struct inner_check c = {.sink = sink, .userdata = userdata, .checked = true};
        struct tar_stream s;
        const void *p;
        ssize_t n;
        int r;

        r = open_source(&s, in, max_stream_size, inner_sink, &c, false, err);
        if (r >= 0 && s.compression != TAR_COMPRESSION_NONE) {
                c.outer = s.compression;
                c.checked = false;
                c.pending = xmalloc(TAR_DETECT_HEAD_SIZE);
        }
        if (r >= 0) {
                while ((n = plain_next(&s, &p)) > 0)
                        ;
                /* A stream shorter than the detection window; then the input to its end, so a
                 * pushing producer is never left blocked (as tar_stream_finish). */
                if (n == 0 && !c.checked && inner_flush(&c, &s.err) < 0)
                        n = -EPROTONOSUPPORT;
                while (n == 0 && (n = src_read(&s, &p)) > 0)
                        ;
                r = n < 0 ? tar_stream_error(&s, s.dec, "decompressing", err) : 0;
        }
        free(c.pending);
        tar_stream_close(&s);
        return r;
}
