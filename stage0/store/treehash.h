/* treehash.h - the tree store's integrity hash (see treehash.c). Internal to stage0/store. */
#pragma once

#include <stdint.h>

#include "common/error.h"

/* Hashes `manifest` and `rootfs/` under tree_dirfd; returns hex sha512 and (optional) the
 * summed st_size of every entry (the tree size shown by `image list`). */
int treehash_compute(int tree_dirfd, char **ret_hex, uint64_t *ret_size, struct ace_error **err);
