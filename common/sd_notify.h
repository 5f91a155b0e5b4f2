/*
 * sd_notify.h - systemd's readiness protocol without libsystemd: a datagram to the unix socket
 * named by NOTIFY_SOCKET (a path, or an abstract name starting with '@').
 *
 * systemd accepts a notification only from the unit's main process (NotifyAccess=main), so the
 * message must be sent by that process itself -- for a pod, the `ace run` PID, i.e. stage1's
 * relay, not the pod's PID 1, which is a child in another PID namespace.
 */
#pragma once

#include "common/error.h"

/* Sends text (e.g. "READY=1") when NOTIFY_SOCKET is set; 0 without it (nothing to do). */
int sd_notify_send(const char *text, struct ace_error **err);
