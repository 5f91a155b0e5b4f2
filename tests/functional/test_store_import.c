/*
 * test_store_import.c - importing ACIs into the store (stage0/store/import.h): every
 * compression, the image ID, re-imports, expected IDs, bad input leaving nothing behind,
 * the push-style importer and 16 concurrent imports of one image.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "schema/image_manifest.h"
#include "stage0/store/import.h"
#include "stage0/store/store.h"
#include "tests/lib/aci_builder.h"
#include "tests/lib/store_fixture.h"

static char *work, *dir;

static void setup(void)
{
        work = sfx_tmpdir("import");
        dir = sfx_fmt("%s/data", work);
}

static void teardown(void)
{
        sfx_rmrf(work);
        free(work);
        free(dir);
}

TestSuite(store_import, .init = setup, .fini = teardown);

static char *hello_aci(enum tar_compression c, const char *name, char **ret_path)
{
        _cleanup_free_ char *m = sfx_manifest(name, "version=1.0,os=linux,arch=amd64", NULL);
        _cleanup_free_ char *layout = sfx_layout(work, "layout", m);
        _cleanup_free_ char *f = sfx_fmt("%s/rootfs/etc/hello", layout);
        sfx_write(f, "hello from the image\n");
        *ret_path = sfx_fmt("%s/hello-%d.aci", work, (int)c);
        return sfx_build_aci(layout, *ret_path, c);
}

Test(store_import, every_compression_gives_the_uncompressed_hash)
{
        enum tar_compression cs[] = {TAR_COMPRESSION_NONE, TAR_COMPRESSION_GZIP,
                                     TAR_COMPRESSION_BZIP2, TAR_COMPRESSION_XZ,
                                     TAR_COMPRESSION_ZSTD};
        _cleanup_free_ char *first = NULL;

        for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
                _cleanup_free_ char *aci = NULL, *err = NULL;
                _cleanup_free_ char *want = hello_aci(cs[i], "example.com/hello", &aci);
                _cleanup_free_ char *got = sfx_import(dir, aci, NULL, &err);
                cr_assert_not_null(got, "import %s: %s", aci, err);
                cr_expect_str_eq(got, want, "compression %d", (int)cs[i]);
                if (!first)
                        first = strdup(got);
                /* the same tar in every compression is the same image */
                cr_expect_str_eq(got, first);
        }
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs, 1);
        cr_expect_eq(c.rows, 1);
        sfx_assert_consistent(dir);
}

Test(store_import, reimport_is_the_same_image_and_refreshes_import_time)
{
        _cleanup_free_ char *aci = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_GZIP, "example.com/hello", &aci);
        _cleanup_free_ char *a = sfx_import(dir, aci, NULL, NULL);
        struct store *s = NULL;
        struct store_image *before = NULL, *after = NULL;

        cr_assert_str_eq(a, want);
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_get_image(s, a, &before, NULL), 0);
        usleep(10000);
        _cleanup_free_ char *b = sfx_import(dir, aci, NULL, NULL);
        cr_assert_str_eq(b, a);
        cr_assert_eq(store_get_image(s, a, &after, NULL), 0);
        cr_expect_gt(after->import_time, before->import_time);
        cr_expect_eq(after->size, before->size);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs, 1);
        cr_expect_eq(c.rows, 1);
        store_image_free(before);
        store_image_free(after);
        store_close(s);
        sfx_assert_consistent(dir);
}

Test(store_import, expected_id_mismatch_stores_nothing)
{
        _cleanup_free_ char *aci = NULL, *err = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_GZIP, "example.com/hello", &aci);
        char other[HASH_IMAGE_ID_SIZE];

        strcpy(other, want);
        other[10] = other[10] == 'a' ? 'b' : 'a';
        cr_assert_null(sfx_import(dir, aci, other, &err));
        cr_expect(strstr(err, "image ID mismatch"), "%s", err);
        cr_expect(strstr(err, other), "error names the expected ID: %s", err);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.manifests + c.tmp, 0);
        /* and the right expectation works */
        _cleanup_free_ char *ok = sfx_import(dir, aci, want, NULL);
        cr_expect_str_eq(ok, want);
}

