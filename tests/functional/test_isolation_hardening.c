/*
 * test_isolation_hardening.c - the walls around an app (reliability.md T-19..T-29), each seen
 * from inside by the probe: masked and read-only /proc and /sys (T-22), no cgroupfs mount, fds
 * and workingDirectory escapes (T-19, T-20) also through `enter`, CVE-2019-5736 (T-23: no host
 * runtime binary is ever the /proc/PID/exe of a process in the pod, none can be opened for
 * writing, the binaries are unchanged), enter parity (T-24) and a ptrace/fd-stealing app during
 * hundreds of enters (T-25), the capability sets (T-27), host environment leaks (T-29) and
 * --disable-paths / --disable-capabilities-restriction.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
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

TestSuite(isolation_hardening, .init = setup, .fini = teardown, .timeout = 120);

#define APP_AS(user, group, extra, ...)                                                            \
        "{\"exec\": [\"/probe\", " __VA_ARGS__ "], \"user\": \"" user "\", \"group\": \"" group    \
        "\"" extra "}"
#define APP(...) APP_AS("0", "0", "", __VA_ARGS__)

static void expect(const char *text, const char *key, const char *want)
{
        _cleanup_free_ char *v = th_kv(text, key);
        cr_assert(v, "%s missing in:\n%s\nstderr: %s", key, text, pf->err);
        cr_assert_str_eq(v, want, "%s=%s, want %s", key, v, want);
}

static void expect_nth(const char *text, const char *key, int n, const char *want)
{
        _cleanup_free_ char *v = th_kv_nth(text, key, n);
        cr_assert(v, "%s #%d missing in:\n%s", key, n, text);
        cr_assert_str_eq(v, want, "%s #%d = %s, want %s", key, n, v, want);
}

static void wait_output(const char *want)
{
        for (int i = 0; i < 1000; i++) {
                _cleanup_free_ char *o = pf_stdout_now(pf);
                if (o && strstr(o, want))
                        return;
                usleep(5000);
        }
        cr_assert_fail("app never printed %s", want);
}

static char *pod_pid_arg(void)
{
        _cleanup_free_ char *podpid = pf_read(pf, "pid");
        podpid[strcspn(podpid, "\n")] = 0;
        return xasprintf("--pid=%s", podpid);
}

/* ---- T-22: /proc and /sys ----------------------------------------------------------------------
 */

