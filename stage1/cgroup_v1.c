/*
 * cgroup_v1.c - the cgroup v1 backend: one hierarchy per controller (or co-mounted group of
 * them), limits in the controller's own files:
 *   resource/memory limit  -> memory.limit_in_bytes     request -> memory.soft_limit_in_bytes
 *   resource/cpu limit     -> cpu.cfs_period_us = 100000, cpu.cfs_quota_us = millicores * 100
 *   cpu shares             -> cpu.shares
 *   ace/pids               -> pids.max
 *   device policy          -> devices.deny "a", then devices.allow per rule (cgroup_devices.h)
 */
#include "stage1/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "stage1/cgroup_internal.h"

static size_t v1_settings(const struct pod_limits *l,
                          struct cgroup_setting out[CGROUP_SETTINGS_MAX])
{
        size_t n = 0;

        if (l->has_memory)
                cgroup_setting_add(out, &n, CGROUP_MEMORY, "memory.limit_in_bytes", "%llu",
                                   (unsigned long long)l->memory);
        if (l->has_memory_request)
                cgroup_setting_add(out, &n, CGROUP_MEMORY, "memory.soft_limit_in_bytes", "%llu",
                                   (unsigned long long)l->memory_request);
        if (l->has_cpu) {
                /* The period first: the kernel checks the quota against it. */
                cgroup_setting_add(out, &n, CGROUP_CPU, "cpu.cfs_period_us", "%u",
                                   CGROUP_CPU_PERIOD_US);
                cgroup_setting_add(out, &n, CGROUP_CPU, "cpu.cfs_quota_us", "%llu",
                                   (unsigned long long)cgroup_cpu_quota_us(l->cpu_milli));
        }
        if (l->has_cpu_shares)
                cgroup_setting_add(out, &n, CGROUP_CPU, "cpu.shares", "%llu",
                                   (unsigned long long)l->cpu_shares);
        if (l->has_pids)
                cgroup_setting_add(out, &n, CGROUP_PIDS, "pids.max", "%llu",
                                   (unsigned long long)l->pids);
        return n;
}

/* v1 hierarchies need nothing enabled: a controller is usable where it is mounted. */
static unsigned v1_delegate(const struct cgroup_host *h, const char *rel, unsigned want)
{
        unsigned have = 0;

        (void)rel;
        for (size_t i = 0; i < h->n; i++)
                have |= h->h[i].mask;
        return want & have;
}

static int v1_kill(const struct cgroup_host *h, const char *rel, struct ace_error **err)
{
        /* Every process is in every hierarchy: one hierarchy's list is the whole list. */
        return h->n ? cgroup_kill_procs(&h->h[0], rel, err) : 0;
}

static int v1_devices(const struct cgroup_host *h, const char *rel, const struct device_rule *rules,
                      size_t n, struct ace_error **err)
{
        for (size_t i = 0; i < h->n; i++) {
                _cleanup_free_ char *dir = NULL;
                int r;

                if (!strstr(h->h[i].controllers, "devices"))
                        continue;
                dir = cgroup_dir(&h->h[i], rel);
                /* Deny everything, then allow the list (the kernel keeps an allow-list). */
                if ((r = cgroup_write(dir, "devices.deny", "a", err)) < 0)
                        return r;
                for (size_t k = 0; k < n; k++) {
                        char line[48];
                        device_rule_format(&rules[k], line, sizeof(line));
                        if ((r = cgroup_write(dir, "devices.allow", line, err)) < 0)
                                return r;
                }
                return 0;
        }
        return -ENOENT;
}

const struct cgroup_ops cgroup_v1_ops = {
    .name = "v1",
    .settings = v1_settings,
    .delegate = v1_delegate,
    .kill = v1_kill,
    .devices = v1_devices,
};
