/*
 * namespaces.h - the Linux namespaces stage1 creates and joins: one table of
 * { /proc/PID/ns name, CLONE_* flag }, sorted by name (a unit test checks it).
 *
 * A pod gets new PID, mount, IPC and UTS namespaces, and a network namespace unless --net=host.
 * Each app additionally gets its own mount namespace (stage2) whose root is the app rootfs.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

struct ns_info {
        const char *name; /* file in /proc/PID/ns */
        int flag;         /* CLONE_NEW* */
};

extern const struct ns_info ns_table[];
extern const size_t n_ns_table;

/* The CLONE_* flag of a namespace name, or -EINVAL. */
int ns_flag(const char *name);
/* Opens /proc/<pid>/ns/<name> (O_RDONLY|O_CLOEXEC). */
int ns_open(pid_t pid, const char *name, struct ace_error **err);
/* Inode number identifying a namespace of a process (0 on error). */
unsigned long long ns_inode(pid_t pid, const char *name);
