/*
 * humanize.h - the human-readable forms rkt prints in list outputs: go-humanize's relative
 * times ("2 minutes ago") and binary sizes ("12MiB"), and Go's time layout
 * "2006-01-02 15:04:05.999 -0700 MST" used with --full (reference/rkt.md §1.3, §1.5).
 * Pure functions over explicit times, so they are testable without a clock.
 */
#pragma once

#include <stdint.h>

/* go-humanize Time(then) evaluated at `now` (both in ns since the epoch): "now",
 * "1 second ago", "5 minutes ago", "3 days ago", ..., "a long while ago"; a future time
 * reads "... from now". Returns a new string. */
char *humanize_time(int64_t then_ns, int64_t now_ns);

/* go-humanize IBytes() as vendored by rkt: "9B", "1.5KiB", "12MiB", "1023KiB", ... */
char *humanize_ibytes(uint64_t bytes);

/* Go's time.Format("2006-01-02 15:04:05.999 -0700 MST") of ns since the epoch in the local
 * time zone: milliseconds with trailing zeros (and a bare dot) trimmed. */
char *format_time_go(int64_t ns);
