/* humanize.c - relative times, binary sizes and Go's time layout, as rkt prints them. */
#include "common/humanize.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define MINUTE 60LL
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)
#define MONTH (30 * DAY)
#define YEAR (12 * MONTH)
#define LONGTIME (37 * YEAR)

/* go-humanize's magnitude table: the first row whose bound exceeds the difference (in
 * seconds) picks the format; "%d" is the difference divided by divby. */
static const struct {
        int64_t bound;
        const char *format; /* NULL count: fixed text before the label */
        int64_t divby;      /* 0: no number in the text */
        const char *text;
} magnitudes[] = {
        {1, NULL, 0, "now"},
        {2, NULL, 0, "1 second"},
        {MINUTE, "seconds", 1, NULL},
        {2 * MINUTE, NULL, 0, "1 minute"},
        {HOUR, "minutes", MINUTE, NULL},
        {2 * HOUR, NULL, 0, "1 hour"},
        {DAY, "hours", HOUR, NULL},
        {2 * DAY, NULL, 0, "1 day"},
        {WEEK, "days", DAY, NULL},
        {2 * WEEK, NULL, 0, "1 week"},
        {MONTH, "weeks", WEEK, NULL},
        {2 * MONTH, NULL, 0, "1 month"},
        {YEAR, "months", MONTH, NULL},
        {18 * MONTH, NULL, 0, "1 year"},
        {2 * YEAR, NULL, 0, "2 years"},
        {LONGTIME, "years", YEAR, NULL},
        {INT64_MAX, NULL, 0, "a long while"},
};

char *humanize_time(int64_t then_ns, int64_t now_ns)
{
        /* go-humanize works on whole seconds (Unix()), which truncates toward the past. */
        int64_t then_s = then_ns / 1000000000LL - (then_ns % 1000000000LL < 0);
        int64_t now_s = now_ns / 1000000000LL - (now_ns % 1000000000LL < 0);
        int64_t diff = now_s - then_s;
        const char *label = "ago";
        size_t i;

        if (diff < 0) {
                diff = -diff;
                label = "from now";
        }
        for (i = 0; i < ARRAY_SIZE(magnitudes) - 1; i++)
                if (magnitudes[i].bound > diff)
                        break;
        if (i == 0)
                return xstrdup("now");
        if (magnitudes[i].format)
                return xasprintf("%" PRId64 " %s %s", diff / magnitudes[i].divby,
                                 magnitudes[i].format, label);
        return xasprintf("%s %s", magnitudes[i].text, label);
}

char *humanize_ibytes(uint64_t bytes)
{
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        size_t e = 0;
        long double val;

        if (bytes < 10)
                return xasprintf("%" PRIu64 "B", bytes);
        /* Integer exponent: exact at the powers of 1024 where a float log may land below. */
        for (uint64_t b = bytes; b >= 1024 && e < ARRAY_SIZE(units) - 1; b /= 1024)
                e++;
        val = (long double)bytes;
        for (size_t k = 0; k < e; k++)
                val /= 1024.0L;
        /* Round to one decimal the way go-humanize does: floor(x*10+0.5)/10. */
        val = (long double)(uint64_t)(val * 10.0L + 0.5L) / 10.0L;
        if (val < 10.0L)
                return xasprintf("%.1Lf%s", val, units[e]);
        return xasprintf("%.0Lf%s", val, units[e]);
}

char *format_time_go(int64_t ns)
{
        time_t secs = (time_t)(ns / 1000000000LL);
        int64_t rem = ns % 1000000000LL;
        char date[64], frac[8] = "", zone[48];
        struct tm tm;
        long off;

        if (rem < 0) {
                rem += 1000000000LL;
                secs--;
        }
        if (!localtime_r(&secs, &tm))
                return xasprintf("%" PRId64, ns);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        /* ".999": milliseconds, truncated, trailing zeros trimmed, no dot when zero. */
        int ms = (int)(rem / 1000000LL);
        if (ms) {
                snprintf(frac, sizeof(frac), ".%03d", ms);
                for (size_t l = strlen(frac); frac[l - 1] == '0'; l--)
                        frac[l - 1] = '\0';
        }
        off = tm.tm_gmtoff;
        snprintf(zone, sizeof(zone), "%c%02ld%02ld", off < 0 ? '-' : '+',
                 (off < 0 ? -off : off) / 3600, (off < 0 ? -off : off) / 60 % 60);
        return xasprintf("%s%s %s %s", date, frac, zone, tm.tm_zone ? tm.tm_zone : "");
}
