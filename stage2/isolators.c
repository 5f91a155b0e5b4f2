/* isolators.c - oom_score_adj, no_new_privs (isolators.h). */
#include "stage2/isolators.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"

int isolators_apply_oom_score_adj(const struct launch_spec *spec, struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        struct statfs sfs;
        char buf[16];
        int n;

        if (!spec->has_oom_score_adj)
                return 0;
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return ace_error_errno(err, errno, "open /proc/self/oom_score_adj");
        /* Write only through a verified procfs fd: an image could have shadowed /proc. */
        if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
                return ace_error_make(err, EPERM, "/proc/self/oom_score_adj is not on procfs");
        n = snprintf(buf, sizeof(buf), "%d", spec->oom_score_adj);
        if (write(fd, buf, (size_t)n) != n)
                return ace_error_errno(err, errno, "write oom_score_adj %d", spec->oom_score_adj);
        return 0;
}

int isolators_apply_no_new_privs(const struct launch_spec *spec, bool force, struct ace_error **err)
{
        if (!spec->no_new_privs && !force)
                return 0;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return ace_error_errno(err, errno, "set no_new_privs");
        return 0;
}
