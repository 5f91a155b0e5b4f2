/*
 * http.c - HTTP(S) GETs over libcurl with our redirect, credential and TLS policy (see http.h).
 *
 * libcurl never follows a redirect by itself here (CURLOPT_FOLLOWLOCATION off): each 3xx is
 * checked by http_redirect_check() and re-issued as a new request, so credentials can be
 * decided per hop and a downgrade to http is refused before anything is sent. One easy handle
 * per client keeps connections alive between requests (discovery page, signature, image).
 */
#include "discovery/http.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/cleanup.h"
#include "common/lazy_curl.h"
#include "common/lazy_ssl.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"

struct http_client {
        CURL *curl;
        char **ca_bundles;
        char *ca_file;
        bool insecure_tls;
        bool allow_http;
        struct http_auth *auths;
        size_t n_auths;
        long connect_timeout_ms;
        long stall_timeout_ms;
        long stall_min_bps;
        int max_redirects;
        bool progress;
        char *user_agent;
};

/* State of one transfer (one hop). */
struct transfer {
        struct http_client *c;
        const struct http_request *req;
        CURL *curl;
        long status;
        char *etag;
        char *cache_control;
        char *content_type;
        uint64_t body_bytes;
        struct ace_error *err; /* set by a callback that aborted the transfer */
        bool progress_drawn;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void)
{
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_auth_clear(struct http_auth *a)
{
        free(a->domain);
        free(a->user);
        free(a->password);
        free(a->token);
        *a = (struct http_auth){0};
}

int http_client_new(const struct http_options *o, struct http_client **ret, struct ace_error **err)
{
        struct http_client *c;

        pthread_once(&curl_once, curl_init);
        if (curl_init_result != CURLE_OK)
                return ace_error_make(err, EIO, "initializing libcurl: %s",
                                      curl_easy_strerror(curl_init_result));
        c = xcalloc(1, sizeof(*c));
        c->curl = curl_easy_init();
        if (!c->curl) {
                free(c);
                return ace_error_make(err, ENOMEM, "initializing a libcurl handle");
        }
        c->ca_bundles = strv_copy(o->ca_bundles);
        c->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
        c->insecure_tls = o->insecure_tls;
        c->allow_http = o->allow_http;
        c->auths = xcalloc(o->n_auths + 1, sizeof(*c->auths));
        for (size_t i = 0; i < o->n_auths; i++) {
                const struct http_auth *a = &o->auths[i];
                c->auths[i] = (struct http_auth){
                    .domain = xstrdup(a->domain),
                    .type = a->type,
                    .user = a->user ? xstrdup(a->user) : NULL,
                    .password = a->password ? xstrdup(a->password) : NULL,
                    .token = a->token ? xstrdup(a->token) : NULL,
                };
        }
        c->n_auths = o->n_auths;
        c->connect_timeout_ms =
            o->connect_timeout_ms > 0 ? o->connect_timeout_ms : HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
        c->stall_timeout_ms =
            o->stall_timeout_ms > 0 ? o->stall_timeout_ms : HTTP_DEFAULT_STALL_TIMEOUT_MS;
        c->stall_min_bps = o->stall_min_bps > 0 ? o->stall_min_bps : HTTP_DEFAULT_STALL_MIN_BPS;
        c->max_redirects = o->max_redirects < 0 ? HTTP_DEFAULT_MAX_REDIRECTS : o->max_redirects;
        c->progress = o->progress && isatty(STDERR_FILENO);
        c->user_agent = xstrdup(o->user_agent ? o->user_agent : "ace/" ACE_VERSION);
        *ret = c;
        return 0;
}

void http_client_free(struct http_client *c)
{
        if (!c)
                return;
        curl_easy_cleanup(c->curl);
        strv_free(c->ca_bundles);
        free(c->ca_file);
        for (size_t i = 0; i < c->n_auths; i++)
                http_auth_clear(&c->auths[i]);
        free(c->auths);
        free(c->user_agent);
        free(c);
}

bool http_client_allows_http(const struct http_client *c)
{
        return c->allow_http;
}

void http_response_clear(struct http_response *r)
{
        free(r->url);
        free(r->etag);
        free(r->content_type);
        *r = (struct http_response){0};
}

/* ---- URL helpers ------------------------------------------------------------------------ */

struct url_parts {
        char *scheme;  /* lowercase */
        char *host;    /* lowercase, "" when the URL has none (file:///x) */
        char *port;    /* explicit port or NULL */
        long port_num; /* explicit or the scheme's default */
};

static void url_parts_clear(struct url_parts *p)
{
        free(p->scheme);
        free(p->host);
        free(p->port);
        *p = (struct url_parts){0};
}

static char *lower_dup(const char *s)
{
        char *r = xstrdup(s ? s : "");
        for (char *p = r; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char)(*p - 'A' + 'a');
        return r;
}

static int url_split(const char *url, struct url_parts *ret)
{
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL, *port = NULL, *dport = NULL;
        int r = -EINVAL;

        *ret = (struct url_parts){0};
        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
                goto out;
        (void)curl_url_get(u, CURLUPART_HOST, &host, 0);
        (void)curl_url_get(u, CURLUPART_PORT, &port, 0);
        (void)curl_url_get(u, CURLUPART_PORT, &dport, CURLU_DEFAULT_PORT);
        ret->scheme = lower_dup(scheme);
        ret->host = lower_dup(host);
        ret->port = port ? xstrdup(port) : NULL;
        ret->port_num = dport ? strtol(dport, NULL, 10) : 0;
        r = 0;
out:
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_free(dport);
        curl_url_cleanup(u);
        return r;
}

bool http_same_origin(const char *a, const char *b)
{
        struct url_parts pa, pb;
        bool same = false;

        if (url_split(a, &pa) < 0)
                return false;
        if (url_split(b, &pb) == 0) {
                same = strcmp(pa.scheme, pb.scheme) == 0 && strcmp(pa.host, pb.host) == 0 &&
                       pa.port_num == pb.port_num;
                url_parts_clear(&pb);
        }
        url_parts_clear(&pa);
        return same;
}

const struct http_auth *http_auth_for_url(const struct http_auth *auths, size_t n, const char *url)
{
        struct url_parts p;
        const struct http_auth *found = NULL;

        if (url_split(url, &p) < 0)
                return NULL;
        /* Credentials travel only over TLS. */
        if (strcmp(p.scheme, "https") == 0) {
                _cleanup_free_ char *hostport =
                    p.port ? xasprintf("%s:%s", p.host, p.port) : xstrdup(p.host);
                for (size_t i = 0; i < n && !found; i++)
                        if (strcasecmp(auths[i].domain, hostport) == 0)
                                found = &auths[i];
        }
        url_parts_clear(&p);
        return found;
}

int http_redirect_check(const char *from, const char *to, bool allow_http, struct ace_error **err)
{
        struct url_parts pf, pt;
        int r = 0;

        if (url_split(from, &pf) < 0)
                return ace_error_make(err, EPERM, "redirect from an invalid URL %s", from);
        if (url_split(to, &pt) < 0) {
                url_parts_clear(&pf);
                return ace_error_make(err, EPERM, "redirect from %s to an invalid URL", from);
        }
        if (strcmp(pt.scheme, "https") != 0 && strcmp(pt.scheme, "http") != 0)
                r = ace_error_make(err, EPERM, "redirect from %s to %s refused: scheme %s", from,
                                   to, pt.scheme);
        else if (strcmp(pf.scheme, "https") == 0 && strcmp(pt.scheme, "http") == 0)
                r = ace_error_make(err, EPERM,
                                   "redirect from %s to %s refused: downgrade from https to http",
                                   from, to);
        else if (strcmp(pt.scheme, "http") == 0 && !allow_http)
                r = ace_error_make(err, EPERM,
                                   "redirect to %s refused: plain http needs "
                                   "--insecure-options=http",
                                   to);
        url_parts_clear(&pf);
        url_parts_clear(&pt);
        return r;
}

int64_t http_parse_max_age(const char *cache_control)
{
        _cleanup_strv_free_ char **parts = NULL;
        int64_t max_age = 0;

        if (!cache_control)
                return 0;
        parts = strv_split(cache_control, ",", false);
        for (char **p = parts; *p; p++) {
                char *s = *p, *eq, *end;
                size_t l;

                while (*s == ' ' || *s == '\t')
                        s++;
                l = strlen(s);
                while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t'))
                        s[--l] = '\0';
                eq = strchr(s, '=');
                if (eq)
                        *eq = '\0';
                if (strcasecmp(s, "no-store") == 0 || strcasecmp(s, "no-cache") == 0) {
                        max_age = 0;
                } else if (strcasecmp(s, "max-age") == 0 && eq) {
                        const char *v = eq + 1;
                        long long secs;
                        /* rkt ignores malformed values and ones with a leading zero. */
                        if (!*v || (v[0] == '0' && v[1]) || !(v[0] >= '0' && v[0] <= '9'))
                                continue;
                        errno = 0;
                        secs = strtoll(v, &end, 10);
                        if (errno || *end)
                                continue;
                        max_age = secs > 0 ? secs : 0;
                }
        }
        return max_age;
}

/* ---- transfer callbacks ------------------------------------------------------------------ */

static bool header_is(const char *line, size_t len, const char *name, const char **value,
                      size_t *vlen)
{
        size_t nl = strlen(name);

        if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
                return false;
        line += nl + 1;
        len -= nl + 1;
        while (len > 0 && (*line == ' ' || *line == '\t')) {
                line++;
                len--;
        }
        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
                len--;
        *value = line;
        *vlen = len;
        return true;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *userdata)
{
        struct transfer *t = userdata;
        size_t len = size * nitems;
        const char *v;
        size_t vl;

        /* A new status line starts a new header block (1xx, or the final response). */
        if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
                free(t->etag);
                free(t->cache_control);
                free(t->content_type);
                t->etag = t->cache_control = t->content_type = NULL;
        } else if (header_is(buf, len, "ETag", &v, &vl)) {
                free(t->etag);
                t->etag = xstrndup(v, vl);
        } else if (header_is(buf, len, "Cache-Control", &v, &vl)) {
                free(t->cache_control);
                t->cache_control = xstrndup(v, vl);
        } else if (header_is(buf, len, "Content-Type", &v, &vl)) {
                free(t->content_type);
                t->content_type = xstrndup(v, vl);
        }
        return len;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *userdata)
{
        struct transfer *t = userdata;
        size_t len = size * nmemb;
        long status = 0;

        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299 || !t->req->sink) {
                /* Bodies of redirects and errors are discarded, but bounded. */
                t->body_bytes += len;
                if (t->body_bytes > (1u << 20) && (status < 200 || status > 299)) {
                        ace_error_make(&t->err, EFBIG, "GET %s: error body too large", t->req->url);
                        return 0;
                }
                return len;
        }
        if (t->req->max_body && t->body_bytes + len > t->req->max_body) {
                ace_error_make(&t->err, EFBIG, "GET %s: response larger than %" PRIu64 " bytes",
                               t->req->url, t->req->max_body);
                return 0;
        }
        if (t->req->sink(t->req->userdata, buf, len, &t->err) < 0) {
                if (!t->err)
                        ace_error_make(&t->err, EIO, "GET %s: write failed", t->req->url);
                return 0;
        }
        t->body_bytes += len;
        return len;
}

