/* netns.c - the pod's network namespace pinned under /run/netns (netns.h). */
#include "stage1/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "stage1/netlink.h"

char *netns_path(const char *uuid)
{
        return xasprintf("%s/ace-%s", NETNS_RUN_DIR, uuid);
}

/* /run/netns as a shared mount point, as `ip netns add` leaves it. Serialised by a flock on the
 * directory, so two pods starting together do not stack two self-binds. */
static int prepare_run_dir(struct ace_error **err)
{
        _cleanup_close_ int dfd = -EBADF;

        if (mkdir("/run", 0755) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir /run");
        if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir %s", NETNS_RUN_DIR);
        dfd = open(NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return ace_error_errno(err, errno, "open %s", NETNS_RUN_DIR);
        if (flock(dfd, LOCK_EX) < 0)
                return ace_error_errno(err, errno, "lock %s", NETNS_RUN_DIR);
        if (mount(NULL, NETNS_RUN_DIR, NULL, MS_SHARED | MS_REC, NULL) == 0)
                return 0;
        if (errno != EINVAL)
                return ace_error_errno(err, errno, "make %s shared", NETNS_RUN_DIR);
        /* EINVAL: not a mount point yet. */
        if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
            mount(NULL, NETNS_RUN_DIR, NULL, MS_SHARED | MS_REC, NULL) < 0)
                return ace_error_errno(err, errno, "make %s a shared mount point", NETNS_RUN_DIR);
        return 0;
}

/* In the new namespace: pin it at path, loopback up, and an fd of it. */
static int populate(const char *path, int *ret_fd, struct ace_error **err)
{
        int r;

        if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
                return ace_error_errno(err, errno, "bind the network namespace on %s", path);
        if ((r = netlink_loopback_up(err)) < 0)
                return r;
        *ret_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (*ret_fd < 0)
                return ace_error_errno(err, errno, "open the new network namespace");
        return 0;
}

int netns_create(const char *path, int *ret_fd, struct ace_error **err)
{
        _cleanup_close_ int orig = -EBADF, fd = -EBADF;
        int r, nsfd = -EBADF;

        if ((r = prepare_run_dir(err)) < 0)
                return r;
        fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
        if (fd < 0)
                return ace_error_errno(err, errno, "create %s", path);
        closep(&fd);
        orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (orig < 0) {
                r = ace_error_errno(err, errno, "open our network namespace");
                goto fail;
        }
        if (unshare(CLONE_NEWNET) < 0) {
                r = ace_error_errno(err, errno, "create a network namespace");
                goto fail;
        }
        r = populate(path, &nsfd, err);
        /* Back home whatever happened: every later step (CNI plugins) runs in the host's. */
        if (setns(orig, CLONE_NEWNET) < 0) {
                log_error("cannot return to the host network namespace: %m");
                _exit(254);
        }
        if (r < 0) {
                closep(&nsfd);
                goto fail;
        }
        *ret_fd = nsfd;
        return 0;
fail:
        (void)umount2(path, MNT_DETACH);
        (void)unlink(path);
        return r;
}

int netns_remove(const char *path, struct ace_error **err)
{
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return ace_error_errno(err, errno, "unmount %s", path);
        if (unlink(path) < 0 && errno != ENOENT)
                return ace_error_errno(err, errno, "remove %s", path);
        return 0;
}

int netns_hide(struct ace_error **err)
{
        if (umount2(NETNS_RUN_DIR, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return ace_error_errno(err, errno, "detach %s in the pod", NETNS_RUN_DIR);
        return 0;
}
