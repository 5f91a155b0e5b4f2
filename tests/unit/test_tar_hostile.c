/*
 * test_tar_hostile.c - hostile ACIs (reliability.md T-01..T-08, T-33..T-36), built in the test
 * with tests/lib/aci_builder: each must be refused by both the scan and the extraction, with an
 * error naming the entry and the rule, and a canary directory beside the target must be
 * unchanged (names, modes, owners, contents). The whole table runs twice: with openat2 and
 * with the forced O_NOFOLLOW fallback (ACE_TEST_NO_OPENAT2=1).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <lzma.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/aci_builder.h"
#include "tests/lib/testfs.h"

/* Filled by each case's builder: the canary path, so escapes can aim at it. */
struct ctx {
        const char *canary;
        struct tar_limits limits;
        bool no_trailer; /* end the stream without the tar end-of-archive blocks */
};

typedef void (*build_fn)(struct aci_builder *b, struct ctx *c);

struct hostile_case {
        const char *name;
        build_fn build;
        const char *needle;  /* must appear in the error */
        const char *needle2; /* and this (usually the entry name), or NULL */
        enum tar_compression comp;
};

static void b_traversal(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_file(b, "rootfs/../../evil", 0644, "x");
}

static void b_traversal_top(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_file(b, "../evil", 0644, "x");
}

static void b_absolute(struct aci_builder *b, struct ctx *c)
{
        char *p = xasprintf("%s/evil", c->canary);
        aci_add_minimal(b);
        aci_add_file(b, p, 0644, "x");
        free(p);
}

static void b_symlink_abs(struct aci_builder *b, struct ctx *c)
{
        aci_add_minimal(b);
        aci_add_symlink(b, "rootfs/l", c->canary);
        aci_add_file(b, "rootfs/l/evil", 0644, "x");
}

static void b_symlink_root(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_symlink(b, "rootfs/l", "/");
        aci_add_file(b, "rootfs/l/etc/x", 0644, "x");
}

static void b_symlink_up(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_symlink(b, "rootfs/up", "../../canary");
        aci_add_file(b, "rootfs/up/evil", 0644, "x");
}

static void b_symlink_multi(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_dir(b, "rootfs/d", 0755);
        aci_add_symlink(b, "rootfs/d/a", "..");
        aci_add_symlink(b, "rootfs/d/b", "a/../../canary");
        aci_add_file(b, "rootfs/d/b/evil", 0644, "x");
}

static void b_symlink_dir_entry(struct aci_builder *b, struct ctx *c)
{
        aci_add_minimal(b);
        aci_add_symlink(b, "rootfs/l", c->canary);
        aci_add_dir(b, "rootfs/l/sub", 0777);
}

static void b_hardlink_abs(struct aci_builder *b, struct ctx *c)
{
        char *p = xasprintf("%s/passwd", c->canary);
        aci_add_minimal(b);
        aci_add_hardlink(b, "rootfs/h", p);
        free(p);
}

static void b_hardlink_rel(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_hardlink(b, "rootfs/h", "rootfs/../../canary/passwd");
}

static void b_hardlink_manifest(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_hardlink(b, "rootfs/h", "manifest");
}

static void b_hardlink_missing(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_hardlink(b, "rootfs/h", "rootfs/later");
        aci_add_file(b, "rootfs/later", 0644, "x");
}

static void b_hardlink_payload(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_file(b, "rootfs/t", 0644, "orig");
        aci_add_hardlink_payload(b, "rootfs/h", "rootfs/t", "pwned");
}

static void b_hardlink_payload_out(struct aci_builder *b, struct ctx *c)
{
        char *p = xasprintf("%s/passwd", c->canary);
        aci_add_minimal(b);
        aci_add_hardlink_payload(b, "rootfs/h", p, "pwned");
        free(p);
}

static void b_dup_file_symlink(struct aci_builder *b, struct ctx *c)
{
        aci_add_minimal(b);
        aci_add_file(b, "rootfs/a", 0644, "x");
        aci_add_symlink(b, "rootfs/a", c->canary);
}

static void b_dup_normalised(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_file(b, "rootfs/a", 0644, "x");
        aci_add_file(b, "./rootfs//a", 0644, "y");
}

