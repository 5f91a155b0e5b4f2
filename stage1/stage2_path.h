/*
 * stage2_path.h - where the stage2 binary is: next to the running stage1 binary, as `stage2` in
 * the stage1 image (/init and /stage2 share the image rootfs), or `ace-stage2` in a build tree.
 * Found through /proc/self/exe, so it is the image we were started from, not something on PATH
 * (or, once stage1 re-executed itself from a sealed copy, through ACE_STAGE1_PATH, which it set
 * itself, and which is only believed when /proc/self/exe is such a copy).
 *
 * And sealed copies (CVE-2019-5736): no host runtime binary may be the /proc/PID/exe of a process
 * an app can see. The run and enter entrypoints re-execute themselves from a sealed memfd copy
 * before anything else (the pod's PID 1 is a fork of run, the entering child of enter joins the
 * pod's PID namespace), and stage2 is always exec'd from one: a process in the pod that opens
 * such an exe finds an anonymous, write-sealed copy, never a file of the host.
 */
#pragma once

#include "common/error.h"

int stage2_find(char **ret, struct ace_error **err);

/* A sealed in-memory copy of the binary at path (memfd named `name`: no write, grow, shrink or
 * further seals), to be exec'd with fexecve. Returns an O_CLOEXEC fd. */
int binary_seal(const char *path, const char *name, struct ace_error **err);
#define stage2_seal(path, err) binary_seal(path, "ace-stage2", err)

#define STAGE1_PATH_ENV "ACE_STAGE1_PATH"
/* Re-executes the running stage1 binary from a sealed copy, with the same arguments and
 * environment plus ACE_STAGE1_PATH; returns only on failure (or 0 at once when already
 * running from a sealed copy). */
int stage1_reexec_sealed(char **argv, struct ace_error **err);
