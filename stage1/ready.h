/*
 * ready.h - `Type=notify` for pods: READY=1 to systemd once every app has been started.
 *
 * The supervisor knows when the apps are started, but systemd only accepts notifications from
 * the unit's main process -- the `ace run` PID, which is stage1's relay, in the host's PID
 * namespace. So the supervisor writes one byte on a pipe; the pipe's read end is O_ASYNC with
 * F_SETSIG, so the byte arrives in the relay as a queued realtime signal that its sigwaitinfo()
 * loop already handles, and the relay sends READY=1 (common/sd_notify.h). Only set up when
 * NOTIFY_SOCKET is set.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "common/error.h"

/* The signal the relay receives: SIGRTMIN + 1 (not a constant expression). */
int ready_signal(void);

/* In the relay, before the fork: fds[0] (read, O_ASYNC towards us) and fds[1] (the
 * supervisor's). -1s when NOTIFY_SOCKET is unset. */
int ready_channel_open(int fds[2], struct ace_error **err);

/* In the relay, on ready_signal(): drain the pipe, notify systemd (once). */
void ready_notify(int fd, bool *sent);
