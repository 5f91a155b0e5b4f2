/* test_discovery.c - appc discovery without a network: meta-tag parsing on HTML fixtures
 * (tests/fixtures/discovery/), template rendering, prefixes, discovery URLs, collection. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "discovery/discovery.h"

static char *read_fixture(const char *name, size_t *len)
{
        const char *src = getenv("ACE_SRC");
        char *path = xasprintf("%s/tests/fixtures/discovery/%s", src ? src : ".", name);
        FILE *f = fopen(path, "re");
        char *buf;

        cr_assert_not_null(f, "fixture %s (set ACE_SRC)", path);
        buf = xmalloc(1 << 20);
        *len = fread(buf, 1, (1 << 20) - 1, f);
        buf[*len] = '\0';
        fclose(f);
        free(path);
        return buf;
}

static struct discovery_meta_list parse_fixture(const char *name)
{
        struct discovery_meta_list l;
        struct ace_error *err = NULL;
        size_t len;
        char *html = read_fixture(name, &len);

        cr_assert_eq(discovery_meta_parse(html, len, &l, &err), 0, "%s", ace_error_msg(err));
        free(html);
        return l;
}

static void expect_meta(const struct discovery_meta_list *l, size_t i,
                        enum discovery_meta_kind kind, const char *prefix, const char *uri)
{
        cr_assert_lt(i, l->n, "meta %zu missing (have %zu)", i, l->n);
        cr_expect_eq(l->items[i].kind, kind, "meta %zu kind", i);
        cr_expect_str_eq(l->items[i].prefix, prefix);
        cr_expect_str_eq(l->items[i].uri, uri);
}

Test(discovery_meta, multiple_tags_in_document_order)
{
        struct discovery_meta_list l = parse_fixture("multiple.html");

        cr_assert_eq(l.n, 4);
        expect_meta(&l, 0, DISCOVERY_META_ACI, "example.test",
                    "https://storage.example.test/{os}/{arch}/{name}-{version}.{ext}");
        expect_meta(&l, 1, DISCOVERY_META_ACI, "example.test",
                    "hdfs://storage.example.test/{name}-{version}-{os}-{arch}.{ext}");
        expect_meta(&l, 2, DISCOVERY_META_PUBKEYS, "example.test",
                    "https://example.test/pubkeys.gpg");
        expect_meta(&l, 3, DISCOVERY_META_PUBKEYS, "example.test",
                    "https://backup.example.test/pubkeys.gpg");
        discovery_meta_list_clear(&l);
}

Test(discovery_meta, junk_html_comments_scripts_and_bad_content)
{
        struct discovery_meta_list l = parse_fixture("junk.html");

        /* Commented-out and script-embedded tags, a content without URI, an empty content, a
         * missing content and a missing name are all ignored; surrounding spaces trimmed; tags
         * in the body and after </html> still count; entities are decoded. */
        cr_assert_eq(l.n, 4, "got %zu tags", l.n);
        expect_meta(&l, 0, DISCOVERY_META_ACI, "example.test",
                    "https://spaces.example.test/{name}-{version}.{ext}");
        expect_meta(&l, 1, DISCOVERY_META_ACI, "example.test",
                    "https://body.example.test/{name}-{version}.{ext}");
        expect_meta(&l, 2, DISCOVERY_META_PUBKEYS, "example.test",
                    "https://example.test/keys?a=1&b=2");
        expect_meta(&l, 3, DISCOVERY_META_ACI, "example.test",
                    "https://after.example.test/{name}.{ext}");
        discovery_meta_list_clear(&l);
}

Test(discovery_meta, uppercase_element_and_attribute_names)
{
        struct discovery_meta_list l = parse_fixture("uppercase.html");

        /* Names of elements and attributes are case-insensitive in HTML; the meta name's value
         * is not ("AC-DISCOVERY" is another name, as in the reference). */
        cr_assert_eq(l.n, 2);
        expect_meta(&l, 0, DISCOVERY_META_ACI, "example.test",
                    "https://upper.example.test/{name}-{version}.{ext}");
        expect_meta(&l, 1, DISCOVERY_META_PUBKEYS, "example.test",
                    "https://upper.example.test/keys.asc");
        discovery_meta_list_clear(&l);
}

