/*
 * listen_fds.h - socket activation through a pod: when `ace run` was started with sockets
 * (systemd's LISTEN_FDS/LISTEN_PID, fds from 3), they go to the app whose ports say
 * `socketActivated: true`, renumbered from 3 in the app, with LISTEN_FDS and LISTEN_PID set for
 * it (stage2 --listen-fds). Nothing else in the pod sees them: they are close-on-exec from the
 * moment the relay takes them.
 *
 * Which app: the only app with a socket-activated port gets every socket; with several, each
 * socket goes to the app whose socket-activated port matches the socket's local port, either
 * directly or through the pod manifest's exposed port (--port=NAME:HOSTPORT, as rkt's units
 * listened on the host port). A socket no app claims is closed with a warning.
 */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "stage1/ports.h"

struct listen_fds {
        int *fds;
        size_t n;
};

/* Takes the sockets if LISTEN_PID is ours; removes LISTEN_* from the environment. */
int listen_fds_take(struct listen_fds *ret, struct ace_error **err);

/* Per app (by name, in the order of app_names) the sockets it gets: ret[i] is an array of
 * ret_n[i] fds. Unclaimed sockets are closed. */
int listen_fds_assign(struct listen_fds *l, const struct pod_ports *ports, char *const *app_names,
                      size_t n_apps, int ***ret, size_t **ret_n, struct ace_error **err);
