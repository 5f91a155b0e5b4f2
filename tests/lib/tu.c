/* tu.c - helpers for tests (see tu.h). */
#include "tests/lib/tu.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/xalloc.h"
#include "tests/lib/helpers.h"

static int status_of(int st)
{
        if (st == -1)
                return -1;
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return -1;
}

int tu_sh(const char *fmt, ...)
{
        va_list ap;
        char *cmd;
        int st;

        va_start(ap, fmt);
        cmd = xvasprintf(fmt, ap);
        va_end(ap);
        fflush(stdout);
        fflush(stderr);
        st = system(cmd);
        free(cmd);
        return status_of(st);
}

void tu_run(const char *fmt, ...)
{
        va_list ap;
        char *cmd;
        int st;

        va_start(ap, fmt);
        cmd = xvasprintf(fmt, ap);
        va_end(ap);
        fflush(stdout);
        fflush(stderr);
        st = status_of(system(cmd));
        cr_assert_eq(st, 0, "command failed (%d): %s", st, cmd);
        free(cmd);
}

char *tu_capture(int *ret_status, const char *fmt, ...)
{
        va_list ap;
        char *cmd, *buf = NULL;
        size_t len = 0, cap = 0;
        FILE *p;
        int st;

        va_start(ap, fmt);
        cmd = xvasprintf(fmt, ap);
        va_end(ap);
        fflush(stdout);
        fflush(stderr);
        p = popen(cmd, "re");
        cr_assert_not_null(p, "popen %s", cmd);
        for (;;) {
                buf = xgrow(buf, &cap, len + 4097, 1);
                size_t n = fread(buf + len, 1, cap - len - 1, p);
                if (n == 0)
                        break;
                len += n;
        }
        buf[len] = '\0';
        st = status_of(pclose(p));
        if (ret_status)
                *ret_status = st;
        free(cmd);
        return buf;
}

size_t tu_count_lines(const char *path, const char *needle)
{
        char *buf = th_read_file(path), *line, *save = NULL;
        size_t n = 0;

        if (!buf)
                return 0;
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (strstr(line, needle))
                        n++;
        free(buf);
        return n;
}
