/*
 * helpers.h - the one set of small utilities for ace's Criterion tests (unit and functional):
 * paths of built binaries and sources, temporary directories, recursive removal, whole-file
 * reads and writes, and reading the probe's `key=value` output. Failures abort the test through
 * Criterion asserts (with a message), so these must be called from a test, its .init or .fini.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* $ACE_BUILD/<rel>; malloc'd. Asserts that ACE_BUILD is set (no silent ./build fallback that
 * could test stale binaries). */
char *th_build_path(const char *rel);
/* $ACE_SRC/<rel>; malloc'd. Asserts that ACE_SRC is set. */
char *th_src_path(const char *rel);
/* A new directory /tmp/<prefix>-XXXXXX (mkdtemp); malloc'd. Always under /tmp, never $TMPDIR:
 * tests/unit/test_pgp.c points TMPDIR at a directory it expects to stay empty. */
char *th_mkdtemp(const char *prefix);
/* Removes path recursively (a missing path or NULL is fine). Never follows symlinks and never
 * crosses a mount point (fs_rm_rf_at): a mount left under path fails the test instead of
 * having the mounted file system's content deleted. */
void th_rm_rf(const char *path);

/* Whole file as a NUL-terminated string, or NULL (errno set). */
char *th_read_file(const char *path);
/* Same, with the length in *len (for content holding NUL bytes); len may be NULL. */
char *th_read_file_len(const char *path, size_t *len);
/* Creates or truncates path and writes content; the file gets exactly mode (fchmod, so neither
 * the umask nor an existing file's mode applies). Asserts on failure. */
void th_write_file(const char *path, const char *content, int mode);
/* Same with len bytes of data. */
void th_write_data(const char *path, const void *data, size_t len, int mode);
/* Creates the missing parent directories of path (mode 0755), like `mkdir -p "$(dirname
 * path)"`. Asserts on failure. */
void th_mkdir_parents(const char *path);
bool th_exists(const char *path);

/* The value of the first line "key=value" in text; malloc'd, or NULL. */
char *th_kv(const char *text, const char *key);
/* Same, for the n-th (0-based) occurrence. */
char *th_kv_nth(const char *text, const char *key, int n);
/* Number of lines that start with prefix. */
int th_count_prefix(const char *text, const char *prefix);
/* Number of (non-overlapping) occurrences of needle in haystack. */
size_t th_count_substr(const char *haystack, const char *needle);
/* Lines of /proc/self/mountinfo containing needle. */
int th_mounts_containing(const char *needle);
/* Whether this process has capability number cap in its effective set. */
bool th_has_cap(int cap);
/* Polls until path exists or timeout_ms passes (tests only: the runtime itself never polls). */
bool th_wait_file(const char *path, int timeout_ms);
