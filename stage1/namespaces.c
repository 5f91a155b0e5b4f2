/* namespaces.c - namespace table and /proc/PID/ns helpers (namespaces.h). */
#include "stage1/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"

const struct ns_info ns_table[] = {
    {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"mnt", CLONE_NEWNS},
    {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID}, {"user", CLONE_NEWUSER},
    {"uts", CLONE_NEWUTS},
};
const size_t n_ns_table = ARRAY_SIZE(ns_table);

int ns_flag(const char *name)
{
        for (size_t i = 0; i < n_ns_table; i++)
                if (strcmp(ns_table[i].name, name) == 0)
                        return ns_table[i].flag;
        return -EINVAL;
}

int ns_open(pid_t pid, const char *name, struct ace_error **err)
{
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", path);
        return fd;
}

unsigned long long ns_inode(pid_t pid, const char *name)
{
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
        if (stat(path, &st) < 0)
                return 0;
        return (unsigned long long)st.st_ino;
}
