/*
 * trust.c - fetching, showing, reviewing and storing trusted keys (see trust.h), with rkt's
 * messages (rkt/pubkey/pubkey.go) so scripts and people see what they saw with rkt.
 */
#include "stage0/trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "discovery/discovery.h"
#include "discovery/http.h"
#include "stage0/keystore.h"
#include "stage0/pgp.h"

#define TRUST_MAX_KEY (1u << 20)

static void out(const struct trust_options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void out(const struct trust_options *o, const char *fmt, ...)
{
        va_list ap;
        _cleanup_free_ char *s = NULL;

        if (!o->ui.out)
                return;
        va_start(ap, fmt);
        s = xvasprintf(fmt, ap);
        va_end(ap);
        o->ui.out(o->ui.userdata, s);
}

static void diag(const struct trust_options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void diag(const struct trust_options *o, const char *fmt, ...)
{
        va_list ap;
        _cleanup_free_ char *s = NULL;

        if (!o->ui.diag)
                return;
        va_start(ap, fmt);
        s = xvasprintf(fmt, ap);
        va_end(ap);
        o->ui.diag(o->ui.userdata, s);
}

int trust_discover_locations(const struct trust_options *o, const char *prefix, char ***ret,
                             struct ace_error **err)
{
        struct discovery_app app = {.name = (char *)prefix};
        struct discovery_options dopt = {.http = o->http};
        struct discovery_result res;
        int r;

        *ret = NULL;
        if (!prefix || !*prefix)
                return ace_error_make(err, EINVAL, "empty prefix");
        r = discovery_find_pubkeys(&dopt, &app, &res, err);
        for (size_t i = 0; i < res.n_attempts; i++)
                log_debug("meta tag 'ac-discovery-pubkeys' not found on %s: %s",
                          res.attempts[i].prefix, res.attempts[i].error);
        if (r < 0) {
                discovery_result_clear(&res);
                return ace_error_wrap(err, "prefix meta discovery error");
        }
        if (strv_length(res.pubkeys) == 0) {
                discovery_result_clear(&res);
                return ace_error_make(err, ENOENT, "meta discovery on %s resulted in no keys",
                                      prefix);
        }
        *ret = TAKE_PTR(res.pubkeys);
        discovery_result_clear(&res);
        return 0;
}

static bool has_prefix(const char *s, const char *p)
{
        return strncmp(s, p, strlen(p)) == 0;
}

int trust_read_key(const struct trust_options *o, const char *location, char **ret, size_t *ret_len,
                   struct ace_error **err)
{
        if (has_prefix(location, "http://") && !http_client_allows_http(o->http))
                return ace_error_make(err, EPERM,
                                      "error accessing the key %s: --insecure-allow-http "
                                      "required for http URLs",
                                      location);
        if (has_prefix(location, "https://") || has_prefix(location, "http://")) {
                int r = http_get_buffer(o->http, location, TRUST_MAX_KEY, ret, ret_len, NULL, err);
                return r < 0 ? ace_error_wrap(err, "error accessing the key %s", location) : 0;
        }
        if (strstr(location, "://"))
                return ace_error_make(err, EPROTONOSUPPORT,
                                      "error accessing the key %s: only local files and http or "
                                      "https URLs supported",
                                      location);
        if (fs_read_file_at(AT_FDCWD, location, TRUST_MAX_KEY, ret, ret_len, err) < 0)
                return ace_error_wrap(err, "error accessing the key %s", location);
        return 0;
}

static void display_key(const struct trust_options *o, const char *prefix, const char *location,
                        const struct pgp_key_info *k)
{
        _cleanup_free_ char *fpr = pgp_fingerprint_format(k->fingerprint);

        diag(o, "prefix: \"%s\"", prefix ? prefix : "");
        diag(o, "key: \"%s\"", location);
        out(o, "gpg key fingerprint is: %s", fpr);
        for (char **s = k->subkey_fingerprints; s && *s; s++) {
                _cleanup_free_ char *sf = pgp_fingerprint_format(*s);
                out(o, "    Subkey fingerprint: %s", sf);
        }
        for (char **u = k->uids; u && *u; u++)
                out(o, "\t%s", *u);
}

/* 1: store it, 0: declined. */
static int review(const struct trust_options *o, const char *prefix, const char *location,
                  const struct pgp_key_info *k, bool *forced, struct ace_error **err)
{
        *forced = o->skip_review || (o->trust_keys_from_https && has_prefix(location, "https://"));
        if (*forced)
                return 1;
        if (!o->ui.review) {
                diag(o,
                     "To trust the key for \"%s\", do one of the following:", prefix ? prefix : "");
                diag(o, " - call ace with --trust-keys-from-https");
                diag(o, " - run: ace trust --prefix \"%s\"", prefix ? prefix : "");
                return ace_error_make(err, ENOTTY,
                                      "error reviewing key: unable to ask user to review "
                                      "fingerprint due to lack of tty");
        }
        return o->ui.review(o->ui.userdata, prefix, location, k, err);
}

static int add_one(const struct trust_options *o, const char *location, const char *prefix,
                   struct ace_error **err)
{
        _cleanup_free_ char *key = NULL, *path = NULL;
        struct pgp_key_info info;
        size_t len = 0;
        bool forced;
        int r;

        r = trust_read_key(o, location, &key, &len, err);
        if (r < 0)
                return r;
        r = pgp_key_inspect(key, len, &info, err);
        if (r < 0)
                return ace_error_wrap(err, "error displaying the key %s", location);
        display_key(o, prefix, location, &info);
        r = review(o, prefix, location, &info, &forced, err);
        pgp_key_info_clear(&info);
        if (r < 0)
                return r;
        if (r == 0) {
                diag(o, "not trusting \"%s\"", location);
                return 0;
        }
        out(o, "Trusting \"%s\" for prefix \"%s\" %s fingerprint review.", location,
            prefix ? prefix : "", forced ? "without" : "after");
        r = keystore_store(o->ks, prefix, key, len, &path, err);
        if (r < 0) {
                if (prefix)
                        return ace_error_wrap(err, "error adding key for prefix \"%s\"", prefix);
                return ace_error_wrap(err, "error adding root key");
        }
        if (prefix)
                out(o, "Added key for prefix \"%s\" at \"%s\"", prefix, path);
        else
                out(o, "Added root key at \"%s\"", path);
        return 1;
}

int trust_add_keys(const struct trust_options *o, char *const *locations, const char *prefix,
                   struct ace_error **err)
{
        int added = 0;

        for (char *const *l = locations; l && *l; l++) {
                int r = add_one(o, *l, prefix, err);
                if (r < 0)
                        return r;
                added += r;
        }
        return added;
}
