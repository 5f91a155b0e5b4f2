/*
 * http.h - HTTP(S) GETs over libcurl for discovery pages, images, signatures and keys.
 *
 * Redirects are followed by this module, one hop at a time, instead of by libcurl, so every hop
 * is checked against our policy before a byte is sent to it:
 *   - at most `max_redirects` hops (default 10, as rkt);
 *   - only http and https targets, and never from https to http, even when plain http is
 *     allowed (a downgrade is refused, not followed);
 *   - credentials (auth.d basic or bearer) are attached only over https and only to the host
 *     the request was first sent to; a hop to another host or port goes without them.
 * TLS peer and host verification are on unless `insecure_tls`. Extra CA bundles are added to
 * the system trust store (they do not replace it); `ca_file` replaces the system roots like
 * OpenSSL's SSL_CERT_FILE does. A transfer fails when it cannot connect within the connect
 * timeout or when it moves fewer than `stall_min_bps` bytes per second for `stall_timeout`.
 *
 * Body bytes of a 2xx response are handed to the request's sink as they arrive, so callers can
 * stream a download into a hasher, a spool file or the store's importer without buffering it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define HTTP_DEFAULT_MAX_REDIRECTS 10
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS 30000L
#define HTTP_DEFAULT_STALL_TIMEOUT_MS 60000L
#define HTTP_DEFAULT_STALL_MIN_BPS 1024L

enum http_auth_type {
        HTTP_AUTH_BASIC,  /* auth.d type "basic": user + password */
        HTTP_AUTH_BEARER, /* auth.d type "oauth": bearer token */
};

/* Credentials for one domain (auth.d). `domain` is matched exactly against the URL's host, or
 * against "host:port" when the URL names a port. */
struct http_auth {
        char *domain;
        enum http_auth_type type;
        char *user;     /* basic */
        char *password; /* basic */
        char *token;    /* bearer */
};

void http_auth_clear(struct http_auth *a);

struct http_options {
        char *const *ca_bundles; /* extra PEM CA files added to the trust store; NULL-terminated */
        const char *ca_file;     /* replaces the system roots when set */
        bool insecure_tls;       /* --insecure-options=tls: no peer or host verification */
        bool allow_http;         /* --insecure-options=http: plain http URLs may be fetched */
        const struct http_auth *auths;
        size_t n_auths;
        long connect_timeout_ms; /* 0: HTTP_DEFAULT_CONNECT_TIMEOUT_MS */
        long stall_timeout_ms;   /* 0: HTTP_DEFAULT_STALL_TIMEOUT_MS */
        long stall_min_bps;      /* 0: HTTP_DEFAULT_STALL_MIN_BPS */
        int max_redirects;       /* < 0: HTTP_DEFAULT_MAX_REDIRECTS; 0: redirects refused */
        bool progress;           /* progress bars on stderr for requests with a label */
        const char *user_agent;  /* NULL: "ace/<version>" */
};

struct http_client;

/* Makes a client; the options are copied (strings included). */
int http_client_new(const struct http_options *o, struct http_client **ret, struct ace_error **err);
void http_client_free(struct http_client *c);
bool http_client_allows_http(const struct http_client *c);

/* Receives the body of a 2xx response, chunk by chunk. Returning < 0 (with *err set) aborts the
 * transfer and http_get() returns that error. */
typedef int (*http_sink_fn)(void *userdata, const void *buf, size_t len, struct ace_error **err);

struct http_request {
        const char *url;
        const char *if_none_match; /* ETag to revalidate with, or NULL */
        http_sink_fn sink;         /* NULL: the body is discarded */
        void *userdata;
        uint64_t max_body;          /* abort with EFBIG beyond this many bytes; 0: unlimited */
        const char *progress_label; /* "ACI", "signature"...: shows a bar; NULL: none */
        /* Polled while the transfer runs, also when no byte arrives (about once a second or
         * more often); returning < 0 with *err aborts the transfer with that error. */
        int (*check)(void *userdata, struct ace_error **err);
};

struct http_response {
        long status;         /* final status after redirects (200, 202, 304, 404, ...) */
        char *url;           /* final URL */
        char *etag;          /* ETag of the final response, or NULL */
        int64_t max_age;     /* Cache-Control max-age in seconds; 0 if absent/no-cache/no-store */
        char *content_type;  /* or NULL */
        uint64_t body_bytes; /* bytes handed to the sink */
        unsigned redirects;  /* hops followed */
};

void http_response_clear(struct http_response *r);

/*
 * Performs a GET. Returns 0 once a final response arrived, whatever its status: the caller
 * decides what a 404 or a 202 means. Returns < 0 for transport failures (DNS, connect, TLS,
 * timeouts, a refused redirect, too many redirects, a sink error, max_body exceeded).
 * The body is passed to the sink only for 2xx statuses.
 */
int http_get(struct http_client *c, const struct http_request *req, struct http_response *ret,
             struct ace_error **err);

/* GETs a small resource into memory (NUL-terminated); fails unless the final status is 200. */
/* A body kept in memory: a growing NUL-terminated buffer and the http_request sink that fills
 * it (userdata = struct http_membuf *; the caller frees buf). */
struct http_membuf {
        char *buf;
        size_t len, cap;
};
int http_membuf_sink(void *userdata, const void *buf, size_t len, struct ace_error **err);

int http_get_buffer(struct http_client *c, const char *url, size_t max, char **ret_buf,
                    size_t *ret_len, struct http_response *ret_resp, struct ace_error **err);

/* ---- pure helpers (unit-tested) ---- */

/* Cache-Control header value -> max-age seconds, rkt's rules: no-cache/no-store give 0, an
 * invalid or non-positive max-age gives 0. NULL gives 0. */
int64_t http_parse_max_age(const char *cache_control);

/* Credentials for `url` among `auths`, or NULL (also NULL for non-https URLs). */
const struct http_auth *http_auth_for_url(const struct http_auth *auths, size_t n, const char *url);

/* Whether a redirect from `from` to `to` may be followed: both absolute http(s) URLs, no
 * https -> http downgrade, http targets only with allow_http. Returns 0 or -EPERM with *err. */
int http_redirect_check(const char *from, const char *to, bool allow_http, struct ace_error **err);

/* Whether two URLs have the same scheme, host and port (credentials may follow a redirect only
 * when they do). */
bool http_same_origin(const char *a, const char *b);
