/*
 * test_store_lookup.c - finding stored images: unique ID prefixes (rkt's "no image IDs found"
 * and "ambiguous image ID"), names with labels, latest flags, newest import, host os/arch.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/kv.h"
#include "stage0/store/import.h"
#include "stage0/store/store.h"
#include "tests/lib/store_fixture.h"

static char *work, *dir;
static struct store *s;

static void setup(void)
{
        work = sfx_tmpdir("lookup");
        dir = sfx_fmt("%s/data", work);
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
}

static void teardown(void)
{
        store_close(s);
        sfx_rmrf(work);
        free(work);
        free(dir);
}

TestSuite(store_lookup, .init = setup, .fini = teardown);

/* Builds and imports an image; content varies with `tag`. */
static char *add(const char *name, const char *labels, const char *tag, bool latest)
{
        _cleanup_free_ char *m = sfx_manifest(name, labels, NULL);
        _cleanup_free_ char *layout = sfx_layout(work, tag, m);
        _cleanup_free_ char *f = sfx_fmt("%s/rootfs/tag", layout);
        _cleanup_free_ char *aci = sfx_fmt("%s/%s.aci", work, tag);
        _cleanup_error_ struct ace_error *e = NULL;
        struct store_import_opts o = {.latest = latest};
        char *id = NULL;

        sfx_write(f, tag);
        free(sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP));
        int fd = open(aci, O_RDONLY | O_CLOEXEC);
        cr_assert_eq(store_import_fd(s, fd, &o, &id, &e), 0, "%s", ace_error_msg(e));
        close(fd);
        usleep(2000); /* distinct import times */
        return id;
}

static char *find(const char *name, const char *labels, unsigned flags, int *ret)
{
        struct ace_kv_list l = {0};
        char *id = NULL;
        _cleanup_free_ char *copy = labels ? strdup(labels) : NULL;
        for (char *tok = copy ? strtok(copy, ",") : NULL; tok; tok = strtok(NULL, ",")) {
                char *eq = strchr(tok, '=');
                *eq = '\0';
                ace_kv_append(&l, tok, eq + 1);
        }
        *ret = store_find_by_name(s, name, &l, flags, &id, NULL);
        ace_kv_list_clear(&l);
        return id;
}

