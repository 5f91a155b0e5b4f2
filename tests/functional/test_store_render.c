/*
 * test_store_render.c - the tree store: dependencies rendered in appc's order with
 * pathWhitelists, an earlier layer's symlink replaced and never followed, missing or
 * mismatching dependencies refused, rendered trees reused, tampering detected and repaired.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "stage0/store/import.h"
#include "stage0/store/store.h"
#include "stage0/store/tree.h"
#include "tests/lib/store_fixture.h"

static char *work, *dir;
static struct store *s;

static void setup(void)
{
        work = sfx_tmpdir("render");
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

TestSuite(store_render, .init = setup, .fini = teardown);

/* An image named example.com/<tag> whose rootfs gets files "path=content;path=content". */
static char *image(const char *tag, const char *extra, const char *files)
{
        _cleanup_free_ char *name = sfx_fmt("example.com/%s", tag);
        _cleanup_free_ char *m = sfx_manifest(name, "os=linux", extra);
        _cleanup_free_ char *layout = sfx_layout(work, tag, m);
        _cleanup_free_ char *aci = sfx_fmt("%s/%s.aci", work, tag);
        _cleanup_free_ char *copy = strdup(files ? files : "");
        char *err = NULL;

        for (char *tok = strtok(copy, ";"); tok; tok = strtok(NULL, ";")) {
                char *eq = strchr(tok, '=');
                *eq = '\0';
                _cleanup_free_ char *p = sfx_fmt("%s/rootfs%s", layout, tok);
                sfx_write(p, eq + 1);
        }
        free(sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP));
        char *id = sfx_import(dir, aci, NULL, &err);
        cr_assert_not_null(id, "import %s: %s", tag, err);
        return id;
}

static char *tree_file(const char *tree_path, const char *rel)
{
        _cleanup_free_ char *p = sfx_fmt("%s/%s", tree_path, rel);
        return sfx_read(p);
}

Test(store_render, dependencies_depth_first_in_order)
{
        /* A -> [B, C], C -> [D]: render order B, D, C, A */
        _cleanup_free_ char *b = image("b", NULL, "/f1=B;/f2=B;/f3=B;/f4=B");
        _cleanup_free_ char *d = image("d", NULL, "/f2=D;/f3=D;/f4=D");
        _cleanup_free_ char *dd = sfx_dep("example.com/d", NULL, NULL);
        _cleanup_free_ char *cx = sfx_fmt("\"dependencies\":[%s]", dd);
        _cleanup_free_ char *c = image("c", cx, "/f3=C;/f4=C");
        _cleanup_free_ char *db = sfx_dep("example.com/b", NULL, NULL);
        _cleanup_free_ char *dc = sfx_dep("example.com/c", c, "os=linux");
        _cleanup_free_ char *ax = sfx_fmt("\"dependencies\":[%s,%s]", db, dc);
        _cleanup_free_ char *a = image("a", ax, "/f4=A");
        _cleanup_free_ char *tree_id = NULL, *path = NULL;
        _cleanup_error_ struct ace_error *e = NULL;

        cr_assert_eq(store_render(s, a, &tree_id, &path, &e), 0, "%s", ace_error_msg(e));
        _cleanup_free_ char *f1 = tree_file(path, "rootfs/f1"), *f2 = tree_file(path, "rootfs/f2");
        _cleanup_free_ char *f3 = tree_file(path, "rootfs/f3"), *f4 = tree_file(path, "rootfs/f4");
        cr_expect_str_eq(f1, "B");
        cr_expect_str_eq(f2, "D");
        cr_expect_str_eq(f3, "C");
        cr_expect_str_eq(f4, "A");
        _cleanup_free_ char *layers = tree_file(path, "layers");
        _cleanup_free_ char *want = sfx_fmt("%s\n%s\n%s\n%s\n", b, d, c, a);
        cr_expect_str_eq(layers, want);
        /* tree ID = deps-sha512 over the layer IDs in that order */
        char *ids[] = {b, d, c, a};
        _cleanup_free_ char *tid = store_tree_id(ids, 4);
        cr_expect_str_eq(tree_id, tid);
        _cleanup_free_ char *manifest = tree_file(path, "manifest");
        cr_expect(strstr(manifest, "example.com/a"));
        cr_expect(store_tree_is_rendered(s, tree_id));
        sfx_assert_consistent(dir);
}

