/*
 * seccomp_groups.h - the contents of ace's seccomp groups (the schema only knows their names,
 * schema/syscalls.c), and the few syscalls every allow-list keeps so that an app can be exec'd
 * and can exit.
 *
 *   @ace/default-blacklist  what an app without a seccomp isolator cannot call (rkt's class:
 *                           kernel modules and kexec, keyrings, bpf, perf, mount and the new
 *                           mount API, pivot_root, file handles, reboot, swap, clock setting,
 *                           accounting, quotas, raw I/O ports, obsolete syscalls, userfaultfd,
 *                           io_uring) plus the argument rules below. Syscall names of every
 *                           architecture (i386's stime, vm86 ...): names a given ABI does not
 *                           have are simply not there on that ABI.
 *   @ace/default-whitelist  a broad allow-list for ordinary programs (file, socket, process,
 *                           memory, time, signal and IPC syscalls), for retain sets that want
 *                           "the usual, plus X".
 *
 * Argument rules of @ace/default-blacklist (applied when a deny-list contains the group):
 *   clone and unshare with CLONE_NEWUSER (no new user namespaces; other namespaces need
 *   CAP_SYS_ADMIN anyway); clone3 fails with ENOSYS, since its flags live in memory a filter
 *   cannot read (glibc then falls back to clone, which is checked); ioctl TIOCSTI and TIOCLINUX
 *   with the command compared on its low 32 bits, as the kernel does (CVE-2019-10063: a 64-bit
 *   command with high bits set must not slip past).
 * Every table is sorted and unique (unit-tested), and the two groups are disjoint.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct seccomp_group {
        const char *name;            /* "@ace/default-blacklist" */
        const char *const *syscalls; /* sorted */
        size_t n;
        bool argument_rules; /* the clone/unshare/clone3/ioctl rules above */
};

/* The @ace/ groups, sorted by name. */
extern const struct seccomp_group seccomp_groups[];
extern const size_t n_seccomp_groups;

/* The group called name (after rkt's aliases were mapped by stage1), or NULL. */
const struct seccomp_group *seccomp_group_find(const char *name);

/* What an allow-list always lets through: exec and exit (spec: "the minimum set of syscalls
 * required for app life-cycle"). Sorted. */
extern const char *const seccomp_lifecycle[];
extern const size_t n_seccomp_lifecycle;
