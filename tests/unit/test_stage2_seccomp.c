/* test_stage2_seccomp.c - group expansion and filter construction (stage2/seccomp.h). The
 * filter's effect on a real process is tested by tests/functional/test_isolation_seccomp.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "stage2/seccomp.h"
#include "stage2/seccomp_groups.h"

Test(seccomp_expand, groups_are_expanded_sorted_and_unique)
{
        char *set[] = {(char *)"uname", (char *)"@ace/default-blacklist", (char *)"mount", NULL};
        _cleanup_strv_free_ char **names = NULL;
        bool rules = false;
        const struct seccomp_group *black = seccomp_group_find("@ace/default-blacklist");

        cr_assert_eq(seccomp_expand(LAUNCH_SECCOMP_REMOVE, set, &names, &rules, NULL), 0);
        cr_assert(rules, "the deny-list's argument rules apply");
        cr_assert_eq(strv_length(names), black->n + 1, "mount is in the group once, uname added");
        for (size_t i = 1; names[i]; i++)
                cr_assert_lt(strcmp(names[i - 1], names[i]), 0);
        cr_assert(strv_contains(names, "uname"));

        strv_freep(&names);
        cr_assert_eq(seccomp_expand(LAUNCH_SECCOMP_RETAIN, set, &names, &rules, NULL), 0);
        cr_assert_not(rules, "argument rules only make sense in a deny-list");
}

Test(seccomp_expand, unknown_group_is_an_error)
{
        char *set[] = {(char *)"@docker/default", NULL};
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        bool rules;

        cr_assert_lt(seccomp_expand(LAUNCH_SECCOMP_REMOVE, set, &names, &rules, &err), 0);
        cr_assert(strstr(err->msg, "unknown seccomp group \"@docker/default\""), "%s", err->msg);
}

Test(seccomp_build, none_remove_retain_and_unknown_names)
{
        char *set[] = {(char *)"@ace/default-blacklist", (char *)"frobnicate", NULL};
        struct launch_spec spec = {.seccomp_mode = LAUNCH_SECCOMP_NONE};
        _cleanup_strv_free_ char **unknown = NULL;
        scmp_filter_ctx ctx = NULL;

        cr_assert_eq(seccomp_build(&spec, &ctx, &unknown, NULL), 0);
        cr_assert_null(ctx, "no filter for mode none");

        spec.seccomp_mode = LAUNCH_SECCOMP_REMOVE;
        spec.seccomp_set = set;
        spec.seccomp_errno = (char *)"EXFULL";
        cr_assert_eq(seccomp_build(&spec, &ctx, &unknown, NULL), 0);
        cr_assert_not_null(ctx);
        cr_assert_eq(strv_length(unknown), 1);
        cr_assert_str_eq(unknown[0], "frobnicate");
        /* x86-64 hosts: the i386 and x32 tables are part of the filter. */
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                cr_assert_eq(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
                cr_assert_eq(seccomp_arch_exist(ctx, SCMP_ARCH_X32), 0);
        }
        seccomp_release(ctx);

        spec.seccomp_mode = LAUNCH_SECCOMP_RETAIN;
        spec.seccomp_errno = (char *)"ENOPE";
        _cleanup_error_ struct ace_error *err = NULL;
        cr_assert_lt(seccomp_build(&spec, &ctx, NULL, &err), 0);
        cr_assert(strstr(err->msg, "unknown errno name \"ENOPE\""), "%s", err->msg);
}

/* The default filter stage2 carries (compiled at build time) is the program a fresh build of the
 * default spec gives, byte for byte, and the spec stage1 writes for an app without a seccomp
 * isolator is recognised as that default -- and nothing else is. */
Test(seccomp_default, carried_program_equals_a_fresh_build)
{
        struct launch_spec spec __attribute__((cleanup(launch_spec_done))) = {0};
        _cleanup_free_ unsigned char *fresh = NULL;
        scmp_filter_ctx ctx = NULL;
        size_t n_fresh = 0, n_carried = 0;
        const unsigned char *carried = seccomp_default_program(&n_carried);

        launch_spec_seccomp_default(&spec); /* what stage1 writes for such an app */
        cr_assert(seccomp_spec_is_default(&spec));
        cr_assert_eq(seccomp_build(&spec, &ctx, NULL, NULL), 0);
        cr_assert_eq(seccomp_export(ctx, &fresh, &n_fresh, NULL), 0);
        seccomp_release(ctx);
        cr_assert_gt(n_fresh, 8 * 50, "a real filter: %zu bytes", n_fresh);
        cr_assert_eq(n_carried, n_fresh, "carried %zu bytes, a fresh build %zu", n_carried,
                     n_fresh);
        cr_assert(memcmp(carried, fresh, n_fresh) == 0, "the carried program differs");
}

Test(seccomp_default, only_the_exact_default_spec_uses_it)
{
        char *dflt[] = {(char *)LAUNCH_SECCOMP_DEFAULT_SET, NULL};
        char *more[] = {(char *)LAUNCH_SECCOMP_DEFAULT_SET, (char *)"uname", NULL};
        struct launch_spec s = {.seccomp_mode = LAUNCH_SECCOMP_REMOVE,
                                .seccomp_errno = (char *)"EPERM",
                                .seccomp_set = dflt};

        cr_assert(seccomp_spec_is_default(&s));
        s.seccomp_errno = (char *)"EACCES";
        cr_assert_not(seccomp_spec_is_default(&s), "another errno");
        s.seccomp_errno = NULL;
        cr_assert_not(seccomp_spec_is_default(&s), "SIGSYS");
        s.seccomp_errno = (char *)"EPERM";
        s.seccomp_set = more;
        cr_assert_not(seccomp_spec_is_default(&s), "a remove set beyond the default");
        s.seccomp_set = dflt;
        s.seccomp_mode = LAUNCH_SECCOMP_RETAIN;
        cr_assert_not(seccomp_spec_is_default(&s), "an allow-list");
        s.seccomp_mode = LAUNCH_SECCOMP_NONE;
        cr_assert_not(seccomp_spec_is_default(&s), "no filter");
}
