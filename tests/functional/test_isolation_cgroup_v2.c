/*
 * test_isolation_cgroup_v2.c - the cgroup v2 backend, for real, on this v1 ("hybrid") host:
 * stage1 runs in a mount namespace whose /sys/fs/cgroup is the system's cgroup2 hierarchy
 * (pod_fixture.h, cgroup2), so it chooses v2. That hierarchy has no controllers here (they are
 * all bound to v1), which the tests use: creation, placement, the read-only view, enter, gc and
 * cgroup.kill are exercised for real; limits cannot be, and must come out as unenforced with the
 * v2 reason (and make --strict-isolators refuse). Hosts where cgroup2 has controllers run the
 * limit checks too (see limits_where_the_controllers_exist).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/cgroup_probe.h"
#include "tests/lib/helpers.h"
#include "tests/lib/pod_fixture.h"
#include "tests/lib/test_image.h"

static struct pod_fixture *pf;
static struct test_image *img;

static bool have_cgroup2(void)
{
        struct statfs st;
        return statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        if (!have_cgroup2())
                cr_skip_test("no cgroup2 hierarchy at /sys/fs/cgroup/unified on this host");
        pf = pf_new();
        pf->cgroup2 = true;
        img = timg_new("example.com/probe");
}

static void teardown(void)
{
        pf_free(pf);
        timg_free(img);
}

TestSuite(isolation_cgroup_v2, .init = setup, .fini = teardown, .timeout = 60);

#define APP(isolators, ...)                                                                        \
        "{\"exec\": [\"/probe\", " __VA_ARGS__                                                     \
        "], \"user\": \"0\", \"group\": \"0\", \"isolators\": [" isolators "]}"

static char *v2_controllers(void)
{
        char *c = th_read_file("/sys/fs/cgroup/unified/cgroup.controllers");
        if (c)
                c[strcspn(c, "\n")] = 0;
        return c;
}

static char *v2_dir(const char *leaf)
{
        return xasprintf("/sys/fs/cgroup/unified/ace-%s%s%s", pf->uuid, *leaf ? "/" : "", leaf);
}

Test(isolation_cgroup_v2, pod_cgroup_layout_placement_and_read_only_view)
{
        pf_add_app(
            pf, "a", img,
            APP("",
                "\"cgroup\", \"ls\", \"/sys/fs/cgroup\", \"read\", \"/sys/fs/cgroup/cgroup.procs\","
                " \"write\", \"/sys/fs/cgroup/cgroup.procs\", \"1\", \"stat\", "
                "\"/sys/fs/cgroup/release_agent\","
                " \"sleep-ms\", \"1500\""),
            NULL);
        pf_start(pf, NULL);
        _cleanup_free_ char *pidf = pf_path(pf, "appsinfo/a/pid");
        cr_assert(th_wait_file(pidf, 5000));
        _cleanup_free_ char *podpid = pf_read(pf, "pid"), *apppid = pf_read(pf, "appsinfo/a/pid");
        _cleanup_free_ char *sup = cgp_proc_cgroup(atoi(podpid), "none");
        _cleanup_free_ char *run = cgp_proc_cgroup(pf->pid, "none");
        _cleanup_free_ char *app = cgp_proc_cgroup(atoi(apppid), "none");
        _cleanup_free_ char *want_sup = xasprintf("/ace-%s/supervisor", pf->uuid);
        _cleanup_free_ char *want_app = xasprintf("/ace-%s/app-a", pf->uuid);
        cr_assert(sup && strstr(sup, want_sup), "supervisor in %s", sup);
        cr_assert(run && strstr(run, want_sup), "run process in %s", run);
        cr_assert(app && strstr(app, want_app), "app in %s", app);
        cr_assert_eq(pf_wait(pf), 0, "%s", pf->err);

        _cleanup_free_ char *file = pf_read(pf, "cgroup");
        _cleanup_free_ char *want_file = xasprintf("0::/ace-%s\n", pf->uuid);
        cr_assert_str_eq(file, want_file, "one v2 line");
        _cleanup_free_ char *cg = th_kv(pf->out, "cgroup"), *ls = th_kv(pf->out, "ls");
        cr_assert(strstr(cg, "0::/\\n") && !strstr(cg, "ace-"),
                  "the app's cgroup namespace starts at its leaf: %s", cg);
        cr_assert(ls && strstr(ls, "cgroup.procs") && strstr(ls, "cgroup.controllers"), "%s", ls);
        _cleanup_free_ char *rd = th_kv(pf->out, "read"), *we = th_kv(pf->out, "write.errno"),
                            *se = th_kv(pf->out, "stat.errno");
        cr_assert(rd && strlen(rd) > 0, "the app reads its own cgroup.procs");
        cr_assert_str_eq(we, "EROFS");
        cr_assert_str_eq(se, "ENOENT");
        /* gc, from the host's namespace (where this hierarchy is /sys/fs/cgroup/unified). */
        _cleanup_free_ char *dir = v2_dir("");
        cr_assert(th_exists(dir));
        cr_assert_eq(pf_entrypoint(pf, "gc", (const char *const[]){pf->uuid, NULL}, NULL, NULL), 0);
        cr_assert_not(th_exists(dir));
}