static void b_dup_manifest(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_manifest(b);
}

static void b_extra_evil(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_file(b, "evil", 0644, "x");
}

static void b_extra_rootfs_extra(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add_file(b, "rootfs-extra", 0644, "x");
}

static void b_no_manifest(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_dir(b, "rootfs", 0755);
}

static void b_no_rootfs(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_manifest(b);
        aci_add_file(b, "rootfs/x", 0644, "x");
}

static void b_rootfs_file(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_manifest(b);
        aci_add_file(b, "rootfs", 0644, "x");
}

static void b_manifest_symlink(struct aci_builder *b, struct ctx *c)
{
        aci_add_symlink(b, "manifest", c->canary);
        aci_add_dir(b, "rootfs", 0755);
}

static void b_manifest_huge(struct aci_builder *b, struct ctx *c)
{
        /* Header only: refused from the declared size, before any data is read. */
        aci_add_raw_header(b, "manifest", '0', 100 << 20, NULL);
        c->no_trailer = true;
}

static void b_bomb_declared(struct aci_builder *b, struct ctx *c)
{
        c->limits.max_total_size = 1 << 30;
        aci_add_minimal(b);
        aci_add_raw_header(b, "rootfs/zero", '0', 64ULL << 30, NULL);
        c->no_trailer = true;
}

static void b_bomb_stream(struct aci_builder *b, struct ctx *c)
{
        c->limits.max_stream_size = 8 << 20;
        aci_add_minimal(b);
        aci_add_zero_file(b, "rootfs/zero", 256 << 20);
}

static void b_sparse_huge(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add(b, &(struct aci_entry){ .name = "rootfs/sparse", .size = 1LL << 40,
                                        .sparse_hole = true });
}

static void b_many_entries(struct aci_builder *b, struct ctx *c)
{
        c->limits.max_entries = 1000;
        aci_add_minimal(b);
        for (int i = 0; i < 100000; i++) {
                char name[32];
                snprintf(name, sizeof(name), "rootfs/f%06d", i);
                aci_add(b, &(struct aci_entry){ .name = name });
        }
}

static void b_long_name(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        char *name = xmalloc(4097);
        memcpy(name, "rootfs/", 7);
        for (size_t i = 7; i < 4096; i++)
                name[i] = (i % 200 == 0) ? '/' : 'a';
        name[4096] = '\0';
        aci_add_minimal(b);
        aci_add_file(b, name, 0644, "x");
        free(name);
}

static void b_long_component(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        char name[300] = "rootfs/";
        memset(name + 7, 'b', 256);
        aci_add_minimal(b);
        aci_add_file(b, name, 0644, "x");
}

static void b_deep(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        char *name = xmalloc(7 + 300 * 2 + 8);
        size_t n = 0;
        memcpy(name, "rootfs", 6);
        n = 6;
        for (int i = 0; i < 300; i++) {
                name[n++] = '/';
                name[n++] = 'd';
        }
        name[n] = '\0';
        aci_add_minimal(b);
        aci_add_dir(b, name, 0755);
        free(name);
}

static void b_empty_symlink(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        aci_add_minimal(b);
        aci_add(b, &(struct aci_entry){ .name = "rootfs/empty", .type = S_IFLNK, .linkname = "" });
}

static void b_garbage_after_header(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        unsigned char junk[1536];
        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (unsigned char)(i * 131 + 7);
        aci_add_minimal(b);
        aci_add_raw_header(b, "rootfs/big", '0', 1 << 20, NULL);
        aci_add_raw(b, junk, sizeof(junk));
        c->no_trailer = true;
}

static void b_truncated(struct aci_builder *b, struct ctx *c)
{
        aci_add_minimal(b);
        aci_add_file(b, "rootfs/a", 0644, "complete");
        aci_add_raw_header(b, "rootfs/b", '0', 4096, NULL);
        aci_add_raw(b, "only a few bytes", 16);
        c->no_trailer = true;
}

static void b_garbage_header(struct aci_builder *b, struct ctx *c)
{
        (void)c;
        unsigned char junk[1024];
        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (unsigned char)(i * 37 + 1);
        aci_add_minimal(b);
        aci_add_file(b, "rootfs/ok", 0644, "fine");
        aci_add_raw(b, junk, sizeof(junk));
        aci_add_file(b, "rootfs/after", 0644, "resynchronised");
}