Test(store_import, bad_input_is_refused_and_leaves_nothing)
{
        _cleanup_free_ char *garbage = sfx_fmt("%s/garbage.aci", work);
        _cleanup_free_ char *err = NULL, *err2 = NULL;
        sfx_write(garbage, "this is not an archive at all, not even close\n");
        cr_assert_null(sfx_import(dir, garbage, NULL, &err));
        cr_expect(err && *err, "an error message");

        /* an archive whose manifest has no name */
        _cleanup_free_ char *layout =
            sfx_layout(work, "noname", "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\"}");
        _cleanup_free_ char *aci = sfx_fmt("%s/noname.aci", work);
        free(sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP));
        cr_assert_null(sfx_import(dir, aci, NULL, &err2));
        cr_expect(strstr(err2, "manifest"), "%s", err2);

        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.manifests + c.tmp, 0);
}

Test(store_import, push_importer_in_small_chunks)
{
        _cleanup_free_ char *aci = NULL, *buf = NULL, *id = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_XZ, "example.com/hello", &aci);
        _cleanup_error_ struct ace_error *e = NULL;
        struct store *s = NULL;
        struct store_import *imp = NULL;
        const struct store_import_result *res = NULL;
        size_t len = 0;

        buf = sfx_read(aci);
        cr_assert_not_null(buf);
        {
                struct stat st;
                cr_assert_eq(stat(aci, &st), 0);
                len = (size_t)st.st_size;
        }
        cr_assert_eq(store_open(dir, 0, &s, &e), 0, "%s", ace_error_msg(e));

        /* abort leaves nothing */
        cr_assert_eq(store_import_begin(s, NULL, &imp, &e), 0, "%s", ace_error_msg(e));
        cr_assert_eq(store_import_write(imp, buf, len / 2, &e), 0, "%s", ace_error_msg(e));
        store_import_abort(imp);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.tmp, 0);

        /* finish reports the ID and manifest before anything is visible */
        cr_assert_eq(store_import_begin(s, NULL, &imp, &e), 0, "%s", ace_error_msg(e));
        for (size_t off = 0; off < len; off += 7)
                cr_assert_eq(store_import_write(imp, buf + off, len - off < 7 ? len - off : 7, &e),
                             0, "%s", ace_error_msg(e));
        cr_assert_eq(store_import_finish(imp, &res, &e), 0, "%s", ace_error_msg(e));
        cr_expect_str_eq(res->id, want);
        cr_expect_str_eq(res->manifest->name, "example.com/hello");
        cr_expect(strstr(res->manifest_json, "example.com/hello"));
        cr_expect_not(store_has_image(s, want), "not visible before commit");
        cr_assert_eq(store_import_commit(imp, &id, &e), 0, "%s", ace_error_msg(e));
        cr_expect_str_eq(id, want);
        cr_expect(store_has_image(s, want));
        store_close(s);
        sfx_assert_consistent(dir);
}

Test(store_import, remote_info_is_recorded_with_the_image)
{
        _cleanup_free_ char *aci = NULL, *id = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_GZIP, "example.com/hello", &aci);
        _cleanup_error_ struct ace_error *e = NULL;
        struct store_remote rem = {.url = "https://example.com/hello.aci",
                                   .sig_url = "https://example.com/hello.aci.asc",
                                   .etag = "\"abc\"",
                                   .cache_max_age = 600};
        struct store_import_opts o = {.remote = &rem, .latest = true};
        struct store_remote *got = NULL;
        struct store *s = NULL;
        struct store_image *img = NULL;
        int fd = open(aci, O_RDONLY | O_CLOEXEC);

        cr_assert_eq(store_open(dir, 0, &s, &e), 0);
        cr_assert_eq(store_import_fd(s, fd, &o, &id, &e), 0, "%s", ace_error_msg(e));
        close(fd);
        cr_assert_eq(store_get_remote(s, rem.url, &got, &e), 0, "%s", ace_error_msg(e));
        cr_expect_str_eq(got->blob_id, want);
        cr_expect_str_eq(got->etag, "\"abc\"");
        cr_expect_str_eq(got->sig_url, rem.sig_url);
        cr_expect_eq(got->cache_max_age, 600);
        cr_expect_gt(got->download_time, 0);
        cr_assert_eq(store_get_image(s, want, &img, NULL), 0);
        cr_expect(img->latest);
        cr_expect_eq(store_get_remote(s, "https://nowhere/x.aci", &got, NULL), -ENOENT);
        /* removing the image drops its remote record */
        store_remote_free(got);
        got = NULL;
        cr_assert_eq(store_remove_image(s, want, &e), 0, "%s", ace_error_msg(e));
        cr_expect_eq(store_get_remote(s, rem.url, &got, NULL), -ENOENT);
        store_image_free(img);
        store_close(s);
}

