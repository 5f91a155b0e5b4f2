/*
 * isolators.h - per-process isolators stage2 applies before exec, in this fixed order (see
 * stage2/main.c for where each sits relative to setuid):
 *   1. oom_score_adj      (while still root: lowering it needs CAP_SYS_RESOURCE)
 *   2. capability bounding set (needs CAP_SETPCAP: before setuid)
 *   3. setgroups/setgid/setuid, then inheritable/ambient cleared (root keeps permitted and
 *      effective until execve makes them the bounding set)
 *   4. no_new_privs       (before seccomp: a filter loaded without CAP_SYS_ADMIN needs it, so it
 *                          is forced for non-root apps that have a filter, as rkt did)
 *   5. seccomp            (last, so the filter does not have to allow our own setup syscalls;
 *                          stage2/seccomp.h)
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "common/launch_spec.h"

int isolators_apply_oom_score_adj(const struct launch_spec *spec, struct ace_error **err);
/* Sets no_new_privs when the spec asks for it or `force` (a non-root app with a filter). */
int isolators_apply_no_new_privs(const struct launch_spec *spec, bool force,
                                 struct ace_error **err);