static void human_bytes(char *buf, size_t sz, curl_off_t n)
{
        static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
        double v = (double)n;
        size_t u = 0;

        while (v >= 1000 && u + 1 < ARRAY_SIZE(units)) {
                v /= 1000;
                u++;
        }
        if (u == 0)
                snprintf(buf, sz, "%lld B", (long long)n);
        else
                snprintf(buf, sz, "%.2f %s", v, units[u]);
}

/* rkt-style bar: "Downloading ACI: [======>        ] 1.20 MB/4.50 MB". */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
        struct transfer *t = userdata;
        char now[32], total[32], bar[41];
        long status = 0;

        (void)ultotal;
        (void)ulnow;
        if (t->req->check && t->req->check(t->req->userdata, &t->err) < 0) {
                if (!t->err)
                        ace_error_make(&t->err, ECANCELED, "GET %s: aborted", t->req->url);
                return 1; /* aborts the transfer */
        }
        if (!t->c->progress || !t->req->progress_label)
                return 0;
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299)
                return 0;
        human_bytes(now, sizeof(now), dlnow);
        if (dltotal > 0) {
                size_t filled = (size_t)((double)dlnow / (double)dltotal * 40);
                if (filled > 40)
                        filled = 40;
                for (size_t i = 0; i < 40; i++)
                        bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
                bar[40] = '\0';
                human_bytes(total, sizeof(total), dltotal);
                fprintf(stderr, "\rDownloading %s: [%s] %s/%s", t->req->progress_label, bar, now,
                        total);
        } else {
                fprintf(stderr, "\rDownloading %s: %s", t->req->progress_label, now);
        }
        t->progress_drawn = true;
        return 0;
}

