/* log.c - stderr diagnostics (see log.h). */
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *log_progname = "ace";
static enum log_level log_level = LOG_LEVEL_INFO;

void log_setup(const char *progname, enum log_level level)
{
        if (progname)
                log_progname = progname;
        log_level = level;
}

void log_set_level(enum log_level level)
{
        log_level = level;
}

enum log_level log_get_level(void)
{
        return log_level;
}

bool log_debug_enabled(void)
{
        return log_level >= LOG_LEVEL_DEBUG;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        va_list ap;
        int saved = errno;
        char buf[4096];
        const char *tag = level == LOG_LEVEL_WARN ? "warning: " : "";

        if (level > log_level)
                return;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        /* One fprintf so lines from concurrent processes do not interleave mid-line. */
        fprintf(stderr, "%s: %s%s\n", log_progname, tag, buf);
        errno = saved;
}

int log_error_ace(const struct ace_error *err)
{
        log_msg(LOG_LEVEL_ERROR, "%s", ace_error_msg(err));
        return err ? -err->code : -EINVAL;
}
