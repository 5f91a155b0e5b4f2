/*
 * test_tar_write.c - the ACI writer: round trip through the reader and extractor for every
 * compression, deterministic bytes and image ID for the same tree (also from another
 * process), SOURCE_DATE_EPOCH clamping, manifest first then a sorted walk, owner_root, sockets
 * skipped, hard links as links, xattrs kept, no timestamp in the gzip header.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strv.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/testfs.h"

static char *P(const char *a, const char *b)
{
        return xasprintf("%s/%s", a, b);
}

static void set_mtime(const char *path, time_t t)
{
        struct timespec ts[2] = {{t, 0}, {t, 0}};
        cr_assert_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* layout/manifest, layout/rootfs/{bin/{a,b=hardlink a,sh->a}, etc/conf (xattr), zz, fifo,
 * sock (skipped)}. Returns the layout path. */
static char *make_layout(const char *dir)
{
        char *l = P(dir, "layout");
        _cleanup_free_ char *rootfs = P(l, "rootfs"), *bin = P(rootfs, "bin"),
                            *etc = P(rootfs, "etc"), *a = P(bin, "a"), *bb = P(bin, "b"),
                            *sh = P(bin, "sh"), *conf = P(etc, "conf"), *zz = P(rootfs, "zz"),
                            *fifo = P(rootfs, "fifo"), *sock = P(rootfs, "sock"),
                            *man = P(l, "manifest");

        cr_assert_eq(mkdir(l, 0755), 0);
        cr_assert_eq(mkdir(rootfs, 0755), 0);
        cr_assert_eq(mkdir(bin, 0755), 0);
        cr_assert_eq(mkdir(etc, 0750), 0);
        th_write_file(man, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"x\"}",
                      0644);
        th_write_file(a, "#!/bin/true\n", 04755);
        cr_assert_eq(link(a, bb), 0);
        cr_assert_eq(symlink("a", sh), 0);
        th_write_file(conf, "conf\n", 0600);
        cr_assert_eq(setxattr(conf, "user.mime", "text/plain", 10, 0), 0);
        th_write_file(zz, "last\n", 0644);
        cr_assert_eq(mkfifo(fifo, 0640), 0);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
        cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(s);
        const char *all[] = {a, sh, conf, zz, fifo, bin, etc, rootfs, man};
        for (size_t i = 0; i < ARRAY_SIZE(all); i++)
                set_mtime(all[i], 1600000000 + (time_t)i);
        return l;
}

static void write_aci(const char *layout, const char *out, const struct tar_write_opts *o,
                      char id[HASH_IMAGE_ID_SIZE])
{
        int lfd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        struct ace_error *err = NULL;

        cr_assert(lfd >= 0 && ofd >= 0);
        cr_assert_eq(tar_write_aci(lfd, ofd, o, id, &err), 0, "%s", err ? err->msg : "");
        close(lfd);
        close(ofd);
}

static char **list_entries(const char *path)
{
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        char **v = NULL;

        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        cr_assert_eq(archive_read_open_filename(a, path, 65536), ARCHIVE_OK);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK)
                v = strv_push_take(
                    v, xasprintf("%s %lld:%lld %s%s", archive_entry_pathname(e),
                                 (long long)archive_entry_uid(e), (long long)archive_entry_gid(e),
                                 archive_entry_uname(e) ? archive_entry_uname(e) : "-",
                                 archive_entry_hardlink(e) ? " hardlink" : ""));
        archive_read_free(a);
        return v;
}

