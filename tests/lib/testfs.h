/*
 * testfs.h - test helpers for file trees: a canary snapshot
 * (every name, type, mode, owner, size, link target and content of a tree as one string) to
 * prove a hostile operation wrote nothing outside its target.
 */
#pragma once

/* A deterministic description of the tree at path (sorted). Heap string. */
char *test_tree_snapshot(const char *path);
/* Creates a canary directory with a few files (one mode 0400) next to a target: returns the
 * canary path. */
char *test_make_canary(const char *parent);
