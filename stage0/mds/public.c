/*
 * public.c - the metadata service's HTTP API (appc ace.md "App Container Metadata Service"):
 *
 *   $AC_METADATA_URL/acMetadata/v1/pod/annotations          GET  application/json
 *                                  pod/annotations/NAME     GET  text (rkt's extra)
 *                                  pod/manifest             GET  application/json
 *                                  pod/uuid                 GET  text/plain; charset=us-ascii
 *                                  apps/APP/annotations     GET  application/json
 *                                  apps/APP/annotations/N   GET  text (rkt's extra)
 *                                  apps/APP/image/manifest  GET  application/json
 *                                  apps/APP/image/id        GET  text/plain; charset=us-ascii
 *                                  pod/hmac/sign            POST content=...       -> base64
 *                                  pod/hmac/verify          POST content, uuid (rkt: uid),
 *                                                           signature -> 200 or 403
 * with AC_METADATA_URL = http://<host side of the pod's network>:<port>/<token>.
 *
 * 401: unknown token; 403: a known token from an address that is not the pod's (or a failed
 * verify); 404: unknown path, app or annotation; 405: wrong method; 400: bad form; 413: body
 * larger than MDS_BODY_MAX.
 */
#include "stage0/mds/mds.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/lazy_mhd.h"
#include "common/xalloc.h"
#include "stage0/mds/hmac.h"

#define CT_JSON "application/json"
#define CT_TEXT "text/plain; charset=us-ascii"
#define PREFIX "acMetadata/v1/"

struct mds_public {
        struct MHD_Daemon *daemon;
        struct mds_registry *reg;
        const unsigned char *key;
};

void mds_response_done(struct mds_response *r)
{
        free(r->body);
        r->body = NULL;
}

static void respond(struct mds_response *r, unsigned status, const char *ct, char *body)
{
        r->status = status;
        r->content_type = ct;
        r->body = body;
}

static void fail(struct mds_response *r, unsigned status, const char *msg)
{
        respond(r, status, CT_TEXT, xasprintf("%s\n", msg));
}

/* ---- forms ----------------------------------------------------------------------------------- */

static int hexval(char c)
{
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
}

static char *form_decode(const char *s, size_t n)
{
        char *out = xmalloc(n + 1), *o = out;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '+') {
                        *o++ = ' ';
                } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
                           hexval(s[i + 2]) >= 0) {
                        *o++ = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
                        i += 2;
                } else {
                        *o++ = s[i];
                }
        }
        *o = 0;
        return out;
}

char *mds_form_value(const char *body, const char *name)
{
        size_t nl = strlen(name);

        for (const char *p = body; p && *p;) {
                const char *amp = strchr(p, '&');
                size_t len = amp ? (size_t)(amp - p) : strlen(p);
                if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=')
                        return form_decode(p + nl + 1, len - nl - 1);
                p = amp ? amp + 1 : NULL;
        }
        return NULL;
}

/* ---- routes ---------------------------------------------------------------------------------- */

static void hmac_sign(const struct mds_pod *pod, const unsigned char *key, const char *form,
                      struct mds_response *r)
{
        _cleanup_free_ char *content = mds_form_value(form, "content");

        if (!content || !*content) {
                fail(r, 400, "content form value not found");
                return;
        }
        respond(r, 200, CT_TEXT, mds_hmac_sign(key, pod->uuid_bytes, content, strlen(content)));
}

static void hmac_verify(const unsigned char *key, const char *form, struct mds_response *r)
{
        _cleanup_free_ char *content = mds_form_value(form, "content");
        _cleanup_free_ char *uuid = mds_form_value(form, "uuid");
        _cleanup_free_ char *sig = mds_form_value(form, "signature");
        unsigned char bytes[16];
        int v;

        if (!uuid)
                uuid = mds_form_value(form, "uid"); /* rkt's field name */
        if (!uuid || !mds_uuid_parse(uuid, bytes)) {
                fail(r, 400, "uuid field missing or malformed");
                return;
        }
        if (!content || !*content) {
                fail(r, 400, "content field missing");
                return;
        }
        v = sig ? mds_hmac_verify(key, bytes, content, strlen(content), sig) : -EINVAL;
        if (v < 0)
                fail(r, 400, "signature field missing or corrupt");
        else if (v == 0)
                fail(r, 403, "signature does not match");
        else
                respond(r, 200, CT_TEXT, xstrdup(""));
}

/* GET apps/<app>/<what>. */
static void app_get(const struct mds_pod *pod, const char *rest, struct mds_response *r)
{
        const char *slash = strchr(rest, '/');
        _cleanup_free_ char *name = slash ? xstrndup(rest, (size_t)(slash - rest)) : NULL;
        const struct mds_app *app = name ? mds_pod_app(pod, name) : NULL;
        const char *what = slash ? slash + 1 : "", *v;

        if (!app) {
                fail(r, 404, "app not found");
                return;
        }
        if (!strcmp(what, "annotations") || !strcmp(what, "annotations/"))
                respond(r, 200, CT_JSON, xstrdup(app->annotations_json));
        else if (!strcmp(what, "image/manifest"))
                respond(r, 200, CT_JSON, xstrdup(app->image_manifest));
        else if (!strcmp(what, "image/id"))
                respond(r, 200, CT_TEXT, xstrdup(app->image_id));
        else if (!strncmp(what, "annotations/", 12) &&
                 (v = mds_kv_get(app->annotations, app->n_annotations, what + 12)))
                respond(r, 200, CT_TEXT, xstrdup(v));
        else
                fail(r, 404, "not found");
}

static bool is_post_path(const char *path)
{
        return !strcmp(path, "pod/hmac/sign") || !strcmp(path, "pod/hmac/verify");
}

