/*
 * test_fs.c - openat-safe helpers: beneath-resolution (openat2 and the forced fallback),
 * mkdir -p without following links, bounded reads, atomic writes, rm -rf that neither follows
 * symlinks nor crosses mounts, metadata-preserving tree copy, entry name normalisation.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/testfs.h"

static char *P(const char *a, const char *b)
{
        return xasprintf("%s/%s", a, b);
}

static int dirfd_of(const char *p)
{
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert(fd >= 0, "open %s", p);
        return fd;
}

Test(fs, normalize_table)
{
        static const struct {
                const char *in, *out; /* out NULL: refused */
        } t[] = {
            {"manifest", "manifest"},
            {"./manifest", "manifest"},
            {"rootfs/", "rootfs"},
            {"./rootfs//a/./b/", "rootfs/a/b"},
            {"./", "."},
            {".", "."},
            {"a/..b/c..", "a/..b/c.."},
            {"/etc/passwd", NULL},
            {"../x", NULL},
            {"rootfs/../x", NULL},
            {"rootfs/a/..", NULL},
            {"", NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
                char *out = NULL;
                struct ace_error *err = NULL;
                int r = fs_path_normalize_relative(t[i].in, &out, &err);
                if (t[i].out) {
                        cr_assert_eq(r, 0, "%s refused: %s", t[i].in, err ? err->msg : "");
                        cr_assert_str_eq(out, t[i].out, "%s", t[i].in);
                } else {
                        cr_assert_eq(r, -EINVAL, "%s accepted", t[i].in);
                        if (*t[i].in)
                                cr_assert(strstr(err->msg, t[i].in), "%s", err->msg);
                }
                free(out);
                ace_error_free(err);
        }
        cr_assert_eq(fs_path_depth("."), 0);
        cr_assert_eq(fs_path_depth("a"), 1);
        cr_assert_eq(fs_path_depth("rootfs/a/b"), 3);
}

/* A root with: dir/, file, abs -> /etc (host), up -> ../../.. , inner -> dir */
static char *make_root(const char *base)
{
        char *root = P(base, "root");
        _cleanup_free_ char *d = P(root, "dir"), *f = P(root, "dir/file"), *abs = P(root, "abs"),
                            *up = P(root, "up"), *inner = P(root, "inner");
        cr_assert_eq(mkdir(root, 0755), 0);
        cr_assert_eq(mkdir(d, 0755), 0);
        th_write_file(f, "inside", 0644);
        cr_assert_eq(symlink("/etc", abs), 0);
        cr_assert_eq(symlink("../../..", up), 0);
        cr_assert_eq(symlink("dir", inner), 0);
        return root;
}

static void beneath_checks(bool fallback)
{
        _cleanup_free_ char *base = th_mkdtemp("ace-test-beneath");
        _cleanup_free_ char *root = make_root(base);
        int rfd = dirfd_of(root);
        struct ace_error *err = NULL;
        int fd;

        if (fallback)
                setenv("ACE_TEST_NO_OPENAT2", "1", 1);
        else
                unsetenv("ACE_TEST_NO_OPENAT2");
        cr_assert_eq(fs_openat2_disabled(), fallback);

        fd = fs_openat_beneath(rfd, "dir/file", O_RDONLY, 0, &err);
        cr_assert_geq(fd, 0, "%s", err ? err->msg : "");
        close(fd);
        /* Never reaches the host's /etc/passwd. */
        fd = fs_openat_beneath(rfd, "abs/passwd", O_RDONLY, 0, &err);
        cr_assert_lt(fd, 0, "followed an absolute symlink out of the root");
        ace_error_freep(&err);
        fd = fs_openat_beneath(rfd, "up/etc/passwd", O_RDONLY, 0, &err);
        cr_assert_lt(fd, 0, "followed ../ out of the root");
        ace_error_freep(&err);
        fd = fs_openat_beneath(rfd, "../root/dir/file", O_RDONLY, 0, &err);
        if (fallback) {
                cr_assert_eq(fd, -EXDEV, "fallback must refuse ..");
                ace_error_freep(&err);
        } else {
                /* RESOLVE_IN_ROOT: ".." stops at the root, so this is root/root/... = ENOENT. */
                cr_assert_lt(fd, 0);
                ace_error_freep(&err);
        }
        /* NO_SYMLINKS: a symlink anywhere is ELOOP, even one that stays inside. */
        fd = fs_openat_beneath_flags(rfd, "inner/file", O_RDONLY, 0, FS_RESOLVE_NO_SYMLINKS, &err);
        cr_assert_eq(fd, -ELOOP, "%d", fd);
        cr_assert(strstr(err->msg, "symlink"), "%s", err->msg);
        ace_error_freep(&err);
        /* O_PATH|O_NOFOLLOW on a final symlink opens the link itself. */
        fd = fs_openat_beneath_flags(rfd, "abs", O_PATH | O_NOFOLLOW, 0, FS_RESOLVE_NO_SYMLINKS,
                                     &err);
        cr_assert_geq(fd, 0, "%s", err ? err->msg : "");
        struct stat st;
        cr_assert_eq(fstat(fd, &st), 0);
        cr_assert(S_ISLNK(st.st_mode));
        close(fd);
        /* Creating through a symlinked parent is refused. */
        fd = fs_openat_beneath_flags(rfd, "abs/evil", O_WRONLY | O_CREAT | O_EXCL, 0644,
                                     FS_RESOLVE_NO_SYMLINKS, &err);
        cr_assert_lt(fd, 0);
        ace_error_freep(&err);
        cr_assert(access("/etc/evil", F_OK) != 0);
        close(rfd);
        th_rm_rf(base);
}

