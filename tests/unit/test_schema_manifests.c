/* test_schema_manifests.c - image and pod manifests: round trips over the valid corpus, exact
 * serialization, accessors, copies, the pod manifest builder and rkt's --volume flag. The
 * one-rule-per-file verdicts are in test_schema_corpus.c. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"

#define H1                                                                                         \
        "sha512-8d3fffddf79e9a232ffd19f9ccaa4d6b37a6a243dbe0f23137b108a043d9da13121a9b505c804956b" \
        "22e93c7f93969f4a7ba8ddea45bf4aab0bebc8f814e0990"

static struct ace_image_manifest *image(const char *text)
{
        struct ace_image_manifest *m = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        cr_assert_eq(ace_image_manifest_parse(text, strlen(text), &m, &err), 0, "%s: %s", text,
                     ace_error_msg(err));
        return m;
}

static struct ace_pod_manifest *pod(const char *text)
{
        struct ace_pod_manifest *pm = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        cr_assert_eq(ace_pod_manifest_parse(text, strlen(text), &pm, &err), 0, "%s: %s", text,
                     ace_error_msg(err));
        return pm;
}

static char *pod_error(const char *text)
{
        struct ace_pod_manifest *pm = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        cr_assert_lt(ace_pod_manifest_parse(text, strlen(text), &pm, &err), 0, "%s accepted", text);
        cr_assert_null(pm);
        return xstrdup(err->msg);
}

/* ---- round trips over the valid corpus ------------------------------------------------------ */

/* Files whose JSON is normalized by design, so only emit(parse(emit)) == emit is required:
 * keys matched case-insensitively are written with their canonical case, JSON null is
 * absent, "count": 0 is written as 1, and of duplicated keys only the last is kept. */
static const char *const normalized[] = {
    "image-case-insensitive-keys.json",
    "image-null-fields.json",
    "image-port-count-zero.json",
    "image-duplicate-key-last-wins.json",
};

static bool is_normalized(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(normalized); i++)
                if (strcmp(normalized[i], name) == 0)
                        return true;
        return false;
}

static char *slurp(const char *path, size_t *len)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *buf = xmalloc(ACE_MANIFEST_MAX_SIZE + 1);
        cr_assert_not_null(f, "%s", path);
        *len = fread(buf, 1, ACE_MANIFEST_MAX_SIZE, f);
        buf[*len] = '\0';
        return buf;
}

/* parse -> JSON object, for either kind */
static struct json_object *reemit(const char *buf, size_t len, const char *name)
{
        _cleanup_json_ struct json_object *obj = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        struct json_object *out;

        cr_assert_eq(json_parse_object(buf, len, ACE_JSON_MAX_DEPTH, &obj, &err), 0, "%s", name);
        if (ace_manifest_kind(obj) == AC_KIND_POD_MANIFEST) {
                struct ace_pod_manifest *pm = NULL;
                cr_assert_eq(ace_pod_manifest_parse(buf, len, &pm, &err), 0, "%s: %s", name,
                             ace_error_msg(err));
                out = ace_pod_manifest_to_json_object(pm);
                ace_pod_manifest_free(pm);
        } else {
                struct ace_image_manifest *m = NULL;
                cr_assert_eq(ace_image_manifest_parse(buf, len, &m, &err), 0, "%s: %s", name,
                             ace_error_msg(err));
                out = ace_image_manifest_to_json_object(m);
                ace_image_manifest_free(m);
        }
        return out;
}

