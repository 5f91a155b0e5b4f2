/*
 * pod_isolators.h - what stage1 does with each appc isolator (Documentation/isolators.md).
 *
 * The schema library parses and validates isolator values (schema/isolator.h); this module
 * decides their effect, purely, so that every rule is unit-tested:
 *   - per-process isolators (capabilities, seccomp, no-new-privileges, oom-score-adj) go into the
 *     app's launch spec, which stage2 applies right before exec;
 *   - resource isolators (resource/memory, resource/cpu, os/linux/cpu-shares, ace/pids) become
 *     cgroup limits of the app's or the pod's cgroup (stage1/cgroup.h applies them);
 *   - everything this stage1 cannot enforce (block and network bandwidth, SELinux, AppArmor,
 *     sysctls, unknown pod isolators) is recorded in pod->unenforced, so that it is reported on
 *     stderr and in `isolators-unenforced`, and refused under --strict-isolators.
 */
#pragma once

#include "common/error.h"
#include "schema/isolator.h"
#include "stage1/pod.h"

/* Applies an app's isolator list to its launch spec and limits; unenforced ones are added to
 * pod->unenforced. The launch spec must already hold the app name. */
int pod_isolators_app(const struct ace_isolator_list *l, struct pod *pod, struct pod_app *a,
                      struct ace_error **err);

/* Applies the pod-level isolator list to pod->limits (and pod->unenforced). */
int pod_isolators_pod(const struct ace_isolator_list *l, struct pod *pod, struct ace_error **err);

/* The seccomp part of a launch spec for an app with the given seccomp isolators (both NULL: the
 * default deny-list). Rules (Documentation/isolators.md "Seccomp"):
 *   retain  S            -> allow-list S (groups kept, stage2 expands them)
 *   retain  @appc.io/all -> no filter
 *   remove  S            -> deny-list S + @ace/default-blacklist
 *   remove  @appc.io/empty -> deny-list @ace/default-blacklist only
 *   remove  @appc.io/all -> error (nothing could run)
 *   (none)               -> deny-list @ace/default-blacklist, errno EPERM
 * @rkt/default-{black,white}list are taken as the @ace/ groups. An errno name the errno table
 * does not know is an error. */
int pod_seccomp_resolve(const struct isolator_seccomp *retain,
                        const struct isolator_seccomp *remove, struct launch_spec *l,
                        struct ace_error **err);

/* The limits an app's cgroup gets: its own, each bounded by the pod's (appc: pod isolators bound
 * app isolators). An app without a limit of its own gets the pod's value, so that what the app
 * reads in its cgroup is what bounds it (pids too: the pod's count is the bound). */
void pod_effective_limits(const struct pod_limits *pod, const struct pod_limits *app,
                          struct pod_limits *ret);

/* cpu.shares from a resource/cpu request in millicores (Kubernetes' formula: 1 core = 1024,
 * at least 2). */
uint64_t pod_cpu_shares_from_milli(uint64_t milli);
