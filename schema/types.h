/*
 * types.h - the shared appc 0.8.11 types (spec/types.md): AC Identifier, AC Name, AC Kind,
 * AC Version (SemVer 2.0.0), Image ID, labels and annotations, UUIDs, RFC3339 timestamps, URLs
 * and the `name[:version][,label=value...]` app string.
 *
 * schema/ does no I/O: everything here works on strings and bytes the caller hands in. Where the
 * spec and the reference implementation (Debian's actool 0.8.11) differ, the spec wins; every
 * place we are stricter than the reference is marked "stricter than the reference" in the .c
 * file and listed in Documentation/schema-vs-reference.md.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/kv.h"

/* The spec version we implement and write into manifests we generate. */
#define ACE_AC_VERSION "0.8.11"

/* ---- names (acname.c) ---------------------------------------------------------------------- */

/* ^[a-z0-9]+([-._~/][a-z0-9]+)*$ : image names, label/annotation/isolator names. */
bool ac_identifier_valid(const char *s);
/* ^[a-z0-9]+(-[a-z0-9]+)*$ : app, volume, mountPoint and port names. */
bool ac_name_valid(const char *s);
/* Same checks with a message naming the first offending character: what is "name", "label name"
 * ...; the error reads `PATH: invalid AC Identifier "x y": ...`. path may be "" or NULL. */
int ac_identifier_check(const char *s, const char *path, struct ace_error **err);
int ac_name_check(const char *s, const char *path, struct ace_error **err);
/* rkt's default app name for an image name: the last path element, lowercased, every run of
 * characters outside [a-z0-9] turned into one '-', leading/trailing '-' trimmed
 * ("example.com/My_App" -> "my-app"). NULL if nothing remains. malloc'd. */
char *ac_name_sanitize(const char *image_name);

/* ---- AC Kind ------------------------------------------------------------------------------- */

enum ac_kind {
        AC_KIND_IMAGE_MANIFEST,
        AC_KIND_POD_MANIFEST,
        _AC_KIND_MAX,
        AC_KIND_INVALID = -1,
};
/* "ImageManifest"/"PodManifest" (case-sensitive) or AC_KIND_INVALID. */
enum ac_kind ac_kind_from_string(const char *s);
const char *ac_kind_to_string(enum ac_kind k);

/* ---- SemVer 2.0.0 (semver.c) --------------------------------------------------------------- */

struct semver {
        uint64_t major, minor, patch;
        char *prerelease; /* NULL or the part after '-' */
        char *build;      /* NULL or the part after '+' */
};

/* Strict SemVer 2.0.0: three numeric parts without leading zeros, optional dot-separated
 * pre-release identifiers ([0-9A-Za-z-]+, numeric ones without leading zeros) and build
 * metadata. On success *ret owns its strings (semver_done()). */
int semver_parse(const char *s, struct semver *ret, struct ace_error **err);
/* SemVer precedence: <0, 0, >0. Build metadata is ignored. */
int semver_compare(const struct semver *a, const struct semver *b);
/* "1.2.3-rc.1+build"; malloc'd. */
char *semver_format(const struct semver *v);
void semver_done(struct semver *v);
/* acVersion rule: valid SemVer, not 0.0.0, major 0 (the 0.x series we implement) and not newer
 * than ACE_AC_VERSION ("not exceeding the version of its greatest compliance"). */
int ac_version_check(const char *s, const char *path, struct ace_error **err);

/* ---- Image IDs (image_id.c) ---------------------------------------------------------------- */

#define ACE_IMAGE_ID_PREFIX "sha512-"
#define ACE_IMAGE_ID_PREFIX_LEN 7
#define ACE_IMAGE_ID_HEX 128
#define ACE_IMAGE_ID_LEN (ACE_IMAGE_ID_PREFIX_LEN + ACE_IMAGE_ID_HEX) /* 135 */
/* Short forms: `ace fetch` prints sha512- + 32 hex, `ace image list` sha512- + 12 hex. */
#define ACE_IMAGE_ID_FETCH_HEX 32
#define ACE_IMAGE_ID_LIST_HEX 12

/* A full image ID: "sha512-" + exactly 128 lowercase hex digits. Anything else ("../", 129
 * digits, upper case, non-hex, "sha256-") is EINVAL. ret gets a NUL-terminated copy, so it is
 * safe to use as a path component. */
