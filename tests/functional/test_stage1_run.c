/*
 * test_stage1_run.c - stage1 `run` basics through the pod fixture: output, exit codes,
 * multi-app pods sharing namespaces but not root filesystems, hostname, networks, pod files.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

TestSuite(stage1_run, .init = setup, .fini = teardown, .timeout = 60);

Test(stage1_run, one_app_prints_and_exits_zero)
{
        pf_add_app(
            pf, "hello", img,
            "{\"exec\": [\"/probe\", \"print\", \"hello from ace\", \"eprint\", \"to stderr\"],"
            " \"user\": \"0\", \"group\": \"0\"}",
            NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        cr_assert(strstr(pf->out, "hello from ace\n"), "stdout: %s", pf->out);
        cr_assert(strstr(pf->err, "to stderr\n"), "stderr: %s", pf->err);
        _cleanup_free_ char *log = pf_read(pf, "logs/hello.log");
        cr_assert(log && strstr(log, "hello from ace") && strstr(log, "to stderr"));
        _cleanup_free_ char *exit_s = pf_read(pf, "appsinfo/hello/exit");
        cr_assert_str_eq(exit_s, "0\n");
        /* pid (pod PID 1 as the host sees it), started, ready; the app pid file is gone. */
        _cleanup_free_ char *pid = pf_read(pf, "pid");
        cr_assert(pid && atoi(pid) > 1);
        _cleanup_free_ char *started = pf_path(pf, "appsinfo/hello/started");
        _cleanup_free_ char *ready = pf_path(pf, "ready");
        _cleanup_free_ char *apppid = pf_path(pf, "appsinfo/hello/pid");
        cr_assert(th_exists(started) && th_exists(ready));
        cr_assert_not(th_exists(apppid));
}

Test(stage1_run, exit_code_is_the_pod_status)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"exit\", \"42\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 42);
        _cleanup_free_ char *exit_s = pf_read(pf, "appsinfo/a/exit");
        cr_assert_str_eq(exit_s, "42\n");
}

