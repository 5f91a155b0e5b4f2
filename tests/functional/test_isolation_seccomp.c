/*
 * test_isolation_seccomp.c - the seccomp filter as an app sees it (T-28): the default deny-list,
 * remove and retain sets with a sentinel errno (EXFULL, ENOTSUP: a pass cannot be a natural
 * failure) or death by SIGSYS, every ABI of the host (i386 through int $0x80, x32), argument
 * rules (new user namespaces, TIOCSTI with high bits, clone3), no_new_privs forced for non-root
 * apps, and --disable-seccomp.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/pod_fixture.h"
#include "tests/lib/test_image.h"

static struct pod_fixture *pf;
static struct test_image *img;

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        pf = pf_new();
        img = timg_new("example.com/probe");
}

static void teardown(void)
{
        pf_free(pf);
        timg_free(img);
}

TestSuite(isolation_seccomp, .init = setup, .fini = teardown, .timeout = 60);

/* Runs one app: probe with `actions`, as `user`, with these isolators (JSON list items). */
static int run_app(const char *user, const char *isolators, const char *actions,
                   const char *const *args)
{
        _cleanup_free_ char *app = xasprintf("{\"exec\": [\"/probe\", %s], \"user\": \"%s\", "
                                             "\"group\": \"%s\", \"isolators\": [%s]}",
                                             actions, user, strcmp(user, "0") == 0 ? "0" : "users",
                                             isolators ? isolators : "");
        pf_add_app(pf, "a", img, app, NULL);
        return pf_run(pf, args);
}

static void expect(const char *key, const char *want)
{
        _cleanup_free_ char *v = th_kv(pf->out, key);
        cr_assert(v, "%s missing in:\n%s\nstderr: %s", key, pf->out, pf->err);
        cr_assert_str_eq(v, want, "%s=%s, want %s (stderr: %s)", key, v, want, pf->err);
}

#define REMOVE(set, errno_)                                                                        \
        "{\"name\": \"os/linux/seccomp-remove-set\", \"value\": {\"set\": [" set                   \
        "], \"errno\": \"" errno_ "\"}}"
#define RETAIN(set, errno_)                                                                        \
        "{\"name\": \"os/linux/seccomp-retain-set\", \"value\": {\"set\": [" set                   \
        "], \"errno\": \"" errno_ "\"}}"

/* Every syscall of the default deny-list the probe knows, with a sentinel errno. */
#define DEFAULT_LIST_CALLS                                                                         \
        "\"syscall\", \"acct\", \"syscall\", \"add_key\", \"syscall\", \"bpf\", \"syscall\", "     \
        "\"clock_settime\","                                                                       \
        "\"syscall\", \"delete_module\", \"syscall\", \"finit_module\", \"syscall\", \"fsopen\","  \
        "\"syscall\", \"init_module\", \"syscall\", \"io_uring_setup\", \"syscall\", \"ioperm\","  \
        "\"syscall\", \"iopl\", \"syscall\", \"kexec_file_load\", \"syscall\", \"kexec_load\","    \
        "\"syscall\", \"keyctl\", \"syscall\", \"lookup_dcookie\", \"syscall\", \"mount\","        \
        "\"syscall\", \"move_mount\", \"syscall\", \"name_to_handle_at\", \"syscall\", "           \
        "\"open_by_handle_at\","                                                                   \
        "\"syscall\", \"open_tree\", \"syscall\", \"perf_event_open\", \"syscall\", "              \
        "\"pivot_root\","                                                                          \
        "\"syscall\", \"quotactl\", \"syscall\", \"reboot\", \"syscall\", \"request_key\", "       \
        "\"syscall\", \"setns\","                                                                  \
        "\"syscall\", \"settimeofday\", \"syscall\", \"swapoff\", \"syscall\", \"swapon\", "       \
        "\"syscall\", \"syslog\","                                                                 \
        "\"syscall\", \"umount2\", \"syscall\", \"userfaultfd\", \"syscall\", \"vhangup\", "       \
        "\"syscall\", \"adjtimex\","                                                               \
        "\"syscall\", \"clock_adjtime\""

