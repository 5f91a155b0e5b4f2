/* test_fetch.c - `ace fetch` end to end against nginx over TLS in a private netns with real gpg
 * keys: discovery, trust, the signature matrix (reliability.md T-11..T-18), redirects and
 * credentials, truncated/corrupted/stalled downloads (T-36..T-39), ETag revalidation, pull
 * policies, dependencies, and 16 concurrent fetches of one image (T-40). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "tests/lib/gpg_keys.h"
#include "tests/lib/helpers.h"
#include "tests/lib/https_server.h"
#include "tests/lib/signed_image.h"
#include "tests/lib/tu.h"

static struct https_server srv;
static struct test_gpg g;
static char *dir, *data, *sys, *loc, *ace, *fpr, *keyfile, *trace_so, *trace_log;

static const char extra_locations[] =
    "    location /redirect/ { rewrite ^/redirect/(.*)$ http://example.test/$1 redirect; }\n"
    "    location /elsewhere/ { rewrite ^/elsewhere/(.*)$ https://other.test/$1 redirect; }\n"
    "    location /slow/ { limit_rate 100; }\n"
    "    location /deferred/ { if (!-f $request_filename) { return 202; } }\n"
    "    location /private/ { auth_basic \"ace\"; auth_basic_user_file %s/htpasswd; }\n"
    "    location /private-moved/ { auth_basic \"ace\"; auth_basic_user_file %s/htpasswd;\n"
    "      rewrite ^/private-moved/(.*)$ https://other.test/$1 redirect; }\n";

static void setup(void)
{
        char *armored, *extra;
        size_t len;

        https_server_netns();
        dir = th_mkdtemp("ace-test-fetch");
        extra = xasprintf(extra_locations, dir, dir);
        https_server_start(&srv, extra);
        free(extra);
        tu_run("printf '%%s:%%s\\n' alice \"$(openssl passwd -apr1 s3cret)\" > '%s/htpasswd'", dir);
        test_gpg_init(&g);
        ace = th_build_path("ace");
        data = xasprintf("%s/data", dir);
        sys = xasprintf("%s/sys", dir);
        loc = xasprintf("%s/loc", dir);
        keyfile = xasprintf("%s/signer.asc", dir);
        trace_log = xasprintf("%s/archive-trace.log", dir);
        fpr = test_gpg_gen_key(&g, "Image Signer <images@example.test>", 0);
        test_gpg_export(&g, fpr, keyfile);
        armored = th_read_file_len(keyfile, &len);
        https_server_put(&srv, "keys/signer.asc", armored, len);
        free(armored);
        https_server_write_ace_config(&srv, loc, "2s");
        test_publish_discovery(&srv);
        trace_so = test_build_archive_trace(dir);
}

static void teardown(void)
{
        https_server_stop(&srv);
        test_gpg_cleanup(&g);
        if (!getenv("ACE_TEST_KEEP"))
                th_rm_rf(dir);
}

TestSuite(fetch, .init = setup, .fini = teardown, .timeout = 120);

/* Runs ace with the test dirs and the libarchive trace; stdout returned. */
static char *run_ace(int *st, char **errout, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *run_ace(int *st, char **errout, const char *fmt, ...)
{
        char *errfile = xasprintf("%s/stderr", dir), *args, *out;
        va_list ap;

        va_start(ap, fmt);
        args = xvasprintf(fmt, ap);
        va_end(ap);
        out = tu_capture(st,
                         "ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD='%s' "
                         "ACE_TEST_ARCHIVE_TRACE='%s' %s --dir='%s' "
                         "--system-config='%s' --local-config='%s' %s 2>'%s' </dev/null",
                         trace_so, trace_log, ace, data, sys, loc, args, errfile);
        if (getenv("ACE_TEST_VERBOSE")) {
                char *e = th_read_file(errfile);
                fprintf(stderr, "$ ace %s\n%s%s(exit %d)\n", args, out, e ? e : "", *st);
                free(e);
        }
        if (errout)
                *errout = th_read_file(errfile);
        free(errfile);
        free(args);
        return out;
}

static void trust_signer(const char *prefix)
{
        int st;
        char *errout,
            *out = run_ace(&st, &errout, "trust --prefix=%s --skip-fingerprint-review '%s'", prefix,
                           keyfile);
        cr_assert_eq(st, 0, "%s", errout);
        free(out);
        free(errout);
}

static char *short_id(const char *id)
{
        return xasprintf("%.39s\n", id);
}

/* Fetch succeeds and prints want's ID (short form unless args has --full). */
static void expect_fetched(const char *args, const char *want)
{
        int st;
        char *errout, *out = run_ace(&st, &errout, "fetch %s", args);
        char *s = strstr(args, "--full") ? xasprintf("%s\n", want) : short_id(want);

        cr_expect_eq(st, 0, "fetch %s: %s", args, errout);
        cr_expect_str_eq(out, s, "fetch %s", args);
        free(s);
        free(out);
        free(errout);
}

/* Fetch fails with 254 and a message containing needle, and neither the store nor libarchive
 * was touched (when untouched). */
static void expect_refused(const char *args, const char *needle, bool untouched)
{
        char *before = test_store_snapshot(data), *after, *errout, *out;
        int st;

        tu_run("rm -f '%s'", trace_log);
        out = run_ace(&st, &errout, "fetch %s", args);
        cr_expect_eq(st, 254, "fetch %s: exit %d", args, st);
        cr_expect_null(strstr(out, "sha512-"), "fetch %s printed an ID: %s", args, out);
        cr_expect(strstr(errout, needle), "fetch %s: \"%s\" lacks \"%s\"", args, errout, needle);
        after = test_store_snapshot(data);
        cr_expect_str_eq(after, before, "fetch %s changed the store", args);
        if (untouched) {
                char *trace = th_read_file(trace_log);
                cr_expect(!trace || !*trace, "fetch %s reached libarchive:\n%s", args, trace);
                free(trace);
        }
        free(before);
        free(after);
        free(out);
        free(errout);
}

Test(fetch, discovery_trust_fetch_then_use)
{
        char *id = test_publish_image(&srv, &g, fpr, "example.test/app", "1.0.0", NULL);
        char *full = xasprintf("%s\n", id), *out, *errout;
        int st;

        /* Trust by discovery (ac-discovery-pubkeys), fetch by name and version. */
        out = run_ace(&st, &errout, "trust --prefix=example.test/app --skip-fingerprint-review");
        cr_assert_eq(st, 0, "%s", errout);
        free(out);
        free(errout);
        tu_run("rm -f '%s'", trace_log);
        expect_fetched("example.test/app:1.0.0", id);
        /* The libarchive trace works (so "no libarchive call" elsewhere means something). */
        out = th_read_file(trace_log);
        cr_expect(out && strstr(out, "archive_read_next_header"), "trace: %s", out);
        free(out);
        expect_fetched("--full example.test/app:1.0.0", id);
        out = run_ace(&st, &errout, "fetch --full example.test/app,version=1.0.0");
        cr_expect_str_eq(out, full);
        free(out);
        free(errout);
        /* The fetched image is in the store. */
        out = run_ace(&st, &errout, "image cat-manifest %.20s", id);
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(strstr(out, "\"example.test/app\""), "%s", out);
        free(out);
        free(errout);
        out = run_ace(&st, &errout, "image list --no-legend");
        cr_expect(strstr(out, "example.test/app:1.0.0"), "%s", out);
        free(out);
        free(errout);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET"), 0);
        free(id);
        free(full);
}

Test(fetch, trust_on_first_use_with_trust_keys_from_https)
{
        char *id = test_publish_image(&srv, &g, fpr, "example.test/tofu", "1", NULL);
        char *out, *errout;
        int st;

        /* No key yet and no terminal: the key cannot be reviewed, the fetch fails closed. */
        expect_refused("example.test/tofu:1", "no keys are trusted", true);
        out = run_ace(&st, &errout, "--trust-keys-from-https fetch example.test/tofu:1");
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(strstr(errout, "signature verified:"), "%s", errout);
        cr_expect(strstr(out, "Added key for prefix \"example.test/tofu\""), "%s", out);
        free(out);
        free(errout);
        free(id);
}

Test(fetch, missing_and_bad_signatures_refused)
{
        char *id = test_publish_image(&srv, &g, NULL, "example.test/app", "1", NULL);
        char *other = xasprintf("%s/other", dir),
             *rel = test_image_relpath("example.test/app", "1");
        char *asc = xasprintf("%s/%s.asc", srv.docroot, rel);

        trust_signer("example.test/app");
        /* T-12: no signature (404). */
        expect_refused("example.test/app:1", "bad HTTP status code: 404", true);
        /* T-14: the signature of other content. */
        th_write_file(other, "something else\n", 0644);
        test_gpg_sign(&g, fpr, other, asc, TEST_SIG_DETACHED, NULL);
        expect_refused("example.test/app:1", "bad signature", true);
        /* An HTML page where the signature should be. */
        th_write_file(asc, "<html><body>Please log in</body></html>\n", 0644);
        expect_refused("example.test/app:1", "not an ASCII-armored detached signature", true);
        /* A SHA-1 signature. */
        test_gpg_sign(&g, fpr, other, asc, TEST_SIG_DETACHED, NULL);
        tu_run("cp '%s/%s' '%s'", srv.docroot, rel, other);
        test_gpg_sign(&g, fpr, other, asc, TEST_SIG_DETACHED, "SHA1");
        expect_refused("example.test/app:1", "weak digest SHA1", true);
        /* Two signatures, one of them by an untrusted key. */
        char *stranger = test_gpg_gen_key(&g, "Stranger <x@evil.test>", 0);
        test_gpg_sign2(&g, fpr, stranger, other, asc);
        expect_refused("example.test/app:1", "more than one signature", true);
        /* A good signature by an untrusted key. */
        test_gpg_sign(&g, stranger, other, asc, TEST_SIG_DETACHED, NULL);
        expect_refused("example.test/app:1", "not trusted", true);
        /* And the good one passes. */
        test_gpg_sign(&g, fpr, other, asc, TEST_SIG_DETACHED, NULL);
        expect_fetched("example.test/app:1", id);
        free(stranger);
        free(other);
        free(rel);
        free(asc);
        free(id);
}

Test(fetch, expired_and_revoked_keys_refused)
{
        char *exp_fpr = test_gpg_gen_key(&g, "Expired <e@example.test>", TEST_KEY_EXPIRED);
        char *rev_fpr = test_gpg_gen_key(&g, "Revoked <r@example.test>", 0);
        char *expkey = xasprintf("%s/expired.asc", dir), *revkey = xasprintf("%s/revoked.asc", dir);
        char *out, *errout;
        int st;

        free(test_publish_image(&srv, &g, exp_fpr, "example.test/old", "1", NULL));
        free(test_publish_image(&srv, &g, rev_fpr, "example.test/gone", "1", NULL));
        test_gpg_revoke(&g, rev_fpr);
        test_gpg_export(&g, exp_fpr, expkey);
        test_gpg_export(&g, rev_fpr, revkey);
        out = run_ace(&st, &errout,
                      "trust --prefix=example.test/old --skip-fingerprint-review "
                      "'%s'",
                      expkey);
        cr_assert_eq(st, 0, "%s", errout);
        free(out);
        free(errout);
        out = run_ace(&st, &errout,
                      "trust --prefix=example.test/gone --skip-fingerprint-review "
                      "'%s'",
                      revkey);
        cr_assert_eq(st, 0, "%s", errout);
        free(out);
        free(errout);
        expect_refused("example.test/old:1", "expired", true);
        expect_refused("example.test/gone:1", "revoked", true);
        free(exp_fpr);
        free(rev_fpr);
        free(expkey);
        free(revkey);
}

Test(fetch, prefix_trust_is_by_path_component)
{
        char *sub = test_publish_image(&srv, &g, fpr, "example.test/app/sub", "1", NULL);
        char *evil = test_publish_image(&srv, &g, fpr, "example.test/appevil", "1", NULL);
        char *rel = test_image_relpath("example.test/appevil", "1");
        char *url = xasprintf("https://example.test/%s", rel);

        /* T-13: trusted for example.test/app only. */
        trust_signer("example.test/app");
        expect_refused("example.test/appevil:1", "no keys are trusted", true);
        /* The same image by URL: the signer is checked against the manifest's name before
         * anything is committed. */
        expect_refused(url, "not trusted for the name example.test/appevil", false);
        expect_fetched("example.test/app/sub:1", sub);
        free(sub);
        free(evil);
        free(rel);
        free(url);
}

Test(fetch, manifest_must_match_the_discovery_request)
{
        char *rel = test_image_relpath("example.test/app", "2");
        char *path = xasprintf("%s/%s", srv.docroot, rel), *asc = xasprintf("%s.asc", path);
        char *labels;

        trust_signer("example.test");
        /* T-15: discovery of example.test/app:2 serves another name, version or arch. */
        labels = xasprintf("version=2,%s", test_host_labels());
        free(test_make_aci(path, "example.test/other", labels, NULL, NULL));
        test_gpg_sign(&g, fpr, path, asc, TEST_SIG_DETACHED, NULL);
        expect_refused("example.test/app:2",
                       "\"example.test/app\" expected but "
                       "\"example.test/other\" found",
                       false);
        free(labels);
        labels = xasprintf("version=1.9,%s", test_host_labels());
        free(test_make_aci(path, "example.test/app", labels, NULL, NULL));
        test_gpg_sign(&g, fpr, path, asc, TEST_SIG_DETACHED, NULL);
        expect_refused("example.test/app:2",
                       "requested value for label \"version\": \"2\" "
                       "differs from fetched aci label value: \"1.9\"",
                       false);
        free(labels);
        free(test_make_aci(path, "example.test/app", "version=2,os=linux,arch=s390x", NULL, NULL));
        test_gpg_sign(&g, fpr, path, asc, TEST_SIG_DETACHED, NULL);
        expect_refused("example.test/app:2", "label \"arch\"", false);
        free(rel);
        free(path);
        free(asc);
}

Test(fetch, no_downgrade_and_no_credentials_elsewhere)
{
        char *id = test_publish_image(&srv, &g, fpr, "example.test/app", "1", NULL);
        char *rel = test_image_relpath("example.test/app", "1"), *auth;

        trust_signer("example.test/app");
        /* T-16: https -> http redirect refused even with --insecure-options=http. */
        char *args = xasprintf("--insecure-options=http https://example.test/redirect/%s", rel);
        expect_refused(args, "downgrade from https to http", true);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET"), 0);
        free(args);
        /* T-17: credentials for example.test go there, never to other.test. */
        auth = xasprintf("%s/auth.d/example.json", loc);
        th_mkdir_parents(auth);
        th_write_file(auth,
                      "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":"
                      "[\"example.test\"],\"type\":\"basic\",\"credentials\":"
                      "{\"user\":\"alice\",\"password\":\"s3cret\"}}",
                      0644);
        tu_run("mkdir -p '%1$s/private/images' && cp -a '%1$s/images/.' '%1$s/private/images/'",
               srv.docroot);
        args = xasprintf("https://example.test/private/%s", rel);
        expect_fetched(args, id);
        free(args);
        args = xasprintf("--pull-policy=update https://example.test/private-moved/%s", rel);
        expect_fetched(args, id);
        cr_expect_gt(https_server_count(&srv, srv.access_log, "Basic YWxpY2U6czNjcmV0"), 0);
        cr_expect_gt(https_server_count(&srv, srv.other_log, "GET /images/"), 0);
        cr_expect_eq(https_server_count(&srv, srv.other_log, "Basic"), 0);
        free(args);
        free(auth);
        free(rel);
        free(id);
}

Test(fetch, truncated_corrupted_and_junk_downloads)
{
        char *rel = test_image_relpath("example.test/app", "1");
        char *path, *args;

        free(test_publish_image(&srv, &g, fpr, "example.test/app", "1", NULL));
        path = xasprintf("%s/%s", srv.docroot, rel);
        trust_signer("example.test/app");
        /* Truncated: the signature no longer matches; nothing reaches libarchive. */
        tu_run("cp '%1$s' '%1$s.full' && head -c 300 '%1$s.full' > '%1$s'", path);
        expect_refused("example.test/app:1", "bad signature", true);
        /* Without signature checks the importer itself refuses the truncated archive. */
        expect_refused("--insecure-options=image example.test/app:1", "", false);
        /* One flipped bit. */
        tu_run("cp '%1$s.full' '%1$s' && printf '\\377' | dd of='%1$s' bs=1 seek=200 conv=notrunc "
               "2>/dev/null",
               path);
        expect_refused("example.test/app:1", "bad signature", true);
        /* A captive portal's HTML page served as the image. */
        th_write_file(path, "<html><body>Welcome to the hotel wifi</body></html>\n", 0644);
        expect_refused("--insecure-options=image example.test/app:1", "", false);
        args = xasprintf("--insecure-options=image https://example.test/%s", rel);
        expect_refused(args, "", false);
        free(args);
        free(rel);
        free(path);
}

Test(fetch, stalled_server_times_out)
{
        struct timespec t0, t1;

        /* 200 kB served at 100 B/s; the test config says 2 s below 1 KiB/s is a stall. */
        tu_run("mkdir -p '%1$s/slow' && head -c 200000 /dev/urandom > '%1$s/slow/big.aci'",
               srv.docroot);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        expect_refused("--insecure-options=image https://example.test/slow/big.aci",
                       "Less than 1024 bytes/sec transferred the last 2 seconds", false);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cr_expect_lt(t1.tv_sec - t0.tv_sec, 10, "stall detection took %ld s",
                     (long)(t1.tv_sec - t0.tv_sec));
}

Test(fetch, etag_revalidation_and_pull_policies)
{
        char *id = test_publish_image(&srv, &g, fpr, "example.test/app", "1", NULL);
        char *rel = test_image_relpath("example.test/app", "1");
        char *url = xasprintf("https://example.test/%s", rel), *args, *get;

        trust_signer("example.test/app");
        /* never: nothing in the store yet. */
        args = xasprintf("--pull-policy=never %s", url);
        expect_refused(args, "pull policy is never", true);
        free(args);
        expect_fetched(url, id);
        /* update (the default): revalidated with If-None-Match, answered 304. */
        args = xasprintf("--pull-policy=update %s", url);
        expect_fetched(args, id);
        get = xasprintf("\"GET /%s HTTP/1.1\" 304", rel);
        cr_expect_eq(https_server_count(&srv, srv.access_log, get), 1);
        cr_expect_eq(https_server_count(&srv, srv.access_log, "\\x22"), 1,
                     "exactly one request carried an If-None-Match");
        free(get);
        free(args);
        /* new and never: from the store, no request at all. */
        size_t before = https_server_count(&srv, srv.access_log, "GET /images/");
        args = xasprintf("--pull-policy=new %s", url);
        expect_fetched(args, id);
        free(args);
        args = xasprintf("--store-only example.test/app:1");
        expect_fetched(args, id);
        free(args);
        cr_expect_eq(https_server_count(&srv, srv.access_log, "GET /images/"), before);
        /* --store-only and --no-store together are refused. */
        expect_refused("--store-only --no-store example.test/app:1",
                       "both --store-only and --no-store specified", true);
        free(url);
        free(rel);
        free(id);
}

Test(fetch, local_files_and_insecure_options)
{
        char *aci = xasprintf("%s/local/app.aci", dir),
             *asc = xasprintf("%s/local/app.aci.asc", dir);
        char *sig2 = xasprintf("%s/local/elsewhere.asc", dir);
        char *labels = xasprintf("version=1,%s", test_host_labels());
        char *id = test_make_aci(aci, "example.test/local", labels, NULL, NULL);
        char *args;

        /* Unsigned: refused, even with tls and http insecure options. */
        expect_refused(aci, "error opening signature file", true);
        args = xasprintf("--insecure-options=tls,http %s", aci);
        expect_refused(args, "error opening signature file", true);
        free(args);
        /* Signed by a key trusted for its name: next to it, or with --signature. */
        trust_signer("example.test/local");
        test_gpg_sign(&g, fpr, aci, asc, TEST_SIG_DETACHED, NULL);
        expect_fetched(aci, id);
        tu_run("mv '%s' '%s'", asc, sig2);
        args = xasprintf("file://%s --signature=%s", aci, sig2);
        expect_fetched(args, id);
        free(args);
        args = xasprintf("--insecure-options=image %s", aci);
        expect_fetched(args, id);
        free(args);
        /* Plain http only with --insecure-options=http (and the signature still counts). */
        char *rel = test_image_relpath("example.test/app", "1");
        char *hid = test_publish_image(&srv, &g, fpr, "example.test/app", "1", NULL);
        args = xasprintf("http://example.test/%s", rel);
        expect_refused(args, "--insecure-options=http", true);
        free(args);
        trust_signer("example.test/app");
        args = xasprintf("--insecure-options=http http://example.test/%s", rel);
        expect_fetched(args, hid);
        free(args);
        free(rel);
        free(hid);
        free(aci);
        free(asc);
        free(sig2);
        free(labels);
        free(id);
}

Test(fetch, dependencies_fetched_and_checked)
{
        char *base = test_publish_image(&srv, &g, fpr, "example.test/base", "1", NULL);
        char *extra = xasprintf("\"dependencies\":[{\"imageName\":\"example.test/base\","
                                "\"imageID\":\"%s\",\"labels\":[{\"name\":\"version\","
                                "\"value\":\"1\"}]}]",
                                base);
        char *app = test_publish_image(&srv, &g, fpr, "example.test/app", "1", extra);
        char *out, *errout;
        int st;

        trust_signer("example.test");
        expect_fetched("example.test/app:1", app);
        out = run_ace(&st, &errout, "fetch --pull-policy=never --full example.test/base:1");
        cr_expect_eq(st, 0, "dependency not stored: %s", errout);
        cr_expect(strstr(out, base), "%s", out);
        free(out);
        free(errout);
        /* A dependency whose imageID does not match what discovery serves. */
        free(extra);
        extra = xasprintf("\"dependencies\":[{\"imageName\":\"example.test/base\","
                          "\"imageID\":\"sha512-%0128d\",\"labels\":[{\"name\":\"version\","
                          "\"value\":\"1\"}]}]",
                          0);
        free(test_publish_image(&srv, &g, fpr, "example.test/app2", "1", extra));
        out = run_ace(&st, &errout, "fetch example.test/app2:1");
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "dependency example.test/base"), "%s", errout);
        free(out);
        free(errout);
        free(base);
        free(app);
        free(extra);
}