Test(fs, openat_beneath)
{
        beneath_checks(false);
}

Test(fs, openat_beneath_fallback)
{
        beneath_checks(true);
}

Test(fs, openat_beneath_in_root_resolves_absolute_links_inside)
{
        _cleanup_free_ char *base = th_mkdtemp("ace-test-inroot");
        _cleanup_free_ char *root = make_root(base);
        _cleanup_free_ char *etc = P(root, "etc");
        _cleanup_free_ char *pw = P(root, "etc/passwd");
        int rfd = dirfd_of(root);
        char buf[32] = {0};

        if (fs_openat2_disabled())
                cr_skip_test("openat2 disabled");
        cr_assert_eq(mkdir(etc, 0755), 0);
        th_write_file(pw, "image passwd", 0644);
        /* abs -> /etc resolves to root/etc, as chroot would. */
        int fd = fs_openat_beneath(rfd, "abs/passwd", O_RDONLY, 0, NULL);
        cr_assert_geq(fd, 0);
        cr_assert_gt(read(fd, buf, sizeof(buf) - 1), 0);
        cr_assert_str_eq(buf, "image passwd");
        close(fd);
        close(rfd);
        th_rm_rf(base);
}

Test(fs, mkdir_p_never_follows)
{
        _cleanup_free_ char *base = th_mkdtemp("ace-test-mkdirp");
        _cleanup_free_ char *root = make_root(base);
        _cleanup_free_ char *canary = test_make_canary(base);
        _cleanup_free_ char *link = P(root, "tocanary");
        _cleanup_free_ char *before = test_tree_snapshot(canary);
        int rfd = dirfd_of(root), fd = -1;
        struct ace_error *err = NULL;
        struct stat st;

        cr_assert_eq(symlink(canary, link), 0);
        cr_assert_eq(fs_mkdir_p_at(rfd, "a/b/c", 0750, 0, &fd, &err), 0);
        cr_assert_eq(fstat(fd, &st), 0);
        cr_assert(S_ISDIR(st.st_mode));
        close(fd);
        cr_assert_eq(fs_mkdir_p_at(rfd, "a/b/c", 0750, 0, NULL, &err), 0, "idempotent");
        cr_assert_eq(fs_mkdir_p_at(rfd, "tocanary/x", 0755, 0, NULL, &err), -ENOTDIR);
        cr_assert(strstr(err->msg, "symlink"), "%s", err->msg);
        ace_error_freep(&err);
        cr_assert_eq(fs_mkdir_p_at(rfd, "dir/file/x", 0755, 0, NULL, &err), -ENOTDIR);
        ace_error_freep(&err);
        cr_assert_eq(fs_mkdir_p_at(rfd, "../escape", 0755, 0, NULL, &err), -EINVAL);
        ace_error_freep(&err);
        /* REPLACE: the link is replaced by a directory, the canary is untouched. */
        cr_assert_eq(fs_mkdir_p_at(rfd, "tocanary/x", 0755, FS_MKDIR_REPLACE, NULL, &err), 0);
        cr_assert_eq(lstat(link, &st), 0);
        cr_assert(S_ISDIR(st.st_mode));
        _cleanup_free_ char *after = test_tree_snapshot(canary);
        cr_assert_str_eq(after, before);
        close(rfd);
        th_rm_rf(base);
}

