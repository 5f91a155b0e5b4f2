/*
 * stage2_path.h - where the stage2 binary is: next to the running stage1 binary, as `stage2` in
 * the stage1 image (/init and /stage2 share the image rootfs), or `ace-stage2` in a build tree.
 * Found through /proc/self/exe, so it is the image we were started from, not something on PATH.
 */
#pragma once

#include "common/error.h"

int stage2_find(char **ret, struct ace_error **err);
