/*
 * store.h - the image store: content-addressed ACI blobs, an SQLite index and a tree store of
 * rendered images, under <dir>/cas/ (rkt's store, reference/rkt.md §4). This is a library: the
 * `ace image` verbs, fetch and the pod commands all go through it.
 *
 * Layout (every directory 0700, owned by the caller, root in production):
 *
 *   <dir>/cas/blob/sha512/<hh>/<id>           uncompressed ACI tar; sha512 of it == <id>
 *   <dir>/cas/imageManifest/sha512/<hh>/<id>  the image manifest JSON, extracted at import
 *   <dir>/cas/db/ace.db                       SQLite (WAL): images, labels, remotes, version
 *   <dir>/cas/tmp/                            in-flight imports (O_TMPFILE where possible)
 *   <dir>/cas/imagelocks/<id>                 per-image flock files
 *   <dir>/cas/tree/<treeID>/{rootfs/,manifest,layers,hash,image,rendered}
 *   <dir>/cas/treestorelocks/<treeID>         per-tree flock files
 *   <dir>/locks/prepare                       shared by prepare/run, exclusive by image gc
 *
 * <id> is always a full image ID, "sha512-" + 128 lowercase hex digits; <hh> is its first two
 * hex digits. Users may name an image by any unique ID prefix of >= 2 hex digits, but only
 * full, validated IDs ever become paths (reliability.md T-10).
 *
 * Consistency after kill -9 at any point: a blob is written to a temp file, fsync'd and
 * renamed into place before its manifest file and db row are committed (blob first, row
 * second); a tree gets its `rendered` marker last. Anything without its final step (temp
 * files, blobs or manifests without a row, trees without a marker) is garbage that
 * store_gc_tmp() removes. Writers of one image serialize on its image lock; readers of a
 * tree hold its tree lock shared, the renderer exclusive.
 *
 * Errors follow common/error.h. "Not found" lookups fail with -ENOENT and a message in rkt's
 * words ("no image IDs found", "ambiguous image ID", "no image found for ...").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

struct ace_kv_list;        /* schema/types.h */
struct ace_image_manifest; /* schema/image_manifest.h */

/* Length of a full image ID: "sha512-" + 128 hex digits. */
#define STORE_ID_LEN (7 + 128)

struct store;

enum store_open_flag {
        /* Open an existing store only (no directories or db created). For read-only verbs on
         * a data dir that may not exist yet they get a clean ENOENT instead of a new store. */
        STORE_OPEN_NO_CREATE = 1u << 0,
};

/* Opens (creating as needed, mode 0700) the store under data directory `dir` (the --dir of
 * ace, e.g. /var/lib/ace). Creates or migrates the db schema. */
int store_open(const char *dir, unsigned flags, struct store **ret, struct ace_error **err);
void store_close(struct store *s);
static inline void store_closep(struct store **s)
{
        if (*s)
                store_close(*s);
        *s = NULL;
}
#define _cleanup_store_ __attribute__((cleanup(store_closep)))

/* The data directory and the cas/ directory, as given/derived (absolute). */
const char *store_data_dir(const struct store *s);
const char *store_cas_dir(const struct store *s);
/* An O_DIRECTORY fd of cas/, for openat-relative work. Owned by the store. */
int store_cas_fd(const struct store *s);

/* ---- image records ------------------------------------------------------------------- */

/* One stored image, as `image list` shows it. */
struct store_image {
        char *id;                   /* full image ID */
        char *name;                 /* manifest name */
        struct ace_kv_list *labels; /* manifest labels (version, os, arch, ...) */
        int64_t import_time;        /* ns since the epoch */
        int64_t last_used;          /* ns since the epoch: last read of blob or tree */
        uint64_t size;              /* blob bytes (the uncompressed tar) */
        uint64_t tree_size;         /* bytes of rendered trees whose top image this is */
        bool latest;                /* discovered without a version label (rkt's latest) */
};

void store_image_free(struct store_image *img);
void store_image_list_free(struct store_image *imgs, size_t n);
/* The value of label `name` of img, or NULL. */
const char *store_image_label(const struct store_image *img, const char *name);

/* Every image, in import order. */
int store_list_images(struct store *s, struct store_image **ret, size_t *ret_n,
                      struct ace_error **err);
/* The record of one image by full ID; -ENOENT if absent. */
int store_get_image(struct store *s, const char *id, struct store_image **ret,
                    struct ace_error **err);
/* True when a row for the full ID exists. */
bool store_has_image(struct store *s, const char *id);