Test(store_render, path_whitelist_filters_layers)
{
        _cleanup_free_ char *dep = image("base", "\"pathWhitelist\":[\"/keep/a\",\"/top\",\"/x\"]",
                                         "/keep/a=1;/keep/b=2;/x=dep;/y=dep");
        _cleanup_free_ char *dd = sfx_dep("example.com/base", NULL, NULL);
        _cleanup_free_ char *ax = sfx_fmt("\"dependencies\":[%s],"
                                          "\"pathWhitelist\":[\"/keep/a\",\"/top\",\"/y\"]",
                                          dd);
        _cleanup_free_ char *a = image("app", ax, "/top=app;/other=app");
        _cleanup_free_ char *tree_id = NULL, *path = NULL;
        _cleanup_error_ struct ace_error *e = NULL;

        cr_assert_eq(store_render(s, a, &tree_id, &path, &e), 0, "%s", ace_error_msg(e));
        _cleanup_free_ char *ka = sfx_fmt("%s/rootfs/keep/a", path);
        _cleanup_free_ char *kb = sfx_fmt("%s/rootfs/keep/b", path);
        _cleanup_free_ char *x = sfx_fmt("%s/rootfs/x", path);
        _cleanup_free_ char *y = sfx_fmt("%s/rootfs/y", path);
        _cleanup_free_ char *top = sfx_fmt("%s/rootfs/top", path);
        _cleanup_free_ char *other = sfx_fmt("%s/rootfs/other", path);
        cr_expect(sfx_exists(ka), "in both whitelists");
        cr_expect_not(sfx_exists(kb), "in neither");
        cr_expect_not(sfx_exists(x), "only in the dependency's own whitelist");
        cr_expect_not(sfx_exists(y), "only in the parent's whitelist, not in the dependency's");
        cr_expect(sfx_exists(top));
        cr_expect_not(sfx_exists(other), "the image's own whitelist filters it too");
}

Test(store_render, symlink_from_a_dependency_is_replaced_not_followed)
{
        _cleanup_free_ char *canary = sfx_fmt("%s/canary", work);
        cr_assert_eq(mkdir(canary, 0755), 0);
        _cleanup_free_ char *canary_file = sfx_fmt("%s/keep", canary);
        sfx_write(canary_file, "untouched");

        /* the dependency ships rootfs/etc -> <canary> (absolute, outside) */
        _cleanup_free_ char *m = sfx_manifest("example.com/evil", NULL, NULL);
        _cleanup_free_ char *layout = sfx_layout(work, "evil", m);
        _cleanup_free_ char *link = sfx_fmt("%s/rootfs/etc", layout);
        cr_assert_eq(symlink(canary, link), 0);
        _cleanup_free_ char *aci = sfx_fmt("%s/evil.aci", work);
        free(sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP));
        _cleanup_free_ char *evil = sfx_import(dir, aci, NULL, NULL);
        cr_assert_not_null(evil);

        _cleanup_free_ char *dd = sfx_dep("example.com/evil", NULL, NULL);
        _cleanup_free_ char *ax = sfx_fmt("\"dependencies\":[%s]", dd);
        _cleanup_free_ char *a = image("upper", ax, "/etc/x=written");
        _cleanup_free_ char *tree_id = NULL, *path = NULL;
        _cleanup_error_ struct ace_error *e = NULL;

        cr_assert_eq(store_render(s, a, &tree_id, &path, &e), 0, "%s", ace_error_msg(e));
        _cleanup_free_ char *etc = sfx_fmt("%s/rootfs/etc", path);
        _cleanup_free_ char *x = sfx_fmt("%s/rootfs/etc/x", path);
        struct stat st;
        cr_assert_eq(lstat(etc, &st), 0);
        cr_expect(S_ISDIR(st.st_mode), "rootfs/etc became a directory");
        _cleanup_free_ char *xc = sfx_read(x);
        cr_expect_str_eq(xc, "written");
        /* the canary saw nothing */
        _cleanup_free_ char *cx = sfx_fmt("%s/x", canary);
        cr_expect_not(sfx_exists(cx));
        _cleanup_free_ char *kc = sfx_read(canary_file);
        cr_expect_str_eq(kc, "untouched");
}