Test(tar_write, round_trip_all_compressions)
{
        static const enum tar_compression comps[] = {TAR_COMPRESSION_NONE, TAR_COMPRESSION_GZIP,
                                                     TAR_COMPRESSION_BZIP2, TAR_COMPRESSION_XZ,
                                                     TAR_COMPRESSION_ZSTD};
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-write");
        _cleanup_free_ char *layout = make_layout(dir);
        _cleanup_free_ char *sock = P(layout, "rootfs/sock");
        _cleanup_free_ char *src_rootfs = P(layout, "rootfs");
        char first[HASH_IMAGE_ID_SIZE] = "";

        for (size_t i = 0; i < ARRAY_SIZE(comps); i++) {
                struct tar_write_opts o;
                char id[HASH_IMAGE_ID_SIZE];
                _cleanup_free_ char *out = P(dir, "out.aci");
                _cleanup_free_ char *x = xasprintf("%s/x%zu", dir, i);
                struct tar_result res;
                struct ace_error *err = NULL;

                tar_write_opts_init(&o);
                o.compression = comps[i];
                write_aci(layout, out, &o, id);
                /* One uncompressed stream whatever the compression: one image ID. */
                if (i == 0)
                        memcpy(first, id, sizeof(first));
                cr_assert_str_eq(id, first, "%s", tar_compression_name(comps[i]));
                cr_assert_eq(mkdir(x, 0755), 0);
                int fd = open(out, O_RDONLY | O_CLOEXEC);
                int xfd = open(x, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct tar_input in = tar_input_fd(fd);
                cr_assert_eq(tar_extract(&in, xfd, NULL, &res, &err), 0, "%s", err ? err->msg : "");
                close(fd);
                close(xfd);
                cr_assert_str_eq(res.image_id, id);
                cr_assert_eq(res.compression, comps[i]);
                tar_result_done(&res);
                _cleanup_free_ char *xr = P(x, "rootfs");
                _cleanup_free_ char *xsock = P(x, "rootfs/sock");
                cr_assert(access(xsock, F_OK) != 0, "socket archived");
                /* Compare the trees without the (skipped) socket. */
                if (i == 0)
                        cr_assert_eq(unlink(sock), 0);
                /* Restore the mtime the unlink changed: the next archive must be identical. */
                set_mtime(src_rootfs, 1600000000 + 7);
                _cleanup_free_ char *want = test_tree_snapshot(src_rootfs);
                _cleanup_free_ char *got = test_tree_snapshot(xr);
                cr_assert_str_eq(got, want);
                _cleanup_free_ char *conf = P(x, "rootfs/etc/conf");
                char v[32] = {0};
                cr_assert_eq(getxattr(conf, "user.mime", v, sizeof(v)), 10);
                cr_assert_str_eq(v, "text/plain");
        }
        th_rm_rf(dir);
}

Test(tar_write, order_manifest_first_then_sorted)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-write-order");
        _cleanup_free_ char *layout = make_layout(dir);
        _cleanup_free_ char *out = P(dir, "o.aci");
        struct tar_write_opts o;
        char id[HASH_IMAGE_ID_SIZE];

        tar_write_opts_init(&o);
        o.owner_root = true;
        write_aci(layout, out, &o, id);
        _cleanup_strv_free_ char **v = list_entries(out);
        const char *want[] = {"manifest",     "rootfs",        "rootfs/bin", "rootfs/bin/a",
                              "rootfs/bin/b", "rootfs/bin/sh", "rootfs/etc", "rootfs/etc/conf",
                              "rootfs/fifo",  "rootfs/zz"};
        cr_assert_eq(strv_length(v), ARRAY_SIZE(want));
        for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
                size_t n = strlen(want[i]);
                cr_assert(strncmp(v[i], want[i], n) == 0 && (v[i][n] == ' ' || v[i][n] == '/'),
                          "entry %zu is %s, want %s", i, v[i], want[i]);
                cr_assert(strstr(v[i], " 0:0 root"), "owner_root: %s", v[i]);
        }
        cr_assert(strstr(v[4], "hardlink"), "second name is not a hard link: %s", v[4]);
        th_rm_rf(dir);
}

