/* test_trust.c - `ace trust`: keys from files, https URLs and ac-discovery-pubkeys discovery,
 * rkt's flag rules and messages, the fingerprint review on a terminal (a pty), --root, --list,
 * and plain http only with --insecure-allow-http. Against nginx over TLS in a private netns. */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "tests/lib/gpg_keys.h"
#include "tests/lib/helpers.h"
#include "tests/lib/https_server.h"
#include "tests/lib/tu.h"

static struct https_server srv;
static struct test_gpg g;
static char *dir, *ace, *sys, *loc, *fpr, *keyfile;

static void setup(void)
{
        char *armored;
        size_t len;

        https_server_netns();
        https_server_start(&srv, NULL);
        test_gpg_init(&g);
        dir = th_mkdtemp("ace-test-trust");
        ace = th_build_path("ace");
        sys = xasprintf("%s/sys", dir);
        loc = xasprintf("%s/loc", dir);
        keyfile = xasprintf("%s/key.asc", dir);
        fpr = test_gpg_gen_key(&g, "Example Signer <sign@example.test>", 0);
        test_gpg_export(&g, fpr, keyfile);
        https_server_write_ace_config(&srv, loc, NULL);
        armored = th_read_file_len(keyfile, &len);
        https_server_put(&srv, "keys/app.asc", armored, len);
        free(armored);
        https_server_put_discovery(&srv, "example.test/app",
                                   "<meta name=\"ac-discovery-pubkeys\" content=\"example.test/app "
                                   "https://example.test/keys/app.asc\">");
}

static void teardown(void)
{
        https_server_stop(&srv);
        test_gpg_cleanup(&g);
        th_rm_rf(dir);
}

TestSuite(trust, .init = setup, .fini = teardown, .timeout = 60);

/* Runs ace with the test config dirs; stdout returned, stderr in *errout. */
static char *run_ace(int *st, char **errout, const char *args)
{
        char *errfile = xasprintf("%s/stderr", dir);
        char *out =
            tu_capture(st, "%s --system-config='%s' --local-config='%s' %s 2>'%s' </dev/null", ace,
                       sys, loc, args, errfile);
        if (errout)
                *errout = th_read_file(errfile);
        free(errfile);
        return out;
}

static char *key_path(const char *sub)
{
        return xasprintf("%s/trustedkeys/%s/%s", loc, sub, fpr);
}

static bool exists(const char *p)
{
        return access(p, F_OK) == 0;
}

Test(trust, key_file_for_a_prefix)
{
        int st;
        char *errout, *args = xasprintf("trust --prefix=example.test/app --skip-fingerprint-review "
                                        "'%s'",
                                        keyfile);
        char *out = run_ace(&st, &errout, args), *p = key_path("prefix.d/example.test/app");
        char *want;

        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(strstr(out, "gpg key fingerprint is: "), "%s", out);
        cr_expect(strstr(out, "\tExample Signer <sign@example.test>\n"), "%s", out);
        want = xasprintf("Trusting \"%s\" for prefix \"example.test/app\" without fingerprint "
                         "review.\nAdded key for prefix \"example.test/app\" at \"%s\"\n",
                         keyfile, p);
        cr_expect(strstr(out, want), "%s", out);
        cr_expect(strstr(errout, "prefix: \"example.test/app\""), "%s", errout);
        cr_assert(exists(p));
        /* The stored file is the armored key, 0644, named by the fingerprint. */
        cr_expect_eq(tu_sh("test \"$(stat -c %%a '%s')\" = 644 && cmp -s '%s' '%s'", p, p, keyfile),
                     0);
        free(want);
        free(p);
        free(out);
        free(errout);
        free(args);
}

Test(trust, key_url_and_discovery)
{
        int st;
        char *errout, *out, *p = key_path("prefix.d/example.test/app");

        out = run_ace(&st, &errout,
                      "trust --prefix=example.test/app --skip-fingerprint-review "
                      "https://example.test/keys/app.asc");
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(exists(p));
        free(out);
        free(errout);
        th_rm_rf(loc);
        https_server_write_ace_config(&srv, loc, NULL);
        /* No key given: ac-discovery-pubkeys of the prefix. */
        out = run_ace(&st, &errout, "trust --prefix=example.test/app --skip-fingerprint-review");
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(strstr(out, "Trusting \"https://example.test/keys/app.asc\" for prefix "
                              "\"example.test/app\""),
                  "%s", out);
        cr_expect(exists(p));
        cr_expect_gt(https_server_count(&srv, srv.access_log, "ac-discovery=1"), 0);
        free(out);
        free(errout);
        /* A prefix without discovery page: a clear failure. */
        out = run_ace(&st, &errout, "trust --prefix=nothing.test/x --skip-fingerprint-review");
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "error determining key location"), "%s", errout);
        free(out);
        free(errout);
        free(p);
}

Test(trust, plain_http_needs_insecure_allow_http)
{
        int st;
        char *errout, *out;

        out = run_ace(&st, &errout,
                      "trust --prefix=example.test/app --skip-fingerprint-review "
                      "http://example.test/keys/app.asc");
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "--insecure-allow-http required for http URLs"), "%s", errout);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET /keys"), 0);
        free(out);
        free(errout);
        out = run_ace(&st, &errout,
                      "trust --prefix=example.test/app --skip-fingerprint-review "
                      "--insecure-allow-http http://example.test/keys/app.asc");
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect_eq(https_server_count(&srv, srv.http_log, "GET /keys/app.asc"), 1);
        free(out);
        free(errout);
}

