/*
 * caps.h - the app capability sets (appc os/linux/capabilities-{retain,remove}-set); capability
 * names are the schema's (schema/isolator.h capability_from_name).
 *
 * The bounding set of an app is: the appc default set (14 capabilities), or exactly the retain
 * set, or the default minus the remove set, or everything with
 * --disable-capabilities-restriction. Inheritable and ambient are always empty (T-27); a root
 * app gets permitted = effective = bounding through execve (the kernel's rule for uid 0 with an
 * empty inheritable set), a non-root app none.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/launch_spec.h"

/* Computes the bounding set as a bit mask (bit n = capability n) for a mode and set. Unknown
 * names are an error. */
int caps_bounding_mask(enum launch_caps_mode mode, char *const *set, uint64_t *ret,
                       struct ace_error **err);

/* Drops every capability not in mask from the bounding set (needs CAP_SETPCAP, so call it while
 * still root and before setuid). */
int caps_apply_bounding(uint64_t mask, struct ace_error **err);

/* After setuid: inheritable and ambient cleared; a non-root process has no permitted or
 * effective capability left, root keeps its own until execve turns them into the bounding set. */
int caps_apply_final(bool is_root, struct ace_error **err);
