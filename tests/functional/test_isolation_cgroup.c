/*
 * test_isolation_cgroup.c - the pod's cgroups on this host's backend: layout and `cgroup` file,
 * limits seen from inside (memory, cpu, pids), pod limits bounding app limits, the read-only
 * in-app view (no release_agent), the supervisor's leaf and OOM protection, a memory hog
 * OOM-killed with 137 while the supervisor lives (T-44), a fork bomb under a pids limit (T-43),
 * unenforced isolators reported and --strict-isolators, gc removing everything.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "tests/lib/cgroup_probe.h"
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
        pf_free(pf); /* runs gc: no cgroup is left behind even when a test fails */
        timg_free(img);
}

TestSuite(isolation_cgroup, .init = setup, .fini = teardown, .timeout = 120);

#define APP(isolators, ...)                                                                        \
        "{\"exec\": [\"/probe\", " __VA_ARGS__                                                     \
        "], \"user\": \"0\", \"group\": \"0\", \"isolators\": [" isolators "]}"
#define MEMORY(limit) "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"" limit "\"}}"
#define CPU(limit) "{\"name\": \"resource/cpu\", \"value\": {\"limit\": \"" limit "\"}}"
#define PIDS(n) "{\"name\": \"ace/pids\", \"value\": {\"limit\": " #n "}}"

static char *log_of(const char *app)
{
        _cleanup_free_ char *rel = xasprintf("logs/%s.log", app);
        return pf_read(pf, rel);
}

static void expect_in(const char *text, const char *key, const char *want)
{
        _cleanup_free_ char *v = th_kv(text, key);
        cr_assert(v, "%s missing in:\n%s\nstderr: %s", key, text, pf->err);
        cr_assert_str_eq(v, want, "%s=%s, want %s", key, v, want);
}

Test(isolation_cgroup, pod_and_app_cgroups_with_limits_seen_from_inside)
{
        pf_add_app(pf, "a", img,
                   APP(MEMORY("64Mi") ", " CPU("500m"), "\"limits\", \"cgroup\", \"oom\""), NULL);
        pf_set_pod_isolators(pf, PIDS(100));
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        expect_in(pf->out, "memory.limit", "67108864");
        _cleanup_free_ char *quota = th_kv(pf->out, "cpu.quota");
        cr_assert(strcmp(quota, "50000") == 0 || strcmp(quota, "50000 100000") == 0, "%s", quota);
        expect_in(pf->out, "pids.max", "100");
        /* The app's cgroup namespace starts at its own cgroup. */
        _cleanup_free_ char *cg = th_kv(pf->out, "cgroup");
        cr_assert(strstr(cg, ":/\\n") && !strstr(cg, "ace-"), "%s", cg);
        /* The pod file names the pod cgroup in every hierarchy, and the pod's limit is set. */
        _cleanup_free_ char *file = pf_read(pf, "cgroup");
        _cleanup_free_ char *name = xasprintf("/ace-%s\n", pf->uuid);
        cr_assert(file && strstr(file, name), "%s", file);
        _cleanup_free_ char *pids = cgp_read(file, "pids", pf->uuid, "", "pids.max");
        if (pids)
                cr_assert_str_eq(pids, "100\n");
        _cleanup_free_ char *app_mem =
            cgp_read(file, "memory", pf->uuid, "app-a", cgp_memory_file(file));
        cr_assert(app_mem && atoll(app_mem) == 67108864, "%s", app_mem);
}

Test(isolation_cgroup, pod_limits_bound_app_limits)
{
        pf_add_app(pf, "big", img, APP(MEMORY("1Gi"), "\"limits\""), NULL);
        pf_add_app(pf, "bare", img, APP("", "\"limits\""), NULL);
        pf_set_pod_isolators(pf, MEMORY("96Mi"));
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *big = log_of("big"), *bare = log_of("bare");
        expect_in(big, "memory.limit", "100663296");
        expect_in(bare, "memory.limit", "100663296");
}