/* ---- lookup -------------------------------------------------------------------------- */

/* Resolves "sha512-" + >= 2 hex digits (any unique prefix of a stored ID, or a full ID) to
 * the full ID. Errors: EINVAL not an ID prefix; ENOENT "no image IDs found"; EEXIST
 * (ambiguous) "ambiguous image ID". */
int store_find_by_id_prefix(struct store *s, const char *prefix, char **ret_id,
                            struct ace_error **err);

enum store_find_flag {
        /* Match the host's os and arch (appc names: linux, amd64, ...) when the request has
         * no os/arch label: an image that carries an os (arch) label must carry the host's;
         * an image without the label matches (see Documentation/store.md). */
        STORE_FIND_HOST_OSARCH = 1u << 0,
};

/* Resolves a name + labels to the full ID of a stored image (rkt GetACI): candidates have
 * the name and every requested label with an equal value; without a requested `version`
 * label images flagged latest come first; then the newest import wins. labels may be NULL.
 * ENOENT when nothing matches. */
int store_find_by_name(struct store *s, const char *name, const struct ace_kv_list *labels,
                       unsigned flags, char **ret_id, struct ace_error **err);

/* Resolves what a user typed for an image verb: an ID prefix ("sha512-...") or an app string
 * "name[:version][,label=value...]" (with STORE_FIND_HOST_OSARCH). */
int store_resolve(struct store *s, const char *image, char **ret_id, struct ace_error **err);

/* The appc names of the host's os and arch ("linux", "amd64", "aarch64", "i386", ...). */
const char *store_host_os(void);
const char *store_host_arch(void);

/* ---- reading images ------------------------------------------------------------------ */

/* The raw manifest JSON of a stored image (as it was in the ACI). Updates last-used. */
int store_read_manifest(struct store *s, const char *id, char **ret_buf, size_t *ret_len,
                        struct ace_error **err);
/* The parsed manifest of a stored image. */
int store_get_manifest(struct store *s, const char *id, struct ace_image_manifest **ret,
                       struct ace_error **err);
/* Opens the blob (uncompressed ACI tar) read-only, O_CLOEXEC. Updates last-used. The caller
 * should hold the image lock shared (store_lock_image) while it reads if it must not race a
 * removal; an open fd stays readable after removal anyway. */
int store_open_blob(struct store *s, const char *id, struct ace_error **err);
/* Marks an image used now (rkt updates lastused on every read). Errors are not fatal to
 * callers, but reported. */
int store_touch_image(struct store *s, const char *id, struct ace_error **err);

/* ---- removal ------------------------------------------------------------------------- */

/* Removes an image: db row (and its remote rows), then manifest and blob, under the image's
 * exclusive lock. Its rendered trees stay until `image gc` (a running pod may use one as an
 * overlay lower dir; gc knows which trees pods reference). ENOENT if absent. */
int store_remove_image(struct store *s, const char *id, struct ace_error **err);

/* ---- remote info (fetch cache) ------------------------------------------------------- */

struct store_remote {
        char *url;             /* ACI URL (unique key) */
        char *sig_url;         /* signature URL, or NULL */
        char *etag;            /* ETag of the last download, or NULL */
        int64_t cache_max_age; /* Cache-Control max-age in seconds, 0 if none */
        int64_t download_time; /* ns since the epoch */
        char *blob_id;         /* full image ID the URL gave */
};

void store_remote_free(struct store_remote *r);
/* The remote record for url; -ENOENT if none. */
int store_get_remote(struct store *s, const char *url, struct store_remote **ret,
                     struct ace_error **err);
/* Inserts or replaces the remote record keyed by r->url. r->blob_id must be stored. */
int store_put_remote(struct store *s, const struct store_remote *r, struct ace_error **err);

/* ---- locks --------------------------------------------------------------------------- */

enum store_lock_mode {
        STORE_LOCK_SHARED,
        STORE_LOCK_EXCLUSIVE,
};

/* Takes <dir>/locks/prepare: prepare/run hold it shared while they render trees and set up
 * pod dirs from them; image gc holds it exclusive so it never deletes a tree in use.
 * Returns the lock fd (O_CLOEXEC); closing it releases the lock. Blocking. */
int store_lock_prepare(struct store *s, enum store_lock_mode mode, struct ace_error **err);
/* Takes cas/imagelocks/<id>; returns the lock fd. Blocking. */
int store_lock_image(struct store *s, const char *id, enum store_lock_mode mode,
                     struct ace_error **err);