#define CASE(n, fn, needle, needle2) { n, fn, needle, needle2, TAR_COMPRESSION_GZIP }
static const struct hostile_case cases[] = {
        CASE("traversal", b_traversal, "\"..\" components", "rootfs/../../evil"),
        CASE("traversal_top", b_traversal_top, "\"..\" components", "../evil"),
        CASE("absolute", b_absolute, "absolute names", "/evil"),
        CASE("symlink_abs_escape", b_symlink_abs, "symlink entry", "rootfs/l/evil"),
        CASE("symlink_root_escape", b_symlink_root, "symlink entry", "rootfs/l/etc/x"),
        CASE("symlink_up_escape", b_symlink_up, "symlink entry", "rootfs/up/evil"),
        CASE("symlink_multi_relative", b_symlink_multi, "symlink entry", "rootfs/d/b/evil"),
        CASE("symlink_then_dir", b_symlink_dir_entry, "symlink entry", "rootfs/l/sub"),
        CASE("hardlink_absolute", b_hardlink_abs, "absolute names", "rootfs/h"),
        CASE("hardlink_relative", b_hardlink_rel, "\"..\" components", "rootfs/h"),
        CASE("hardlink_to_manifest", b_hardlink_manifest, "outside rootfs/", "rootfs/h"),
        CASE("hardlink_forward", b_hardlink_missing, "not an earlier entry", "rootfs/h"),
        CASE("hardlink_payload", b_hardlink_payload, "hard link with a payload", "rootfs/h"),
        CASE("hardlink_payload_out", b_hardlink_payload_out, "hard link", "rootfs/h"),
        CASE("dup_file_symlink", b_dup_file_symlink, "duplicate entry", "rootfs/a"),
        CASE("dup_normalised", b_dup_normalised, "duplicate entry", "rootfs/a"),
        CASE("dup_manifest", b_dup_manifest, "duplicate entry", "manifest"),
        CASE("extra_evil", b_extra_evil, "unrecognized file path", "evil"),
        CASE("extra_rootfs_extra", b_extra_rootfs_extra, "unrecognized file path",
             "rootfs-extra"),
        CASE("no_manifest", b_no_manifest, "no image manifest found", NULL),
        CASE("no_rootfs", b_no_rootfs, "no rootfs found", NULL),
        CASE("rootfs_not_dir", b_rootfs_file, "rootfs is not a directory", NULL),
        CASE("manifest_symlink", b_manifest_symlink, "must be a regular file", "manifest"),
        CASE("manifest_100mib", b_manifest_huge, "larger than the limit", "manifest"),
        CASE("bomb_declared_size", b_bomb_declared, "larger than the limit", "rootfs/zero"),
        CASE("bomb_stream", b_bomb_stream, "decompression bomb", NULL),
        CASE("sparse_1tib", b_sparse_huge, "larger than the limit", "rootfs/sparse"),
        CASE("many_entries", b_many_entries, "more than 1000 entries", "rootfs/f"),
        CASE("name_4096", b_long_name, "name longer than 4095", "rootfs/aaa"),
        CASE("component_256", b_long_component, "longer than 255", "rootfs/bbb"),
        CASE("too_deep", b_deep, "deeper than 256", "rootfs/d/d"),
        CASE("empty_symlink", b_empty_symlink, "empty target", "rootfs/empty"),
        CASE("garbage_after_header", b_garbage_after_header, "", NULL),
        CASE("garbage_header", b_garbage_header, "", NULL),
        CASE("truncated", b_truncated, "runcated", NULL),
};
#undef CASE

static void check_error(const struct hostile_case *hc, int r, struct ace_error *err,
                        const char *what)
{
        cr_assert(r < 0, "%s %s: accepted a hostile archive", hc->name, what);
        cr_assert(err, "%s %s: no error message", hc->name, what);
        cr_assert(strstr(err->msg, hc->needle), "%s %s: error \"%s\" lacks \"%s\"", hc->name,
                  what, err->msg, hc->needle);
        if (hc->needle2)
                cr_assert(strstr(err->msg, hc->needle2), "%s %s: error \"%s\" does not name %s",
                          hc->name, what, err->msg, hc->needle2);
        cr_assert(!strchr(err->msg, '\n'), "%s: multi-line error", hc->name);
}

