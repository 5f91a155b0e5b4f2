/*
 * image_id.c - appc Image IDs: "sha512-" + the lowercase hex sha512 of the uncompressed tar.
 *
 * Image IDs become store paths and database keys, so the full form is checked exactly (T-10 of
 * reliability.md: "sha512-../../x", 129 digits, non-hex, NUL, "sha256-" are refused). Stricter
 * than the reference, which only checks the "sha512-" prefix and a non-empty value.
 */
#include "schema/types.h"

#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"

static size_t lower_hex_run(const char *s)
{
        size_t n = 0;
        while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))
                n++;
        return n;
}

bool image_id_valid(const char *s)
{
        return s && strncmp(s, ACE_IMAGE_ID_PREFIX, ACE_IMAGE_ID_PREFIX_LEN) == 0 &&
               lower_hex_run(s + ACE_IMAGE_ID_PREFIX_LEN) == ACE_IMAGE_ID_HEX &&
               s[ACE_IMAGE_ID_LEN] == '\0';
}

int image_id_parse(const char *s, char ret[ACE_IMAGE_ID_LEN + 1], struct ace_error **err)
{
        _cleanup_free_ char *q = NULL;
        const char *dash;
        size_t hex;

        if (image_id_valid(s)) {
                memcpy(ret, s, ACE_IMAGE_ID_LEN + 1);
                return 0;
        }
        if (!s)
                return ace_error_make(err, EINVAL, "missing image ID");
        q = json_quote(s);
        dash = strchr(s, '-');
        if (!dash)
                return ace_error_make(err, EINVAL, "invalid image ID %s: expected sha512-<hex>", q);
        if ((size_t)(dash - s) != ACE_IMAGE_ID_PREFIX_LEN - 1 || strncmp(s, "sha512", 6) != 0)
                return ace_error_make(
                    err, EINVAL, "invalid image ID %s: unsupported hash type (only sha512)", q);
        hex = lower_hex_run(dash + 1);
        if (dash[1 + hex] != '\0')
                return ace_error_make(
                    err, EINVAL, "invalid image ID %s: not a lowercase hex digit at offset %zu", q,
                    ACE_IMAGE_ID_PREFIX_LEN + hex);
        return ace_error_make(err, EINVAL, "invalid image ID %s: %zu hex digits, expected %d", q,
                              hex, ACE_IMAGE_ID_HEX);
}

bool image_id_prefix_valid(const char *s)
{
        size_t hex;

        if (!s || strncmp(s, ACE_IMAGE_ID_PREFIX, ACE_IMAGE_ID_PREFIX_LEN) != 0)
                return false;
        hex = lower_hex_run(s + ACE_IMAGE_ID_PREFIX_LEN);
        return hex >= 2 && hex <= ACE_IMAGE_ID_HEX && s[ACE_IMAGE_ID_PREFIX_LEN + hex] == '\0';
}

void image_id_from_digest(const unsigned char digest[64], char ret[ACE_IMAGE_ID_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        char *p = ret;

        memcpy(p, ACE_IMAGE_ID_PREFIX, ACE_IMAGE_ID_PREFIX_LEN);
        p += ACE_IMAGE_ID_PREFIX_LEN;
        for (size_t i = 0; i < 64; i++) {
                *p++ = hex[digest[i] >> 4];
                *p++ = hex[digest[i] & 15];
        }
        *p = '\0';
}

void image_id_shorten(const char *id, size_t hex_digits, char ret[ACE_IMAGE_ID_LEN + 1])
{
        size_t len = strnlen(id, ACE_IMAGE_ID_LEN);
        size_t want = ACE_IMAGE_ID_PREFIX_LEN + hex_digits;

        if (want > len)
                want = len;
        memcpy(ret, id, want);
        ret[want] = '\0';
}