static const char *const default_list_calls[] = {
    "acct",
    "add_key",
    "bpf",
    "clock_settime",
    "delete_module",
    "finit_module",
    "fsopen",
    "init_module",
    "io_uring_setup",
    "ioperm",
    "iopl",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "lookup_dcookie",
    "mount",
    "move_mount",
    "name_to_handle_at",
    "open_by_handle_at",
    "open_tree",
    "perf_event_open",
    "pivot_root",
    "quotactl",
    "reboot",
    "request_key",
    "setns",
    "settimeofday",
    "swapoff",
    "swapon",
    "syslog",
    "umount2",
    "userfaultfd",
    "vhangup",
    "adjtimex",
    "clock_adjtime",
};

Test(isolation_seccomp, default_filter_is_loaded_and_blocks_with_eperm)
{
        cr_assert_eq(run_app("0", NULL,
                             "\"status\", \"syscall\", \"keyctl\", \"syscall\", \"getpid\"", NULL),
                     0, "%s", pf->err);
        expect("status.Seccomp", "2");
        expect("status.Seccomp_filters", "1");
        expect("syscall.keyctl", "EPERM");
        expect("syscall.getpid", "0");
        expect("status.NoNewPrivs", "0"); /* root: loaded with CAP_SYS_ADMIN, no NNP needed */
}

Test(isolation_seccomp, disable_seccomp_loads_nothing)
{
        static const char *const args[] = {"--disable-seccomp", NULL};
        cr_assert_eq(run_app("user", NULL, "\"status\", \"syscall\", \"keyctl\"", args), 0, "%s",
                     pf->err);
        expect("status.Seccomp", "0");
        expect("status.NoNewPrivs", "0");
        /* keyctl(0, 0): the kernel's own answer, not the filter's */
        _cleanup_free_ char *k = th_kv(pf->out, "syscall.keyctl");
        cr_assert_str_neq(k, "EPERM");
}

Test(isolation_seccomp, every_default_list_syscall_gets_the_sentinel)
{
        /* @appc.io/empty in a remove set is exactly the default deny-list, here with EXFULL. */
        cr_assert_eq(run_app("0", REMOVE("\"@appc.io/empty\"", "EXFULL"),
                             DEFAULT_LIST_CALLS ", \"syscall\", \"getpid\"", NULL),
                     0, "%s", pf->err);
        for (size_t i = 0; i < ARRAY_SIZE(default_list_calls); i++) {
                _cleanup_free_ char *key = xasprintf("syscall.%s", default_list_calls[i]);
                expect(key, "EXFULL");
        }
        expect("syscall.getpid", "0");
}

Test(isolation_seccomp, remove_set_blocks_its_syscalls_and_the_default_list)
{
        cr_assert_eq(run_app("0", REMOVE("\"uname\", \"getppid\"", "ENOTSUP"),
                             "\"syscall\", \"uname\", \"syscall\", \"getppid\", \"syscall\", "
                             "\"mount\", \"syscall\", \"getpid\"",
                             NULL),
                     0, "%s", pf->err);
        expect("syscall.uname", "ENOTSUP");
        expect("syscall.getppid", "ENOTSUP");
        expect("syscall.mount", "ENOTSUP");
        expect("syscall.getpid", "0");
}

Test(isolation_seccomp, no_errno_means_death_by_sigsys)
{
        int status =
            run_app("0", REMOVE("\"uname\"", ""),
                    "\"print\", \"before\", \"syscall\", \"uname\", \"print\", \"after\"", NULL);
        cr_assert_eq(status, 128 + SIGSYS, "status %d, stderr %s", status, pf->err);
        cr_assert(strstr(pf->out, "before\n"));
        cr_assert_null(strstr(pf->out, "after"));
        _cleanup_free_ char *exit_file = pf_read(pf, "appsinfo/a/exit");
        cr_assert_str_eq(exit_file, "159\n");
}

Test(isolation_seccomp, retain_set_allows_only_its_syscalls)
{
        cr_assert_eq(run_app("0", RETAIN("\"@ace/default-whitelist\"", "EXFULL"),
                             "\"syscall\", \"getpid\", \"syscall\", \"mount\", \"syscall\", "
                             "\"sethostname\", \"syscall\", \"unshare\", \"0\"",
                             NULL),
                     0, "%s", pf->err);
        expect("syscall.getpid", "0");
        expect("syscall.mount", "EXFULL");
        expect("syscall.sethostname", "EXFULL");
        expect("syscall.unshare", "EXFULL");
}