Test(discovery_meta, no_tags_and_empty_input)
{
        struct discovery_meta_list l = parse_fixture("none.html");

        cr_expect_eq(l.n, 0);
        discovery_meta_list_clear(&l);
        cr_assert_eq(discovery_meta_parse("", 0, &l, NULL), 0);
        cr_expect_eq(l.n, 0);
        cr_assert_eq(discovery_meta_parse("\x00\xff\xfe<<<", 6, &l, NULL), 0);
        cr_expect_eq(l.n, 0);
        discovery_meta_list_clear(&l);
}

Test(discovery_meta, deep_nesting_does_not_recurse)
{
        size_t depth = 100000, len = 0;
        char *html = xmalloc(depth * 5 + 256);
        struct discovery_meta_list l;

        for (size_t i = 0; i < depth; i++) {
                memcpy(html + len, "<div>", 5);
                len += 5;
        }
        len += (size_t)sprintf(html + len,
                               "<meta name=\"ac-discovery\" content=\"a.test https://x/{name}\">");
        cr_assert_eq(discovery_meta_parse(html, len, &l, NULL), 0);
        /* libxml2 caps the depth; whatever it keeps must not crash us. */
        cr_expect_leq(l.n, 1);
        discovery_meta_list_clear(&l);
        free(html);
}

Test(discovery_meta, oversized_page_refused)
{
        struct discovery_meta_list l;
        struct ace_error *err = NULL;
        size_t len = (8u << 20) + 1;
        char *big = xcalloc(1, len);

        cr_expect_eq(discovery_meta_parse(big, len, &l, &err), -EFBIG);
        cr_expect(strstr(ace_error_msg(err), "too large"));
        ace_error_free(err);
        free(big);
}

static struct discovery_app make_app(const char *name, ...)
{
        struct discovery_app a = {.name = xstrdup(name)};
        va_list ap;
        const char *k;

        va_start(ap, name);
        while ((k = va_arg(ap, const char *))) {
                const char *v = va_arg(ap, const char *);
                discovery_app_set_label(&a, k, v);
        }
        va_end(ap);
        return a;
}

static void expect_render(const char *tmpl, const struct discovery_app *a, const char *ext,
                          const char *want)
{
        char *out = NULL;
        int r = discovery_template_render(tmpl, a, ext, &out, NULL);

        if (!want) {
                cr_expect_eq(r, 0, "template %s should be skipped", tmpl);
                cr_expect_null(out);
                return;
        }
        cr_assert_eq(r, 1, "template %s", tmpl);
        cr_expect_str_eq(out, want);
        free(out);
}

Test(discovery_template, all_variables)
{
        struct discovery_app a =
            make_app("example.test/app", "version", "1.0.0", "os", "linux", "arch", "amd64", NULL);

        expect_render("https://s.test/{os}/{arch}/{name}-{version}.{ext}", &a, "aci",
                      "https://s.test/linux/amd64/example.test/app-1.0.0.aci");
        expect_render("https://s.test/{os}/{arch}/{name}-{version}.{ext}", &a, "aci.asc",
                      "https://s.test/linux/amd64/example.test/app-1.0.0.aci.asc");
        /* Repeated variables, and text without variables. */
        expect_render("https://s.test/{name}/{name}.{ext}", &a, "aci",
                      "https://s.test/example.test/app/example.test/app.aci");
        expect_render("https://s.test/static.aci", &a, "aci", "https://s.test/static.aci");
        discovery_app_clear(&a);
}

Test(discovery_template, version_defaults_to_latest)
{
        struct discovery_app a = make_app("example.test/app", "os", "linux", NULL);
        struct discovery_app b = make_app("example.test/app", "version", "", NULL);

        expect_render("https://s.test/{name}-{version}.{ext}", &a, "aci",
                      "https://s.test/example.test/app-latest.aci");
        expect_render("https://s.test/{name}-{version}.{ext}", &b, "aci",
                      "https://s.test/example.test/app-latest.aci");
        discovery_app_clear(&a);
        discovery_app_clear(&b);
}