Test(trust, flag_rules)
{
        int st;
        char *errout, *out, *args;

        args = xasprintf("trust '%s'", keyfile);
        out = run_ace(&st, &errout, args);
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "aborting due to implicit unbounded trust (root domain)"), "%s",
                  errout);
        free(out);
        free(errout);
        free(args);
        args = xasprintf("trust --root --prefix=example.test '%s'", keyfile);
        out = run_ace(&st, &errout, args);
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "--root and --prefix usage mutually exclusive"), "%s", errout);
        free(out);
        free(errout);
        free(args);
        args = xasprintf("trust --prefix=https://example.test/app '%s'", keyfile);
        out = run_ace(&st, &errout, args);
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "--prefix must not contain a URL scheme, omit https://"), "%s",
                  errout);
        free(out);
        free(errout);
        free(args);
        args = xasprintf("trust --prefix=../../etc --skip-fingerprint-review '%s'", keyfile);
        out = run_ace(&st, &errout, args);
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "invalid prefix"), "%s", errout);
        free(out);
        free(errout);
        free(args);
        out = run_ace(&st, &errout, "trust --root --skip-fingerprint-review");
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "--root requires"), "%s", errout);
        free(out);
        free(errout);
        /* Not a key. */
        out = run_ace(&st, &errout, "trust --root --skip-fingerprint-review /etc/hostname");
        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "not an ASCII-armored OpenPGP public key block"), "%s", errout);
        free(out);
        free(errout);
        cr_expect_eq(tu_sh("test -e '%s/trustedkeys/prefix.d/etc'", loc), 1);
}

Test(trust, root_key_and_list)
{
        int st;
        char *errout, *out,
            *args = xasprintf("trust --root --skip-fingerprint-review '%s'", keyfile);
        char *p = key_path("root.d");

        out = run_ace(&st, &errout, args);
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(strstr(out, "Added root key at"), "%s", out);
        cr_expect(exists(p));
        free(out);
        free(errout);
        free(args);
        args = xasprintf("trust --prefix=example.test/app --skip-fingerprint-review '%s'", keyfile);
        free(run_ace(&st, NULL, args));
        cr_expect_eq(st, 0);
        out = run_ace(&st, &errout, "trust --list");
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(strstr(out, "PREFIX"), "%s", out);
        char *root_line = xasprintf("(root)            %s  local", fpr);
        char *app_line = xasprintf("example.test/app  %s  local", fpr);
        cr_expect(strstr(out, root_line), "%s", out);
        cr_expect(strstr(out, app_line), "%s", out);
        free(root_line);
        free(app_line);
        free(out);
        free(errout);
        free(args);
        free(p);
}

/* Runs ace on a pty, answering `answer` to the review question; returns the status. */
static int run_on_pty(const char *answer, char **transcript)
{
        char *args = xasprintf("%s", keyfile);
        char buf[4096];
        size_t len = 0, cap = 8192;
        char *out = xmalloc(cap);
        bool answered = false;
        int master, st;
        pid_t pid = forkpty(&master, NULL, NULL, NULL);

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                char *cfg1 = xasprintf("--system-config=%s", sys);
                char *cfg2 = xasprintf("--local-config=%s", loc);
                execl(ace, ace, cfg1, cfg2, "trust", "--prefix=example.test/app", args,
                      (char *)NULL);
                _exit(127);
        }
        for (;;) {
                struct pollfd pfd = {.fd = master, .events = POLLIN};
                ssize_t n;
                if (poll(&pfd, 1, 20000) <= 0)
                        break;
                n = read(master, buf, sizeof(buf));
                if (n <= 0)
                        break;
                out = xgrow(out, &cap, len + (size_t)n + 1, 1);
                memcpy(out + len, buf, (size_t)n);
                len += (size_t)n;
                out[len] = '\0';
                if (!answered && strstr(out, "(yes/no)?")) {
                        cr_assert_eq(write(master, answer, strlen(answer)),
                                     (ssize_t)strlen(answer));
                        answered = true;
                }
        }
        close(master);
        waitpid(pid, &st, 0);
        *transcript = out;
        free(args);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(trust, fingerprint_review_on_a_terminal)
{
        char *p = key_path("prefix.d/example.test/app"), *t;
        int st;

        st = run_on_pty("maybe\nno\n", &t);
        cr_expect_eq(st, 0, "%s", t);
        cr_expect(strstr(t, "Are you sure you want to trust this key (yes/no)?"), "%s", t);
        cr_expect(strstr(t, "Please enter 'yes' or 'no'"), "%s", t);
        cr_expect(strstr(t, "not trusting"), "%s", t);
        cr_expect_not(exists(p));
        free(t);
        st = run_on_pty("yes\n", &t);
        cr_expect_eq(st, 0, "%s", t);
        cr_expect(strstr(t, "after fingerprint review."), "%s", t);
        cr_expect(exists(p));
        free(t);
        free(p);
}

Test(trust, no_terminal_no_trust)
{
        int st;
        char *errout, *args = xasprintf("trust --prefix=example.test/app '%s'", keyfile);
        char *out = run_ace(&st, &errout, args), *p = key_path("prefix.d/example.test/app");

        cr_expect_eq(st, 254);
        cr_expect(strstr(errout, "unable to ask user to review fingerprint due to lack of tty"),
                  "%s", errout);
        cr_expect(strstr(errout, "--trust-keys-from-https"), "%s", errout);
        cr_expect_not(exists(p));
        free(out);
        free(errout);
        free(args);
        /* --trust-keys-from-https accepts keys that came over https without asking. */
        out = run_ace(&st, &errout,
                      "--trust-keys-from-https trust --prefix=example.test/app "
                      "https://example.test/keys/app.asc");
        cr_expect_eq(st, 0, "%s", errout);
        cr_expect(exists(p));
        free(out);
        free(errout);
        free(p);
}