Test(store_import, sixteen_concurrent_imports_store_one_copy, .timeout = 120)
{
        _cleanup_free_ char *aci = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_GZIP, "example.com/hello", &aci);
        int fds[16][2];
        pid_t pids[16];

        for (int i = 0; i < 16; i++) {
                cr_assert_eq(pipe(fds[i]), 0);
                pids[i] = fork();
                cr_assert_geq(pids[i], 0);
                if (pids[i] == 0) {
                        char *err = NULL;
                        char *id = sfx_import(dir, aci, NULL, &err);
                        const char *out = id ? id : err;
                        (void)!write(fds[i][1], out, strlen(out));
                        _exit(id ? 0 : 1);
                }
                close(fds[i][1]);
        }
        for (int i = 0; i < 16; i++) {
                char buf[512] = "";
                int st;
                ssize_t n = read(fds[i][0], buf, sizeof(buf) - 1);
                buf[n > 0 ? n : 0] = '\0';
                close(fds[i][0]);
                cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
                cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "import %d failed: %s", i, buf);
                cr_expect_str_eq(buf, want, "import %d", i);
        }
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs, 1);
        cr_expect_eq(c.rows, 1);
        cr_expect_eq(c.manifests, 1);
        sfx_assert_consistent(dir);
}

Test(store_import, push_importer_refuses_garbage_midway)
{
        _cleanup_free_ char *aci = NULL, *buf = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_NONE, "example.com/hello", &aci);
        _cleanup_error_ struct ace_error *e = NULL;
        struct store *s = NULL;
        struct store_import *imp = NULL;
        int r = 0;

        buf = sfx_read(aci);
        cr_assert_not_null(buf);
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_import_begin(s, NULL, &imp, &e), 0, "%s", ace_error_msg(e));
        /* a valid first header, then garbage where the next header should be */
        r = store_import_write(imp, buf, 1024, &e);
        char junk[8192];
        memset(junk, 'Z', sizeof(junk));
        for (int i = 0; i < 8 && r >= 0; i++)
                r = store_import_write(imp, junk, sizeof(junk), &e);
        if (r >= 0)
                r = store_import_finish(imp, NULL, &e);
        cr_expect_lt(r, 0, "garbage is refused");
        cr_expect(e && *ace_error_msg(e), "with a message");
        store_import_abort(imp);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.manifests + c.tmp + c.trees, 0);
        store_close(s);
        (void)want;
}

Test(store_import, push_importer_checks_the_expected_id)
{
        _cleanup_free_ char *aci = NULL, *buf = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_GZIP, "example.com/hello", &aci);
        _cleanup_error_ struct ace_error *e = NULL;
        struct store *s = NULL;
        struct store_import *imp = NULL;
        struct stat st;
        char other[HASH_IMAGE_ID_SIZE];

        strcpy(other, want);
        other[40] = other[40] == '0' ? '1' : '0';
        struct store_import_opts o = {.expected_id = other};
        buf = sfx_read(aci);
        cr_assert_eq(stat(aci, &st), 0);
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_import_begin(s, &o, &imp, &e), 0);
        cr_assert_eq(store_import_write(imp, buf, (size_t)st.st_size, &e), 0);
        cr_expect_eq(store_import_commit(imp, NULL, &e), -EBADMSG);
        cr_expect(strstr(ace_error_msg(e), other), "%s", ace_error_msg(e));
        cr_expect_not(store_has_image(s, want));
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.tmp, 0);
        /* an invalid expected ID is refused up front */
        struct store_import_opts bad = {.expected_id = "sha512-../../etc"};
        cr_expect_eq(store_import_begin(s, &bad, &imp, NULL), -EINVAL);
        store_close(s);
}