Test(fetch, deferred_signature)
{
        char *rel = test_image_relpath("example.test/app", "1"), *url, *src, *dst, *args;
        char *id = test_publish_image(&srv, &g, fpr, "example.test/app", "1", NULL);
        pid_t pid;
        int st;

        trust_signer("example.test/app");
        tu_run(
            "mkdir -p \"$(dirname '%1$s/deferred/%2$s')\" && cp '%1$s/%2$s' '%1$s/deferred/%2$s'",
            srv.docroot, rel);
        url = xasprintf("https://example.test/deferred/%s", rel);
        /* 202 until the signature exists: it never will. */
        expect_refused(url, "defer the download again", true);
        /* A watcher makes the signature as soon as the server has answered 202 once. */
        src = xasprintf("%s/%s.asc", srv.docroot, rel);
        dst = xasprintf("%s/deferred/%s.asc", srv.docroot, rel);
        tu_run(": > '%s'", srv.access_log);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                for (int i = 0; i < 2000; i++) {
                        if (tu_count_lines(srv.access_log, ".aci.asc HTTP/1.1\" 202") > 0) {
                                execlp("cp", "cp", src, dst, (char *)NULL);
                                _exit(1);
                        }
                        usleep(5000);
                }
                _exit(2);
        }
        args = xasprintf("%s", url);
        expect_fetched(args, id);
        waitpid(pid, &st, 0);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        free(args);
        free(url);
        free(src);
        free(dst);
        free(rel);
        free(id);
}

