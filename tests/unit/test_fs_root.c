/*
 * test_fs_root.c - the runtime's confined lookups in common/fs (fs_open_in_root,
 * fs_mkdir_p_in_root, fs_read_file_in_root, fs_open_no_symlinks), with openat2 and with the
 * forced no-openat2 fallback (ACE_TEST_NO_OPENAT2=1): an image's absolute symlinks and ".."
 * resolve inside the root, /proc magic links are refused, the fallback refuses every symlink
 * instead of ever leaving the root, a FIFO is not read, a host path with a symlink is refused.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

static char *root, *outside;
static int rootfd = -EBADF;

/* root/etc/passwd, root/link-abs -> /etc, root/link-up -> ../../.., root/fifo, and a file
 * outside the root that no lookup may reach. */
static void setup(void)
{
        root = th_mkdtemp("ace-test-fsroot");
        outside = th_mkdtemp("ace-test-fsroot-outside");
        _cleanup_free_ char *etc = xasprintf("%s/etc", root);
        _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", root);
        _cleanup_free_ char *secret = xasprintf("%s/passwd", outside);
        _cleanup_free_ char *abs = xasprintf("%s/link-abs", root);
        _cleanup_free_ char *up = xasprintf("%s/link-up", root);
        _cleanup_free_ char *out = xasprintf("%s/link-out", root);
        _cleanup_free_ char *fifo = xasprintf("%s/fifo", root);
        cr_assert_eq(mkdir(etc, 0755), 0);
        th_write_file(pw, "root:x:0:0::/:/bin/sh\n", 0644);
        th_write_file(secret, "host secret\n", 0600);
        cr_assert_eq(symlink("/etc", abs), 0);
        cr_assert_eq(symlink("../../../../../..", up), 0);
        cr_assert_eq(symlink(outside, out), 0);
        cr_assert_eq(mkfifo(fifo, 0644), 0);
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(rootfd, 0);
}

static void teardown(void)
{
        unsetenv("ACE_TEST_NO_OPENAT2");
        if (rootfd >= 0)
                close(rootfd);
        th_rm_rf(root);
        th_rm_rf(outside);
        free(root);
        free(outside);
}

TestSuite(fs_root, .init = setup, .fini = teardown);

static char *read_in_root(const char *path, int *ret)
{
        char *buf = NULL;
        struct ace_error *err = NULL;
        *ret = fs_read_file_in_root(rootfd, path, 4096, &buf, NULL, &err);
        ace_error_free(err);
        return buf;
}

Test(fs_root, symlinks_and_dotdot_resolve_inside_the_root)
{
        int r;
        _cleanup_free_ char *a = read_in_root("/link-abs/passwd", &r);
        cr_assert_eq(r, 0);
        cr_assert_str_eq(a, "root:x:0:0::/:/bin/sh\n");
        _cleanup_free_ char *b = read_in_root("link-up/etc/passwd", &r);
        cr_assert_eq(r, 0, "\"..\" stops at the root");
        cr_assert_str_eq(b, "root:x:0:0::/:/bin/sh\n");
        /* The link to the outside directory resolves inside the root, where it does not exist. */
        _cleanup_free_ char *c = read_in_root("link-out/passwd", &r);
        cr_assert_eq(r, -ENOENT);
        cr_assert_null(c);
        /* "" and "/" are the root itself. */
        int fd = fs_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0, 0);
        cr_assert_geq(fd, 0);
        close(fd);
        fd = fs_open_in_root(rootfd, "", O_PATH | O_DIRECTORY, 0, 0);
        cr_assert_geq(fd, 0);
        close(fd);
        /* FS_RESOLVE_NO_SYMLINKS: the symlinked path is refused outright. */
        cr_assert_eq(
            fs_open_in_root(rootfd, "link-abs/passwd", O_RDONLY, 0, FS_RESOLVE_NO_SYMLINKS),
            -ELOOP);
}

