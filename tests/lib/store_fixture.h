/*
 * store_fixture.h - helpers for the image store tests: temp dirs, layouts and ACIs built with
 * common/tar.h's writer, in-process imports, and running the real `ace` binary
 * ($ACE_BUILD/ace) with a private --dir. Failures abort the test (they are fixtures).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/hash.h"
#include "common/tar.h"

/* A new empty directory under /tmp ("ace-<tag>-XXXXXX"); heap path. */
char *sfx_tmpdir(const char *tag);
/* rm -rf (never across a mount point). */
void sfx_rmrf(const char *path);
/* Writes content to path, creating parent directories. */
void sfx_write(const char *path, const char *content);
/* Reads a whole file (NULL if missing); heap. */
char *sfx_read(const char *path);
bool sfx_exists(const char *path);
/* printf into a heap string. */
char *sfx_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An image manifest: name, labels as "k=v,k=v" (NULL: none), extra JSON members appended
 * inside the object (NULL: none), e.g. "\"pathWhitelist\":[\"/a\"]". Heap. */
char *sfx_manifest(const char *name, const char *labels, const char *extra);
/* A dependency JSON object for "dependencies": imageName, optional imageID and labels. */
char *sfx_dep(const char *name, const char *image_id, const char *labels);

/* Creates <parent>/<tag>/{manifest,rootfs/} and returns the layout path. Add files with
 * sfx_write(<layout>/rootfs/...). */
char *sfx_layout(const char *parent, const char *tag, const char *manifest_json);
/* Builds an ACI from a layout into out; returns the image ID (heap). Deterministic. */
char *sfx_build_aci(const char *layout, const char *out, enum tar_compression c);

/* Imports an ACI in-process (store_import_fd); returns the ID or NULL (then *err_msg, if
 * given, gets the error message). expected_id may be NULL. */
char *sfx_import(const char *dir, const char *aci, const char *expected_id, char **err_msg);
/* The same with the import rendering the image in the same pass (store_import_opts.render). */
char *sfx_import_render(const char *dir, const char *aci, char **err_msg);

/* Runs `$ACE_BUILD/ace --dir=<dir> args...` (args NULL-terminated), capturing stdout and
 * stderr (either may be NULL to discard); returns the exit code (128+sig if killed). */
int sfx_ace(const char *dir, char **out, char **err, ...) __attribute__((sentinel));

/* The store's files: number of blob files, manifest files, db rows, entries in cas/tmp. */
struct sfx_counts {
        int blobs, manifests, rows, tmp, trees;
};
void sfx_count(const char *dir, struct sfx_counts *c);
/* Asserts the store invariants of reliability.md §3a: blobs <-> rows bijective (and the
 * manifests), tmp empty, every tree rendered, db integrity ok, every blob hashes to its ID. */
void sfx_assert_consistent(const char *dir);

/* Lists the rows' IDs of the store db (sorted, NULL-terminated strv). */
char **sfx_row_ids(const char *dir);