Test(fetch, sixteen_concurrent_fetches_store_one_copy)
{
        char *id = test_publish_image(&srv, &g, fpr, "example.test/app", "1", NULL);
        char *outdir = xasprintf("%s/par", dir), *want = short_id(id), *blobs;

        trust_signer("example.test/app");
        tu_run("mkdir -p '%s'", outdir);
        tu_run("for i in $(seq 1 16); do "
               "(%s --dir='%s' --system-config='%s' --local-config='%s' fetch "
               "example.test/app:1 > '%s'/out.$i 2> '%s'/err.$i; echo $? > '%s'/rc.$i) & "
               "done; wait",
               ace, data, sys, loc, outdir, outdir, outdir);
        for (int i = 1; i <= 16; i++) {
                char *rc = xasprintf("%s/rc.%d", outdir, i),
                     *out = xasprintf("%s/out.%d", outdir, i);
                char *err = xasprintf("%s/err.%d", outdir, i);
                char *rcs = th_read_file(rc), *outs = th_read_file(out), *errs = th_read_file(err);
                cr_expect_str_eq(rcs, "0\n", "fetch %d failed: %s", i, errs);
                cr_expect_str_eq(outs, want, "fetch %d", i);
                free(rcs);
                free(outs);
                free(errs);
                free(rc);
                free(out);
                free(err);
        }
        blobs = tu_capture(NULL, "find '%s/cas/blob' -type f | wc -l", data);
        cr_expect_str_eq(blobs, "1\n", "blobs stored: %s", blobs);
        free(blobs);
        free(outdir);
        free(want);
        free(id);
}

