/*
 * logs.h - an app's stdout/stderr as the supervisor relays it: copied as it arrives to the run
 * process's own stdout/stderr (so a systemd unit's journal gets it) and appended to
 * `logs/<app>.log` in the pod directory, rotated once to `logs/<app>.log.1` when it would grow
 * past the size bound, so a chatty app cannot fill the disk (reliability §3b.16).
 */
#pragma once

#include <stddef.h>

#include "common/error.h"

struct log_sink {
        int podfd;
        char *path;  /* logs/<app>.log */
        char *path1; /* logs/<app>.log.1 */
        int fd;
        size_t size;
        size_t max;
};

int log_sink_open(struct log_sink *s, int podfd, const char *app, size_t max,
                  struct ace_error **err);
/* Copies n bytes to out_fd (1 or 2) and to the log file, rotating at max bytes. Write errors are
 * not fatal to the pod: output is best effort, the app must never block on a full disk. */
void log_sink_write(struct log_sink *s, int out_fd, const char *buf, size_t n);
void log_sink_close(struct log_sink *s);