Test(manifest_roundtrip, every_valid_corpus_file)
{
        const char *src = getenv("ACE_SRC");
        _cleanup_free_ char *dir = xasprintf("%s/tests/fixtures/manifests/valid", src ? src : ".");
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        size_t checked = 0;

        cr_assert_not_null(d, "%s", dir);
        while ((de = readdir(d))) {
                if (!strstr(de->d_name, ".json"))
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
                size_t len;
                _cleanup_free_ char *buf = slurp(path, &len);
                _cleanup_json_ struct json_object *orig = NULL;
                cr_assert_eq(json_parse_text(buf, len, ACE_JSON_MAX_DEPTH, &orig, NULL), 0);

                /* parse -> serialize -> parse gives the same manifest (same JSON again) */
                _cleanup_json_ struct json_object *once = reemit(buf, len, de->d_name);
                _cleanup_free_ char *t1 = json_to_text(once, JSON_PRETTY);
                _cleanup_json_ struct json_object *twice = reemit(t1, strlen(t1), de->d_name);
                _cleanup_free_ char *t2 = json_to_text(twice, JSON_PRETTY);
                cr_expect_str_eq(t2, t1, "%s is not stable under a second round trip", de->d_name);

                /* and the same JSON as the input, key order aside (unknown keys and
                 * present-but-empty fields included) */
                if (!is_normalized(de->d_name)) {
                        _cleanup_free_ char *in = json_to_text(orig, JSON_COMPACT);
                        _cleanup_free_ char *out = json_to_text(once, JSON_COMPACT);
                        cr_expect(json_object_equal(orig, once), "%s changed:\n in: %s\nout: %s",
                                  de->d_name, in, out);
                }
                checked++;
        }
        cr_expect_geq(checked, 20);
}

Test(manifest_roundtrip, normalizations_are_the_documented_ones)
{
        struct ace_image_manifest *m = image(
            "{\"ACKIND\":\"ImageManifest\",\"acversion\":\"0.8.11\",\"name\":\"example.com/a\","
            "\"labels\":null,\"app\":{\"user\":\"0\",\"group\":\"0\",\"supplementaryGids\":[1],"
            "\"ports\":[{\"name\":\"p\",\"protocol\":\"tcp\",\"port\":1,\"count\":0}]}}");
        _cleanup_free_ char *t = ace_image_manifest_to_json(m, false);
        cr_expect_str_eq(t, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":"
                            "\"example.com/a\",\"app\":{\"user\":\"0\",\"group\":\"0\","
                            "\"supplementaryGIDs\":[1],\"ports\":[{\"name\":\"p\",\"protocol\":"
                            "\"tcp\",\"port\":1,\"count\":1}]}}");
        cr_expect_eq(m->app->ports.items[0].count, 1);
        ace_image_manifest_free(m);
}

/* ---- exact serialization ----------------------------------------------------------------------
 */

Test(image_manifest, pretty_output_like_actool)
{
        struct ace_image_manifest *m = image(
            "{\"name\":\"example.com/hello\",\"acVersion\":\"0.8.11\",\"acKind\":\"ImageManifest\","
            "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"}],\"app\":{\"exec\":[\"/hello\","
            "\"<world>\"],\"group\":\"0\",\"user\":\"0\"}}");
        _cleanup_free_ char *t = ace_image_manifest_to_json(m, true);
        cr_expect_str_eq(t, "{\n"
                            "    \"acKind\": \"ImageManifest\",\n"
                            "    \"acVersion\": \"0.8.11\",\n"
                            "    \"name\": \"example.com/hello\",\n"
                            "    \"labels\": [\n"
                            "        {\n"
                            "            \"name\": \"version\",\n"
                            "            \"value\": \"1.0\"\n"
                            "        }\n"
                            "    ],\n"
                            "    \"app\": {\n"
                            "        \"exec\": [\n"
                            "            \"/hello\",\n"
                            "            \"\\u003cworld\\u003e\"\n"
                            "        ],\n"
                            "        \"user\": \"0\",\n"
                            "        \"group\": \"0\"\n"
                            "    }\n"
                            "}");
        _cleanup_free_ char *tab = ace_image_manifest_to_json_style(m, JSON_PRETTY_TAB);
        const char *tab_head = "{\n\t\"acKind\": \"ImageManifest\",\n";
        cr_expect(strncmp(tab, tab_head, strlen(tab_head)) == 0, "%s", tab);
        ace_image_manifest_free(m);
}

