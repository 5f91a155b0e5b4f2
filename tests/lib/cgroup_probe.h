/*
 * cgroup_probe.h - looking at a pod's cgroups from the test process, independently of stage1's
 * cgroup code: the pod's `cgroup` file says where the pod is in each hierarchy, the test's own
 * /proc/self/mountinfo where each hierarchy is mounted.
 */
#pragma once

#include <sys/types.h>

/* Contents of <hierarchy of controller>/<pod cgroup>[/leaf]/<file>, where the hierarchy is the
 * v1 one carrying controller or, failing that, the v2 one. NULL when absent. leaf "" = the pod
 * cgroup itself. */
char *cgp_read(const char *cgroup_file, const char *controller, const char *uuid, const char *leaf,
               const char *file);
/* Number of the pod's cgroup directories that exist (0 after gc). */
int cgp_count_dirs(const char *cgroup_file, const char *uuid);
/* The memory limit file and the OOM counter file of the backend the pod file describes. */
const char *cgp_memory_file(const char *cgroup_file);
const char *cgp_oom_file(const char *cgroup_file);
/* "oom_kill N" from memory.oom_control (v1) or memory.events (v2); -1 if absent. */
long cgp_oom_kills(const char *text);
/* The cgroup path of pid in the v1 hierarchy of controller, or in v2 ("0::"). */
char *cgp_proc_cgroup(pid_t pid, const char *controller);
