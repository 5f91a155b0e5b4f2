/*
 * keystore.h - the trust store of OpenPGP keys for image signatures, in rkt's layout
 * (rkt.md §5.1, rkt's pkg/keystore):
 *
 *   <config>/trustedkeys/root.d/<fingerprint>              trusted for every image
 *   <config>/trustedkeys/prefix.d/<prefix>/<fingerprint>    trusted for names under <prefix>
 *
 * for <config> in {system (vendor, /usr/lib/ace), local (admin, /etc/ace)}. New keys are always
 * written to the local directory. A file is named by the lowercase 40-hex fingerprint of its
 * primary key and holds the armored public key (0644, directories 0755); a file whose content
 * does not match its name is an error. A zero-length file masks (un-trusts) the same fingerprint
 * from the layers read before it (order: system root, local root, system prefixes, local
 * prefixes).
 *
 * Prefixes match whole path components: a key trusted for `example.com/app` applies to
 * `example.com/app` and `example.com/app/x`, never to `example.com/appevil` or `example.com`.
 * (rkt compared directory paths as strings; reliability.md T-13.)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct keystore {
        char *system_dir; /* <system config>/trustedkeys, may be NULL */
        char *local_dir;  /* <local config>/trustedkeys */
};

int keystore_init(struct keystore *ks, const char *system_config, const char *local_config,
                  struct ace_error **err);
void keystore_clear(struct keystore *ks);

/* Whether a trust prefix applies to an image name, by whole path components. */
bool trust_prefix_matches(const char *prefix, const char *name);

/* Whether a prefix is acceptable for the store: an AC identifier, no "." or ".." component, no
 * empty component, no scheme. Returns 0 or -EINVAL with a message. */
int trust_prefix_validate(const char *prefix, struct ace_error **err);

struct trusted_key {
        char *fingerprint; /* 40 lowercase hex */
        char *path;        /* the key file */
        char *prefix;      /* NULL for a root key */
        bool system;       /* from the system (vendor) layer */
};

struct trusted_key_list {
        struct trusted_key *items;
        size_t n;
};

void trusted_key_list_clear(struct trusted_key_list *l);

/* The keys that may verify an image named `name`: root keys and keys of every prefix that
 * matches `name`, masks applied, one entry per fingerprint (the last layer's file wins). */
int keystore_keys_for_name(const struct keystore *ks, const char *name,
                           struct trusted_key_list *ret, struct ace_error **err);

/* Every trusted key (masks applied), for `ace trust --list`: sorted by prefix (root first),
 * then fingerprint. */
int keystore_list(const struct keystore *ks, struct trusted_key_list *ret, struct ace_error **err);

/* Stores an armored public key (exactly one primary key) for `prefix` (NULL: root) in the local
 * layer, atomically (temp file + fsync + rename). *ret_path is the file written. */
int keystore_store(const struct keystore *ks, const char *prefix, const char *armored, size_t len,
                   char **ret_path, struct ace_error **err);
