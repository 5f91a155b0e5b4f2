/*
 * test_mds.c - the metadata service without sockets: UUID and form parsing, HMAC signatures
 * against openssl(1)'s, the registry (registration, tokens bound to addresses, unregister) and
 * the routing of every endpoint (status, content type, body).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "stage0/mds/hmac.h"
#include "stage0/mds/mds.h"
#include "stage0/mds/registry.h"

#define UUID "01234567-89ab-cdef-0123-456789abcdef"
#define TOKEN "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

Test(mds, uuid_and_form)
{
        unsigned char b[16];

        cr_assert(mds_uuid_parse(UUID, b));
        cr_assert(b[0] == 0x01 && b[7] == 0xef && b[15] == 0xef);
        cr_assert_not(mds_uuid_parse("01234567-89ab-cdef-0123-456789abcdeF", b));
        cr_assert_not(mds_uuid_parse("0123456789abcdef0123456789abcdef", b));
        cr_assert_not(mds_uuid_parse("01234567-89ab-cdef-0123-456789abcde", b));

        _cleanup_free_ char *c = mds_form_value("a=1&content=hello+world%21%2b&x", "content");
        cr_assert_str_eq(c, "hello world!+");
        cr_assert_null(mds_form_value("contents=1", "content"));
        _cleanup_free_ char *pct = mds_form_value("content=%zz%4", "content");
        cr_assert_str_eq(pct, "%zz%4", "bad escapes stay as they are");
}

Test(mds, hmac_matches_openssl)
{
        unsigned char key[MDS_HMAC_KEY_BYTES], uuid[16];

        memset(key, 0x2a, sizeof(key));
        cr_assert(mds_uuid_parse(UUID, uuid));
        _cleanup_free_ char *sig = mds_hmac_sign(key, uuid, "hello", 5);
        /* printf '<uuid bytes>hello' | openssl dgst -sha512 -mac HMAC -macopt hexkey:2a2a... */
        cr_assert_str_eq(sig,
                         "C7ZDJAUOTm46tTCNQIA8BJjY9XKK2IjkbuTWy/c120QHxOcdUtdLGjz2ddRL7n3fL/fay4"
                         "wO0i3IlbT9232Jtg==");
        cr_assert_eq(mds_hmac_verify(key, uuid, "hello", 5, sig), 1);
        cr_assert_eq(mds_hmac_verify(key, uuid, "hellO", 5, sig), 0);
        uuid[0] ^= 1;
        cr_assert_eq(mds_hmac_verify(key, uuid, "hello", 5, sig), 0, "another pod's UUID");
        cr_assert_eq(mds_hmac_verify(key, uuid, "hello", 5, "AAAA"), -EINVAL);
        cr_assert_eq(mds_hmac_verify(key, uuid, "hello", 5, "!!!!"), -EINVAL);
}

static struct json_object *obj(const char *text)
{
        struct json_object *o = NULL;
        cr_assert_eq(json_parse_object(text, strlen(text), 64, &o, NULL), 0, "%s", text);
        return o;
}

static void call(struct mds_registry *r, const char *text, const char *want)
{
        _cleanup_json_ struct json_object *req = obj(text), *reply = NULL;

        mds_registry_handle(r, req, &reply);
        _cleanup_free_ char *got = json_to_text(reply, JSON_COMPACT);
        cr_assert(strstr(got, want), "%s -> %s", text, got);
}

#define REGISTER(uuid, token)                                                                      \
        "{\"op\": \"register\", \"uuid\": \"" uuid "\", \"token\": \"" token "\", "                \
        "\"manifest\": {\"acKind\": \"PodManifest\", \"annotations\": [{\"name\": \"pa\", "        \
        "\"value\": \"1\"}], \"apps\": [{\"name\": \"web\", \"image\": {\"id\": \"sha512-aa\"}, "  \
        "\"annotations\": [{\"name\": \"both\", \"value\": \"pod\"}]}]}, \"apps\": {\"web\": "     \
        "{\"name\": \"example.com/web\", \"annotations\": [{\"name\": \"both\", \"value\": "       \
        "\"image\"}, {\"name\": \"img\", \"value\": \"i\"}]}}}"

Test(mds, registry)
{
        struct mds_registry *r = mds_registry_new(18112);
        struct mds_pod *p = NULL;

        call(r, REGISTER(UUID, TOKEN), "\"ok\":true");
        call(r, REGISTER(UUID, TOKEN), "already registered");
        call(r, REGISTER("11111111-89ab-cdef-0123-456789abcdef", "abcd"), "bad or missing token");
        call(r, "{\"op\": \"register\", \"uuid\": \"x\"}", "bad or missing uuid");
        call(r, "{\"op\": \"frobnicate\"}", "unknown op");
        /* Until stage1 names the pod's addresses, the token opens nothing. */
        cr_assert_eq(mds_registry_lookup(r, TOKEN, "172.16.28.2", &p), MDS_AUTH_WRONG_PEER);
        call(r, "{\"op\": \"set-ips\", \"uuid\": \"" UUID "\", \"ips\": [\"172.16.28.2\"]}",
             "\"port\":18112");
        cr_assert_eq(mds_registry_lookup(r, TOKEN, "172.16.28.3", &p), MDS_AUTH_WRONG_PEER);
        cr_assert_eq(mds_registry_lookup(r, TOKEN "00", "172.16.28.2", &p), MDS_AUTH_UNKNOWN_TOKEN);
        cr_assert_eq(mds_registry_lookup(r, TOKEN, "172.16.28.2", &p), MDS_AUTH_OK);
        cr_assert_str_eq(p->uuid, UUID);
        const struct mds_app *a = mds_pod_app(p, "web");
        cr_assert(a);
        cr_assert_str_eq(a->annotations_json, "[{\"name\":\"both\",\"value\":\"pod\"},"
                                              "{\"name\":\"img\",\"value\":\"i\"}]");
        cr_assert_str_eq(p->annotations_json, "[{\"name\":\"pa\",\"value\":\"1\"}]");
        mds_pod_free(p);
        call(r, "{\"op\": \"unregister\", \"uuid\": \"" UUID "\"}", "\"ok\":true");
        cr_assert_eq(mds_registry_count(r), 0);
        cr_assert_eq(mds_registry_lookup(r, TOKEN, "172.16.28.2", &p), MDS_AUTH_UNKNOWN_TOKEN);
        mds_registry_free(r);
}

