/* test_json.c - strict JSON parsing, Go-compatible serialization and table binding (common/json).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "common/json.h"
#include "common/kv.h"
#include "common/strv.h"
#include "common/xalloc.h"

static int parse(const char *s, struct json_object **ret, struct ace_error **err)
{
        return json_parse_text(s, strlen(s), ACE_JSON_MAX_DEPTH, ret, err);
}

static void expect_reject(const char *s, const char *msg_part)
{
        struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_expect_eq(parse(s, &o, &err), -EINVAL, "accepted %s", s);
        cr_expect_null(o);
        if (err && msg_part)
                cr_expect(strstr(err->msg, msg_part), "%s: message '%s' lacks '%s'", s, err->msg,
                          msg_part);
}

static void expect_accept(const char *s)
{
        struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_expect_eq(parse(s, &o, &err), 0, "rejected %s: %s", s, ace_error_msg(err));
        json_object_put(o);
}

Test(json, accepts_rfc8259_values)
{
        expect_accept("{}");
        expect_accept("  {\"a\": [1, -2, 3.5, 1e3, -0, 0.5E-2, true, false, null, \"x\"]}\n\t ");
        expect_accept("\"top-level string\"");
        expect_accept("42");
        expect_accept("-9223372036854775808");
        expect_accept("18446744073709551615");
        expect_accept("\"\\u00e9\\n\\t\\\\\\/\\\"\"");
        expect_accept("\"h\xc3\xa9llo\"");
}

Test(json, rejects_what_json_c_alone_would_take)
{
        expect_reject("NaN", "invalid literal");
        expect_reject("[Infinity]", "invalid literal");
        expect_reject("[-Infinity]", "invalid number");
        expect_reject("[1.]", "no digit after");
        expect_reject("[.5]", "unexpected character");
        expect_reject("[01]", "leading zero");
        expect_reject("[-01]", "leading zero");
        expect_reject("[+1]", "unexpected character");
        expect_reject("[1e]", "exponent");
        expect_reject("[TRUE]", "invalid literal");
        expect_reject("[nul]", "invalid literal");
        expect_reject("\"a\tb\"", "control character");
        expect_reject("\"a\\u0000b\"", "NUL");
        expect_reject("\"\\x41\"", "invalid escape");
        expect_reject("\"\\u12\"", "\\u escape");
        expect_reject("'single'", "unexpected character");
        expect_reject("18446744073709551616", "64-bit range");
        expect_reject("-9223372036854775809", "64-bit range");
        expect_reject("[99999999999999999999999]", "64-bit range");
}

Test(json, rejects_structure_errors_and_garbage)
{
        expect_reject("", "empty document");
        expect_reject("   ", NULL);
        expect_reject("{\"a\":1} x", NULL);
        expect_reject("{\"a\":1}{}", NULL);
        expect_reject("{\"a\":1,}", NULL);
        expect_reject("[1,]", NULL);
        expect_reject("[1 2]", NULL);
        expect_reject("{\"a\" 1}", NULL);
        expect_reject("{\"a\":1", NULL);
        expect_reject("\"unterminated", "unterminated string");
        expect_reject("\"\xff\"", NULL);
        expect_reject("\"\xc3\"", NULL);
}

Test(json, rejects_nul_bytes)
{
        struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        const char doc[] = "{\"a\":\"b\"}\0";

        cr_assert_eq(json_parse_text(doc, sizeof(doc) - 1, 8, &o, &err), -EINVAL);
        cr_assert(strstr(err->msg, "NUL byte"), "%s", err->msg);
        cr_assert(strstr(err->msg, "column 10"), "%s", err->msg);
}

Test(json, error_names_line_and_column)
{
        struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_lt(parse("{\n  \"a\": [1,\n    01]\n}", &o, &err), 0);
        cr_assert(strstr(err->msg, "line 3 column 5"), "%s", err->msg);
}

Test(json, depth_limit)
{
        struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        const char *deep = "[[[[[[[[[[1]]]]]]]]]]"; /* 10 levels */

        cr_assert_eq(json_parse_text(deep, strlen(deep), 10, &o, &err), 0);
        json_object_put(o);
        o = NULL;
        cr_assert_eq(json_parse_text(deep, strlen(deep), 9, &o, &err), -EINVAL);
        cr_assert(strstr(err->msg, "nesting too deep"), "%s", err->msg);
}