Test(isolation_cgroup, in_app_view_is_read_only_and_has_no_release_agent)
{
        pf_add_app(
            pf, "a", img,
            APP("", "\"ls\", \"/sys/fs/cgroup\", \"write\", "
                    "\"/sys/fs/cgroup/memory/cgroup.procs\", \"1\","
                    " \"write\", \"/sys/fs/cgroup/cgroup.procs\", \"1\", \"stat\", "
                    "\"/sys/fs/cgroup/memory/release_agent\","
                    " \"stat\", \"/sys/fs/cgroup/release_agent\", \"mkdir\", \"/sys/fs/cgroup/x\""),
            NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *w0 = th_kv_nth(pf->out, "write.errno", 0),
                            *w1 = th_kv_nth(pf->out, "write.errno", 1);
        /* v1: the memory dir is a read-only bind; the tmpfs is read-only (or ENOENT on v2). */
        cr_assert(w0 && (strcmp(w0, "EROFS") == 0 || strcmp(w0, "ENOENT") == 0), "%s", pf->out);
        cr_assert(w1 && (strcmp(w1, "EROFS") == 0 || strcmp(w1, "ENOENT") == 0), "%s", pf->out);
        cr_assert_eq(th_count_prefix(pf->out, "write=ok"), 0, "%s", pf->out);
        cr_assert_eq(th_count_prefix(pf->out, "stat.errno=ENOENT"), 2, "no release_agent: %s",
                     pf->out);
        expect_in(pf->out, "mkdir", "EROFS");
}

Test(isolation_cgroup, supervisor_lives_in_its_own_leaf_protected_from_oom)
{
        pf_add_app(pf, "a", img,
                   APP("", "\"oom\", \"read\", \"/proc/1/oom_score_adj\", \"sleep-ms\", \"3000\""),
                   NULL);
        pf_start(pf, NULL);
        _cleanup_free_ char *pidf = pf_path(pf, "appsinfo/a/pid");
        cr_assert(th_wait_file(pidf, 5000));
        _cleanup_free_ char *podpid = NULL, *apppid = pf_read(pf, "appsinfo/a/pid");
        cr_assert(th_wait_file(pidf, 5000));
        podpid = pf_read(pf, "pid");
        _cleanup_free_ char *sup_cg = cgp_proc_cgroup(atoi(podpid), "memory");
        _cleanup_free_ char *run_cg = cgp_proc_cgroup(pf->pid, "memory");
        _cleanup_free_ char *app_cg = cgp_proc_cgroup(atoi(apppid), "memory");
        _cleanup_free_ char *sup_want = xasprintf("/ace-%s/supervisor", pf->uuid);
        _cleanup_free_ char *app_want = xasprintf("/ace-%s/app-a", pf->uuid);
        cr_assert(sup_cg && strstr(sup_cg, sup_want), "supervisor in %s", sup_cg);
        cr_assert(run_cg && strstr(run_cg, sup_want), "run process in %s", run_cg);
        cr_assert(app_cg && strstr(app_cg, app_want), "app in %s", app_cg);
        /* Every v1 controller hierarchy, not just memory: the runtime's processes move by
         * writing to `tasks` (stage1/cgroup.c), which must move the whole process each time. */
        static const char *const ctl[] = {"cpu", "cpuacct", "devices", "freezer", "blkio", "pids"};
        for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
                _cleanup_free_ char *here = cgp_proc_cgroup(getpid(), ctl[i]);
                if (!here)
                        continue; /* not a v1 hierarchy on this host */
                _cleanup_free_ char *s = cgp_proc_cgroup(atoi(podpid), ctl[i]),
                                    *r = cgp_proc_cgroup(pf->pid, ctl[i]),
                                    *a = cgp_proc_cgroup(atoi(apppid), ctl[i]);
                cr_assert(s && strstr(s, sup_want), "%s: supervisor in %s", ctl[i], s);
                cr_assert(r && strstr(r, sup_want), "%s: run process in %s", ctl[i], r);
                cr_assert(a && strstr(a, app_want), "%s: app in %s", ctl[i], a);
        }
        cr_assert_eq(pf_wait(pf), 0, "%s", pf->err);
        /* The app gets the run process's value back, not the supervisor's protection. */
        expect_in(pf->out, "oom_score_adj", "0");
        /* -1000 needs CAP_SYS_RESOURCE; without it (some sandboxes) the leaf alone protects. */
        expect_in(pf->out, "read", th_has_cap(24) ? "-1000\\n" : "0\\n");
}