Test(store_render, missing_dependency_is_named)
{
        _cleanup_free_ char *dd = sfx_dep("example.com/absent", NULL, "version=7");
        _cleanup_free_ char *ax = sfx_fmt("\"dependencies\":[%s]", dd);
        _cleanup_free_ char *a = image("needy", ax, "/a=1");
        _cleanup_free_ char *tree_id = NULL, *path = NULL;
        _cleanup_error_ struct ace_error *e = NULL;

        cr_assert_lt(store_render(s, a, &tree_id, &path, &e), 0);
        cr_expect(strstr(ace_error_msg(e), "example.com/absent,version=7"), "%s", ace_error_msg(e));
        cr_expect(strstr(ace_error_msg(e), "not found"), "%s", ace_error_msg(e));
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.trees, 0, "nothing rendered");
}

Test(store_render, dependency_image_id_must_match)
{
        _cleanup_free_ char *real = image("dep", NULL, "/d=1");
        /* the manifest pins an imageID the store does not have (same name) */
        char pinned[256];
        strcpy(pinned, real);
        pinned[20] = pinned[20] == 'a' ? 'b' : 'a';
        _cleanup_free_ char *dd = sfx_dep("example.com/dep", pinned, NULL);
        _cleanup_free_ char *ax = sfx_fmt("\"dependencies\":[%s]", dd);
        _cleanup_free_ char *a = image("pinned", ax, "/a=1");
        _cleanup_free_ char *tree_id = NULL, *path = NULL;
        _cleanup_error_ struct ace_error *e = NULL;

        cr_assert_lt(store_render(s, a, &tree_id, &path, &e), 0);
        cr_expect(strstr(ace_error_msg(e), pinned), "%s", ace_error_msg(e));

        /* pinned to an image that exists under another name: refused too */
        _cleanup_free_ char *other = image("other", NULL, "/o=1");
        _cleanup_free_ char *dd2 = sfx_dep("example.com/dep", other, NULL);
        _cleanup_free_ char *ax2 = sfx_fmt("\"dependencies\":[%s]", dd2);
        _cleanup_free_ char *a2 = image("pinned2", ax2, "/a=2");
        _cleanup_error_ struct ace_error *e2 = NULL;
        cr_assert_lt(store_render(s, a2, &tree_id, &path, &e2), 0);
        cr_expect(strstr(ace_error_msg(e2), "is named example.com/other"), "%s", ace_error_msg(e2));
}

