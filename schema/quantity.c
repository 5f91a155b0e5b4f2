/*
 * quantity.c - resource quantities (spec/ace.md "Resource Isolators"), parsed exactly.
 *
 * The spec says quantities are integers in base units internally; the reference keeps k8s's
 * arbitrary-precision Quantity. We compute value = digits * 10^exp10 * 2^exp2 exactly in
 * 128-bit arithmetic and refuse anything that is not a whole number of the target unit (bytes,
 * or millicores for cpu) or does not fit int64. Stricter than the reference: negative values,
 * fractions of a base unit ("0.5" bytes) and a missing digit (".G") are refused. Like the
 * reference, "K" is not a suffix (only "k") and "E" alone means exa, "E3" an exponent.
 */
#include "schema/isolator.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"

typedef unsigned __int128 u128;

struct suffix {
        const char *s;
        int exp10, exp2;
};

static const struct suffix suffixes[] = {
    {"", 0, 0},    {"n", -9, 0},  {"u", -6, 0},  {"m", -3, 0},  {"k", 3, 0},   {"M", 6, 0},
    {"G", 9, 0},   {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0},  {"Ki", 0, 10}, {"Mi", 0, 20},
    {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60},
};

/* "e3", "E-2", "e+10" -> exponent (|e| <= 100). */
static bool parse_exponent(const char *s, int *ret)
{
        int sign = 1, v = 0;

        if (*s != 'e' && *s != 'E')
                return false;
        s++;
        if (*s == '+' || *s == '-')
                sign = *s++ == '-' ? -1 : 1;
        if (!*s)
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > 100)
                        return false;
                v = v * 10 + (*s - '0');
        }
        if (v > 100)
                return false;
        *ret = sign * v;
        return true;
}

static int fail(struct ace_error **err, const char *s, const char *why)
{
        _cleanup_free_ char *q = json_quote(s);
        return ace_error_make(err, EINVAL, "quantity %s %s", q, why);
}

/* mantissa * 10^exp10 * 2^exp2 as an exact int64, or an error. */
static int scale(const char *s, u128 m, int exp10, int exp2, int64_t *ret, struct ace_error **err)
{
        const u128 max = (u128)INT64_MAX;

        if (m == 0) {
                *ret = 0;
                return 0;
        }
        /* Divide out 10^-exp10: the 5s must come from the mantissa, the 2s from 2^exp2 first. */
        for (; exp10 < 0; exp10++) {
                if (m % 5)
                        return fail(err, s, "is not a whole number in its unit");
                m /= 5;
                if (exp2 > 0)
                        exp2--;
                else if (m % 2)
                        return fail(err, s, "is not a whole number in its unit");
                else
                        m /= 2;
        }
        for (; exp10 > 0; exp10--) {
                if (m > max / 10)
                        return fail(err, s, "is too large");
                m *= 10;
        }
        for (; exp2 > 0; exp2--) {
                if (m > max / 2)
                        return fail(err, s, "is too large");
                m *= 2;
        }
        if (m > max)
                return fail(err, s, "is too large");
        *ret = (int64_t)m;
        return 0;
}

int quantity_parse(const char *s, enum quantity_unit unit, int64_t *ret, struct ace_error **err)
{
        const char *p = s;
        u128 m = 0;
        int digits = 0, sig = 0, frac = 0, exp10 = 0, exp2 = 0;
        bool dot = false;

        if (!s || !*s)
                return fail(err, s ? s : "", "is empty");
        if (*p == '-')
                return fail(err, s, "is negative");
        if (*p == '+')
                p++;
        for (; (*p >= '0' && *p <= '9') || (*p == '.' && !dot); p++) {
                if (*p == '.') {
                        dot = true;
                        continue;
                }
                digits++;
                if (dot)
                        frac++;
                if (m == 0 && *p == '0')
                        continue;
                /* 36 significant digits stay far below 2^127 */
                if (++sig > 36)
                        return fail(err, s, "has too many digits");
                m = m * 10 + (u128)(*p - '0');
        }
        if (digits == 0)
                return fail(err, s, "must start with a number");
        size_t i;
        for (i = 0; i < ARRAY_SIZE(suffixes); i++)
                if (strcmp(p, suffixes[i].s) == 0)
                        break;
        if (i < ARRAY_SIZE(suffixes)) {
                exp10 = suffixes[i].exp10;
                exp2 = suffixes[i].exp2;
        } else if (!parse_exponent(p, &exp10)) {
                _cleanup_free_ char *q = json_quote(p);
                char why[96];
                snprintf(why, sizeof(why),
                         "has an unknown suffix %s (use k M G T P E, Ki..Ei, m or e<N>)", q);
                return fail(err, s, why);
        }
        exp10 -= frac;
        if (unit == QUANTITY_MILLI)
                exp10 += 3;
        return scale(s, m, exp10, exp2, ret, err);
}

char *quantity_format(int64_t value, enum quantity_unit unit)
{
        if (unit == QUANTITY_MILLI && value % 1000 != 0)
                return xasprintf("%lldm", (long long)value);
        return xasprintf("%lld", (long long)(unit == QUANTITY_MILLI ? value / 1000 : value));
}

int quantity_parse_json(struct json_object *v, enum quantity_unit unit, struct quantity *ret,
                        const char *path, struct ace_error **err)
{
        _cleanup_error_ struct ace_error *e = NULL;
        const char *text;
        int64_t value;

        if (json_object_is_type(v, json_type_string))
                text = json_object_get_string(v);
        else if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
                /* the reference takes bare numbers too ({"limit": 1000}) */
                text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        else
                return json_path_error(err, path, "expected a quantity string, got %s",
                                       json_type_name(v));
        if (quantity_parse(text, unit, &value, &e) < 0)
                return json_path_error(err, path, "%s", e->msg);
        quantity_done(ret);
        ret->value = value;
        ret->json = json_object_get(v);
        return 0;
}

struct json_object *quantity_to_json(const struct quantity *q, enum quantity_unit unit)
{
        if (q->json)
                return json_object_get(q->json);
        _cleanup_free_ char *s = quantity_format(q->value, unit);
        return json_object_new_string(s);
}

void quantity_done(struct quantity *q)
{
        if (q->json)
                json_object_put(q->json);
        q->json = NULL;
        q->value = 0;
}
