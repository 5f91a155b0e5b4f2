/* test_schema_types.c - appc shared types: names, kind, semver, image IDs, labels, annotations,
 * timestamps, URLs, UUIDs, app strings (schema/types.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "common/xalloc.h"
#include "schema/types.h"

Test(acname, identifier_follows_the_spec_regex)
{
        const char *good[] = {"database",
                              "example.com/database",
                              "example.com/user/app_v1",
                              "sub-domain.example.com/org/product/release",
                              "a",
                              "0",
                              "a.b-c_d~e/f"};
        /* "example.com/~user/app_v1" is an example in spec/types.md, but it does not match the
         * spec's own regex ("/~" is two separators); we follow the regex, which also keeps ".."
         * path segments out of names (see Documentation/schema-vs-reference.md). */
        const char *bad[] = {"",
                             "A",
                             "Database",
                             "-a",
                             "a-",
                             "a/",
                             "/a",
                             "a//b",
                             "a..b",
                             "a-.b",
                             "a b",
                             "a:b",
                             "a@b",
                             "é",
                             "a\nb",
                             "_a",
                             "a_",
                             "example.com/~user/app_v1",
                             "example.com/../../etc",
                             "a/./b"};

        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                cr_expect(ac_identifier_valid(good[i]), "%s", good[i]);
                cr_expect_eq(ac_identifier_check(good[i], "x", NULL), 0, "%s", good[i]);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                cr_expect(!ac_identifier_valid(bad[i]), "%s", bad[i]);
                cr_expect_eq(ac_identifier_check(bad[i], "x", NULL), -EINVAL, "%s", bad[i]);
        }
        cr_expect(!ac_identifier_valid(NULL));
}

Test(acname, name_follows_the_spec_regex)
{
        const char *good[] = {"database", "product-database", "product-database-release", "a1",
                              "9"};
        const char *bad[] = {"", "a--b", "-a", "a-", "a.b", "a_b", "a/b", "A", "a b"};

        for (size_t i = 0; i < ARRAY_SIZE(good); i++)
                cr_expect(ac_name_valid(good[i]), "%s", good[i]);
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                cr_expect(!ac_name_valid(bad[i]), "%s", bad[i]);
}

Test(acname, check_messages_name_path_and_offset)
{
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(ac_name_check("web--1", "apps[0].name", &err), -EINVAL);
        cr_assert_str_eq(err->msg, "apps[0].name: invalid AC Name \"web--1\": unexpected '-' at "
                                   "offset 4 (must match ^[a-z0-9]+(-[a-z0-9]+)*$)");
        cr_assert_eq(ac_identifier_check("", "name", &err), -EINVAL);
        cr_assert_str_eq(err->msg, "name: AC Identifier cannot be empty");
        cr_assert_eq(ac_identifier_check("a\tb", "", &err), -EINVAL);
        cr_assert_str_eq(err->msg, "invalid AC Identifier \"a\\tb\": byte 0x09 at offset 1 (must "
                                   "match ^[a-z0-9]+([-._~/][a-z0-9]+)*$)");
}

