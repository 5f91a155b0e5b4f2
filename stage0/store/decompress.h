/*
 * decompress.h - the unpacking pipeline of an import: a decompression stage in front of
 * common/tar.h's push worker, so that decompressing (one CPU) overlaps hashing, validating,
 * writing the blob and extracting (another CPU). Internal to stage0/store.
 *
 *   store_unpack_fd():     the caller's thread decompresses fd, the push worker does the rest;
 *   store_unpacker_*():    for bytes pushed by a producer (the fetcher's download): a thread
 *                          of its own decompresses what _write hands it through a socket pair.
 *
 * Both return what tar_extract()/tar_read_manifest() would (target_dirfd < 0: scan only), with
 * the worker's own error when the archive is refused.
 */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "common/tar.h"

/* Reads an ACI from fd until EOF and writes the uncompressed tar into push, with
 * common/tar.h's rules: the compression is recognised by magic (gzip, bzip2, xz, zstd or
 * none; other formats are refused before any parser sees them), only that one built-in
 * filter is enabled, nested compression is refused. Plain tar is copied through. */
int store_decompress_into(int fd, struct tar_push *push, struct ace_error **err);

/* Unpacks the ACI read from fd (see above) in two threads; fills *res like tar_extract(). */
int store_unpack_fd(int fd, const struct tar_extract_opts *opts, int target_dirfd,
                    struct tar_result *res, struct ace_error **err);

struct store_unpacker;

int store_unpacker_start(const struct tar_extract_opts *opts, int target_dirfd,
                         struct store_unpacker **ret, struct ace_error **err);
/* Hands bytes of the (compressed) ACI to the pipeline. Fails with the pipeline's error once
 * it has stopped (then only _finish or _abort). */
int store_unpacker_write(struct store_unpacker *u, const void *buf, size_t len,
                         struct ace_error **err);
/* Ends the input, waits, and returns the result; frees u. */
int store_unpacker_finish(struct store_unpacker *u, struct tar_result *res, struct ace_error **err);
/* Stops and frees u. NULL is fine. */
void store_unpacker_abort(struct store_unpacker *u);
