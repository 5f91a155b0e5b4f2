/*
 * semver.c - SemVer 2.0.0 (https://semver.org/spec/v2.0.0.html) and the AC Version rule.
 *
 * Stricter than the reference (coreos/go-semver): leading zeros ("01.2.3"), empty pre-release
 * identifiers and a "v" prefix are refused; and per spec/types.md an acVersion must be in the
 * major series we implement and must not exceed our version ("not exceeding the version of its
 * greatest compliance") - the reference accepts "1.0.0" and "0.99.0".
 */
#include "schema/types.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* A numeric part: "0" or [1-9][0-9]*, fitting uint64. Advances *p. */
static bool parse_number(const char **p, uint64_t *ret)
{
        const char *s = *p;
        uint64_t v = 0;

        if (!is_digit(*s))
                return false;
        if (*s == '0' && is_digit(s[1]))
                return false;
        for (; is_digit(*s); s++) {
                if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
                        return false;
                v = v * 10 + (uint64_t)(*s - '0');
        }
        *ret = v;
        *p = s;
        return true;
}

/* Dot-separated identifiers up to the end of s or `stop`; numeric ones checked for leading
 * zeros when `numeric_rule`. Returns the length consumed, or -1. */
static long parse_idents(const char *s, char stop, bool numeric_rule)
{
        const char *p = s;

        for (;;) {
                const char *start = p;
                bool all_digits = true;
                while (is_ident_char(*p)) {
                        all_digits = all_digits && is_digit(*p);
                        p++;
                }
                if (p == start)
                        return -1;
                if (numeric_rule && all_digits && *start == '0' && p - start > 1)
                        return -1;
                if (*p != '.')
                        break;
                p++;
        }
        if (*p && *p != stop)
                return -1;
        return p - s;
}

int semver_parse(const char *s, struct semver *ret, struct ace_error **err)
{
        const char *p = s;
        struct semver v = {0};
        long n;

        if (!s || !*s)
                return ace_error_make(err, EINVAL, "empty version");
        if (!parse_number(&p, &v.major) || *p++ != '.' || !parse_number(&p, &v.minor) ||
            *p++ != '.' || !parse_number(&p, &v.patch))
                goto bad;
        if (*p == '-') {
                n = parse_idents(++p, '+', true);
                if (n < 0)
                        goto bad;
                v.prerelease = xstrndup(p, (size_t)n);
                p += n;
        }
        if (*p == '+') {
                n = parse_idents(++p, '\0', false);
                if (n < 0)
                        goto bad;
                v.build = xstrndup(p, (size_t)n);
                p += n;
        }
        if (*p)
                goto bad;
        *ret = v;
        return 0;
bad:
        semver_done(&v);
        _cleanup_free_ char *q = json_quote(s);
        return ace_error_make(err, EINVAL, "%s is not a SemVer 2.0.0 version", q);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
        return a < b ? -1 : a > b;
}

static bool all_digits(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!is_digit(s[i]))
                        return false;
        return n > 0;
}

/* Pre-release precedence (SemVer 2.0.0 §11): identifiers left to right; numeric ones compare
 * numerically and below alphanumeric ones; a shorter list that is a prefix comes first. */
static int cmp_prerelease(const char *a, const char *b)
{
        for (;;) {
                size_t la = strcspn(a, "."), lb = strcspn(b, ".");
                bool na = all_digits(a, la), nb = all_digits(b, lb);
                int c;

                if (na && nb)
                        c = la != lb ? (la < lb ? -1 : 1) : strncmp(a, b, la);
                else if (na != nb)
                        c = na ? -1 : 1;
                else {
                        c = strncmp(a, b, la < lb ? la : lb);
                        if (c == 0 && la != lb)
                                c = la < lb ? -1 : 1;
                }
                if (c)
                        return c < 0 ? -1 : 1;
                a += la;
                b += lb;
                if (!*a || !*b)
                        return !*a && !*b ? 0 : (!*a ? -1 : 1);
                a++;
                b++;
        }
}

int semver_compare(const struct semver *a, const struct semver *b)
{
        int c = cmp_u64(a->major, b->major);

        if (!c)
                c = cmp_u64(a->minor, b->minor);
        if (!c)
                c = cmp_u64(a->patch, b->patch);
        if (c)
                return c;
        if (!a->prerelease || !b->prerelease)
                return !a->prerelease && !b->prerelease ? 0 : (a->prerelease ? -1 : 1);
        return cmp_prerelease(a->prerelease, b->prerelease);
}

char *semver_format(const struct semver *v)
{
        return xasprintf("%llu.%llu.%llu%s%s%s%s", (unsigned long long)v->major,
                         (unsigned long long)v->minor, (unsigned long long)v->patch,
                         v->prerelease ? "-" : "", v->prerelease ? v->prerelease : "",
                         v->build ? "+" : "", v->build ? v->build : "");
}

void semver_done(struct semver *v)
{
        free(v->prerelease);
        free(v->build);
        v->prerelease = v->build = NULL;
}

int ac_version_check(const char *s, const char *path, struct ace_error **err)
{
        _cleanup_error_ struct ace_error *e = NULL;
        struct semver v, ours;
        int r, c;

        if (!s || !*s)
                return json_path_error(err, path, "acVersion must be set");
        r = semver_parse(s, &v, &e);
        if (r < 0)
                return json_path_error(err, path, "%s", ace_error_msg(e));
        if (v.major == 0 && v.minor == 0 && v.patch == 0) {
                semver_done(&v);
                return json_path_error(err, path, "SemVer cannot be zero");
        }
        r = semver_parse(ACE_AC_VERSION, &ours, NULL);
        if (r < 0)
                abort();
        c = semver_compare(&v, &ours);
        if (v.major != ours.major)
                r = json_path_error(
                    err, path, "version %s is not in the %llu.x series of the spec ace implements",
                    s, (unsigned long long)ours.major);
        else if (c > 0)
                r = json_path_error(err, path,
                                    "version %s is newer than %s, the spec ace implements", s,
                                    ACE_AC_VERSION);
        semver_done(&v);
        semver_done(&ours);
        return r < 0 ? r : 0;
}
