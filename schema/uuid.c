/*
 * uuid.c - RFC 4122 UUIDs: parse, format, and version 4 from caller-supplied random bytes
 * (schema/ does no I/O, so the caller reads /dev/urandom or getrandom()).
 */
#include "schema/types.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int uuid_parse(const char *s, struct ace_uuid *ret, struct ace_error **err)
{
        /* dashes after 8, 12, 16 and 20 hex digits in the canonical form */
        static const size_t dash_at[] = {8, 13, 18, 23};
        struct ace_uuid u;
        size_t len = s ? strlen(s) : 0;
        bool dashed = len == ACE_UUID_STRING_LEN;
        size_t d = 0, nib = 0;

        if (len != ACE_UUID_STRING_LEN && len != 32)
                goto bad;
        for (size_t i = 0; i < len; i++) {
                if (dashed && d < 4 && i == dash_at[d]) {
                        if (s[i] != '-')
                                goto bad;
                        d++;
                        continue;
                }
                int h = hexval(s[i]);
                if (h < 0)
                        goto bad;
                if (nib % 2 == 0)
                        u.bytes[nib / 2] = (uint8_t)(h << 4);
                else
                        u.bytes[nib / 2] |= (uint8_t)h;
                nib++;
        }
        if (nib != 32)
                goto bad;
        *ret = u;
        return 0;
bad:;
        _cleanup_free_ char *q = json_quote(s ? s : "");
        return ace_error_make(err, EINVAL, "invalid UUID %s: expected 8-4-4-4-12 or 32 hex digits",
                              q);
}

void uuid_format(const struct ace_uuid *u, char ret[ACE_UUID_STRING_LEN + 1])
{
        const uint8_t *b = u->bytes;

        snprintf(ret, ACE_UUID_STRING_LEN + 1,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                 b[15]);
}

void uuid_from_random(const uint8_t random[16], struct ace_uuid *ret)
{
        memcpy(ret->bytes, random, 16);
        ret->bytes[6] = (uint8_t)((ret->bytes[6] & 0x0f) | 0x40); /* version 4 */
        ret->bytes[8] = (uint8_t)((ret->bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

bool uuid_is_null(const struct ace_uuid *u)
{
        for (size_t i = 0; i < 16; i++)
                if (u->bytes[i])
                        return false;
        return true;
}
