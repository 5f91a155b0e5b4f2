/*
 * tar_pipeline.c - the reading pipeline over two threads (see tar.h, "pipelined unpacking").
 *
 * tar's reader decompresses, hashes, parses and extracts in one thread. Here the first stage
 * (detection and decompression, tar_stream_decompress(): the same rules, the same decoders and
 * memory limits as a one-thread read) runs in one thread and pushes the plain tar into a
 * tar_push worker, which hashes, validates and extracts in another: measured on a 99 MB image,
 * import + render goes from one core's worth of work to about the decompression time alone
 * (bench/store.sh). The plain stream is detected again by the worker and found to be a tar;
 * tar_stream_decompress() has already refused a compressed stream inside a compressed one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/tar_internal.h"
#include "common/xalloc.h"

static int push_sink(void *ud, const void *buf, size_t len, struct ace_error **err)
{
        return tar_push_write(ud, buf, len, err);
}

static int decompress_into(int fd, const struct tar_extract_opts *opts, struct tar_push *push,
                           struct ace_error **err)
{
        struct tar_input in = tar_input_fd(fd);
        struct tar_limits l;

        if (!opts)
                tar_limits_default(&l);
        return tar_stream_decompress(&in, opts ? opts->limits.max_stream_size : l.max_stream_size,
                                     push_sink, push, err);
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

int tar_unpack_fd(int fd, const struct tar_extract_opts *opts, int target_dirfd,
                  struct tar_result *res, struct ace_error **err)
{
        struct tar_push *push = NULL;
        int r = tar_push_begin(opts, target_dirfd, &push, err);
        if (r < 0)
                return r;
        r = decompress_into(fd, opts, push, err);
        return pipeline_end(r, push, res, err);
}

struct tar_unpacker {
        int sock[2];           /* [0]: _write sends, [1]: the thread reads */
        struct tar_push *push; /* owned by the thread once started */
        struct tar_extract_opts opts;
        pthread_t thread;
        int rc;
        struct ace_error *err;
        struct tar_result res;
        bool joined;
};

static void *unpacker_main(void *arg)
{
        struct tar_unpacker *u = arg;
        int r = decompress_into(u->sock[1], &u->opts, u->push, &u->err);
        u->rc = pipeline_end(r, u->push, &u->res, &u->err);
        u->push = NULL;
        /* Closing our end makes a blocked or later _write fail with EPIPE at once. */
        close(u->sock[1]);
        u->sock[1] = -EBADF;
        return NULL;
}

int tar_unpacker_start(const struct tar_extract_opts *opts, int target_dirfd,
                       struct tar_unpacker **ret, struct ace_error **err)
{
        struct tar_unpacker *u = xcalloc(1, sizeof(*u));
        int r;

        if (opts)
                u->opts = *opts;
        else
                tar_extract_opts_init(&u->opts);
        u->sock[0] = u->sock[1] = -EBADF;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, u->sock) < 0) {
                r = ace_error_errno(err, errno, "socketpair");
                free(u);
                return r;
        }
        r = tar_push_begin(&u->opts, target_dirfd, &u->push, err);
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

static void unpacker_join(struct tar_unpacker *u)
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

static int unpacker_error(struct tar_unpacker *u, struct ace_error **err)
{
        if (!u->err)
                return ace_error_make(err, EPIPE, "the image stream ended early");
        if (err) {
                ace_error_free(*err);
                *err = TAKE_PTR(u->err);
        }
        return u->rc < 0 ? u->rc : -EIO;
}

int tar_unpacker_write(struct tar_unpacker *u, const void *buf, size_t len, struct ace_error **err)
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

int tar_unpacker_finish(struct tar_unpacker *u, struct tar_result *res, struct ace_error **err)
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

void tar_unpacker_abort(struct tar_unpacker *u)
{
        if (!u)
                return;
        /* The truncated input makes the thread stop quickly with an error. */
        unpacker_join(u);
        tar_result_done(&u->res);
        ace_error_free(u->err);
        free(u);
}
