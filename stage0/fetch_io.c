/*
 * fetch_io.c - the byte-moving half of fetching: spool files, signatures (including the
 * deferred 202 dance), verification against trusted keys, and feeding the store's importer
 * with checks run between _finish and _commit (so nothing becomes visible before the manifest's
 * name, labels and signer are accepted).
 *
 * Order for a verified download (see Documentation/signing-and-discovery.md): the signature is
 * fetched first, the image is spooled to an unlinked file under <dir>/tmp while a verifier
 * thread checks the same bytes as they arrive, and only after its good verdict are the spooled
 * bytes fed to the importer (libarchive, sha512, blob write). A bad signature therefore costs
 * no libarchive call and no store write. Without verification the network bytes go straight
 * into the importer.
 */
#include "stage0/fetch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/kv.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"

#define SIG_MAX (1u << 20)
#define IMPORT_CHUNK (256u << 10)
#define SIG_RETRIES 5

void fetch_diag(const struct fetcher *f, const char *fmt, ...)
{
        va_list ap;
        _cleanup_free_ char *s = NULL;

        if (!f->o.ui.diag)
                return;
        va_start(ap, fmt);
        s = xvasprintf(fmt, ap);
        va_end(ap);
        f->o.ui.diag(f->o.ui.userdata, s);
}

int fetch_spool_open(struct fetcher *f, int *ret_fd, struct ace_error **err)
{
        _cleanup_free_ char *tmpl = NULL;
        int fd;

        if (mkdir(f->tmp_dir, 0700) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "creating %s", f->tmp_dir);
        fd = open(f->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0) {
                *ret_fd = fd;
                return 0;
        }
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                return ace_error_errno(err, errno, "creating a spool file in %s", f->tmp_dir);
        /* Filesystems without O_TMPFILE: a named file, unlinked at once. */
        tmpl = xasprintf("%s/spool-XXXXXX", f->tmp_dir);
        fd = mkostemp(tmpl, O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "creating a spool file in %s", f->tmp_dir);
        unlink(tmpl);
        *ret_fd = fd;
        return 0;
}

void fetch_sig_clear(struct fetch_sig *s)
{
        free(s->location);
        free(s->buf);
        *s = (struct fetch_sig){0};
}

int fetch_sig_get(struct fetcher *f, struct fetch_sig *s, struct ace_error **err)
{
        struct http_membuf m = {0};
        struct http_response resp;
        struct http_request req = {
            .url = s->location,
            .sink = http_membuf_sink,
            .userdata = &m,
            .max_body = SIG_MAX,
            .progress_label = "signature",
        };
        int r;

        free(s->buf);
        s->buf = NULL;
        s->len = 0;
        s->deferred = false;
        if (!s->remote) {
                r = fs_read_file_at(AT_FDCWD, s->location, SIG_MAX, &s->buf, &s->len, err);
                return r < 0 ? ace_error_wrap(err, "error opening signature file") : 0;
        }
        log_debug("image: downloading signature from %s", s->location);
        r = http_get(f->http, &req, &resp, err);
        if (r < 0) {
                free(m.buf);
                return ace_error_wrap(err, "error downloading the signature file");
        }
        if (resp.status == 202) {
                /* Quay-style: the signature is made while the image downloads. */
                fetch_diag(f, "image: server requested deferring the signature download");
                s->deferred = true;
                free(m.buf);
        } else if (resp.status != 200) {
                r = ace_error_make(err, resp.status == 404 || resp.status == 410 ? ENOENT : EIO,
                                   "error downloading the signature file: bad HTTP status code: "
                                   "%ld",
                                   resp.status);
                free(m.buf);
        } else {
                s->buf = m.buf ? m.buf : xstrdup("");
                s->len = m.len;
        }
        http_response_clear(&resp);
        return r;
}

int fetch_sig_retry(struct fetcher *f, struct fetch_sig *s, struct ace_error **err)
{
        for (int i = 0; i < SIG_RETRIES; i++) {
                struct timespec ts = {.tv_sec = 0, .tv_nsec = (100000000L << i) % 1000000000L};
                int r;

                ts.tv_sec = (100000000L << i) / 1000000000L;
                nanosleep(&ts, NULL);
                r = fetch_sig_get(f, s, err);
                if (r < 0)
                        return r;
                if (!s->deferred)
                        return 0;
        }
        return ace_error_make(err, EAGAIN,
                              "error downloading the signature file: server asked to defer the "
                              "download again");
}

