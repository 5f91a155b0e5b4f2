/* listen_fds.c - passing socket-activation sockets to the right app (listen_fds.h). */
#include "stage1/listen_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xalloc.h"

#define SD_LISTEN_FDS_START 3

int listen_fds_take(struct listen_fds *ret, struct ace_error **err)
{
        const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
        long n = fds ? strtol(fds, NULL, 10) : 0;

        *ret = (struct listen_fds){0};
        if (pid && strtol(pid, NULL, 10) == (long)getpid() && n > 0) {
                if (n > 256)
                        return ace_error_make(err, EINVAL, "LISTEN_FDS=%ld is too many", n);
                ret->fds = xcalloc((size_t)n, sizeof(int));
                for (int i = 0; i < n; i++) {
                        int fd = SD_LISTEN_FDS_START + i;
                        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                                return ace_error_errno(err, errno, "passed fd %d", fd);
                        ret->fds[ret->n++] = fd;
                }
        }
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        return 0;
}

static unsigned local_port(int fd)
{
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);

        if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
                return 0;
        if (ss.ss_family == AF_INET)
                return ntohs(((struct sockaddr_in *)&ss)->sin_port);
        if (ss.ss_family == AF_INET6)
                return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        return 0;
}

/* The app a socket on `port` belongs to, or NULL. */
static const char *claim(const struct pod_ports *ports, unsigned port, bool only_one,
                         const char *only)
{
        if (only_one)
                return only;
        for (size_t i = 0; i < ports->n; i++) {
                const struct pod_port *p = &ports->items[i];
                if (p->socket_activated && port &&
                    ((port >= p->port && port < p->port + p->count) ||
                     (p->host_port && port >= p->host_port && port < p->host_port + p->count)))
                        return p->app;
        }
        return NULL;
}

int listen_fds_assign(struct listen_fds *l, const struct pod_ports *ports, char *const *app_names,
                      size_t n_apps, int ***ret, size_t **ret_n, struct ace_error **err)
{
        int **fds = xcalloc(n_apps + 1, sizeof(*fds));
        size_t *n = xcalloc(n_apps + 1, sizeof(*n));
        const char *only = NULL;
        size_t activated_apps = 0;

        (void)err;
        for (size_t a = 0; a < n_apps; a++)
                for (size_t i = 0; i < ports->n; i++)
                        if (ports->items[i].socket_activated &&
                            strcmp(ports->items[i].app, app_names[a]) == 0) {
                                activated_apps++;
                                only = app_names[a];
                                break;
                        }
        for (size_t i = 0; i < l->n; i++) {
                const char *app = claim(ports, local_port(l->fds[i]), activated_apps == 1, only);
                size_t a = 0;
                while (app && a < n_apps && strcmp(app_names[a], app) != 0)
                        a++;
                if (!app || a == n_apps) {
                        log_warn("no app claims passed socket %d (port %u): closed", l->fds[i],
                                 local_port(l->fds[i]));
                        close(l->fds[i]);
                        continue;
                }
                fds[a] = xrealloc(fds[a], (n[a] + 1) * sizeof(int));
                fds[a][n[a]++] = l->fds[i];
        }
        free(l->fds);
        *l = (struct listen_fds){0};
        *ret = fds;
        *ret_n = n;
        return 0;
}
