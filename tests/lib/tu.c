/* tu.c - helpers for tests (see tu.h). */
#include "tests/lib/tu.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/xalloc.h"

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

char *tu_mkdtemp(const char *prefix)
{
        char *p = xasprintf("/tmp/%s-XXXXXX", prefix);
        cr_assert_not_null(mkdtemp(p), "mkdtemp %s: %s", p, strerror(errno));
        return p;
}

void tu_rm_rf(const char *path)
{
        if (path && *path)
                tu_run("rm -rf '%s'", path);
}

char *tu_read_file(const char *path, size_t *len)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n = 0, cap = 0;

        if (!f)
                return NULL;
        for (;;) {
                buf = xgrow(buf, &cap, n + 4097, 1);
                size_t r = fread(buf + n, 1, cap - n - 1, f);
                if (r == 0)
                        break;
                n += r;
        }
        buf[n] = '\0';
        fclose(f);
        if (len)
                *len = n;
        return buf;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
        char *dir = xstrdup(path), *slash = strrchr(dir, '/');
        FILE *f;

        if (slash && slash != dir) {
                *slash = '\0';
                tu_run("mkdir -p '%s'", dir);
        }
        free(dir);
        f = fopen(path, "we");
        cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
        cr_assert_eq(fwrite(data, 1, len, f), len);
        cr_assert_eq(fclose(f), 0);
}

void tu_write_str(const char *path, const char *s)
{
        tu_write_file(path, s, strlen(s));
}

char *tu_build_path(const char *name)
{
        const char *b = getenv("ACE_BUILD");
        cr_assert(b && *b, "ACE_BUILD is not set");
        return xasprintf("%s/%s", b, name);
}

char *tu_src_path(const char *rel)
{
        const char *s = getenv("ACE_SRC");
        cr_assert(s && *s, "ACE_SRC is not set");
        return xasprintf("%s/%s", s, rel);
}

size_t tu_count_lines(const char *path, const char *needle)
{
        char *buf = tu_read_file(path, NULL), *line, *save = NULL;
        size_t n = 0;

        if (!buf)
                return 0;
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (strstr(line, needle))
                        n++;
        free(buf);
        return n;
}
