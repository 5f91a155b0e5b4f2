/*
 * decompress.c - the unpacking pipeline of an import (see decompress.h).
 *
 * Why here and not only inside common/tar: tar's reader decompresses, hashes, parses and
 * extracts in one thread. Feeding its push interface with bytes decompressed by this stage,
 * in another thread, puts the two halves of the work on two CPUs: measured on a 99 MB image,
 * import + render goes from one core's worth of work to about the decompression time alone
 * (bench/store.sh). The rules are common/tar's (tar_detect_compression(), one built-in
 * libarchive filter, the raw format, the nested-stream check); the tar parser, limits and
 * image ID stay in common/tar, which sees the plain stream.
 */
#include "stage0/store/decompress.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/tar.h"
#include "common/xalloc.h"

#define IN_BUF_SIZE (1024 * 1024)

struct source {
        int fd;
        unsigned char *head; /* the bytes read for detection, handed out first */
        size_t head_len;
        bool head_done;
        unsigned char *buf;
        int error; /* errno of a failed read */
};

static ssize_t read_some(int fd, void *buf, size_t len)
{
        ssize_t n;
        do
                n = read(fd, buf, len);
        while (n < 0 && errno == EINTR);
        return n;
}

static la_ssize_t source_read(struct archive *a, void *ud, const void **buf)
{
        struct source *src = ud;
        ssize_t n;

        if (!src->head_done) {
                src->head_done = true;
                if (src->head_len) {
                        *buf = src->head;
                        return (la_ssize_t)src->head_len;
                }
        }
        n = read_some(src->fd, src->buf, IN_BUF_SIZE);
        if (n < 0) {
                src->error = errno;
                archive_set_error(a, errno, "read: %s", strerror(errno));
                return -1;
        }
        *buf = src->buf;
        return n;
}

static int read_head(struct source *src, struct ace_error **err)
{
        src->head = xmalloc(TAR_DETECT_HEAD_SIZE);
        while (src->head_len < TAR_DETECT_HEAD_SIZE) {
                ssize_t n = read_some(src->fd, src->head + src->head_len,
                                      TAR_DETECT_HEAD_SIZE - src->head_len);
                if (n < 0)
                        return ace_error_errno(err, errno, "reading the image");
                if (n == 0)
                        break;
                src->head_len += (size_t)n;
        }
        return 0;
}

static int copy_plain(struct source *src, struct tar_push *push, struct ace_error **err)
{
        int r = tar_push_write(push, src->head, src->head_len, err);
        while (r >= 0) {
                ssize_t n = read_some(src->fd, src->buf, IN_BUF_SIZE);
                if (n < 0)
                        return ace_error_errno(err, errno, "reading the image");
                if (n == 0)
                        break;
                r = tar_push_write(push, src->buf, (size_t)n, err);
        }
        return r;
}

static int filter_for(struct archive *a, enum tar_compression c, int *code)
{
        switch (c) {
        case TAR_COMPRESSION_GZIP:
                *code = ARCHIVE_FILTER_GZIP;
                return archive_read_support_filter_gzip(a);
        case TAR_COMPRESSION_BZIP2:
                *code = ARCHIVE_FILTER_BZIP2;
                return archive_read_support_filter_bzip2(a);
        case TAR_COMPRESSION_XZ:
                *code = ARCHIVE_FILTER_XZ;
                return archive_read_support_filter_xz(a);
        case TAR_COMPRESSION_ZSTD:
                *code = ARCHIVE_FILTER_ZSTD;
                return archive_read_support_filter_zstd(a);
        default:
                return ARCHIVE_FATAL;
        }
}

static int decompress_error(struct archive *a, struct source *src, enum tar_compression c,
                            struct ace_error **err)
{
        if (src->error)
                return ace_error_errno(err, src->error, "reading the image");
        const char *m = archive_error_string(a);
        return ace_error_make(err, EIO, "decompressing %s: %s", tar_compression_name(c),
                              m ? m : "corrupt stream");
}