Test(fs, read_file_bounded_and_atomic_write)
{
        _cleanup_free_ char *base = th_mkdtemp("ace-test-rw");
        int dfd = dirfd_of(base);
        struct ace_error *err = NULL;
        char *buf = NULL;
        size_t len;
        struct stat st;

        cr_assert_eq(fs_write_file_atomic_at(dfd, "f", "hello", 5, 0640, &err), 0);
        cr_assert_eq(fs_read_file_at(dfd, "f", 5, &buf, &len, &err), 0);
        cr_assert_eq(len, 5);
        cr_assert_str_eq(buf, "hello");
        free(buf);
        cr_assert_eq(fs_read_file_at(dfd, "f", 4, &buf, &len, &err), -EFBIG);
        cr_assert(strstr(err->msg, "larger than 4 bytes"), "%s", err->msg);
        ace_error_freep(&err);
        cr_assert_eq(fstatat(dfd, "f", &st, 0), 0);
        cr_assert_eq(st.st_mode & 07777, 0640);
        /* Replace: the old content is gone, no temp file is left. */
        cr_assert_eq(fs_write_file_atomic_at(dfd, "f", "bye", 3, 0600, &err), 0);
        cr_assert_eq(fs_read_file_at(dfd, "f", 100, &buf, &len, NULL), 0);
        cr_assert_str_eq(buf, "bye");
        free(buf);
        _cleanup_free_ char *snap = test_tree_snapshot(base);
        cr_assert(!strstr(snap, ".#"), "temp file left: %s", snap);
        /* Into a missing directory: an error, nothing created. */
        cr_assert_lt(fs_write_file_atomic_at(dfd, "nodir/f", "x", 1, 0600, &err), 0);
        ace_error_freep(&err);
        cr_assert_eq(fs_fsync_dir(dfd, NULL, &err), 0);
        close(dfd);
        th_rm_rf(base);
}

Test(fs, rm_rf_does_not_follow_symlinks)
{
        _cleanup_free_ char *base = th_mkdtemp("ace-test-rmrf");
        _cleanup_free_ char *canary = test_make_canary(base);
        _cleanup_free_ char *before = test_tree_snapshot(canary);
        _cleanup_free_ char *victim = P(base, "victim");
        _cleanup_free_ char *sub = P(base, "victim/sub");
        _cleanup_free_ char *l = P(base, "victim/sub/link");
        _cleanup_free_ char *ro = P(base, "victim/ro");
        _cleanup_free_ char *rof = P(base, "victim/ro/f");
        int dfd = dirfd_of(base);
        struct ace_error *err = NULL;

        cr_assert_eq(mkdir(victim, 0755), 0);
        cr_assert_eq(mkdir(sub, 0755), 0);
        cr_assert_eq(symlink(canary, l), 0);
        cr_assert_eq(mkdir(ro, 0755), 0);
        th_write_file(rof, "x", 0444);
        cr_assert_eq(chmod(ro, 0555), 0);
        cr_assert_eq(fs_rm_rf_at(dfd, "victim", 0, &err), 0, "%s", err ? err->msg : "");
        cr_assert(access(victim, F_OK) != 0);
        _cleanup_free_ char *after = test_tree_snapshot(canary);
        cr_assert_str_eq(after, before);
        cr_assert_eq(fs_rm_rf_at(dfd, "victim", 0, &err), -ENOENT);
        ace_error_freep(&err);
        cr_assert_eq(fs_rm_rf_at(dfd, "victim", FS_RM_MISSING_OK, &err), 0);
        /* CONTENTS_ONLY keeps the directory. */
        cr_assert_eq(fs_rm_rf_at(dfd, "canary", FS_RM_CONTENTS_ONLY, &err), 0);
        cr_assert_eq(access(canary, F_OK), 0);
        _cleanup_free_ char *empty = test_tree_snapshot(canary);
        cr_assert(!strstr(empty, "passwd"), "%s", empty);
        close(dfd);
        th_rm_rf(base);
}

