/* test_image_string.c - image string classification (rkt.md §5.4) and pull policies. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stage0/fetch.h"

Test(image_string, classification)
{
        static const struct {
                const char *s;
                enum image_kind kind;
        } cases[] = {
            {"sha512-0123456789abcdef", IMAGE_KIND_ID},
            {"sha512-ab", IMAGE_KIND_ID},
            {"/abs/path/image.aci", IMAGE_KIND_PATH},
            {"/abs/path/without-extension", IMAGE_KIND_PATH},
            {"./relative", IMAGE_KIND_PATH},
            {"../up/image", IMAGE_KIND_PATH},
            {"image.aci", IMAGE_KIND_PATH},
            {"file:///srv/image.aci", IMAGE_KIND_PATH},
            {"file:///srv/image.tar", IMAGE_KIND_INVALID},
            {"https://example.test/image.aci", IMAGE_KIND_URL},
            {"https://example.test/image.aci?token=1", IMAGE_KIND_URL},
            {"HTTPS://example.test/image.aci", IMAGE_KIND_URL},
            {"http://example.test/image.aci", IMAGE_KIND_URL},
            {"https://example.test/image", IMAGE_KIND_INVALID},
            {"docker://busybox", IMAGE_KIND_DOCKER},
            {"docker:busybox", IMAGE_KIND_DOCKER},
            {"example.test/app", IMAGE_KIND_NAME},
            {"example.test/app:1.0", IMAGE_KIND_NAME},
            {"example.test/app,version=1.0,arch=amd64", IMAGE_KIND_NAME},
            {"app:1.0", IMAGE_KIND_NAME},
            {"example.test:1.0", IMAGE_KIND_NAME},
            /* A ':' wins over the .aci suffix (rkt checks the colon first). */
            {"example.test/app:1.aci", IMAGE_KIND_NAME},
            {"", IMAGE_KIND_INVALID},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                cr_expect_eq(image_string_classify(cases[i].s), cases[i].kind, "\"%s\": %d",
                             cases[i].s, image_string_classify(cases[i].s));
}

Test(image_string, existing_relative_file_is_a_path)
{
        char dir[] = "/tmp/ace-test-imgstr-XXXXXX";
        char cwd[4096];
        FILE *f;

        cr_assert_not_null(mkdtemp(dir));
        cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
        cr_assert_eq(chdir(dir), 0);
        cr_expect_eq(image_string_classify("example.test/app"), IMAGE_KIND_NAME);
        cr_assert_eq(system("mkdir -p example.test"), 0);
        f = fopen("example.test/app", "w");
        fputs("x", f);
        fclose(f);
        cr_expect_eq(image_string_classify("example.test/app"), IMAGE_KIND_PATH);
        cr_assert_eq(chdir(cwd), 0);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        cr_expect_eq(system(cmd), 0);
}

Test(image_string, pull_policies)
{
        enum pull_policy p;
        struct ace_error *err = NULL;

        cr_expect_eq(pull_policy_parse("new", &p, NULL), 0);
        cr_expect_eq(p, PULL_POLICY_NEW);
        cr_expect_eq(pull_policy_parse("update", &p, NULL), 0);
        cr_expect_eq(p, PULL_POLICY_UPDATE);
        cr_expect_eq(pull_policy_parse("never", &p, NULL), 0);
        cr_expect_eq(p, PULL_POLICY_NEVER);
        cr_expect_lt(pull_policy_parse("always", &p, &err), 0);
        cr_expect(strstr(ace_error_msg(err), "invalid pull policy \"always\""));
        cr_expect_str_eq(pull_policy_to_string(PULL_POLICY_UPDATE), "update");
        ace_error_free(err);
}