/* The first decompressed bytes must be a tar, not another compressed stream. */
static int check_inner(const void *buf, size_t len, enum tar_compression c, struct ace_error **err)
{
        enum tar_compression inner;
        if (tar_detect_compression(buf, len, &inner, NULL) < 0 || inner != TAR_COMPRESSION_NONE)
                return ace_error_make(err, EPROTONOSUPPORT, "nested or corrupt %s stream",
                                      tar_compression_name(c));
        return 0;
}

static int decompress(struct source *src, enum tar_compression c, struct tar_push *push,
                      struct ace_error **err)
{
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        bool first = true;
        int code = 0, r = 0;

        if (!a)
                return ace_error_make(err, ENOMEM, "cannot allocate a decompressor");
        /* ARCHIVE_WARN would mean an external program: refused, as in common/tar. */
        if (filter_for(a, c, &code) != ARCHIVE_OK) {
                archive_read_free(a);
                return ace_error_make(err, ENOTSUP, "%s decompression is not built into libarchive",
                                      tar_compression_name(c));
        }
        archive_read_support_format_raw(a);
        if (archive_read_open2(a, src, NULL, source_read, NULL, NULL) != ARCHIVE_OK ||
            archive_read_next_header(a, &e) != ARCHIVE_OK) {
                r = decompress_error(a, src, c, err);
                goto out;
        }
        if (archive_filter_count(a) != 2 || archive_filter_code(a, 0) != code) {
                r = ace_error_make(err, EPROTONOSUPPORT, "nested or corrupt %s stream",
                                   tar_compression_name(c));
                goto out;
        }
        /* The first TAR_DETECT_HEAD_SIZE decompressed bytes are gathered and checked to be a
         * tar before anything is pushed. */
        unsigned char *pending = xmalloc(TAR_DETECT_HEAD_SIZE);
        size_t n_pending = 0;
        for (;;) {
                const void *buf;
                size_t size = 0;
                la_int64_t off;
                int ar = archive_read_data_block(a, &buf, &size, &off);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN) {
                        r = decompress_error(a, src, c, err);
                        break;
                }
                if (first) {
                        size_t take = TAR_DETECT_HEAD_SIZE - n_pending;
                        if (take > size)
                                take = size;
                        memcpy(pending + n_pending, buf, take);
                        n_pending += take;
                        buf = (const char *)buf + take;
                        size -= take;
                        if (n_pending < TAR_DETECT_HEAD_SIZE)
                                continue;
                        first = false;
                        r = check_inner(pending, n_pending, c, err);
                        if (r >= 0)
                                r = tar_push_write(push, pending, n_pending, err);
                        if (r < 0)
                                break;
                }
                if (size == 0)
                        continue;
                r = tar_push_write(push, buf, size, err);
                if (r < 0)
                        break;
        }
        /* A stream shorter than the detection window. */
        if (r >= 0 && first && n_pending > 0) {
                r = check_inner(pending, n_pending, c, err);
                if (r >= 0)
                        r = tar_push_write(push, pending, n_pending, err);
        }
        free(pending);
out:
        archive_read_free(a);
        return r;
}

int store_decompress_into(int fd, struct tar_push *push, struct ace_error **err)
{
        struct source src = {.fd = fd};
        enum tar_compression c;
        int r;

        src.buf = xmalloc(IN_BUF_SIZE);
        r = read_head(&src, err);
        if (r >= 0)
                r = tar_detect_compression(src.head, src.head_len, &c, err);
        if (r >= 0)
                r = c == TAR_COMPRESSION_NONE ? copy_plain(&src, push, err)
                                              : decompress(&src, c, push, err);
        free(src.head);
        free(src.buf);
        return r;
}

/* Decompression done (or failed): get the worker's result. When the stage stopped because
 * the worker had (EPIPE from tar_push_write), the worker's error is the one that matters. */
static int pipeline_end(int r, struct tar_push *push, struct tar_result *res,
                        struct ace_error **err)
{
        if (r < 0 && r != -EPIPE) {
                tar_push_abort(push);
                return r;
        }
        _cleanup_error_ struct ace_error *werr = NULL;
        int w = tar_push_finish(push, res, &werr);
        if (w < 0) {
                if (err) {
                        ace_error_free(*err);
                        *err = TAKE_PTR(werr);
                }
                return w;
        }
        if (r < 0) {
                tar_result_done(res);
                return r;
        }
        return 0;
}

