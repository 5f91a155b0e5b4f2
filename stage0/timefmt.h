/*
 * timefmt.h - the two ways rkt prints times: Go's layout "2006-01-02 15:04:05.999 -0700 MST"
 * (status, list --full) and go-humanize's relative form ("2 minutes ago", list).
 */
#pragma once

#include <time.h>

/* "2026-11-28 12:33:24.5 +0000 UTC" in local time: milliseconds, trailing zeros trimmed (and
 * the dot when nothing is left), as Go formats ".999". Heap string. */
char *time_format_go(const struct timespec *ts);

/* go-humanize's Time(): "now", "1 second ago", "5 minutes ago", "2 days from now", ...
 * relative to `now`. Heap string. */
char *time_humanize(const struct timespec *then, const struct timespec *now);
