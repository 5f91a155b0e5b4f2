/*
 * helpers.h - small utilities for Criterion tests: paths of built binaries, temporary
 * directories, files, and reading the probe's `key=value` output.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* $ACE_BUILD/<rel> (ACE_BUILD defaults to ./build); malloc'd. */
char *th_build_path(const char *rel);
/* $ACE_SRC/<rel>; malloc'd. */
char *th_src_path(const char *rel);
/* A new directory under /tmp (mkdtemp); malloc'd. */
char *th_mkdtemp(const char *prefix);
/* Whole file as a string, or NULL (errno set). */
char *th_read_file(const char *path);
void th_write_file(const char *path, const char *content, int mode);
bool th_exists(const char *path);

/* The value of the first line "key=value" in text; malloc'd, or NULL. */
char *th_kv(const char *text, const char *key);
/* Same, for the n-th (0-based) occurrence. */
char *th_kv_nth(const char *text, const char *key, int n);
/* Number of lines that start with prefix. */
int th_count_prefix(const char *text, const char *prefix);
/* Lines of /proc/self/mountinfo containing needle. */
int th_mounts_containing(const char *needle);
/* Whether this process has capability number cap in its effective set. */
bool th_has_cap(int cap);
/* Polls until path exists or timeout_ms passes (tests only: the runtime itself never polls). */
bool th_wait_file(const char *path, int timeout_ms);
