/*
 * tu.h - small helpers shared by ace's Criterion tests: temp dirs, files, shell commands.
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
/* mkdtemp("/tmp/<prefix>-XXXXXX"); heap path. */
char *tu_mkdtemp(const char *prefix);
/* rm -rf (asserting). */
void tu_rm_rf(const char *path);
/* Whole file as a NUL-terminated heap string (NULL if missing); length in *len if non-NULL. */
char *tu_read_file(const char *path, size_t *len);
/* Writes (creating parents) the given bytes. */
void tu_write_file(const char *path, const void *data, size_t len);
void tu_write_str(const char *path, const char *s);
/* Path of a built binary: $ACE_BUILD/<name>, asserting ACE_BUILD is set. Heap. */
char *tu_build_path(const char *name);
/* Path in the source tree: $ACE_SRC/<rel>. Heap. */
char *tu_src_path(const char *rel);
/* Number of lines of a file containing `needle` (0 if the file is missing). */
size_t tu_count_lines(const char *path, const char *needle);
