/*
 * test_tar_layering.c - metadata never goes through a link (T-06, containerd
 * HardlinkSymlinkChmod) and dependency layering replaces a lower layer's symlink instead of
 * following it (T-08, rkt TestExtractTarOverwrite), with openat2 and with the fallback.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/aci_builder.h"
#include "tests/lib/helpers.h"
#include "tests/lib/testfs.h"

static int open_dir(const char *p)
{
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert(fd >= 0, "open %s", p);
        return fd;
}

/* T-06 (containerd HardlinkSymlinkChmod): a symlink to a host file, a hard link to the
 * symlink, and a 0777 mode on the link. Accepted (links to symlinks are legal) but the host
 * file keeps its mode and contents: no metadata ever goes through a link. */
static void symlink_hardlink_chmod(void)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-t06");
        _cleanup_free_ char *target = xasprintf("%s/target", dir);
        _cleanup_free_ char *canary = test_make_canary(dir);
        _cleanup_free_ char *before = test_tree_snapshot(canary);
        _cleanup_free_ char *host = xasprintf("%s/perm400", canary);
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, false);
        struct ace_error *err = NULL;
        struct tar_result res;
        const void *data;
        size_t len;
        struct stat st;

        cr_assert_eq(mkdir(target, 0755), 0);
        aci_add_minimal(b);
        aci_add_symlink(b, "rootfs/s", host);
        aci_add(b, &(struct aci_entry){.name = "rootfs/h",
                                       .hardlink = "rootfs/s",
                                       .perm = 0777,
                                       .uid = 1234,
                                       .gid = 1234});
        aci_builder_finish(b, false, &data, &len);
        struct tar_input in = tar_input_memory(data, len);
        int tfd = open_dir(target);
        int r = tar_extract(&in, tfd, NULL, &res, &err);
        cr_assert_eq(r, 0, "%s", err ? err->msg : "");
        close(tfd);
        tar_result_done(&res);

        _cleanup_free_ char *h = xasprintf("%s/rootfs/h", target);
        cr_assert_eq(lstat(h, &st), 0);
        cr_assert(S_ISLNK(st.st_mode), "the hard link is not a link to the symlink");
        cr_assert_eq(stat(host, &st), 0);
        cr_assert_eq(st.st_mode & 07777, 0400);
        _cleanup_free_ char *after = test_tree_snapshot(canary);
        cr_assert_str_eq(after, before);
        aci_builder_free(b);
        th_rm_rf(dir);
}

Test(tar_layering, symlink_hardlink_chmod)
{
        symlink_hardlink_chmod();
}

Test(tar_layering, symlink_hardlink_chmod_no_openat2)
{
        setenv("ACE_TEST_NO_OPENAT2", "1", 1);
        symlink_hardlink_chmod();
}

/* T-08 layering (rkt TestExtractTarOverwrite): a lower layer has rootfs/etc -> canary; the
 * upper layer writes rootfs/etc/x (with and without an explicit rootfs/etc entry). The link is
 * replaced by a directory, never followed. Without TAR_EXTRACT_OVERWRITE it is an error. */
static void layering_case(bool explicit_dir, bool overwrite)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-layer");
        _cleanup_free_ char *target = xasprintf("%s/target", dir);
        _cleanup_free_ char *canary = test_make_canary(dir);
        _cleanup_free_ char *before = test_tree_snapshot(canary);
        struct aci_builder *lower = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        struct aci_builder *upper = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        struct ace_error *err = NULL;
        struct tar_result res;
        struct tar_extract_opts o;
        const void *data;
        size_t len;
        struct stat st;

        cr_assert_eq(mkdir(target, 0755), 0);
        int tfd = open_dir(target);
        tar_extract_opts_init(&o);
        o.flags = TAR_EXTRACT_ROOTFS_ONLY | TAR_EXTRACT_OVERWRITE;
        aci_add_minimal(lower);
        aci_add_symlink(lower, "rootfs/etc", canary);
        aci_add_file(lower, "rootfs/keep", 0644, "lower");
        aci_builder_finish(lower, false, &data, &len);
        struct tar_input in = tar_input_memory(data, len);
        cr_assert_eq(tar_extract(&in, tfd, &o, &res, &err), 0, "%s", err ? err->msg : "");
        tar_result_done(&res);

        aci_add_minimal(upper);
        if (explicit_dir)
                aci_add_dir(upper, "rootfs/etc", 0755);
        aci_add_file(upper, "rootfs/etc/x", 0644, "upper");
        aci_add_file(upper, "rootfs/keep", 0600, "upper");
        aci_builder_finish(upper, false, &data, &len);
        in = tar_input_memory(data, len);
        if (!overwrite)
                o.flags &= ~(unsigned)TAR_EXTRACT_OVERWRITE;
        int r = tar_extract(&in, tfd, &o, &res, &err);
        close(tfd);
        if (overwrite) {
                cr_assert_eq(r, 0, "%s", err ? err->msg : "");
                tar_result_done(&res);
                _cleanup_free_ char *etc = xasprintf("%s/etc", target);
                cr_assert_eq(lstat(etc, &st), 0);
                cr_assert(S_ISDIR(st.st_mode), "symlink was not replaced by a directory");
                _cleanup_free_ char *x = xasprintf("%s/etc/x", target);
                _cleanup_free_ char *c = th_read_file(x);
                cr_assert_str_eq(c, "upper");
                _cleanup_free_ char *k = xasprintf("%s/keep", target);
                _cleanup_free_ char *kc = th_read_file(k);
                cr_assert_str_eq(kc, "upper");
                cr_assert_eq(stat(k, &st), 0);
                cr_assert_eq(st.st_mode & 07777, 0600);
        } else {
                cr_assert_lt(r, 0);
                cr_assert(strstr(err->msg, "rootfs/etc"), "%s", err->msg);
                ace_error_free(err);
        }
        _cleanup_free_ char *after = test_tree_snapshot(canary);
        cr_assert_str_eq(after, before, "canary changed");
        aci_builder_free(lower);
        aci_builder_free(upper);
        th_rm_rf(dir);
}

Test(tar_layering, layering_symlink_replaced_implicit_parent)
{
        layering_case(false, true);
}

Test(tar_layering, layering_symlink_replaced_explicit_dir)
{
        layering_case(true, true);
}

Test(tar_layering, layering_without_overwrite_refused)
{
        layering_case(false, false);
}

Test(tar_layering, layering_no_openat2)
{
        setenv("ACE_TEST_NO_OPENAT2", "1", 1);
        layering_case(false, true);
        layering_case(true, true);
}