Test(store_lookup, id_prefixes)
{
        _cleanup_free_ char *a = add("example.com/a", NULL, "a", false);
        _cleanup_free_ char *got = NULL, *prefix = NULL;
        _cleanup_error_ struct ace_error *e = NULL;

        prefix = sfx_fmt("%.9s", a); /* sha512- + 2 hex */
        cr_assert_eq(store_find_by_id_prefix(s, prefix, &got, &e), 0, "%s", ace_error_msg(e));
        cr_expect_str_eq(got, a);
        free(got);
        got = NULL;
        cr_assert_eq(store_find_by_id_prefix(s, a, &got, NULL), 0);
        cr_expect_str_eq(got, a);

        /* a prefix nothing has */
        char other[16];
        snprintf(other, sizeof(other), "sha512-%c%c", a[7] == '0' ? '1' : '0', a[8]);
        cr_expect_eq(store_find_by_id_prefix(s, other, &got, &e), -ENOENT);
        cr_expect_str_eq(ace_error_msg(e), "no image IDs found");

        /* not an ID prefix: refused before any lookup */
        static const char *const bad[] = {"sha512-a",       "sha512-",     "sha512-zz",
                                          "sha512-../../x", "sha256-abcd", "sha512-ABCD",
                                          "abcdef"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_expect_eq(store_find_by_id_prefix(s, bad[i], &got, NULL), -EINVAL, "%s", bad[i]);
}

Test(store_lookup, ambiguous_prefix, .timeout = 120)
{
        /* Import images until two share their first two hex digits (a birthday collision in
         * 256 buckets comes within a few dozen). */
        char *ids[300] = {0};
        int a = -1, b = -1;
        for (int i = 0; i < 300 && a < 0; i++) {
                _cleanup_free_ char *tag = sfx_fmt("img%d", i);
                ids[i] = add("example.com/many", NULL, tag, false);
                for (int j = 0; j < i; j++)
                        if (strncmp(ids[i], ids[j], 9) == 0) {
                                a = j;
                                b = i;
                                break;
                        }
        }
        cr_assert_geq(a, 0, "no collision found");
        _cleanup_free_ char *prefix = sfx_fmt("%.9s", ids[a]);
        _cleanup_error_ struct ace_error *e = NULL;
        char *got = NULL;
        cr_expect_eq(store_find_by_id_prefix(s, prefix, &got, &e), -EEXIST);
        cr_expect_str_eq(ace_error_msg(e), "ambiguous image ID");
        /* a longer prefix that tells them apart works */
        size_t k = 9;
        while (ids[a][k] == ids[b][k])
                k++;
        _cleanup_free_ char *longer = sfx_fmt("%.*s", (int)k + 1, ids[b]);
        cr_assert_eq(store_find_by_id_prefix(s, longer, &got, NULL), 0);
        cr_expect_str_eq(got, ids[b]);
        free(got);
        for (int i = 0; i < 300; i++)
                free(ids[i]);
}

Test(store_lookup, name_and_labels)
{
        _cleanup_free_ char *v1 =
            add("example.com/app", "version=1.0,os=linux,arch=amd64", "v1", false);
        _cleanup_free_ char *v2 =
            add("example.com/app", "version=2.0,os=linux,arch=amd64", "v2", false);
        _cleanup_free_ char *other = add("example.com/other", "version=1.0", "o", false);
        int r;

        /* newest import wins without a version */
        _cleanup_free_ char *got = find("example.com/app", NULL, 0, &r);
        cr_expect_eq(r, 0);
        cr_expect_str_eq(got, v2);
        _cleanup_free_ char *g1 = find("example.com/app", "version=1.0", 0, &r);
        cr_expect_str_eq(g1, v1);
        _cleanup_free_ char *g2 = find("example.com/app", "version=1.0,os=linux", 0, &r);
        cr_expect_str_eq(g2, v1);
        _cleanup_free_ char *g3 = find("example.com/app", "version=3.0", 0, &r);
        cr_expect_eq(r, -ENOENT);
        cr_expect_null(g3);
        _cleanup_free_ char *g4 = find("example.com/app", "flavor=x", 0, &r);
        cr_expect_eq(r, -ENOENT);
        _cleanup_free_ char *g5 = find("example.com/nothing", NULL, 0, &r);
        cr_expect_eq(r, -ENOENT);
        cr_expect_eq(store_find_by_name(s, "Not A Name", NULL, 0, &got, NULL), -EINVAL);
        (void)other;
}

Test(store_lookup, latest_without_version_first)
{
        _cleanup_free_ char *old_latest = add("example.com/app", "version=1.0", "l", true);
        _cleanup_free_ char *newer = add("example.com/app", "version=2.0", "n", false);
        int r;

        /* no version asked: the image discovered as latest beats a newer import */
        _cleanup_free_ char *got = find("example.com/app", NULL, 0, &r);
        cr_expect_str_eq(got, old_latest);
        /* a version asked: latest does not matter */
        _cleanup_free_ char *v2 = find("example.com/app", "version=2.0", 0, &r);
        cr_expect_str_eq(v2, newer);
        /* two latest: the newest of them */
        _cleanup_free_ char *newest_latest = add("example.com/app", "version=3.0", "l3", true);
        _cleanup_free_ char *g = find("example.com/app", NULL, 0, &r);
        cr_expect_str_eq(g, newest_latest);
}

Test(store_lookup, host_os_arch)
{
        cr_assert_str_eq(store_host_os(), "linux");
        const char *arch = store_host_arch();
        const char *foreign = strcmp(arch, "aarch64") == 0 ? "amd64" : "aarch64";
        _cleanup_free_ char *l_native = sfx_fmt("os=linux,arch=%s", arch);
        _cleanup_free_ char *l_foreign = sfx_fmt("os=linux,arch=%s", foreign);
        _cleanup_free_ char *native = add("example.com/multi", l_native, "native", false);
        _cleanup_free_ char *alien = add("example.com/multi", l_foreign, "foreign", false);
        _cleanup_free_ char *plain = add("example.com/plain", NULL, "plain", false);
        int r;

        /* the foreign image is newer, but the host's arch is added when missing */
        _cleanup_free_ char *g = find("example.com/multi", NULL, STORE_FIND_HOST_OSARCH, &r);
        cr_expect_str_eq(g, native);
        _cleanup_free_ char *g0 = find("example.com/multi", NULL, 0, &r);
        cr_expect_str_eq(g0, alien);
        /* asked explicitly: the foreign one */
        _cleanup_free_ char *arch_label = sfx_fmt("arch=%s", foreign);
        _cleanup_free_ char *gf = find("example.com/multi", arch_label, STORE_FIND_HOST_OSARCH, &r);
        cr_expect_str_eq(gf, alien);
        /* an image without os/arch labels still matches */
        _cleanup_free_ char *gp = find("example.com/plain", NULL, STORE_FIND_HOST_OSARCH, &r);
        cr_expect_str_eq(gp, plain);

        /* store_resolve: app strings and ID prefixes */
        _cleanup_free_ char *res = NULL, *res2 = NULL, *pfx = sfx_fmt("%.20s", native);
        cr_assert_eq(store_resolve(s, "example.com/multi", &res, NULL), 0);
        cr_expect_str_eq(res, native);
        cr_assert_eq(store_resolve(s, pfx, &res2, NULL), 0);
        cr_expect_str_eq(res2, native);
        _cleanup_error_ struct ace_error *e = NULL;
        cr_expect_lt(store_resolve(s, "example.com/multi:9.9", &res, &e), 0);
        cr_expect(strstr(ace_error_msg(e), "cannot find aci satisfying name"), "%s",
                  ace_error_msg(e));
}