Test(store_import, store_directories_are_private)
{
        static const char *const dirs[] = {
            "cas",      "cas/blob",       "cas/blob/sha512",    "cas/db", "cas/tmp",
            "cas/tree", "cas/imagelocks", "cas/treestorelocks", "locks"};
        _cleanup_free_ char *aci = NULL, *err = NULL;
        _cleanup_free_ char *want = hello_aci(TAR_COMPRESSION_GZIP, "example.com/hello", &aci);
        _cleanup_free_ char *id = sfx_import_render(dir, aci, &err);
        cr_assert_not_null(id, "%s", err);
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                _cleanup_free_ char *p = sfx_fmt("%s/%s", dir, dirs[i]);
                struct stat st;
                cr_assert_eq(stat(p, &st), 0, "%s", p);
                cr_expect_eq(st.st_mode & 0777, 0700, "%s is %o", dirs[i], st.st_mode & 0777);
        }
        _cleanup_free_ char *db = sfx_fmt("%s/cas/db/ace.db", dir);
        struct stat st;
        cr_assert_eq(stat(db, &st), 0);
        cr_expect_eq(st.st_mode & 077, 0, "db is %o", st.st_mode & 0777);
        /* a store dir someone opened up is made private again */
        _cleanup_free_ char *cas = sfx_fmt("%s/cas", dir);
        cr_assert_eq(chmod(cas, 0755), 0);
        struct store *s = NULL;
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        store_close(s);
        cr_assert_eq(stat(cas, &st), 0);
        cr_expect_eq(st.st_mode & 0777, 0700);
        (void)want;
}

Test(store_import, ids_never_become_paths)
{
        static const char *const bad[] = {"sha512-../../etc/passwd", "sha512-", "sha256-abcd",
                                          "sha512-ABCDEF",           "../x",    ""};
        struct store *s = NULL;
        struct store_image *img = NULL;
        char *buf = NULL;
        size_t len;
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cr_expect_eq(store_get_image(s, bad[i], &img, NULL), -EINVAL, "%s", bad[i]);
                cr_expect_eq(store_open_blob(s, bad[i], NULL), -EINVAL, "%s", bad[i]);
                cr_expect_eq(store_read_manifest(s, bad[i], &buf, &len, NULL), -EINVAL);
                cr_expect_eq(store_lock_image(s, bad[i], STORE_LOCK_SHARED, NULL), -EINVAL);
                cr_expect_eq(store_remove_image(s, bad[i], NULL), -EINVAL);
                cr_expect_not(store_has_image(s, bad[i]));
        }
        /* 129 hex digits */
        char long_id[160] = "sha512-";
        memset(long_id + 7, 'a', 129);
        long_id[136] = '\0';
        cr_expect_eq(store_lock_image(s, long_id, STORE_LOCK_SHARED, NULL), -EINVAL);
        store_close(s);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.manifests, 0);
        /* no lock file was created for any of them */
        _cleanup_free_ char *locks = sfx_fmt("%s/cas/imagelocks", dir);
        DIR *d = opendir(locks);
        cr_assert_not_null(d);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        closedir(d);
        cr_expect_eq(n, 0);
}

/* The decompression stage keeps common/tar's rules: other formats refused by magic, nested
 * compression refused, truncated streams fail cleanly; nothing is stored. */
static void expect_refused(const void *data, size_t len, const char *what, const char *needle)
{
        _cleanup_free_ char *path = sfx_fmt("%s/%s.aci", work, what), *err = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        struct store *s = NULL;
        struct store_import *imp = NULL;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
        close(fd);

        cr_expect_null(sfx_import(dir, path, NULL, &err), "%s accepted", what);
        cr_expect(err && strstr(err, needle), "%s: %s", what, err);
        /* the push API too */
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_import_begin(s, NULL, &imp, &e), 0);
        int r = store_import_write(imp, data, len, &e);
        if (r >= 0)
                r = store_import_finish(imp, NULL, &e);
        cr_expect_lt(r, 0, "%s accepted by the push API", what);
        cr_expect(strstr(ace_error_msg(e), needle), "%s: %s", what, ace_error_msg(e));
        store_import_abort(imp);
        store_close(s);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.manifests + c.tmp + c.trees, 0);
}

Test(store_import, other_formats_nested_and_truncated_streams_are_refused)
{
        void *zip = NULL;
        size_t zlen = 0;
        aci_build_other_format("zip", &zip, &zlen);
        expect_refused(zip, zlen, "zip", "zip");
        free(zip);

        struct aci_builder *inner = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        struct aci_builder *outer = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *in = NULL, *out = NULL;
        size_t ilen = 0, olen = 0;
        aci_add_minimal(inner);
        aci_builder_finish(inner, false, &in, &ilen);
        aci_add_raw(outer, in, ilen);
        aci_builder_finish(outer, true, &out, &olen);
        expect_refused(out, olen, "nested", "nested");
        /* the inner one alone is a fine image, cut short it is not */
        expect_refused(in, ilen / 2, "truncated", "");
        aci_builder_free(inner);
        aci_builder_free(outer);
}