Test(acname, sanitize_like_rkt_default_app_names)
{
        struct {
                const char *in, *out;
        } cases[] = {
            {"example.com/foo/bar", "bar"},
            {"example.com/My_App", "my-app"},
            {"coreos.com/etcd", "etcd"},
            {"a/b/--x..y__z--", "x-y-z"},
            {"nginx", "nginx"},
            {"example.com/Äpfel", "pfel"},
            {"x/1.2.3", "1-2-3"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *s = ac_name_sanitize(cases[i].in);
                cr_expect_str_eq(s, cases[i].out, "%s", cases[i].in);
                cr_expect(ac_name_valid(s));
        }
        cr_expect_null(ac_name_sanitize("example.com/___"));
        cr_expect_null(ac_name_sanitize("example.com/"));
}

Test(ackind, table_round_trip)
{
        for (int k = 0; k < _AC_KIND_MAX; k++)
                cr_expect_eq(ac_kind_from_string(ac_kind_to_string((enum ac_kind)k)), k);
        cr_expect_eq(ac_kind_from_string("imagemanifest"), AC_KIND_INVALID);
        cr_expect_eq(ac_kind_from_string(""), AC_KIND_INVALID);
        cr_expect_null(ac_kind_to_string(AC_KIND_INVALID));
}

Test(semver, parses_semver_2)
{
        struct semver v;
        const char *good[] = {"0.8.11",
                              "1.0.0-alpha",
                              "1.0.0-alpha.1",
                              "1.0.0-0.3.7",
                              "1.0.0-x.7.z.92",
                              "1.0.0+20130313144700",
                              "1.0.0-beta+exp.sha.5114f85",
                              "0.8.11-rc.1+git",
                              "18446744073709551615.0.0",
                              "1.0.0-a-b--c"};
        const char *bad[] = {"",          "0.8",
                             "1",         "v1.0.0",
                             "01.0.0",    "1.00.0",
                             "1.0.0-",    "1.0.0+",
                             "1.0.0-01",  "1.0.0-a..b",
                             "1.0.0-a_b", "1.0.0 ",
                             " 1.0.0",    "18446744073709551616.0.0",
                             "1.0.0+a+b", "1.0.0-é"};

        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                cr_expect_eq(semver_parse(good[i], &v, NULL), 0, "%s", good[i]);
                _cleanup_free_ char *f = semver_format(&v);
                cr_expect_str_eq(f, good[i]);
                semver_done(&v);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                cr_expect_eq(semver_parse(bad[i], &v, NULL), -EINVAL, "%s", bad[i]);
        cr_expect_eq(semver_parse("1.0.0+build.01", &v, NULL), 0, "build ids may have leading 0");
        semver_done(&v);
}

Test(semver, precedence)
{
        /* semver.org §11 example order, each lower than the next */
        const char *order[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                               "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                               "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                               "1.1.0",       "2.0.0",         "10.0.0"};
        for (size_t i = 0; i < ARRAY_SIZE(order); i++)
                for (size_t j = 0; j < ARRAY_SIZE(order); j++) {
                        struct semver a, b;
                        cr_assert_eq(semver_parse(order[i], &a, NULL), 0);
                        cr_assert_eq(semver_parse(order[j], &b, NULL), 0);
                        int c = semver_compare(&a, &b);
                        cr_expect_eq(c, i < j ? -1 : i > j, "%s vs %s", order[i], order[j]);
                        semver_done(&a);
                        semver_done(&b);
                }
        struct semver a, b;
        cr_assert_eq(semver_parse("1.0.0+a", &a, NULL), 0);
        cr_assert_eq(semver_parse("1.0.0+b", &b, NULL), 0);
        cr_expect_eq(semver_compare(&a, &b), 0, "build metadata has no precedence");
        semver_done(&a);
        semver_done(&b);
}

Test(semver, ac_version_rule)
{
        _cleanup_error_ struct ace_error *err = NULL;

        cr_expect_eq(ac_version_check("0.8.11", "acVersion", NULL), 0);
        cr_expect_eq(ac_version_check("0.1.0", "acVersion", NULL), 0);
        cr_expect_eq(ac_version_check("0.8.11+git", "acVersion", NULL), 0);
        cr_expect_eq(ac_version_check("0.8.11-rc.1", "acVersion", NULL), 0);
        cr_assert_eq(ac_version_check("0.0.0", "acVersion", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "acVersion: SemVer cannot be zero");
        cr_assert_eq(ac_version_check("", "acVersion", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "acVersion: acVersion must be set");
        cr_assert_eq(ac_version_check("0.8", "acVersion", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "acVersion: \"0.8\" is not a SemVer 2.0.0 version");
        cr_assert_eq(ac_version_check("1.0.0", "acVersion", &err), -EINVAL);
        cr_expect(strstr(err->msg, "not in the 0.x series"), "%s", err->msg);
        cr_assert_eq(ac_version_check("0.8.12", "acVersion", &err), -EINVAL);
        cr_expect_str_eq(err->msg,
                         "acVersion: version 0.8.12 is newer than 0.8.11, the spec ace implements");
}

#define HEX128                                                                                     \
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"                         \
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

Test(image_id, full_ids_t10)
{
        char id[ACE_IMAGE_ID_LEN + 1];
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(image_id_parse("sha512-" HEX128, id, &err), 0);
        cr_assert_str_eq(id, "sha512-" HEX128);
        cr_assert_eq(strlen(id), ACE_IMAGE_ID_LEN);

        struct {
                const char *in, *msg;
        } bad[] = {
            {"sha512-../../x", "not a lowercase hex digit at offset 7"},
            {"sha512-" HEX128 "0", "129 hex digits, expected 128"},
            {"sha512-" HEX128 "/", "not a lowercase hex digit at offset 135"},
            {"sha512-0123", "4 hex digits, expected 128"},
            {"sha512-", "0 hex digits"},
            {"sha512-ABCDEF", "not a lowercase hex digit"},
            {"sha512-xyz", "not a lowercase hex digit"},
            {"sha256-" HEX128, "unsupported hash type"},
            {"sha512", "expected sha512-<hex>"},
            {"", "expected sha512-<hex>"},
            {"SHA512-" HEX128, "unsupported hash type"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                cr_expect_eq(image_id_parse(bad[i].in, id, &err), -EINVAL, "%s", bad[i].in);
                cr_expect(err && strstr(err->msg, bad[i].msg), "%s: %s", bad[i].in,
                          ace_error_msg(err));
                cr_expect(!image_id_valid(bad[i].in));
        }
        /* an embedded NUL cannot get past a C string, but a buffer with one is refused too */
        const char with_nul[] = "sha512-0123\0"
                                "456";
        cr_expect(!image_id_valid(with_nul));
}

Test(image_id, prefixes)
{
        cr_expect(image_id_prefix_valid("sha512-ab"));
        cr_expect(image_id_prefix_valid("sha512-0123456789abcdef"));
        cr_expect(image_id_prefix_valid("sha512-" HEX128));
        cr_expect(!image_id_prefix_valid("sha512-a"));
        cr_expect(!image_id_prefix_valid("sha512-"));
        cr_expect(!image_id_prefix_valid("sha512-" HEX128 "0"));
        cr_expect(!image_id_prefix_valid("sha512-ab/"));
        cr_expect(!image_id_prefix_valid("sha512-AB"));
        cr_expect(!image_id_prefix_valid("sha256-ab"));
        cr_expect(!image_id_prefix_valid("ab"));
        cr_expect(!image_id_prefix_valid(NULL));
}

Test(image_id, digest_and_short_forms)
{
        unsigned char digest[64];
        char id[ACE_IMAGE_ID_LEN + 1], s[ACE_IMAGE_ID_LEN + 1];

        for (int i = 0; i < 64; i++)
                digest[i] = (unsigned char)(i * 4 + 1);
        image_id_from_digest(digest, id);
        cr_assert(image_id_valid(id));
        cr_assert_eq(strncmp(id, "sha512-0105090d", 15), 0, "%s", id);
        image_id_shorten(id, ACE_IMAGE_ID_FETCH_HEX, s);
        cr_assert_eq(strlen(s), 7 + 32);
        cr_assert_eq(strncmp(s, id, 39), 0);
        image_id_shorten(id, ACE_IMAGE_ID_LIST_HEX, s);
        cr_assert_str_eq(s, "sha512-0105090d1115");
        image_id_shorten(id, 500, s);
        cr_assert_str_eq(s, id);
}

static void kv(struct ace_kv_list *l, const char *n, const char *v)
{
        ace_kv_append(l, n, v);
}

Test(labels, rules)
{
        struct ace_kv_list l = {0};
        _cleanup_error_ struct ace_error *err = NULL;

        kv(&l, "version", "1.0.0");
        kv(&l, "os", "linux");
        kv(&l, "arch", "amd64");
        cr_expect_eq(ace_labels_validate(&l, "labels", &err), 0);
        ace_kv_set(&l, "arch", "x86_64");
        cr_assert_eq(ace_labels_validate(&l, "labels", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "labels: bad arch \"x86_64\" for linux (must be one of: "
                                   "[aarch64 aarch64_be amd64 armv6l armv7b armv7l i386 ppc64 "
                                   "ppc64le s390x])");
        ace_kv_set(&l, "os", "windows");
        cr_assert_eq(ace_labels_validate(&l, "labels", &err), -EINVAL);
        cr_expect_str_eq(err->msg,
                         "labels: bad os \"windows\" (must be one of: [darwin freebsd linux])");
        ace_kv_set(&l, "os", "darwin");
        cr_expect_eq(ace_labels_validate(&l, "labels", &err), 0, "darwin/x86_64 is valid");
        ace_kv_remove(&l, "os");
        ace_kv_set(&l, "arch", "anything");
        cr_expect_eq(ace_labels_validate(&l, "labels", &err), 0, "arch alone is not checked");
        kv(&l, "version", "2");
        cr_assert_eq(ace_labels_validate(&l, "labels", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "labels[2]: duplicate labels of name \"version\"");
        ace_kv_list_clear(&l);
        kv(&l, "name", "x");
        cr_assert_eq(ace_labels_validate(&l, "labels", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "labels[0]: invalid label name: \"name\"");
        ace_kv_list_clear(&l);
        kv(&l, "Bad", "x");
        cr_assert_eq(ace_labels_validate(&l, "labels", &err), -EINVAL);
        cr_expect(strstr(err->msg, "labels[0].name: invalid AC Identifier"), "%s", err->msg);
        ace_kv_list_clear(&l);
}

Test(labels, os_arch_table_complete_and_sorted)
{
        size_t n;
        const struct ace_os_arch *t = ace_os_arch_table(&n);
        /* appc 0.8.11 ValidOSArch: linux 10, freebsd 3, darwin 2 */
        cr_assert_eq(n, 15);
        for (size_t i = 1; i < n; i++) {
                int c = strcmp(t[i - 1].os, t[i].os);
                cr_expect(c < 0 || (c == 0 && strcmp(t[i - 1].arch, t[i].arch) < 0),
                          "%s/%s before %s/%s", t[i - 1].os, t[i - 1].arch, t[i].os, t[i].arch);
        }
        const char *want[][2] = {
            {"linux", "amd64"},      {"linux", "i386"},    {"linux", "aarch64"},
            {"linux", "aarch64_be"}, {"linux", "armv6l"},  {"linux", "armv7l"},
            {"linux", "armv7b"},     {"linux", "ppc64"},   {"linux", "ppc64le"},
            {"linux", "s390x"},      {"freebsd", "amd64"}, {"freebsd", "i386"},
            {"freebsd", "arm"},      {"darwin", "x86_64"}, {"darwin", "i386"}};
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                cr_expect(ace_os_arch_valid(want[i][0], want[i][1]), "%s/%s", want[i][0],
                          want[i][1]);
        cr_expect(!ace_os_arch_valid("linux", "arm"));
        cr_expect(!ace_os_arch_valid("windows", NULL));
        cr_expect(ace_os_arch_valid("freebsd", NULL));
}

Test(annotations, rules)
{
        struct ace_kv_list l = {0};
        _cleanup_error_ struct ace_error *err = NULL;

        kv(&l, "authors", "Carly <c@example.com>");
        kv(&l, "created", "2014-10-27T19:32:27.67021798Z");
        kv(&l, "homepage", "https://example.com");
        kv(&l, "documentation", "HTTP://example.com/docs?x=%20#top");
        kv(&l, "appc.io/executor/supports-systemd-notify", "true");
        cr_expect_eq(ace_annotations_validate(&l, "annotations", &err), 0, "%s",
                     ace_error_msg(err));

        ace_kv_set(&l, "created", "2014-10-27 19:32:27Z");
        cr_assert_eq(ace_annotations_validate(&l, "annotations", &err), -EINVAL);
        cr_expect(strstr(err->msg, "annotations[1].value: bad Date:"), "%s", err->msg);
        ace_kv_set(&l, "created", "2014-10-27T19:32:27+02:00");

        ace_kv_set(&l, "homepage", "ftp://example.com");
        cr_assert_eq(ace_annotations_validate(&l, "annotations", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "annotations[2].value: bad URL scheme, must be http/https");
        ace_kv_set(&l, "homepage", "http://example.com");

        ace_kv_set(&l, "appc.io/executor/supports-systemd-notify", "yes");
        cr_assert_eq(ace_annotations_validate(&l, "annotations", &err), -EINVAL);
        cr_expect(strstr(err->msg, "must be \"true\" or \"false\""), "%s", err->msg);
        ace_kv_set(&l, "appc.io/executor/supports-systemd-notify", "false");

        kv(&l, "authors", "again");
        cr_assert_eq(ace_annotations_validate(&l, "annotations", &err), -EINVAL);
        cr_expect_str_eq(err->msg, "annotations[5]: duplicate annotations of name \"authors\"");
        ace_kv_list_clear(&l);
}

Test(timestamp, rfc3339)
{
        int64_t sec;
        int32_t nsec;

        cr_assert_eq(timestamp_parse("1970-01-01T00:00:00Z", &sec, &nsec, NULL), 0);
        cr_expect_eq(sec, 0);
        cr_assert_eq(timestamp_parse("2014-10-27T19:32:27.67021798Z", &sec, &nsec, NULL), 0);
        cr_expect_eq(sec, 1414438347);
        cr_expect_eq(nsec, 670217980);
        cr_assert_eq(timestamp_parse("2014-10-27T21:32:27+02:00", &sec, NULL, NULL), 0);
        cr_expect_eq(sec, 1414438347);
        cr_assert_eq(timestamp_parse("2014-10-27T19:02:27-00:30", &sec, NULL, NULL), 0);
        cr_expect_eq(sec, 1414438347);
        cr_assert_eq(timestamp_parse("2000-02-29T00:00:00.1234567891Z", &sec, &nsec, NULL), 0);
        cr_expect_eq(nsec, 123456789);
        cr_assert_eq(timestamp_parse("1969-12-31T23:59:59Z", &sec, NULL, NULL), 0);
        cr_expect_eq(sec, -1);

        const char *bad[] = {"",
                             "2014-10-27",
                             "2014-10-27T19:32:27",
                             "2014-10-27 19:32:27Z",
                             "2014-10-27t19:32:27Z",
                             "2014-10-27T19:32:27z",
                             "2014-13-01T00:00:00Z",
                             "2014-02-29T00:00:00Z",
                             "1900-02-29T00:00:00Z",
                             "2014-04-31T00:00:00Z",
                             "2014-10-27T24:00:00Z",
                             "2014-10-27T23:60:00Z",
                             "2014-10-27T23:59:60Z",
                             "2014-10-27T19:32:27.Z",
                             "2014-10-27T19:32:27+0200",
                             "2014-10-27T19:32:27+24:00",
                             "14-10-27T19:32:27Z",
                             "2014-10-27T19:32:27Z ",
                             "2014-00-10T00:00:00Z"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                cr_expect_eq(timestamp_parse(bad[i], NULL, NULL, NULL), -EINVAL, "%s", bad[i]);
}

Test(timestamp, format)
{
        _cleanup_free_ char *a = timestamp_format(1414438347, 670217980);
        cr_expect_str_eq(a, "2014-10-27T19:32:27.67021798Z");
        _cleanup_free_ char *b = timestamp_format(0, 0);
        cr_expect_str_eq(b, "1970-01-01T00:00:00Z");
}

Test(url, http_urls)
{
        const char *good[] = {"http://example.com", "https://example.com/docs",
                              "HTTPS://a.b:8080/x", "http://user:pw@host/p?q=1#f",
                              "http://[::1]:80/",   "http://h/%41"};
        const char *bad[] = {"",
                             "example.com",
                             "ftp://example.com",
                             "http:example.com",
                             "http://",
                             "http:///path",
                             "http://a b",
                             "http://host:port/",
                             "http://h/%zz",
                             "javascript:alert(1)",
                             "http://[::1/",
                             "https://h\n"};
        for (size_t i = 0; i < ARRAY_SIZE(good); i++)
                cr_expect_eq(http_url_check(good[i], "u", NULL), 0, "%s", good[i]);
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                cr_expect_eq(http_url_check(bad[i], "u", NULL), -EINVAL, "%s", bad[i]);
}

Test(uuid, parse_and_format)
{
        struct ace_uuid u;
        char s[ACE_UUID_STRING_LEN + 1];

        cr_assert_eq(uuid_parse("6733C088-A507-4694-AABF-EDBE4FC5266F", &u, NULL), 0);
        uuid_format(&u, s);
        cr_expect_str_eq(s, "6733c088-a507-4694-aabf-edbe4fc5266f");
        cr_assert_eq(uuid_parse("6733C088A5074694AABFEDBE4FC5266F", &u, NULL), 0);
        uuid_format(&u, s);
        cr_expect_str_eq(s, "6733c088-a507-4694-aabf-edbe4fc5266f");
        const char *bad[] = {"",
                             "6733c088-a507-4694-aabf-edbe4fc5266",
                             "6733c088a507-4694-aabf-edbe4fc5266f0",
                             "6733c088-a507-4694-aabf-edbe4fc5266g",
                             "6733c088-a5074694-aabf-edbe4fc5266f-",
                             "../../../../../../../../../etc/passw"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                cr_expect_eq(uuid_parse(bad[i], &u, NULL), -EINVAL, "%s", bad[i]);
        cr_expect(!uuid_is_null(&u));
        struct ace_uuid z = {{0}};
        cr_expect(uuid_is_null(&z));
}

Test(uuid, v4_from_random)
{
        uint8_t r[16];
        struct ace_uuid u;
        char s[ACE_UUID_STRING_LEN + 1];

        memset(r, 0xff, sizeof(r));
        uuid_from_random(r, &u);
        uuid_format(&u, s);
        cr_expect_str_eq(s, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        memset(r, 0, sizeof(r));
        uuid_from_random(r, &u);
        uuid_format(&u, s);
        cr_expect_str_eq(s, "00000000-0000-4000-8000-000000000000");
}

Test(app_string, parses_like_discovery)
{
        char *name = NULL;
        struct ace_kv_list l = {0};

        cr_assert_eq(app_string_parse("example.com/reduce-worker:1.0.0", &name, &l, NULL), 0);
        cr_expect_str_eq(name, "example.com/reduce-worker");
        cr_expect_eq(l.n, 1);
        cr_expect_str_eq(ace_kv_get(&l, "version"), "1.0.0");
        free(name);
        ace_kv_list_clear(&l);

        cr_assert_eq(
            app_string_parse("example.com/w:1.0.0,channel=alpha,os=linux,x=a=b", &name, &l, NULL),
            0);
        cr_expect_eq(l.n, 4);
        cr_expect_str_eq(l.items[0].name, "version");
        cr_expect_str_eq(ace_kv_get(&l, "channel"), "alpha");
        cr_expect_str_eq(ace_kv_get(&l, "x"), "a=b");
        _cleanup_free_ char *back = app_string_format(name, &l);
        cr_expect_str_eq(back, "example.com/w:1.0.0,channel=alpha,os=linux,x=a=b");
        free(name);
        ace_kv_list_clear(&l);

        cr_assert_eq(app_string_parse("nginx,empty=", &name, &l, NULL), 0);
        cr_expect_str_eq(ace_kv_get(&l, "empty"), "");
        free(name);
        ace_kv_list_clear(&l);
}

Test(app_string, rejects)
{
        struct {
                const char *in, *msg;
        } bad[] = {
            {"a:1:2", "colon may appear at most once"},
            {"a,b=1:2", "colon may appear only right after the app name"},
            {"a,b", "has a label without a value: b"},
            {"a,", "has a label without a value"},
            {"a,b=1,b=2", "label \"b\" with multiple values"},
            {"a:1,version=2", "label \"version\" with multiple values"},
            {"a,name=b", "label \"name\" with multiple values"},
            {"BAD/name", "app name: invalid AC Identifier"},
            {"", "app name: AC Identifier cannot be empty"},
            {":1", "app name: AC Identifier cannot be empty"},
            {"a,Bad=1", "label name: invalid AC Identifier"},
            {"a,=1", "label name: AC Identifier cannot be empty"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char *name = NULL;
                struct ace_kv_list l = {0};
                _cleanup_error_ struct ace_error *err = NULL;
                cr_expect_eq(app_string_parse(bad[i].in, &name, &l, &err), -EINVAL, "%s",
                             bad[i].in);
                cr_expect(err && strstr(err->msg, bad[i].msg), "%s: %s", bad[i].in,
                          ace_error_msg(err));
                cr_expect_null(name);
                cr_expect_eq(l.n, 0);
        }
}
