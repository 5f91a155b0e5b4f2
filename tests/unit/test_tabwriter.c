/* test_tabwriter.c - Go text/tabwriter layout and rkt's time formats; expected strings were
 * produced by Go 1.19's text/tabwriter and time.Format on the same inputs. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "stage0/tabwriter.h"
#include "stage0/timefmt.h"

static void expect_tw(const char *in, const char *want)
{
        struct tabwriter *w = tabwriter_new(0, 8, 1, '\t');
        tabwriter_printf(w, "%s", in);
        char *got = tabwriter_finish(w);
        cr_expect_str_eq(got, want, "input %s", in);
        free(got);
}

Test(tabwriter, matches_go)
{
        expect_tw("UUID\tAPP\tIMAGE NAME\tSTATE\tCREATED\tSTARTED\tNETWORKS\n"
                  "5bc080ca\tredis\tredis:3.0.6\trunning\t1 minute ago\t41 seconds ago\t\n"
                  "\tetcd\tcoreos.com/etcd:v2.0.9\t\t\t\t\n",
                  "UUID\t\tAPP\tIMAGE NAME\t\tSTATE\tCREATED\t\tSTARTED\t\tNETWORKS\n"
                  "5bc080ca\tredis\tredis:3.0.6\t\trunning\t1 minute ago\t41 seconds ago\t\n"
                  "\t\tetcd\tcoreos.com/etcd:v2.0.9\t\t\t\t\t\t\n");
        /* Column blocks end at a line without a cell in that column. */
        expect_tw("a\tb\nccccccccc\td\te\tf\nx\n\ty\tz\n",
                  "a\t\tb\nccccccccc\td\te\tf\nx\n\ty\tz\n");
        expect_tw("no tabs\n", "no tabs\n");
        /* Widths count characters, not bytes. */
        expect_tw("abc\td\xc3\xa9\x66\tg\n1234567\t1\t2\n",
                  "abc\td\xc3\xa9\x66\tg\n1234567\t1\t2\n");
        expect_tw("", "");
        expect_tw("a\tb", "a\tb");
}

Test(tabwriter, space_padding)
{
        struct tabwriter *w = tabwriter_new(0, 8, 2, ' ');
        tabwriter_printf(w, "ID\tNAME\n");
        tabwriter_printf(w, "sha512-abc\t%s\n", "x");
        char *got = tabwriter_finish(w);
        cr_expect_str_eq(got, "ID          NAME\nsha512-abc  x\n");
        free(got);
}

Test(timefmt, go_layout)
{
        setenv("TZ", "UTC", 1);
        tzset();
        struct timespec a = {.tv_sec = 1453818214, .tv_nsec = 631000000};
        struct timespec b = {.tv_sec = 1453818214, .tv_nsec = 600000000};
        struct timespec c = {.tv_sec = 1453818214, .tv_nsec = 999999};
        char *s = time_format_go(&a);
        cr_expect_str_eq(s, "2016-01-26 14:23:34.631 +0000 UTC");
        free(s);
        s = time_format_go(&b);
        cr_expect_str_eq(s, "2016-01-26 14:23:34.6 +0000 UTC");
        free(s);
        s = time_format_go(&c);
        cr_expect_str_eq(s, "2016-01-26 14:23:34 +0000 UTC");
        free(s);
}

Test(timefmt, humanize_like_go_humanize)
{
        static const struct {
                long long ago;
                const char *want;
        } cases[] = {
            {0, "now"},
            {1, "1 second ago"},
            {59, "59 seconds ago"},
            {60, "1 minute ago"},
            {119, "1 minute ago"},
            {120, "2 minutes ago"},
            {3600, "1 hour ago"},
            {7200, "2 hours ago"},
            {86400, "1 day ago"},
            {3 * 86400, "3 days ago"},
            {7 * 86400, "1 week ago"},
            {21 * 86400, "3 weeks ago"},
            {30 * 86400, "1 month ago"},
            {90 * 86400, "3 months ago"},
            {360 * 86400, "1 year ago"},
            {600 * 86400, "2 years ago"},
            {2000LL * 86400, "5 years ago"},
            {-300, "5 minutes from now"},
        };
        struct timespec now = {.tv_sec = 2000000000, .tv_nsec = 500};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct timespec then = {.tv_sec = now.tv_sec - cases[i].ago, .tv_nsec = 500};
                char *s = time_humanize(&then, &now);
                cr_expect_str_eq(s, cases[i].want, "%lld s ago", cases[i].ago);
                free(s);
        }
}