Test(stage1_run, image_app_section_used_when_pod_has_none)
{
        timg_set_app(img, "{\"exec\": [\"/probe\", \"print\", \"from-image\"], \"user\": \"0\", "
                          "\"group\": \"0\"}");
        pf_add_app(pf, "a", img, NULL, NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        cr_assert(strstr(pf->out, "from-image"));
}

Test(stage1_run, apps_share_pid_ipc_uts_net_but_not_mount_or_root)
{
        /* a stays alive until b has read its namespaces: nsfs inode numbers are recycled, so
         * a dead a's mount namespace number could come back as b's. */
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"write\", \"/marker-a\", \"x\", \"ns\", \"print\", "
                   "\"app=a\", \"sleep-ms\", \"1000\"],"
                   " \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        pf_add_app(pf, "b", img,
                   "{\"exec\": [\"/probe\", \"sleep-ms\", \"300\", \"stat\", \"/marker-a\", "
                   "\"ns\", \"print\", \"app=b\"],"
                   " \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *la = pf_read(pf, "logs/a.log"), *lb = pf_read(pf, "logs/b.log");
        cr_assert(la && lb);
        static const char *const shared[] = {"ns.pid", "ns.ipc", "ns.uts", "ns.net"};
        for (size_t i = 0; i < ARRAY_SIZE(shared); i++) {
                _cleanup_free_ char *va = th_kv(la, shared[i]), *vb = th_kv(lb, shared[i]);
                cr_assert(va && vb);
                cr_assert_str_eq(va, vb, "%s differs", shared[i]);
        }
        _cleanup_free_ char *ma = th_kv(la, "ns.mnt"), *mb = th_kv(lb, "ns.mnt");
        cr_assert_str_neq(ma, mb);
        /* The pod's namespaces are not the host's. */
        char self[64];
        struct stat st;
        snprintf(self, sizeof(self), "/proc/self/ns/pid");
        cr_assert(stat(self, &st) == 0);
        _cleanup_free_ char *pidns = th_kv(la, "ns.pid");
        cr_assert_neq(strtoull(pidns, NULL, 10), (unsigned long long)st.st_ino);
        _cleanup_free_ char *staterr = th_kv(lb, "stat.errno");
        cr_assert_str_eq(staterr, "ENOENT", "app b sees app a's marker");
}

Test(stage1_run, first_failing_app_is_the_pod_status_and_stops_the_others)
{
        /* rkt tests/rkt_exit_test.go: apps exiting 0, 5, 6 -> pod 5; the slow one is stopped. */
        pf_add_app(pf, "zero", img,
                   "{\"exec\": [\"/probe\", \"exit\", \"0\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        pf_add_app(pf, "five", img,
                   "{\"exec\": [\"/probe\", \"sleep-ms\", \"200\", \"exit\", \"5\"], \"user\": "
                   "\"0\", \"group\": \"0\"}",
                   NULL);
        pf_add_app(pf, "six", img,
                   "{\"exec\": [\"/probe\", \"sleep\", \"30\", \"exit\", \"6\"], \"user\": \"0\", "
                   "\"group\": \"0\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 5, "stderr: %s", pf->err);
        _cleanup_free_ char *e0 = pf_read(pf, "appsinfo/zero/exit");
        _cleanup_free_ char *e5 = pf_read(pf, "appsinfo/five/exit");
        _cleanup_free_ char *e6 = pf_read(pf, "appsinfo/six/exit");
        cr_assert_str_eq(e0, "0\n");
        cr_assert_str_eq(e5, "5\n");
        cr_assert_str_eq(e6, "143\n", "six was stopped with SIGTERM: %s", e6);
}

Test(stage1_run, default_and_explicit_hostname)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"hostname\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0);
        _cleanup_free_ char *h = th_kv(pf->out, "hostname");
        _cleanup_free_ char *want = xasprintf("ace-%s", pf->uuid);
        cr_assert_str_eq(h, want);
}

Test(stage1_run, hostname_flag)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"hostname\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        const char *args[] = {"--hostname=web-1", NULL};
        cr_assert_eq(pf_run(pf, args), 0);
        _cleanup_free_ char *h = th_kv(pf->out, "hostname");
        cr_assert_str_eq(h, "web-1");
}

Test(stage1_run, net_none_has_only_loopback_up)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"read\", \"/sys/class/net/lo/operstate\", \"ls\", "
                   "\"/sys/class/net\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *ls = th_kv(pf->out, "ls");
        cr_assert_str_eq(ls, "lo");
        /* loopback reports "unknown" operstate when up */
        _cleanup_free_ char *st = th_kv(pf->out, "read");
        cr_assert_str_eq(st, "unknown\\n");
}

Test(stage1_run, net_host_shares_the_host_network)
{
        struct stat st;
        cr_assert(stat("/proc/self/ns/net", &st) == 0);
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"ns\"], \"user\": \"0\", \"group\": \"0\"}", NULL);
        const char *args[] = {"--net=host", NULL};
        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *net = th_kv(pf->out, "ns.net");
        cr_assert_eq(strtoull(net, NULL, 10), (unsigned long long)st.st_ino);
}

Test(stage1_run, unsupported_network_is_a_clear_error)
{
        pf_add_app(pf, "a", img, NULL, NULL);
        const char *args[] = {"--net=no-such-network", NULL};
        cr_assert_eq(pf_run(pf, args), 254);
        cr_assert(strstr(pf->err, "failed to setup network: networks not found: "
                                  "\"no-such-network\""),
                  "stderr: %s", pf->err);
}

Test(stage1_run, bad_runtime_config_fails_with_254)
{
        pf_add_app(pf, "a", img, NULL, NULL);
        pf_runtime(pf, "\"stopTimeout\": \"soon\"");
        cr_assert_eq(pf_run(pf, NULL), 254);
        cr_assert(strstr(pf->err, "stopTimeout"), "stderr: %s", pf->err);
}

