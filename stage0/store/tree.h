/*
 * tree.h - the tree store: images rendered with their dependencies into directories that
 * pods use as overlayfs lower dirs (or copy with --no-overlay).
 *
 * Rendering follows appc's ace.md "Filesystem Setup": the dependencies of an image are
 * extracted first, depth-first in listed order (A->[B,C], C->[D] gives B, D, C, A), each
 * later layer overwriting earlier paths; a symlink left by an earlier layer is replaced, never
 * followed; each layer's files are filtered by its own pathWhitelist and by those of every
 * image that depends on it (directories are kept). Dependencies are resolved in the store
 * only (by imageID, else by name + labels with the host's os/arch): rendering never touches
 * the network. A dependency with an imageID must be that exact image.
 *
 * Tree ID = "deps-sha512-" + hex sha512 of the full IDs of the layers in render order,
 * joined with ","; rendered into cas/tree/<treeID>/ (rootfs/ + manifest of the top image +
 * `layers` + `image` + `hash`) under the tree's exclusive lock; the `rendered` marker is
 * written last, so a tree without it is incomplete and is re-rendered (or collected).
 * `hash` is sha512 over a deterministic walk of manifest and rootfs (path, type, mode, uid,
 * gid, size, link target, xattrs, content), so store_verify_tree() detects tampering.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "stage0/store/store.h"

/* Length of a tree ID: "deps-sha512-" + 128 hex digits. */
#define STORE_TREE_ID_LEN (12 + 128)

/* One layer of a render, in render order (lowest first). */
struct store_layer {
        char *id;           /* full image ID */
        char ***whitelists; /* the non-empty pathWhitelists that filter this layer: its own
                             * and those of every image above it on its dependency path,
                             * each a sorted strv of normalized absolute paths; a
                             * non-directory is kept only if listed in all of them */
        size_t n_whitelists;
};

void store_layers_free(struct store_layer *layers, size_t n);

/* Resolves the dependency graph of image id (from the store) into render order. Fails with a
 * clear error naming a missing dependency ("dependency NAME[,labels] of IMAGE not found in
 * the store") or one whose stored image does not have the required imageID, and on cycles or
 * more than 64 levels / 256 layers. */
int store_resolve_layers(struct store *s, const char *id, struct store_layer **ret, size_t *ret_n,
                         struct ace_error **err);

/* The tree ID for a list of layer IDs in render order (pure). */
char *store_tree_id(char *const *layer_ids, size_t n);

/* Renders image id (resolving its dependencies) into the tree store if it is not rendered
 * yet, and returns the tree ID and the tree's directory (which holds rootfs/ and manifest).
 * Reuses an existing rendered tree. Callers that then use the tree (prepare/run) must hold
 * the prepare lock shared from before this call until the pod no longer needs the store's
 * copy, so image gc cannot remove it. Updates last-used of every layer. */
int store_render(struct store *s, const char *id, char **ret_tree_id, char **ret_tree_path,
                 struct ace_error **err);

/* The directory of a tree ID (validated: "deps-sha512-" + 128 hex), whether or not it exists. */
int store_tree_path(struct store *s, const char *tree_id, char **ret_path, struct ace_error **err);
/* True when the tree exists and carries its `rendered` marker. */
bool store_tree_is_rendered(struct store *s, const char *tree_id);

/* Re-hashes a rendered tree and compares with its recorded hash. Returns 0 when it matches,
 * -EBADMSG (with an error saying what differs) on mismatch, -ENOENT if not rendered. */
int store_verify_tree(struct store *s, const char *tree_id, struct ace_error **err);

enum store_verify_result {
        STORE_VERIFY_OK,           /* blob and rendered tree match their hashes */
        STORE_VERIFY_NOT_RENDERED, /* blob fine; no rendered tree to check */
        STORE_VERIFY_TREE_BAD,     /* the tree did not match (and repair was not asked) */
        STORE_VERIFY_REPAIRED,     /* the tree did not match and was rendered again */
};

/* Verifies image id: its blob re-hashed must equal the ID (a mismatch cannot be repaired:
 * -EBADMSG), and its rendered tree (if any) must match its recorded hash; with repair a tree
 * that does not is rendered again. *ret_detail (optional) gets what differed for TREE_BAD and
 * REPAIRED. */
int store_verify_image(struct store *s, const char *id, bool repair, enum store_verify_result *ret,
                       char **ret_detail, struct ace_error **err);

/* Computes the tree hash of a directory holding manifest + rootfs/ (hex sha512). */
int store_hash_tree(int tree_dirfd, char **ret_hex, struct ace_error **err);
