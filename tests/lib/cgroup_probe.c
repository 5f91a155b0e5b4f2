/* cgroup_probe.c - the test's own view of a pod's cgroups (cgroup_probe.h). */
#include "tests/lib/cgroup_probe.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

static bool is_v2(const char *cgroup_file)
{
        return strncmp(cgroup_file, "0::", 3) == 0;
}

const char *cgp_memory_file(const char *cgroup_file)
{
        return is_v2(cgroup_file) ? "memory.max" : "memory.limit_in_bytes";
}

const char *cgp_oom_file(const char *cgroup_file)
{
        return is_v2(cgroup_file) ? "memory.events" : "memory.oom_control";
}

long cgp_oom_kills(const char *text)
{
        const char *p = text ? strstr(text, "oom_kill ") : NULL;
        return p ? atol(p + 9) : -1;
}

/* Mount point of the v1 hierarchy with `controller`, or of cgroup2 when controller is NULL. */
static char *mount_of(const char *controller)
{
        _cleanup_free_ char *mi = th_read_file("/proc/self/mountinfo");
        _cleanup_strv_free_ char **lines = strv_split(mi, "\n", false);

        for (size_t i = 0; lines && lines[i]; i++) {
                _cleanup_strv_free_ char **f = strv_split(lines[i], " ", false);
                size_t n = strv_length(f), dash = 0;
                for (size_t k = 6; k < n; k++)
                        if (strcmp(f[k], "-") == 0)
                                dash = k;
                if (!dash || dash + 3 >= n + 1 || dash + 2 >= n)
                        continue;
                if (!controller && strcmp(f[dash + 1], "cgroup2") == 0)
                        return xstrdup(f[4]);
                if (controller && strcmp(f[dash + 1], "cgroup") == 0 && dash + 3 < n) {
                        _cleanup_strv_free_ char **opts = strv_split(f[dash + 3], ",", false);
                        if (strv_contains(opts, controller))
                                return xstrdup(f[4]);
                }
        }
        return NULL;
}

/* The path of the pod cgroup in the line of the pod file for controller (v1) or v2. */
static char *pod_path(const char *cgroup_file, const char *controller, bool *v2)
{
        _cleanup_strv_free_ char **lines = strv_split(cgroup_file, "\n", false);

        for (size_t i = 0; lines && lines[i]; i++) {
                char *c1 = strchr(lines[i], ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = 0;
                _cleanup_strv_free_ char **ctl = strv_split(c1 + 1, ",", false);
                if (strncmp(lines[i], "0:", 2) == 0 && strv_length(ctl) == 0) {
                        *v2 = true;
                        return xstrdup(c2 + 1);
                }
                if (strv_contains(ctl, controller)) {
                        *v2 = false;
                        return xstrdup(c2 + 1);
                }
        }
        return NULL;
}

char *cgp_read(const char *cgroup_file, const char *controller, const char *uuid, const char *leaf,
               const char *file)
{
        bool v2 = false;
        _cleanup_free_ char *path = cgroup_file ? pod_path(cgroup_file, controller, &v2) : NULL;
        _cleanup_free_ char *mnt = NULL, *full = NULL;

        if (!path)
                return NULL;
        cr_assert(strstr(path, uuid), "%s", path);
        mnt = mount_of(v2 ? NULL : controller);
        if (!mnt)
                return NULL;
        full = xasprintf("%s%s%s%s/%s", mnt, path, *leaf ? "/" : "", leaf, file);
        return th_read_file(full);
}

int cgp_count_dirs(const char *cgroup_file, const char *uuid)
{
        _cleanup_strv_free_ char **lines = strv_split(cgroup_file ? cgroup_file : "", "\n", false);
        int n = 0;

        for (size_t i = 0; lines && lines[i]; i++) {
                char *c1 = strchr(lines[i], ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = 0;
                _cleanup_strv_free_ char **ctl = strv_split(c1 + 1, ",", false);
                _cleanup_free_ char *mnt = mount_of(strv_length(ctl) ? ctl[0] : NULL);
                _cleanup_free_ char *dir = mnt ? xasprintf("%s%s", mnt, c2 + 1) : NULL;
                struct stat st;
                cr_assert(strstr(c2 + 1, uuid));
                if (dir && stat(dir, &st) == 0)
                        n++;
        }
        return n;
}

char *cgp_proc_cgroup(pid_t pid, const char *controller)
{
        _cleanup_free_ char *p = xasprintf("/proc/%d/cgroup", (int)pid);
        _cleanup_free_ char *text = th_read_file(p);
        _cleanup_strv_free_ char **lines = text ? strv_split(text, "\n", false) : NULL;
        char *v2 = NULL;

        for (size_t i = 0; lines && lines[i]; i++) {
                char *c1 = strchr(lines[i], ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = 0;
                _cleanup_strv_free_ char **ctl = strv_split(c1 + 1, ",", false);
                if (strv_contains(ctl, controller)) {
                        free(v2);
                        return xstrdup(c2 + 1);
                }
                if (strncmp(lines[i], "0:", 2) == 0 && strv_length(ctl) == 0 && !v2)
                        v2 = xstrdup(c2 + 1);
        }
        return v2;
}
