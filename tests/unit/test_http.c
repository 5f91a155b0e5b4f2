/* test_http.c - the pure policy helpers of the HTTP layer: Cache-Control max-age, which
 * credentials go to which URL, which redirects may be followed, origins. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "discovery/http.h"

Test(http, max_age_rules)
{
        cr_expect_eq(http_parse_max_age(NULL), 0);
        cr_expect_eq(http_parse_max_age(""), 0);
        cr_expect_eq(http_parse_max_age("max-age=3600"), 3600);
        cr_expect_eq(http_parse_max_age("public, max-age=60"), 60);
        cr_expect_eq(http_parse_max_age("Max-Age=60"), 60);
        cr_expect_eq(http_parse_max_age("max-age=60, no-cache"), 0);
        cr_expect_eq(http_parse_max_age("no-store, max-age=60"), 60);
        cr_expect_eq(http_parse_max_age("max-age=-5"), 0);
        cr_expect_eq(http_parse_max_age("max-age=abc"), 0);
        cr_expect_eq(http_parse_max_age("max-age=060"), 0);
        cr_expect_eq(http_parse_max_age("max-age=0"), 0);
        cr_expect_eq(http_parse_max_age("max-age"), 0);
        cr_expect_eq(http_parse_max_age(" max-age=10 "), 10);
}

static const struct http_auth auths[] = {
    {.domain = "example.test", .type = HTTP_AUTH_BASIC, .user = "u", .password = "p"},
    {.domain = "other.test:8443", .type = HTTP_AUTH_BEARER, .token = "t"},
};

Test(http, credentials_only_over_https_and_to_their_host)
{
        cr_expect_eq(http_auth_for_url(auths, 2, "https://example.test/a.aci"), &auths[0]);
        cr_expect_eq(http_auth_for_url(auths, 2, "https://EXAMPLE.test/a.aci"), &auths[0]);
        /* Never over plain http. */
        cr_expect_null(http_auth_for_url(auths, 2, "http://example.test/a.aci"));
        /* Another host, or a host that merely starts the same. */
        cr_expect_null(http_auth_for_url(auths, 2, "https://example.test.evil/a.aci"));
        cr_expect_null(http_auth_for_url(auths, 2, "https://sub.example.test/a.aci"));
        /* Ports: a domain with a port needs that port in the URL. */
        cr_expect_eq(http_auth_for_url(auths, 2, "https://other.test:8443/x"), &auths[1]);
        cr_expect_null(http_auth_for_url(auths, 2, "https://other.test/x"));
        cr_expect_null(http_auth_for_url(auths, 2, "not a url"));
}

Test(http, redirect_policy)
{
        struct ace_error *err = NULL;

        cr_expect_eq(http_redirect_check("https://a.test/x", "https://b.test/y", false, NULL), 0);
        cr_expect_eq(http_redirect_check("http://a.test/x", "http://b.test/y", true, NULL), 0);
        cr_expect_eq(http_redirect_check("http://a.test/x", "https://a.test/y", true, NULL), 0);
        /* Downgrade refused even when plain http is allowed. */
        cr_expect_eq(http_redirect_check("https://a.test/x", "http://a.test/x", true, &err),
                     -EPERM);
        cr_expect(strstr(ace_error_msg(err), "downgrade"), "%s", ace_error_msg(err));
        cr_expect_eq(http_redirect_check("http://a.test/x", "http://b.test/y", false, NULL),
                     -EPERM);
        cr_expect_eq(http_redirect_check("https://a.test/x", "file:///etc/passwd", true, &err),
                     -EPERM);
        cr_expect(strstr(ace_error_msg(err), "scheme file"), "%s", ace_error_msg(err));
        cr_expect_eq(http_redirect_check("https://a.test/x", "ftp://a.test/x", true, NULL), -EPERM);
        ace_error_free(err);
}

Test(http, same_origin)
{
        cr_expect(http_same_origin("https://a.test/x", "https://a.test/y?z"));
        cr_expect(http_same_origin("https://a.test/x", "https://a.test:443/y"));
        cr_expect(http_same_origin("https://A.test/x", "https://a.TEST/y"));
        cr_expect_not(http_same_origin("https://a.test/x", "http://a.test/x"));
        cr_expect_not(http_same_origin("https://a.test/x", "https://a.test:8443/x"));
        cr_expect_not(http_same_origin("https://a.test/x", "https://b.test/x"));
        cr_expect_not(http_same_origin("https://a.test/x", "https://127.0.0.2/x"));
}
