/*
 * testfs.h - test helpers for file trees: temp dirs, recursive removal, and a canary snapshot
 * (every name, type, mode, owner, size, link target and content of a tree as one string) to
 * prove a hostile operation wrote nothing outside its target.
 */
#pragma once

/* mkdtemp under $TMPDIR or /tmp; heap path. Aborts on failure. */
char *test_mkdtemp(const char *tag);
/* rm -rf (test cleanup; ignores errors). */
void test_rm_rf(const char *path);
/* A deterministic description of the tree at path (sorted). Heap string. */
char *test_tree_snapshot(const char *path);
/* Writes a file (creating it) with contents; aborts on failure. */
void test_write_file(const char *path, const char *contents, unsigned mode);
/* Reads a whole small file; heap string or NULL. */
char *test_read_file(const char *path);
/* Creates a canary directory with a few files (one mode 0400) next to a target: returns the
 * canary path. */
char *test_make_canary(const char *parent);