struct fd_sink {
        int fd;
};

static int fd_sink_write(void *userdata, const void *buf, size_t len, struct ace_error **err)
{
        struct fd_sink *s = userdata;
        return fs_write_all(s->fd, buf, len, err);
}

int fetch_download(struct fetcher *f, const char *url, const char *etag, int fd,
                   struct http_response *resp, struct ace_error **err)
{
        struct fd_sink sink = {.fd = fd};
        struct http_request req = {
            .url = url,
            .if_none_match = etag,
            .sink = fd_sink_write,
            .userdata = &sink,
            .progress_label = "ACI",
        };
        int r;

        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return ace_error_errno(err, errno, "resetting the spool file");
        r = http_get(f->http, &req, resp, err);
        if (r < 0)
                return ace_error_wrap(err, "error downloading ACI");
        if (resp->status == 200 || (etag && resp->status == 304))
                return 0;
        r = ace_error_make(err, resp->status == 404 || resp->status == 410 ? ENOENT : EIO,
                           "error downloading ACI from %s: bad HTTP status code: %ld", url,
                           resp->status);
        http_response_clear(resp);
        return r;
}

/*
 * Verification during the download: a thread runs gpg over one end of a socketpair while the
 * download sink writes every chunk both to the spool file and to the other end. The import
 * still starts only after the thread has returned a good verdict; this only hides gpg's time
 * behind the network's. If the verifier gives up early (bad signature shape, unknown key), the
 * download is aborted instead of finished.
 */
struct verifier {
        pthread_t thread;
        int fd; /* read end, the verifier's */
        char **keys;
        const struct fetch_sig *sig;
        struct pgp_verify_result res;
        struct ace_error *err;
        int r;
        atomic_bool failed;
};

static void *verifier_main(void *p)
{
        struct verifier *v = p;
        char buf[65536];

        v->r =
            pgp_verify_detached_stream(v->keys, v->fd, v->sig->buf, v->sig->len, &v->res, &v->err);
        if (v->r < 0)
                atomic_store(&v->failed, true);
        /* Read to EOF whatever gpg left, so the writer never blocks on a full socket. */
        while (TEMP_FAILURE_RETRY(read(v->fd, buf, sizeof(buf))) > 0)
                ;
        return NULL;
}

struct tee_sink {
        int spool_fd;
        int verifier_fd; /* -EBADF once a send failed */
        struct verifier *v;
        bool feed_failed;
        bool aborted; /* the sink stopped the download because the verifier failed */
};

static int tee_write(void *userdata, const void *buf, size_t len, struct ace_error **err)
{
        struct tee_sink *t = userdata;
        const char *p = buf;
        size_t left = len;
        int r;

        if (atomic_load(&t->v->failed)) {
                t->aborted = true;
                return ace_error_make(err, EBADMSG, "signature check failed during download");
        }
        r = fs_write_all(t->spool_fd, buf, len, err);
        if (r < 0)
                return r;
        while (left > 0 && !t->feed_failed) {
                ssize_t n = send(t->verifier_fd, p, left, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        t->feed_failed = true; /* the verdict cannot be a pass now */
                        break;
                }
                p += n;
                left -= (size_t)n;
        }
        return 0;
}

/* Polled by the HTTP layer: stop downloading once the verifier has failed. */
static int tee_check(void *userdata, struct ace_error **err)
{
        struct tee_sink *t = userdata;

        if (!atomic_load(&t->v->failed))
                return 0;
        t->aborted = true;
        return ace_error_make(err, EBADMSG, "signature check failed during download");
}

int fetch_download_verify(struct fetcher *f, const char *url, const char *etag, int fd, char **keys,
                          const struct fetch_sig *sig, struct http_response *resp,
                          struct pgp_verify_result *ret, struct ace_error **err)
{
        struct verifier v = {.keys = keys, .sig = sig};
        struct tee_sink t = {.spool_fd = fd, .v = &v};
        struct http_request req = {
            .url = url,
            .if_none_match = etag,
            .sink = tee_write,
            .userdata = &t,
            .progress_label = "ACI",
            .check = tee_check,
        };
        int sv[2], r, pe;

