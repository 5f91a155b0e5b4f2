/* test_http_client.c - the HTTP layer (discovery/http.c) against nginx over TLS in a private
 * netns: certificate checks, redirects (limit, https->http downgrade refused, other hosts get
 * no credentials), basic and bearer credentials, ETag revalidation, max-age, stall and connect
 * timeouts, body limits (reliability.md T-16..T-18, T-37..T-39, §3b items 7-10). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xalloc.h"
#include "discovery/http.h"
#include "tests/lib/helpers.h"
#include "tests/lib/https_server.h"
#include "tests/lib/tu.h"

static struct https_server srv;
static char *htdir;

static const char extra_locations[] =
    "    location /to-http/ { return 302 http://example.test/files/hello.txt; }\n"
    "    location /to-other/ { return 302 https://other.test/files/hello.txt; }\n"
    "    location /to-self/ { return 302 /files/hello.txt; }\n"
    "    location /to-file/ { return 302 file:///etc/passwd; }\n"
    "    location /loop/ { return 302 /loop/again; }\n"
    "    location /private/ { auth_basic \"ace\"; auth_basic_user_file %s/htpasswd; }\n"
    "    location /private-to-other/ { return 302 https://other.test/files/hello.txt; }\n"
    "    location /slow/ { limit_rate 200; }\n"
    "    location /cached/ { add_header Cache-Control \"public, max-age=120\"; }\n"
    "    location /deferred/ { return 202; }\n";

static void setup(void)
{
        char *extra;

        https_server_netns();
        /* The htpasswd lives in a directory made before the server's own one. */
        htdir = th_mkdtemp("ace-test-htpasswd");
        extra = xasprintf(extra_locations, htdir);
        https_server_start(&srv, extra);
        tu_run("printf '%%s:%%s\\n' alice \"$(openssl passwd -apr1 s3cret)\" > '%s/htpasswd'",
               htdir);
        free(extra);
        https_server_put(&srv, "files/hello.txt", "hello\n", 6);
        https_server_put(&srv, "private/secret.txt", "secret\n", 7);
        https_server_put(&srv, "cached/c.txt", "cached\n", 7);
}

static void teardown(void)
{
        https_server_stop(&srv);
        th_rm_rf(htdir);
        free(htdir);
}

TestSuite(http_client, .init = setup, .fini = teardown, .timeout = 60);

static const struct http_auth auths[] = {
    {.domain = "example.test", .type = HTTP_AUTH_BASIC, .user = "alice", .password = "s3cret"},
    {.domain = "other.test", .type = HTTP_AUTH_BEARER, .token = "other-token"},
};

static struct http_client *client(bool ca, bool allow_http, bool insecure_tls, bool with_auth)
{
        char *bundles[] = {srv.ca_cert, NULL};
        struct http_options o = {
            .ca_bundles = ca ? bundles : NULL,
            .allow_http = allow_http,
            .insecure_tls = insecure_tls,
            .auths = with_auth ? auths : NULL,
            .n_auths = with_auth ? 1 : 0, /* only example.test has credentials */
            .max_redirects = -1,
            .stall_timeout_ms = 2000,
        };
        struct http_client *c = NULL;
        struct ace_error *err = NULL;

        cr_assert_eq(http_client_new(&o, &c, &err), 0, "%s", ace_error_msg(err));
        return c;
}

static int get(struct http_client *c, const char *url, char **body, struct http_response *resp,
               struct ace_error **err)
{
        size_t len;
        return http_get_buffer(c, url, 1 << 20, body, &len, resp, err);
}

Test(http_client, tls_verified_against_the_test_ca)
{
        struct http_client *c = client(true, false, false, false);
        struct http_response resp;
        char *body = NULL;

        cr_assert_eq(get(c, "https://example.test/files/hello.txt", &body, &resp, NULL), 0);
        cr_expect_str_eq(body, "hello\n");
        cr_expect_eq(resp.status, 200);
        cr_expect_not_null(resp.etag);
        free(body);
        http_response_clear(&resp);
        http_client_free(c);
}

Test(http_client, untrusted_or_wrong_host_certificate_refused)
{
        struct http_client *c = client(false, false, false, false);
        struct ace_error *err = NULL;
        char *body = NULL;
        struct http_response resp;

        /* No CA bundle: the system roots do not know the test CA. */
        cr_expect_eq(get(c, "https://example.test/files/hello.txt", &body, &resp, &err), -EPROTO,
                     "%s", ace_error_msg(err));
        http_client_free(c);
        /* A name the certificate does not carry. */
        tu_run("echo '127.0.0.1 wrong.test' >> /etc/hosts");
        c = client(true, false, false, false);
        cr_expect_eq(get(c, "https://wrong.test/files/hello.txt", &body, &resp, &err), -EPROTO,
                     "%s", ace_error_msg(err));
        http_client_free(c);
        /* --insecure-options=tls accepts both. */
        c = client(false, false, true, false);
        cr_expect_eq(get(c, "https://wrong.test/files/hello.txt", &body, &resp, &err), 0);
        free(body);
        http_response_clear(&resp);
        http_client_free(c);
        ace_error_free(err);
}

