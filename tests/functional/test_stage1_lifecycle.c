/*
 * test_stage1_lifecycle.c - signals, event handlers, reaping, stop/gc/enter entrypoints, and
 * "nothing left on the host" after a pod dies, even by kill -9.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

TestSuite(stage1_lifecycle, .init = setup, .fini = teardown, .timeout = 60);

/* Waits until the app has written `want` to stdout (the pod is up and the app running). */
static void wait_output(const char *want)
{
        for (int i = 0; i < 2000; i++) {
                _cleanup_free_ char *o = pf_stdout_now(pf);
                if (o && strstr(o, want))
                        return;
                usleep(5000);
        }
        cr_assert_fail("app never printed %s", want);
}

static bool pid_alive(pid_t pid)
{
        return kill(pid, 0) == 0;
}

Test(stage1_lifecycle, sigterm_to_run_stops_the_pod_and_runs_post_stop)
{
        _cleanup_free_ char *hostdir = th_mkdtemp("ace-vol");
        _cleanup_free_ char *vol =
            xasprintf("{\"name\": \"out\", \"kind\": \"host\", \"source\": \"%s\"}", hostdir);
        pf_add_volume(pf, vol);
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"print\", \"up\", \"sleep\", \"60\"], \"user\": "
                   "\"0\", \"group\": \"0\","
                   " \"eventHandlers\": [{\"name\": \"post-stop\", \"exec\": [\"/probe\", "
                   "\"write\", \"/out/post-stop\", \"ran\"]}],"
                   " \"mountPoints\": [{\"name\": \"out\", \"path\": \"/out\"}]}",
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert(kill(pf->pid, SIGTERM) == 0);
        pf_wait(pf);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cr_assert_eq(pf->status, 0, "a stop is not a failure; stderr: %s", pf->err);
        cr_assert_lt(t1.tv_sec - t0.tv_sec, 4, "SIGTERM stops at once, not after the timeout");
        _cleanup_free_ char *marker = xasprintf("%s/post-stop", hostdir);
        _cleanup_free_ char *content = th_read_file(marker);
        cr_assert_str_eq(content, "ran", "post-stop ran after the app");
        _cleanup_free_ char *exit_s = pf_read(pf, "appsinfo/a/exit");
        cr_assert_str_eq(exit_s, "143\n");
        th_rm_rf(hostdir);
}

Test(stage1_lifecycle, app_ignoring_sigterm_is_killed_after_stop_timeout)
{
        pf_runtime(pf, "\"stopTimeout\": 1");
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"ignore-sigterm\", \"print\", \"up\", \"sleep\", "
                   "\"60\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        cr_assert(kill(pf->pid, SIGINT) == 0);
        pf_wait(pf);
        _cleanup_free_ char *exit_s = pf_read(pf, "appsinfo/a/exit");
        cr_assert_str_eq(exit_s, "137\n", "SIGKILL after the timeout: %s", exit_s);
        cr_assert(strstr(pf->out, "sigterm=ignored"));
}

Test(stage1_lifecycle, pre_start_runs_as_root_before_the_app)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"stat\", \"/pre-start-ran\", \"id\"], \"user\": "
                   "\"1000\", \"group\": \"100\","
                   " \"eventHandlers\": [{\"name\": \"pre-start\", \"exec\": [\"/probe\", "
                   "\"write\", \"/pre-start-ran\", \"1\", \"id\"]}]}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *pre_uid = th_kv_nth(pf->out, "uid", 0);
        _cleanup_free_ char *app_uid = th_kv_nth(pf->out, "uid", 1);
        cr_assert_str_eq(pre_uid, "0", "pre-start runs as root: %s", pf->out);
        cr_assert_str_eq(app_uid, "1000");
        _cleanup_free_ char *type = th_kv(pf->out, "stat.type");
        cr_assert_str_eq(type, "file", "the app sees the file pre-start made");
}

Test(stage1_lifecycle, failing_pre_start_fails_the_app_without_running_it)
{
        pf_add_app(
            pf, "a", img,
            "{\"exec\": [\"/probe\", \"print\", \"app-ran\"], \"user\": \"0\", \"group\": \"0\","
            " \"eventHandlers\": [{\"name\": \"pre-start\", \"exec\": [\"/probe\", \"exit\", "
            "\"7\"]}]}",
            NULL);
        cr_assert_eq(pf_run(pf, NULL), 7);
        cr_assert_null(strstr(pf->out, "app-ran"));
}

Test(stage1_lifecycle, orphaned_zombies_are_reaped)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"zombies\", \"1000\", \"wait-no-zombies\", \"1000\"], "
                   "\"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *z = th_kv(pf->out, "zombie_count");
        _cleanup_free_ char *ms = th_kv(pf->out, "zombie_wait_ms");
        cr_assert_str_eq(z, "0", "zombies left: %s (after %s ms)", z, ms);
}

Test(stage1_lifecycle, stop_entrypoint_graceful_and_forced)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"print\", \"up\", \"sleep\", \"60\"], \"user\": "
                   "\"0\", \"group\": \"0\"}",
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        const char *args[] = {pf->uuid, NULL};
        cr_assert_eq(pf_entrypoint(pf, "stop", args, NULL, NULL), 0);
        cr_assert_eq(pf_wait(pf), 0);
        /* Stopping a stopped pod is fine. */
        cr_assert_eq(pf_entrypoint(pf, "stop", args, NULL, NULL), 0);
}

