/*
 * humanize.h - go-humanize's binary sizes as rkt's `image list` prints them ("12MiB").
 * (Times are in stage0/timefmt.h.)
 */
#pragma once

#include <stdint.h>

/* go-humanize IBytes() as vendored by rkt: "9B", "1.5KiB", "12MiB", "1024KiB", ... */
char *humanize_ibytes(uint64_t bytes);