Test(json, parse_object_requires_object)
{
        struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(json_parse_object("[1]", 3, 8, &o, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "expected a JSON object at the top level, got array");
        cr_assert_eq(json_parse_object("{}", 2, 8, &o, &err), 0);
        json_object_put(o);
}

static char *roundtrip(const char *s, enum json_style style)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(parse(s, &o, &err), 0, "%s", ace_error_msg(err));
        return json_to_text(o, style);
}

Test(json, compact_output_like_go)
{
        _cleanup_free_ char *a =
            roundtrip(" { \"b\" : [ 1 , 2.50 , 1e3 ] , \"a\" : { } , \"c\":[] } ", JSON_COMPACT);
        cr_assert_str_eq(a, "{\"b\":[1,2.50,1e3],\"a\":{},\"c\":[]}");
        _cleanup_free_ char *b = roundtrip("\"<a & b> \\u2028 \\u001f \\/ \\n\"", JSON_COMPACT);
        cr_assert_str_eq(b, "\"\\u003ca \\u0026 b\\u003e \\u2028 \\u001f / \\n\"");
        _cleanup_free_ char *c = roundtrip("18446744073709551615", JSON_COMPACT);
        cr_assert_str_eq(c, "18446744073709551615");
        _cleanup_free_ char *d = roundtrip("-9223372036854775808", JSON_COMPACT);
        cr_assert_str_eq(d, "-9223372036854775808");
        _cleanup_free_ char *e = json_to_text(NULL, JSON_COMPACT);
        cr_assert_str_eq(e, "null");
}

Test(json, pretty_output_like_actool)
{
        _cleanup_free_ char *a =
            roundtrip("{\"a\":1,\"b\":[true,{\"c\":null}],\"d\":{},\"e\":[]}", JSON_PRETTY);
        cr_assert_str_eq(a, "{\n"
                            "    \"a\": 1,\n"
                            "    \"b\": [\n"
                            "        true,\n"
                            "        {\n"
                            "            \"c\": null\n"
                            "        }\n"
                            "    ],\n"
                            "    \"d\": {},\n"
                            "    \"e\": []\n"
                            "}");
        _cleanup_free_ char *b = roundtrip("{\"a\":[1]}", JSON_PRETTY_TAB);
        cr_assert_str_eq(b, "{\n\t\"a\": [\n\t\t1\n\t]\n}");
}

Test(json, invalid_utf8_from_programs_is_replaced)
{
        _cleanup_json_ struct json_object *s = json_object_new_string("a\xff"
                                                                      "b");
        _cleanup_free_ char *t = json_to_text(s, JSON_COMPACT);
        cr_assert_str_eq(t, "\"a\\ufffdb\"");
}

Test(json, paths)
{
        _cleanup_free_ char *a = json_path_key("", "name");
        _cleanup_free_ char *b = json_path_key("app", "exec");
        _cleanup_free_ char *c = json_path_index("app.exec", 2);
        cr_assert_str_eq(a, "name");
        cr_assert_str_eq(b, "app.exec");
        cr_assert_str_eq(c, "app.exec[2]");
}

/* ---- binding ------------------------------------------------------------------------------- */

struct sample {
        char *name;
        bool flag;
        int count;
        uint64_t big;
        char **list;
        struct ace_kv_list map;
        struct json_meta meta;
};

static const struct json_field sample_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string, offsetof(struct sample, name),
     JSON_MANDATORY},
    {"flag", json_field_parse_bool, json_field_emit_bool, offsetof(struct sample, flag), 0},
    {"count", json_field_parse_int, json_field_emit_int, offsetof(struct sample, count), 0},
    {"bigValue", json_field_parse_uint64, json_field_emit_uint64, offsetof(struct sample, big), 0},
    {"list", json_field_parse_strv, json_field_emit_strv, offsetof(struct sample, list), 0},
    {"map", ace_kv_parse_object, ace_kv_emit_object, offsetof(struct sample, map), 0},
};
static const struct json_table sample_table = JSON_TABLE("sample", struct sample, sample_fields);

