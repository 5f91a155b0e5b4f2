/*
 * test_image_cmds.c - every `ace image` subcommand and flag through the real binary, with
 * rkt's messages and exit codes (254 on failure).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/hash.h"
#include "stage0/store/store.h"
#include "stage0/store/tree.h"
#include "tests/lib/store_fixture.h"

static char *work, *dir, *hello, *base, *app;

/* example.com/base (a file /base), example.com/app:1.0 depending on it (files /app, /etc/conf),
 * example.com/hello:1.0 (standalone). */
static char *image(const char *tag, const char *labels, const char *extra, const char *files)
{
        _cleanup_free_ char *name = sfx_fmt("example.com/%s", tag);
        _cleanup_free_ char *m = sfx_manifest(name, labels, extra);
        _cleanup_free_ char *layout = sfx_layout(work, tag, m);
        _cleanup_free_ char *aci = sfx_fmt("%s/%s.aci", work, tag);
        _cleanup_free_ char *copy = strdup(files);
        for (char *tok = strtok(copy, ";"); tok; tok = strtok(NULL, ";")) {
                char *eq = strchr(tok, '=');
                *eq = '\0';
                _cleanup_free_ char *p = sfx_fmt("%s/rootfs%s", layout, tok);
                sfx_write(p, eq + 1);
        }
        free(sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP));
        char *err = NULL, *id = sfx_import(dir, aci, NULL, &err);
        cr_assert_not_null(id, "%s", err);
        usleep(2000);
        return id;
}

static void setup(void)
{
        work = sfx_tmpdir("imgcmd");
        dir = sfx_fmt("%s/data", work);
        hello = image("hello", "version=1.0", NULL, "/hello=hi");
        base = image("base", NULL, NULL, "/base=b;/etc/conf=base");
        _cleanup_free_ char *dep = sfx_dep("example.com/base", NULL, NULL);
        _cleanup_free_ char *extra = sfx_fmt("\"dependencies\":[%s]", dep);
        app = image("app", "version=1.0", extra, "/app=a;/etc/conf=app");
}

static void teardown(void)
{
        sfx_rmrf(work);
        free(work);
        free(dir);
        free(hello);
        free(base);
        free(app);
}

TestSuite(image_cmds, .init = setup, .fini = teardown, .timeout = 120);

static int ace(char **out, char **err, const char *a1, const char *a2, const char *a3,
               const char *a4, const char *a5)
{
        return sfx_ace(dir, out, err, "image", a1, a2, a3, a4, a5, NULL);
}

static size_t count_lines(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += *s == '\n';
        return n;
}

Test(image_cmds, list_default_and_flags)
{
        _cleanup_free_ char *out = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *err = NULL;
        cr_assert_eq(ace(&out, &err, "list", NULL, NULL, NULL, NULL), 0, "%s", err);
        cr_expect_eq(strncmp(out, "ID\t", 3), 0, "%s", out);
        cr_expect(strstr(out, "NAME"));
        cr_expect(strstr(out, "IMPORT TIME\tLAST USED\n"), "%s", out);
        cr_expect(strstr(out, "example.com/hello:1.0"));
        cr_expect(strstr(out, "example.com/base\t"));
        _cleanup_free_ char *short_id = sfx_fmt("%.19s\t", hello);
        cr_expect(strstr(out, short_id), "12-digit IDs: %s", out);
        cr_expect(strstr(out, "seconds ago") || strstr(out, "now"), "%s", out);
        cr_expect_eq(count_lines(out), 4);

        cr_assert_eq(
            ace(&o2, NULL, "list", "--no-legend", "--fields=name", "--sort=name", "--order=desc"),
            0);
        cr_expect_str_eq(o2, "example.com/hello:1.0\nexample.com/base\nexample.com/app:1.0\n");

        cr_assert_eq(ace(&o3, NULL, "list", "--full", "--no-legend", "--fields=id,size", NULL), 0);
        cr_expect(strstr(o3, hello), "full IDs: %s", o3);
        cr_expect_null(strstr(o3, "KiB"), "raw sizes with --full: %s", o3);

        cr_assert_eq(ace(&o4, NULL, "list", "--format=json", NULL, NULL, NULL), 0);
        json_object *j = json_tokener_parse(o4);
        cr_assert_not_null(j, "%s", o4);
        cr_assert_eq(json_object_array_length(j), 3);
        json_object *first = json_object_array_get_idx(j, 0), *v;
        cr_assert(json_object_object_get_ex(first, "id", &v));
        cr_expect_str_eq(json_object_get_string(v), hello, "full IDs in JSON, import order");
        cr_assert(json_object_object_get_ex(first, "size", &v));
        cr_expect_gt(json_object_get_int64(v), 0);
        cr_expect(json_object_object_get_ex(first, "import_time", &v));
        cr_expect(json_object_object_get_ex(first, "last_used_time", &v));
        json_object_put(j);
}