static void run_case(const struct hostile_case *hc)
{
        _cleanup_free_ char *dir = test_mkdtemp("hostile");
        _cleanup_free_ char *target = xasprintf("%s/target", dir);
        _cleanup_free_ char *canary = test_make_canary(dir);
        _cleanup_free_ char *before = test_tree_snapshot(canary);
        _cleanup_free_ char *dir_before = test_tree_snapshot(dir);
        struct ctx c = { .canary = canary };
        struct aci_builder *b = aci_builder_new(hc->comp, false);
        struct ace_error *err = NULL;
        struct tar_result res;
        const void *data;
        size_t len;
        int r;

        cr_log_info("case %s", hc->name);
        cr_assert_eq(mkdir(target, 0755), 0);
        tar_limits_default(&c.limits);
        hc->build(b, &c);
        aci_builder_finish(b, c.no_trailer, &data, &len);

        struct tar_read_opts ro;
        tar_read_opts_init(&ro);
        ro.limits = c.limits;
        struct tar_input in = tar_input_memory(data, len);
        time_t t0 = time(NULL);
        r = tar_read_manifest(&in, &ro, &res, &err);
        check_error(hc, r, err, "scan");
        ace_error_freep(&err);

        struct tar_extract_opts xo;
        tar_extract_opts_init(&xo);
        xo.limits = c.limits;
        int tfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert(tfd >= 0);
        r = tar_extract(&in, tfd, &xo, &res, &err);
        close(tfd);
        check_error(hc, r, err, "extract");
        ace_error_freep(&err);
        cr_assert_leq(time(NULL) - t0, 10, "%s: took too long", hc->name);

        /* Nothing outside the target changed: the canary and the target's siblings. */
        _cleanup_free_ char *after = test_tree_snapshot(canary);
        cr_assert_str_eq(after, before, "%s: canary changed", hc->name);
        _cleanup_free_ char *evil = xasprintf("%s/evil", dir);
        cr_assert(access(evil, F_OK) != 0, "%s: wrote %s", hc->name, evil);
        (void)dir_before;
        aci_builder_free(b);
        test_rm_rf(dir);
}

/* Criterion runs each parameter in a fresh process that may not share our address layout:
 * pass indexes into the table, never pointers. */
static size_t case_indexes[ARRAY_SIZE(cases)];

static void fill_indexes(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                case_indexes[i] = i;
}

ParameterizedTestParameters(tar_hostile, refused)
{
        fill_indexes();
        return cr_make_param_array(size_t, case_indexes, ARRAY_SIZE(cases));
}

ParameterizedTest(size_t *i, tar_hostile, refused, .timeout = 60)
{
        unsetenv("ACE_TEST_NO_OPENAT2");
        run_case(&cases[*i]);
}

ParameterizedTestParameters(tar_hostile, refused_no_openat2)
{
        fill_indexes();
        return cr_make_param_array(size_t, case_indexes, ARRAY_SIZE(cases));
}

/* Same table with the O_NOFOLLOW component-walk fallback forced. */
ParameterizedTest(size_t *i, tar_hostile, refused_no_openat2, .timeout = 60)
{
        setenv("ACE_TEST_NO_OPENAT2", "1", 1);
        cr_assert(fs_openat2_disabled());
        run_case(&cases[*i]);
}

/* ---- cases that need more than the table ---------------------------------------------------- */

static void expect_format_refused(const void *data, size_t len, const char *needle)
{
        struct ace_error *err = NULL;
        struct tar_result res;
        struct tar_input in = tar_input_memory(data, len);
        int r = tar_read_manifest(&in, NULL, &res, &err);

        cr_assert_lt(r, 0, "a %s archive was accepted", needle);
        cr_assert(strstr(err->msg, needle), "error \"%s\" does not name %s", err->msg, needle);
        cr_assert_eq(r, -EPROTONOSUPPORT, "%s: %d", err->msg, r);
        ace_error_free(err);
}

