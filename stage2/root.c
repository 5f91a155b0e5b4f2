/* root.c - own mount namespace + pivot_root into the app rootfs (root.h). */
#include "stage2/root.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

int root_pivot(const char *rootfs, struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;

        /* Order: (1) a mount namespace of our own, so the detach below does not touch the pod's
         * (the supervisor and sibling apps still need their view); with it a cgroup namespace
         * rooted at the app's cgroup (stage1 moved us there before exec), so that the app's
         * /proc/self/cgroup says "/" and matches its read-only /sys/fs/cgroup; (2) keep every
         * mount private, so nothing we do propagates back to the pod; (3) pivot with new root ==
         * put_old and detach the old root stacked on top: the old tree becomes unreachable. */
        if (unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
                return ace_error_errno(err, errno, "unshare mount and cgroup namespaces");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return ace_error_errno(err, errno, "make mounts private");
        fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "open app root %s", rootfs);
        if (fchdir(fd) < 0)
                return ace_error_errno(err, errno, "chdir %s", rootfs);
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return ace_error_errno(err, errno, "pivot_root into %s", rootfs);
        if (umount2(".", MNT_DETACH) < 0)
                return ace_error_errno(err, errno, "detach old root");
        if (chdir("/") < 0)
                return ace_error_errno(err, errno, "chdir /");
        return 0;
}
