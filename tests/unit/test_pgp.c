/* test_pgp.c - detached signature verification with gpgme against real gpg keys
 * (reliability.md T-14): only one good, armored, detached signature by a given key with a
 * strong digest passes; everything else is refused. Also key inspection and the private
 * GNUPGHOME being removed. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/pgp.h"
#include "tests/lib/gpg_keys.h"
#include "tests/lib/helpers.h"
#include "tests/lib/tu.h"

static struct test_gpg g;
static char *dir, *data, *good_fpr, *other_fpr, *good_key, *other_key;

static void setup(void)
{
        test_gpg_init(&g);
        dir = th_mkdtemp("ace-test-pgp");
        data = xasprintf("%s/image.aci", dir);
        th_write_file(data, "pretend this is an ACI\n", 0644);
        good_fpr = test_gpg_gen_key(&g, "Good Signer <good@example.test>", 0);
        other_fpr = test_gpg_gen_key(&g, "Other Signer <other@example.test>", 0);
        good_key = xasprintf("%s/good.asc", dir);
        other_key = xasprintf("%s/other.asc", dir);
        test_gpg_export(&g, good_fpr, good_key);
        test_gpg_export(&g, other_fpr, other_key);
}

static void teardown(void)
{
        test_gpg_cleanup(&g);
        th_rm_rf(dir);
}

TestSuite(pgp, .init = setup, .fini = teardown, .timeout = 60);

static int verify(const char *key, const char *sigfile, struct pgp_verify_result *res,
                  struct ace_error **err)
{
        char *keys[] = {(char *)key, NULL};
        size_t len;
        char *sig = th_read_file_len(sigfile, &len);
        int fd = open(data, O_RDONLY | O_CLOEXEC);
        int r;

        cr_assert_not_null(sig, "%s", sigfile);
        cr_assert_geq(fd, 0);
        /* The verifier must not depend on the fd offset. */
        lseek(fd, 5, SEEK_SET);
        r = pgp_verify_detached(keys, fd, sig, len, res, err);
        close(fd);
        free(sig);
        return r;
}

static void expect_refused(const char *key, const char *sigfile, int code, const char *needle)
{
        struct pgp_verify_result res;
        struct ace_error *err = NULL;
        int r = verify(key, sigfile, &res, &err);

        cr_expect_eq(r, code, "%s: got %d (%s)", sigfile, r, ace_error_msg(err));
        if (needle)
                cr_expect(strstr(ace_error_msg(err), needle), "%s: \"%s\" lacks \"%s\"", sigfile,
                          ace_error_msg(err), needle);
        ace_error_free(err);
}

Test(pgp, good_signature_passes)
{
        char *sig = xasprintf("%s/good.aci.asc", dir);
        struct pgp_verify_result res;
        struct ace_error *err = NULL;

        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_DETACHED, NULL);
        cr_assert_eq(verify(good_key, sig, &res, &err), 0, "%s", ace_error_msg(err));
        cr_expect_str_eq(res.fingerprint, good_fpr);
        cr_assert_eq(strv_length(res.uids), 1);
        cr_expect_str_eq(res.uids[0], "Good Signer <good@example.test>");
        pgp_verify_result_clear(&res);
        free(sig);
}

Test(pgp, signature_of_other_content_refused)
{
        char *sig = xasprintf("%s/s.asc", dir);

        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_DETACHED, NULL);
        th_write_file(data, "pretend this is an ACI\n!", 0644); /* one byte more */
        expect_refused(good_key, sig, -EBADMSG, "bad signature");
        free(sig);
}

Test(pgp, untrusted_signer_refused)
{
        char *sig = xasprintf("%s/s.asc", dir);

        test_gpg_sign(&g, other_fpr, data, sig, TEST_SIG_DETACHED, NULL);
        expect_refused(good_key, sig, -ENOKEY, "not trusted");
        free(sig);
}

Test(pgp, sha1_digest_refused)
{
        char *sig = xasprintf("%s/s.asc", dir);

        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_DETACHED, "SHA1");
        expect_refused(good_key, sig, -EBADMSG, "weak digest SHA1");
        free(sig);
}

Test(pgp, expired_key_refused)
{
        char *fpr = test_gpg_gen_key(&g, "Expired <expired@example.test>", TEST_KEY_EXPIRED);
        char *key = xasprintf("%s/expired.asc", dir), *sig = xasprintf("%s/s.asc", dir);

        test_gpg_export(&g, fpr, key);
        test_gpg_sign(&g, fpr, data, sig, TEST_SIG_DETACHED, NULL);
        expect_refused(key, sig, -EBADMSG, "expired");
        free(fpr);
        free(key);
        free(sig);
}

Test(pgp, revoked_key_refused)
{
        char *fpr = test_gpg_gen_key(&g, "Revoked <revoked@example.test>", 0);
        char *key = xasprintf("%s/revoked.asc", dir), *sig = xasprintf("%s/s.asc", dir);

        test_gpg_sign(&g, fpr, data, sig, TEST_SIG_DETACHED, NULL);
        test_gpg_revoke(&g, fpr);
        test_gpg_export(&g, fpr, key);
        expect_refused(key, sig, -EBADMSG, "revoked");
        free(fpr);
        free(key);
        free(sig);
}