Test(http_client, plain_http_only_when_allowed)
{
        struct http_client *c = client(true, false, false, false);
        struct ace_error *err = NULL;
        struct http_response resp;
        char *body = NULL;

        cr_expect_eq(get(c, "http://example.test/files/hello.txt", &body, &resp, &err), -EPERM);
        cr_expect(strstr(ace_error_msg(err), "--insecure-options=http"), "%s", ace_error_msg(err));
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET"), 0);
        http_client_free(c);
        c = client(true, true, false, false);
        cr_expect_eq(get(c, "http://example.test/files/hello.txt", &body, &resp, NULL), 0);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET /files/hello.txt"), 1);
        free(body);
        http_response_clear(&resp);
        http_client_free(c);
        ace_error_free(err);
}

Test(http_client, no_downgrade_redirect_even_with_http_allowed)
{
        struct http_client *c = client(true, true, false, true);
        struct ace_error *err = NULL;
        struct http_response resp;
        char *body = NULL;

        cr_expect_eq(get(c, "https://example.test/to-http/x", &body, &resp, &err), -EPERM);
        cr_expect(strstr(ace_error_msg(err), "downgrade from https to http"), "%s",
                  ace_error_msg(err));
        /* The plaintext listener never saw a request. */
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET"), 0);
        cr_expect_eq(get(c, "https://example.test/to-file/x", &body, &resp, &err), -EPERM);
        cr_expect(strstr(ace_error_msg(err), "scheme file"), "%s", ace_error_msg(err));
        http_client_free(c);
        ace_error_free(err);
}

Test(http_client, redirects_followed_within_the_limit)
{
        struct http_client *c = client(true, false, false, false);
        struct ace_error *err = NULL;
        struct http_response resp;
        char *body = NULL;

        cr_assert_eq(get(c, "https://example.test/to-self/x", &body, &resp, NULL), 0);
        cr_expect_str_eq(body, "hello\n");
        cr_expect_eq(resp.redirects, 1);
        cr_expect_str_eq(resp.url, "https://example.test/files/hello.txt");
        free(body);
        http_response_clear(&resp);
        cr_expect_eq(get(c, "https://example.test/loop/start", &body, &resp, &err), -ELOOP);
        cr_expect(strstr(ace_error_msg(err), "too many redirects"), "%s", ace_error_msg(err));
        /* The first request plus 10 followed hops: 11, never more. */
        cr_expect_eq(https_server_count(&srv, srv.access_log, "GET /loop/"), 11);
        http_client_free(c);
        ace_error_free(err);
}

Test(http_client, credentials_never_follow_to_another_host)
{
        struct http_client *c = client(true, false, false, true);
        struct http_response resp;
        char *body = NULL;

        cr_assert_eq(get(c, "https://example.test/private/secret.txt", &body, &resp, NULL), 0);
        cr_expect_str_eq(body, "secret\n");
        free(body);
        http_response_clear(&resp);
        cr_assert_eq(get(c, "https://example.test/private-to-other/x", &body, &resp, NULL), 0);
        cr_expect_str_eq(body, "hello\n");
        free(body);
        http_response_clear(&resp);
        /* example.test got the credentials, other.test never did. */
        cr_expect_eq(https_server_count(&srv, srv.access_log, "\"Basic YWxpY2U6czNjcmV0\""), 2);
        cr_expect_eq(https_server_count(&srv, srv.other_log, "GET /files/hello.txt"), 1);
        cr_expect_eq(https_server_count(&srv, srv.other_log, "Basic"), 0);
        cr_expect_eq(https_server_count(&srv, srv.other_log, "Bearer"), 0);
        http_client_free(c);
}

Test(http_client, credentials_required_and_bearer_tokens)
{
        struct http_client *c = client(true, true, false, false);
        struct ace_error *err = NULL;
        struct http_response resp;
        char *body = NULL;
        char *bundles[] = {srv.ca_cert, NULL};
        struct http_options o = {.ca_bundles = bundles,
                                 .auths = &auths[1],
                                 .n_auths = 1,
                                 .max_redirects = -1,
                                 .allow_http = true};

        cr_expect_lt(get(c, "https://example.test/private/secret.txt", &body, &resp, &err), 0);
        cr_expect_eq(resp.status, 401);
        http_response_clear(&resp);
        http_client_free(c);
        cr_assert_eq(http_client_new(&o, &c, NULL), 0);
        cr_assert_eq(get(c, "https://other.test/files/hello.txt", &body, &resp, NULL), 0);
        free(body);
        http_response_clear(&resp);
        cr_expect_eq(https_server_count(&srv, srv.other_log, "\"Bearer other-token\""), 1);
        /* Never over plain http, even to the same host name. */
        cr_expect_lt(get(c, "http://other.test/files/hello.txt", &body, &resp, &err), 0);
        http_response_clear(&resp);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "Bearer"), 0);
        http_client_free(c);
        ace_error_free(err);
}