Test(mds, routes)
{
        struct mds_registry *r = mds_registry_new(1);
        unsigned char key[MDS_HMAC_KEY_BYTES];
        struct mds_pod *p = NULL;
        const struct {
                const char *method, *path, *form;
                unsigned status;
                const char *ctype, *body;
        } cases[] = {
            {"GET", "acMetadata/v1/pod/uuid", NULL, 200, "text/plain; charset=us-ascii", UUID},
            {"GET", "acMetadata/v1/pod/annotations", NULL, 200, "application/json",
             "[{\"name\":\"pa\",\"value\":\"1\"}]"},
            {"GET", "acMetadata/v1/pod/annotations/pa", NULL, 200, NULL, "1"},
            {"GET", "acMetadata/v1/pod/annotations/nope", NULL, 404, NULL, NULL},
            {"GET", "acMetadata/v1/pod/manifest", NULL, 200, "application/json",
             "\"acKind\":\"PodManifest\""},
            {"GET", "acMetadata/v1/apps/web/image/id", NULL, 200, NULL, "sha512-aa"},
            {"GET", "acMetadata/v1/apps/web/image/manifest", NULL, 200, "application/json",
             "example.com/web"},
            {"GET", "acMetadata/v1/apps/web/annotations/img", NULL, 200, NULL, "i"},
            {"GET", "acMetadata/v1/apps/db/image/id", NULL, 404, NULL, "app not found"},
            {"GET", "acMetadata/v2/pod/uuid", NULL, 404, NULL, NULL},
            {"POST", "acMetadata/v1/pod/uuid", NULL, 405, NULL, NULL},
            {"GET", "acMetadata/v1/pod/hmac/sign", NULL, 405, NULL, NULL},
            {"DELETE", "acMetadata/v1/pod/uuid", NULL, 405, NULL, NULL},
            {"POST", "acMetadata/v1/pod/hmac/sign", "content=", 400, NULL, "content"},
            {"POST", "acMetadata/v1/pod/hmac/verify", "content=x&uuid=bad&signature=x", 400, NULL,
             "uuid"},
        };

        memset(key, 7, sizeof(key));
        call(r, REGISTER(UUID, TOKEN), "\"ok\":true");
        call(r, "{\"op\": \"set-ips\", \"uuid\": \"" UUID "\", \"any\": true}", "\"ok\":true");
        cr_assert_eq(mds_registry_lookup(r, TOKEN, "10.0.0.9", &p), MDS_AUTH_OK, "any address");
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct mds_response resp;
                mds_route(p, key, cases[i].method, cases[i].path, cases[i].form, &resp);
                cr_expect_eq(resp.status, cases[i].status, "%s %s: %u", cases[i].method,
                             cases[i].path, resp.status);
                if (cases[i].ctype)
                        cr_expect_str_eq(resp.content_type, cases[i].ctype, "%s", cases[i].path);
                if (cases[i].body)
                        cr_expect(strstr(resp.body, cases[i].body), "%s: %s", cases[i].path,
                                  resp.body);
                mds_response_done(&resp);
        }
        /* sign, then verify under this pod's UUID and another's. */
        struct mds_response s, v;
        mds_route(p, key, "POST", "acMetadata/v1/pod/hmac/sign", "content=abc", &s);
        cr_assert_eq(s.status, 200);
        _cleanup_free_ char *form = xasprintf("content=abc&uuid=" UUID "&signature=%s", s.body);
        for (char *c = form; (c = strchr(c, '+'));)
                *c = ' '; /* '+' would decode to a space: test the decoder the other way */
        mds_route(p, key, "POST", "acMetadata/v1/pod/hmac/verify", form, &v);
        cr_assert_eq(v.status, strchr(s.body, '+') ? 400 : 200, "%s", v.body);
        mds_response_done(&v);
        _cleanup_free_ char *form2 =
            xasprintf("content=abc&uid=11111111-89ab-cdef-0123-456789abcdef"
                      "&signature=%s",
                      s.body);
        if (!strchr(s.body, '+')) {
                mds_route(p, key, "POST", "acMetadata/v1/pod/hmac/verify", form2, &v);
                cr_assert_eq(v.status, 403, "%s", v.body);
                mds_response_done(&v);
        }
        mds_response_done(&s);
        mds_pod_free(p);
        mds_registry_free(r);
}
