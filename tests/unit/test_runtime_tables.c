/* test_runtime_tables.c - every name table of stage1/stage2 is complete and sorted. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "stage1/mount_plan.h"
#include "stage1/namespaces.h"
#include "stage2/caps.h"

Test(runtime_tables, capability_names_sorted_unique_and_complete)
{
        bool seen[64] = { false };

        for (unsigned i = 1; i < n_cap_names; i++)
                cr_assert_lt(strcmp(cap_names[i - 1].name, cap_names[i].name), 0, "%s before %s",
                             cap_names[i - 1].name, cap_names[i].name);
        for (unsigned i = 0; i < n_cap_names; i++) {
                cr_assert(cap_names[i].value >= 0 && cap_names[i].value < 64);
                cr_assert_not(seen[cap_names[i].value], "value %d twice", cap_names[i].value);
                seen[cap_names[i].value] = true;
                cr_assert_eq(cap_from_name(cap_names[i].name), cap_names[i].value);
        }
        /* 0..CAP_LAST_CAP (40 on 5.9+) without holes. */
        for (int v = 0; v <= 40; v++)
                cr_assert(seen[v], "capability %d has no name", v);
        cr_assert_eq(cap_from_name("CAP_NOPE"), -EINVAL);
        cr_assert_eq(cap_from_name("cap_chown"), -EINVAL, "names are case-sensitive");
}

Test(runtime_tables, appc_default_capability_set)
{
        /* appc ace.md lists exactly 14. */
        cr_assert_eq(n_cap_default_set, 14);
        for (unsigned i = 0; i < n_cap_default_set; i++) {
                cr_assert_geq(cap_from_name(cap_default_set[i]), 0, "%s", cap_default_set[i]);
                if (i)
                        cr_assert_lt(strcmp(cap_default_set[i - 1], cap_default_set[i]), 0);
        }
}

Test(runtime_tables, namespaces_sorted_with_flags)
{
        for (size_t i = 1; i < n_ns_table; i++)
                cr_assert_lt(strcmp(ns_table[i - 1].name, ns_table[i].name), 0);
        cr_assert_eq(ns_flag("pid"), CLONE_NEWPID);
        cr_assert_eq(ns_flag("mnt"), CLONE_NEWNS);
        cr_assert_eq(ns_flag("net"), CLONE_NEWNET);
        cr_assert_eq(ns_flag("ipc"), CLONE_NEWIPC);
        cr_assert_eq(ns_flag("uts"), CLONE_NEWUTS);
        cr_assert_eq(ns_flag("nope"), -EINVAL);
}

Test(runtime_tables, device_nodes_sorted_and_per_os_spec)
{
        static const char *const required[] = { "full", "null", "random", "tty", "urandom", "zero" };

        cr_assert_eq(n_mount_devnodes, sizeof(required) / sizeof(required[0]));
        for (size_t i = 0; i < n_mount_devnodes; i++) {
                cr_assert_str_eq(mount_devnodes[i].name, required[i]);
                if (i)
                        cr_assert_lt(strcmp(mount_devnodes[i - 1].name, mount_devnodes[i].name), 0);
        }
}

Test(runtime_tables, mount_op_names_complete)
{
        for (int k = 0; k < _MOP_MAX; k++)
                cr_assert_str_neq(mount_op_kind_name((enum mount_op_kind)k), "?", "op %d", k);
}
