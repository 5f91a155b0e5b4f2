/*
 * pgp.c - OpenPGP key inspection and detached-signature verification with gpgme, each in a
 * private temporary GNUPGHOME holding only the keys it was given (see pgp.h).
 *
 * Why a fresh home per operation: the keyring must contain exactly the keys trusted for this
 * image name (trust is decided by us, not by gpg's web of trust), root's ~/.gnupg must play no
 * part, and a verification killed half-way must not leave a dotlock that makes the next one
 * wait (reliability.md §3b item 3). Only public keys are ever imported, so gpg never needs an
 * agent; no-auto-key-retrieve and gpgme's offline mode keep it off the network.
 */
#include "stage0/pgp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/lazy_gpgme.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define PGP_MAX_KEY_FILE (1u << 20)
#define ARMOR_SIG_BEGIN "-----BEGIN PGP SIGNATURE-----"
#define ARMOR_SIG_END "-----END PGP SIGNATURE-----"
#define ARMOR_KEY_BEGIN "-----BEGIN PGP PUBLIC KEY BLOCK-----"

static pthread_once_t gpgme_once = PTHREAD_ONCE_INIT;
static gpgme_error_t gpgme_init_error;

static void pgp_global_init(void)
{
        gpgme_check_version(NULL);
        gpgme_init_error = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
}

/* A private GNUPGHOME and a gpgme context bound to it. */
struct pgp_session {
        char home[64];
        gpgme_ctx_t ctx;
};

static void rm_tree_at(int dfd)
{
        DIR *d = fdopendir(dfd);
        struct dirent *e;

        if (!d) {
                close(dfd);
                return;
        }
        while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                        continue;
                if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                        continue;
                if (errno == EISDIR) {
                        int sub = openat(dirfd(d), e->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                rm_tree_at(sub);
                        (void)unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
                }
        }
        closedir(d);
}

static void session_end(struct pgp_session *s)
{
        if (s->ctx)
                gpgme_release(s->ctx);
        s->ctx = NULL;
        if (s->home[0]) {
                int dfd = open(s->home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dfd >= 0)
                        rm_tree_at(dfd);
                if (rmdir(s->home) < 0)
                        log_debug("removing %s: %m", s->home);
                s->home[0] = '\0';
        }
}

static int gpg_fail(struct ace_error **err, gpgme_error_t e, const char *what)
{
        return ace_error_make(err, EIO, "%s: %s", what, gpgme_strerror(e));
}

static int session_begin(struct pgp_session *s, struct ace_error **err)
{
        const char *tmp = secure_getenv("TMPDIR");
        _cleanup_free_ char *conf = NULL;
        gpgme_error_t e;
        int fd;

        pthread_once(&gpgme_once, pgp_global_init);
        if (gpgme_init_error)
                return gpg_fail(err, gpgme_init_error, "gpgme OpenPGP engine");
        *s = (struct pgp_session){0};
        if (!tmp || !*tmp || strlen(tmp) > 40)
                tmp = "/tmp";
        snprintf(s->home, sizeof(s->home), "%s/ace-gnupg-XXXXXX", tmp);
        if (!mkdtemp(s->home)) {
                int r = ace_error_errno(err, errno, "creating a temporary GNUPGHOME in %s", tmp);
                s->home[0] = '\0';
                return r;
        }
        conf = xasprintf("%s/gpg.conf", s->home);
        fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
                int r = ace_error_errno(err, errno, "creating %s", conf);
                session_end(s);
                return r;
        }
        static const char gpg_conf[] = "no-auto-key-retrieve\nno-autostart\nno-greeting\nbatch\n"
                                       "no-random-seed-file\n";
        if (write(fd, gpg_conf, sizeof(gpg_conf) - 1) != (ssize_t)(sizeof(gpg_conf) - 1)) {
                int r = ace_error_errno(err, errno, "writing %s", conf);
                close(fd);
                session_end(s);
                return r;
        }
        close(fd);
        e = gpgme_new(&s->ctx);
        if (!e)
                e = gpgme_set_protocol(s->ctx, GPGME_PROTOCOL_OpenPGP);
        if (!e)
                e = gpgme_ctx_set_engine_info(s->ctx, GPGME_PROTOCOL_OpenPGP, NULL, s->home);
        if (e) {
                int r = gpg_fail(err, e, "setting up gpgme");
                session_end(s);
                return r;
        }
        gpgme_set_offline(s->ctx, 1);
        return 0;
}