Test(store_render, rendered_tree_is_reused)
{
        _cleanup_free_ char *a = image("reuse", NULL, "/a=1");
        _cleanup_free_ char *t1 = NULL, *p1 = NULL, *t2 = NULL, *p2 = NULL;
        struct stat st1, st2;

        cr_assert_eq(store_render(s, a, &t1, &p1, NULL), 0);
        _cleanup_free_ char *marker = sfx_fmt("%s/rendered", p1);
        cr_assert_eq(stat(marker, &st1), 0);
        usleep(20000);
        cr_assert_eq(store_render(s, a, &t2, &p2, NULL), 0);
        cr_expect_str_eq(t1, t2);
        cr_expect_str_eq(p1, p2);
        cr_assert_eq(stat(marker, &st2), 0);
        cr_expect_eq(st1.st_ino, st2.st_ino, "not rendered again");
        cr_expect_eq(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
}

Test(store_render, tampering_is_detected_and_repaired)
{
        _cleanup_free_ char *a = image("tamper", NULL, "/bin/tool=original;/etc/conf=x");
        _cleanup_free_ char *t = NULL, *p = NULL, *detail = NULL;
        enum store_verify_result res;
        _cleanup_error_ struct ace_error *e = NULL;

        cr_assert_eq(store_render(s, a, &t, &p, NULL), 0);
        cr_assert_eq(store_verify_tree(s, t, &e), 0, "%s", ace_error_msg(e));

        _cleanup_free_ char *tool = sfx_fmt("%s/rootfs/bin/tool", p);
        sfx_write(tool, "trojan!!");
        cr_expect_eq(store_verify_tree(s, t, &e), -EBADMSG);
        ace_error_freep(&e);
        /* a mode change alone is tampering too */
        cr_assert_eq(store_verify_image(s, a, true, &res, &detail, &e), 0, "%s", ace_error_msg(e));
        cr_expect_eq(res, STORE_VERIFY_REPAIRED);
        _cleanup_free_ char *c = sfx_read(tool);
        cr_expect_str_eq(c, "original");
        cr_expect_eq(store_verify_tree(s, t, NULL), 0);
        cr_assert_eq(chmod(tool, 04755), 0);
        cr_expect_eq(store_verify_tree(s, t, NULL), -EBADMSG);
        cr_assert_eq(store_verify_image(s, a, false, &res, NULL, &e), 0);
        cr_expect_eq(res, STORE_VERIFY_TREE_BAD);
        /* a removed file too */
        cr_assert_eq(store_verify_image(s, a, true, &res, NULL, &e), 0);
        _cleanup_free_ char *conf = sfx_fmt("%s/rootfs/etc/conf", p);
        cr_assert_eq(unlink(conf), 0);
        cr_expect_eq(store_verify_tree(s, t, NULL), -EBADMSG);
        cr_assert_eq(store_verify_image(s, a, true, &res, NULL, &e), 0);
        cr_expect_eq(res, STORE_VERIFY_REPAIRED);
        cr_expect(sfx_exists(conf));
        cr_assert_eq(store_verify_image(s, a, true, &res, NULL, &e), 0);
        cr_expect_eq(res, STORE_VERIFY_OK);
}

Test(store_render, corrupt_blob_is_detected)
{
        _cleanup_free_ char *a = image("rot", NULL, "/data=0123456789");
        _cleanup_free_ char *blob = sfx_fmt("%s/cas/blob/sha512/%.2s/%s", dir, a + 7, a);
        _cleanup_free_ char *t = NULL, *p = NULL;
        enum store_verify_result res;
        _cleanup_error_ struct ace_error *e = NULL, *e2 = NULL;
        /* flip a byte inside the file payload */
        int fd = open(blob, O_RDWR);
        cr_assert_geq(fd, 0);
        char buf[4096];
        ssize_t n = pread(fd, buf, sizeof(buf), 0);
        char *hit = memmem(buf, (size_t)n, "0123456789", 10);
        cr_assert_not_null(hit);
        cr_assert_eq(pwrite(fd, "X", 1, hit - buf), 1);
        close(fd);

        cr_expect_eq(store_verify_image(s, a, true, &res, NULL, &e), -EBADMSG);
        cr_expect(strstr(ace_error_msg(e), "corrupt"), "%s", ace_error_msg(e));
        cr_expect_lt(store_render(s, a, &t, &p, &e2), 0, "a corrupt blob is not rendered");
        cr_expect(strstr(ace_error_msg(e2), "corrupt"), "%s", ace_error_msg(e2));
}

Test(store_render, import_renders_in_the_same_pass)
{
        _cleanup_free_ char *m = sfx_manifest("example.com/onepass", NULL, NULL);
        _cleanup_free_ char *layout = sfx_layout(work, "onepass", m);
        _cleanup_free_ char *f = sfx_fmt("%s/rootfs/etc/data", layout);
        _cleanup_free_ char *aci = sfx_fmt("%s/onepass.aci", work);
        _cleanup_free_ char *t = NULL, *p = NULL, *err = NULL;
        struct stat st1, st2;

        sfx_write(f, "one pass");
        _cleanup_free_ char *want = sfx_build_aci(layout, aci, TAR_COMPRESSION_XZ);
        _cleanup_free_ char *id = sfx_import_render(dir, aci, &err);
        cr_assert_not_null(id, "%s", err);
        cr_expect_str_eq(id, want);
        char *ids[] = {id};
        _cleanup_free_ char *tid = store_tree_id(ids, 1);
        cr_expect(store_tree_is_rendered(s, tid), "rendered by the import");
        _cleanup_free_ char *marker = sfx_fmt("%s/cas/tree/%s/rendered", dir, tid);
        cr_assert_eq(stat(marker, &st1), 0);
        /* store_render finds it, does not render again */
        cr_assert_eq(store_render(s, id, &t, &p, NULL), 0);
        cr_expect_str_eq(t, tid);
        cr_assert_eq(stat(marker, &st2), 0);
        cr_expect_eq(st1.st_ino, st2.st_ino);
        _cleanup_free_ char *data = sfx_fmt("%s/rootfs/etc/data", p), *c = sfx_read(data);
        cr_expect_str_eq(c, "one pass");
        cr_expect_eq(store_verify_tree(s, t, NULL), 0);
        /* the layers file and the size recorded */
        struct store_image *img = NULL;
        cr_assert_eq(store_get_image(s, id, &img, NULL), 0);
        cr_expect_gt(img->tree_size, 0);
        store_image_free(img);
        /* importing again (rendered already) changes nothing */
        _cleanup_free_ char *again = sfx_import_render(dir, aci, NULL);
        cr_expect_str_eq(again, id);
        struct sfx_counts c2;
        sfx_count(dir, &c2);
        cr_expect_eq(c2.trees, 1, "no temp trees left");
        sfx_assert_consistent(dir);
}

Test(store_render, import_does_not_prerender_images_with_dependencies)
{
        _cleanup_free_ char *b = image("lower", NULL, "/l=1");
        _cleanup_free_ char *dd = sfx_dep("example.com/lower", NULL, NULL);
        _cleanup_free_ char *ax = sfx_fmt("\"dependencies\":[%s]", dd);
        _cleanup_free_ char *m = sfx_manifest("example.com/upper", NULL, ax);
        _cleanup_free_ char *layout = sfx_layout(work, "upperpre", m);
        _cleanup_free_ char *f = sfx_fmt("%s/rootfs/u", layout);
        _cleanup_free_ char *aci = sfx_fmt("%s/upperpre.aci", work);
        sfx_write(f, "u");
        free(sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP));
        _cleanup_free_ char *id = sfx_import_render(dir, aci, NULL);
        cr_assert_not_null(id);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.trees, 0, "the extraction was dropped, no temp tree left");
        _cleanup_free_ char *t = NULL, *p = NULL;
        cr_assert_eq(store_render(s, id, &t, &p, NULL), 0);
        _cleanup_free_ char *l = sfx_fmt("%s/rootfs/l", p);
        cr_expect(sfx_exists(l));
}

