/* test_config.c - layered configuration: auth.d parsing, per-directory duplicates, overrides
 * across system < local < user, paths.d, stage1.d, http.d, errors, and `ace config` JSON. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "stage0/config.h"

static char root[64];

static void setup(void)
{
        strcpy(root, "/tmp/ace-config-test-XXXXXX");
        cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
        char *cmd = xasprintf("rm -rf '%s'", root);
        cr_expect_eq(system(cmd), 0);
        free(cmd);
}

/* Writes <root>/<layer>/<sub>/<name> (directories made as needed). */
static void put(const char *layer, const char *sub, const char *name, const char *content)
{
        char *d1 = xasprintf("%s/%s", root, layer), *d2 = xasprintf("%s/%s", d1, sub);
        char *p = xasprintf("%s/%s", d2, name);
        FILE *f;

        mkdir(d1, 0755);
        mkdir(d2, 0755);
        f = fopen(p, "we");
        cr_assert_not_null(f, "%s", p);
        fputs(content, f);
        fclose(f);
        free(d1);
        free(d2);
        free(p);
}

static int load(struct ace_config **c, struct ace_error **err)
{
        char *sys = xasprintf("%s/sys", root), *loc = xasprintf("%s/loc", root),
             *usr = xasprintf("%s/usr", root);
        const char *dirs[] = {sys, loc, usr};
        int r = ace_config_load(dirs, 3, c, err);
        free(sys);
        free(loc);
        free(usr);
        return r;
}

static struct ace_config *load_ok(void)
{
        struct ace_config *c = NULL;
        struct ace_error *err = NULL;
        cr_assert_eq(load(&c, &err), 0, "%s", ace_error_msg(err));
        return c;
}

static void load_fails(const char *needle)
{
        struct ace_config *c = NULL;
        struct ace_error *err = NULL;
        cr_assert_lt(load(&c, &err), 0, "expected failure with \"%s\"", needle);
        cr_expect(strstr(ace_error_msg(err), needle), "error \"%s\" lacks \"%s\"",
                  ace_error_msg(err), needle);
        ace_error_free(err);
}

TestSuite(config, .init = setup, .fini = teardown);

Test(config, subdir_table_sorted_and_complete)
{
        const char *want[] = {"auth.d", "http.d", "paths.d", "stage1.d"};
        size_t i;
        for (i = 0; ace_config_subdir(i); i++) {
                cr_assert_lt(i, 4);
                cr_expect_str_eq(ace_config_subdir(i), want[i]);
                if (i)
                        cr_expect_lt(strcmp(ace_config_subdir(i - 1), ace_config_subdir(i)), 0);
        }
        cr_expect_eq(i, 4);
}

Test(config, auth_parse_basic_and_oauth)
{
        struct http_auth *a = NULL;
        size_t n = 0;
        const char *basic = "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"a.test\","
                            "\"b.test\"],\"type\":\"basic\",\"credentials\":{\"user\":\"u\","
                            "\"password\":\"p\"}}";
        const char *oauth = "{\"domains\":[\"c.test\"],\"type\":\"oauth\",\"credentials\":"
                            "{\"token\":\"tok\"}}";

        cr_assert_eq(ace_config_parse_auth(basic, strlen(basic), &a, &n, NULL), 0);
        cr_assert_eq(n, 2);
        cr_expect_str_eq(a[0].domain, "a.test");
        cr_expect_str_eq(a[1].domain, "b.test");
        cr_expect_eq(a[1].type, HTTP_AUTH_BASIC);
        cr_expect_str_eq(a[1].user, "u");
        cr_expect_str_eq(a[1].password, "p");
        for (size_t i = 0; i < n; i++)
                http_auth_clear(&a[i]);
        free(a);
        cr_assert_eq(ace_config_parse_auth(oauth, strlen(oauth), &a, &n, NULL), 0);
        cr_assert_eq(n, 1);
        cr_expect_eq(a[0].type, HTTP_AUTH_BEARER);
        cr_expect_str_eq(a[0].token, "tok");
        http_auth_clear(&a[0]);
        free(a);
}