static void sample_done(struct sample *s)
{
        free(s->name);
        strv_free(s->list);
        ace_kv_list_clear(&s->map);
        json_meta_clear(&s->meta);
        memset(s, 0, sizeof(*s));
}

static int bind_text(const char *text, struct sample *s, struct ace_error **err)
{
        _cleanup_json_ struct json_object *o = NULL;
        int r = parse(text, &o, err);
        if (r < 0)
                return r;
        return json_bind(o, &sample_table, s, "top", err);
}

static char *unbind_text(const struct sample *s)
{
        _cleanup_json_ struct json_object *o = json_unbind(&sample_table, s);
        return json_to_text(o, JSON_COMPACT);
}

Test(json_bind, exact_then_case_insensitive_last_wins)
{
        struct sample s = {0};
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(bind_text("{\"NAME\":\"x\",\"Count\":3,\"count\":4,\"name\":\"y\"}", &s, &err),
                     0, "%s", ace_error_msg(err));
        cr_assert_str_eq(s.name, "y");
        cr_assert_eq(s.count, 4);
        sample_done(&s);

        cr_assert_eq(bind_text("{\"name\":\"y\",\"NAME\":\"x\"}", &s, &err), 0);
        cr_assert_str_eq(s.name, "x", "the last matching key wins, as in Go");
        sample_done(&s);
}

Test(json_bind, unknown_keys_and_presence_round_trip)
{
        struct sample s = {0};
        _cleanup_error_ struct ace_error *err = NULL;
        const char *in = "{\"name\":\"\",\"flag\":false,\"count\":0,\"list\":[],\"map\":{},"
                         "\"extra\":{\"deep\":[1,2]},\"zzz\":null}";

        cr_assert_eq(bind_text(in, &s, &err), 0, "%s", ace_error_msg(err));
        _cleanup_free_ char *out = unbind_text(&s);
        cr_assert_str_eq(out, in);
        cr_assert(json_meta_is_present(&s.meta, &sample_table, "flag"));
        cr_assert(!json_meta_is_present(&s.meta, &sample_table, "bigValue"));
        sample_done(&s);
}

Test(json_bind, null_is_absent_and_set_values_are_emitted)
{
        struct sample s = {0};
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(bind_text("{\"name\":\"n\",\"flag\":null,\"list\":null}", &s, &err), 0);
        cr_assert(!json_meta_is_present(&s.meta, &sample_table, "flag"));
        cr_assert_null(s.list);
        _cleanup_free_ char *a = unbind_text(&s);
        cr_assert_str_eq(a, "{\"name\":\"n\"}");
        s.flag = true;
        s.count = -7;
        ace_kv_set(&s.map, "b", "2");
        ace_kv_set(&s.map, "a", "1");
        _cleanup_free_ char *b = unbind_text(&s);
        cr_assert_str_eq(
            b, "{\"name\":\"n\",\"flag\":true,\"count\":-7,\"map\":{\"a\":\"1\",\"b\":\"2\"}}");
        sample_done(&s);
}