Test(image_manifest, accessors_new_copy)
{
        struct ace_image_manifest *m = image(
            "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/a\","
            "\"labels\":[{\"name\":\"version\",\"value\":\"2\"}],\"annotations\":[{\"name\":"
            "\"authors\",\"value\":\"me\"}],\"app\":{\"user\":\"u\",\"group\":\"g\","
            "\"eventHandlers\":[{\"name\":\"pre-start\",\"exec\":[\"/x\"]}],\"later\":1}}");
        cr_expect_str_eq(ace_image_manifest_label(m, "version"), "2");
        cr_expect_null(ace_image_manifest_label(m, "os"));
        cr_expect_str_eq(ace_image_manifest_annotation(m, "authors"), "me");
        cr_expect_not_null(ace_app_event_handler(m->app, "pre-start"));
        cr_expect_null(ace_app_event_handler(m->app, "post-stop"));

        struct ace_image_manifest *c = ace_image_manifest_copy(m);
        _cleanup_free_ char *a = ace_image_manifest_to_json(m, false);
        ace_image_manifest_free(m);
        _cleanup_free_ char *b = ace_image_manifest_to_json(c, false);
        cr_expect_str_eq(b, a, "a copy is independent and complete (unknown keys too)");
        ace_image_manifest_free(c);

        struct ace_image_manifest *n = ace_image_manifest_new("example.com/new");
        cr_expect_eq(ace_image_manifest_validate(n, NULL), 0);
        _cleanup_free_ char *t = ace_image_manifest_to_json(n, false);
        cr_expect_str_eq(t, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":"
                            "\"example.com/new\"}");
        n->app = ace_app_new();
        cr_expect_eq(ace_image_manifest_validate(n, NULL), -EINVAL, "an app needs user/group");
        ace_image_manifest_free(n);
}

Test(image_manifest, limits_and_kind_detection)
{
        struct ace_image_manifest *m = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        _cleanup_free_ char *big = xmalloc(ACE_MANIFEST_MAX_SIZE + 2);

        memset(big, ' ', ACE_MANIFEST_MAX_SIZE + 1);
        cr_expect_eq(ace_image_manifest_parse(big, ACE_MANIFEST_MAX_SIZE + 1, &m, &err), -EFBIG);
        cr_expect_null(m);

        /* 70 nested arrays under the top-level object: deeper than ACE_JSON_MAX_DEPTH (64) */
        char deep[256];
        int n = snprintf(deep, sizeof(deep), "{\"acKind\":\"ImageManifest\",\"x\":");
        for (int i = 0; i < 70; i++)
                deep[n++] = '[';
        for (int i = 0; i < 70; i++)
                deep[n++] = ']';
        deep[n++] = '}';
        deep[n] = '\0';
        cr_expect_eq(ace_image_manifest_parse(deep, strlen(deep), &m, &err), -EINVAL);
        cr_expect(strstr(err->msg, "nesting too deep"), "%s", err->msg);

        struct {
                const char *json;
                enum ac_kind kind;
        } cases[] = {
            {"{\"acKind\":\"PodManifest\"}", AC_KIND_POD_MANIFEST},
            {"{\"ACKIND\":\"ImageManifest\"}", AC_KIND_IMAGE_MANIFEST},
            {"{\"acKind\":\"ImageManifest\",\"ACKIND\":\"PodManifest\"}", AC_KIND_POD_MANIFEST},
            {"{\"acKind\":\"podmanifest\"}", AC_KIND_INVALID},
            {"{\"acKind\":1}", AC_KIND_INVALID},
            {"{}", AC_KIND_INVALID},
            {"[]", AC_KIND_INVALID},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_json_ struct json_object *o = NULL;
                cr_assert_eq(json_parse_text(cases[i].json, strlen(cases[i].json), 8, &o, NULL), 0);
                cr_expect_eq(ace_manifest_kind(o), cases[i].kind, "%s", cases[i].json);
        }
}

/* ---- pod manifests -----------------------------------------------------------------------------
 */

