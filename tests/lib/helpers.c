/* helpers.c - test utilities (helpers.h). */
#include "tests/lib/helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/xalloc.h"

char *th_build_path(const char *rel)
{
        const char *b = getenv("ACE_BUILD");
        return xasprintf("%s/%s", b && *b ? b : "build", rel);
}

char *th_src_path(const char *rel)
{
        const char *s = getenv("ACE_SRC");
        return xasprintf("%s/%s", s && *s ? s : ".", rel);
}

char *th_mkdtemp(const char *prefix)
{
        char *t = xasprintf("/tmp/%s-XXXXXX", prefix);
        cr_assert(mkdtemp(t), "mkdtemp: %s", strerror(errno));
        return t;
}

char *th_read_file(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t len = 0, cap = 0, n;

        if (!f)
                return NULL;
        do {
                buf = xgrow(buf, &cap, len + 4097, 1);
                n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        fclose(f);
        buf[len] = 0;
        return buf;
}

void th_write_file(const char *path, const char *content, int mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        size_t len = strlen(content);

        cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
        cr_assert(write(fd, content, len) == (ssize_t)len);
        close(fd);
}

bool th_exists(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0;
}

char *th_kv_nth(const char *text, const char *key, int n)
{
        size_t klen = strlen(key);

        for (const char *p = text; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=' && n-- == 0)
                        return xstrndup(p + klen + 1, len - klen - 1);
                p = nl ? nl + 1 : NULL;
        }
        return NULL;
}

char *th_kv(const char *text, const char *key)
{
        return th_kv_nth(text, key, 0);
}

int th_count_prefix(const char *text, const char *prefix)
{
        size_t plen = strlen(prefix);
        int n = 0;

        for (const char *p = text; p && *p;) {
                if (strncmp(p, prefix, plen) == 0)
                        n++;
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return n;
}

int th_mounts_containing(const char *needle)
{
        char *m = th_read_file("/proc/self/mountinfo");
        int n = 0;

        for (char *p = m; p && (p = strstr(p, needle)); p += strlen(needle))
                n++;
        free(m);
        return n;
}

bool th_wait_file(const char *path, int timeout_ms)
{
        struct timespec ts = {0, 5 * 1000 * 1000};

        for (int waited = 0; waited <= timeout_ms; waited += 5) {
                if (th_exists(path))
                        return true;
                nanosleep(&ts, NULL);
        }
        return false;
}

bool th_has_cap(int cap)
{
        char *status = th_read_file("/proc/self/status");
        char *p = status ? strstr(status, "CapEff:") : NULL;
        unsigned long long eff = p ? strtoull(p + 7, NULL, 16) : 0;

        free(status);
        return (eff >> cap) & 1;
}