/* Adds the extra CA bundles to the store libcurl already filled with the system roots. */
static CURLcode on_ssl_ctx(CURL *curl, void *sslctx, void *userdata)
{
        struct http_client *c = userdata;
        X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);

        (void)curl;
        for (char **b = c->ca_bundles; b && *b; b++)
                if (X509_STORE_load_file(store, *b) != 1)
                        return CURLE_SSL_CACERT_BADFILE;
        return CURLE_OK;
}

static int curl_errno(CURLcode cc)
{
        switch (cc) {
        case CURLE_OPERATION_TIMEDOUT:
                return ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                return ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return EHOSTUNREACH;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
                return EPROTO;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
                return EIO;
        case CURLE_UNSUPPORTED_PROTOCOL:
                return EPROTONOSUPPORT;
        default:
                return EIO;
        }
}

static void transfer_clear(struct transfer *t)
{
        free(t->etag);
        free(t->cache_control);
        free(t->content_type);
        ace_error_free(t->err);
}

static void setup_hop(struct http_client *c, struct transfer *t, const char *url,
                      const char *origin, struct curl_slist **headers, char *errbuf)
{
        CURL *h = c->curl;
        const struct http_auth *auth;

        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->allow_http ? "http,https" : "https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, c->stall_min_bps);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (c->stall_timeout_ms + 999) / 1000);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure_tls ? 0L : 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure_tls ? 0L : 2L);
        if (c->ca_file) {
                curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
                curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
        }
        if (c->ca_bundles && c->ca_bundles[0]) {
                curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
                curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c);
        }
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
        if ((c->progress && t->req->progress_label) || t->req->check) {
                curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
                curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
                curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
        }
        if (t->req->if_none_match) {
                _cleanup_free_ char *h1 = xasprintf("If-None-Match: %s", t->req->if_none_match);
                *headers = curl_slist_append(*headers, h1);
        }
        /* Credentials: https only, and only to the origin the request started at. */
        auth = http_same_origin(url, origin) ? http_auth_for_url(c->auths, c->n_auths, url) : NULL;
        if (auth) {
                _cleanup_free_ char *h2 = NULL;
                if (auth->type == HTTP_AUTH_BASIC) {
                        _cleanup_free_ char *cred = xasprintf("%s:%s", auth->user ? auth->user : "",
                                                              auth->password ? auth->password : "");
                        size_t cl = strlen(cred);
                        _cleanup_free_ char *b64 = xmalloc(4 * ((cl + 2) / 3) + 1);
                        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)cred, (int)cl);
                        h2 = xasprintf("Authorization: Basic %s", b64);
                } else {
                        h2 = xasprintf("Authorization: Bearer %s", auth->token ? auth->token : "");
                }
                *headers = curl_slist_append(*headers, h2);
        }
        if (*headers)
                curl_easy_setopt(h, CURLOPT_HTTPHEADER, *headers);
}