        *ret = (struct pgp_verify_result){0};
        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                return ace_error_errno(err, errno, "resetting the spool file");
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return ace_error_errno(err, errno, "socketpair");
        v.fd = sv[0];
        t.verifier_fd = sv[1];
        pe = pthread_create(&v.thread, NULL, verifier_main, &v);
        if (pe) {
                close(sv[0]);
                close(sv[1]);
                return ace_error_errno(err, pe, "starting the signature verifier");
        }
        r = http_get(f->http, &req, resp, err);
        /* EOF for the verifier, then its verdict. */
        close(sv[1]);
        pthread_join(v.thread, NULL);
        close(sv[0]);
        if (r >= 0 && resp->status == 304 && etag) {
                pgp_verify_result_clear(&v.res);
                ace_error_free(v.err);
                return 0; /* nothing downloaded: the stored image is current */
        }
        if (r < 0 && !t.aborted) {
                /* Transport failures (timeouts, TLS, redirects) are reported as such, not as
                 * the bad signature a partial download also is. */
                r = ace_error_wrap(err, "error downloading ACI");
        } else if (r >= 0 && resp->status != 200) {
                r = ace_error_make(err, resp->status == 404 || resp->status == 410 ? ENOENT : EIO,
                                   "error downloading ACI from %s: bad HTTP status code: %ld", url,
                                   resp->status);
        } else if (v.r < 0) {
                /* The verifier's reason beats the aborted download's. */
                r = -v.err->code;
                if (err) {
                        ace_error_free(*err);
                        *err = TAKE_PTR(v.err);
                }
                if (r == -ENOKEY) {
                        fetch_diag(f, "image: if you expected the signing key to change, try "
                                      "running:");
                        fetch_diag(f, "image:     ace trust --prefix <image>");
                }
                r = ace_error_wrap(err, "image signature verification failed (%s)", sig->location);
        } else if (t.feed_failed) {
                r = ace_error_make(err, EIO, "feeding the signature verifier failed");
        }
        ace_error_free(v.err);
        if (r < 0) {
                pgp_verify_result_clear(&v.res);
                return r;
        }
        *ret = v.res;
        return 0;
}

int fetch_trusted_keys(struct fetcher *f, const char *name, char ***ret_paths,
                       struct ace_error **err)
{
        struct trusted_key_list l;
        char **paths = xcalloc(1, sizeof(char *));
        _cleanup_strv_free_ char **seen = xcalloc(1, sizeof(char *));
        int r;

        r = name ? keystore_keys_for_name(&f->ks, name, &l, err) : keystore_list(&f->ks, &l, err);
        if (r < 0) {
                strv_free(paths);
                return r;
        }
        /* One file per fingerprint: the same key trusted for two prefixes is one key. */
        for (size_t i = 0; i < l.n; i++) {
                if (strv_contains(seen, l.items[i].fingerprint))
                        continue;
                seen = strv_push(seen, l.items[i].fingerprint);
                paths = strv_push(paths, l.items[i].path);
        }
        trusted_key_list_clear(&l);
        *ret_paths = paths;
        return 0;
}

int fetch_verify(struct fetcher *f, char **key_paths, int fd, const struct fetch_sig *sig,
                 struct pgp_verify_result *ret, struct ace_error **err)
{
        int r;

        r = pgp_verify_detached(key_paths, fd, sig->buf, sig->len, ret, err);
        if (r == -ENOKEY) {
                fetch_diag(f, "image: if you expected the signing key to change, try running:");
                fetch_diag(f, "image:     ace trust --prefix <image>");
        }
        if (r < 0)
                return ace_error_wrap(err, "image signature verification failed (%s)",
                                      sig->location);
        return 0;
}

void fetch_report_verified(const struct fetcher *f, const struct pgp_verify_result *vr)
{
        fetch_diag(f, "image: signature verified:");
        for (char **u = vr->uids; u && *u; u++)
                fetch_diag(f, "  %s", *u);
}

