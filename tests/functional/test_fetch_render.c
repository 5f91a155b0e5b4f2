/*
 * test_fetch_render.c - rendering at fetch time (rkt did it to take extraction off the first
 * run): `ace fetch` leaves the image's tree rendered in the tree store, and the first `ace run`
 * uses that tree instead of rendering another.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/ace_cmd.h"
#include "tests/lib/helpers.h"
#include "tests/lib/test_image.h"

static char *dir;
static struct test_image *img;

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (rendering keeps the image's owners)");
        dir = th_mkdtemp("ace-fetch-render");
        img = timg_new("example.com/probe");
}

static void teardown(void)
{
        struct ace_result r;
        ace_runf(dir, &r, "gc --grace-period=0s");
        ace_result_done(&r);
        th_rm_rf(dir);
        timg_free(img);
        free(dir);
}

TestSuite(fetch_render, .init = setup, .fini = teardown, .timeout = 120);

/* The rendered trees in the store (directories of cas/tree with a `rendered` marker). */
static size_t rendered_trees(char **ret_first)
{
        _cleanup_free_ char *tree = xasprintf("%s/cas/tree", dir);
        DIR *d = opendir(tree);
        size_t n = 0;

        cr_assert(d, "no %s", tree);
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *m = xasprintf("%s/%s/rendered", tree, e->d_name);
                if (access(m, F_OK) != 0)
                        continue;
                if (ret_first && !*ret_first)
                        *ret_first = xasprintf("%s/%s", tree, e->d_name);
                n++;
        }
        closedir(d);
        return n;
}

Test(fetch_render, fetch_leaves_the_tree_rendered_and_run_uses_it)
{
        struct ace_result r;
        timg_write(img, "/etc/from-image", "rendered at fetch\n", 0644);
        _cleanup_free_ char *m = ft_manifest("example.com/probe", "1.0",
                                             "{\"exec\": [\"/probe\", \"read\", "
                                             "\"/etc/from-image\"], \"user\": \"0\", "
                                             "\"group\": \"0\"}",
                                             NULL);
        _cleanup_free_ char *aci = xasprintf("%s/probe.aci", dir);
        _cleanup_free_ char *id = ft_write_aci(img->dir, m, aci);

        ace_runf(dir, &r, "fetch --insecure-options=image --full %s", aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert(strstr(r.out, id), "%s", r.out);
        ace_result_done(&r);
        /* Stage1 is fetched (and rendered) by the first run, not here: one tree, the image's. */
        _cleanup_free_ char *tree = NULL;
        cr_assert_eq(rendered_trees(&tree), 1);
        _cleanup_free_ char *file = xasprintf("%s/rootfs/etc/from-image", tree);
        _cleanup_free_ char *got = th_read_file(file);
        cr_assert_str_eq(got, "rendered at fetch\n");

        ace_runf(dir, &r, "run %s", id);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert(strstr(r.out, "read=rendered at fetch"), "%s", r.out);
        ace_result_done(&r);
        /* The run added stage1's tree and reused the image's. */
        cr_assert_eq(rendered_trees(NULL), 2);
}
