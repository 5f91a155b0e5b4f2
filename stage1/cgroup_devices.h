/*
 * cgroup_devices.h - which device nodes an app may create and open (rkt: DevicePolicy=closed
 * plus DeviceAllow=), enforced by the cgroup device controller of each app's leaf.
 *
 * The appc default capabilities include CAP_MKNOD: without a device policy a root app could
 * create /dev/kvm, loop-control or a disk's node anywhere it can write and open it. With it,
 * only the devices stage1 itself provides in the app's /dev can be created or opened:
 *   c 1:3 null, 1:5 zero, 1:7 full, 1:8 random, 1:9 urandom, 5:0 tty, 5:1 console,
 *   5:2 ptmx, 136:* (devpts), 10:200 net/tun (usable only with CAP_NET_ADMIN anyway),
 * plus, with --interactive, the run process's own terminal.
 *
 * v1: devices.deny "a", then one devices.allow line per rule. v2 has no device files: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, built here from the same rules, is attached to the leaf.
 * The supervisor's leaf is not restricted (it creates the apps' /dev nodes).
 */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

#include "common/error.h"

struct device_rule {
        char type;          /* 'c' or 'b' */
        int major, minor;   /* -1: any */
        const char *access; /* subset of "rwm" */
};

/* The default allow-list above, sorted by (type, major, minor); a unit test checks it. */
extern const struct device_rule device_default_rules[];
extern const size_t n_device_default_rules;

/* "c 1:3 rwm", "c 136:* rwm": a devices.allow line (buf of at least 32 bytes). */
void device_rule_format(const struct device_rule *r, char *buf, size_t size);

/* The BPF program allowing exactly rules (default: deny), into insns (at most max); returns the
 * number of instructions, or -E2BIG. */
int device_bpf_build(const struct device_rule *rules, size_t n, struct bpf_insn *insns, size_t max);

/* Loads the program for rules and attaches it to the cgroup v2 directory dir. */
int device_bpf_attach(const char *dir, const struct device_rule *rules, size_t n,
                      struct ace_error **err);