Test(tar_write, deterministic_with_source_date_epoch)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-write-repro");
        _cleanup_free_ char *layout = make_layout(dir);
        _cleanup_free_ char *sock = P(layout, "rootfs/sock");
        _cleanup_free_ char *o1 = P(dir, "1.aci"), *o2 = P(dir, "2.aci"), *o3 = P(dir, "3.aci");
        _cleanup_free_ char *zz = P(layout, "rootfs/zz");
        struct tar_write_opts o;
        char id1[HASH_IMAGE_ID_SIZE], id2[HASH_IMAGE_ID_SIZE], id3[HASH_IMAGE_ID_SIZE];

        unlink(sock);
        set_mtime(zz, 2000000000); /* after the epoch: clamped */
        tar_write_opts_init(&o);
        o.has_source_date_epoch = true;
        o.source_date_epoch = 1700000000;
        write_aci(layout, o1, &o, id1);
        /* The second build in another process (pid-independent pax header names). */
        pid_t pid = fork();
        if (pid == 0) {
                int lfd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int ofd = open(o2, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                _exit(tar_write_aci(lfd, ofd, &o, id2, NULL) < 0 ? 1 : 0);
        }
        int ws;
        cr_assert_eq(waitpid(pid, &ws, 0), pid);
        cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
        _cleanup_free_ char *b1 = NULL, *b2 = NULL;
        size_t l1, l2;
        cr_assert_eq(fs_read_file_at(AT_FDCWD, o1, 1 << 24, &b1, &l1, NULL), 0);
        cr_assert_eq(fs_read_file_at(AT_FDCWD, o2, 1 << 24, &b2, &l2, NULL), 0);
        cr_assert_eq(l1, l2);
        cr_assert_eq(memcmp(b1, b2, l1), 0, "two builds of the same tree differ");
        /* gzip header: MTIME (bytes 4-7) zero, no FNAME flag. */
        cr_assert_eq((unsigned char)b1[0], 0x1f);
        cr_assert_eq(b1[4] | b1[5] | b1[6] | b1[7], 0);
        cr_assert_eq(b1[3] & 0x08, 0);

        /* Clamping: zz carries the epoch, older files their own mtime. */
        _cleanup_free_ char *x = P(dir, "x");
        cr_assert_eq(mkdir(x, 0755), 0);
        int fd = open(o1, O_RDONLY | O_CLOEXEC), xfd = open(x, O_RDONLY | O_DIRECTORY);
        struct tar_result res;
        struct tar_input in = tar_input_fd(fd);
        cr_assert_eq(tar_extract(&in, xfd, NULL, &res, NULL), 0);
        cr_assert_str_eq(res.image_id, id1);
        tar_result_done(&res);
        close(fd);
        close(xfd);
        struct stat st;
        _cleanup_free_ char *xzz = P(x, "rootfs/zz"), *xconf = P(x, "rootfs/etc/conf");
        cr_assert_eq(stat(xzz, &st), 0);
        cr_assert_eq(st.st_mtime, 1700000000);
        cr_assert_eq(stat(xconf, &st), 0);
        cr_assert_eq(st.st_mtime, 1600000000 + 2);

        /* A different epoch (that clamps zz differently) gives a different image. */
        o.source_date_epoch = 1800000000;
        write_aci(layout, o3, &o, id3);
        cr_assert_str_neq(id3, id1);
        th_rm_rf(dir);
}

Test(tar_write, manifest_override_and_errors)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-write-man");
        _cleanup_free_ char *layout = make_layout(dir);
        _cleanup_free_ char *out = P(dir, "o.aci");
        struct tar_write_opts o;
        char id[HASH_IMAGE_ID_SIZE];
        struct tar_result res;
        struct ace_error *err = NULL;

        tar_write_opts_init(&o);
        o.manifest = "{\"compact\":true}";
        o.manifest_len = strlen(o.manifest);
        write_aci(layout, out, &o, id);
        int fd = open(out, O_RDONLY | O_CLOEXEC);
        struct tar_input in = tar_input_fd(fd);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, NULL), 0);
        cr_assert_str_eq(res.manifest, "{\"compact\":true}");
        tar_result_done(&res);
        close(fd);

        /* No rootfs: a clear error. */
        _cleanup_free_ char *empty = P(dir, "empty");
        cr_assert_eq(mkdir(empty, 0755), 0);
        int lfd = open(empty, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int ofd = open(out, O_WRONLY | O_TRUNC | O_CLOEXEC);
        cr_assert_lt(tar_write_aci(lfd, ofd, NULL, id, &err), 0);
        cr_assert(strstr(err->msg, "rootfs"), "%s", err->msg);
        ace_error_free(err);
        close(lfd);
        close(ofd);
        th_rm_rf(dir);
}
