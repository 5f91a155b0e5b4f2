/* test_discover.c - `actool discover` against a real HTTPS server (nginx in a private netns),
 * compared byte for byte with the reference actool 0.8.11 (/usr/bin/actool from Debian's
 * appc-spec) where their outputs are meant to agree. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/https_server.h"
#include "tests/lib/tu.h"

static struct https_server srv;
static char *actool;

static void setup(void)
{
        https_server_netns();
        https_server_start(&srv, NULL);
        actool = th_build_path("actool");
        https_server_put_discovery(
            &srv, "example.test",
            "<meta name=\"ac-discovery\" content=\"example.test "
            "https://example.test/images/{os}/{arch}/{name}-{version}.{ext}\">\n"
            "<meta name=\"ac-discovery\" content=\"example.test "
            "https://other.test/mirror/{name}-{version}-{os}-{arch}.{ext}?a=1&amp;b=2\">\n"
            "<meta name=\"ac-discovery-pubkeys\" content=\"example.test "
            "https://example.test/pubkeys.gpg\">\n");
        https_server_put_discovery(&srv, "example.test/app",
                                   "<meta name=\"ac-discovery\" content=\"example.test/app "
                                   "https://example.test/app/{name}-{version}.{ext}\">\n"
                                   "<meta name=\"ac-discovery-pubkeys\" content=\"example.test/app "
                                   "https://example.test/app/key.gpg\">\n");
}

static void teardown(void)
{
        https_server_stop(&srv);
        free(actool);
}

TestSuite(discover, .init = setup, .fini = teardown, .timeout = 60);

/* Runs a discover command line with the test CA; returns stdout, *st the exit status and
 * *errout stderr (may be NULL). */
static char *discover(const char *tool, const char *args, int *st, char **errout)
{
        char *errfile = xasprintf("%s/stderr", srv.dir);
        char *out = tu_capture(st, "SSL_CERT_FILE='%s' %s discover %s 2>'%s'", srv.ca_cert, tool,
                               args, errfile);
        if (errout)
                *errout = th_read_file(errfile);
        free(errfile);
        return out;
}

static void expect_same_as_reference(const char *args, int want_status)
{
        int st_ours, st_ref;
        char *ours = discover(actool, args, &st_ours, NULL);
        char *ref = discover("/usr/bin/actool", args, &st_ref, NULL);

        cr_expect_eq(st_ours, want_status, "actool discover %s: exit %d", args, st_ours);
        cr_expect_eq(st_ref, want_status, "reference: exit %d", st_ref);
        cr_expect_str_eq(ours, ref, "actool discover %s\n--- ours:\n%s--- reference:\n%s", args,
                         ours, ref);
        free(ours);
        free(ref);
}

Test(discover, endpoints_and_keys_like_the_reference)
{
        expect_same_as_reference("example.test/app:1.0.0", 0);
        expect_same_as_reference("example.test/app", 0);
        expect_same_as_reference("example.test/app,version=2.0,os=linux,arch=arm64", 0);
}

Test(discover, output_lines)
{
        int st;
        char *out = discover(actool, "example.test/app:1.0.0", &st, NULL);

        cr_expect_eq(st, 0);
        cr_expect_str_eq(out, "ACI: https://example.test/app/example.test/app-1.0.0.aci, ASC: "
                              "https://example.test/app/example.test/app-1.0.0.aci.asc\n"
                              "PublicKeys: https://example.test/app/key.gpg\n");
        free(out);
        cr_expect_eq(https_server_count(&srv, srv.access_log, "ac-discovery=1"), 2);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET"), 0);
}

Test(discover, walks_up_to_the_parent_prefix)
{
        int st;
        char *out;

        /* example.test/x/y and example.test/x have no page: two 404 attempts, then the root. */
        expect_same_as_reference("example.test/x/y:3", 0);
        out = discover(actool, "example.test/x/y:3", &st, NULL);
        cr_expect(strstr(out, "discover endpoints walk: prefix: example.test/x/y error: "
                              "expected a 200 OK got 404\n"),
                  "%s", out);
        cr_expect(strstr(out, "ACI: https://example.test/images/linux/amd64/example.test/x/"
                              "y-3.aci, ASC: "),
                  "%s", out);
        cr_expect(
            strstr(out, "https://other.test/mirror/example.test/x/y-3-linux-amd64.aci?a=1&b=2"),
            "%s", out);
        free(out);
}

Test(discover, json_like_the_reference)
{
        expect_same_as_reference("--json example.test/app:1.0.0", 0);
        expect_same_as_reference("--json example.test/x:1", 0);
}

Test(discover, nothing_found)
{
        int st;
        char *errout, *out = discover(actool, "nothing.test/app", &st, &errout);

        cr_expect_eq(st, 1);
        cr_expect(strstr(errout, "error fetching endpoints for nothing.test/app: discovery failed"),
                  "%s", errout);
        free(out);
        free(errout);
        /* The reference fails the same way (its transport error text differs from curl's). */
        out = discover("/usr/bin/actool", "nothing.test/app", &st, &errout);
        cr_expect_eq(st, 1);
        cr_expect(
            strstr(errout, "error fetching endpoints for nothing.test/app: discovery failed"));
        free(out);
        free(errout);
}

Test(discover, http_only_with_insecure)
{
        int st;
        char *out;

        /* Port 80 speaks plaintext: https fails there; only --insecure falls back to http. */
        out = discover(actool, "--port=80 example.test/app:1", &st, NULL);
        cr_expect_eq(st, 1);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET"), 0,
                     "plain http used without "
                     "--insecure");
        free(out);
        out = discover(actool, "--insecure --port=80 example.test/app:1", &st, NULL);
        cr_expect_eq(st, 0);
        cr_expect(strstr(out, "ACI: https://example.test/app/example.test/app-1.aci"), "%s", out);
        cr_expect_gt(https_server_count(&srv, srv.http_log, "ac-discovery=1"), 0);
        free(out);
}

Test(discover, bad_input)
{
        int st;
        char *errout, *out = discover(actool, "BAD/name", &st, &errout);

        cr_expect_eq(st, 1);
        cr_expect(strstr(errout, "BAD/name: "), "%s", errout);
        free(out);
        free(errout);
        out = discover(actool, "", &st, &errout);
        cr_expect_eq(st, 1);
        cr_expect(strstr(errout, "at least one name required"), "%s", errout);
        free(out);
        free(errout);
        out = discover(actool, "--bogus x", &st, &errout);
        cr_expect_eq(st, 2);
        cr_expect(strstr(errout, "unknown flag: --bogus"), "%s", errout);
        free(out);
        free(errout);
}
