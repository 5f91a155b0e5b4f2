/*
 * timestamp.c - RFC3339 timestamps (spec/types.md "Timestamps Type") and http(s) URLs, the two
 * typed annotation values ("created"; "homepage", "documentation").
 *
 * Timestamps follow Go's time.Parse(time.RFC3339), which the reference uses: upper-case 'T' and
 * 'Z', seconds 00-59, a fraction of any length (truncated to nanoseconds).
 * URLs: stricter than the reference (Go's url.Parse accepts "http:foo" and "http://"): we want
 * an absolute http(s) URL with a host, no whitespace or control characters, valid %XX escapes.
 */
#include "schema/types.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/json.h"
#include "common/xalloc.h"

static bool take_digits(const char **p, size_t n, int *ret)
{
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                char c = (*p)[i];
                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (c - '0');
        }
        *p += n;
        *ret = v;
        return true;
}

static bool take_char(const char **p, char c)
{
        if (**p != c)
                return false;
        (*p)++;
        return true;
}

static bool is_leap(int y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

int timestamp_parse(const char *s, int64_t *ret_sec, int32_t *ret_nsec, struct ace_error **err)
{
        const char *p = s, *why = "expected YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM)";
        int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
        int32_t nsec = 0;

        if (!s)
                return ace_error_make(err, EINVAL, "bad Date: missing");
        if (!take_digits(&p, 4, &year) || !take_char(&p, '-') || !take_digits(&p, 2, &mon) ||
            !take_char(&p, '-') || !take_digits(&p, 2, &day) || !take_char(&p, 'T') ||
            !take_digits(&p, 2, &hour) || !take_char(&p, ':') || !take_digits(&p, 2, &min) ||
            !take_char(&p, ':') || !take_digits(&p, 2, &sec))
                goto bad;
        if (*p == '.') {
                int digits = 0;
                p++;
                for (; *p >= '0' && *p <= '9'; p++, digits++)
                        if (digits < 9)
                                nsec = nsec * 10 + (*p - '0');
                if (digits == 0)
                        goto bad;
                for (int i = digits; i < 9; i++)
                        nsec *= 10;
        }
        if (*p == 'Z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                sign = *p++ == '+' ? 1 : -1;
                if (!take_digits(&p, 2, &oh) || !take_char(&p, ':') || !take_digits(&p, 2, &om))
                        goto bad;
        } else {
                goto bad;
        }
        if (*p)
                goto bad;
        why = "field out of range";
        if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
            min > 59 || sec > 59 || oh > 23 || om > 59)
                goto bad;
        if (ret_sec)
                *ret_sec = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec -
                           sign * (oh * 3600 + om * 60);
        if (ret_nsec)
                *ret_nsec = nsec;
        return 0;
bad:;
        _cleanup_free_ char *q = json_quote(s);
        return ace_error_make(err, EINVAL, "bad Date: %s is not an RFC3339 timestamp (%s)", q, why);
}

char *timestamp_format(int64_t sec, int32_t nsec)
{
        struct tm tm;
        time_t t = (time_t)sec;
        char frac[12] = "";

        gmtime_r(&t, &tm);
        if (nsec > 0) {
                snprintf(frac, sizeof(frac), ".%09d", (int)nsec);
                for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
                        frac[n - 1] = '\0';
        }
        return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static bool is_xdigit_c(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int http_url_check(const char *s, const char *path, struct ace_error **err)
{
        _cleanup_free_ char *q = json_quote(s ? s : "");
        size_t scheme_len, auth_len;
        const char *auth, *host, *colon;

        if (!s || !*s)
                return json_path_error(err, path, "bad URL scheme, must be http/https");
        for (const char *p = s; *p; p++) {
                if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
                        return json_path_error(err, path,
                                               "bad URL %s: whitespace or control character", q);
                if (*p == '%' && !(is_xdigit_c(p[1]) && is_xdigit_c(p[2])))
                        return json_path_error(err, path, "bad URL %s: invalid %% escape", q);
        }
        scheme_len = strcspn(s, ":/?#");
        if (s[scheme_len] != ':' || !((scheme_len == 4 && strncasecmp(s, "http", 4) == 0) ||
                                      (scheme_len == 5 && strncasecmp(s, "https", 5) == 0)))
                return json_path_error(err, path, "bad URL scheme, must be http/https");
        if (strncmp(s + scheme_len, "://", 3) != 0)
                return json_path_error(err, path, "bad URL %s: expected //host after the scheme",
                                       q);
        auth = s + scheme_len + 3;
        auth_len = strcspn(auth, "/?#");
        host = memchr(auth, '@', auth_len);
        host = host ? host + 1 : auth;
        if (*host == '[') {
                /* an IPv6 literal: "[::1]" optionally followed by ":port" */
                const char *close = memchr(host, ']', auth_len - (size_t)(host - auth));
                if (!close || close == host + 1 || (close + 1 < auth + auth_len && close[1] != ':'))
                        return json_path_error(err, path, "bad URL %s: invalid IPv6 host", q);
                colon = close + 1 < auth + auth_len ? close + 1 : NULL;
        } else {
                colon = memchr(host, ':', auth_len - (size_t)(host - auth));
        }
        if ((colon ? colon : auth + auth_len) == host)
                return json_path_error(err, path, "bad URL %s: empty host", q);
        if (colon)
                for (const char *p = colon + 1; p < auth + auth_len; p++)
                        if (*p < '0' || *p > '9')
                                return json_path_error(err, path, "bad URL %s: invalid port", q);
        return 0;
}
