/*
 * seccomp.h - the app's seccomp filter (appc os/linux/seccomp-{retain,remove}-set), built with
 * libseccomp from the launch spec's resolved set (stage1/pod_isolators.h has the rules).
 *
 * One filter covers every ABI the host kernel runs: on x86-64 it holds the x86-64, i386 and x32
 * syscall tables, so a blocked syscall stays blocked through `int $0x80` or the x32 bit; a
 * syscall from any other architecture kills the process (bad-arch action). A syscall name that
 * one ABI lacks is skipped on that ABI only; a name no ABI knows is skipped and reported.
 *
 * Blocked syscalls return the spec's errno, or kill the process with SIGSYS when it has none.
 * clone3 always gets ENOSYS where its flags would need checking (see seccomp_groups.h).
 *
 * The filter is built early (bad specs fail before anything changes) and loaded as the very last
 * step before execve, after the credentials were dropped, so it need not allow stage2's own setup
 * syscalls. Loading does not set no_new_privs by itself (libseccomp would): stage2 decides
 * (rkt: forced for non-root apps, which could not load a filter without it).
 */
#pragma once

#include <seccomp.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/launch_spec.h"

/* The names a spec's set stands for: groups expanded, sorted, unique; *ret_rules is true when
 * @ace/default-blacklist's argument rules apply (deny-lists only). An unknown group is EINVAL. */
int seccomp_expand(enum launch_seccomp_mode mode, char *const *set, char ***ret_names,
                   bool *ret_rules, struct ace_error **err);

/* Builds the filter of spec into *ret (NULL when the spec has no filter). Syscall names that no
 * ABI knows are returned in *ret_unknown (may be NULL) and left out. */
int seccomp_build(const struct launch_spec *spec, scmp_filter_ctx *ret, char ***ret_unknown,
                  struct ace_error **err);

/* Loads a built filter into the calling process and releases it. */
int seccomp_install(scmp_filter_ctx ctx, struct ace_error **err);

/* Writes a built filter as the BPF program the kernel loads (seccomp_export_bpf) into a new
 * buffer. */
int seccomp_export(scmp_filter_ctx ctx, unsigned char **ret, size_t *ret_len,
                   struct ace_error **err);

/* ---- the default filter, compiled at build time ----------------------------------------------
 * Building the filter of an app without a seccomp isolator with libseccomp costs ~2 ms per app
 * (the x86-64, i386 and x32 tables); it is the same for every such app, so the build makes it
 * once: stage2/gen/seccomp_default_gen.c runs seccomp_build() on the default spec (with the
 * libseccomp that stage2 links) and seccomp_export()s it into seccomp_default_bpf.inc, which
 * seccomp_default.c carries. A unit test checks that the carried program equals a fresh build. */

/* True when spec asks for exactly the default filter (LAUNCH_SECCOMP_DEFAULT_*). */
bool seccomp_spec_is_default(const struct launch_spec *spec);

/* The carried program (bytes of struct sock_filter). */
const unsigned char *seccomp_default_program(size_t *ret_len);

/* Loads the carried program into the calling process, as seccomp_install() would the built
 * filter (no flags; no_new_privs is the caller's). */
int seccomp_install_default(struct ace_error **err);