Test(fetch, progress_bar_on_a_terminal)
{
        char *id = test_publish_image(&srv, &g, fpr, "example.test/app", "1", NULL);
        char *cmd, *out;
        int st;

        trust_signer("example.test/app");
        /* script(1) gives ace a pseudo-terminal for stderr. */
        cmd = xasprintf("%s --dir='%s' --system-config='%s' --local-config='%s' fetch "
                        "example.test/app:1",
                        ace, data, sys, loc);
        out = tu_capture(&st, "script -qec \"%s\" /dev/null", cmd);
        cr_expect_eq(st, 0, "%s", out);
        cr_expect(strstr(out, "Downloading ACI: ["), "%s", out);
        cr_expect(strstr(out, "Downloading signature: "), "%s", out);
        free(cmd);
        free(out);
        free(id);
        /* Not a terminal: no bar. */
        char *errout;
        out = run_ace(&st, &errout, "fetch --pull-policy=update example.test/app:1");
        cr_expect_null(strstr(errout, "Downloading"), "%s", errout);
        free(out);
        free(errout);
}

Test(fetch, verification_runs_during_the_download)
{
        char *aci = xasprintf("%s/slow/images/example.test/slow-1-linux-amd64.aci", srv.docroot);
        char *asc = xasprintf("%s/slow.asc", dir);
        char *labels = xasprintf("version=1,%s", test_host_labels());
        char *args = xasprintf("https://example.test/slow/images/example.test/"
                               "slow-1-linux-amd64.aci --signature=%s",
                               asc);
        struct timespec t0, t1;
        double secs;

        trust_signer("example.test");
        /* A big image served at 100 B/s with an HTML page as its signature: the verifier fails
         * at once and stops the download, long before the 2 s stall limit. */
        free(test_make_aci(aci, "example.test/slow", labels, NULL, NULL));
        tu_run("head -c 100000 /dev/urandom >> '%s' && echo '<html>login</html>' > '%s'", aci, asc);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        expect_refused(args, "not an ASCII-armored detached signature", true);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        cr_expect_lt(secs, 1.5, "the download went on for %.2f s after the verdict", secs);
        /* With a real signature, a stall during the verified download is reported as one. */
        test_gpg_sign(&g, fpr, aci, asc, TEST_SIG_DETACHED, NULL);
        expect_refused(args, "Less than 1024 bytes/sec", true);
        free(aci);
        free(asc);
        free(args);
        free(labels);
}