void mds_route(const struct mds_pod *pod, const unsigned char *key, const char *method,
               const char *path, const char *form_body, struct mds_response *r)
{
        const char *v;
        bool post = !strcmp(method, "POST"), get = !strcmp(method, "GET");

        *r = (struct mds_response){0};
        if (strncmp(path, PREFIX, strlen(PREFIX)) != 0) {
                fail(r, 404, "not found");
                return;
        }
        path += strlen(PREFIX);
        if (is_post_path(path) != post || (!post && !get)) {
                fail(r, 405, "method not allowed");
                return;
        }
        if (!strcmp(path, "pod/hmac/sign"))
                hmac_sign(pod, key, form_body ? form_body : "", r);
        else if (!strcmp(path, "pod/hmac/verify"))
                hmac_verify(key, form_body ? form_body : "", r);
        else if (!strcmp(path, "pod/annotations") || !strcmp(path, "pod/annotations/"))
                respond(r, 200, CT_JSON, xstrdup(pod->annotations_json));
        else if (!strcmp(path, "pod/manifest"))
                respond(r, 200, CT_JSON, xstrdup(pod->manifest));
        else if (!strcmp(path, "pod/uuid"))
                respond(r, 200, CT_TEXT, xstrdup(pod->uuid));
        else if (!strncmp(path, "pod/annotations/", 16) &&
                 (v = mds_kv_get(pod->annotations, pod->n_annotations, path + 16)))
                respond(r, 200, CT_TEXT, xstrdup(v));
        else if (!strncmp(path, "apps/", 5))
                app_get(pod, path + 5, r);
        else
                fail(r, 404, "not found");
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

struct request {
        char *body;
        size_t len;
        bool too_big;
};

static enum MHD_Result send_response(struct MHD_Connection *c, const struct mds_response *r)
{
        const char *body = r->body ? r->body : "";
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
        enum MHD_Result ret;

        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                r->content_type ? r->content_type : CT_TEXT);
        if (r->status == 405)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, POST");
        ret = MHD_queue_response(c, r->status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
        struct mds_response r = {0};
        enum MHD_Result ret;

        fail(&r, status, msg);
        ret = send_response(c, &r);
        mds_response_done(&r);
        return ret;
}

static void peer_of(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;

        out[0] = 0;
        if (sa && sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                          INET6_ADDRSTRLEN);
        else if (sa && sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                          INET6_ADDRSTRLEN);
}

static enum MHD_Result answer(struct mds_public *p, struct MHD_Connection *c, const char *url,
                              const char *method, struct request *req)
{
        char peer[INET6_ADDRSTRLEN];
        const char *slash;
        _cleanup_free_ char *token = NULL;
        struct mds_pod *pod = NULL;
        struct mds_response r;
        enum mds_auth auth;
        enum MHD_Result ret;

        if (req->too_big)
                return send_error(c, 413, "request body too large");
        if (url[0] != '/' || !(slash = strchr(url + 1, '/')))
                return send_error(c, 401, "no token");
        token = xstrndup(url + 1, (size_t)(slash - url - 1));
        peer_of(c, peer);
        auth = mds_registry_lookup(p->reg, token, peer, &pod);
        if (auth == MDS_AUTH_UNKNOWN_TOKEN)
                return send_error(c, 401, "unknown token");
        if (auth == MDS_AUTH_WRONG_PEER)
                return send_error(c, 403, "this token does not belong to your pod");
        mds_route(pod, p->key, method, slash + 1, req->body, &r);
        ret = send_response(c, &r);
        mds_response_done(&r);
        mds_pod_free(pod);
        return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
        struct request *req = *con_cls;
        const char *cl;

        (void)version;
        if (!req) {
                /* First call, headers only: an announced oversize body is refused before a
                 * byte of it is read. */
                *con_cls = req = xcalloc(1, sizeof(*req));
                cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
                if (cl && strtoull(cl, NULL, 10) > MDS_BODY_MAX)
                        return send_error(c, 413, "request body too large");
                return MHD_YES;
        }
        if (*upload_data_size) {
                /* Chunked bodies have no length up front: drop what exceeds the bound and
                 * answer 413 at the end. */
                if (!req->too_big && req->len + *upload_data_size <= MDS_BODY_MAX) {
                        req->body = xrealloc(req->body, req->len + *upload_data_size + 1);
                        memcpy(req->body + req->len, upload_data, *upload_data_size);
                        req->len += *upload_data_size;
                        req->body[req->len] = 0;
                } else {
                        req->too_big = true;
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        return answer(cls, c, url, method, req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
        struct request *req = *con_cls;

        (void)cls;
        (void)c;
        (void)toe;
        if (req) {
                free(req->body);
                free(req);
        }
        *con_cls = NULL;
}

int mds_public_start(int fd, struct mds_registry *reg, const unsigned char *key,
                     struct mds_public **ret, struct ace_error **err)
{
        struct mds_public *p = xcalloc(1, sizeof(*p));

        p->reg = reg;
        p->key = key;
        /* One epoll thread for every connection: nothing blocks per connection. */
        p->daemon = MHD_start_daemon(
            MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL, NULL, on_request, p, MHD_OPTION_LISTEN_SOCKET,
            (MHD_socket)fd, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)MDS_IDLE_TIMEOUT,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)MDS_MAX_CONNECTIONS,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MDS_PER_IP_CONNECTIONS,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32u << 10), MHD_OPTION_NOTIFY_COMPLETED,
            on_completed, NULL, MHD_OPTION_END);
        if (!p->daemon) {
                free(p);
                return ace_error_make(err, EIO, "cannot start the HTTP server");
        }
        *ret = p;
        return 0;
}

void mds_public_stop(struct mds_public *p)
{
        if (!p)
                return;
        MHD_stop_daemon(p->daemon);
        free(p);
}
