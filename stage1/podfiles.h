/*
 * podfiles.h - the files stage1 writes into the pod directory (ABI "stage1 writes"): each one
 * appears whole (written to a temporary name, then renamed), so a reader (`ace status`, `enter`)
 * never sees a half-written pid. Paths are relative to the pod directory fd.
 */
#pragma once

#include <sys/types.h>

#include "common/error.h"

int podfile_write(int podfd, const char *path, const char *content, struct ace_error **err);
/* Creates (or truncates) an empty marker file; its mtime is the event time. */
int podfile_touch(int podfd, const char *path, struct ace_error **err);
int podfile_write_pid(int podfd, const char *path, pid_t pid, struct ace_error **err);
/* Reads a decimal pid written by podfile_write_pid(). */
int podfile_read_pid(int podfd, const char *path, pid_t *ret, struct ace_error **err);
