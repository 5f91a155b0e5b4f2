/* test_config_cmd.c - `ace config`: the merged configuration of --system-config <
 * --local-config < --user-config printed as rkt prints it, and bad config refused with 254. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/tu.h"

static char *dir, *ace;

static void setup(void)
{
        dir = th_mkdtemp("ace-test-config-cmd");
        ace = th_build_path("ace");
}

static void teardown(void)
{
        th_rm_rf(dir);
        free(ace);
}

TestSuite(config_cmd, .init = setup, .fini = teardown, .timeout = 30);

static void put(const char *rel, const char *content)
{
        char *p = xasprintf("%s/%s", dir, rel);
        th_mkdir_parents(p);
        th_write_file(p, content, 0644);
        free(p);
}

static char *config(int *st, const char *flags)
{
        return tu_capture(st,
                          "%1$s --system-config='%2$s/sys' --local-config='%2$s/loc' "
                          "--user-config='%2$s/usr' config %3$s 2>&1",
                          ace, dir, flags);
}

Test(config_cmd, merged_layers)
{
        int st;
        char *out;

        put("sys/paths.d/p.json",
            "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\","
            "\"data\":\"/var/lib/vendor\",\"stage1-images\":\"/usr/lib/s1\"}");
        put("loc/auth.d/a.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":"
                                 "[\"example.test\"],\"type\":\"basic\",\"credentials\":"
                                 "{\"user\":\"u\",\"password\":\"p\"}}");
        put("usr/paths.d/p.json", "{\"aceKind\":\"paths\",\"aceVersion\":\"v1\","
                                  "\"data\":\"/home/me/ace\"}");
        put("usr/stage1.d/s.json", "{\"rktKind\":\"stage1\",\"rktVersion\":\"v1\","
                                   "\"name\":\"example.test/stage1\",\"version\":\"1.0\"}");
        out = config(&st, "--pretty-print=false");
        cr_expect_eq(st, 0, "%s", out);
        cr_expect_str_eq(out,
                         "{\"stage0\":[{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":"
                         "[\"example.test\"],\"type\":\"basic\",\"credentials\":{\"user\":\"u\","
                         "\"password\":\"p\"}},{\"rktVersion\":\"v1\",\"rktKind\":\"paths\","
                         "\"data\":\"/home/me/ace\",\"stage1-images\":\"/usr/lib/s1\"},"
                         "{\"rktVersion\":\"v1\",\"rktKind\":\"stage1\",\"name\":"
                         "\"example.test/stage1\",\"version\":\"1.0\",\"location\":\"\"}]}\n");
        free(out);
        out = config(&st, "");
        cr_expect_eq(st, 0);
        cr_expect(strstr(out, "{\n\t\"stage0\": [\n\t\t{\n\t\t\t\"rktVersion\": \"v1\",\n"), "%s",
                  out);
        free(out);
}

Test(config_cmd, bad_config_refused)
{
        int st;
        char *out;

        put("loc/auth.d/a.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"x\"],"
                                 "\"type\":\"basic\",\"credentials\":{\"user\":\"u\"}}");
        out = config(&st, "");
        cr_expect_eq(st, 254);
        cr_expect(strstr(out, "cannot get configuration: failed to parse"), "%s", out);
        cr_expect(strstr(out, "password not specified"), "%s", out);
        free(out);
}