/* The appc discovery MUST: name equal, every requested label present with the same value. */
static int run_checks(struct fetcher *f, const struct ace_image_manifest *m,
                      const struct fetch_checks *c, struct ace_error **err)
{
        if (c->name && strcmp(m->name, c->name) != 0)
                return ace_error_make(err, EBADMSG,
                                      "error when reading the app name: \"%s\" expected but "
                                      "\"%s\" found",
                                      c->name, m->name);
        for (char **l = c->app ? c->app->labels : NULL; l && *l; l++) {
                _cleanup_free_ char *label = xstrdup(*l);
                char *eq = strchr(label, '=');
                const char *have;

                if (!eq)
                        continue;
                *eq = '\0';
                have = ace_kv_get(&m->labels, label);
                if (!have)
                        return ace_error_make(err, EBADMSG,
                                              "requested label \"%s\" not provided by the image "
                                              "manifest",
                                              label);
                if (strcmp(have, eq + 1) != 0)
                        return ace_error_make(err, EBADMSG,
                                              "requested value for label \"%s\": \"%s\" differs "
                                              "from fetched aci label value: \"%s\"",
                                              label, eq + 1, have);
        }
        if (c->signer) {
                struct trusted_key_list l;
                bool trusted = false;
                int r = keystore_keys_for_name(&f->ks, m->name, &l, err);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < l.n; i++)
                        if (strcmp(l.items[i].fingerprint, c->signer) == 0)
                                trusted = true;
                trusted_key_list_clear(&l);
                if (!trusted)
                        return ace_error_make(err, ENOKEY,
                                              "image %s is signed by key %s, which is not trusted "
                                              "for the name %s (see ace trust --list)",
                                              m->name, c->signer, m->name);
        }
        return 0;
}

static int finish_and_commit(struct fetcher *f, struct store_import *imp,
                             const struct fetch_checks *checks, char **ret_id,
                             struct ace_error **err)
{
        const struct store_import_result *res;
        int r;

        r = store_import_finish(imp, &res, err);
        if (r >= 0 && checks)
                r = run_checks(f, res->manifest, checks, err);
        if (r < 0) {
                store_import_abort(imp);
                return r;
        }
        return store_import_commit(imp, ret_id, err);
}

int fetch_import_fd(struct fetcher *f, int fd, const struct store_import_opts *io,
                    const struct fetch_checks *checks, char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *buf = xmalloc(IMPORT_CHUNK);
        struct store_import *imp = NULL;
        off_t off = 0;
        int r;

        r = store_import_begin(f->store, io, &imp, err);
        if (r < 0)
                return r;
        for (;;) {
                ssize_t n = TEMP_FAILURE_RETRY(pread(fd, buf, IMPORT_CHUNK, off));
                if (n < 0) {
                        r = ace_error_errno(err, errno, "reading the image");
                        break;
                }
                if (n == 0)
                        break;
                off += n;
                r = store_import_write(imp, buf, (size_t)n, err);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                store_import_abort(imp);
                return r;
        }
        return finish_and_commit(f, imp, checks, ret_id, err);
}

struct import_sink {
        struct fetcher *f;
        const struct store_import_opts *io;
        struct store_import *imp;
};

static int import_sink_write(void *userdata, const void *buf, size_t len, struct ace_error **err)
{
        struct import_sink *s = userdata;
        int r;

        /* Begun on the first body byte: a 304 or an error status imports nothing. */
        if (!s->imp) {
                r = store_import_begin(s->f->store, s->io, &s->imp, err);
                if (r < 0)
                        return r;
        }
        return store_import_write(s->imp, buf, len, err);
}

int fetch_stream_import(struct fetcher *f, const char *url, const char *etag,
                        const struct store_import_opts *io, const struct fetch_checks *checks,
                        char **ret_id, struct http_response *resp, struct ace_error **err)
{
        struct import_sink sink = {.f = f, .io = io};
        struct http_request req = {
            .url = url,
            .if_none_match = etag,
            .sink = import_sink_write,
            .userdata = &sink,
            .progress_label = "ACI",
        };
        int r;

        *ret_id = NULL;
        r = http_get(f->http, &req, resp, err);
        if (r >= 0 && resp->status != 200 && !(etag && resp->status == 304))
                r = ace_error_make(err, resp->status == 404 || resp->status == 410 ? ENOENT : EIO,
                                   "error downloading ACI from %s: bad HTTP status code: %ld", url,
                                   resp->status);
        if (r < 0) {
                store_import_abort(sink.imp);
                return resp->status ? r : ace_error_wrap(err, "error downloading ACI");
        }
        if (resp->status == 304) {
                store_import_abort(sink.imp);
                return 0;
        }
        if (!sink.imp) {
                /* An empty 200 body: let the importer say why it is not an image. */
                r = store_import_begin(f->store, io, &sink.imp, err);
                if (r < 0)
                        return r;
        }
        return finish_and_commit(f, sink.imp, checks, ret_id, err);
}
