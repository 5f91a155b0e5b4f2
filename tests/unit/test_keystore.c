/* test_keystore.c - trust prefixes match whole path components (reliability.md T-13), and the
 * keyring for a name follows rkt's layers: root keys, ancestor prefixes, masks, local over
 * system. Key files here are placeholders: the keystore never parses them (the verifier does). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/xalloc.h"
#include "stage0/keystore.h"

#define FPR_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FPR_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define FPR_C "cccccccccccccccccccccccccccccccccccccccc"
#define FPR_D "dddddddddddddddddddddddddddddddddddddddd"

Test(trust_prefix, whole_path_components)
{
        cr_expect(trust_prefix_matches("example.test/app", "example.test/app"));
        cr_expect(trust_prefix_matches("example.test/app", "example.test/app/x"));
        cr_expect(trust_prefix_matches("example.test/app", "example.test/app/x/y"));
        cr_expect(trust_prefix_matches("example.test", "example.test/app"));
        cr_expect_not(trust_prefix_matches("example.test/app", "example.test/appevil"));
        cr_expect_not(trust_prefix_matches("example.test/app", "example.test/app-x"));
        cr_expect_not(trust_prefix_matches("example.test/app", "example.test"));
        cr_expect_not(trust_prefix_matches("example.test/app", "example.test/ap"));
        cr_expect_not(trust_prefix_matches("example.tes", "example.test/app"));
        cr_expect_not(trust_prefix_matches("", "example.test"));
}

Test(trust_prefix, validation)
{
        struct ace_error *err = NULL;

        cr_expect_eq(trust_prefix_validate("example.test/app", NULL), 0);
        cr_expect_eq(trust_prefix_validate("a", NULL), 0);
        cr_expect_eq(trust_prefix_validate("a-b.c_d~e/f", NULL), 0);
        static const char *const bad[] = {
            "",    "/abs", "a/../b",           "a/./b", "a//b", "a/", "../a", "A.test",
            "a b", "a/..", "https://a.test/x", "a*",    "-a"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                cr_expect_lt(trust_prefix_validate(bad[i], &err), 0, "\"%s\" accepted", bad[i]);
        ace_error_free(err);
}

static char root[64];
static struct keystore ks;

static void setup(void)
{
        char *sys, *loc;
        strcpy(root, "/tmp/ace-keystore-test-XXXXXX");
        cr_assert_not_null(mkdtemp(root));
        sys = xasprintf("%s/sys", root);
        loc = xasprintf("%s/loc", root);
        cr_assert_eq(keystore_init(&ks, sys, loc, NULL), 0);
        free(sys);
        free(loc);
}

static void teardown(void)
{
        char *cmd = xasprintf("rm -rf '%s'", root);
        keystore_clear(&ks);
        cr_expect_eq(system(cmd), 0);
        free(cmd);
}

/* layer "sys"/"loc", dir "root.d" or "prefix.d/<p>", fingerprint, empty = mask */
static void key(const char *layer, const char *dir, const char *fpr, bool empty)
{
        char *cmd = xasprintf("mkdir -p '%s/%s/trustedkeys/%s' && %s > '%s/%s/trustedkeys/%s/%s'",
                              root, layer, dir, empty ? "true" : "echo key", root, layer, dir, fpr);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
}

static bool has(const struct trusted_key_list *l, const char *fpr, const char *pathpart)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->items[i].fingerprint, fpr) == 0)
                        return !pathpart || strstr(l->items[i].path, pathpart);
        return false;
}

static struct trusted_key_list keys_for(const char *name)
{
        struct trusted_key_list l;
        struct ace_error *err = NULL;
        cr_assert_eq(keystore_keys_for_name(&ks, name, &l, &err), 0, "%s", ace_error_msg(err));
        return l;
}

TestSuite(keystore, .init = setup, .fini = teardown);