static bool starts_with_armor(const char *buf, size_t len, const char *armor)
{
        size_t al = strlen(armor);

        while (len > 0 && (*buf == ' ' || *buf == '\t' || *buf == '\r' || *buf == '\n')) {
                buf++;
                len--;
        }
        return len >= al && memcmp(buf, armor, al) == 0;
}

/* Imports one armored public key block; returns the number of keys it held. */
static int session_import(struct pgp_session *s, const char *buf, size_t len, const char *what,
                          struct ace_error **err)
{
        gpgme_data_t d = NULL;
        gpgme_import_result_t res;
        gpgme_error_t e;

        if (!starts_with_armor(buf, len, ARMOR_KEY_BEGIN))
                return ace_error_make(err, EINVAL,
                                      "%s: not an ASCII-armored OpenPGP public key block", what);
        e = gpgme_data_new_from_mem(&d, buf, len, 0);
        if (e)
                return gpg_fail(err, e, what);
        e = gpgme_op_import(s->ctx, d);
        gpgme_data_release(d);
        if (e)
                return gpg_fail(err, e, what);
        res = gpgme_op_import_result(s->ctx);
        if (!res || res->considered == 0 || res->not_imported > 0)
                return ace_error_make(err, EINVAL, "%s: no usable OpenPGP public key", what);
        return res->considered;
}

static char *lower_dup(const char *s)
{
        char *r = xstrdup(s ? s : "");
        for (char *p = r; *p; p++)
                if (*p >= 'A' && *p <= 'F')
                        *p = (char)(*p - 'A' + 'a');
        return r;
}

static void fill_key_info(gpgme_key_t k, struct pgp_key_info *ret)
{
        *ret = (struct pgp_key_info){
            .fingerprint = lower_dup(k->subkeys ? k->subkeys->fpr : k->fpr),
            .subkey_fingerprints = xcalloc(1, sizeof(char *)),
            .uids = xcalloc(1, sizeof(char *)),
            .revoked = k->revoked,
            .expired = k->expired,
            .can_sign = k->can_sign,
        };
        for (gpgme_subkey_t sk = k->subkeys ? k->subkeys->next : NULL; sk; sk = sk->next)
                ret->subkey_fingerprints =
                    strv_push_take(ret->subkey_fingerprints, lower_dup(sk->fpr));
        for (gpgme_user_id_t u = k->uids; u; u = u->next)
                if (u->uid)
                        ret->uids = strv_push(ret->uids, u->uid);
}

void pgp_key_info_clear(struct pgp_key_info *k)
{
        free(k->fingerprint);
        strv_free(k->subkey_fingerprints);
        strv_free(k->uids);
        *k = (struct pgp_key_info){0};
}

int pgp_key_inspect(const char *armored, size_t len, struct pgp_key_info *ret,
                    struct ace_error **err)
{
        struct pgp_session s;
        gpgme_key_t k = NULL, extra = NULL;
        int r;

        *ret = (struct pgp_key_info){0};
        r = session_begin(&s, err);
        if (r < 0)
                return r;
        r = session_import(&s, armored, len, "reading key", err);
        if (r >= 0 && gpgme_op_keylist_start(s.ctx, NULL, 0) == 0) {
                if (gpgme_op_keylist_next(s.ctx, &k) == 0 &&
                    gpgme_op_keylist_next(s.ctx, &extra) == 0) {
                        r = ace_error_make(err, EINVAL,
                                           "reading key: the block holds more than one key");
                }
                gpgme_op_keylist_end(s.ctx);
                if (r >= 0 && !k)
                        r = ace_error_make(err, EINVAL, "reading key: no key found");
                if (r >= 0)
                        fill_key_info(k, ret);
        }
        if (k)
                gpgme_key_unref(k);
        if (extra)
                gpgme_key_unref(extra);
        session_end(&s);
        return r < 0 ? r : 0;
}

char *pgp_fingerprint_format(const char *hex)
{
        size_t n = strlen(hex);
        char *out = xmalloc(n + n / 4 + 4), *p = out;

        /* rkt's fingerToString: groups of 4 upper-case hex digits, two spaces in the middle. */
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && i % 4 == 0) {
                        *p++ = ' ';
                        if (i == n / 2 && n == 40)
                                *p++ = ' ';
                }
                char c = hex[i];
                *p++ = (char)(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
        }
        *p = '\0';
        return out;
}