Test(pod_manifest, volume_defaults_are_filled_but_not_written)
{
        struct ace_pod_manifest *pm =
            pod("{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[],\"volumes\":["
                "{\"name\":\"h\",\"kind\":\"host\",\"source\":\"/srv\"},{\"name\":\"e\","
                "\"kind\":\"empty\"},{\"name\":\"n\",\"kind\":\"host\",\"source\":\"/x\","
                "\"recursive\":false,\"readOnly\":true}]}");
        struct ace_volume *h = ace_pod_manifest_volume(pm, "h"),
                          *e = ace_pod_manifest_volume(pm, "e"),
                          *n = ace_pod_manifest_volume(pm, "n");
        cr_assert(h && e && n);
        cr_expect(h->recursive, "host volumes default to recursive (spec SHOULD)");
        cr_expect(!h->read_only);
        cr_expect(!n->recursive);
        cr_expect(n->read_only);
        cr_expect_str_eq(e->mode, "0755");
        cr_expect_eq(ace_volume_mode(e), 0755);
        cr_expect_eq(e->uid, 0);
        _cleanup_free_ char *t = ace_pod_manifest_to_json(pm, false);
        cr_expect_str_eq(t, "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[],"
                            "\"volumes\":[{\"name\":\"h\",\"kind\":\"host\",\"source\":\"/srv\"},"
                            "{\"name\":\"e\",\"kind\":\"empty\"},{\"name\":\"n\",\"kind\":\"host\","
                            "\"source\":\"/x\",\"readOnly\":true,\"recursive\":false}]}");
        cr_expect_null(ace_pod_manifest_volume(pm, "missing"));
        ace_pod_manifest_free(pm);
}