Test(keystore, prefix_keys_apply_by_components)
{
        struct trusted_key_list l;

        key("loc", "prefix.d/example.test/app", FPR_A, false);
        key("loc", "prefix.d/example.test", FPR_B, false);
        key("loc", "prefix.d/example.test/app/sub", FPR_C, false);

        l = keys_for("example.test/app");
        cr_expect_eq(l.n, 2);
        cr_expect(has(&l, FPR_A, NULL));
        cr_expect(has(&l, FPR_B, NULL));
        trusted_key_list_clear(&l);

        l = keys_for("example.test/app/sub/x");
        cr_expect_eq(l.n, 3);
        trusted_key_list_clear(&l);

        /* The key for example.test/app never applies to example.test/appevil. */
        l = keys_for("example.test/appevil");
        cr_expect_eq(l.n, 1);
        cr_expect(has(&l, FPR_B, NULL));
        cr_expect_not(has(&l, FPR_A, NULL));
        trusted_key_list_clear(&l);

        l = keys_for("other.test/app");
        cr_expect_eq(l.n, 0);
        trusted_key_list_clear(&l);
}

Test(keystore, root_keys_apply_to_all)
{
        struct trusted_key_list l;

        key("sys", "root.d", FPR_A, false);
        key("loc", "root.d", FPR_B, false);
        l = keys_for("anything.test/x");
        cr_expect_eq(l.n, 2);
        cr_expect(has(&l, FPR_A, "/sys/"));
        cr_expect(has(&l, FPR_B, "/loc/"));
        trusted_key_list_clear(&l);
}

Test(keystore, local_overrides_and_masks_system)
{
        struct trusted_key_list l;

        key("sys", "root.d", FPR_A, false);
        key("sys", "prefix.d/example.test", FPR_B, false);
        key("sys", "prefix.d/example.test", FPR_C, false);
        key("loc", "root.d", FPR_A, true);                 /* masks the vendor root key */
        key("loc", "prefix.d/example.test", FPR_B, true);  /* masks a vendor prefix key */
        key("loc", "prefix.d/example.test", FPR_C, false); /* replaces the vendor file */

        l = keys_for("example.test/app");
        cr_expect_eq(l.n, 1);
        cr_expect(has(&l, FPR_C, "/loc/"));
        cr_expect_not(has(&l, FPR_A, NULL));
        cr_expect_not(has(&l, FPR_B, NULL));
        trusted_key_list_clear(&l);
}

Test(keystore, stray_files_are_errors_and_bad_names_refused)
{
        struct trusted_key_list l;
        struct ace_error *err = NULL;

        key("loc", "prefix.d/example.test", "README", false);
        cr_expect_lt(keystore_keys_for_name(&ks, "example.test/app", &l, &err), 0);
        cr_expect(strstr(ace_error_msg(err), "unexpected file"), "%s", ace_error_msg(err));
        cr_expect_lt(keystore_keys_for_name(&ks, "../../etc", &l, &err), 0);
        ace_error_free(err);
}

Test(keystore, list_all_layers_sorted)
{
        struct trusted_key_list l;

        key("loc", "prefix.d/example.test/app", FPR_B, false);
        key("sys", "prefix.d/example.test", FPR_D, false);
        key("loc", "root.d", FPR_C, false);
        key("sys", "root.d", FPR_A, false);
        key("loc", "prefix.d/example.test", FPR_D, true);
        cr_assert_eq(keystore_list(&ks, &l, NULL), 0);
        cr_assert_eq(l.n, 3);
        cr_expect_null(l.items[0].prefix);
        cr_expect_str_eq(l.items[0].fingerprint, FPR_A);
        cr_expect(l.items[0].system);
        cr_expect_null(l.items[1].prefix);
        cr_expect_str_eq(l.items[1].fingerprint, FPR_C);
        cr_expect_not(l.items[1].system);
        cr_expect_str_eq(l.items[2].prefix, "example.test/app");
        cr_expect_str_eq(l.items[2].fingerprint, FPR_B);
        trusted_key_list_clear(&l);
}
