/*
 * tu.h - shell commands for ace's Criterion tests (files and temp dirs: helpers.h).
 * Failures abort the test through Criterion asserts.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Runs `sh -c CMD` (formatted) and asserts exit status 0. */
void tu_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs `sh -c CMD`; returns the exit status (or 128+signal). */
int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs `sh -c CMD` and returns its stdout (heap), exit status in *ret_status (may be NULL). */
char *tu_capture(int *ret_status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Number of lines of a file containing `needle` (0 if the file is missing). */
size_t tu_count_lines(const char *path, const char *needle);
