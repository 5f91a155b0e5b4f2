/* gpg_keys.c - OpenPGP test keys and signatures made with the gpg binary (see gpg_keys.h). */
#include "tests/lib/gpg_keys.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/tu.h"

/* Keys flagged expired live in 2020; signing with them must happen then too. */
#define PAST_TIME "20200101T120000"

void test_gpg_init(struct test_gpg *g)
{
        g->home = th_mkdtemp("ace-test-gpg");
        tu_run("chmod 700 '%s'", g->home);
}

void test_gpg_cleanup(struct test_gpg *g)
{
        if (!g->home)
                return;
        (void)tu_sh("gpgconf --homedir '%s' --kill all >/dev/null 2>&1", g->home);
        th_rm_rf(g->home);
        free(g->home);
        g->home = NULL;
}

static bool is_expired_key(struct test_gpg *g, const char *fpr)
{
        return tu_sh("test -e '%s/expired-%s'", g->home, fpr) == 0;
}

char *test_gpg_gen_key(struct test_gpg *g, const char *uid, unsigned flags)
{
        const char *algo = flags & TEST_KEY_RSA ? "rsa2048" : "ed25519";
        char *out, *fpr;
        int st;

        tu_run("gpg --homedir '%s' --batch --quiet --passphrase '' %s --quick-gen-key '%s' %s "
               "sign %s >/dev/null 2>&1",
               g->home, flags & TEST_KEY_EXPIRED ? "--faked-system-time " PAST_TIME : "", uid, algo,
               flags & TEST_KEY_EXPIRED ? "1d" : "0");
        out = tu_capture(&st,
                         "gpg --homedir '%s' --batch --with-colons --list-keys '%s' 2>/dev/null "
                         "| awk -F: '/^fpr/ {print tolower($10); exit}'",
                         g->home, uid);
        cr_assert_eq(st, 0);
        cr_assert_eq(strlen(out), 41, "fingerprint of %s: %s", uid, out);
        fpr = xstrndup(out, 40);
        free(out);
        if (flags & TEST_KEY_EXPIRED)
                tu_run("touch '%s/expired-%s'", g->home, fpr);
        return fpr;
}

void test_gpg_export(struct test_gpg *g, const char *fpr, const char *path)
{
        tu_run("gpg --homedir '%s' --batch --armor --export '%s' > '%s' 2>/dev/null", g->home, fpr,
               path);
}

void test_gpg_revoke(struct test_gpg *g, const char *fpr)
{
        /* gpg stores a revocation certificate at key generation, its armor line "protected"
         * by a leading ':'; importing it revokes the key. */
        tu_run("upper=$(echo '%s' | tr a-f A-F); sed 's/^:-----BEGIN/-----BEGIN/' "
               "'%s/openpgp-revocs.d/'$upper.rev | gpg --homedir '%s' --batch --quiet --import "
               ">/dev/null 2>&1",
               fpr, g->home, g->home);
}

void test_gpg_sign(struct test_gpg *g, const char *fpr, const char *file, const char *out,
                   enum test_sig_kind kind, const char *digest)
{
        static const char *const modes[] = {
            [TEST_SIG_DETACHED] = "--armor --detach-sign",
            [TEST_SIG_BINARY] = "--detach-sign",
            [TEST_SIG_CLEARSIGN] = "--clearsign",
            [TEST_SIG_INLINE] = "--armor --sign",
        };
        char *dg = digest ? xasprintf("--digest-algo %s", digest) : xstrdup("");

        tu_run("gpg --homedir '%s' --batch --yes --quiet --pinentry-mode loopback --passphrase '' "
               "%s %s -u '%s' %s -o '%s' '%s' >/dev/null 2>&1",
               g->home, is_expired_key(g, fpr) ? "--faked-system-time " PAST_TIME : "", dg, fpr,
               modes[kind], out, file);
        free(dg);
}

void test_gpg_sign2(struct test_gpg *g, const char *fpr1, const char *fpr2, const char *file,
                    const char *out)
{
        tu_run("gpg --homedir '%s' --batch --yes --quiet --pinentry-mode loopback --passphrase '' "
               "-u '%s' -u '%s' --armor --detach-sign -o '%s' '%s' >/dev/null 2>&1",
               g->home, fpr1, fpr2, out, file);
}