Test(image_cmds, list_errors)
{
        _cleanup_free_ char *err = NULL, *e2 = NULL, *e3 = NULL, *out = NULL;
        cr_expect_eq(ace(&out, &err, "list", "--fields=id,bogus", NULL, NULL, NULL), 254);
        cr_expect(strstr(err, "bogus"), "%s", err);
        cr_expect_eq(ace(NULL, &e2, "list", "--format=yaml", NULL, NULL, NULL), 254);
        cr_expect(strstr(e2, "yaml"), "%s", e2);
        cr_expect_eq(ace(NULL, &e3, "list", "--order=sideways", NULL, NULL, NULL), 254);
        cr_expect_eq(ace(NULL, NULL, "list", "extra-arg", NULL, NULL, NULL), 254);
        cr_expect_eq(ace(NULL, NULL, "list", "--sort=id", NULL, NULL, NULL), 254);
}

Test(image_cmds, json_pretty_uses_tabs)
{
        _cleanup_free_ char *out = NULL;
        cr_assert_eq(ace(&out, NULL, "list", "--format=json-pretty", NULL, NULL, NULL), 0);
        cr_expect_eq(strncmp(out, "[\n\t{\n\t\t\"id\": \"sha512-", 21), 0, "%s", out);
}

Test(image_cmds, rm_by_name_prefix_and_duplicates)
{
        _cleanup_free_ char *out = NULL, *err = NULL, *prefix = sfx_fmt("%.19s", hello);
        cr_assert_eq(ace(&out, &err, "rm", "example.com/hello", prefix, NULL, NULL), 0, "%s", err);
        _cleanup_free_ char *want = sfx_fmt("successfully removed aci for image: \"%s\"\n", hello);
        cr_expect_str_eq(out, want, "one removal for a name and its ID");
        cr_expect(strstr(err, "1 image(s) successfully removed"), "%s", err);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, 2);
        sfx_assert_consistent(dir);
}

Test(image_cmds, rm_failures_exit_254)
{
        _cleanup_free_ char *out = NULL, *err = NULL, *e2 = NULL;
        cr_expect_eq(ace(&out, &err, "rm", "example.com/base", "example.com/nope", NULL, NULL),
                     254);
        cr_expect(strstr(out, base), "the found one is still removed: %s", out);
        cr_expect(strstr(err, "example.com/nope"), "%s", err);
        cr_expect(strstr(err, "1 image(s) cannot be removed"), "%s", err);
        cr_expect_eq(ace(NULL, &e2, "rm", NULL, NULL, NULL, NULL), 254);
        cr_expect(strstr(e2, "must provide at least one image"), "%s", e2);
        cr_expect_eq(ace(NULL, NULL, "rm", "sha512-zz", NULL, NULL, NULL), 254);
}

Test(image_cmds, export_is_the_blob)
{
        _cleanup_free_ char *aci = sfx_fmt("%s/out.aci", work), *err = NULL, *e2 = NULL;
        char hex[HASH_SHA512_HEX_LEN + 1];
        cr_assert_eq(ace(NULL, &err, "export", "example.com/app", aci, NULL, NULL), 0, "%s", err);
        cr_assert_eq(hash_file_sha512(AT_FDCWD, aci, hex, NULL), 0);
        cr_expect_str_eq(hex, app + 7, "sha512 of the export is the image ID");
        /* exists: refused, file untouched */
        sfx_write(aci, "precious");
        cr_expect_eq(ace(NULL, &e2, "export", "example.com/app", aci, NULL, NULL), 254);
        cr_expect(strstr(e2, "exists (try --overwrite)"), "%s", e2);
        _cleanup_free_ char *c = sfx_read(aci);
        cr_expect_str_eq(c, "precious");
        cr_assert_eq(ace(NULL, NULL, "export", "--overwrite", "example.com/app", aci, NULL), 0);
        cr_assert_eq(hash_file_sha512(AT_FDCWD, aci, hex, NULL), 0);
        cr_expect_str_eq(hex, app + 7);
        /* the export imports back as the same image */
        _cleanup_free_ char *again = sfx_import(dir, aci, app, NULL);
        cr_expect_str_eq(again, app);
        cr_expect_eq(ace(NULL, NULL, "export", "example.com/none", aci, NULL, NULL), 254);
        cr_expect_eq(ace(NULL, NULL, "export", "example.com/app", NULL, NULL, NULL), 254);
}

