/*
 * test_pod_export_merge.c - the user-space overlay merge behind `ace export`: upper files
 * replace lower ones, whiteouts delete, opaque directories hide lower content, overlayfs
 * xattrs are dropped; and the merge equals what the kernel's overlayfs shows for the same
 * lower and upper (root: mknod of whiteouts, trusted.* xattrs, mount -t overlay).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "stage0/pod_export.h"
#include "tests/lib/helpers.h"

static char *base;

static void setup(void)
{
        base = th_mkdtemp("ace-merge");
}

static void teardown(void)
{
        th_rm_rf(base);
        free(base);
}

TestSuite(overlay_merge, .init = setup, .fini = teardown);

static char *p(const char *rel)
{
        return xasprintf("%s/%s", base, rel);
}

static void mk(const char *rel)
{
        char *x = p(rel);
        cr_assert_eq(mkdir(x, 0755), 0, "mkdir %s: %m", x);
        free(x);
}

static void put(const char *rel, const char *data)
{
        char *x = p(rel);
        th_write_file(x, data, 0644);
        free(x);
}

/* A listing of a tree (find -printf of type, path, and content for files). */
static char *listing(const char *dir)
{
        char *cmd = xasprintf("cd %s && find . -mindepth 1 | LC_ALL=C sort | while read f; do "
                              "if [ -f \"$f\" ]; then echo \"$f=$(cat \"$f\")\"; "
                              "elif [ -L \"$f\" ]; then echo \"$f->$(readlink \"$f\")\"; "
                              "else echo \"$f/\"; fi; done",
                              dir);
        FILE *f = popen(cmd, "r");
        char buf[65536];
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        pclose(f);
        free(cmd);
        return xstrdup(buf);
}

Test(overlay_merge, matches_kernel_overlayfs)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        mk("lower");
        mk("upper");
        mk("work");
        mk("mnt");
        mk("merged");
        /* lower: a, b, d/x, d/y, e/z, link */
        put("lower/a", "lower-a");
        put("lower/b", "lower-b");
        mk("lower/d");
        put("lower/d/x", "lower-x");
        put("lower/d/y", "lower-y");
        mk("lower/e");
        put("lower/e/z", "lower-z");
        char *l = p("lower/link");
        cr_assert_eq(symlink("a", l), 0);
        free(l);
        /* upper: a replaced, b whiteout, d/x replaced, d/new added, e opaque with e/w,
         * file f new, link replaced by a file. */
        put("upper/a", "upper-a");
        char *wb = p("upper/b");
        cr_assert_eq(mknod(wb, S_IFCHR | 0000, makedev(0, 0)), 0, "mknod: %m");
        free(wb);
        mk("upper/d");
        put("upper/d/x", "upper-x");
        put("upper/d/new", "upper-new");
        mk("upper/e");
        char *e = p("upper/e");
        cr_assert_eq(setxattr(e, "trusted.overlay.opaque", "y", 1, 0), 0, "setxattr: %m");
        free(e);
        put("upper/e/w", "upper-w");
        put("upper/f", "upper-f");
        put("upper/link", "now-a-file");

        /* The kernel's view. */
        char *opts =
            xasprintf("lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", base, base, base);
        char *mnt = p("mnt");
        cr_assert_eq(mount("overlay", mnt, "overlay", 0, opts), 0, "mount overlay: %m");
        char *kernel = listing(mnt);
        umount2(mnt, MNT_DETACH);

        /* Ours: copy lower, merge upper. */
        char *cp = xasprintf("cp -a %s/lower/. %s/merged/", base, base);
        cr_assert_eq(system(cp), 0);
        char *up = p("upper"), *mg = p("merged");
        int ufd = open(up, O_RDONLY | O_DIRECTORY), mfd = open(mg, O_RDONLY | O_DIRECTORY);
        struct ace_error *err = NULL;
        cr_assert_eq(overlay_merge(ufd, mfd, &err), 0, "%s", ace_error_msg(err));
        char *ours = listing(mg);
        cr_expect_str_eq(ours, kernel);
        cr_expect(strstr(ours, "./b") == NULL, "whiteout did not delete: %s", ours);
        cr_expect(strstr(ours, "./e/z") == NULL, "opaque dir leaked lower content: %s", ours);
        char *ez = p("merged/e");
        char v[8];
        cr_expect_lt(lgetxattr(ez, "trusted.overlay.opaque", v, sizeof(v)), 0,
                     "overlay xattr kept in the merge");
        free(ez);
        close(ufd);
        close(mfd);
        free(kernel);
        free(ours);
        free(cp);
        free(up);
        free(mg);
        free(opts);
        free(mnt);
}