Test(config, auth_parse_errors)
{
        static const struct {
                const char *json, *needle;
        } cases[] = {
            {"{\"type\":\"basic\",\"credentials\":{\"user\":\"u\",\"password\":\"p\"}}",
             "no domains specified"},
            {"{\"domains\":[\"a\"],\"credentials\":{}}", "no auth type specified"},
            {"{\"domains\":[\"a\"],\"type\":\"aws\",\"credentials\":{}}",
             "unknown auth type: \"aws\""},
            {"{\"domains\":[\"a\"],\"type\":\"basic\"}", "no credentials"},
            {"{\"domains\":[\"a\"],\"type\":\"basic\",\"credentials\":{\"password\":\"p\"}}",
             "user not specified"},
            {"{\"domains\":[\"a\"],\"type\":\"basic\",\"credentials\":{\"user\":\"u\"}}",
             "password not specified"},
            {"{\"domains\":[\"a\"],\"type\":\"oauth\",\"credentials\":{}}",
             "no oauth bearer token specified"},
            {"{\"domains\":[\"a\",\"a\"],\"type\":\"oauth\",\"credentials\":{\"token\":\"t\"}}",
             "auth for domain \"a\" is already specified"},
            {"{\"domains\":\"a\",\"type\":\"oauth\"}", "domains: expected an array"},
            {"[1]", "invalid JSON object"},
            {"{\"domains\":[\"a\"]} trailing", "invalid JSON object"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct http_auth *a = NULL;
                size_t n = 0;
                struct ace_error *err = NULL;
                cr_expect_lt(
                    ace_config_parse_auth(cases[i].json, strlen(cases[i].json), &a, &n, &err), 0,
                    "case %zu", i);
                cr_expect(strstr(ace_error_msg(err), cases[i].needle), "case %zu: %s", i,
                          ace_error_msg(err));
                ace_error_free(err);
        }
}

#define AUTH(kind, domains, type, creds)                                                           \
        "{\"" kind "Kind\":\"auth\",\"" kind "Version\":\"v1\",\"domains\":" domains               \
        ",\"type\":\"" type "\",\"credentials\":" creds "}"

Test(config, auth_layers_override_per_domain)
{
        struct ace_config *c;

        put("sys", "auth.d", "basic.json",
            AUTH("rkt", "[\"tectonic.test\",\"coreos.test\"]", "basic",
                 "{\"user\":\"user\",\"password\":\"pw\"}"));
        put("usr", "auth.d", "basic.json",
            AUTH("ace", "[\"tectonic.test\"]", "oauth", "{\"token\":\"someToken\"}"));
        put("loc", "auth.d", "notjson.txt", "this is ignored");
        c = load_ok();
        cr_assert_eq(c->n_auths, 2);
        cr_expect_str_eq(c->auths[0].domain, "coreos.test");
        cr_expect_eq(c->auths[0].type, HTTP_AUTH_BASIC);
        cr_expect_str_eq(c->auths[1].domain, "tectonic.test");
        cr_expect_eq(c->auths[1].type, HTTP_AUTH_BEARER);
        cr_expect_str_eq(c->auths[1].token, "someToken");
        ace_config_free(c);
}

Test(config, same_domain_twice_in_one_dir_is_an_error)
{
        put("loc", "auth.d", "a.json", AUTH("rkt", "[\"x.test\"]", "oauth", "{\"token\":\"1\"}"));
        put("loc", "auth.d", "b.json", AUTH("rkt", "[\"x.test\"]", "oauth", "{\"token\":\"2\"}"));
        load_fails("auth for domain \"x.test\" is already specified");
}

Test(config, symlinks_and_directories_ignored)
{
        char *target = xasprintf("%s/elsewhere.json", root), *link;

        put("loc", "auth.d", "real.json",
            AUTH("rkt", "[\"x.test\"]", "oauth", "{\"token\":\"1\"}"));
        FILE *f = fopen(target, "we");
        fputs("not json at all", f);
        fclose(f);
        link = xasprintf("%s/loc/auth.d/link.json", root);
        cr_assert_eq(symlink(target, link), 0);
        free(link);
        link = xasprintf("%s/loc/auth.d/dir.json", root);
        cr_assert_eq(mkdir(link, 0755), 0);
        free(link);
        free(target);
        struct ace_config *c = load_ok();
        cr_expect_eq(c->n_auths, 1);
        ace_config_free(c);
}

Test(config, paths_layers_and_rules)
{
        struct ace_config *c;

        put("sys", "paths.d", "p.json",
            "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/usr/lib/data\","
            "\"stage1-images\":\"/usr/lib/s1\"}");
        put("usr", "paths.d", "p.json",
            "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/home/me/data\"}");
        c = load_ok();
        cr_expect_str_eq(c->data_dir, "/home/me/data");
        cr_expect_str_eq(c->stage1_images_dir, "/usr/lib/s1");
        ace_config_free(c);

        put("loc", "paths.d", "q.json",
            "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"relative/dir\"}");
        load_fails("data directory must be an absolute path");
}

Test(config, paths_twice_in_one_dir)
{
        put("loc", "paths.d", "a.json",
            "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/a\"}");
        put("loc", "paths.d", "b.json",
            "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/b\"}");
        load_fails("data directory is already specified");
}

Test(config, stage1_rules_and_override)
{
        struct ace_config *c;

        put("loc", "stage1.d", "s.json",
            "{\"rktKind\":\"stage1\",\"rktVersion\":\"v1\",\"name\":\"example.test/stage1\","
            "\"version\":\"1.2.3\",\"location\":\"http://example.test/stage1.aci\"}");
        put("usr", "stage1.d", "s.json",
            "{\"rktKind\":\"stage1\",\"rktVersion\":\"v1\",\"location\":\"/opt/s1.aci\"}");
        c = load_ok();
        cr_expect_str_eq(c->stage1_name, "example.test/stage1");
        cr_expect_str_eq(c->stage1_version, "1.2.3");
        cr_expect_str_eq(c->stage1_location, "/opt/s1.aci");
        ace_config_free(c);
}

Test(config, stage1_errors)
{
        put("loc", "stage1.d", "s.json",
            "{\"rktKind\":\"stage1\",\"rktVersion\":\"v1\",\"name\":\"example.test/stage1\"}");
        load_fails("default stage1 image name specified, but version is missing");
        put("loc", "stage1.d", "s.json",
            "{\"rktKind\":\"stage1\",\"rktVersion\":\"v1\",\"location\":\"stage1.aci\"}");
        load_fails("either a relative path or a URL without scheme");
        put("loc", "stage1.d", "s.json",
            "{\"rktKind\":\"stage1\",\"rktVersion\":\"v1\",\"location\":\"ftp://x/s.aci\"}");
        load_fails("invalid scheme \"ftp\"");
}

Test(config, http_settings)
{
        struct ace_config *c;
        struct http_options ho;

        put("sys", "http.d", "h.json",
            "{\"aceKind\":\"http\",\"aceVersion\":\"v1\",\"caBundles\":[\"/etc/a.pem\"],"
            "\"connectTimeout\":\"5s\",\"maxRedirects\":3}");
        put("loc", "http.d", "h.json",
            "{\"aceKind\":\"http\",\"aceVersion\":\"v1\",\"caBundles\":[\"/etc/b.pem\"],"
            "\"stallTimeout\":\"1500ms\",\"stallMinBytesPerSecond\":10}");
        c = load_ok();
        cr_assert_not_null(c->ca_bundles);
        cr_expect_str_eq(c->ca_bundles[0], "/etc/a.pem");
        cr_expect_str_eq(c->ca_bundles[1], "/etc/b.pem");
        cr_expect_eq(c->connect_timeout_ns, 5000000000LL);
        cr_expect_eq(c->stall_timeout_ns, 1500000000LL);
        cr_expect_eq(c->stall_min_bps, 10);
        cr_expect_eq(c->max_redirects, 3);
        ace_config_http_options(c, 0, &ho);
        cr_expect_eq(ho.connect_timeout_ms, 5000);
        cr_expect_eq(ho.stall_timeout_ms, 1500);
        cr_expect_eq(ho.max_redirects, 3);
        cr_expect_not(ho.insecure_tls);
        cr_expect_not(ho.allow_http);
        ace_config_free(c);

        put("usr", "http.d", "h.json",
            "{\"aceKind\":\"http\",\"aceVersion\":\"v1\",\"stallTimeout\":\"soon\"}");
        load_fails("stallTimeout");
}

Test(config, header_errors)
{
        put("loc", "auth.d", "a.json", "{\"rktVersion\":\"v1\"}");
        load_fails("no rktKind specified in");
        put("loc", "auth.d", "a.json", "{\"rktKind\":\"auth\"}");
        load_fails("no rktVersion specified in");
        put("loc", "auth.d", "a.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v2\"}");
        load_fails("no parser available for configuration of kind \"auth\" and version \"v2\"");
        put("loc", "auth.d", "a.json", "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\"}");
        load_fails("but \"a.json\" has kind of \"paths\"");
        put("loc", "auth.d", "a.json", "{ not json");
        load_fails("failed to parse");
}

Test(config, config_dir_must_be_a_directory_but_may_be_missing)
{
        struct ace_config *c = NULL;
        struct ace_error *err = NULL;
        char *file = xasprintf("%s/plainfile", root);
        const char *missing[] = {"/nonexistent/ace-config", NULL, ""};
        const char *bad[] = {file};
        FILE *f = fopen(file, "we");

        fclose(f);
        cr_expect_eq(ace_config_load(missing, 3, &c, NULL), 0);
        ace_config_free(c);
        cr_expect_lt(ace_config_load(bad, 1, &c, &err), 0);
        cr_expect(strstr(ace_error_msg(err), "to be a directory"), "%s", ace_error_msg(err));
        ace_error_free(err);
        free(file);
}

Test(config, json_output_as_rkt)
{
        struct ace_config *c;
        char *json;

        put("loc", "auth.d", "a.json",
            AUTH("rkt", "[\"b.test\",\"a.test\"]", "basic", "{\"user\":\"u\",\"password\":\"p\"}"));
        put("loc", "auth.d", "d.json",
            "{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\",\"registries\":[\"quay.io\"],"
            "\"credentials\":{\"user\":\"du\",\"password\":\"dp\"}}");
        put("loc", "paths.d", "p.json",
            "{\"rktKind\":\"paths\",\"rktVersion\":\"v1\",\"data\":\"/d\"}");
        c = load_ok();
        json = ace_config_to_json(c, false);
        cr_expect_str_eq(
            json,
            "{\"stage0\":["
            "{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":[\"a.test\"],\"type\":"
            "\"basic\",\"credentials\":{\"user\":\"u\",\"password\":\"p\"}},"
            "{\"rktVersion\":\"v1\",\"rktKind\":\"auth\",\"domains\":[\"b.test\"],\"type\":"
            "\"basic\",\"credentials\":{\"user\":\"u\",\"password\":\"p\"}},"
            "{\"rktVersion\":\"v1\",\"rktKind\":\"dockerAuth\",\"registries\":[\"quay.io\"],"
            "\"credentials\":{\"user\":\"du\",\"password\":\"dp\"}},"
            "{\"rktVersion\":\"v1\",\"rktKind\":\"paths\",\"data\":\"/d\",\"stage1-images\":\"\"},"
            "{\"rktVersion\":\"v1\",\"rktKind\":\"stage1\",\"name\":\"\",\"version\":\"\","
            "\"location\":\"\"}]}");
        free(json);
        json = ace_config_to_json(c, true);
        cr_expect(strncmp(json, "{\n\t\"stage0\": [\n\t\t{\n\t\t\t\"rktVersion\": \"v1\",", 41) ==
                      0,
                  "%s", json);
        free(json);
        ace_config_free(c);
}