Test(pod_manifest, rule_messages)
{
        struct {
                const char *body, *msg;
        } cases[] = {
            {"\"apps\":[{\"name\":\"a\"}]", "apps[0].image: required field is missing"},
            {"\"apps\":[{\"name\":\"a\",\"image\":{\"id\":\"" H1 "\",\"name\":\"Bad\"}}]",
             "apps[0].image.name: invalid AC Identifier \"Bad\""},
            {"\"apps\":[{\"name\":\"a\",\"image\":{\"id\":\"" H1 "\",\"labels\":[{\"name\":"
             "\"os\",\"value\":\"plan9\"}]}}]",
             "apps[0].image.labels: bad os \"plan9\""},
            {"\"apps\":[{\"name\":\"a\",\"image\":{\"id\":\"" H1 "\"},\"app\":{\"user\":\"0\"}}]",
             "apps[0].app.group: group is required"},
            {"\"apps\":[{\"name\":\"a\",\"image\":{\"id\":\"" H1 "\"},\"mounts\":[{\"path\":"
             "\"/x\"}]}]",
             "apps[0].mounts[0].volume: volume must be set"},
            {"\"apps\":[{\"name\":\"a\",\"image\":{\"id\":\"" H1 "\"},\"mounts\":[{\"volume\":"
             "\"v\",\"path\":\"/x\",\"appVolume\":{\"name\":\"v\",\"kind\":\"host\"}}]}]",
             "apps[0].mounts[0].appVolume: source for host volume cannot be empty"},
            {"\"apps\":[{\"name\":\"a\",\"image\":{\"id\":\"" H1 "\"},\"annotations\":[{\"name\":"
             "\"created\",\"value\":\"yesterday\"}]}]",
             "apps[0].annotations[0].value: bad Date"},
            {"\"apps\":[],\"volumes\":[{\"name\":\"v\",\"kind\":\"host\",\"source\":\"/x\","
             "\"uid\":0}]",
             "volumes[0]: uid for host volume cannot be set"},
            {"\"apps\":[],\"volumes\":[{\"name\":\"v\"}]",
             "volumes[0].kind: required field is missing"},
            {"\"apps\":[],\"volumes\":[{\"name\":\"v\",\"kind\":\"empty\",\"mode\":\"77777\"}]",
             "volumes[0]: mode \"77777\" for empty volume is not an octal mode"},
            {"\"apps\":[],\"ports\":[{\"name\":\"p\",\"hostPort\":70000}]",
             "ports[0].hostPort: hostPort must be in 1-65535 range"},
            {"\"apps\":[],\"ports\":[{\"name\":\"p\",\"hostPort\":80,\"hostIP\":\"01.2.3.4\"}]",
             "ports[0].hostIP: invalid IP address"},
            {"\"apps\":[],\"isolators\":[{\"name\":\"os/linux/selinux-context\",\"value\":{"
             "\"user\":\"u\",\"role\":\"r\",\"type\":\"t\",\"level\":\"s0\"}},{\"name\":"
             "\"os/linux/selinux-context\",\"value\":{\"user\":\"u\",\"role\":\"r\",\"type\":"
             "\"t\",\"level\":\"s0\"}}]",
             "isolators[1]: isolators set contains too many instances"},
            {"\"apps\":{}", "apps: expected an array, got object"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *text = xasprintf(
                    "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",%s}", cases[i].body);
                _cleanup_free_ char *msg = pod_error(text);
                cr_expect(strstr(msg, cases[i].msg), "%s:\n got: %s\nwant: %s", cases[i].body, msg,
                          cases[i].msg);
        }
}

Test(pod_manifest, lookups_and_copy)
{
        struct ace_pod_manifest *pm =
            pod("{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[{\"name\":\"web\","
                "\"image\":{\"id\":\"" H1 "\"},\"app\":{\"user\":\"0\",\"group\":\"0\",\"x\":1}}],"
                "\"isolators\":[{\"name\":\"example.com/x\",\"value\":{\"y\":[1]}}],\"zz\":true}");
        cr_expect_not_null(ace_pod_manifest_app(pm, "web"));
        cr_expect_null(ace_pod_manifest_app(pm, "db"));
        struct ace_pod_manifest *c = ace_pod_manifest_copy(pm);
        _cleanup_free_ char *a = ace_pod_manifest_to_json(pm, false);
        ace_pod_manifest_free(pm);
        _cleanup_free_ char *b = ace_pod_manifest_to_json(c, false);
        cr_expect_str_eq(b, a);
        cr_expect_eq(ace_pod_manifest_validate(c, NULL), 0);
        ace_pod_manifest_free(c);
}

/* ---- builder
 * ------------------------------------------------------------------------------------- */

Test(pod_builder, builds_a_valid_reified_manifest)
{
        struct ace_pod_manifest *pm = ace_pod_manifest_new();
        struct ace_runtime_app *ra = NULL;
        struct ace_volume v;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(ace_pod_manifest_add_app(pm, "web", H1, "example.com/web", &ra, &err), 0);
        struct ace_image_manifest *im = image(
            "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/web\","
            "\"app\":{\"exec\":[\"/web\"],\"user\":\"0\",\"group\":\"0\"}}");
        ace_runtime_app_set_app(ra, im->app);
        ace_image_manifest_free(im);
        _cleanup_json_ struct json_object *mem = json_tokener_parse("{\"limit\":\"1G\"}");
        cr_assert_eq(ace_isolators_add(&ra->app->isolators, "resource/memory", mem,
                                       ISOLATOR_SCOPE_APP, &err),
                     0);
        cr_assert_eq(ace_runtime_app_add_mount(ra, "data", "/data", &err), 0);
        cr_assert_eq(ace_volume_parse_flag("data,kind=empty,mode=0700,uid=1000", &v, &err), 0);
        cr_assert_eq(ace_pod_manifest_add_volume(pm, &v, &err), 0);
        cr_expect_eq(ace_pod_manifest_add_volume(pm, &v, &err), -EEXIST);
        ace_volume_done(&v);

        struct ace_isolator_list pl = {0};
        _cleanup_json_ struct json_object *pids = json_tokener_parse("{\"limit\":64}");
        cr_assert_eq(ace_isolators_add(&pl, "ace/pids", pids, ISOLATOR_SCOPE_POD, &err), 0);
        cr_assert_eq(ace_pod_manifest_set_isolators(pm, &pl, &err), 0);
        ace_isolators_clear(&pl);
        ace_kv_set(&pm->annotations, "coreos.com/rkt/stage1/mutable", "false");

        cr_assert_eq(ace_pod_manifest_validate(pm, &err), 0, "%s", ace_error_msg(err));
        _cleanup_free_ char *t = ace_pod_manifest_to_json(pm, false);
        cr_expect_str_eq(
            t, "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[{\"name\":"
               "\"web\",\"image\":{\"name\":\"example.com/web\",\"id\":\"" H1 "\"},\"app\":{"
               "\"exec\":[\"/web\"],\"user\":\"0\",\"group\":\"0\",\"isolators\":[{\"name\":"
               "\"resource/memory\",\"value\":{\"limit\":\"1G\"}}]},\"mounts\":[{\"volume\":"
               "\"data\",\"path\":\"/data\"}]}],\"volumes\":[{\"name\":\"data\",\"kind\":"
               "\"empty\",\"mode\":\"0700\",\"uid\":1000,\"gid\":0}],\"isolators\":[{\"name\":"
               "\"ace/pids\",\"value\":{\"limit\":64}}],\"annotations\":[{\"name\":"
               "\"coreos.com/rkt/stage1/mutable\",\"value\":\"false\"}]}");
        /* and what we generate parses back */
        struct ace_pod_manifest *back = pod(t);
        ace_pod_manifest_free(back);
        ace_pod_manifest_free(pm);
}

Test(pod_builder, refuses_bad_input)
{
        struct ace_pod_manifest *pm = ace_pod_manifest_new();
        _cleanup_error_ struct ace_error *err = NULL;
        struct ace_isolator_list l = {0};

        cr_expect_eq(ace_pod_manifest_add_app(pm, "Web", H1, NULL, NULL, &err), -EINVAL);
        cr_expect_eq(ace_pod_manifest_add_app(pm, "web", "sha512-abc", NULL, NULL, &err), -EINVAL);
        cr_expect_eq(ace_pod_manifest_add_app(pm, "web", H1, "Bad Name", NULL, &err), -EINVAL);
        cr_expect_eq(pm->apps.n, 0);
        cr_expect_eq(ace_pod_manifest_add_app(pm, "web", H1, NULL, NULL, &err), 0);
        cr_expect_eq(ace_pod_manifest_add_app(pm, "web", H1, NULL, NULL, &err), -EEXIST);
        cr_expect(strstr(err->msg, "duplicate apps of name \"web\""), "%s", err->msg);
        cr_expect_eq(ace_runtime_app_add_mount(&pm->apps.items[0], "v", "", &err), -EINVAL);
        _cleanup_json_ struct json_object *caps = json_tokener_parse("{\"set\":[\"CAP_KILL\"]}");
        cr_assert_eq(ace_isolators_add(&l, "os/linux/capabilities-retain-set", caps,
                                       ISOLATOR_SCOPE_BOTH, &err),
                     0);
        cr_expect_eq(ace_pod_manifest_set_isolators(pm, &l, &err), -EINVAL);
        cr_expect(strstr(err->msg, "cannot be used in a pod"), "%s", err->msg);
        ace_isolators_clear(&l);
        ace_pod_manifest_free(pm);
}

/* ---- --volume flag
 * --------------------------------------------------------------------------------- */

static void flag_ok(const char *s, const char *want_json, const char *want_flag)
{
        struct ace_volume v;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(ace_volume_parse_flag(s, &v, &err), 0, "%s: %s", s, ace_error_msg(err));
        _cleanup_json_ struct json_object *o = ace_volume_emit(&v, true);
        _cleanup_free_ char *t = json_to_text(o, JSON_COMPACT);
        cr_expect_str_eq(t, want_json, "%s", s);
        _cleanup_free_ char *f = ace_volume_to_flag(&v);
        cr_expect_str_eq(f, want_flag, "%s", s);
        ace_volume_done(&v);
}

Test(volume_flag, accepted_forms)
{
        flag_ok("data,kind=host,source=/srv/data",
                "{\"name\":\"data\",\"kind\":\"host\",\"source\":"
                "\"/srv/data\"}",
                "data,kind=host,source=/srv/data");
        flag_ok("data,kind=host,source=/srv,readOnly=true,recursive=false",
                "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv\",\"readOnly\":true,"
                "\"recursive\":false}",
                "data,kind=host,source=/srv,readOnly=true,recursive=false");
        flag_ok("d,kind=host,source=/a=b,readOnly=T,recursive=1",
                "{\"name\":\"d\",\"kind\":\"host\",\"source\":\"/a=b\",\"readOnly\":true,"
                "\"recursive\":true}",
                "d,kind=host,source=/a=b,readOnly=true,recursive=true");
        flag_ok("tmp,kind=empty",
                "{\"name\":\"tmp\",\"kind\":\"empty\",\"mode\":\"0755\",\"uid\":0,"
                "\"gid\":0}",
                "tmp,kind=empty");
        flag_ok("tmp,kind=empty,mode=1777,uid=1000,gid=100,readOnly=False",
                "{\"name\":\"tmp\",\"kind\":\"empty\",\"readOnly\":false,\"mode\":\"1777\","
                "\"uid\":1000,\"gid\":100}",
                "tmp,kind=empty,readOnly=false,mode=1777,uid=1000,gid=100");

        struct ace_volume v;
        cr_assert_eq(ace_volume_parse_flag("h,kind=host,source=/x", &v, NULL), 0);
        cr_expect(v.recursive, "host volumes from the flag default to recursive");
        cr_expect_eq(v.kind, ACE_VOLUME_HOST);
        ace_volume_done(&v);
}

Test(volume_flag, refused_forms)
{
        struct {
                const char *in, *msg;
        } cases[] = {
            {"", "empty volume"},
            {"data", "unrecognized volume kind"},
            {"data,kind=nfs", "unrecognized volume kind"},
            {"data,kind=host", "source for host volume cannot be empty"},
            {"data,kind=host,source=rel", "must be absolute path"},
            {"data,kind=host,source=/x,mode=0700", "mode for host volume cannot be set"},
            {"data,kind=empty,source=/x", "source for empty volume must be empty"},
            {"data,kind=empty,mode=abc", "is not an octal mode"},
            {"data,kind=empty,uid=-1", "invalid uid -1"},
            {"data,kind=empty,gid=4294967295", "invalid gid 4294967295"},
            {"data,kind=empty,uid=1x", "invalid uid 1x"},
            {"data,kind=host,source=/x,readOnly=yes", "invalid readOnly value yes"},
            {"data,kind=host,source=/x,kind=empty", "volume parameter kind given more than once"},
            {"data,kind=host,source=/x,name=other", "volume parameter name given more than once"},
            {"data,kind=host,source=/x,color=blue", "unknown volume parameter \"color\""},
            {"data,kind=host,source=/x,readOnly", "malformed volume parameter \"readOnly\""},
            {"Data,kind=empty", "name: invalid AC Name \"Data\""},
            {",kind=empty", "name: AC Name cannot be empty"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct ace_volume v = {0};
                _cleanup_error_ struct ace_error *err = NULL;
                cr_expect_eq(ace_volume_parse_flag(cases[i].in, &v, &err), -EINVAL, "%s accepted",
                             cases[i].in);
                cr_expect(err && strstr(err->msg, cases[i].msg), "%s: got '%s'", cases[i].in,
                          ace_error_msg(err));
                cr_expect_null(v.name, "nothing returned on failure");
        }
}

Test(volume, kind_table)
{
        for (int k = 0; k < _ACE_VOLUME_KIND_MAX; k++)
                cr_expect_eq(ace_volume_kind_from_string(ace_volume_kind_to_string(k)), k);
        cr_expect_eq(ace_volume_kind_from_string("Host"), ACE_VOLUME_KIND_INVALID);
        cr_expect_null(ace_volume_kind_to_string(ACE_VOLUME_KIND_INVALID));
}