int pgp_signature_shape_check(const char *sig, size_t len, struct ace_error **err)
{
        const char *p = sig, *end = sig + len, *b, *e;
        size_t bl = strlen(ARMOR_SIG_BEGIN), el = strlen(ARMOR_SIG_END);

        if (memchr(sig, '\0', len))
                return ace_error_make(err, EBADMSG,
                                      "signature is not an ASCII-armored detached signature");
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
                p++;
        while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
                end--;
        if ((size_t)(end - p) < bl + el || memcmp(p, ARMOR_SIG_BEGIN, bl) != 0)
                return ace_error_make(err, EBADMSG,
                                      "signature is not an ASCII-armored detached signature "
                                      "(clearsigned, inline-signed and binary signatures are "
                                      "refused)");
        if (memcmp(end - el, ARMOR_SIG_END, el) != 0)
                return ace_error_make(err, EBADMSG, "signature armor is not terminated");
        /* Exactly one armor block. */
        b = memmem(p + bl, (size_t)(end - p - bl), "-----BEGIN PGP", 14);
        e = memmem(p, (size_t)(end - p), ARMOR_SIG_END, el);
        if (b || e != end - el)
                return ace_error_make(err, EBADMSG, "signature file holds more than one block");
        return 0;
}

/* Reads the signed data with pread from our own offset: the caller's fd offset is untouched. */
struct fd_reader {
        int fd;
        off_t off;
        bool stream; /* a pipe or socket: plain read() */
};

static ssize_t fd_read_cb(void *handle, void *buf, size_t size)
{
        struct fd_reader *r = handle;
        ssize_t n = r->stream ? TEMP_FAILURE_RETRY(read(r->fd, buf, size))
                              : TEMP_FAILURE_RETRY(pread(r->fd, buf, size, r->off));

        if (n > 0)
                r->off += n;
        return n;
}

static bool digest_acceptable(gpgme_hash_algo_t a)
{
        switch (a) {
        case GPGME_MD_SHA224:
        case GPGME_MD_SHA256:
        case GPGME_MD_SHA384:
        case GPGME_MD_SHA512:
                return true;
        default:
                return false;
        }
}

static int check_signature(gpgme_signature_t sig, struct ace_error **err)
{
        gpgme_err_code_t code = gpgme_err_code(sig->status);

        switch (code) {
        case GPG_ERR_NO_ERROR:
                break;
        case GPG_ERR_NO_PUBKEY:
                return ace_error_make(err, ENOKEY,
                                      "signature made by key %s, which is not trusted for this "
                                      "image",
                                      sig->fpr ? sig->fpr : "(unknown)");
        case GPG_ERR_KEY_EXPIRED:
                return ace_error_make(err, EBADMSG, "signature made by expired key %s",
                                      sig->fpr ? sig->fpr : "(unknown)");
        case GPG_ERR_CERT_REVOKED:
                return ace_error_make(err, EBADMSG, "signature made by revoked key %s",
                                      sig->fpr ? sig->fpr : "(unknown)");
        case GPG_ERR_SIG_EXPIRED:
                return ace_error_make(err, EBADMSG, "signature expired");
        case GPG_ERR_BAD_SIGNATURE:
                return ace_error_make(err, EBADMSG, "bad signature: the image does not match it");
        default:
                return ace_error_make(err, EBADMSG, "signature not valid: %s",
                                      gpgme_strerror(sig->status));
        }
        if (sig->summary & (GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_REVOKED | GPGME_SIGSUM_KEY_EXPIRED |
                            GPGME_SIGSUM_SIG_EXPIRED | GPGME_SIGSUM_KEY_MISSING))
                return ace_error_make(err, EBADMSG, "signature not valid (summary 0x%x)",
                                      sig->summary);
        if (sig->wrong_key_usage)
                return ace_error_make(err, EBADMSG,
                                      "signature made by a key not meant for "
                                      "signing");
        if (!digest_acceptable(sig->hash_algo))
                return ace_error_make(err, EBADMSG,
                                      "signature uses the weak digest %s (SHA-256 or stronger "
                                      "required)",
                                      gpgme_hash_algo_name(sig->hash_algo)
                                          ? gpgme_hash_algo_name(sig->hash_algo)
                                          : "unknown");
        return 0;
}

void pgp_verify_result_clear(struct pgp_verify_result *r)
{
        free(r->fingerprint);
        strv_free(r->uids);
        *r = (struct pgp_verify_result){0};
}

