/*
 * tar_push.c - push adapter over the pull-based reader (see tar.h, "push interface").
 *
 * libarchive pulls its input, a libcurl download pushes it. A worker thread runs
 * tar_read_manifest() / tar_extract() with a callback input that takes bytes from a bounded
 * ring buffer; tar_push_write() copies into the ring and blocks while it is full. The copy
 * costs little next to decompression and decouples the producer from the parser. Once the
 * worker has finished (or failed) writes fail immediately instead of blocking forever.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/tar.h"
#include "common/xalloc.h"

#define PUSH_RING_SIZE (4u << 20)

struct tar_push {
        pthread_t thread;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        unsigned char *ring;
        size_t cap, start, len;
        bool eof, cancelled, done;
        int target;
        struct tar_extract_opts opts;
        struct tar_input in;
        int rc;
        struct ace_error *err;
        struct tar_result res;
};

static ssize_t push_read(void *ud, void *buf, size_t want, struct ace_error **err)
{
        struct tar_push *p = ud;
        size_t n;

        pthread_mutex_lock(&p->mu);
        while (p->len == 0 && !p->eof && !p->cancelled)
                pthread_cond_wait(&p->cv, &p->mu);
        if (p->cancelled) {
                pthread_mutex_unlock(&p->mu);
                return ace_error_make(err, ECANCELED, "archive import cancelled");
        }
        n = want < p->len ? want : p->len;
        /* At most two pieces: up to the end of the ring, then from its start. */
        size_t first = p->cap - p->start < n ? p->cap - p->start : n;
        memcpy(buf, p->ring + p->start, first);
        memcpy((unsigned char *)buf + first, p->ring, n - first);
        p->start = (p->start + n) % p->cap;
        p->len -= n;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return (ssize_t)n;
}

static void *push_worker(void *arg)
{
        struct tar_push *p = arg;
        struct ace_error *err = NULL;
        struct tar_result res;
        int r;

        if (p->target >= 0) {
                r = tar_extract(&p->in, p->target, &p->opts, &res, &err);
        } else {
                struct tar_read_opts ro = {.limits = p->opts.limits,
                                           .tee = p->opts.tee,
                                           .tee_userdata = p->opts.tee_userdata};
                r = tar_read_manifest(&p->in, &ro, &res, &err);
        }
        pthread_mutex_lock(&p->mu);
        p->rc = r;
        p->err = err;
        if (r >= 0)
                p->res = res;
        p->done = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return NULL;
}

int tar_push_begin(const struct tar_extract_opts *opts, int target_dirfd, struct tar_push **ret,
                   struct ace_error **err)
{
        struct tar_push *p = xcalloc(1, sizeof(*p));
        int r;

        if (opts)
                p->opts = *opts;
        else
                tar_extract_opts_init(&p->opts);
        p->target = target_dirfd;
        p->cap = PUSH_RING_SIZE;
        p->ring = xmalloc(p->cap);
        p->in = tar_input_callback(push_read, p);
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->cv, NULL);
        r = pthread_create(&p->thread, NULL, push_worker, p);
        if (r != 0) {
                pthread_mutex_destroy(&p->mu);
                pthread_cond_destroy(&p->cv);
                free(p->ring);
                free(p);
                return ace_error_errno(err, r, "start archive reader thread");
        }
        *ret = p;
        return 0;
}

int tar_push_write(struct tar_push *p, const void *buf, size_t len, struct ace_error **err)
{
        const unsigned char *src = buf;

        pthread_mutex_lock(&p->mu);
        while (len > 0) {
                while (p->len == p->cap && !p->done)
                        pthread_cond_wait(&p->cv, &p->mu);
                if (p->done) {
                        /* A finished worker reads nothing more: its own error comes from
                         * tar_push_finish(); the producer just stops. */
                        pthread_mutex_unlock(&p->mu);
                        return ace_error_make(err, EPIPE, "archive reader has stopped");
                }
                size_t end = (p->start + p->len) % p->cap;
                size_t room = p->cap - p->len;
                size_t n = len < room ? len : room;
                size_t first = p->cap - end < n ? p->cap - end : n;
                memcpy(p->ring + end, src, first);
                memcpy(p->ring, src + first, n - first);
                p->len += n;
                src += n;
                len -= n;
                pthread_cond_broadcast(&p->cv);
        }
        pthread_mutex_unlock(&p->mu);
        return 0;
}

static void push_free(struct tar_push *p)
{
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        ace_error_free(p->err);
        tar_result_done(&p->res);
        free(p->ring);
        free(p);
}

int tar_push_finish(struct tar_push *p, struct tar_result *res, struct ace_error **err)
{
        int r;

        pthread_mutex_lock(&p->mu);
        p->eof = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        r = p->rc;
        if (r < 0) {
                if (err) {
                        ace_error_free(*err);
                        *err = TAKE_PTR(p->err);
                }
        } else {
                *res = p->res;
                p->res = (struct tar_result){0};
        }
        push_free(p);
        return r;
}

void tar_push_abort(struct tar_push *p)
{
        if (!p)
                return;
        pthread_mutex_lock(&p->mu);
        p->cancelled = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        push_free(p);
}