int image_id_parse(const char *s, char ret[ACE_IMAGE_ID_LEN + 1], struct ace_error **err);
bool image_id_valid(const char *s);
/* What a user may type to look an image up: "sha512-" + 2..128 lowercase hex digits. Only for
 * prefix lookup; never use it as a path unless image_id_valid(). */
bool image_id_prefix_valid(const char *s);
/* Formats a raw sha512 digest as a full image ID. */
void image_id_from_digest(const unsigned char digest[64], char ret[ACE_IMAGE_ID_LEN + 1]);
/* Shortens a valid ID to "sha512-" + hex_digits hex digits (32 for fetch, 12 for list; >= 128
 * gives the full ID). ret must hold ACE_IMAGE_ID_LEN + 1 bytes. */
void image_id_shorten(const char *id, size_t hex_digits, char ret[ACE_IMAGE_ID_LEN + 1]);

/* ---- labels and annotations (labels.c) ------------------------------------------------------ */

struct ace_os_arch {
        const char *os;
        const char *arch;
};
/* The os/arch pairs an image may declare (0.8.11 types.ValidOSArch), sorted by os then arch. */
const struct ace_os_arch *ace_os_arch_table(size_t *ret_n);
/* true if os is a known os; and (arch NULL or) arch is valid for it. */
bool ace_os_arch_valid(const char *os, const char *arch);

/* Image labels: names are AC Identifiers, unique, not "name"; if "os" is present it must be a
 * known os and "arch" (if present) valid for it. path is the list's path ("labels"). */
int ace_labels_validate(const struct ace_kv_list *labels, const char *path, struct ace_error **err);
/* Annotations: names are AC Identifiers and unique; "created" is an RFC3339 timestamp,
 * "homepage" and "documentation" are http(s) URLs, "appc.io/executor/supports-systemd-notify"
 * is "true" or "false". */
int ace_annotations_validate(const struct ace_kv_list *annotations, const char *path,
                             struct ace_error **err);

/* ---- timestamps and URLs (timestamp.c) ------------------------------------------------------ */

/* RFC3339 date-time with 'T' and a 'Z' or +hh:mm offset, optional fraction:
 * "2014-10-27T19:32:27.67021798Z". Fields are range-checked (Feb 29 only in leap years). *ret_sec
 * is seconds since the epoch (UTC), *ret_nsec the fraction. Either may be NULL. */
int timestamp_parse(const char *s, int64_t *ret_sec, int32_t *ret_nsec, struct ace_error **err);
/* "2006-01-02T15:04:05Z" (UTC, nanoseconds only when non-zero, trailing zeros trimmed) */
char *timestamp_format(int64_t sec, int32_t nsec);
/* An absolute http:// or https:// URL with a non-empty host, no spaces or control characters
 * and well-formed %XX escapes. The scheme is case-insensitive, as in Go's net/url. */
int http_url_check(const char *s, const char *path, struct ace_error **err);

/* ---- UUIDs (uuid.c) -------------------------------------------------------------------------- */

struct ace_uuid {
        uint8_t bytes[16];
};
#define ACE_UUID_STRING_LEN 36

/* Accepts the canonical 8-4-4-4-12 form or 32 hex digits, either case. */
int uuid_parse(const char *s, struct ace_uuid *ret, struct ace_error **err);
/* Canonical lowercase 8-4-4-4-12. */
void uuid_format(const struct ace_uuid *u, char ret[ACE_UUID_STRING_LEN + 1]);
/* An RFC 4122 version 4 UUID from 16 random bytes the caller read (version and variant bits are
 * set here). */
void uuid_from_random(const uint8_t random[16], struct ace_uuid *ret);
bool uuid_is_null(const struct ace_uuid *u);

/* ---- app strings (app_string.c) ------------------------------------------------------------- */

/* appc's `name[:version][,label=value...]` (discovery/parse.go): at most one ':', and only
 * before the first ','; name is an AC Identifier; ":v" becomes label "version"; every label
 * name is an AC Identifier, appears once and has a '=' (its value may be empty). On success
 * *ret_name is malloc'd and *ret_labels filled in order (version first). */
int app_string_parse(const char *s, char **ret_name, struct ace_kv_list *ret_labels,
                     struct ace_error **err);
/* The inverse: "name:version,k=v" (version taken from the labels). malloc'd. */
char *app_string_format(const char *name, const struct ace_kv_list *labels);
