/*
 * test_tar_extract.c - extraction keeps what an image says: modes (setuid, sticky), numeric
 * owners, mtimes/atimes (with nanoseconds, directories too), xattrs (user.*, and
 * security.capability as root), hard links, symlinks, fifos, char/block devices (root), sparse
 * files; rootfs-only mode, the path filter, and EEXIST without overwrite.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/aci_builder.h"
#include "tests/lib/helpers.h"

static bool is_root(void)
{
        return geteuid() == 0;
}

static int extract_into(const void *data, size_t len, const char *target, unsigned flags,
                        tar_filter_fn filter, void *ud, struct tar_result *res,
                        struct ace_error **err)
{
        struct tar_extract_opts o;
        int fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r;

        cr_assert(fd >= 0);
        tar_extract_opts_init(&o);
        o.flags = flags | (is_root() ? 0 : TAR_EXTRACT_NO_OWNERS);
        o.filter = filter;
        o.filter_userdata = ud;
        struct tar_input in = tar_input_memory(data, len);
        r = tar_extract(&in, fd, &o, res, err);
        close(fd);
        return r;
}

static char *mkpath(const char *a, const char *b)
{
        return xasprintf("%s/%s", a, b);
}

Test(tar_extract, metadata_kept)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-extract");
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, true);
        const void *data, *tar;
        size_t len, tlen;
        struct tar_result res;
        struct ace_error *err = NULL;
        struct stat st;
        char want[HASH_IMAGE_ID_SIZE];

        aci_add_minimal(b);
        aci_add(b, &(struct aci_entry){.name = "rootfs/bin",
                                       .type = S_IFDIR,
                                       .perm = 0711,
                                       .uid = 10,
                                       .gid = 20,
                                       .mtime = 1234567890,
                                       .mtime_nsec = 123456789});
        aci_add(b, &(struct aci_entry){.name = "rootfs/bin/suid",
                                       .perm = 04755,
                                       .uid = 0,
                                       .gid = 0,
                                       .mtime = 1500000000,
                                       .data = "ELF",
                                       .len = 3});
        aci_add(b, &(struct aci_entry){.name = "rootfs/bin/owned",
                                       .perm = 0640,
                                       .uid = 1234,
                                       .gid = 5678,
                                       .data = "o",
                                       .len = 1,
                                       .xattr_name = "user.test",
                                       .xattr_value = "value",
                                       .xattr_len = 5});
        aci_add(b, &(struct aci_entry){.name = "rootfs/tmp", .type = S_IFDIR, .perm = 01777});
        aci_add(b, &(struct aci_entry){.name = "rootfs/ro", .type = S_IFDIR, .perm = 0555});
        aci_add_file(b, "rootfs/ro/inside", 0444, "still written");
        aci_add_symlink(b, "rootfs/bin/sh", "/bin/busybox");
        aci_add_hardlink(b, "rootfs/bin/suid2", "rootfs/bin/suid");
        aci_add(b, &(struct aci_entry){.name = "rootfs/fifo", .type = S_IFIFO, .perm = 0620});
        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        aci_image_id_of(tar, tlen, want);

        cr_assert_eq(extract_into(data, len, dir, 0, NULL, NULL, &res, &err), 0, "%s",
                     err ? err->msg : "");
        cr_assert_str_eq(res.image_id, want);
        tar_result_done(&res);

        _cleanup_free_ char *man = mkpath(dir, "manifest");
        _cleanup_free_ char *mc = th_read_file(man);
        cr_assert(mc && strstr(mc, "ImageManifest"));
        _cleanup_free_ char *bin = mkpath(dir, "rootfs/bin");
        cr_assert_eq(stat(bin, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0711);
        /* Directory times survive the creation of their children. */
        cr_assert_eq(st.st_mtim.tv_sec, 1234567890);
        cr_assert_eq(st.st_mtim.tv_nsec, 123456789);
        _cleanup_free_ char *suid = mkpath(dir, "rootfs/bin/suid");
        cr_assert_eq(stat(suid, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 04755, "setuid lost: %o", st.st_mode & 07777);
        cr_assert_eq(st.st_mtim.tv_sec, 1500000000);
        cr_assert_eq(st.st_nlink, 2);
        _cleanup_free_ char *suid2 = mkpath(dir, "rootfs/bin/suid2");
        struct stat st2;
        cr_assert_eq(stat(suid2, &st2), 0);
        cr_assert_eq(st.st_ino, st2.st_ino, "hard link is not the same inode");
        _cleanup_free_ char *owned = mkpath(dir, "rootfs/bin/owned");
        cr_assert_eq(stat(owned, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0640);
        if (is_root()) {
                cr_assert_eq(st.st_uid, 1234);
                cr_assert_eq(st.st_gid, 5678);
                cr_assert_eq(stat(bin, &st), 0);
                cr_assert_eq(st.st_uid, 10);
                cr_assert_eq(st.st_gid, 20);
        }
        char v[16] = {0};
        cr_assert_eq(getxattr(owned, "user.test", v, sizeof(v)), 5);
        cr_assert_str_eq(v, "value");
        _cleanup_free_ char *tmp = mkpath(dir, "rootfs/tmp");
        cr_assert_eq(stat(tmp, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 01777);
        _cleanup_free_ char *ro = mkpath(dir, "rootfs/ro");
        cr_assert_eq(stat(ro, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0555);
        _cleanup_free_ char *inside = mkpath(dir, "rootfs/ro/inside");
        _cleanup_free_ char *ic = th_read_file(inside);
        cr_assert_str_eq(ic, "still written");
        _cleanup_free_ char *sh = mkpath(dir, "rootfs/bin/sh");
        char target[64] = {0};
        cr_assert_eq(readlink(sh, target, sizeof(target) - 1), 12);
        cr_assert_str_eq(target, "/bin/busybox");
        _cleanup_free_ char *fifo = mkpath(dir, "rootfs/fifo");
        cr_assert_eq(lstat(fifo, &st), 0);
        cr_assert(S_ISFIFO(st.st_mode));
        cr_assert_eq(st.st_mode & 07777, 0620);
        aci_builder_free(b);
        th_rm_rf(dir);
}

Test(tar_extract, devices_and_capabilities_as_root)
{
        if (!is_root())
                cr_skip_test("needs root (mknod, security.capability, chown)");
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-extract-dev");
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, false);
        /* VFS_CAP_REVISION_2 with CAP_NET_BIND_SERVICE (bit 10) permitted + effective. */
        static const unsigned char cap[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00,
                                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;
        struct stat st;

        aci_add_minimal(b);
        aci_add_dir(b, "rootfs/dev", 0755);
        aci_add(b, &(struct aci_entry){.name = "rootfs/dev/null",
                                       .type = S_IFCHR,
                                       .perm = 0666,
                                       .dev_major = 1,
                                       .dev_minor = 3});
        aci_add(b, &(struct aci_entry){.name = "rootfs/dev/loopx",
                                       .type = S_IFBLK,
                                       .perm = 0660,
                                       .gid = 6,
                                       .dev_major = 7,
                                       .dev_minor = 200});
        aci_add(b, &(struct aci_entry){.name = "rootfs/ping",
                                       .perm = 0755,
                                       .uid = 0,
                                       .gid = 0,
                                       .data = "ELF",
                                       .len = 3,
                                       .xattr_name = "security.capability",
                                       .xattr_value = cap,
                                       .xattr_len = sizeof(cap)});
        aci_builder_finish(b, false, &data, &len);
        cr_assert_eq(extract_into(data, len, dir, TAR_EXTRACT_ROOTFS_ONLY, NULL, NULL, &res, &err),
                     0, "%s", err ? err->msg : "");
        tar_result_done(&res);
        _cleanup_free_ char *null = mkpath(dir, "dev/null");
        cr_assert_eq(lstat(null, &st), 0);
        cr_assert(S_ISCHR(st.st_mode));
        cr_assert_eq(major(st.st_rdev), 1);
        cr_assert_eq(minor(st.st_rdev), 3);
        cr_assert_eq(st.st_mode & 07777, 0666);
        _cleanup_free_ char *loop = mkpath(dir, "dev/loopx");
        cr_assert_eq(lstat(loop, &st), 0);
        cr_assert(S_ISBLK(st.st_mode));
        cr_assert_eq(minor(st.st_rdev), 200);
        cr_assert_eq(st.st_gid, 6);
        _cleanup_free_ char *ping = mkpath(dir, "ping");
        unsigned char got[32];
        cr_assert_eq(getxattr(ping, "security.capability", got, sizeof(got)), (ssize_t)sizeof(cap),
                     "capability lost (chown after setxattr?)");
        cr_assert_eq(memcmp(got, cap, sizeof(cap)), 0);
        aci_builder_free(b);
        th_rm_rf(dir);
}

Test(tar_extract, sparse_file)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-extract-sparse");
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;
        struct stat st;

        aci_add_minimal(b);
        aci_add(
            b, &(struct aci_entry){.name = "rootfs/sparse", .size = 64 << 20, .sparse_hole = true});
        aci_builder_finish(b, false, &data, &len);
        cr_assert_eq(extract_into(data, len, dir, 0, NULL, NULL, &res, &err), 0, "%s",
                     err ? err->msg : "");
        cr_assert_eq(res.total_size, (64u << 20) + res.manifest_len);
        tar_result_done(&res);
        _cleanup_free_ char *p = mkpath(dir, "rootfs/sparse");
        cr_assert_eq(stat(p, &st), 0);
        cr_assert_eq(st.st_size, 64 << 20);
        cr_assert_lt(st.st_blocks * 512, 4 << 20, "the hole was written out");
        aci_builder_free(b);
        th_rm_rf(dir);
}

static bool whitelist(void *ud, const char *path, mode_t type)
{
        int *calls = ud;
        (*calls)++;
        /* pathWhitelist semantics: directories are kept, files only when listed. */
        return type == S_IFDIR || strcmp(path, "/etc/keep") == 0 || strcmp(path, "/link") == 0;
}

Test(tar_extract, rootfs_only_and_filter)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-extract-filter");
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_ZSTD, false);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;
        int calls = 0;

        aci_add_minimal(b);
        aci_add_dir(b, "rootfs/etc", 0755);
        aci_add_file(b, "rootfs/etc/keep", 0644, "k");
        aci_add_file(b, "rootfs/etc/drop", 0644, "d");
        aci_add_hardlink(b, "rootfs/link", "rootfs/etc/drop");
        aci_builder_finish(b, false, &data, &len);
        cr_assert_eq(
            extract_into(data, len, dir, TAR_EXTRACT_ROOTFS_ONLY, whitelist, &calls, &res, &err), 0,
            "%s", err ? err->msg : "");
        cr_assert(strstr(res.manifest, "ImageManifest"), "manifest still returned");
        tar_result_done(&res);
        cr_assert_eq(calls, 5, "filter called %d times", calls);
        _cleanup_free_ char *m = mkpath(dir, "manifest");
        cr_assert(access(m, F_OK) != 0, "manifest written in rootfs-only mode");
        _cleanup_free_ char *k = mkpath(dir, "etc/keep");
        cr_assert_eq(access(k, F_OK), 0);
        _cleanup_free_ char *d = mkpath(dir, "etc/drop");
        cr_assert(access(d, F_OK) != 0, "filtered file extracted");
        _cleanup_free_ char *l = mkpath(dir, "link");
        cr_assert(access(l, F_OK) != 0, "hard link to a filtered file extracted");
        aci_builder_free(b);
        th_rm_rf(dir);
}

