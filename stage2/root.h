/*
 * root.h - move the calling process into an app's root filesystem.
 *
 * Not a bare chroot: the process gets its own mount namespace, pivot_root()s into the app
 * rootfs and detaches the old root, so nothing of stage1 or of sibling apps stays reachable
 * (the double-chroot escape of T-26 finds only the app's own tree). stage1 guarantees the rootfs
 * is a mount point whose mounts are private to the pod.
 */
#pragma once

#include "common/error.h"

int root_pivot(const char *rootfs, struct ace_error **err);