Test(discovery_template, unknown_label_skips_template)
{
        struct discovery_app a = make_app("example.test/app", "version", "1", NULL);
        struct discovery_app b =
            make_app("example.test/app", "version", "1", "channel", "beta", NULL);

        /* {arch} unknown (no arch label): the reference skips the whole template. */
        expect_render("https://s.test/{arch}/{name}.{ext}", &a, "aci", NULL);
        expect_render("https://s.test/{channel}/{name}.{ext}", &a, "aci", NULL);
        /* Any label can be a variable. */
        expect_render("https://s.test/{channel}/{name}.{ext}", &b, "aci",
                      "https://s.test/beta/example.test/app.aci");
        /* A lone brace is not a variable. */
        expect_render("https://s.test/{name}.{ext}?{", &a, "aci",
                      "https://s.test/example.test/app.aci?{");
        discovery_app_clear(&a);
        discovery_app_clear(&b);
}

Test(discovery_template, values_are_not_rescanned_and_name_label_ignored)
{
        struct discovery_app a =
            make_app("example.test/app", "version", "{ext}", "name", "evil.test/x", NULL);

        /* A label called "name" never replaces {name}; a value that looks like a variable is
         * not substituted again, and since a {...} is left the template is skipped. */
        expect_render("https://s.test/{name}.{ext}", &a, "aci",
                      "https://s.test/example.test/app.aci");
        expect_render("https://s.test/{name}-{version}.{ext}", &a, "aci", NULL);
        discovery_app_clear(&a);
}

Test(discovery_prefix, string_prefix_like_the_reference)
{
        cr_expect(discovery_prefix_matches("example.test", "example.test/app"));
        cr_expect(discovery_prefix_matches("example.test/app", "example.test/app"));
        cr_expect(discovery_prefix_matches("example.test/ap", "example.test/app"));
        cr_expect_not(discovery_prefix_matches("example.test/apps", "example.test/app"));
        cr_expect_not(discovery_prefix_matches("other.test", "example.test/app"));
}

Test(discovery_prefix, walk_order)
{
        char **p = discovery_prefixes("example.test/a/b");

        cr_assert_eq(strv_length(p), 3);
        cr_expect_str_eq(p[0], "example.test/a/b");
        cr_expect_str_eq(p[1], "example.test/a");
        cr_expect_str_eq(p[2], "example.test");
        strv_free(p);
        p = discovery_prefixes("example.test");
        cr_assert_eq(strv_length(p), 1);
        cr_expect_str_eq(p[0], "example.test");
        strv_free(p);
}

Test(discovery_prefix, discovery_urls)
{
        char *u = discovery_url("https", "example.test/a/b", 0);
        cr_expect_str_eq(u, "https://example.test/a/b?ac-discovery=1");
        free(u);
        u = discovery_url("http", "example.test", 8080);
        cr_expect_str_eq(u, "http://example.test:8080?ac-discovery=1");
        free(u);
        u = discovery_url("https", "example.test/app", 8443);
        cr_expect_str_eq(u, "https://example.test:8443/app?ac-discovery=1");
        free(u);
}

Test(discovery_collect, prefix_filtering_and_pairs)
{
        struct discovery_meta_list l = parse_fixture("prefix.html");
        struct discovery_app a = make_app("example.test/app", "version", "2.0", NULL);
        struct discovery_result r = {0};

        cr_assert_eq(discovery_collect(&l, &a, &r, NULL), 0);
        /* example.test/app, example.test/ap and example.test apply; example.test/other not. */
        cr_assert_eq(r.n_endpoints, 3);
        cr_expect_str_eq(r.endpoints[0].aci, "https://a.example.test/example.test/app-2.0.aci");
        cr_expect_str_eq(r.endpoints[0].asc, "https://a.example.test/example.test/app-2.0.aci.asc");
        cr_expect_str_eq(r.endpoints[1].aci, "https://ap.example.test/example.test/app.aci");
        cr_expect_str_eq(r.endpoints[2].aci, "https://root.example.test/example.test/app-2.0.aci");
        cr_assert_eq(strv_length(r.pubkeys), 1);
        cr_expect_str_eq(r.pubkeys[0], "https://a.example.test/keys.asc");
        discovery_result_clear(&r);
        discovery_app_clear(&a);
        discovery_meta_list_clear(&l);
}