Test(stage1_lifecycle, stop_force_kills_everything)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"ignore-sigterm\", \"print\", \"up\", \"sleep\", "
                   "\"60\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        _cleanup_free_ char *apppid_s = pf_read(pf, "appsinfo/a/pid");
        pid_t app = (pid_t)atoi(apppid_s);
        cr_assert(app > 0 && pid_alive(app));
        const char *args[] = {"--force", pf->uuid, NULL};
        cr_assert_eq(pf_entrypoint(pf, "stop", args, NULL, NULL), 0);
        pf_wait(pf);
        cr_assert_eq(pf->status, 137);
        usleep(100000);
        cr_assert_not(pid_alive(app), "the app died with the pod");
}

Test(stage1_lifecycle, gc_is_idempotent_and_refuses_running_pods)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"print\", \"up\", \"sleep\", \"60\"], \"user\": "
                   "\"0\", \"group\": \"0\"}",
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        const char *args[] = {pf->uuid, NULL};
        _cleanup_free_ char *err = NULL;
        cr_assert_eq(pf_entrypoint(pf, "gc", args, NULL, &err), 254);
        cr_assert(strstr(err, "still running"), "%s", err);
        kill(pf->pid, SIGTERM);
        pf_wait(pf);
        cr_assert_eq(pf_entrypoint(pf, "gc", args, NULL, NULL), 0);
        cr_assert_eq(pf_entrypoint(pf, "gc", args, NULL, NULL), 0);
}

Test(stage1_lifecycle, no_mount_left_on_the_host_after_exit_and_kill_9)
{
        cr_assert_eq(th_mounts_containing(pf->data_dir), 0);
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"print\", \"up\", \"sleep\", \"60\"], \"user\": "
                   "\"0\", \"group\": \"0\"}",
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        /* While it runs: its mounts are in its own namespace, not ours. */
        cr_assert_eq(th_mounts_containing(pf->data_dir), 0);
        _cleanup_free_ char *apppid_s = pf_read(pf, "appsinfo/a/pid");
        _cleanup_free_ char *podpid_s = pf_read(pf, "pid");
        pid_t app = (pid_t)atoi(apppid_s), pod = (pid_t)atoi(podpid_s);
        cr_assert(pid_alive(app) && pid_alive(pod));
        cr_assert(kill(pf->pid, SIGKILL) == 0);
        pf_wait(pf);
        cr_assert_eq(pf->status, 128 + SIGKILL);
        for (int i = 0; i < 200 && (pid_alive(app) || pid_alive(pod)); i++)
                usleep(10000);
        cr_assert_not(pid_alive(pod), "pod PID 1 died with the run process");
        cr_assert_not(pid_alive(app), "the app died with the pod");
        cr_assert_eq(th_mounts_containing(pf->data_dir), 0);
        /* and the lock is free again: the pod is "exited" */
        const char *args[] = {pf->uuid, NULL};
        cr_assert_eq(pf_entrypoint(pf, "gc", args, NULL, NULL), 0);
}

Test(stage1_lifecycle, enter_runs_with_the_apps_root_uid_and_namespaces)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"write\", \"/tmp/only-in-a\", \"1\", \"ns\", "
                   "\"status\", \"print\", \"up\", \"sleep\", \"60\"],"
                   " \"user\": \"user\", \"group\": \"users\"}",
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        _cleanup_free_ char *podpid = pf_read(pf, "pid");
        podpid[strcspn(podpid, "\n")] = 0;
        _cleanup_free_ char *pidarg = xasprintf("--pid=%s", podpid);
        const char *args[] = {pidarg, "--appname=a",    "--",       "/probe", "id", "ns", "status",
                              "stat", "/tmp/only-in-a", "hostname", NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        cr_assert_eq(pf_entrypoint(pf, "enter", args, &out, &err), 0, "stderr: %s", err);
        _cleanup_free_ char *app_out = pf_stdout_now(pf);
        _cleanup_free_ char *uid = th_kv(out, "uid"), *gid = th_kv(out, "gid");
        cr_assert_str_eq(uid, "1000");
        cr_assert_str_eq(gid, "100");
        static const char *const same[] = {"ns.mnt",        "ns.pid",        "ns.net",
                                           "ns.ipc",        "ns.uts",        "status.CapBnd",
                                           "status.CapEff", "status.Groups", "status.NoNewPrivs"};
        for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
                _cleanup_free_ char *e = th_kv(out, same[i]), *a = th_kv(app_out, same[i]);
                cr_assert(e && a, "%s missing", same[i]);
                cr_assert_str_eq(e, a, "%s: enter %s, app %s", same[i], e, a);
        }
        _cleanup_free_ char *type = th_kv(out, "stat.type");
        cr_assert_str_eq(type, "file", "enter sees the app's root");
        kill(pf->pid, SIGTERM);
        pf_wait(pf);
}

Test(stage1_lifecycle, enter_into_a_stopped_app_fails_clearly)
{
        pf_add_app(pf, "a", img, NULL, NULL);
        cr_assert_eq(pf_run(pf, NULL), 0);
        const char *args[] = {"--pid=1", "--appname=a", "--", "/probe", "id", NULL};
        _cleanup_free_ char *err = NULL;
        cr_assert_eq(pf_entrypoint(pf, "enter", args, NULL, &err), 254);
        cr_assert(strstr(err, "app a is not running"), "%s", err);
}
