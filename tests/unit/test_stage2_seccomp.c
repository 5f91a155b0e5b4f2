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
        char *set[] = { (char *)"uname", (char *)"@ace/default-blacklist", (char *)"mount", NULL };
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
        char *set[] = { (char *)"@docker/default", NULL };
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        bool rules;

        cr_assert_lt(seccomp_expand(LAUNCH_SECCOMP_REMOVE, set, &names, &rules, &err), 0);
        cr_assert(strstr(err->msg, "unknown seccomp group \"@docker/default\""), "%s", err->msg);
}

Test(seccomp_build, none_remove_retain_and_unknown_names)
{
        char *set[] = { (char *)"@ace/default-blacklist", (char *)"frobnicate", NULL };
        struct launch_spec spec = { .seccomp_mode = LAUNCH_SECCOMP_NONE };
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