Test(isolation_cgroup_v2, limits_without_controllers_are_reported_and_strict_refuses)
{
        _cleanup_free_ char *ctl = v2_controllers();
        if (ctl && strstr(ctl, "memory"))
                cr_skip_test("cgroup2 has the memory controller here: see "
                             "limits_where_the_controllers_exist");
        pf_add_app(pf, "a", img,
                   APP("{\"name\": \"resource/memory\", \"value\": {\"limit\": \"64Mi\"}}",
                       "\"print\", \"ran\""),
                   NULL);
        pf_set_pod_isolators(pf, "{\"name\": \"ace/pids\", \"value\": {\"limit\": 32}}");
        cr_assert_eq(pf_run(pf, NULL), 0, "%s", pf->err);
        _cleanup_free_ char *rep = pf_read(pf, "isolators-unenforced");
        cr_assert(strstr(rep, "resource/memory app=a: the memory controller is not available to "
                              "the pod's cgroup (cgroup v2)\n"),
                  "%s", rep);
        cr_assert(strstr(rep, "ace/pids pod: the pids controller is not available to the pod's "
                              "cgroup (cgroup v2)\n"),
                  "%s", rep);

        static const char *const strict[] = {"--strict-isolators", NULL};
        cr_assert_eq(pf_entrypoint(pf, "gc", (const char *const[]){pf->uuid, NULL}, NULL, NULL), 0);
        cr_assert_eq(pf_run(pf, strict), 254);
        cr_assert(strstr(pf->err, "cannot be enforced"), "%s", pf->err);
        _cleanup_free_ char *dir = v2_dir("");
        cr_assert_not(th_exists(dir), "a refused pod leaves no cgroup");
}

Test(isolation_cgroup_v2, limits_where_the_controllers_exist)
{
        _cleanup_free_ char *ctl = v2_controllers();
        if (!ctl || !strstr(ctl, "memory") || !strstr(ctl, "pids"))
                cr_skip_test("cgroup2 has no memory/pids controller on this host (bound to v1)");
        pf_add_app(
            pf, "a", img,
            APP("{\"name\": \"resource/memory\", \"value\": {\"limit\": \"64Mi\"}}", "\"limits\""),
            NULL);
        pf_set_pod_isolators(pf, "{\"name\": \"ace/pids\", \"value\": {\"limit\": 32}}");
        cr_assert_eq(pf_run(pf, NULL), 0, "%s", pf->err);
        _cleanup_free_ char *mem = th_kv(pf->out, "memory.limit"),
                            *pids = th_kv(pf->out, "pids.max");
        cr_assert_str_eq(mem, "67108864");
        cr_assert_str_eq(pids, "32");
}

