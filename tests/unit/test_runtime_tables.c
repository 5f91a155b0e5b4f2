/* test_runtime_tables.c - every name table of stage1/stage2 is complete and sorted. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>

#include "common/cleanup.h"
#include "schema/isolator.h"

#include "stage1/mount_plan.h"
#include "stage1/namespaces.h"
#include "stage2/seccomp_groups.h"

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
        static const char *const required[] = {"full", "null", "random", "tty", "urandom", "zero"};

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

static void assert_sorted_unique(const char *what, const char *const *t, size_t n)
{
        for (size_t i = 1; i < n; i++)
                cr_assert_lt(strcmp(t[i - 1], t[i]), 0, "%s: %s before %s", what, t[i - 1], t[i]);
}

Test(runtime_tables, seccomp_groups_sorted_known_and_disjoint)
{
        size_t n_schema;
        const char *const *schema_groups = seccomp_group_table(&n_schema);

        for (size_t g = 0; g < n_seccomp_groups; g++) {
                const struct seccomp_group *grp = &seccomp_groups[g];
                if (g)
                        cr_assert_lt(strcmp(seccomp_groups[g - 1].name, grp->name), 0);
                cr_assert_eq(seccomp_group_find(grp->name), grp);
                assert_sorted_unique(grp->name, grp->syscalls, grp->n);
                /* Every name is one libseccomp knows on some architecture. */
                for (size_t i = 0; i < grp->n; i++)
                        cr_assert_neq(seccomp_syscall_resolve_name(grp->syscalls[i]),
                                      __NR_SCMP_ERROR, "%s: unknown syscall %s", grp->name,
                                      grp->syscalls[i]);
                /* And the schema accepts the group's name in an isolator. */
                bool listed = false;
                for (size_t k = 0; k < n_schema; k++)
                        listed |= strcmp(schema_groups[k], grp->name) == 0;
                cr_assert(listed, "schema does not know %s", grp->name);
        }
        /* Every @ace/ name of the schema has contents here (@rkt/ ones are mapped by stage1). */
        for (size_t k = 0; k < n_schema; k++)
                if (strncmp(schema_groups[k], "@ace/", 5) == 0)
                        cr_assert_not_null(seccomp_group_find(schema_groups[k]), "%s",
                                           schema_groups[k]);
        const struct seccomp_group *black = seccomp_group_find("@ace/default-blacklist");
        const struct seccomp_group *white = seccomp_group_find("@ace/default-whitelist");
        cr_assert(black && white && black->argument_rules && !white->argument_rules);
        for (size_t i = 0; i < black->n; i++)
                for (size_t k = 0; k < white->n; k++)
                        cr_assert_str_neq(black->syscalls[i], white->syscalls[k], "in both groups");
        assert_sorted_unique("lifecycle", seccomp_lifecycle, n_seccomp_lifecycle);
        for (size_t i = 0; i < n_seccomp_lifecycle; i++)
                for (size_t k = 0; k < black->n; k++)
                        cr_assert_str_neq(seccomp_lifecycle[i], black->syscalls[k]);
}

Test(runtime_tables, seccomp_default_blacklist_has_the_rkt_class)
{
        static const char *const must[] = {"acct",
                                           "add_key",
                                           "bpf",
                                           "clock_settime",
                                           "delete_module",
                                           "finit_module",
                                           "init_module",
                                           "iopl",
                                           "ioperm",
                                           "kexec_file_load",
                                           "kexec_load",
                                           "keyctl",
                                           "mount",
                                           "open_by_handle_at",
                                           "perf_event_open",
                                           "pivot_root",
                                           "reboot",
                                           "request_key",
                                           "setns",
                                           "settimeofday",
                                           "swapoff",
                                           "swapon",
                                           "umount2",
                                           "userfaultfd"};
        const struct seccomp_group *black = seccomp_group_find("@ace/default-blacklist");

        for (size_t i = 0; i < ARRAY_SIZE(must); i++) {
                bool found = false;
                for (size_t k = 0; k < black->n; k++)
                        found |= strcmp(black->syscalls[k], must[i]) == 0;
                cr_assert(found, "%s is not in the default deny-list", must[i]);
        }
}
