/* opts.c - table-driven long-option parsing (see opts.h). */
#include "common/opts.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

int cli_parse_bool(const char *s, bool *ret, struct ace_error **err)
{
        /* strconv.ParseBool accepts these spellings. */
        static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};

        for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
                if (strcmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
        for (size_t i = 0; i < ARRAY_SIZE(no); i++)
                if (strcmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        return ace_error_make(err, EINVAL, "invalid boolean value \"%s\"", s);
}

static const struct {
        const char *unit;
        int64_t ns;
} duration_units[] = {
    {"h", 3600LL * 1000000000LL},
    {"m", 60LL * 1000000000LL},
    {"ms", 1000000LL},
    {"ns", 1LL},
    {"s", 1000000000LL},
    {"us", 1000LL},
    {"\xc2\xb5s", 1000LL},
};

int cli_parse_duration(const char *s, int64_t *ret_ns, struct ace_error **err)
{
        const char *p = s;
        bool neg = false;
        long double total = 0;

        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (strcmp(p, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*p)
                return ace_error_make(err, EINVAL, "invalid duration \"%s\"", s);
        while (*p) {
                char *end;
                size_t ul, best = 0;
                int64_t unit = 0;
                long double v;

                if (!isdigit((unsigned char)*p) && *p != '.')
                        return ace_error_make(err, EINVAL, "invalid duration \"%s\"", s);
                errno = 0;
                v = strtold(p, &end);
                if (errno || end == p)
                        return ace_error_make(err, EINVAL, "invalid duration \"%s\"", s);
                p = end;
                for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
                        ul = strlen(duration_units[i].unit);
                        if (strncmp(p, duration_units[i].unit, ul) == 0 && ul > best) {
                                best = ul;
                                unit = duration_units[i].ns;
                        }
                }
                if (!best)
                        return ace_error_make(err, EINVAL, "invalid duration \"%s\": missing unit",
                                              s);
                p += best;
                total += v * unit;
        }
        if (total > (long double)INT64_MAX)
                return ace_error_make(err, ERANGE, "invalid duration \"%s\": too large", s);
        *ret_ns = (int64_t)(neg ? -total : total);
        return 0;
}

char *cli_format_duration(int64_t ns)
{
        /* Go's Duration.String(): "1h2m3.5s", "30m0s", "1.5s", "2ms", "0s". */
        bool neg = ns < 0;
        uint64_t u = neg ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
        char frac[32] = "";

        if (u == 0)
                return xstrdup("0s");
        if (u < 1000000000ULL) {
                const char *unit = "ns";
                uint64_t div = 1;
                if (u >= 1000000ULL) {
                        unit = "ms";
                        div = 1000000ULL;
                } else if (u >= 1000ULL) {
                        unit = "\xc2\xb5s";
                        div = 1000ULL;
                }
                if (u % div) {
                        snprintf(frac, sizeof(frac), ".%0*" PRIu64, div == 1000000ULL ? 6 : 3,
                                 u % div);
                        for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
                                frac[l - 1] = '\0';
                }
                return xasprintf("%s%" PRIu64 "%s%s", neg ? "-" : "", u / div, frac, unit);
        }
        uint64_t secs = u / 1000000000ULL, nsec = u % 1000000000ULL;
        if (nsec) {
                snprintf(frac, sizeof(frac), ".%09" PRIu64, nsec);
                for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
                        frac[l - 1] = '\0';
        }
        uint64_t h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
        if (h)
                return xasprintf("%s%" PRIu64 "h%" PRIu64 "m%" PRIu64 "%ss", neg ? "-" : "", h, m,
                                 s, frac);
        if (m)
                return xasprintf("%s%" PRIu64 "m%" PRIu64 "%ss", neg ? "-" : "", m, s, frac);
        return xasprintf("%s%" PRIu64 "%ss", neg ? "-" : "", s, frac);
}

static const struct cli_option *find_option(const struct cli_optset *sets, size_t n_sets,
                                            const char *name, size_t len, void **ret_base)
{
        for (size_t s = 0; s < n_sets; s++) {
                if (!sets[s].options)
                        continue;
                for (const struct cli_option *o = sets[s].options; o->name; o++)
                        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
                                *ret_base = sets[s].base;
                                return o;
                        }
        }
        return NULL;
}