/* T-35: real zip, cpio and iso9660 archives (made by libarchive) are refused by magic, before
 * any parser runs; so are 7z and a random blob. */
Test(tar_hostile, other_formats_refused)
{
        static const struct {
                const char *format, *needle;
        } f[] = { { "zip", "zip" }, { "cpio", "cpio" }, { "newc", "cpio (newc)" },
                  { "iso9660", "iso9660" }, { "7zip", "7z" } };

        for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
                void *data;
                size_t len;
                aci_build_other_format(f[i].format, &data, &len);
                expect_format_refused(data, len, f[i].needle);
                free(data);
        }
        unsigned char junk[4096];
        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (unsigned char)(i * 7 + 3);
        expect_format_refused(junk, sizeof(junk), "unrecognized archive format");
        expect_format_refused("", 0, "empty input");
}

/* gzip(gzip(tar)): the inner stream is not a tar and no second filter is enabled. */
Test(tar_hostile, nested_compression_refused)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        struct aci_builder *outer = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *inner;
        size_t ilen;
        struct ace_error *err = NULL;
        struct tar_result res;

        aci_add_minimal(b);
        aci_builder_finish(b, false, &inner, &ilen);
        aci_add_raw(outer, inner, ilen);
        const void *data;
        size_t len;
        aci_builder_finish(outer, true, &data, &len);
        struct tar_input in = tar_input_memory(data, len);
        cr_assert_lt(tar_read_manifest(&in, NULL, &res, &err), 0);
        /* libarchive would stack a second gzip filter: refused as nested. */
        cr_assert(strstr(err->msg, "nested or corrupt gzip"), "%s", err->msg);
        ace_error_free(err);
        aci_builder_free(b);
        aci_builder_free(outer);
}

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
        _cleanup_free_ char *dir = test_mkdtemp("t06");
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
        aci_add(b, &(struct aci_entry){ .name = "rootfs/h", .hardlink = "rootfs/s",
                                        .perm = 0777, .uid = 1234, .gid = 1234 });
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
        test_rm_rf(dir);
}

Test(tar_hostile, symlink_hardlink_chmod)
{
        symlink_hardlink_chmod();
}

Test(tar_hostile, symlink_hardlink_chmod_no_openat2)
{
        setenv("ACE_TEST_NO_OPENAT2", "1", 1);
        symlink_hardlink_chmod();
}

/* T-08 layering (rkt TestExtractTarOverwrite): a lower layer has rootfs/etc -> canary; the
 * upper layer writes rootfs/etc/x (with and without an explicit rootfs/etc entry). The link is
 * replaced by a directory, never followed. Without TAR_EXTRACT_OVERWRITE it is an error. */
static void layering_case(bool explicit_dir, bool overwrite)
{
        _cleanup_free_ char *dir = test_mkdtemp("layer");
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
                _cleanup_free_ char *c = test_read_file(x);
                cr_assert_str_eq(c, "upper");
                _cleanup_free_ char *k = xasprintf("%s/keep", target);
                _cleanup_free_ char *kc = test_read_file(k);
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
        test_rm_rf(dir);
}

Test(tar_hostile, layering_symlink_replaced_implicit_parent)
{
        layering_case(false, true);
}

Test(tar_hostile, layering_symlink_replaced_explicit_dir)
{
        layering_case(true, true);
}

Test(tar_hostile, layering_without_overwrite_refused)
{
        layering_case(false, false);
}

Test(tar_hostile, layering_no_openat2)
{
        setenv("ACE_TEST_NO_OPENAT2", "1", 1);
        layering_case(false, true);
        layering_case(true, true);
}

/* A truncated gzip stream at several points: always an error, never a hang. */
Test(tar_hostile, truncated_everywhere, .timeout = 30)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *data;
        size_t len;

        aci_add_minimal(b);
        for (int i = 0; i < 50; i++) {
                char name[32], body[200];
                snprintf(name, sizeof(name), "rootfs/f%d", i);
                memset(body, 'a' + i % 26, sizeof(body) - 1);
                body[sizeof(body) - 1] = '\0';
                aci_add_file(b, name, 0644, body);
        }
        aci_builder_finish(b, false, &data, &len);
        for (int pct = 0; pct < 100; pct += 10) {
                struct ace_error *err = NULL;
                struct tar_result res;
                struct tar_input in = tar_input_memory(data, len * (size_t)pct / 100);
                cr_assert_lt(tar_read_manifest(&in, NULL, &res, &err), 0, "cut at %d%%", pct);
                cr_assert(err && *err->msg);
                ace_error_free(err);
        }
        aci_builder_free(b);
}