Test(json_bind, mandatory_and_type_errors_name_the_path)
{
        struct sample s = {0};
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(bind_text("{\"flag\":true}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.name: required field is missing");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":1}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.name: expected a string, got number");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"flag\":\"true\"}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.flag: expected true or false, got string");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"list\":[\"a\",2]}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.list[1]: expected a string, got number");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"map\":{\"k\":true}}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.map.k: expected a string, got boolean");
        sample_done(&s);
        cr_assert_eq(bind_text("[]", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top: expected a JSON object for sample, got array");
        sample_done(&s);
}

Test(json_bind, integers_are_exact_and_range_checked)
{
        struct sample s = {0};
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(bind_text("{\"name\":\"a\",\"count\":1.5}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.count: expected an integer, got 1.5");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"count\":1e3}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.count: expected an integer, got 1e3");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"count\":2147483648}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.count: 2147483648 out of range [-2147483648, 2147483647]");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"count\":-2147483648}", &s, &err), 0);
        cr_assert_eq(s.count, INT_MIN);
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"bigValue\":-1}", &s, &err), -EINVAL);
        cr_assert_str_eq(err->msg, "top.bigValue: -1 out of range [0, 18446744073709551615]");
        sample_done(&s);
        cr_assert_eq(bind_text("{\"name\":\"a\",\"bigValue\":18446744073709551615}", &s, &err), 0);
        cr_assert_eq(s.big, UINT64_MAX);
        _cleanup_free_ char *t = unbind_text(&s);
        cr_assert_str_eq(t, "{\"name\":\"a\",\"bigValue\":18446744073709551615}");
        sample_done(&s);
}

Test(json_bind, strings_with_nul_from_json_c_objects_are_refused)
{
        struct sample s = {0};
        _cleanup_error_ struct ace_error *err = NULL;
        _cleanup_json_ struct json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string_len("a\0b", 3));
        cr_assert_eq(json_bind(o, &sample_table, &s, "", &err), -EINVAL);
        cr_assert_str_eq(err->msg, "name: string contains a NUL character");
        sample_done(&s);
}

Test(json_bind, meta_copy_is_deep)
{
        struct sample s = {0};
        struct json_meta copy;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(bind_text("{\"name\":\"a\",\"x\":[1]}", &s, &err), 0);
        json_meta_copy(&copy, &s.meta);
        sample_done(&s);
        cr_assert_not_null(copy.unknown);
        _cleanup_free_ char *t = json_to_text(copy.unknown, JSON_COMPACT);
        cr_assert_str_eq(t, "{\"x\":[1]}");
        json_meta_clear(&copy);
}

Test(kv, list_operations)
{
        struct ace_kv_list l = {0};

        ace_kv_set(&l, "a", "1");
        ace_kv_set(&l, "b", "2");
        ace_kv_set(&l, "a", "3");
        cr_assert_eq(l.n, 2);
        cr_assert_str_eq(ace_kv_get(&l, "a"), "3");
        cr_assert_null(ace_kv_get(&l, "c"));
        cr_assert_eq(ace_kv_find_duplicate(&l), -1);
        ace_kv_append(&l, "b", "4");
        cr_assert_eq(ace_kv_find_duplicate(&l), 2);
        cr_assert_eq(ace_kv_remove(&l, "b"), 2);
        cr_assert_eq(l.n, 1);
        struct ace_kv_list c;
        ace_kv_list_copy(&c, &l);
        ace_kv_list_clear(&l);
        cr_assert_str_eq(ace_kv_get(&c, "a"), "3");
        ace_kv_list_clear(&c);
        cr_assert_eq(c.n, 0);
}

Test(kv, array_shape_round_trip)
{
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        struct ace_kv_list l = {0};
        const char *in = "[{\"name\":\"a\",\"value\":\"1\"},{\"name\":\"b\"},{\"name\":\"c\","
                         "\"value\":\"\",\"x\":true}]";

        cr_assert_eq(parse(in, &o, &err), 0);
        cr_assert_eq(ace_kv_parse_array(o, &l, "labels", &err), 0, "%s", ace_error_msg(err));
        cr_assert_str_eq(ace_kv_get(&l, "b"), "", "a missing value reads as empty");
        _cleanup_json_ struct json_object *e = ace_kv_emit_array(&l, true);
        _cleanup_free_ char *t = json_to_text(e, JSON_COMPACT);
        cr_assert_str_eq(t, in);
        ace_kv_list_clear(&l);

        _cleanup_json_ struct json_object *bad = NULL;
        cr_assert_eq(parse("[{\"value\":\"1\"}]", &bad, &err), 0);
        cr_assert_eq(ace_kv_parse_array(bad, &l, "labels", &err), -EINVAL);
        cr_assert_str_eq(err->msg, "labels[0].name: required field is missing");
        ace_kv_list_clear(&l);
}