Test(isolation_cgroup_v2, enter_joins_the_apps_v2_cgroup)
{
        pf_add_app(pf, "a", img, APP("", "\"cgroup\", \"sleep\", \"5\""), NULL);
        pf_start(pf, NULL);
        _cleanup_free_ char *pidf = pf_path(pf, "appsinfo/a/pid");
        cr_assert(th_wait_file(pidf, 5000));
        _cleanup_free_ char *podpid = pf_read(pf, "pid"), *pidarg = NULL, *out = NULL, *err = NULL;
        podpid[strcspn(podpid, "\n")] = 0;
        for (int i = 0; i < 500; i++) {
                _cleanup_free_ char *o = pf_stdout_now(pf);
                if (o && strstr(o, "cgroup="))
                        break;
                usleep(10000);
        }
        pidarg = xasprintf("--pid=%s", podpid);
        int r = pf_entrypoint(
            pf, "enter",
            (const char *const[]){pidarg, "--appname=a", "--", "/probe", "cgroup", NULL}, &out,
            &err);
        cr_assert_eq(r, 0, "%s", err);
        _cleanup_free_ char *cg = th_kv(out, "cgroup"), *now = pf_stdout_now(pf),
                            *app_cg = th_kv(now, "cgroup");
        cr_assert(cg && strstr(cg, "0::/\\n") && !strstr(cg, "ace-"), "entered: %s", out);
        cr_assert_str_eq(cg, app_cg, "the entered command's cgroups are the app's: %s vs %s", cg,
                         app_cg);
        kill(pf->pid, SIGTERM);
        pf_wait(pf);
}

Test(isolation_cgroup_v2, gc_kills_stragglers_through_cgroup_kill)
{
        pf_add_app(pf, "a", img, APP("", "\"print\", \"ok\""), NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "%s", pf->err);
        /* A process in the app's cgroup after the pod is gone (placed there by hand). */
        pid_t straggler = fork();
        if (straggler == 0) {
                pause();
                _exit(0);
        }
        _cleanup_free_ char *leaf = v2_dir("app-a");
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", leaf),
                            *pid = xasprintf("%d", (int)straggler);
        th_write_file(procs, pid, 0644);
        cr_assert_eq(pf_entrypoint(pf, "gc", (const char *const[]){pf->uuid, NULL}, NULL, NULL), 0);
        int wstatus;
        cr_assert_eq(waitpid(straggler, &wstatus, 0), straggler);
        cr_assert(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
        _cleanup_free_ char *dir = v2_dir("");
        cr_assert_not(th_exists(dir));
}

Test(isolation_cgroup_v2, device_policy_is_a_bpf_program)
{
        /* v2 has no devices.* files: the allow-list is a BPF_CGROUP_DEVICE program. */
        pf_add_app(pf, "a", img,
                   APP("", "\"mknod-open\", \"/tmp/kvm\", \"c\", \"10\", \"232\", \"mknod-open\", "
                           "\"/tmp/disk\", \"b\", \"7\", \"0\","
                           " \"mknod-open\", \"/tmp/null\", \"c\", \"1\", \"3\", \"mknod-open\", "
                           "\"/tmp/pts9\", \"c\", \"136\", \"9\","
                           " \"write\", \"/dev/null\", \"x\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "%s", pf->err);
        cr_assert_null(strstr(pf->err, "no device policy"), "%s", pf->err);
        _cleanup_free_ char *kvm = th_kv(pf->out, "mknod_open./tmp/kvm"),
                            *disk = th_kv(pf->out, "mknod_open./tmp/disk");
        _cleanup_free_ char *null = th_kv(pf->out, "mknod_open./tmp/null"),
                            *w = th_kv(pf->out, "write");
        _cleanup_free_ char *pts = th_kv(pf->out, "mknod_open./tmp/pts9");
        cr_assert_str_eq(kvm, "mknod:EPERM");
        cr_assert_str_eq(disk, "mknod:EPERM");
        cr_assert_str_eq(null, "0");
        cr_assert_str_eq(w, "ok");
        /* 136:* may be created; pty 9 does not exist in this pod's devpts: the open fails on its
         * own (ENXIO/EIO), not by the policy (EPERM). */
        cr_assert(pts && strncmp(pts, "mknod:", 6) != 0 && strcmp(pts, "EPERM") != 0, "%s", pts);
}
