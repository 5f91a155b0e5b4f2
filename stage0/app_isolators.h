/*
 * app_isolators.h - the per-app isolator flags of `run`/`prepare` turned into appc isolators
 * on the app (rkt's prepareIsolators):
 *
 *   --memory=Q          resource/memory {"request": Q, "limit": Q}; at least 4096 bytes
 *   --cpu=Q             resource/cpu {"request": Q, "limit": Q}
 *   --cpu-shares=N      os/linux/cpu-shares N
 *   --oom-score-adj=N   os/linux/oom-score-adj N
 *   --caps-retain=C,... os/linux/capabilities-retain-set {"set": [...]}
 *   --caps-remove=C,... os/linux/capabilities-remove-set {"set": [...]}
 *   --seccomp=mode=retain|remove[,errno=E],SYSCALL|@GROUP,...
 *                       os/linux/seccomp-{retain,remove}-set {"set": [...], "errno": E}
 *
 * A flag replaces the image's isolators of the same kind (both capability kinds for
 * --caps-*, both seccomp kinds for --seccomp), so the result has one of each, as the schema
 * requires. Values are checked by the schema's isolator types.
 */
#pragma once

#include "common/error.h"
#include "stage0/run_args.h"

struct ace_isolator_list;

int app_isolators_apply(const struct run_app *a, struct ace_isolator_list *l,
                        struct ace_error **err);