static int apply_option(const struct cli_option *o, void *base, const char *value,
                        struct ace_error **err)
{
        void *dst = (char *)base + o->offset;
        int r;

        switch (o->type) {
        case CLI_BOOL:
                r = cli_parse_bool(value, dst, err);
                break;
        case CLI_STRING:
                free(*(char **)dst);
                *(char **)dst = xstrdup(value);
                return 0;
        case CLI_STRV:
                *(char ***)dst = strv_push(*(char ***)dst, value);
                return 0;
        case CLI_INT: {
                char *end;
                long v;
                errno = 0;
                v = strtol(value, &end, 10);
                if (errno || end == value || *end || v < INT_MIN || v > INT_MAX)
                        return ace_error_make(err, EINVAL,
                                              "invalid argument \"%s\" for --%s: not an integer",
                                              value, o->name);
                *(int *)dst = (int)v;
                return 0;
        }
        case CLI_DURATION:
                r = cli_parse_duration(value, dst, err);
                break;
        case CLI_CALLBACK:
                r = o->cb(value, base, err);
                break;
        default:
                return ace_error_make(err, EINVAL, "internal error: bad option type");
        }
        if (r < 0)
                return ace_error_wrap(err, "invalid argument \"%s\" for --%s", value, o->name);
        return r;
}

int cli_parse_flag(const struct cli_optset *sets, size_t n_sets, int argc, char **argv, int *i,
                   const struct cli_option **ret_opt, struct ace_error **err)
{
        const char *arg = argv[*i], *name, *eq, *value;
        const struct cli_option *o;
        void *base = NULL;
        size_t len;
        int r;

        if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0)
                return 0;
        /* pflag accepts -flag only for shorthands; rkt has none, so "-x" is an unknown flag
         * unless it is the long form with one dash, which we accept for convenience. */
        name = arg + (arg[1] == '-' ? 2 : 1);
        eq = strchr(name, '=');
        len = eq ? (size_t)(eq - name) : strlen(name);
        o = find_option(sets, n_sets, name, len, &base);
        if (!o) {
                if (len == 4 && strncmp(name, "help", 4) == 0)
                        return ace_error_make(err, EAGAIN, "help requested");
                return ace_error_make(err, EINVAL, "unknown flag: --%.*s", (int)len, name);
        }
        if (eq) {
                value = eq + 1;
                *i += 1;
        } else if (o->type == CLI_BOOL || (o->flags & CLI_OPTIONAL)) {
                value = "true";
                *i += 1;
        } else {
                if (*i + 1 >= argc)
                        return ace_error_make(err, EINVAL, "flag needs an argument: --%s", o->name);
                value = argv[*i + 1];
                *i += 2;
        }
        r = apply_option(o, base, value, err);
        if (r < 0)
                return r;
        if (ret_opt)
                *ret_opt = o;
        return 1;
}

int cli_parse_args(const struct cli_optset *sets, size_t n_sets, int argc, char **argv,
                   bool interspersed, char ***ret_args, struct ace_error **err)
{
        _cleanup_strv_free_ char **args = xcalloc(1, sizeof(char *));
        int i = 0;

        while (i < argc) {
                if (strcmp(argv[i], "--") == 0) {
                        for (i++; i < argc; i++)
                                args = strv_push(args, argv[i]);
                        break;
                }
                int r = cli_parse_flag(sets, n_sets, argc, argv, &i, NULL, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (!interspersed) {
                        for (; i < argc; i++)
                                args = strv_push(args, argv[i]);
                        break;
                }
                args = strv_push(args, argv[i++]);
        }
        *ret_args = TAKE_PTR(args);
        return 0;
}