Test(store_render, reads_and_renders_update_last_used)
{
        _cleanup_free_ char *b = image("used-base", NULL, "/b=1");
        _cleanup_free_ char *dd = sfx_dep("example.com/used-base", NULL, NULL);
        _cleanup_free_ char *ax = sfx_fmt("\"dependencies\":[%s]", dd);
        _cleanup_free_ char *a = image("used-app", ax, "/a=1");
        struct store_image *ia = NULL, *ib = NULL;
        _cleanup_free_ char *t = NULL, *p = NULL, *buf = NULL;
        size_t len;

        cr_assert_eq(store_get_image(s, a, &ia, NULL), 0);
        int64_t before = ia->last_used;
        store_image_free(ia);
        usleep(20000);
        cr_assert_eq(store_render(s, a, &t, &p, NULL), 0);
        cr_assert_eq(store_get_image(s, a, &ia, NULL), 0);
        cr_assert_eq(store_get_image(s, b, &ib, NULL), 0);
        cr_expect_gt(ia->last_used, before, "the image");
        cr_expect_gt(ib->last_used, before, "and its dependency");
        int64_t after_render = ib->last_used;
        store_image_free(ia);
        store_image_free(ib);
        usleep(20000);
        cr_assert_eq(store_read_manifest(s, b, &buf, &len, NULL), 0);
        cr_assert_eq(store_get_image(s, b, &ib, NULL), 0);
        cr_expect_gt(ib->last_used, after_render, "reading the manifest");
        int64_t after_read = ib->last_used;
        store_image_free(ib);
        usleep(20000);
        int fd = store_open_blob(s, b, NULL);
        cr_assert_geq(fd, 0);
        close(fd);
        cr_assert_eq(store_get_image(s, b, &ib, NULL), 0);
        cr_expect_gt(ib->last_used, after_read, "opening the blob");
        store_image_free(ib);
}