Test(stage1_run, no_overlay_uses_the_prepared_copy)
{
        pf->overlay = false;
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"write\", \"/made-here\", \"1\"], \"user\": \"0\", "
                   "\"group\": \"0\"}",
                   NULL);
        /* stage0 renders the app into stage1/rootfs/opt/stage2/<app>/rootfs for --no-overlay. */
        _cleanup_free_ char *dst = pf_path(pf, "stage1/rootfs/opt/stage2/a/rootfs");
        _cleanup_free_ char *parent = pf_path(pf, "stage1/rootfs/opt/stage2/a");
        _cleanup_free_ char *p1 = pf_path(pf, "stage1/rootfs/opt");
        _cleanup_free_ char *p2 = pf_path(pf, "stage1/rootfs/opt/stage2");
        _cleanup_free_ char *p0 = pf_path(pf, "stage1");
        _cleanup_free_ char *p00 = pf_path(pf, "stage1/rootfs");
        mkdir(p0, 0755);
        mkdir(p00, 0755);
        mkdir(p1, 0755);
        mkdir(p2, 0755);
        mkdir(parent, 0755);
        cr_assert(th_copy_tree(img->rootfs, dst) == 0);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *made = xasprintf("%s/made-here", dst);
        cr_assert(th_exists(made), "the app wrote into the prepared copy");
}

Test(stage1_run, log_is_rotated_once_at_the_bound)
{
        pf_runtime(pf, "\"logMaxBytes\": 1024");
        char script[256];
        snprintf(script, sizeof(script),
                 "{\"exec\": [\"/bin/sh\", \"-c\", \"i=0; while [ $i -lt 100 ]; do echo "
                 "line-$i-xxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done\"],"
                 " \"user\": \"0\", \"group\": \"0\"}");
        pf_add_app(pf, "a", img, script, NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *p = pf_path(pf, "logs/a.log"), *p1 = pf_path(pf, "logs/a.log.1");
        struct stat st, st1;
        cr_assert(stat(p, &st) == 0 && stat(p1, &st1) == 0);
        cr_assert_leq(st.st_size, 1024);
        cr_assert_leq(st1.st_size, 1024);
        _cleanup_free_ char *log = th_read_file(p);
        cr_assert(strstr(log, "line-99-"), "the newest lines are in the live log");
        cr_assert(strstr(pf->out, "line-0-") && strstr(pf->out, "line-99-"),
                  "stdout still gets everything");
}

Test(stage1_run, interactive_app_gets_the_run_process_stdio_directly)
{
        pf->stdin_path = xasprintf("%s/input", pf->data_dir);
        th_write_file(pf->stdin_path, "typed text\n", 0644);
        pf_add_app(
            pf, "a", img,
            "{\"exec\": [\"/probe\", \"read-stdin\", \"fds\"], \"user\": \"0\", \"group\": \"0\"}",
            NULL);
        const char *args[] = {"--interactive", NULL};
        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *in = th_kv(pf->out, "stdin"), *fd1 = th_kv(pf->out, "fd.1");
        cr_assert_str_eq(in, "typed text");
        cr_assert(fd1 && strstr(fd1, "/stdout"), "no pipe in between: %s", fd1);
        _cleanup_free_ char *log = pf_path(pf, "logs/a.log");
        cr_assert_not(th_exists(log));
}

Test(stage1_run, interactive_needs_exactly_one_app)
{
        pf_add_app(pf, "a", img, NULL, NULL);
        pf_add_app(pf, "b", img, NULL, NULL);
        const char *args[] = {"--interactive", NULL};
        cr_assert_eq(pf_run(pf, args), 254);
        cr_assert(strstr(pf->err, "--interactive needs exactly one app"), "%s", pf->err);
}
