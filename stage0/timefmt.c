/* timefmt.c - rkt's time formats (see timefmt.h). */
#include "stage0/timefmt.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

char *time_format_go(const struct timespec *ts)
{
        struct tm tm;
        char date[64], zone[32], frac[24] = "";
        time_t t = ts->tv_sec;
        long ms = (ts->tv_nsec / 1000000) % 1000;

        localtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        strftime(zone, sizeof(zone), "%z %Z", &tm);
        if (ms > 0) {
                snprintf(frac, sizeof(frac), ".%03ld", ms);
                for (size_t l = strlen(frac); frac[l - 1] == '0'; l--)
                        frac[l - 1] = '\0';
        }
        return xasprintf("%s%s %s", date, frac, zone);
}

#define SEC 1LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)
#define MONTH (30 * DAY)
#define YEAR (12 * MONTH)

/* go-humanize's defaultMagnitudes: the first row whose bound exceeds the difference wins;
 * div 0 means the text has no number. */
static const struct {
        int64_t below;
        const char *text;
        int64_t div;
} magnitudes[] = {
    {1 * SEC, "now", 0},
    {2 * SEC, "1 second %s", 0},
    {1 * MIN, "%lld seconds %s", SEC},
    {2 * MIN, "1 minute %s", 0},
    {1 * HOUR, "%lld minutes %s", MIN},
    {2 * HOUR, "1 hour %s", 0},
    {1 * DAY, "%lld hours %s", HOUR},
    {2 * DAY, "1 day %s", 0},
    {1 * WEEK, "%lld days %s", DAY},
    {2 * WEEK, "1 week %s", 0},
    {1 * MONTH, "%lld weeks %s", WEEK},
    {2 * MONTH, "1 month %s", 0},
    {1 * YEAR, "%lld months %s", MONTH},
    {18 * MONTH, "1 year %s", 0},
    {2 * YEAR, "2 years %s", 0},
    {37 * YEAR, "%lld years %s", YEAR},
    {INT64_MAX, "a long while %s", 0},
};

char *time_humanize(const struct timespec *then, const struct timespec *now)
{
        /* Whole seconds, truncated toward zero like Go's Duration division. */
        int64_t diff_ns =
            (int64_t)(now->tv_sec - then->tv_sec) * 1000000000LL + (now->tv_nsec - then->tv_nsec);
        const char *label = "ago";
        int64_t d;

        if (diff_ns < 0) {
                label = "from now";
                diff_ns = -diff_ns;
        }
        d = diff_ns / 1000000000LL;
        for (size_t i = 0; i < ARRAY_SIZE(magnitudes); i++) {
                if (d >= magnitudes[i].below)
                        continue;
                if (i == 0)
                        return xstrdup("now");
                if (magnitudes[i].div)
                        return xasprintf(magnitudes[i].text, (long long)(d / magnitudes[i].div),
                                         label);
                return xasprintf(magnitudes[i].text, label);
        }
        return xstrdup("a long while ago");
}