/* ---- xz: bounded decoder memory (T-33), concatenated streams ---------------------------------- */

static size_t xz_encode(const void *in, size_t len, unsigned char *out, size_t cap)
{
        size_t pos = 0;
        cr_assert_eq(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in, len, out, &pos, cap),
                     LZMA_OK);
        return pos;
}

/* Rewrites the LZMA2 dictionary-size property of the first block to 768 MiB (prop 38: under
 * libarchive's own 1 GiB limit, over ours) and
 * fixes the block header CRC: a valid stream whose decoder would need 768 MiB. */
static void xz_patch_dict(unsigned char *b)
{
        size_t hsize = ((size_t)b[12] + 1) * 4, pos = 14;
        unsigned flags = b[13];

        if (flags & 0x40)
                while (b[pos++] & 0x80)
                        ;
        if (flags & 0x80)
                while (b[pos++] & 0x80)
                        ;
        cr_assert_eq(b[pos], 0x21, "LZMA2 filter expected");
        cr_assert_eq(b[pos + 1], 0x01);
        b[pos + 2] = 38;
        uint32_t crc = lzma_crc32(b + 12, hsize - 4, 0);
        for (int i = 0; i < 4; i++)
                b[12 + hsize - 4 + i] = (unsigned char)(crc >> (8 * i));
}

Test(tar_hostile, xz_huge_dictionary_refused)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, true);
        const void *data, *tar;
        size_t len, tlen;
        struct ace_error *err = NULL;
        struct tar_result res;
        struct rusage ru;

        aci_add_minimal(b);
        aci_add_zero_file(b, "rootfs/zero", 4 << 20);
        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        size_t cap = tlen + 65536;
        unsigned char *xz = xmalloc(cap);
        size_t xlen = xz_encode(tar, tlen, xz, cap);
        /* Unpatched: decodes and hashes like the plain tar. */
        char want[HASH_IMAGE_ID_SIZE];
        aci_image_id_of(tar, tlen, want);
        struct tar_input in = tar_input_memory(xz, xlen);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s", err ? err->msg : "");
        cr_assert_str_eq(res.image_id, want);
        tar_result_done(&res);
        xz_patch_dict(xz);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), -EFBIG);
        cr_assert(strstr(err->msg, "dictionary too large"), "%s", err->msg);
        ace_error_free(err);
        cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
        cr_assert_lt(ru.ru_maxrss, 256 * 1024, "RSS %ld KiB", ru.ru_maxrss);
        free(xz);
        aci_builder_free(b);
}

/* `xz -dc` decodes concatenated streams; so does the reader, and the ID covers them all. */
Test(tar_hostile, xz_concatenated_streams)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, true);
        const void *data, *tar;
        size_t len, tlen;
        struct ace_error *err = NULL;
        struct tar_result res;
        char want[HASH_IMAGE_ID_SIZE];

        aci_add_minimal(b);
        aci_add_file(b, "rootfs/a", 0644, "split across two xz streams");
        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        aci_image_id_of(tar, tlen, want);
        size_t cap = 2 * tlen + 65536, half = tlen / 2;
        unsigned char *xz = xmalloc(cap);
        size_t n1 = xz_encode(tar, half, xz, cap);
        size_t n2 = xz_encode((const char *)tar + half, tlen - half, xz + n1, cap - n1);
        struct tar_input in = tar_input_memory(xz, n1 + n2);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s", err ? err->msg : "");
        cr_assert_str_eq(res.image_id, want);
        tar_result_done(&res);
        /* Truncated xz: an error naming xz. */
        in = tar_input_memory(xz, n1 + n2 - 7);
        cr_assert_lt(tar_read_manifest(&in, NULL, &res, &err), 0);
        cr_assert(strstr(err->msg, "xz"), "%s", err->msg);
        ace_error_free(err);
        free(xz);
        aci_builder_free(b);
}