Test(pgp, two_signatures_refused_even_if_one_is_good)
{
        char *sig = xasprintf("%s/s.asc", dir);
        char *both = xasprintf("%s/both.asc", dir);

        test_gpg_sign2(&g, good_fpr, other_fpr, data, sig);
        expect_refused(good_key, sig, -EBADMSG, "more than one signature");
        /* Both keys trusted: still refused (exactly one signature). */
        tu_run("cat '%s' '%s' > '%s'", good_key, other_key, both);
        expect_refused(both, sig, -EBADMSG, "more than one signature");
        free(sig);
        free(both);
}

Test(pgp, only_armored_detached_accepted)
{
        char *sig = xasprintf("%s/s", dir), *two = xasprintf("%s/two.asc", dir);

        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_BINARY, NULL);
        expect_refused(good_key, sig, -EBADMSG, "not an ASCII-armored detached signature");
        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_CLEARSIGN, NULL);
        expect_refused(good_key, sig, -EBADMSG, "not an ASCII-armored detached signature");
        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_INLINE, NULL);
        expect_refused(good_key, sig, -EBADMSG, "not an ASCII-armored detached signature");
        /* Two armor blocks concatenated. */
        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_DETACHED, NULL);
        tu_run("cat '%s' '%s' > '%s'", sig, sig, two);
        expect_refused(good_key, two, -EBADMSG, "more than one block");
        /* An HTML page served instead of a signature. */
        th_write_file(sig, "<html><body>captive portal</body></html>\n", 0644);
        expect_refused(good_key, sig, -EBADMSG, NULL);
        th_write_file(sig, "", 0644);
        expect_refused(good_key, sig, -EBADMSG, NULL);
        free(sig);
        free(two);
}

Test(pgp, no_keys_means_no_trust)
{
        char *sig = xasprintf("%s/s.asc", dir), *sigbuf;
        char *keys[] = {NULL};
        struct pgp_verify_result res;
        size_t len;
        int fd;

        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_DETACHED, NULL);
        sigbuf = th_read_file_len(sig, &len);
        fd = open(data, O_RDONLY | O_CLOEXEC);
        cr_expect_eq(pgp_verify_detached(keys, fd, sigbuf, len, &res, NULL), -ENOKEY);
        close(fd);
        free(sigbuf);
        free(sig);
}

Test(pgp, private_home_removed_and_no_agent_left)
{
        char *sig = xasprintf("%s/s.asc", dir), *tmp = th_mkdtemp("ace-test-tmpdir");
        struct pgp_verify_result res;
        char *ls;

        /* Verify with TMPDIR pointing at an empty directory: the session home lives there. */
        setenv("TMPDIR", tmp, 1);
        test_gpg_sign(&g, good_fpr, data, sig, TEST_SIG_DETACHED, NULL);
        cr_assert_eq(verify(good_key, sig, &res, NULL), 0);
        pgp_verify_result_clear(&res);
        ls = tu_capture(NULL, "ls -A '%s'", tmp);
        cr_expect_str_eq(ls, "", "leftover in TMPDIR: %s", ls);
        free(ls);
        ls = tu_capture(NULL, "ps -eo args | grep -c '^gpg-agent --homedir %s' || true", tmp);
        cr_expect_str_eq(ls, "0\n", "gpg-agent started for the private home");
        free(ls);
        unsetenv("TMPDIR");
        th_rm_rf(tmp);
        free(tmp);
        free(sig);
}

Test(pgp, key_inspection)
{
        size_t len;
        char *armored = th_read_file_len(good_key, &len), *both = xasprintf("%s/both.asc", dir);
        struct pgp_key_info k;
        struct ace_error *err = NULL;
        char *f;

        cr_assert_eq(pgp_key_inspect(armored, len, &k, &err), 0, "%s", ace_error_msg(err));
        cr_expect_str_eq(k.fingerprint, good_fpr);
        cr_expect_str_eq(k.uids[0], "Good Signer <good@example.test>");
        cr_expect(k.can_sign);
        cr_expect_not(k.revoked);
        pgp_key_info_clear(&k);
        free(armored);
        tu_run("cat '%s' '%s' > '%s'", good_key, other_key, both);
        armored = th_read_file_len(both, &len);
        cr_expect_lt(pgp_key_inspect(armored, len, &k, &err), 0);
        cr_expect(strstr(ace_error_msg(err), "more than one key"), "%s", ace_error_msg(err));
        free(armored);
        cr_expect_lt(pgp_key_inspect("hello", 5, &k, &err), 0);
        ace_error_free(err);
        f = pgp_fingerprint_format("8b86de38890ddb7291867b025210bd8888182190");
        cr_expect_str_eq(f, "8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190");
        free(f);
        free(both);
}
