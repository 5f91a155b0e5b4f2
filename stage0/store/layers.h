/*
 * layers.h - the pure part of rendering: turning an image's dependency graph into the list
 * of layers in appc's render order, each with the pathWhitelists that filter it, and the
 * whitelist test itself. No I/O: manifests come through a callback, so the ordering rules
 * are unit-tested on made-up graphs (tests/unit/test_store_layers.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "stage0/store/tree.h"

struct ace_image_manifest;
struct ace_dependency;

/* Resolves one dependency of `parent_id` to a stored image: its full ID (heap) and its
 * manifest (owned by the callee, valid until the resolution ends). */
typedef int (*layers_dep_fn)(void *userdata, const char *parent_id,
                             const struct ace_dependency *dep, char **ret_id,
                             const struct ace_image_manifest **ret_manifest,
                             struct ace_error **err);

/* Limits against hostile graphs. */
#define LAYERS_MAX_DEPTH 64
#define LAYERS_MAX_COUNT 256

/* Render order for image `id` with manifest `m` (ace.md "Filesystem Setup": dependencies
 * depth-first in listed order, then the image; A->[B,C], C->[D] gives B, D, C, A; a shared
 * dependency appears once per path: A->[B,C], B->[D], C->[D] gives D, B, D, C, A). Each
 * layer gets the non-empty pathWhitelists of itself and of every image above it on its path.
 * Cycles, more than LAYERS_MAX_DEPTH levels or LAYERS_MAX_COUNT layers are errors. */
int layers_resolve(const char *id, const struct ace_image_manifest *m, layers_dep_fn dep_fn,
                   void *userdata, struct store_layer **ret, size_t *ret_n, struct ace_error **err);

/* Whether a rootfs path ("/etc/passwd") of the given type (S_IFDIR, S_IFREG, ...) survives
 * the layer's whitelists: directories always do (they hold the listed files); anything else
 * must be listed in every whitelist of the layer. Whitelist entries are compared after
 * normalizing ("//a/./b/" == "/a/b"); the lists of a layer must be sorted (layers_resolve
 * sorts them). */
bool layers_path_allowed(const struct store_layer *layer, const char *path, unsigned type);

/* Normalizes an absolute whitelist path: collapses "//" and "/./", drops a trailing '/'.
 * Returns NULL for a relative path or one with "..". */
char *layers_normalize_path(const char *p);