Test(isolation_hardening, proc_and_sys_are_masked_or_read_only)
{
        bool sysrq = access("/proc/sysrq-trigger", F_OK) == 0,
             kcore = access("/proc/kcore", F_OK) == 0,
             modprobe = access("/proc/sys/kernel/modprobe", F_OK) == 0;

        pf_add_app(pf, "a", img,
                   APP("\"write\", \"/proc/sysrq-trigger\", \"h\", \"write\", "
                       "\"/proc/sys/kernel/core_pattern\", \"|/evil\","
                       " \"write\", \"/proc/sys/vm/panic_on_oom\", \"1\", \"write\", "
                       "\"/proc/sys/kernel/modprobe\", \"/evil\","
                       " \"read\", \"/proc/kallsyms\", \"stat\", \"/proc/kallsyms\", \"read\", "
                       "\"/proc/keys\","
                       " \"read\", \"/proc/kcore\", \"stat\", \"/sys/firmware\", \"ls\", "
                       "\"/sys/firmware\","
                       " \"write\", \"/sys/kernel/uevent_helper\", \"/evil\", \"write\", "
                       "\"/proc/kallsyms\", \"x\","
                       " \"mount-fs\", \"cgroup\", \"/tmp/cg\", \"memory\", \"mount-fs\", "
                       "\"proc\", \"/tmp/p\", \"-\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        /* sysrq-trigger is read-only where the kernel has it (this one may not: ENOENT). */
        expect_nth(pf->out, "write.errno", 0, sysrq ? "EROFS" : "ENOENT");
        expect_nth(pf->out, "write.errno", 1, "EROFS");
        expect_nth(pf->out, "write.errno", 2, "EROFS");
        expect_nth(pf->out, "write.errno", 3, modprobe ? "EROFS" : "ENOENT");
        expect_nth(pf->out, "write.errno", 4, "EROFS");
        expect_nth(pf->out, "write.errno", 5, "EROFS");
        cr_assert_eq(th_count_prefix(pf->out, "write=ok"), 0, "%s", pf->out);
        /* Hidden files read empty and show mode 0; hidden directories are empty mode-0 dirs. */
        expect_nth(pf->out, "read", 0, "");
        expect_nth(pf->out, "stat.mode", 0, "0000");
        expect_nth(pf->out, "read", 1, "");
        if (kcore)
                expect_nth(pf->out, "read", 2, "");
        else
                expect(pf->out, "read.errno", "ENOENT");
        expect_nth(pf->out, "stat.mode", 1, "0000");
        expect(pf->out, "ls", "");
        /* No filesystem mounts from inside: seccomp first, and no CAP_SYS_ADMIN behind it. */
        expect(pf->out, "mount_fs.cgroup", "EPERM");
        expect(pf->out, "mount_fs.proc", "EPERM");
}

Test(isolation_hardening, disable_paths_removes_the_masks_but_not_the_cgroup_view)
{
        static const char *const args[] = {"--disable-paths", NULL};
        pf_add_app(pf, "a", img, APP("\"stat\", \"/proc/kallsyms\", \"mounts\""), NULL);
        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        expect(pf->out, "stat.mode", "0444");
        cr_assert_null(strstr(pf->out, "mount=/proc/sys "), "%s", pf->out);
        cr_assert(strstr(pf->out, "mount=/sys sysfs rw,"), "sysfs read-write: %s", pf->out);
}

/* ---- T-19, T-20: fds and the working directory -------------------------------------------------
 */

Test(isolation_hardening, working_directory_through_any_proc_fd_is_refused)
{
        static const int fds[] = {3, 4, 5, 7, 10, 64};

        for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
                struct pod_fixture *one = pf_new();
                struct test_image *im = timg_new("example.com/probe");
                _cleanup_free_ char *app =
                    xasprintf("{\"exec\": [\"/probe\", \"cwd\", \"ls\", \"../../..\"], \"user\": "
                              "\"0\", \"group\": \"0\","
                              " \"workingDirectory\": \"/proc/self/fd/%d\"}",
                              fds[i]);
                pf_add_app(one, "a", im, app, NULL);
                cr_assert_neq(pf_run(one, NULL), 0, "fd %d", fds[i]);
                cr_assert(strstr(one->err, "working directory"), "fd %d: %s", fds[i], one->err);
                cr_assert_null(strstr(one->out, "cwd="), "fd %d: %s", fds[i], one->out);
                pf_free(one);
                timg_free(im);
        }
}

Test(isolation_hardening, entered_commands_get_only_stdio_fds)
{
        pf_add_app(pf, "a", img, APP("\"print\", \"up\", \"sleep\", \"30\""), NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        _cleanup_free_ char *pidarg = pod_pid_arg(), *out = NULL, *err = NULL;
        const char *args[] = {pidarg, "--appname=a", "--", "/probe", "fds", "cwd", NULL};
        cr_assert_eq(pf_entrypoint(pf, "enter", args, &out, &err), 0, "%s", err);
        expect(out, "fds", "0,1,2");
        expect(out, "cwd", "/");
        kill(pf->pid, SIGTERM);
        pf_wait(pf);
}

/* ---- T-23: CVE-2019-5736 -----------------------------------------------------------------------
 */

static char *file_digest(const char *path)
{
        /* The whole file is the fingerprint: the binaries are small. */
        return th_read_file(path);
}

Test(isolation_hardening, no_host_runtime_binary_is_ever_an_exe_in_the_pod)
{
        _cleanup_free_ char *init = xasprintf("%s/%s/rootfs/init", pf->tree_store, pf->stage1_tree);
        _cleanup_free_ char *stage2 =
            xasprintf("%s/%s/rootfs/stage2", pf->tree_store, pf->stage1_tree);
        _cleanup_free_ char *init0 = file_digest(init), *stage20 = file_digest(stage2);
        struct stat st0, st1;

        cr_assert(init0 && stage20);
        cr_assert(stat(stage2, &st0) == 0);
        /* The strongest app there is (every capability): only the memfd and the sealing stand
         * between it and the host's stage2 while stage2 starts. */
        static const char *const args[] = {"--disable-capabilities-restriction", NULL};
        pf_add_app(pf, "watch", img, APP("\"print\", \"up\", \"exe-watch\", \"100000\""), NULL);
        pf_add_app(pf, "late", img, APP("\"sleep-ms\", \"200\""), NULL);
        pf_start(pf, args);
        wait_output("up\n");
        _cleanup_free_ char *pidarg = pod_pid_arg();
        for (int i = 0; i < 30; i++) {
                const char *eargs[] = {pidarg, "--appname=watch", "--", "/bin/true", NULL};
                _cleanup_free_ char *eerr = NULL;
                int rc = pf_entrypoint(pf, "enter", eargs, NULL, &eerr);
                cr_assert_eq(rc, 0, "enter %d: %d: %s", i, rc, eerr);
        }
        /* Stopped by SIGTERM to the pod, not through enter (see the probe's watchers). */
        cr_assert(kill(pf->pid, SIGTERM) == 0);
        cr_assert_eq(pf_wait(pf), 0, "%s", pf->err);
        _cleanup_free_ char *log = pf_read(pf, "logs/watch.log");
        _cleanup_free_ char *targets = th_kv(log, "exe_watch.targets");
        _cleanup_free_ char *wtargets = th_kv(log, "exe_watch.writable_targets");
        cr_assert(targets && wtargets, "%s", log);
        cr_assert(strstr(targets, "/memfd:ace-"), "the watcher saw the runtime's processes: %s",
                  targets);
        cr_assert_null(strstr(wtargets, "memfd"), "a sealed runtime copy opened for writing: %s",
                       wtargets);
        cr_assert_null(strstr(wtargets, pf->data_dir), "a host binary opened for writing: %s",
                       wtargets);
        /* Every exe the app could see is one of its own binaries or a sealed runtime copy. */
        _cleanup_strv_free_ char **each = strv_split(targets, ",", false);
        for (size_t i = 0; each[i]; i++)
                cr_assert(strcmp(each[i], "/probe") == 0 || strcmp(each[i], "/bin/busybox") == 0 ||
                              strncmp(each[i], "/memfd:ace-stage", 16) == 0,
                          "%s was the exe of a process in the pod (all: %s)", each[i], targets);
        _cleanup_free_ char *init1 = file_digest(init), *stage21 = file_digest(stage2);
        cr_assert(stat(stage2, &st1) == 0);
        cr_assert_eq(st0.st_size, st1.st_size);
        cr_assert(memcmp(init0, init1, strlen(init0)) == 0 &&
                      memcmp(stage20, stage21, (size_t)st0.st_size) == 0,
                  "host runtime binaries unchanged");
}

/* ---- T-24, T-25: enter
 * ---------------------------------------------------------------------------- */

Test(isolation_hardening, enter_has_the_apps_exact_isolation)
{
        /* A non-root app with supplementary groups, a retain set, the default seccomp filter
         * (so no_new_privs is forced) and a memory limit: every trait must match in enter. */
        pf_add_app(pf, "a", img,
                   APP_AS("user", "users",
                          ", \"supplementaryGIDs\": [4242], \"isolators\": ["
                          "{\"name\": \"os/linux/capabilities-retain-set\", \"value\": {\"set\": "
                          "[\"CAP_NET_BIND_SERVICE\", \"CAP_KILL\"]}},"
                          "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"100Mi\"}}]",
                          "\"id\", \"ns\", \"status\", \"cgroup\", \"limits\", \"oom\", \"print\", "
                          "\"up\", \"sleep\", \"30\""),
                   NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        _cleanup_free_ char *pidarg = pod_pid_arg(), *out = NULL, *err = NULL;
        const char *args[] = {pidarg,   "--appname=a", "--",  "/probe",  "id",     "ns", "status",
                              "cgroup", "limits",      "oom", "syscall", "keyctl", NULL};
        cr_assert_eq(pf_entrypoint(pf, "enter", args, &out, &err), 0, "%s", err);
        _cleanup_free_ char *app = pf_stdout_now(pf);
        static const char *const same[] = {
            "uid",
            "gid",
            "groups",
            "ns.mnt",
            "ns.pid",
            "ns.net",
            "ns.ipc",
            "ns.uts",
            "ns.cgroup",
            "status.CapBnd",
            "status.CapEff",
            "status.CapPrm",
            "status.CapInh",
            "status.CapAmb",
            "status.NoNewPrivs",
            "status.Seccomp",
            "status.Seccomp_filters",
            "status.Groups",
            "cgroup",
            "memory.limit",
            "oom_score_adj",
        };
        for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
                _cleanup_free_ char *e = th_kv(out, same[i]), *a = th_kv(app, same[i]);
                cr_assert(e && a, "%s missing (enter: %s)", same[i], out);
                cr_assert_str_eq(e, a, "%s: enter %s, app %s", same[i], e, a);
        }
        expect(out, "status.CapBnd", "0000000000000420");
        expect(out, "status.Seccomp", "2");
        expect(out, "status.NoNewPrivs", "1");
        expect(out, "memory.limit", "104857600");
        expect(out, "syscall.keyctl", "EPERM");
        kill(pf->pid, SIGTERM);
        pf_wait(pf);
}

Test(isolation_hardening, app_cannot_ptrace_or_steal_fds_from_entering_helpers)
{
        /* T-25: 500 enters while the app loops over every process with PTRACE_SEIZE and
         * /proc/PID/fd. Processes that already run as the app are fair game; a helper holding
         * more capabilities than the app must never be reachable. */
        pf_add_app(pf, "a", img, APP("\"print\", \"up\", \"ptrace-watch\", \"100000\""), NULL);
        pf_start(pf, NULL);
        wait_output("up\n");
        _cleanup_free_ char *pidarg = pod_pid_arg();
        for (int i = 0; i < 500; i++) {
                const char *args[] = {pidarg, "--appname=a", "--", "/bin/true", NULL};
                _cleanup_free_ char *eerr = NULL;
                int rc = pf_entrypoint(pf, "enter", args, NULL, &eerr);
                cr_assert_eq(rc, 0, "enter %d: %d: %s", i, rc, eerr);
        }
        /* Stopped by SIGTERM to the pod, not through enter (see the probe's watchers). */
        cr_assert(kill(pf->pid, SIGTERM) == 0);
        cr_assert_eq(pf_wait(pf), 0, "%s", pf->err);
        _cleanup_free_ char *log = pf_read(pf, "logs/a.log");
        _cleanup_free_ char *tries = th_kv(log, "ptrace_watch.tries");
        cr_assert(tries && atoi(tries) > 500, "the watcher ran: %s", log);
        expect(log, "ptrace_watch.seized_priv", "0");
        expect(log, "ptrace_watch.fds_priv", "0");
}

/* ---- T-27: capability sets ----------------------------------------------------------------------
 */

static void caps_case(const char *user, const char *group, const char *isolators,
                      const char *const *args, const char *bnd, const char *eff)
{
        struct pod_fixture *one = pf_new();
        struct test_image *im = timg_new("example.com/probe");
        _cleanup_free_ char *app = xasprintf("{\"exec\": [\"/probe\", \"status\"], \"user\": "
                                             "\"%s\", \"group\": \"%s\", \"isolators\": [%s]}",
                                             user, group, isolators);

        pf_add_app(one, "a", im, app, NULL);
        cr_assert_eq(pf_run(one, args), 0, "%s", one->err);
        _cleanup_free_ char *b = th_kv(one->out, "status.CapBnd"),
                            *e = th_kv(one->out, "status.CapEff"),
                            *p = th_kv(one->out, "status.CapPrm"),
                            *i = th_kv(one->out, "status.CapInh"),
                            *a = th_kv(one->out, "status.CapAmb");
        cr_assert_str_eq(b, bnd, "%s %s: CapBnd", user, isolators);
        cr_assert_str_eq(e, eff, "%s %s: CapEff", user, isolators);
        cr_assert_str_eq(p, eff, "%s %s: CapPrm", user, isolators);
        cr_assert_str_eq(i, "0000000000000000", "CapInh is always empty (T-27)");
        cr_assert_str_eq(a, "0000000000000000", "CapAmb is always empty (T-27)");
        pf_free(one);
        timg_free(im);
}

Test(isolation_hardening, capability_sets_for_root_and_non_root)
{
        static const char *const nocaps[] = {"--disable-capabilities-restriction", NULL};
        _cleanup_free_ char *status = th_read_file("/proc/self/status");
        _cleanup_free_ char *host_bnd = xstrndup(strstr(status, "CapBnd:") + 8, 16);

        /* the appc default set: AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD
         * NET_BIND_SERVICE NET_RAW SETFCAP SETGID SETPCAP SETUID SYS_CHROOT */
        caps_case("0", "0", "", NULL, "00000000a80425fb", "00000000a80425fb");
        caps_case("user", "users", "", NULL, "00000000a80425fb", "0000000000000000");
        caps_case("user", "users",
                  "{\"name\": \"os/linux/capabilities-retain-set\", \"value\": {\"set\": "
                  "[\"CAP_NET_BIND_SERVICE\"]}}",
                  NULL, "0000000000000400", "0000000000000000");
        caps_case("0", "0",
                  "{\"name\": \"os/linux/capabilities-remove-set\", \"value\": {\"set\": "
                  "[\"CAP_NET_RAW\", \"CAP_MKNOD\"]}}",
                  NULL, "00000000a00405fb", "00000000a00405fb");
        caps_case("0", "0", "", nocaps, host_bnd, host_bnd);
}

/* ---- T-29: environment
 * ---------------------------------------------------------------------------- */

Test(isolation_hardening, host_environment_never_reaches_any_app)
{
        static const char *const canaries[] = {"SECRET_CANARY", "LD_PRELOAD", "http_proxy",
                                               "SSH_AUTH_SOCK"};

        for (size_t i = 0; i < ARRAY_SIZE(canaries); i++)
                setenv(canaries[i], "leaked-from-host", 1);
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"env\"], \"user\": \"0\", \"group\": \"0\","
                   " \"environment\": [{\"name\": \"A_ONLY\", \"value\": \"1\"}]}",
                   NULL);
        pf_add_app(pf, "b", img,
                   "{\"exec\": [\"/probe\", \"env\", \"read\", \"/proc/1/environ\"], \"user\": "
                   "\"0\", \"group\": \"0\"}",
                   NULL);
        int status = pf_run(pf, NULL);
        for (size_t i = 0; i < ARRAY_SIZE(canaries); i++)
                unsetenv(canaries[i]);
        cr_assert_eq(status, 0, "%s", pf->err);
        _cleanup_free_ char *la = pf_read(pf, "logs/a.log"), *lb = pf_read(pf, "logs/b.log");
        cr_assert_null(strstr(la, "leaked-from-host"), "%s", la);
        cr_assert_null(strstr(lb, "leaked-from-host"), "%s", lb);
        cr_assert(strstr(la, "env.A_ONLY=1"));
        cr_assert_null(strstr(lb, "A_ONLY"), "app b lacks app a's variables (T-29b)");
        expect(lb, "read.errno", "EACCES");
}

/* ---- devices: CAP_MKNOD is in the appc default set
 * ----------------------------------------------- */

Test(isolation_hardening, apps_cannot_create_or_open_host_devices)
{
        pf_add_app(pf, "a", img,
                   APP("\"mknod-open\", \"/tmp/kvm\", \"c\", \"10\", \"232\", \"mknod-open\", "
                       "\"/tmp/loopctl\", \"c\", \"10\", \"237\","
                       " \"mknod-open\", \"/dev/disk\", \"b\", \"7\", \"0\", \"mknod-open\", "
                       "\"/tmp/null\", \"c\", \"1\", \"3\","
                       " \"write\", \"/dev/null\", \"x\", \"read\", \"/dev/zero\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "%s", pf->err);
        expect(pf->out, "mknod_open./tmp/kvm", "mknod:EPERM");
        expect(pf->out, "mknod_open./tmp/loopctl", "mknod:EPERM");
        expect(pf->out, "mknod_open./dev/disk", "mknod:EPERM");
        expect(pf->out, "mknod_open./tmp/null", "0");
        expect(pf->out, "write", "ok");
        cr_assert_null(strstr(pf->err, "no device policy"), "%s", pf->err);
}