Test(image_cmds, extract_raw_contents)
{
        _cleanup_free_ char *out = sfx_fmt("%s/ex", work), *err = NULL, *e2 = NULL;
        cr_assert_eq(ace(NULL, &err, "extract", "example.com/app", out, NULL, NULL), 0, "%s", err);
        _cleanup_free_ char *m = sfx_fmt("%s/manifest", out), *a = sfx_fmt("%s/rootfs/app", out);
        _cleanup_free_ char *b = sfx_fmt("%s/rootfs/base", out);
        cr_expect(sfx_exists(m));
        cr_expect(sfx_exists(a));
        cr_expect_not(sfx_exists(b), "extract does not add dependencies");
        cr_expect_eq(ace(NULL, &e2, "extract", "example.com/app", out, NULL, NULL), 254);
        cr_expect(strstr(e2, "output directory exists (try --overwrite)"), "%s", e2);
        cr_assert_eq(
            ace(NULL, NULL, "extract", "--rootfs-only", "--overwrite", "example.com/app", out), 0);
        _cleanup_free_ char *a2 = sfx_fmt("%s/app", out);
        cr_expect(sfx_exists(a2));
        cr_expect_not(sfx_exists(m), "--overwrite replaced the old contents");
        cr_expect_eq(ace(NULL, NULL, "extract", "--overwrite", "example.com/app", "/", NULL), 254);
        cr_expect(sfx_exists("/etc/passwd"), "obviously");
}

Test(image_cmds, render_with_dependencies)
{
        _cleanup_free_ char *out = sfx_fmt("%s/re", work), *err = NULL;
        cr_assert_eq(ace(NULL, &err, "render", "example.com/app", out, NULL, NULL), 0, "%s", err);
        _cleanup_free_ char *b = sfx_fmt("%s/rootfs/base", out),
                            *conf = sfx_fmt("%s/rootfs/etc/conf", out);
        _cleanup_free_ char *m = sfx_fmt("%s/manifest", out);
        cr_expect(sfx_exists(b), "the dependency is rendered in");
        _cleanup_free_ char *c = sfx_read(conf);
        cr_expect_str_eq(c, "app", "the upper image wins");
        _cleanup_free_ char *mc = sfx_read(m);
        cr_expect(mc && strstr(mc, "example.com/app"));
        cr_assert_eq(
            ace(NULL, NULL, "render", "--rootfs-only", "--overwrite", "example.com/app", out), 0);
        _cleanup_free_ char *b2 = sfx_fmt("%s/base", out);
        cr_expect(sfx_exists(b2));
        cr_expect_eq(ace(NULL, NULL, "render", "example.com/app", out, NULL, NULL), 254);
}

Test(image_cmds, cat_manifest)
{
        _cleanup_free_ char *out = NULL, *o2 = NULL, *err = NULL;
        cr_assert_eq(ace(&out, NULL, "cat-manifest", "example.com/hello:1.0", NULL, NULL, NULL), 0);
        cr_expect(strstr(out, "{\n\t\"acKind\": \"ImageManifest\""), "%s", out);
        cr_expect(strstr(out, "\"name\": \"example.com/hello\""), "%s", out);
        cr_assert_eq(ace(&o2, NULL, "cat-manifest", "--pretty-print=false", hello, NULL, NULL), 0);
        cr_expect_eq(strncmp(o2, "{\"acKind\":\"ImageManifest\"", 25), 0, "%s", o2);
        cr_expect_eq(count_lines(o2), 1);
        cr_expect_eq(ace(NULL, &err, "cat-manifest", "example.com/hello:2.0", NULL, NULL, NULL),
                     254);
        cr_expect(strstr(err, "cannot find aci"), "%s", err);
        cr_expect_eq(ace(NULL, NULL, "cat-manifest", NULL, NULL, NULL, NULL), 254);
}

Test(image_cmds, verify_detects_and_repairs)
{
        _cleanup_free_ char *out = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *err = NULL;
        cr_assert_eq(ace(&out, NULL, "verify", "example.com/hello", NULL, NULL, NULL), 0);
        cr_expect(strstr(out, "not rendered; no verification needed"), "%s", out);

        struct store *s = NULL;
        _cleanup_free_ char *t = NULL, *p = NULL;
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_render(s, app, &t, &p, NULL), 0);
        store_close(s);
        cr_assert_eq(ace(&o2, NULL, "verify", "example.com/app", NULL, NULL, NULL), 0);
        cr_expect(strstr(o2, "successfully verified checksum for image"), "%s", o2);

        _cleanup_free_ char *f = sfx_fmt("%s/rootfs/base", p);
        sfx_write(f, "changed behind our back");
        cr_assert_eq(ace(&o3, &err, "verify", "example.com/app", NULL, NULL, NULL), 0, "%s", err);
        cr_expect(strstr(o3, "tree cache verification failed for image example.com/app"), "%s", o3);
        _cleanup_free_ char *c = sfx_read(f);
        cr_expect_str_eq(c, "b", "repaired from the blob");
        cr_assert_eq(ace(&o4, NULL, "verify", "example.com/app", "example.com/hello", NULL, NULL),
                     0);
        cr_expect(strstr(o4, "successfully verified"), "%s", o4);
        cr_expect_eq(ace(NULL, NULL, "verify", NULL, NULL, NULL, NULL), 254);
        cr_expect_eq(ace(NULL, NULL, "verify", "example.com/none", NULL, NULL, NULL), 254);
}

