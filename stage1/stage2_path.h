/*
 * stage2_path.h - where the stage2 binary is: next to the running stage1 binary, as `stage2` in
 * the stage1 image (/init and /stage2 share the image rootfs), or `ace-stage2` in a build tree.
 * Found through /proc/self/exe, so it is the image we were started from, not something on PATH.
 */
#pragma once

#include "common/error.h"

int stage2_find(char **ret, struct ace_error **err);

/* A sealed in-memory copy of the stage2 binary at path (memfd: no write, grow, shrink or further
 * seals), to be exec'd with fexecve. stage2 runs inside the pod's PID namespace before it makes
 * itself non-dumpable; exec'd from this copy, its /proc/PID/exe is never the host's stage2
 * binary, so an app cannot open it for writing (CVE-2019-5736). Returns an O_CLOEXEC fd. */
int stage2_seal(const char *path, struct ace_error **err);
