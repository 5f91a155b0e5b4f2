/*
 * listen.c - the service's two listening sockets: taken from systemd (socket activation,
 * sd_listen_fds(3) semantics, no libsystemd) or made here. See mds.h.
 */
#include "stage0/mds/mds.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#define SD_LISTEN_FDS_START 3

/* The sockets systemd passed us, by family. */
static int take_activated(struct mds_listeners *l, struct ace_error **err)
{
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        long n = fds ? strtol(fds, NULL, 10) : 0;

        if (!pid || strtol(pid, NULL, 10) != (long)getpid() || n <= 0)
                n = 0;
        for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
                struct sockaddr_storage ss;
                socklen_t sl = sizeof(ss);
                if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
                        return ace_error_errno(err, errno, "passed fd %d is not a socket", fd);
                (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
                if (ss.ss_family == AF_UNIX && l->control < 0) {
                        l->control = fd;
                } else if ((ss.ss_family == AF_INET || ss.ss_family == AF_INET6) && l->tcp < 0) {
                        l->tcp = fd;
                        l->port = ntohs(ss.ss_family == AF_INET
                                            ? ((struct sockaddr_in *)&ss)->sin_port
                                            : ((struct sockaddr_in6 *)&ss)->sin6_port);
                } else {
                        log_warn("ignoring passed fd %d", fd);
                }
        }
        /* Not for our children (none are expected, but stay clean). */
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        return 0;
}

static int open_tcp(int port, struct ace_error **err)
{
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port),
                                 .sin_addr = {.s_addr = htonl(INADDR_ANY)}};
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;

        if (fd < 0)
                return ace_error_errno(err, errno, "socket");
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return ace_error_errno(err, errno, "listen on port %d", port);
        if (listen(fd, 1024) < 0)
                return ace_error_errno(err, errno, "listen on port %d", port);
        return TAKE_FD(fd);
}

/* A live socket at path means another service; a dead one is a leftover to replace. */
static int clear_stale(const struct sockaddr_un *sa, struct ace_error **err)
{
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return ace_error_errno(err, errno, "socket");
        if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
                return ace_error_make(err, EADDRINUSE, "another metadata service is running on %s",
                                      sa->sun_path);
        if (errno == ECONNREFUSED && unlink(sa->sun_path) < 0 && errno != ENOENT)
                return ace_error_errno(err, errno, "remove stale %s", sa->sun_path);
        return 0;
}

static int open_control(const char *path, struct ace_error **err)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        _cleanup_free_ char *dir = xstrdup(path);
        _cleanup_close_ int fd = -EBADF;
        char *slash = strrchr(dir, '/');
        mode_t old;
        int r;

        if (strlen(path) >= sizeof(sa.sun_path) || !slash)
                return ace_error_make(err, EINVAL, "bad socket path %s", path);
        strcpy(sa.sun_path, path);
        *slash = 0;
        if (*dir && mkdir(dir, 0755) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir %s", dir);
        if ((r = clear_stale(&sa, err)) < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return ace_error_errno(err, errno, "socket");
        /* Born 0600: no window in which another user could connect. */
        old = umask(0177);
        r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        umask(old);
        if (r < 0)
                return ace_error_errno(err, errno, "bind %s", path);
        if (listen(fd, 64) < 0)
                return ace_error_errno(err, errno, "listen on %s", path);
        return TAKE_FD(fd);
}

int mds_listeners_open(const struct mds_config *cfg, struct mds_listeners *ret,
                       struct ace_error **err)
{
        struct mds_listeners l = {.tcp = -1, .control = -1};
        int r;

        if ((r = take_activated(&l, err)) < 0)
                goto fail;
        if (l.tcp < 0) {
                if ((r = l.tcp = open_tcp(cfg->port, err)) < 0)
                        goto fail;
                l.port = cfg->port;
        }
        if (l.control < 0) {
                if ((r = l.control = open_control(cfg->socket_path, err)) < 0)
                        goto fail;
                l.control_path_created = xstrdup(cfg->socket_path);
        }
        *ret = l;
        return 0;
fail:
        mds_listeners_close(&l);
        return r;
}

void mds_listeners_close(struct mds_listeners *l)
{
        if (l->control_path_created)
                (void)unlink(l->control_path_created);
        free(l->control_path_created);
        if (l->tcp >= 0)
                close(l->tcp);
        if (l->control >= 0)
                close(l->control);
        *l = (struct mds_listeners){.tcp = -1, .control = -1};
}
