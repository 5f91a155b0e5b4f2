/*
 * trust.h - adding keys to the trust store (`ace trust`, and trust-on-first-use during a fetch).
 *
 * A key location is a local file path or an https URL (http only when the HTTP client allows
 * it: `--insecure-allow-http` for `ace trust`). With no location, the locations are found by
 * ac-discovery-pubkeys discovery of the prefix. Each key is shown (prefix, location, the
 * fingerprint in rkt's grouping, subkeys, user IDs) and, unless review is skipped (or the key
 * came over https and trust_keys_from_https is set), the user must answer "yes" to rkt's
 * question before it is stored. Without a terminal to ask on, adding fails with rkt's advice.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct http_client;
struct keystore;
struct pgp_key_info;

struct trust_ui {
        /* A line for stdout (rkt prints fingerprints and "Added key ..." there). */
        void (*out)(void *userdata, const char *line);
        /* A diagnostic line for stderr. */
        void (*diag)(void *userdata, const char *line);
        /* Asks whether to trust the key: 1 yes, 0 no, < 0 error (e.g. no terminal). NULL: no
         * way to ask, which fails unless review is skipped. */
        int (*review)(void *userdata, const char *prefix, const char *location,
                      const struct pgp_key_info *key, struct ace_error **err);
        void *userdata;
};

struct trust_options {
        const struct keystore *ks;
        struct http_client *http; /* for URL keys and discovery; http allowed iff it allows */
        bool skip_review;         /* --skip-fingerprint-review */
        bool trust_keys_from_https;
        struct trust_ui ui;
};

/* Locations from ac-discovery-pubkeys for `prefix` ("meta discovery on P resulted in no keys"
 * when there are none). */
int trust_discover_locations(const struct trust_options *o, const char *prefix, char ***ret,
                             struct ace_error **err);

/* Fetches, shows, reviews and stores each key of `locations` for `prefix` (NULL: root keys).
 * A key the user declines is skipped (reported through diag). Returns the number of keys
 * stored, or < 0 on the first failure. */
int trust_add_keys(const struct trust_options *o, char *const *locations, const char *prefix,
                   struct ace_error **err);

/* Reads the armored key at a location (path or URL) into memory, at most 1 MiB. */
int trust_read_key(const struct trust_options *o, const char *location, char **ret, size_t *ret_len,
                   struct ace_error **err);