Test(isolation_cgroup, memory_hog_is_oom_killed_and_reported_137)
{
        /* T-44: 1 GiB in a 64 MiB cgroup. The app dies by SIGKILL, the supervisor lives on to
         * record it and the other app finishes normally. */
        pf_add_app(pf, "hog", img,
                   APP(MEMORY("64Mi"),
                       "\"print\", \"hogging\", \"alloc\", \"1024\", \"print\", \"survived\""),
                   NULL);
        pf_add_app(pf, "other", img, APP("", "\"sleep-ms\", \"300\", \"print\", \"other-done\""),
                   NULL);
        int status = pf_run(pf, NULL);
        cr_assert_eq(status, 137, "pod status %d: %s", status, pf->err);
        _cleanup_free_ char *exit_hog = pf_read(pf, "appsinfo/hog/exit");
        cr_assert_str_eq(exit_hog, "137\n");
        _cleanup_free_ char *hog = log_of("hog");
        cr_assert(strstr(hog, "hogging") && !strstr(hog, "survived"), "%s", hog);
        _cleanup_free_ char *file = pf_read(pf, "cgroup");
        _cleanup_free_ char *events =
            cgp_read(file, "memory", pf->uuid, "app-hog", cgp_oom_file(file));
        cr_assert(events && cgp_oom_kills(events) >= 1, "oom kill counted in the app's cgroup: %s",
                  events);
}