Test(image_cmds, gc_grace_trees_and_pods)
{
        struct store *s = NULL;
        _cleanup_free_ char *t_app = NULL, *p_app = NULL, *t_hello = NULL, *p_hello = NULL;
        _cleanup_free_ char *out = NULL, *err = NULL, *o2 = NULL, *e2 = NULL;
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_render(s, app, &t_app, &p_app, NULL), 0);
        cr_assert_eq(store_render(s, hello, &t_hello, &p_hello, NULL), 0);
        store_close(s);

        /* a pod (prepared) uses the app tree; nothing uses the hello tree */
        _cleanup_free_ char *pod =
            sfx_fmt("%s/pods/prepared/6f1b1a5e-0000-4000-8000-000000000001", dir);
        _cleanup_free_ char *ts = sfx_fmt("%s/appsinfo/app/treeStoreID", pod);
        _cleanup_free_ char *pm = sfx_fmt("%s/pod", pod);
        _cleanup_free_ char *json = sfx_fmt("{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\","
                                            "\"apps\":[{\"name\":\"app\",\"image\":{\"name\":"
                                            "\"example.com/app\",\"id\":\"%s\"}}]}",
                                            app);
        sfx_write(ts, t_app);
        sfx_write(pm, json);

        /* default grace: recent images stay, the unused tree goes */
        cr_assert_eq(ace(&out, &err, "gc", NULL, NULL, NULL, NULL), 0, "%s", err);
        _cleanup_free_ char *msg = sfx_fmt("removed treestore \"%s\"", t_hello);
        cr_expect(strstr(err, msg), "%s", err);
        cr_expect_null(strstr(err, t_app), "the pod's tree stays: %s", err);
        cr_expect(sfx_exists(p_app));
        cr_expect_not(sfx_exists(p_hello));
        /* the removed tree no longer counts in hello's size */
        _cleanup_free_ char *sizes = NULL;
        cr_assert_eq(ace(&sizes, NULL, "list", "--full", "--no-legend", "--fields=id,size", NULL),
                     0);
        _cleanup_free_ char *blob = sfx_fmt("%s/cas/blob/sha512/%.2s/%s", dir, hello + 7, hello);
        struct stat bst;
        cr_assert_eq(stat(blob, &bst), 0);
        _cleanup_free_ char *row = sfx_fmt("%s\t%lld\n", hello, (long long)bst.st_size);
        cr_expect(strstr(sizes, row), "size of hello is its blob alone: %s", sizes);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, 3);

        /* no grace: unused images go; the app and its dependency (a layer of the pod's tree)
         * stay */
        cr_assert_eq(ace(&o2, &e2, "gc", "--grace-period=0s", NULL, NULL, NULL), 0, "%s", e2);
        _cleanup_free_ char *gone = sfx_fmt("successfully removed aci for image: \"%s\"", hello);
        cr_expect(strstr(o2, gone), "%s", o2);
        cr_expect_null(strstr(o2, app));
        cr_expect_null(strstr(o2, base), "a layer of a used tree stays: %s", o2);
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, 2);
        sfx_assert_consistent(dir);

        /* once the pod is gone, everything can go */
        sfx_rmrf(pod);
        cr_assert_eq(ace(NULL, NULL, "gc", "--grace-period=0s", NULL, NULL, NULL), 0);
        sfx_count(dir, &c);
        cr_expect_eq(c.rows + c.blobs + c.trees, 0);
        cr_expect_eq(ace(NULL, NULL, "gc", "--grace-period=banana", NULL, NULL, NULL), 254);
}

Test(image_cmds, help_and_unknown_subcommands)
{
        _cleanup_free_ char *out = NULL, *err = NULL;
        cr_assert_eq(sfx_ace(dir, &out, NULL, "image", NULL), 0);
        static const char *const subs[] = {"cat-manifest", "export", "extract", "gc",
                                           "list",         "render", "rm",      "verify"};
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
                cr_expect(strstr(out, subs[i]), "%s missing from help", subs[i]);
        cr_expect_eq(sfx_ace(dir, NULL, &err, "image", "frobnicate", NULL), 254);
        cr_expect(strstr(err, "unknown command"), "%s", err);
        /* rkt's prefix matching */
        _cleanup_free_ char *o2 = NULL;
        cr_assert_eq(sfx_ace(dir, &o2, NULL, "image", "li", "--no-legend", "--fields=name", NULL),
                     0);
        cr_expect_eq(count_lines(o2), 3);
}
