/* humanize.c - binary sizes as rkt prints them (go-humanize IBytes, no space). */
#include "common/humanize.h"

#include <inttypes.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

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