static double host_fork_ms(void)
{
        struct timespec a, b;
        pid_t pid;

        clock_gettime(CLOCK_MONOTONIC, &a);
        pid = fork();
        if (pid == 0) {
                execl("/bin/true", "true", (char *)NULL);
                _exit(127);
        }
        cr_assert(pid > 0, "host fork failed during the bomb: %s", strerror(errno));
        waitpid(pid, NULL, 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

Test(isolation_cgroup, fork_bomb_is_contained_by_the_pids_limit)
{
        /* T-43: the bomb hits pids.max=64 (EAGAIN); the host still forks fast; stop is quick. */
        pf_add_app(pf, "bomb", img, APP("", "\"forkbomb\", \"100000\", \"sleep\", \"600\""), NULL);
        pf_set_pod_isolators(pf, PIDS(64));
        pf_start(pf, NULL);
        for (int i = 0; i < 500; i++) {
                _cleanup_free_ char *l = log_of("bomb");
                if (l && strstr(l, "forkbomb.errno="))
                        break;
                usleep(10000);
        }
        _cleanup_free_ char *l = log_of("bomb");
        _cleanup_free_ char *e = l ? th_kv(l, "forkbomb.errno") : NULL,
                            *count = l ? th_kv(l, "forkbomb.count") : NULL;
        cr_assert(e && strcmp(e, "EAGAIN") == 0, "%s", l);
        cr_assert(atol(count) < 64, "%s children", count);
        double worst = 0;
        for (int i = 0; i < 50; i++) {
                double ms = host_fork_ms();
                worst = ms > worst ? ms : worst;
        }
        cr_assert_lt(worst, 100.0, "host fork+exec took %.1f ms during the bomb", worst);
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        cr_assert_eq(pf_entrypoint(pf, "stop", (const char *const[]){pf->uuid, NULL}, NULL, NULL),
                     0);
        pf_wait(pf);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
        cr_assert_lt(secs, 5.0, "the pod took %.1f s to stop", secs);
        _cleanup_free_ char *file = pf_read(pf, "cgroup");
        _cleanup_free_ char *procs = cgp_read(file, "pids", pf->uuid, "app-bomb", "cgroup.procs");
        cr_assert(!procs || !*procs, "processes left in the app's cgroup: %s", procs);
}

Test(isolation_cgroup, unenforced_isolators_are_reported_and_strict_refuses)
{
        pf_add_app(pf, "a", img,
                   APP("{\"name\": \"resource/network-bandwidth\", \"value\": {\"default\": true, "
                       "\"limit\": \"1M\"}}",
                       "\"print\", \"ran\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        cr_assert(
            strstr(pf->err,
                   "isolator resource/network-bandwidth (app=a) is not enforced: not supported"),
            "%s", pf->err);
        _cleanup_free_ char *file = pf_read(pf, "isolators-unenforced");
        cr_assert_str_eq(file, "resource/network-bandwidth app=a: not supported by this stage1\n");

        static const char *const strict[] = {"--strict-isolators", NULL};
        cr_assert_eq(pf_entrypoint(pf, "gc", (const char *const[]){pf->uuid, NULL}, NULL, NULL), 0);
        cr_assert_eq(pf_run(pf, strict), 254);
        cr_assert(strstr(pf->err, "isolator resource/network-bandwidth (app=a) cannot be enforced"),
                  "%s", pf->err);
        cr_assert_null(strstr(pf->out, "ran"));
        _cleanup_free_ char *cg = pf_read(pf, "cgroup");
        cr_assert_eq(cgp_count_dirs(cg, pf->uuid), 0, "a refused pod leaves no cgroup");
}

Test(isolation_cgroup, selinux_and_apparmor_are_reported_when_absent)
{
        pf_add_app(pf, "a", img,
                   APP("{\"name\": \"os/linux/apparmor-profile\", \"value\": {\"profile\": \"p\"}}",
                       "\"print\", \"ran\""),
                   NULL);
        pf_set_pod_isolators(pf, "{\"name\": \"os/linux/selinux-context\", \"value\": {\"user\": "
                                 "\"u\", \"role\": \"r\", \"type\": \"t\", \"level\": \"s0\"}}");
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *file = pf_read(pf, "isolators-unenforced");
        if (access("/sys/fs/selinux/enforce", F_OK) != 0)
                cr_assert(
                    strstr(file,
                           "os/linux/selinux-context pod: SELinux is not enabled on this host\n"),
                    "%s", file);
        if (access("/sys/module/apparmor/parameters/enabled", F_OK) != 0)
                cr_assert(
                    strstr(
                        file,
                        "os/linux/apparmor-profile app=a: AppArmor is not enabled on this host\n"),
                    "%s", file);
}

Test(isolation_cgroup, gc_removes_the_pod_cgroups_and_is_idempotent)
{
        pf_add_app(pf, "a", img, APP(MEMORY("32Mi"), "\"print\", \"ok\""), NULL);
        pf_add_app(pf, "b", img, APP("", "\"print\", \"ok\""), NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *file = pf_read(pf, "cgroup");
        cr_assert_gt(cgp_count_dirs(file, pf->uuid), 0, "the pod has cgroups until gc");
        cr_assert_eq(pf_entrypoint(pf, "gc", (const char *const[]){pf->uuid, NULL}, NULL, NULL), 0);
        cr_assert_eq(cgp_count_dirs(file, pf->uuid), 0);
        cr_assert_eq(pf_entrypoint(pf, "gc", (const char *const[]){pf->uuid, NULL}, NULL, NULL), 0);
}

Test(isolation_cgroup, cpu_shares_request_and_oom_score_adj)
{
        pf_add_app(pf, "shares", img,
                   APP("{\"name\": \"os/linux/cpu-shares\", \"value\": 300}, {\"name\": "
                       "\"os/linux/oom-score-adj\", \"value\": 500}",
                       "\"oom\""),
                   NULL);
        pf_add_app(pf, "request", img,
                   APP("{\"name\": \"resource/cpu\", \"value\": {\"request\": \"250m\"}},"
                       " {\"name\": \"resource/memory\", \"value\": {\"request\": \"16Mi\", "
                       "\"limit\": \"64Mi\"}}",
                       "\"oom\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *file = pf_read(pf, "cgroup");
        _cleanup_free_ char *s1 = cgp_read(file, "cpu", pf->uuid, "app-shares", "cpu.shares");
        _cleanup_free_ char *s2 = cgp_read(file, "cpu", pf->uuid, "app-request", "cpu.shares");
        _cleanup_free_ char *soft =
            cgp_read(file, "memory", pf->uuid, "app-request", "memory.soft_limit_in_bytes");
        if (s1 || s2) { /* v1 */
                cr_assert_str_eq(s1, "300\n");
                cr_assert_str_eq(s2, "256\n", "250m = a quarter of 1024");
                cr_assert_str_eq(soft, "16777216\n");
        }
        _cleanup_free_ char *ls = pf_read(pf, "logs/shares.log"),
                            *lr = pf_read(pf, "logs/request.log");
        expect_in(ls, "oom_score_adj", "500");
        expect_in(lr, "oom_score_adj", "0");
}