/* The first hop's scheme: https, or http when plain http is allowed. */
static int url_is_allowed(const struct http_client *c, const char *url, struct ace_error **err)
{
        struct url_parts p;
        int r = 0;

        if (url_split(url, &p) < 0)
                return ace_error_make(err, EINVAL, "invalid URL %s", url);
        if (strcmp(p.scheme, "http") == 0) {
                if (!c->allow_http)
                        r = ace_error_make(err, EPERM,
                                           "plain http URL %s refused (needs "
                                           "--insecure-options=http)",
                                           url);
        } else if (strcmp(p.scheme, "https") != 0) {
                r = ace_error_make(err, EPROTONOSUPPORT, "unsupported URL scheme %s in %s",
                                   p.scheme, url);
        }
        url_parts_clear(&p);
        return r;
}

static bool is_redirect(long status)
{
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Performs one request (one hop) into t; the transfer's own failures become errors. */
static int perform_hop(struct http_client *c, struct transfer *t, const char *url,
                       const char *origin, struct ace_error **err)
{
        struct curl_slist *headers = NULL;
        char errbuf[CURL_ERROR_SIZE] = "";
        CURLcode cc;
        int r;

        r = url_is_allowed(c, url, err);
        if (r < 0)
                return r;
        setup_hop(c, t, url, origin, &headers, errbuf);
        log_debug("GET %s", url);
        cc = curl_easy_perform(c->curl);
        if (t->progress_drawn)
                fputc('\n', stderr);
        curl_slist_free_all(headers);
        if (t->err) {
                /* A callback (sink, body limit) aborted the transfer: its error wins. */
                r = -t->err->code;
                if (err) {
                        ace_error_free(*err);
                        *err = TAKE_PTR(t->err);
                }
                return r;
        }
        if (cc != CURLE_OK)
                return ace_error_make(err, curl_errno(cc), "GET %s: %s", url,
                                      errbuf[0] ? errbuf : curl_easy_strerror(cc));
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &t->status);
        return 0;
}

