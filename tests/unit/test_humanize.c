/* test_humanize.c - go-humanize relative times and IBytes, and Go's --full time layout. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <time.h>

#include "common/humanize.h"

#define S 1000000000LL

static void expect_rel(int64_t diff_s, const char *want)
{
        int64_t now = 1700000000LL * S;
        char *got = humanize_time(now - diff_s * S, now);
        cr_expect_str_eq(got, want, "diff %lld s", (long long)diff_s);
        free(got);
}

Test(humanize, relative_times_follow_go_humanize_magnitudes)
{
        expect_rel(0, "now");
        expect_rel(1, "1 second ago");
        expect_rel(2, "2 seconds ago");
        expect_rel(59, "59 seconds ago");
        expect_rel(60, "1 minute ago");
        expect_rel(119, "1 minute ago");
        expect_rel(120, "2 minutes ago");
        expect_rel(3599, "59 minutes ago");
        expect_rel(3600, "1 hour ago");
        expect_rel(7200, "2 hours ago");
        expect_rel(86399, "23 hours ago");
        expect_rel(86400, "1 day ago");
        expect_rel(2 * 86400, "2 days ago");
        expect_rel(7 * 86400, "1 week ago");
        expect_rel(14 * 86400, "2 weeks ago");
        expect_rel(30 * 86400, "1 month ago");
        expect_rel(60 * 86400, "2 months ago");
        expect_rel(360 * 86400, "1 year ago");
        expect_rel(540 * 86400, "2 years ago");
        expect_rel(720 * 86400, "2 years ago");
        expect_rel(1080 * 86400, "3 years ago");
        expect_rel(37LL * 360 * 86400, "a long while ago");
        expect_rel(-300, "5 minutes from now");
}

Test(humanize, relative_time_truncates_to_whole_seconds)
{
        /* go-humanize compares Unix() seconds: 1.9 s apart but across one boundary */
        char *got = humanize_time(10 * S + 900000000LL, 12 * S + 100000000LL);
        cr_expect_str_eq(got, "2 seconds ago");
        free(got);
}

Test(humanize, ibytes)
{
        static const struct {
                unsigned long long n;
                const char *want;
        } cases[] = {
                {0, "0B"},          {9, "9B"},          {10, "10B"},
                {1023, "1023B"},    {1024, "1.0KiB"},   {1536, "1.5KiB"},
                {10240, "10KiB"},   {1048575, "1024KiB"}, {1048576, "1.0MiB"},
                {12582912, "12MiB"}, {1073741824, "1.0GiB"},
                {18446744073709551615ULL, "16EiB"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = humanize_ibytes(cases[i].n);
                cr_expect_str_eq(got, cases[i].want, "%llu", cases[i].n);
                free(got);
        }
}

Test(humanize, go_time_layout)
{
        setenv("TZ", "UTC", 1);
        tzset();
        char *a = format_time_go(1442496424240000000LL);
        cr_expect_str_eq(a, "2015-09-17 13:27:04.24 +0000 UTC");
        char *b = format_time_go(1442496424000000000LL);
        cr_expect_str_eq(b, "2015-09-17 13:27:04 +0000 UTC");
        char *c = format_time_go(1442496424779999999LL);
        cr_expect_str_eq(c, "2015-09-17 13:27:04.779 +0000 UTC");
        setenv("TZ", "CET-1CEST", 1);
        tzset();
        char *d = format_time_go(1442496424000000000LL);
        cr_expect_str_eq(d, "2015-09-17 15:27:04 +0200 CEST");
        free(a);
        free(b);
        free(c);
        free(d);
        unsetenv("TZ");
        tzset();
}
