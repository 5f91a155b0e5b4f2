/*
 * test_store_layers.c - the pure part of rendering (stage0/store/layers.h): appc's render
 * order for dependency graphs, whitelist chains, cycle and size limits, the whitelist test
 * and path normalization, and the tree ID.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strv.h"
#include "schema/image_manifest.h"
#include "stage0/store/layers.h"
#include "stage0/store/tree.h"

/* A made-up store: image "X" has ID "id-X" and the manifest given. */
struct fake {
        const char *name;
        const char *json;
        struct ace_image_manifest *m;
};

static struct fake *fakes;
static size_t n_fakes;

static struct ace_image_manifest *parse(const char *json)
{
        struct ace_image_manifest *m = NULL;
        struct ace_error *e = NULL;
        cr_assert_eq(ace_image_manifest_parse(json, strlen(json), &m, &e), 0, "%s: %s", json,
                     ace_error_msg(e));
        return m;
}

static void load(struct fake *f, size_t n)
{
        fakes = f;
        n_fakes = n;
        for (size_t i = 0; i < n; i++)
                f[i].m = parse(f[i].json);
}

static void unload(void)
{
        for (size_t i = 0; i < n_fakes; i++)
                ace_image_manifest_free(fakes[i].m);
}

static int fake_dep(void *userdata, const char *parent_id, const struct ace_dependency *dep,
                    char **ret_id, const struct ace_image_manifest **ret_m, struct ace_error **err)
{
        (void)userdata;
        (void)parent_id;
        for (size_t i = 0; i < n_fakes; i++)
                if (strcmp(fakes[i].m->name, dep->image_name) == 0) {
                        char buf[128];
                        snprintf(buf, sizeof(buf), "id-%s", fakes[i].name);
                        *ret_id = strdup(buf);
                        *ret_m = fakes[i].m;
                        return 0;
                }
        return ace_error_make(err, ENOENT, "no %s", dep->image_name);
}

#define M(name, rest)                                                                              \
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"" name "\"" rest "}"
#define DEPS(...) ",\"dependencies\":[" __VA_ARGS__ "]"
#define DEP(n) "{\"imageName\":\"" n "\"}"

static char *order(const struct store_layer *l, size_t n)
{
        char **ids = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                ids[i] = l[i].id;
        char *s = strv_join(ids, ",");
        free(ids);
        return s;
}

static int resolve(const char *top, struct store_layer **l, size_t *n, struct ace_error **err)
{
        for (size_t i = 0; i < n_fakes; i++)
                if (strcmp(fakes[i].name, top) == 0) {
                        char id[64];
                        snprintf(id, sizeof(id), "id-%s", top);
                        return layers_resolve(id, fakes[i].m, fake_dep, NULL, l, n, err);
                }
        cr_assert_fail("no fake %s", top);
        return -1;
}

Test(store_layers, spec_example_b_d_c_a)
{
        struct fake f[] = {
            {"A", M("a", DEPS(DEP("b") "," DEP("c"))), NULL},
            {"B", M("b", ""), NULL},
            {"C", M("c", DEPS(DEP("d"))), NULL},
            {"D", M("d", ""), NULL},
        };
        struct store_layer *l = NULL;
        size_t n = 0;
        load(f, 4);
        cr_assert_eq(resolve("A", &l, &n, NULL), 0);
        char *s = order(l, n);
        cr_expect_str_eq(s, "id-B,id-D,id-C,id-A");
        free(s);
        store_layers_free(l, n);
        unload();
}

Test(store_layers, shared_dependency_appears_per_path)
{
        struct fake f[] = {
            {"A", M("a", DEPS(DEP("b") "," DEP("c"))), NULL},
            {"B", M("b", DEPS(DEP("d"))), NULL},
            {"C", M("c", DEPS(DEP("d"))), NULL},
            {"D", M("d", ""), NULL},
        };
        struct store_layer *l = NULL;
        size_t n = 0;
        load(f, 4);
        cr_assert_eq(resolve("A", &l, &n, NULL), 0);
        char *s = order(l, n);
        cr_expect_str_eq(s, "id-D,id-B,id-D,id-C,id-A");
        free(s);
        store_layers_free(l, n);
        unload();
}

Test(store_layers, no_dependencies_is_one_layer)
{
        struct fake f[] = {{"A", M("a", ""), NULL}};
        struct store_layer *l = NULL;
        size_t n = 0;
        load(f, 1);
        cr_assert_eq(resolve("A", &l, &n, NULL), 0);
        cr_expect_eq(n, 1);
        cr_expect_eq(l[0].n_whitelists, 0);
        store_layers_free(l, n);
        unload();
}

