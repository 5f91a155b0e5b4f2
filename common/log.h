/*
 * log.h - diagnostics on stderr for the binaries (ace, actool, stage1, stage2).
 *
 * Library code logs at debug level at most; user-facing errors are printed by main() from the
 * struct ace_error it got back. Messages are one line, prefixed with the program name.
 * The only global state here is the logging setup (name, level), set once in main().
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_setup(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_debug_enabled(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
        do {                                                                                       \
                if (log_debug_enabled())                                                           \
                        log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                                     \
        } while (0)

/* Prints "<prog>: <message of err>" at error level; returns -err->code (or -EINVAL). */
int log_error_ace(const struct ace_error *err);
