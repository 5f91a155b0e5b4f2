/*
 * test_store_import.c - importing ACIs into the store (stage0/store/import.h): every
 * compression, the image ID, re-imports, expected IDs, bad input leaving nothing behind,
 * the push-style importer and 16 concurrent imports of one image.
 */
#include <criterion/criterion.h>
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
        _cleanup_free_ char *layout = sfx_layout(work, "noname",
                                                 "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\"}");
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
                cr_assert_eq(store_import_write(imp, buf + off, len - off < 7 ? len - off : 7, &e), 0,
                             "%s", ace_error_msg(e));
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
