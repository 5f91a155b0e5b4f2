/*
 * stage1_image.h - which stage1 image a new pod gets (rkt's stage1hash.go), imported into the
 * store like any image:
 *
 *   --stage1-path=FILE      that file (signature checked unless it is a trusted location)
 *   --stage1-url=URL        fetched
 *   --stage1-name=NAME      from the store, else discovered and fetched
 *   --stage1-hash=ID        from the store only
 *   --stage1-from-dir=FILE  FILE in the stage1 images directory (paths.d, else ACE_LIBDIR)
 *   none                    stage1.d config (name+version from the store, else its location),
 *                           else $ACE_LIBDIR/stage1.aci, falling back to stage1.aci next to
 *                           the ace binary
 *
 * Trusted locations (the default file, anything in the stage1 images directory, the file next
 * to the binary) skip signature checks, as rkt. The default file is not re-read and re-hashed
 * on every run: the store's remote table remembers its ID keyed by the file's identity
 * (device, inode, size, mtime), so the hot path of `ace run` costs one stat for stage1.
 */
#pragma once

#include "common/error.h"
#include "stage0/run_args.h"

struct store;
struct lazy_fetcher;
struct ace_config;

int stage1_image_resolve(struct store *s, struct lazy_fetcher *f, const struct run_config *c,
                         const struct ace_config *cfg, char **ret_id, struct ace_error **err);

/* The stage1 images directory: paths.d "stage1-images", else ACE_LIBDIR. */
const char *stage1_images_dir(const struct ace_config *cfg);
