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
#include "tests/lib/helpers.h"
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
        aci_add(b, &(struct aci_entry){
                       .name = "rootfs/sparse", .size = 1LL << 40, .sparse_hole = true});
}

static void b_many_entries(struct aci_builder *b, struct ctx *c)
{
        c->limits.max_entries = 1000;
        aci_add_minimal(b);
        for (int i = 0; i < 100000; i++) {
                char name[32];
                snprintf(name, sizeof(name), "rootfs/f%06d", i);
                aci_add(b, &(struct aci_entry){.name = name});
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
        aci_add(b, &(struct aci_entry){.name = "rootfs/empty", .type = S_IFLNK, .linkname = ""});
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

#define CASE(n, fn, needle, needle2)                                                               \
        {                                                                                          \
                n, fn, needle, needle2, TAR_COMPRESSION_GZIP                                       \
        }
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
    CASE("extra_rootfs_extra", b_extra_rootfs_extra, "unrecognized file path", "rootfs-extra"),
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
        cr_assert(strstr(err->msg, hc->needle), "%s %s: error \"%s\" lacks \"%s\"", hc->name, what,
                  err->msg, hc->needle);
        if (hc->needle2)
                cr_assert(strstr(err->msg, hc->needle2), "%s %s: error \"%s\" does not name %s",
                          hc->name, what, err->msg, hc->needle2);
        cr_assert(!strchr(err->msg, '\n'), "%s: multi-line error", hc->name);
}

static void run_case(const struct hostile_case *hc)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-hostile");
        _cleanup_free_ char *target = xasprintf("%s/target", dir);
        _cleanup_free_ char *canary = test_make_canary(dir);
        _cleanup_free_ char *before = test_tree_snapshot(canary);
        _cleanup_free_ char *dir_before = test_tree_snapshot(dir);
        struct ctx c = {.canary = canary};
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
        th_rm_rf(dir);
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
