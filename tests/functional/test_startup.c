/*
 * test_startup.c - what ace and actool map at start (common/lazylib.h): commands that need none
 * of the lazily loaded libraries never load them, and one that does loads it on its first use.
 * The dynamic loader's own trace (LD_DEBUG=files) is the witness.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/tu.h"

static const char *const lazy_libs[] = {
    "libarchive.so.13",    "libcurl.so.4", "libgpgme.so.11", "liblzma.so.5",
    "libmicrohttpd.so.12", "libssl.so.3",  "libxml2.so.2",
};

/* The loader's trace of `cmd` (run through sh); asserts exit status 0. */
static char *loader_trace(const char *cmd)
{
        int st;
        char *trace = tu_capture(&st, "LD_DEBUG=files %s 2>&1 >/dev/null", cmd);

        cr_assert_eq(st, 0, "%s: exit %d\n%s", cmd, st, trace);
        /* The witness works: the libraries ace links are in it. */
        cr_assert_not_null(strstr(trace, "file=libjson-c.so.5"), "%s: no loader trace:\n%s", cmd,
                           trace);
        return trace;
}

static void expect_none_loaded(const char *cmd)
{
        char *trace = loader_trace(cmd);

        for (size_t i = 0; i < sizeof(lazy_libs) / sizeof(lazy_libs[0]); i++)
                cr_expect_null(strstr(trace, lazy_libs[i]), "%s loaded %s", cmd, lazy_libs[i]);
        free(trace);
}

Test(startup, commands_without_network_or_archives_load_no_lazy_library)
{
        char *ace = th_build_path("ace"), *actool = th_build_path("actool");
        char *dir = th_mkdtemp("ace-test-startup");
        char *cmd;

        expect_none_loaded(cmd = xasprintf("%s version", ace));
        free(cmd);
        expect_none_loaded(cmd = xasprintf("%s --dir='%s/data' image list", ace, dir));
        free(cmd);
        expect_none_loaded(cmd = xasprintf("%s version", actool));
        free(cmd);
        th_rm_rf(dir);
        free(dir);
        free(ace);
        free(actool);
}

Test(startup, reading_an_image_loads_libarchive_on_first_use)
{
        char *actool = th_build_path("actool");
        char *dir = th_mkdtemp("ace-test-startup");
        char *cmd, *trace;

        tu_run("mkdir -p '%s/layout/rootfs' && printf '%%s' '{\"acKind\":\"ImageManifest\","
               "\"acVersion\":\"0.8.11\",\"name\":\"example.com/x\"}' > '%s/layout/manifest' && "
               "tar -C '%s/layout' -cf '%s/x.aci' manifest rootfs",
               dir, dir, dir, dir);
        trace = loader_trace(cmd = xasprintf("%s cat-manifest '%s/x.aci'", actool, dir));
        cr_expect_not_null(strstr(trace, "file=libarchive.so.13 [0];  dynamically loaded by"),
                           "%s:\n%s", cmd, trace);
        cr_expect_null(strstr(trace, "libcurl.so.4"), "%s loaded libcurl", cmd);
        free(trace);
        free(cmd);
        th_rm_rf(dir);
        free(dir);
        free(actool);
}