int store_unpack_fd(int fd, const struct tar_extract_opts *opts, int target_dirfd,
                    struct tar_result *res, struct ace_error **err)
{
        struct tar_push *push = NULL;
        int r = tar_push_begin(opts, target_dirfd, &push, err);
        if (r < 0)
                return r;
        r = store_decompress_into(fd, push, err);
        return pipeline_end(r, push, res, err);
}

struct store_unpacker {
        int sock[2];           /* [0]: _write sends, [1]: the thread reads */
        struct tar_push *push; /* owned by the thread once started */
        pthread_t thread;
        int rc;
        struct ace_error *err;
        struct tar_result res;
        bool joined;
};

static void *unpacker_main(void *arg)
{
        struct store_unpacker *u = arg;
        int r = store_decompress_into(u->sock[1], u->push, &u->err);
        u->rc = pipeline_end(r, u->push, &u->res, &u->err);
        u->push = NULL;
        /* Closing our end makes a blocked or later _write fail with EPIPE at once. */
        close(u->sock[1]);
        u->sock[1] = -EBADF;
        return NULL;
}

int store_unpacker_start(const struct tar_extract_opts *opts, int target_dirfd,
                         struct store_unpacker **ret, struct ace_error **err)
{
        struct store_unpacker *u = xcalloc(1, sizeof(*u));
        int r;

        u->sock[0] = u->sock[1] = -EBADF;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, u->sock) < 0) {
                r = ace_error_errno(err, errno, "socketpair");
                free(u);
                return r;
        }
        r = tar_push_begin(opts, target_dirfd, &u->push, err);
        if (r >= 0 && (r = -pthread_create(&u->thread, NULL, unpacker_main, u)) < 0) {
                ace_error_errno(err, -r, "start the decompression thread");
                tar_push_abort(u->push);
        }
        if (r < 0) {
                close(u->sock[0]);
                close(u->sock[1]);
                free(u);
                return r;
        }
        *ret = u;
        return 0;
}

static void unpacker_join(struct store_unpacker *u)
{
        if (u->joined)
                return;
        /* EOF for the thread (a no-op if the input already ended). */
        if (u->sock[0] >= 0) {
                close(u->sock[0]);
                u->sock[0] = -EBADF;
        }
        pthread_join(u->thread, NULL);
        u->joined = true;
}

static int unpacker_error(struct store_unpacker *u, struct ace_error **err)
{
        if (!u->err)
                return ace_error_make(err, EPIPE, "the image stream ended early");
        if (err) {
                ace_error_free(*err);
                *err = TAKE_PTR(u->err);
        }
        return u->rc < 0 ? u->rc : -EIO;
}

int store_unpacker_write(struct store_unpacker *u, const void *buf, size_t len,
                         struct ace_error **err)
{
        const char *p = buf;

        while (len > 0 && !u->joined) {
                ssize_t n = send(u->sock[0], p, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        /* The pipeline stopped: its error says why. */
                        unpacker_join(u);
                        break;
                }
                p += n;
                len -= (size_t)n;
        }
        if (u->joined)
                return unpacker_error(u, err);
        return 0;
}

int store_unpacker_finish(struct store_unpacker *u, struct tar_result *res, struct ace_error **err)
{
        int r;

        unpacker_join(u);
        if (u->rc < 0) {
                r = unpacker_error(u, err);
        } else {
                *res = u->res;
                u->res = (struct tar_result){0};
                r = 0;
        }
        ace_error_free(u->err);
        free(u);
        return r;
}

void store_unpacker_abort(struct store_unpacker *u)
{
        if (!u)
                return;
        /* The truncated input makes the thread stop quickly with an error. */
        unpacker_join(u);
        tar_result_done(&u->res);
        ace_error_free(u->err);
        free(u);
}
