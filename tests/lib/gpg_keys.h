/*
 * gpg_keys.h - real OpenPGP keys and signatures for tests, made with gpg in a temporary
 * GNUPGHOME (never the user's): good keys, keys that expired (made with --faked-system-time),
 * revoked keys (gpg's own revocation certificate imported), signatures with a chosen digest,
 * clearsigned/inline/binary/double signatures.
 */
#pragma once

#include <stdbool.h>

struct test_gpg {
        char *home;
};

void test_gpg_init(struct test_gpg *g);
/* Kills the agent of the home and removes it. */
void test_gpg_cleanup(struct test_gpg *g);

enum test_key_flags {
        TEST_KEY_EXPIRED = 1u << 0, /* valid for one day in 2020: expired now */
        TEST_KEY_RSA = 1u << 1,     /* rsa2048 instead of ed25519 */
};

/* Generates a signing key; returns its fingerprint (40 lowercase hex, heap). */
char *test_gpg_gen_key(struct test_gpg *g, const char *uid, unsigned flags);
/* Writes the armored public key to path. */
void test_gpg_export(struct test_gpg *g, const char *fpr, const char *path);
/* Revokes the key with the revocation certificate gpg made at generation. */
void test_gpg_revoke(struct test_gpg *g, const char *fpr);

enum test_sig_kind {
        TEST_SIG_DETACHED,  /* armored detached (the good kind) */
        TEST_SIG_BINARY,    /* binary detached */
        TEST_SIG_CLEARSIGN, /* clearsigned message */
        TEST_SIG_INLINE,    /* armored signed message */
};

/* Signs file into out with key fpr. digest NULL = gpg's default (SHA-256/512); "SHA1" etc.
 * Keys flagged expired are used at their valid time (faked). */
void test_gpg_sign(struct test_gpg *g, const char *fpr, const char *file, const char *out,
                   enum test_sig_kind kind, const char *digest);
/* One detached armored signature block holding signatures by two keys. */
void test_gpg_sign2(struct test_gpg *g, const char *fpr1, const char *fpr2, const char *file,
                    const char *out);
