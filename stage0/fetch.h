/*
 * fetch.h - resolving an image string to an image ID in the store, fetching it if needed
 * (`ace fetch`, and the image resolution of `ace run`/`ace prepare`).
 *
 * Image strings are classified as rkt does (rkt.md §5.4):
 *   - `sha512-...` (an image ID or a prefix of one)          -> the store only
 *   - `file://`, `http://`, `https://` URLs ending in .aci    -> an archive at that URL
 *   - `docker://`, `docker:`                                  -> refused (not supported)
 *   - no scheme: an absolute path, an existing regular file, a string containing "./", or
 *     ending in ".aci" (unless it contains ':')                -> a local file
 *   - anything else (`example.com/app:1.0`, `example.com/app,version=1.0,arch=amd64`)
 *                                                             -> an appc name (discovery)
 * Pull policies: `new` (store first, remote if missing), `update` (always ask the remote, reuse
 * the stored image when it answers 304 to If-None-Match or while its max-age is fresh),
 * `never` (store only). Local files are always read.
 *
 * Signatures: unless skipped (`--insecure-options=image`, or fetch_request.skip_verify), every
 * image is verified with pgp_verify_detached() against the keys trusted for the name in its
 * manifest before any byte reaches libarchive or the store. Downloads are spooled to an
 * unlinked temporary file under <dir>/tmp while gpg verifies the same bytes as they arrive,
 * then imported from that file once the verdict is in (Documentation/signing-and-discovery.md
 * explains the choice). Without verification, the
 * bytes go straight from the network into the store's streaming importer in one pass.
 * For names, the manifest's name must equal the requested name and every requested label must
 * be present with the same value (appc discovery: MUST). Dependencies are fetched recursively
 * by name and labels, each checked against its imageID when the manifest gives one.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"

struct ace_config;
struct store;
struct pgp_key_info;

enum pull_policy {
        PULL_POLICY_NEW,
        PULL_POLICY_UPDATE,
        PULL_POLICY_NEVER,
};

int pull_policy_parse(const char *s, enum pull_policy *ret, struct ace_error **err);
const char *pull_policy_to_string(enum pull_policy p);

enum image_kind {
        IMAGE_KIND_ID,     /* sha512-... */
        IMAGE_KIND_PATH,   /* local file (path or file:// URL) */
        IMAGE_KIND_URL,    /* http(s):// URL */
        IMAGE_KIND_NAME,   /* appc name with optional version and labels */
        IMAGE_KIND_DOCKER, /* docker:// or docker: (unsupported) */
        IMAGE_KIND_INVALID,
};

/* Classifies an image string (may stat() it to tell a relative path from a name). */
enum image_kind image_string_classify(const char *s);

struct fetch_ui {
        /* A diagnostic line for stderr ("image: searching for app image ...",
         * "signature verified: ..."); NULL: silent. */
        void (*diag)(void *userdata, const char *line);
        /* A line for stdout (key fingerprints during trust-on-first-use). */
        void (*out)(void *userdata, const char *line);
        /* Asks whether to trust a key discovered for an image (see trust.h). */
        int (*review_key)(void *userdata, const char *prefix, const char *location,
                          const struct pgp_key_info *key, struct ace_error **err);
        void *userdata;
};

struct fetch_options {
        const struct ace_config *config; /* auth.d, http.d */
        const char *system_config;       /* trust store layers */
        const char *local_config;
        const char *data_dir; /* spool files go to <data_dir>/tmp */
        unsigned insecure;    /* INSECURE_* bits of --insecure-options */
        enum pull_policy pull_policy;
        bool trust_keys_from_https;
        bool no_deps;  /* do not fetch dependencies */
        bool progress; /* progress bars on stderr (when it is a terminal) */
        struct fetch_ui ui;
};

struct fetcher;

int fetcher_new(struct store *store, const struct fetch_options *o, struct fetcher **ret,
                struct ace_error **err);
void fetcher_free(struct fetcher *f);

struct fetch_request {
        const char *image;       /* the image string */
        const char *signature;   /* a local .asc for it (--signature), or NULL */
        bool skip_verify;        /* no signature check for this image (the default stage1) */
        const char *expected_id; /* the image must hash to this full ID, or NULL */
};

/* Resolves (and fetches as the policy says) one image and its dependencies; *ret_id is the
 * full image ID (sha512- + 128 hex). */
int fetcher_fetch(struct fetcher *f, const struct fetch_request *req, char **ret_id,
                  struct ace_error **err);