Test(tar_extract, existing_file_without_overwrite_is_eexist)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-extract-exist");
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, false);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;

        aci_add_minimal(b);
        aci_add_file(b, "rootfs/a", 0644, "new");
        aci_builder_finish(b, false, &data, &len);
        cr_assert_eq(extract_into(data, len, dir, 0, NULL, NULL, &res, &err), 0);
        tar_result_done(&res);
        cr_assert_eq(extract_into(data, len, dir, 0, NULL, NULL, &res, &err), -EEXIST);
        cr_assert(strstr(err->msg, "manifest"), "%s", err->msg);
        ace_error_freep(&err);
        /* With overwrite, the same archive extracts again over itself. */
        cr_assert_eq(extract_into(data, len, dir, TAR_EXTRACT_OVERWRITE, NULL, NULL, &res, &err), 0,
                     "%s", err ? err->msg : "");
        tar_result_done(&res);
        aci_builder_free(b);
        th_rm_rf(dir);
}

/* Layering: a later layer replaces a directory by a file and a file by a directory. */
Test(tar_extract, overwrite_replaces_types)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-extract-layer");
        struct aci_builder *l1 = aci_builder_new(TAR_COMPRESSION_NONE, false);
        struct aci_builder *l2 = aci_builder_new(TAR_COMPRESSION_NONE, false);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;
        struct stat st;

        aci_add_minimal(l1);
        aci_add_dir(l1, "rootfs/d", 0755);
        aci_add_file(l1, "rootfs/d/inner", 0644, "x");
        aci_add_file(l1, "rootfs/f", 0644, "file");
        aci_builder_finish(l1, false, &data, &len);
        unsigned fl = TAR_EXTRACT_ROOTFS_ONLY | TAR_EXTRACT_OVERWRITE;
        cr_assert_eq(extract_into(data, len, dir, fl, NULL, NULL, &res, &err), 0);
        tar_result_done(&res);
        aci_add_minimal(l2);
        aci_add_file(l2, "rootfs/d", 0600, "now a file");
        aci_add_dir(l2, "rootfs/f", 0700);
        aci_builder_finish(l2, false, &data, &len);
        cr_assert_eq(extract_into(data, len, dir, fl, NULL, NULL, &res, &err), 0, "%s",
                     err ? err->msg : "");
        tar_result_done(&res);
        _cleanup_free_ char *d = mkpath(dir, "d");
        cr_assert_eq(lstat(d, &st), 0);
        cr_assert(S_ISREG(st.st_mode));
        _cleanup_free_ char *f = mkpath(dir, "f");
        cr_assert_eq(lstat(f, &st), 0);
        cr_assert(S_ISDIR(st.st_mode));
        cr_assert_eq(st.st_mode & 07777, 0700);
        aci_builder_free(l1);
        aci_builder_free(l2);
        th_rm_rf(dir);
}

Test(tar_extract, push_extract)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-extract-push");
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_BZIP2, false);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;
        struct tar_push *p;
        struct tar_extract_opts o;

        aci_add_minimal(b);
        aci_add_file(b, "rootfs/pushed", 0644, "yes");
        aci_builder_finish(b, false, &data, &len);
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        tar_extract_opts_init(&o);
        o.flags = TAR_EXTRACT_ROOTFS_ONLY | (is_root() ? 0 : TAR_EXTRACT_NO_OWNERS);
        cr_assert_eq(tar_push_begin(&o, fd, &p, &err), 0);
        for (size_t off = 0; off < len; off += 33)
                cr_assert_eq(tar_push_write(p, (const char *)data + off,
                                            len - off < 33 ? len - off : 33, &err),
                             0);
        cr_assert_eq(tar_push_finish(p, &res, &err), 0, "%s", err ? err->msg : "");
        tar_result_done(&res);
        close(fd);
        _cleanup_free_ char *f = mkpath(dir, "pushed");
        _cleanup_free_ char *c = th_read_file(f);
        cr_assert_str_eq(c, "yes");
        aci_builder_free(b);
        th_rm_rf(dir);
}
