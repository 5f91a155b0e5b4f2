/*
 * netcheck.h - what a pod network leaves on the host, for leak tests: host veths, ace network
 * namespaces, host-local IPAM leases, iptables nat rules; per pod (by UUID, which CNI plugins
 * put in lease files and rule comments) or as a whole-host snapshot.
 *
 * Network tests share host state, so they serialise on a lock file: ordinary tests take it
 * shared, snapshot (leak) tests exclusive.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

int netcheck_lock(bool exclusive);
void netcheck_unlock(int fd);

/* Lease files naming uuid under /var/lib/cni/networks (and dirs given to netcheck_add_ipam). */
size_t netcheck_leases_of(const char *uuid);
/* Lines of `iptables-save -t nat` naming uuid. */
size_t netcheck_nat_rules_of(const char *uuid);

struct netcheck_snapshot {
        char *veths;  /* sorted names of veth interfaces, one per line */
        char *netns;  /* sorted `ip netns` names starting with ace- */
        char *leases; /* sorted lease file paths */
        char *nat;    /* `iptables-save -t nat` minus comments and counters, sorted */
};

void netcheck_snapshot_take(struct netcheck_snapshot *s, const char *extra_ipam_dir);
void netcheck_snapshot_done(struct netcheck_snapshot *s);
/* Whether any ace network namespace or stage1 run process exists that is not ours: then a
 * whole-host comparison means nothing (another suite's pods come and go). */
bool netcheck_other_pods_running(void);
/* Asserts that two snapshots are equal, naming what differs. Retries `after` for a short while:
 * the kernel destroys a deleted namespace's veth asynchronously. */
void netcheck_assert_same(const struct netcheck_snapshot *before, struct netcheck_snapshot *after,
                          const char *extra_ipam_dir);