Test(fs_root, proc_magic_links_are_refused)
{
        _cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(proc, 0);
        /* /proc/self/root is a magic link to the host's root. */
        int fd = fs_open_in_root(proc, "self/root/etc", O_PATH, 0, 0);
        cr_assert_lt(fd, 0, "a magic link was followed");
}

Test(fs_root, fallback_refuses_every_symlink_and_dotdot)
{
        int r;

        setenv("ACE_TEST_NO_OPENAT2", "1", 1);
        _cleanup_free_ char *a = read_in_root("/etc/passwd", &r);
        cr_assert_eq(r, 0, "plain paths still work");
        cr_assert_str_eq(a, "root:x:0:0::/:/bin/sh\n");
        cr_assert_eq(fs_open_in_root(rootfd, "link-abs/passwd", O_RDONLY, 0, 0), -ELOOP);
        cr_assert_eq(fs_open_in_root(rootfd, "link-out/passwd", O_RDONLY, 0, 0), -ELOOP);
        cr_assert_eq(fs_open_in_root(rootfd, "etc/../etc/passwd", O_RDONLY, 0, 0), -EXDEV);
        /* The last component is not followed either. */
        cr_assert_lt(fs_open_in_root(rootfd, "link-out", O_RDONLY | O_DIRECTORY, 0, 0), 0);
}

Test(fs_root, mkdir_p_in_root_follows_links_only_inside)
{
        struct ace_error *err = NULL;
        /* An absolute link (an image's /var/run -> /run) is followed, inside the root. */
        int fd = fs_mkdir_p_in_root(rootfd, "/link-abs/made/here", 0755, &err);
        cr_assert_geq(fd, 0, "%s", err ? err->msg : "");
        close(fd);
        _cleanup_free_ char *in = xasprintf("%s/etc/made/here", root);
        cr_assert_eq(access(in, F_OK), 0, "%s", in);
        /* A link to a host directory resolves inside the root, where it does not exist: an
         * error, and nothing appears in the host directory. */
        cr_assert_lt(fs_mkdir_p_in_root(rootfd, "link-out/made", 0755, &err), 0);
        ace_error_free(err);
        err = NULL;
        _cleanup_free_ char *leak = xasprintf("%s/made", outside);
        cr_assert_eq(access(leak, F_OK), -1, "mkdir escaped the root");
        cr_assert_eq(fs_mkdir_p_in_root(rootfd, "etc/passwd/sub", 0755, &err), -ENOTDIR);
        ace_error_free(err);
        err = NULL;
        cr_assert_eq(fs_mkdir_p_in_root(rootfd, "a/../b", 0755, &err), -EINVAL);
        ace_error_free(err);
}

Test(fs_root, read_refuses_a_fifo_without_blocking)
{
        int r;
        _cleanup_free_ char *buf = read_in_root("fifo", &r);
        cr_assert_eq(r, -EINVAL);
        _cleanup_free_ char *big = NULL;
        struct ace_error *err = NULL;
        cr_assert_eq(fs_read_file_in_root(rootfd, "etc/passwd", 4, &big, NULL, &err), -EFBIG);
        ace_error_free(err);
}

Test(fs_root, host_paths_with_a_symlink_are_refused)
{
        _cleanup_free_ char *via_link = xasprintf("%s/link-out/passwd", root);
        _cleanup_free_ char *direct = xasprintf("%s/passwd", outside);

        for (int pass = 0; pass < 2; pass++) {
                if (pass)
                        setenv("ACE_TEST_NO_OPENAT2", "1", 1);
                int fd = fs_open_no_symlinks(AT_FDCWD, direct, O_RDONLY);
                cr_assert_geq(fd, 0, "pass %d: %d", pass, fd);
                close(fd);
                cr_assert_eq(fs_open_no_symlinks(AT_FDCWD, via_link, O_RDONLY), -ELOOP, "pass %d",
                             pass);
        }
}
