/*
 * cgroup_internal.h - helpers shared by the cgroup backends and cgroup.c; not for use outside
 * stage1/cgroup*.c (and their unit tests).
 */
#pragma once

#include <stdint.h>

#include "stage1/cgroup.h"

/* CFS period for cpu limits: 100 ms, the kernel's default. */
#define CGROUP_CPU_PERIOD_US 100000u
/* The smallest quota the kernel takes (1 ms). */
#define CGROUP_CPU_QUOTA_MIN_US 1000u

/* Quota in microseconds per period for a limit in millicores (500m -> 50000). */
uint64_t cgroup_cpu_quota_us(uint64_t milli);
/* cpu.weight (1..10000) for v1 cpu.shares (2..262144). */
uint64_t cgroup_v2_weight(uint64_t shares);

void cgroup_setting_add(struct cgroup_setting out[CGROUP_SETTINGS_MAX], size_t *n,
                        enum cgroup_controller c, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Whole small file, or NULL (errno set). */
char *cgroup_read(const char *path);
/* Writes value to dir/file (no O_CREAT: cgroup files exist or the controller is missing). */
int cgroup_write(const char *dir, const char *file, const char *value, struct ace_error **err);
/* SIGKILLs the processes listed in cgroup.procs of rel (and its children) until it is empty
 * or a second passed. */
int cgroup_kill_procs(const struct cgroup_hierarchy *h, const char *rel, struct ace_error **err);
