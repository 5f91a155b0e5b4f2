/* test_tabwriter.c - common/tabwriter against outputs of Go's text/tabwriter
 * (NewWriter(out, 0, 8, 1, '\t', 0), as rkt uses it), recorded with Go 1.19. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "common/tabwriter.h"

static const struct {
        const char *in, *out;
} go_cases[] = {
        {"ID\tNAME\tSIZE\nsha512-0123456789ab\texample.com/hello:1.0\t12MiB\n"
         "sha512-ffffffffffff\tx\t9B\n",
         "ID\t\t\tNAME\t\t\tSIZE\nsha512-0123456789ab\texample.com/hello:1.0\t12MiB\n"
         "sha512-ffffffffffff\tx\t\t\t9B\n"},
        {"a\tb\tc\n\tlonger-cell-text\tz\nq\n", "a\tb\t\t\tc\n\tlonger-cell-text\tz\nq\n"},
        {"aaaaaaaa\tb\nc\td\te\n", "aaaaaaaa\tb\nc\t\td\te\n"},
        {"h\xc3\xa9llo\tx\nh\ty\n", "h\xc3\xa9llo\tx\nh\ty\n"},
        {"no tabs here\nat all", "no tabs here\nat all"},
        {"", ""},
        {"x\ty\t\n\t\tlast\n", "x\ty\t\n\t\tlast\n"},
};

Test(tabwriter, matches_go_text_tabwriter)
{
        for (size_t i = 0; i < sizeof(go_cases) / sizeof(go_cases[0]); i++) {
                struct tabwriter *tw = tabwriter_new_rkt();
                tabwriter_write(tw, go_cases[i].in);
                char *got = tabwriter_format(tw);
                cr_expect_str_eq(got, go_cases[i].out, "case %zu", i);
                free(got);
                tabwriter_free(tw);
        }
}

Test(tabwriter, space_padding_and_reuse)
{
        struct tabwriter *tw = tabwriter_new(0, 8, 2, ' ');
        tabwriter_printf(tw, "%s\t%s\n", "a", "b");
        tabwriter_printf(tw, "%s\t%s\n", "ccc", "d");
        char *got = tabwriter_format(tw);
        cr_expect_str_eq(got, "a    b\nccc  d\n");
        free(got);
        /* the writer is empty after formatting and can be used again */
        tabwriter_write(tw, "x\ty\n");
        got = tabwriter_format(tw);
        cr_expect_str_eq(got, "x  y\n");
        free(got);
        tabwriter_free(tw);
}