Test(discovery_collect, templates_with_unknown_variables_dropped)
{
        struct discovery_meta_list l = parse_fixture("multiple.html");
        struct discovery_app a = make_app("example.test/app", "version", "1", NULL);
        struct discovery_app b =
            make_app("example.test/app", "version", "1", "os", "linux", "arch", "amd64", NULL);
        struct discovery_result r = {0};

        /* Without os/arch both templates have unrendered variables. */
        cr_assert_eq(discovery_collect(&l, &a, &r, NULL), 0);
        cr_expect_eq(r.n_endpoints, 0);
        cr_expect_eq(strv_length(r.pubkeys), 2);
        discovery_result_clear(&r);
        cr_assert_eq(discovery_collect(&l, &b, &r, NULL), 0);
        cr_assert_eq(r.n_endpoints, 2);
        cr_expect_str_eq(r.endpoints[1].aci,
                         "hdfs://storage.example.test/example.test/app-1-linux-amd64.aci");
        discovery_result_clear(&r);
        discovery_app_clear(&a);
        discovery_app_clear(&b);
        discovery_meta_list_clear(&l);
}

Test(discovery_app, labels_and_string_form)
{
        struct discovery_app a =
            make_app("example.test/app", "version", "1", "arch", "amd64", NULL);
        char *s;

        cr_expect_str_eq(discovery_app_label(&a, "version"), "1");
        cr_expect_null(discovery_app_label(&a, "os"));
        discovery_app_set_label(&a, "version", "2");
        cr_expect_str_eq(discovery_app_label(&a, "version"), "2");
        s = discovery_app_to_string(&a);
        cr_expect_str_eq(s, "example.test/app,arch=amd64,version=2");
        free(s);
        discovery_app_clear(&a);
}

Test(discovery_app, parse_app_strings)
{
        struct discovery_app a;
        struct ace_error *err = NULL;

        cr_assert_eq(discovery_app_parse("example.test/app:1.0.0,os=linux,arch=amd64", &a, &err), 0,
                     "%s", ace_error_msg(err));
        cr_expect_str_eq(a.name, "example.test/app");
        cr_expect_str_eq(discovery_app_label(&a, "version"), "1.0.0");
        cr_expect_str_eq(discovery_app_label(&a, "os"), "linux");
        cr_expect_str_eq(discovery_app_label(&a, "arch"), "amd64");
        discovery_app_clear(&a);
        cr_assert_eq(discovery_app_parse("example.test/app,version=2,channel=beta", &a, NULL), 0);
        cr_expect_str_eq(discovery_app_label(&a, "version"), "2");
        cr_expect_str_eq(discovery_app_label(&a, "channel"), "beta");
        discovery_app_clear(&a);
        cr_assert_eq(discovery_app_parse("example.test/app", &a, NULL), 0);
        cr_expect_null(discovery_app_label(&a, "version"));
        discovery_app_clear(&a);
        /* The reference's errors: colon after a comma, two colons, label without value, a name
         * that is not an AC identifier. */
        static const char *const bad[] = {"example.test/app,os=linux:1",
                                          "a:1:2",
                                          "example.test/app,version",
                                          "BAD/name",
                                          "",
                                          "example.test/app,version=1,version=2"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cr_expect_lt(discovery_app_parse(bad[i], &a, &err), 0, "\"%s\" accepted", bad[i]);
                ace_error_free(err);
                err = NULL;
        }
}
