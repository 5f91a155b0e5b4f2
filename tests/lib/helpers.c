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

#include "common/error.h"
#include "common/fs.h"
#include "common/xalloc.h"

static char *env_path(const char *var, const char *rel)
{
        const char *base = getenv(var);

        cr_assert(base && *base, "%s is not set", var);
        return xasprintf("%s/%s", base, rel);
}

char *th_build_path(const char *rel)
{
        return env_path("ACE_BUILD", rel);
}

char *th_src_path(const char *rel)
{
        return env_path("ACE_SRC", rel);
}

char *th_mkdtemp(const char *prefix)
{
        char *t = xasprintf("/tmp/%s-XXXXXX", prefix);
        cr_assert(mkdtemp(t), "mkdtemp %s: %s", t, strerror(errno));
        return t;
}

void th_rm_rf(const char *path)
{
        struct ace_error *err = NULL;

        if (!path || !*path)
                return;
        cr_assert_eq(fs_rm_rf_at(AT_FDCWD, path, FS_RM_MISSING_OK, &err), 0, "rm -rf %s: %s", path,
                     err ? ace_error_msg(err) : "?");
}

char *th_read_file_len(const char *path, size_t *ret_len)
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
        if (ret_len)
                *ret_len = len;
        return buf;
}

char *th_read_file(const char *path)
{
        return th_read_file_len(path, NULL);
}

void th_write_data(const char *path, const void *data, size_t len, int mode)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
        cr_assert(write(fd, data, len) == (ssize_t)len, "write %s: %s", path, strerror(errno));
        cr_assert_eq(fchmod(fd, (mode_t)mode), 0, "chmod %s: %s", path, strerror(errno));
        cr_assert_eq(close(fd), 0, "close %s: %s", path, strerror(errno));
}

void th_write_file(const char *path, const char *content, int mode)
{
        th_write_data(path, content, strlen(content), mode);
}

void th_mkdir_parents(const char *path)
{
        char *p = xstrdup(path);

        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                cr_assert(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", p,
                          strerror(errno));
                *s = '/';
        }
        free(p);
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

size_t th_count_substr(const char *haystack, const char *needle)
{
        size_t n = 0, l = strlen(needle);

        for (const char *p = haystack; p && l && (p = strstr(p, needle)); p += l)
                n++;
        return n;
}

int th_mounts_containing(const char *needle)
{
        char *m = th_read_file("/proc/self/mountinfo");
        int n = (int)th_count_substr(m, needle);

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
