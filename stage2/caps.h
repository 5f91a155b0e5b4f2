/*
 * caps.h - Linux capability names and the app capability sets (appc
 * os/linux/capabilities-{retain,remove}-set).
 *
 * The bounding set of an app is: the appc default set (14 capabilities), or exactly the retain
 * set, or the default minus the remove set, or everything with
 * --disable-capabilities-restriction. Inheritable and ambient are always empty (T-27); a root
 * app gets permitted = effective = bounding through execve, a non-root app none.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/launch_spec.h"

struct cap_name {
        const char *name; /* "CAP_CHOWN" */
        int value;
};

/* All capabilities this build knows, sorted by name (a unit test checks it). */
extern const struct cap_name cap_names[];
extern const unsigned n_cap_names;

/* The appc default set, sorted by name. */
extern const char *const cap_default_set[];
extern const unsigned n_cap_default_set;

/* Capability number of a name ("CAP_NET_RAW", case-sensitive), or -EINVAL. */
int cap_from_name(const char *name);

/* Computes the bounding set as a bit mask (bit n = capability n) for a mode and set. Unknown
 * names are an error. */
int caps_bounding_mask(enum launch_caps_mode mode, char *const *set, uint64_t *ret,
                       struct ace_error **err);

/* Drops every capability not in mask from the bounding set (needs CAP_SETPCAP, so call it while
 * still root and before setuid). */
int caps_apply_bounding(uint64_t mask, struct ace_error **err);

/* After setuid: inheritable and ambient cleared; permitted/effective limited to mask for root,
 * empty otherwise. */
int caps_apply_final(uint64_t mask, bool is_root, struct ace_error **err);