int http_get(struct http_client *c, const struct http_request *req, struct http_response *ret,
             struct ace_error **err)
{
        _cleanup_free_ char *url = xstrdup(req->url);
        unsigned hops = 0;

        *ret = (struct http_response){0};
        for (;;) {
                struct transfer t = {.c = c, .req = req, .curl = c->curl};
                char *location = NULL;
                int r;

                r = perform_hop(c, &t, url, req->url, err);
                if (r >= 0 && is_redirect(t.status) &&
                    curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
                    location) {
                        /* Each hop is checked before anything is sent to it. */
                        _cleanup_free_ char *next = xstrdup(location);
                        if ((int)hops >= c->max_redirects)
                                r = ace_error_make(err, ELOOP,
                                                   "GET %s: too many redirects (limit %d)",
                                                   req->url, c->max_redirects);
                        else
                                r = http_redirect_check(url, next, c->allow_http, err);
                        transfer_clear(&t);
                        if (r < 0)
                                return r;
                        log_debug("redirect: %s -> %s", url, next);
                        free(url);
                        url = TAKE_PTR(next);
                        hops++;
                        continue;
                }
                if (r >= 0)
                        *ret = (struct http_response){
                            .status = t.status,
                            .url = TAKE_PTR(url),
                            .etag = TAKE_PTR(t.etag),
                            .max_age = http_parse_max_age(t.cache_control),
                            .content_type = TAKE_PTR(t.content_type),
                            .body_bytes = t.status >= 200 && t.status <= 299 ? t.body_bytes : 0,
                            .redirects = hops,
                        };
                transfer_clear(&t);
                return r;
        }
}

int http_membuf_sink(void *userdata, const void *buf, size_t len, struct ace_error **err)
{
        struct http_membuf *m = userdata;

        (void)err;
        m->buf = xgrow(m->buf, &m->cap, m->len + len + 1, 1);
        memcpy(m->buf + m->len, buf, len);
        m->len += len;
        m->buf[m->len] = '\0';
        return 0;
}

int http_get_buffer(struct http_client *c, const char *url, size_t max, char **ret_buf,
                    size_t *ret_len, struct http_response *ret_resp, struct ace_error **err)
{
        struct http_membuf m = {0};
        struct http_response resp;
        struct http_request req = {
            .url = url,
            .sink = http_membuf_sink,
            .userdata = &m,
            .max_body = max,
        };
        int r;

        if (ret_resp)
                *ret_resp = (struct http_response){0};
        r = http_get(c, &req, &resp, err);
        if (r < 0) {
                free(m.buf);
                return r;
        }
        if (resp.status != 200) {
                r = ace_error_make(err, resp.status == 404 || resp.status == 410 ? ENOENT : EIO,
                                   "GET %s: bad HTTP status code: %ld", url, resp.status);
                free(m.buf);
                if (ret_resp)
                        *ret_resp = resp;
                else
                        http_response_clear(&resp);
                return r;
        }
        if (!m.buf)
                m.buf = xstrdup("");
        *ret_buf = m.buf;
        if (ret_len)
                *ret_len = m.len;
        if (ret_resp)
                *ret_resp = resp;
        else
                http_response_clear(&resp);
        return 0;
}
