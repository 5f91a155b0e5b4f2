/*
 * import.h - putting an ACI into the store in one streaming pass.
 *
 * The input (gzip, bzip2, xz, zstd or plain tar; detected by magic) is read once: it is
 * decompressed, the uncompressed bytes are hashed (sha512 = image ID), every entry is
 * validated (common/tar.h rules), and the uncompressed tar is written to a temp file in
 * cas/tmp at the same time. At commit the temp blob is fsync'd and renamed into
 * blob/sha512/<hh>/<id>, the manifest is written, and only then the db row is committed in
 * one transaction: after kill -9 anywhere the store holds either the whole image or garbage
 * that store_gc_tmp() removes.
 *
 * Two ways in:
 *  - store_import_fd(): pull from a file or pipe (ace fetch of a local .aci, tests);
 *  - store_import_begin/_write/_finish/_commit/_abort: push, for the fetcher, which feeds the
 *    still-compressed bytes from its download callback. Decompression runs in a worker
 *    thread reading from a pipe the writes fill, so the network and the decompressor overlap.
 *    _finish ends the input and reports the image ID and manifest without making anything
 *    visible, so the caller can check a signature, the manifest's name and labels against
 *    its discovery request, etc. before _commit. Nothing is visible before _commit; _abort
 *    (or an error anywhere) leaves no trace.
 *
 * Importing an image already stored costs the read and hash only (the temp blob is dropped
 * unsynced) and returns the same ID; its import time and latest flag are refreshed.
 * Concurrent imports of one image serialize on its image lock at commit: one blob, one row.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "stage0/store/store.h"

struct store_import_opts {
        /* If set (a full image ID), the content must hash to it; a mismatch fails before
         * anything becomes visible (dependency imageID, an ID the user asked for). */
        const char *expected_id;
        /* rkt's latest flag: the image was discovered without a version label. */
        bool latest;
        /* If set, recorded (inserted or replaced) in the same transaction as the image row,
         * with blob_id filled in by the store. */
        const struct store_remote *remote;
        /* Also render the image into the tree store in the same pass (rkt renders at fetch
         * time): the rootfs is extracted while it streams by, and becomes the image's tree
         * at commit if the image has no dependencies and no pathWhitelist (otherwise the
         * extraction is dropped and store_render() does the work later). A failure of this
         * extraction fails the import. */
        bool render;
};

/* Imports an ACI read from fd (until EOF). Returns the full image ID in *ret_id. */
int store_import_fd(struct store *s, int fd, const struct store_import_opts *opts, char **ret_id,
                    struct ace_error **err);

/* Push-style importer. opts (and strings in it) must stay valid until commit/abort. */
struct store_import;

int store_import_begin(struct store *s, const struct store_import_opts *opts,
                       struct store_import **ret, struct ace_error **err);
/* Feeds bytes of the (compressed) ACI. A failure (bad archive, limit hit, ENOSPC) is
 * reported by the write that notices it or at the latest by _finish; afterwards the only
 * valid call is _abort. */
int store_import_write(struct store_import *imp, const void *buf, size_t len,
                       struct ace_error **err);

/* What _finish learned: valid until _commit or _abort. */
struct store_import_result {
        const char *id;            /* full image ID */
        const char *manifest_json; /* raw manifest bytes, NUL-terminated */
        size_t manifest_len;
        const struct ace_image_manifest *manifest; /* parsed and validated */
        uint64_t size;                             /* bytes of the uncompressed tar */
};

/* Ends the input and waits for the whole archive to be processed and checked (including
 * expected_id). Nothing is visible yet. */
int store_import_finish(struct store_import *imp, const struct store_import_result **ret,
                        struct ace_error **err);
/* Makes the image visible (calls _finish first if needed) and frees imp, success or not.
 * *ret_id (optional) gets a copy of the full ID. */
int store_import_commit(struct store_import *imp, char **ret_id, struct ace_error **err);
/* Drops everything and frees imp. NULL is fine. */
void store_import_abort(struct store_import *imp);
