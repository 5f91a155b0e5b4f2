/*
 * fetch_internal.h - shared between stage0/fetch.c (what to fetch, pull policies, dependencies)
 * and stage0/fetch_io.c (spooling, signatures, verification, importing). Not a public API.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "discovery/discovery.h"
#include "discovery/http.h"
#include "stage0/fetch.h"
#include "stage0/keystore.h"
#include "stage0/pgp.h"
#include "stage0/store/import.h"

struct fetcher {
        struct store *store;
        struct fetch_options o;
        struct http_client *http;
        struct keystore ks;
        char *tmp_dir;  /* <data dir>/tmp: spool files (unlinked) */
        unsigned depth; /* dependency recursion depth */
        /* The current request skips verification by the caller's choice (the default stage1),
         * not the user's: no "verification disabled" warning for it. */
        bool quiet_unverified;
};

/* A diagnostic line through the UI ("image: ..."). */
void fetch_diag(const struct fetcher *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An unlinked read-write temp file under tmp_dir (O_TMPFILE where supported). */
int fetch_spool_open(struct fetcher *f, int *ret_fd, struct ace_error **err);

/* A signature: from a local file (--signature, or next to a local image) or a URL. */
struct fetch_sig {
        char *location; /* path or URL */
        bool remote;
        char *buf;
        size_t len;
        bool deferred; /* the server answered 202: fetch again after the image */
};

void fetch_sig_clear(struct fetch_sig *s);
/* Gets the signature; a 202 sets deferred (no error), any other non-200 fails closed. */
int fetch_sig_get(struct fetcher *f, struct fetch_sig *s, struct ace_error **err);
/* For a deferred signature: retries a few times with backoff; fails if still deferred. */
int fetch_sig_retry(struct fetcher *f, struct fetch_sig *s, struct ace_error **err);

/* Downloads url into fd (truncated first). With etag, a 304 leaves fd empty; resp->status
 * tells. Fails on any status other than 200 and 304. */
int fetch_download(struct fetcher *f, const char *url, const char *etag, int fd,
                   struct http_response *resp, struct ace_error **err);

/* fetch_download() with the signature verified against keys while the bytes arrive (the
 * signature must be at hand, not deferred). A 304 (with etag) returns 0 without a verdict;
 * otherwise 0 means downloaded and verified, *ret the signer. */
int fetch_download_verify(struct fetcher *f, const char *url, const char *etag, int fd, char **keys,
                          const struct fetch_sig *sig, struct http_response *resp,
                          struct pgp_verify_result *ret, struct ace_error **err);

/* Key files trusted for an image name, or for any name (name NULL: every trusted key). */
int fetch_trusted_keys(struct fetcher *f, const char *name, char ***ret_paths,
                       struct ace_error **err);

/* Verifies sig over the content of fd with exactly those keys; reports the signer. */
int fetch_verify(struct fetcher *f, char **key_paths, int fd, const struct fetch_sig *sig,
                 struct pgp_verify_result *ret, struct ace_error **err);

/* "signature verified:" and the signer's user IDs, once the image is accepted. */
void fetch_report_verified(const struct fetcher *f, const struct pgp_verify_result *vr);

/* What the imported manifest must satisfy before the image becomes visible. */
struct fetch_checks {
        const char *name;                /* manifest name must be exactly this, or NULL */
        const struct discovery_app *app; /* every label must be present with that value */
        const char *signer;              /* this key must be trusted for the manifest's name */
};

/* Imports the ACI in fd (read from offset 0 with pread), checks, then commits. */
int fetch_import_fd(struct fetcher *f, int fd, const struct store_import_opts *io,
                    const struct fetch_checks *checks, char **ret_id, struct ace_error **err);

/* Downloads url straight into the store's importer (no signature: one streaming pass). A 304
 * (with etag) imports nothing: *ret_id stays NULL and resp->status is 304. */
int fetch_stream_import(struct fetcher *f, const char *url, const char *etag,
                        const struct store_import_opts *io, const struct fetch_checks *checks,
                        char **ret_id, struct http_response *resp, struct ace_error **err);
