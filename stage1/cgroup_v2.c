/*
 * cgroup_v2.c - the cgroup v2 (unified) backend: one hierarchy, controllers handed down through
 * cgroup.subtree_control, limits in the interface files:
 *   resource/memory limit  -> memory.max                request -> memory.low
 *   resource/cpu limit     -> cpu.max = "<millicores * 100> 100000"
 *   cpu shares             -> cpu.weight = 1 + (shares - 2) * 9999 / 262142 (the v1 -> v2
 *                             mapping runc, crun and systemd use)
 *   ace/pids               -> pids.max
 *   device policy          -> a BPF_CGROUP_DEVICE program (cgroup_devices.h)
 * The whole pod is killed through cgroup.kill (Linux 5.14), cgroup.procs otherwise.
 */
#include "stage1/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/cgroup_internal.h"

uint64_t cgroup_v2_weight(uint64_t shares)
{
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + (shares - 2) * 9999 / 262142;
}

static size_t v2_settings(const struct pod_limits *l,
                          struct cgroup_setting out[CGROUP_SETTINGS_MAX])
{
        size_t n = 0;

        if (l->has_memory)
                cgroup_setting_add(out, &n, CGROUP_MEMORY, "memory.max", "%llu",
                                   (unsigned long long)l->memory);
        if (l->has_memory_request)
                cgroup_setting_add(out, &n, CGROUP_MEMORY, "memory.low", "%llu",
                                   (unsigned long long)l->memory_request);
        if (l->has_cpu)
                cgroup_setting_add(out, &n, CGROUP_CPU, "cpu.max", "%llu %u",
                                   (unsigned long long)cgroup_cpu_quota_us(l->cpu_milli),
                                   CGROUP_CPU_PERIOD_US);
        if (l->has_cpu_shares)
                cgroup_setting_add(out, &n, CGROUP_CPU, "cpu.weight", "%llu",
                                   (unsigned long long)cgroup_v2_weight(l->cpu_shares));
        if (l->has_pids)
                cgroup_setting_add(out, &n, CGROUP_PIDS, "pids.max", "%llu",
                                   (unsigned long long)l->pids);
        return n;
}

static unsigned enabled(const char *dir)
{
        _cleanup_free_ char *path = xasprintf("%s/cgroup.subtree_control", dir);
        _cleanup_free_ char *text = cgroup_read(path);
        _cleanup_strv_free_ char **words = text ? strv_split(text, " \n", false) : NULL;
        unsigned mask = 0;

        for (int c = 0; c < _CGROUP_CONTROLLER_MAX; c++)
                if (strv_contains(words, cgroup_controller_name((enum cgroup_controller)c)))
                        mask |= CGROUP_MASK(c);
        return mask;
}

/* Controllers reach a cgroup only through its parent's subtree_control. Each one is enabled on
 * its own, so that one the kernel refuses (EBUSY: the cgroup holds processes and is not the
 * root; ENOENT: not available) does not take the others down with it. */
static unsigned v2_delegate(const struct cgroup_host *h, const char *rel, unsigned want)
{
        _cleanup_free_ char *dir = cgroup_dir(&h->h[0], rel);
        unsigned have = enabled(dir);

        for (int c = 0; c < _CGROUP_CONTROLLER_MAX; c++) {
                _cleanup_free_ char *cmd = NULL;
                if (!(want & CGROUP_MASK(c)) || (have & CGROUP_MASK(c)))
                        continue;
                cmd = xasprintf("+%s", cgroup_controller_name((enum cgroup_controller)c));
                (void)cgroup_write(dir, "cgroup.subtree_control", cmd, NULL);
        }
        return want & enabled(dir);
}

static int v2_kill(const struct cgroup_host *h, const char *rel, struct ace_error **err)
{
        _cleanup_free_ char *dir = cgroup_dir(&h->h[0], rel);
        int r = cgroup_write(dir, "cgroup.kill", "1", NULL);

        if (r == 0 || (r == -ENOENT && access(dir, F_OK) < 0))
                return 0;
        return cgroup_kill_procs(&h->h[0], rel, err);
}

static int v2_devices(const struct cgroup_host *h, const char *rel, const struct device_rule *rules,
                      size_t n, struct ace_error **err)
{
        _cleanup_free_ char *dir = cgroup_dir(&h->h[0], rel);

        return device_bpf_attach(dir, rules, n, err);
}

const struct cgroup_ops cgroup_v2_ops = {
    .name = "v2",
    .settings = v2_settings,
    .delegate = v2_delegate,
    .kill = v2_kill,
    .devices = v2_devices,
};