Test(fs, rm_rf_refuses_to_cross_a_mount)
{
        if (geteuid() != 0)
                cr_skip_test("needs root to mount");
        /* Each Criterion test runs in its own process: a private mount namespace is local. */
        cr_assert_eq(unshare(CLONE_NEWNS), 0);
        cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
        _cleanup_free_ char *base = th_mkdtemp("ace-test-rmmnt");
        _cleanup_free_ char *pod = P(base, "pod");
        _cleanup_free_ char *mnt = P(base, "pod/rootfs");
        _cleanup_free_ char *keep = P(base, "pod/rootfs/keep");
        int dfd = dirfd_of(base);
        struct ace_error *err = NULL;

        cr_assert_eq(mkdir(pod, 0755), 0);
        cr_assert_eq(mkdir(mnt, 0755), 0);
        cr_assert_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"), 0);
        th_write_file(keep, "live", 0644);
        cr_assert_eq(fs_rm_rf_at(dfd, "pod", 0, &err), -EXDEV);
        cr_assert(strstr(err->msg, "pod/rootfs") && strstr(err->msg, "mount point"), "%s",
                  err->msg);
        ace_error_freep(&err);
        _cleanup_free_ char *c = th_read_file(keep);
        cr_assert_str_eq(c, "live");
        /* A bind mount of the same filesystem is caught by the mount id too. */
        cr_assert_eq(umount(mnt), 0);
        _cleanup_free_ char *other = P(base, "other");
        cr_assert_eq(mkdir(other, 0755), 0);
        _cleanup_free_ char *ofile = P(base, "other/f");
        th_write_file(ofile, "bound", 0644);
        cr_assert_eq(mount(other, mnt, NULL, MS_BIND, NULL), 0);
        cr_assert_eq(fs_rm_rf_at(dfd, "pod", 0, &err), -EXDEV);
        ace_error_freep(&err);
        cr_assert_eq(access(ofile, F_OK), 0);
        cr_assert_eq(umount(mnt), 0);
        cr_assert_eq(fs_rm_rf_at(dfd, "pod", 0, &err), 0);
        close(dfd);
        th_rm_rf(base);
}

Test(fs, copy_tree_preserves_everything)
{
        _cleanup_free_ char *base = th_mkdtemp("ace-test-copy");
        _cleanup_free_ char *src = P(base, "src"), *d = P(base, "src/d"), *f = P(base, "src/d/f"),
                            *h = P(base, "src/h"), *s = P(base, "src/s"),
                            *fifo = P(base, "src/fifo");
        int dfd = dirfd_of(base);
        struct ace_error *err = NULL;
        struct stat st1, st2;

        cr_assert_eq(mkdir(src, 0755), 0);
        cr_assert_eq(mkdir(d, 0710), 0);
        th_write_file(f, "data", 04750);
        cr_assert_eq(link(f, h), 0);
        cr_assert_eq(symlink("/outside", s), 0);
        cr_assert_eq(mkfifo(fifo, 0600), 0);
        cr_assert_eq(setxattr(f, "user.k", "v", 1, 0), 0);
        struct timespec ts[2] = {{1111111111, 0}, {1222222222, 5}};
        cr_assert_eq(utimensat(AT_FDCWD, f, ts, 0), 0);
        cr_assert_eq(utimensat(AT_FDCWD, d, ts, 0), 0);
        cr_assert_eq(utimensat(AT_FDCWD, s, ts, AT_SYMLINK_NOFOLLOW), 0);
        cr_assert_eq(fs_copy_tree_at(dfd, "src", dfd, "dst", 0, &err), 0, "%s",
                     err ? err->msg : "");
        _cleanup_free_ char *dst = P(base, "dst");
        _cleanup_free_ char *a = test_tree_snapshot(src), *b = test_tree_snapshot(dst);
        cr_assert_str_eq(b, a);
        _cleanup_free_ char *df = P(base, "dst/d/f"), *dh = P(base, "dst/h");
        cr_assert_eq(stat(df, &st1), 0);
        cr_assert_eq(stat(dh, &st2), 0);
        cr_assert_eq(st1.st_ino, st2.st_ino, "hard link not kept");
        cr_assert_eq(st1.st_mtim.tv_nsec, 5);
        char v[4] = {0};
        cr_assert_eq(getxattr(df, "user.k", v, sizeof(v)), 1);
        /* The destination must not exist. */
        cr_assert_lt(fs_copy_tree_at(dfd, "src", dfd, "dst", 0, &err), 0);
        ace_error_freep(&err);
        close(dfd);
        th_rm_rf(base);
}