static int count_sink(void *ud, const void *buf, size_t len, struct ace_error **err)
{
        (void)buf;
        (void)err;
        *(size_t *)ud += len;
        return 0;
}

Test(http_client, etag_revalidation_and_max_age)
{
        struct http_client *c = client(true, false, false, false);
        struct http_response r1, r2;
        size_t got = 0;
        struct http_request req = {
            .url = "https://example.test/cached/c.txt", .sink = count_sink, .userdata = &got};

        cr_assert_eq(http_get(c, &req, &r1, NULL), 0);
        cr_expect_eq(r1.status, 200);
        cr_expect_eq(got, 7);
        cr_expect_eq(r1.max_age, 120);
        cr_assert_not_null(r1.etag);
        got = 0;
        req.if_none_match = r1.etag;
        cr_assert_eq(http_get(c, &req, &r2, NULL), 0);
        cr_expect_eq(r2.status, 304);
        cr_expect_eq(got, 0, "a 304 has no body for the sink");
        /* nginx logs the quotes of the ETag as \x22. */
        char *bare = xstrndup(r1.etag + 1, strlen(r1.etag) - 2);
        char *needle =
            xasprintf("\"GET /cached/c.txt HTTP/1.1\" 304 0 \"-\" \"\\x22%s\\x22\"", bare);
        cr_expect_eq(https_server_count(&srv, srv.access_log, needle), 1, "%s", needle);
        free(needle);
        free(bare);
        http_response_clear(&r1);
        http_response_clear(&r2);
        http_client_free(c);
}

Test(http_client, stalled_transfer_times_out)
{
        struct http_client *c = client(true, false, false, false);
        struct ace_error *err = NULL;
        struct http_response resp;
        char *big = xmalloc(200000), *body = NULL;
        struct timespec t0, t1;
        double secs;

        memset(big, 'x', 200000);
        https_server_put(&srv, "slow/big.bin", big, 200000);
        free(big);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_expect_eq(get(c, "https://example.test/slow/big.bin", &body, &resp, &err), -ETIMEDOUT,
                     "%s", ace_error_msg(err));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        /* Configured: 2 s below 1 KiB/s (the server sends 200 B/s, so the whole body would take
         * 1000 s). The upper bound leaves room for TLS and a loaded machine under ASan (7.3 s
         * seen there); without the stall limit the transfer would go on for minutes. */
        cr_expect(secs >= 1.5 && secs < 15, "stall detected after %.2f s", secs);
        http_client_free(c);
        ace_error_free(err);
}

Test(http_client, connect_timeout_on_a_blackhole)
{
        char *bundles[] = {srv.ca_cert, NULL};
        struct http_options o = {
            .ca_bundles = bundles, .connect_timeout_ms = 1000, .max_redirects = -1};
        struct http_client *c = NULL;
        struct ace_error *err = NULL;
        struct http_response resp;
        char *body = NULL;
        struct timespec t0, t1;
        double secs;

        /* SYNs to port 4443 are dropped inside the test's netns. */
        tu_run("iptables -w -A INPUT -p tcp --dport 4443 -j DROP");
        cr_assert_eq(http_client_new(&o, &c, NULL), 0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_expect_eq(get(c, "https://example.test:4443/x", &body, &resp, &err), -ETIMEDOUT, "%s",
                     ace_error_msg(err));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        cr_expect(secs >= 0.9 && secs < 3, "connect timeout after %.2f s", secs);
        http_client_free(c);
        ace_error_free(err);
}

Test(http_client, body_limit_and_error_statuses)
{
        struct http_client *c = client(true, false, false, false);
        struct ace_error *err = NULL;
        struct http_response resp;
        char *body = NULL;
        size_t len;

        cr_expect_eq(
            http_get_buffer(c, "https://example.test/files/hello.txt", 3, &body, &len, &resp, &err),
            -EFBIG);
        cr_expect_eq(get(c, "https://example.test/files/missing", &body, &resp, &err), -ENOENT);
        cr_expect_eq(resp.status, 404);
        http_response_clear(&resp);
        cr_expect_lt(get(c, "https://example.test/deferred/x.asc", &body, &resp, &err), 0);
        cr_expect_eq(resp.status, 202);
        http_response_clear(&resp);
        http_client_free(c);
        ace_error_free(err);
}
