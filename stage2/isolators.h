/*
 * isolators.h - per-process isolators stage2 applies before exec, in this fixed order (see
 * stage2/main.c for where each sits relative to setuid):
 *   1. oom_score_adj      (while still root: lowering it needs CAP_SYS_RESOURCE)
 *   2. capability bounding set (needs CAP_SETPCAP: before setuid)
 *   3. setgroups/setgid/setuid, then inheritable/ambient/permitted/effective
 *   4. no_new_privs       (before seccomp: an unprivileged filter needs it)
 *   5. seccomp            (last, so the filter does not have to allow our own setup syscalls)
 */
#pragma once

#include "common/error.h"
#include "common/launch_spec.h"

int isolators_apply_oom_score_adj(const struct launch_spec *spec, struct ace_error **err);
int isolators_apply_no_new_privs(const struct launch_spec *spec, struct ace_error **err);
/* Hook for the isolation issue (os/linux/seccomp-*): not implemented yet, applies nothing. */
int isolators_apply_seccomp(const struct launch_spec *spec, struct ace_error **err);
