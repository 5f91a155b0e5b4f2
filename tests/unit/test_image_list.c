/*
 * test_image_list.c - `ace image list` formatting without a store: columns, --fields,
 * --sort/--order, --no-legend, --full (absolute times, raw sizes, full IDs) and the JSON
 * forms (rkt.md §1.5).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/kv.h"
#include "stage0/cmd_image.h"
#include "stage0/store/store.h"

#define S 1000000000LL
#define NOW (1700000000LL * S)

static const char ID_A[] =
    "sha512-aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111111111"
    "111111111111111111111111111111111111111111111111111111";
static const char ID_B[] =
    "sha512-bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222222222"
    "222222222222222222222222222222222222222222222222222222";

static struct store_image imgs[2];
static struct ace_kv_list la, lb;

static void setup(void)
{
        setenv("TZ", "UTC", 1);
        tzset();
        la = (struct ace_kv_list){0};
        lb = (struct ace_kv_list){0};
        ace_kv_append(&la, "version", "1.0");
        ace_kv_append(&la, "os", "linux");
        imgs[0] = (struct store_image){(char *)ID_A, "example.com/zeta", &la, NOW - 120 * S,
                                       NOW - 5 * S,  12 * 1024 * 1024,   0,   false};
        imgs[1] = (struct store_image){
            (char *)ID_B, "example.com/alpha", &lb, NOW - 3 * 86400 * S, NOW - 3600 * S, 9, 1024,
            true};
}

static void teardown(void)
{
        ace_kv_list_clear(&la);
        ace_kv_list_clear(&lb);
}

TestSuite(image_list, .init = setup, .fini = teardown);

static struct image_list_opts opts(void)
{
        struct image_list_opts o;
        memset(&o, 0, sizeof(o));
        image_list_opts_init(&o);
        return o;
}

Test(image_list, default_table)
{
        struct image_list_opts o = opts();
        char *t = image_list_render_text(imgs, 2, &o, NOW);
        /* default sort: import time ascending (B was imported first) */
        cr_expect_str_eq(
            t, "ID\t\t\tNAME\t\t\tSIZE\tIMPORT TIME\tLAST USED\n"
               "sha512-bbbbbbbbbbbb\texample.com/alpha\t1.0KiB\t3 days ago\t1 hour ago\n"
               "sha512-aaaaaaaaaaaa\texample.com/zeta:1.0\t12MiB\t2 minutes ago\t5 seconds ago\n");
        free(t);
}

Test(image_list, fields_sort_order_no_legend)
{
        struct image_list_opts o = opts();
        cr_assert_eq(image_list_parse_fields("name,id", false, &o, NULL), 0);
        cr_assert_eq(image_list_parse_fields("name", true, &o, NULL), 0);
        o.no_legend = true;
        char *t = image_list_render_text(imgs, 2, &o, NOW);
        cr_expect_str_eq(t, "example.com/alpha\tsha512-bbbbbbbbbbbb\n"
                            "example.com/zeta:1.0\tsha512-aaaaaaaaaaaa\n");
        free(t);
        o.desc = true;
        t = image_list_render_text(imgs, 2, &o, NOW);
        cr_expect_str_eq(t, "example.com/zeta:1.0\tsha512-aaaaaaaaaaaa\n"
                            "example.com/alpha\tsha512-bbbbbbbbbbbb\n");
        free(t);
        /* size sorts by blob + tree */
        cr_assert_eq(image_list_parse_fields("SIZE", true, &o, NULL), 0);
        cr_assert_eq(image_list_parse_fields("size", false, &o, NULL), 0);
        o.desc = false;
        t = image_list_render_text(imgs, 2, &o, NOW);
        cr_expect_str_eq(t, "1.0KiB\n12MiB\n");
        free(t);
}

Test(image_list, bad_fields)
{
        struct image_list_opts o = opts();
        struct ace_error *e = NULL;
        cr_expect_eq(image_list_parse_fields("id,bogus", false, &o, &e), -EINVAL);
        cr_expect(strstr(ace_error_msg(e), "bogus"));
        ace_error_freep(&e);
        cr_expect_eq(image_list_parse_fields("name,name", false, &o, &e), -EINVAL);
        cr_expect(strstr(ace_error_msg(e), "duplicated"));
        ace_error_freep(&e);
        cr_expect_eq(image_list_parse_fields("id", true, &o, &e), -EINVAL, "id is not sortable");
        ace_error_freep(&e);
        cr_expect_eq(image_list_parse_fields("", false, &o, &e), -EINVAL);
        ace_error_freep(&e);
}

Test(image_list, full)
{
        struct image_list_opts o = opts();
        o.full = true;
        cr_assert_eq(image_list_parse_fields("id,size,importtime", false, &o, NULL), 0);
        char *t = image_list_render_text(&imgs[0], 1, &o, NOW);
        char *want = NULL;
        cr_assert(asprintf(&want,
                           "ID\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\tSIZE\t\tIMPORT TIME\n"
                           "%s\t12582912\t2023-11-14 22:11:20 +0000 UTC\n",
                           ID_A) > 0);
        cr_expect_str_eq(t, want);
        free(t);
        free(want);
}

Test(image_list, json)
{
        struct image_list_opts o = opts();
        o.format = IMAGE_LIST_JSON;
        char *t = image_list_render_json(imgs, 2, &o);
        char *want = NULL;
        cr_assert(asprintf(&want,
                           "[{\"id\":\"%s\",\"name\":\"example.com/alpha\",\"import_time\":%lld,"
                           "\"last_used_time\":%lld,\"size\":1033},"
                           "{\"id\":\"%s\",\"name\":\"example.com/zeta:1.0\",\"import_time\":%lld,"
                           "\"last_used_time\":%lld,\"size\":12582912}]",
                           ID_B, NOW - 3 * 86400 * S, NOW - 3600 * S, ID_A, NOW - 120 * S,
                           NOW - 5 * S) > 0);
        cr_expect_str_eq(t, want);
        free(t);
        free(want);
        o.format = IMAGE_LIST_JSON_PRETTY;
        t = image_list_render_json(&imgs[1], 1, &o);
        cr_expect(strncmp(t, "[\n\t{\n\t\t\"id\": ", 13) == 0, "%s", t);
        free(t);
        t = image_list_render_json(imgs, 0, &o);
        cr_expect_str_eq(t, "[]");
        free(t);
}
