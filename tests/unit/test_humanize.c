/* test_humanize.c - go-humanize IBytes as rkt's image list prints sizes. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "common/humanize.h"

Test(humanize, ibytes)
{
        static const struct {
                unsigned long long n;
                const char *want;
        } cases[] = {
            {0, "0B"},
            {9, "9B"},
            {10, "10B"},
            {1023, "1023B"},
            {1024, "1.0KiB"},
            {1536, "1.5KiB"},
            {10240, "10KiB"},
            {1048575, "1024KiB"},
            {1048576, "1.0MiB"},
            {12582912, "12MiB"},
            {1073741824, "1.0GiB"},
            {18446744073709551615ULL, "16EiB"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = humanize_ibytes(cases[i].n);
                cr_expect_str_eq(got, cases[i].want, "%llu", cases[i].n);
                free(got);
        }
}
