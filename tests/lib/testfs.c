/* testfs.c - test helpers for file trees (see testfs.h). */
#include "tests/lib/testfs.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

static void snap(const char *root, const char *rel, char ***lines)
{
        char *full = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
        struct stat st;

        if (lstat(full, &st) < 0) {
                *lines = strv_push_take(*lines, xasprintf("%s missing", rel));
                free(full);
                return;
        }
        char extra[512] = "";
        if (S_ISLNK(st.st_mode)) {
                ssize_t n = readlink(full, extra, sizeof(extra) - 1);
                extra[n > 0 ? n : 0] = '\0';
        } else if (S_ISREG(st.st_mode)) {
                char *c = th_read_file(full);
                snprintf(extra, sizeof(extra), "%s", c ? c : "?");
                free(c);
        }
        *lines = strv_push_take(*lines, xasprintf("%s type=%o mode=%o uid=%u gid=%u size=%lld "
                                                  "nlink=%lu mtime=%lld [%s]",
                                                  rel, st.st_mode & S_IFMT, st.st_mode & 07777,
                                                  st.st_uid, st.st_gid, (long long)st.st_size,
                                                  (unsigned long)st.st_nlink,
                                                  (long long)st.st_mtime, extra));
        if (S_ISDIR(st.st_mode)) {
                DIR *d = opendir(full);
                struct dirent *de;
                while (d && (de = readdir(d))) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                continue;
                        char *child =
                            *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
                        snap(root, child, lines);
                        free(child);
                }
                if (d)
                        closedir(d);
        }
        free(full);
}

char *test_tree_snapshot(const char *path)
{
        char **lines = NULL;
        char *s;

        snap(path, "", &lines);
        strv_sort(lines);
        s = strv_join(lines, "\n");
        strv_free(lines);
        return s;
}

char *test_make_canary(const char *parent)
{
        char *c = xasprintf("%s/canary", parent);
        char *f;

        cr_assert_eq(mkdir(c, 0755), 0, "mkdir %s: %m", c);
        f = xasprintf("%s/passwd", c);
        th_write_file(f, "root:x:0:0::/root:/bin/sh\n", 0644);
        free(f);
        f = xasprintf("%s/perm400", c);
        th_write_file(f, "secret\n", 0400);
        free(f);
        f = xasprintf("%s/sub", c);
        cr_assert_eq(mkdir(f, 0700), 0, "mkdir %s: %m", f);
        free(f);
        return c;
}
