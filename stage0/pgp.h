/*
 * pgp.h - OpenPGP keys and detached signatures through gpgme.
 *
 * Every operation runs in a private, freshly made GNUPGHOME (mode 0700 under $TMPDIR or /tmp)
 * that holds only the keys passed in, and is removed afterwards: nothing from root's ~/.gnupg
 * is used, no keyserver is contacted (no-auto-key-retrieve), and no dotlock outlives the
 * operation (reliability.md §3b item 3).
 *
 * pgp_verify_detached() accepts exactly one ASCII-armored detached signature block and requires
 * that it carry exactly one signature, that the signature be good (GPG_ERR_NO_ERROR), made by
 * one of the given keys (primary key or one of its subkeys), with a digest of at least SHA-256
 * strength (SHA-1, MD5 and RIPEMD-160 are refused), by a key that is neither expired nor
 * revoked, and that the signature itself is not expired. Everything else is refused: a binary
 * signature, a clearsigned or inline-signed message, two armor blocks, two signatures (even if
 * one is good), an unknown issuer.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct pgp_key_info {
        char *fingerprint;          /* primary key, 40 lowercase hex */
        char **subkey_fingerprints; /* strv (may be empty) */
        char **uids;                /* strv, "Name (comment) <email>" */
        bool revoked;
        bool expired;
        bool can_sign;
};

void pgp_key_info_clear(struct pgp_key_info *k);

/* Reads an ASCII-armored public key block holding exactly one primary key. */
int pgp_key_inspect(const char *armored, size_t len, struct pgp_key_info *ret,
                    struct ace_error **err);

/* "8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190": rkt's display of a fingerprint. */
char *pgp_fingerprint_format(const char *hex);

struct pgp_verify_result {
        char *fingerprint; /* primary key of the signer, 40 lowercase hex */
        char **uids;       /* of that key */
};

void pgp_verify_result_clear(struct pgp_verify_result *r);

/*
 * Verifies `sig` (len bytes) as a detached signature over the whole content of `data_fd` (read
 * with pread from offset 0 to EOF; the fd's offset is not used) against exactly the key files
 * in `key_paths` (armored public keys; NULL-terminated). Returns 0 when valid, -EBADMSG for a
 * bad or refused signature, -ENOKEY when no given key made it, other -errno for I/O failures.
 */
int pgp_verify_detached(char *const *key_paths, int data_fd, const char *sig, size_t len,
                        struct pgp_verify_result *ret, struct ace_error **err);

/* The same over a stream (a pipe or socket read to EOF with read()), so verification can run
 * while the data is still arriving. */
int pgp_verify_detached_stream(char *const *key_paths, int data_fd, const char *sig, size_t len,
                               struct pgp_verify_result *ret, struct ace_error **err);

/* Shape check of a signature file without gpg: exactly one "BEGIN PGP SIGNATURE" armor block,
 * nothing but whitespace around it. 0 or -EBADMSG. */
int pgp_signature_shape_check(const char *sig, size_t len, struct ace_error **err);