Test(isolation_seccomp, retain_all_means_no_filter)
{
        cr_assert_eq(run_app("0", RETAIN("\"@appc.io/all\"", ""), "\"status\"", NULL), 0, "%s",
                     pf->err);
        expect("status.Seccomp", "0");
}

Test(isolation_seccomp, i386_and_x32_syscalls_do_not_slip_past)
{
        /* The probe is x86-64; int $0x80 enters the i386 table, the x32 bit the x32 one (this
         * kernel may lack x32: then the kernel's answer would be ENOSYS, never EXFULL). */
        cr_assert_eq(
            run_app(
                "0", REMOVE("\"uname\"", "EXFULL"),
                "\"syscall32\", \"getpid\", \"syscall32\", \"mount\", \"syscall32\", \"reboot\","
                " \"syscall32\", \"kexec_load\", \"syscall32\", \"keyctl\", \"syscall32\", "
                "\"uname\","
                " \"syscall32\", \"stime\", \"syscall32\", \"unshare\", \"268435456\","
                " \"syscallx32\", \"mount\", \"syscallx32\", \"uname\", \"syscallx32\", \"bpf\"",
                NULL),
            0, "%s", pf->err);
        expect("syscall32.getpid", "0");
        expect("syscall32.mount", "EXFULL");
        expect("syscall32.reboot", "EXFULL");
        expect("syscall32.kexec_load", "EXFULL");
        expect("syscall32.keyctl", "EXFULL");
        expect("syscall32.uname", "EXFULL");
        expect("syscall32.stime", "EXFULL");
        expect("syscall32.unshare", "EXFULL");
        expect("syscallx32.mount", "EXFULL");
        expect("syscallx32.uname", "EXFULL");
        expect("syscallx32.bpf", "EXFULL");
}

Test(isolation_seccomp, argument_rules_user_namespaces_tiocsti_clone3)
{
        cr_assert_eq(run_app("0", REMOVE("\"@appc.io/empty\"", "EXFULL"),
                             "\"clone-newuser\", \"syscall\", \"unshare\", \"268435456\", "
                             "\"syscall\", \"unshare\", \"0\","
                             " \"tiocsti\", \"0\", \"tiocsti\", \"1\", \"syscall\", \"clone3\"",
                             NULL),
                     0, "%s", pf->err);
        expect("clone_newuser", "EXFULL");
        expect("syscall.unshare", "EXFULL");
        _cleanup_free_ char *unshare0 = th_kv_nth(pf->out, "syscall.unshare", 1);
        cr_assert_str_eq(unshare0, "0", "unshare without CLONE_NEWUSER is not filtered");
        _cleanup_free_ char *t0 = th_kv_nth(pf->out, "tiocsti", 0),
                            *t1 = th_kv_nth(pf->out, "tiocsti", 1);
        cr_assert_str_eq(t0, "EXFULL");
        cr_assert_str_eq(t1, "EXFULL", "high bits of the ioctl command do not matter");
        expect("syscall.clone3", "ENOSYS");
}

Test(isolation_seccomp, non_root_apps_with_a_filter_get_no_new_privs)
{
        cr_assert_eq(run_app("user", NULL, "\"status\", \"syscall\", \"keyctl\"", NULL), 0, "%s",
                     pf->err);
        expect("status.Seccomp", "2");
        expect("status.NoNewPrivs", "1");
        expect("syscall.keyctl", "EPERM");
}

Test(isolation_seccomp, unknown_errno_is_refused_before_the_app_starts)
{
        cr_assert_eq(run_app("0", REMOVE("\"uname\"", "EBOGUS"), "\"print\", \"ran\"", NULL), 254);
        cr_assert(strstr(pf->err, "unknown errno name \"EBOGUS\""), "%s", pf->err);
        cr_assert_null(strstr(pf->out, "ran"));
}

Test(isolation_seccomp, unknown_syscall_names_are_reported_and_skipped)
{
        cr_assert_eq(run_app("0", REMOVE("\"no_such_syscall\", \"uname\"", "ENOTSUP"),
                             "\"syscall\", \"uname\"", NULL),
                     0, "%s", pf->err);
        expect("syscall.uname", "ENOTSUP");
        cr_assert(strstr(pf->err, "unknown syscall \"no_such_syscall\""), "%s", pf->err);
}