Test(store_layers, whitelists_chain_down_each_path)
{
        struct fake f[] = {
            {"A", M("a", DEPS(DEP("b") "," DEP("c")) ",\"pathWhitelist\":[\"/a\",\"/b\",\"/c\"]"),
             NULL},
            {"B", M("b", DEPS(DEP("d")) ",\"pathWhitelist\":[\"/b\",\"/d\"]"), NULL},
            {"C", M("c", DEPS(DEP("d"))), NULL},
            {"D", M("d", ""), NULL},
        };
        struct store_layer *l = NULL;
        size_t n = 0;
        load(f, 4);
        cr_assert_eq(resolve("A", &l, &n, NULL), 0);
        cr_assert_eq(n, 5); /* D B D C A */
        /* D under B: A's and B's whitelists */
        cr_expect_eq(l[0].n_whitelists, 2);
        cr_expect(layers_path_allowed(&l[0], "/b", S_IFREG));
        cr_expect_not(layers_path_allowed(&l[0], "/d", S_IFREG), "not in A's list");
        cr_expect_not(layers_path_allowed(&l[0], "/a", S_IFREG), "not in B's list");
        /* B: A's and its own */
        cr_expect_eq(l[1].n_whitelists, 2);
        /* D under C: only A's (C has none) */
        cr_expect_eq(l[2].n_whitelists, 1);
        cr_expect(layers_path_allowed(&l[2], "/a", S_IFREG));
        cr_expect(layers_path_allowed(&l[2], "/c", S_IFLNK));
        cr_expect_not(layers_path_allowed(&l[2], "/d", S_IFREG));
        /* directories always pass */
        cr_expect(layers_path_allowed(&l[2], "/d", S_IFDIR));
        /* A: its own */
        cr_expect_eq(l[4].n_whitelists, 1);
        store_layers_free(l, n);
        unload();
}

Test(store_layers, cycles_and_missing_dependencies_fail)
{
        struct fake f[] = {
            {"A", M("a", DEPS(DEP("b"))), NULL},
            {"B", M("b", DEPS(DEP("a"))), NULL},
            {"C", M("c", DEPS(DEP("nope"))), NULL},
        };
        struct store_layer *l = NULL;
        size_t n = 0;
        struct ace_error *e = NULL;
        load(f, 3);
        cr_expect_eq(resolve("A", &l, &n, &e), -ELOOP);
        cr_expect(strstr(ace_error_msg(e), "cycle"), "%s", ace_error_msg(e));
        ace_error_free(e);
        e = NULL;
        cr_expect_eq(resolve("C", &l, &n, &e), -ENOENT);
        cr_expect(strstr(ace_error_msg(e), "nope"));
        ace_error_free(e);
        unload();
}

Test(store_layers, too_many_layers_fail)
{
        /* A binary "diamond ladder": every level doubles the number of paths. */
        static char json[10][256];
        struct fake f[10];
        for (int i = 0; i < 10; i++) {
                static char names[10][8];
                snprintf(names[i], sizeof(names[i]), "L%d", i);
                if (i < 9)
                        snprintf(json[i], sizeof(json[i]),
                                 M("l%d", DEPS("{\"imageName\":\"l%d\"},{\"imageName\":\"l%d\"}")),
                                 i, i + 1, i + 1);
                else
                        snprintf(json[i], sizeof(json[i]), M("l%d", ""), i);
                f[i] = (struct fake){names[i], json[i], NULL};
        }
        struct store_layer *l = NULL;
        size_t n = 0;
        struct ace_error *e = NULL;
        load(f, 10);
        cr_expect_eq(resolve("L0", &l, &n, &e), -E2BIG);
        ace_error_free(e);
        unload();
}

Test(store_layers, path_normalization)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
            {"/", "/"},        {"/a", "/a"},  {"//a//b/", "/a/b"}, {"/a/./b", "/a/b"},
            {"/a/../b", NULL}, {"a/b", NULL}, {"", NULL},          {"/etc/passwd", "/etc/passwd"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *got = layers_normalize_path(cases[i].in);
                if (cases[i].out)
                        cr_expect_str_eq(got, cases[i].out, "%s", cases[i].in);
                else
                        cr_expect_null(got, "%s", cases[i].in);
                free(got);
        }
}

Test(store_layers, tree_id_is_deterministic_and_order_sensitive)
{
        char *ab[] = {"sha512-aa", "sha512-bb"}, *ba[] = {"sha512-bb", "sha512-aa"};
        char *t1 = store_tree_id(ab, 2), *t2 = store_tree_id(ab, 2), *t3 = store_tree_id(ba, 2);
        cr_expect_str_eq(t1, t2);
        cr_expect_str_neq(t1, t3);
        cr_expect_eq(strlen(t1), STORE_TREE_ID_LEN);
        cr_expect_eq(strncmp(t1, "deps-sha512-", 12), 0);
        /* sha512("sha512-aa,sha512-bb") */
        cr_expect_str_eq(t1 + 12,
                         "a5a6d492c50b5ad5979fcba098fa9343efc9cd384fce17ee3c2593c82f3351f8"
                         "da8333b36652765e2d0f8d37cb8d10edbb015c6dce9e092439e9086f3d8a9f4f");
        free(t1);
        free(t2);
        free(t3);
}