static int import_key_files(struct pgp_session *s, char *const *key_paths, struct ace_error **err)
{
        for (char *const *p = key_paths; p && *p; p++) {
                _cleanup_close_ int fd = open(*p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                _cleanup_free_ char *buf = xmalloc(PGP_MAX_KEY_FILE + 1);
                size_t len = 0;
                ssize_t n;
                int r;

                if (fd < 0)
                        return ace_error_errno(err, errno, "opening key %s", *p);
                while ((n = TEMP_FAILURE_RETRY(read(fd, buf + len, PGP_MAX_KEY_FILE + 1 - len))) >
                       0)
                        len += (size_t)n;
                if (n < 0)
                        return ace_error_errno(err, errno, "reading key %s", *p);
                if (len > PGP_MAX_KEY_FILE)
                        return ace_error_make(err, EFBIG, "key %s is too large", *p);
                r = session_import(s, buf, len, *p, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int verify_in_session(struct pgp_session *s, int data_fd, bool stream, const char *sig,
                             size_t len, struct pgp_verify_result *ret, struct ace_error **err)
{
        struct fd_reader reader = {.fd = data_fd, .stream = stream};
        struct gpgme_data_cbs cbs = {.read = fd_read_cb};
        gpgme_data_t sigd = NULL, text = NULL;
        gpgme_verify_result_t vr;
        gpgme_signature_t sg;
        gpgme_key_t key = NULL;
        gpgme_error_t e;
        int r;

        e = gpgme_data_new_from_mem(&sigd, sig, len, 0);
        if (!e)
                e = gpgme_data_new_from_cbs(&text, &cbs, &reader);
        if (!e)
                e = gpgme_op_verify(s->ctx, sigd, text, NULL);
        gpgme_data_release(sigd);
        gpgme_data_release(text);
        if (e)
                return ace_error_make(err, EBADMSG, "verifying signature: %s", gpgme_strerror(e));
        vr = gpgme_op_verify_result(s->ctx);
        if (!vr || !vr->signatures)
                return ace_error_make(err, EBADMSG, "no valid signatures found in signature file");
        if (vr->signatures->next)
                return ace_error_make(err, EBADMSG, "signature file holds more than one signature");
        sg = vr->signatures;
        r = check_signature(sg, err);
        if (r < 0)
                return r;
        /* The signer may be a subkey: report (and check) its primary key. */
        e = gpgme_get_key(s->ctx, sg->fpr, &key, 0);
        if (e || !key)
                return ace_error_make(err, ENOKEY, "signing key %s not found", sg->fpr);
        if (key->revoked || key->expired || key->disabled || key->invalid) {
                gpgme_key_unref(key);
                return ace_error_make(err, EBADMSG,
                                      "signing key %s is revoked, expired or "
                                      "invalid",
                                      sg->fpr);
        }
        struct pgp_key_info info;
        fill_key_info(key, &info);
        gpgme_key_unref(key);
        ret->fingerprint = TAKE_PTR(info.fingerprint);
        ret->uids = TAKE_PTR(info.uids);
        pgp_key_info_clear(&info);
        return 0;
}

static int verify(char *const *key_paths, int data_fd, bool stream, const char *sig, size_t len,
                  struct pgp_verify_result *ret, struct ace_error **err)
{
        struct pgp_session s;
        int r;

        *ret = (struct pgp_verify_result){0};
        r = pgp_signature_shape_check(sig, len, err);
        if (r < 0)
                return r;
        if (!key_paths || !key_paths[0])
                return ace_error_make(err, ENOKEY, "no keys are trusted for this image");
        r = session_begin(&s, err);
        if (r < 0)
                return r;
        r = import_key_files(&s, key_paths, err);
        if (r >= 0)
                r = verify_in_session(&s, data_fd, stream, sig, len, ret, err);
        session_end(&s);
        return r < 0 ? r : 0;
}

int pgp_verify_detached(char *const *key_paths, int data_fd, const char *sig, size_t len,
                        struct pgp_verify_result *ret, struct ace_error **err)
{
        return verify(key_paths, data_fd, false, sig, len, ret, err);
}

int pgp_verify_detached_stream(char *const *key_paths, int data_fd, const char *sig, size_t len,
                               struct pgp_verify_result *ret, struct ace_error **err)
{
        return verify(key_paths, data_fd, true, sig, len, ret, err);
}
