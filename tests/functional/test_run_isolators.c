/*
 * test_run_isolators.c - every isolator flag of `ace run` reaching the app, end to end through
 * stage0 (not the pod fixture): --memory, --cpu, --cpu-shares, --oom-score-adj, --pids-limit,
 * --caps-retain, --caps-remove, --seccomp and --insecure-options=capabilities,paths,seccomp,
 * each seen by the probe inside the app (CapBnd, Seccomp, the errno of a blocked syscall,
 * memory.limit_in_bytes, the cpu quota, pids.max, oom_score_adj). Also rkt's rules (CLI
 * isolators replace the image's of the same kind; --caps-retain with --caps-remove is an
 * error; --memory below 4096 bytes is refused), --strict-isolators on run and run-prepared,
 * and the unenforced isolators in `ace status` (text and JSON).
 */
#include <criterion/criterion.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/ace_cmd.h"
#include "tests/lib/helpers.h"
#include "tests/lib/test_image.h"

static char *dir;
static struct test_image *img;
static char *aci;     /* example.com/probe: exec /probe, no isolators */
static char *iso_aci; /* example.com/isolated: memory 32Mi, caps retain CAP_KILL, seccomp */
static char *net_aci; /* example.com/netbw: an isolator stage1 cannot enforce */

/* appc's default bounding set and two of its bits (linux/capability.h). */
#define DEFAULT_CAPS 0xa80425fbULL
#define CAP_CHOWN 0
#define CAP_KILL 5
#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13
#define CAP_SYS_ADMIN 21

static char *build(const char *file, const char *name, const char *app_json)
{
        char *m = ft_manifest(name, "1.0", app_json, NULL);
        char *path = xasprintf("%s/%s", dir, file);
        free(ft_write_aci(img->dir, m, path));
        free(m);
        return path;
}

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        dir = th_mkdtemp("ace-run-iso");
        img = timg_new("example.com/probe");
        aci = build("probe.aci", "example.com/probe",
                    "{\"exec\": [\"/probe\"], \"user\": \"0\", \"group\": \"0\"}");
        iso_aci =
            build("isolated.aci", "example.com/isolated",
                  "{\"exec\": [\"/probe\"], \"user\": \"0\", \"group\": \"0\", \"isolators\": ["
                  "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"32Mi\"}},"
                  "{\"name\": \"os/linux/capabilities-retain-set\", \"value\": {\"set\": "
                  "[\"CAP_KILL\"]}},"
                  "{\"name\": \"os/linux/seccomp-remove-set\", \"value\": {\"set\": [\"uname\"], "
                  "\"errno\": \"ENOTSUP\"}}]}");
        net_aci = build("netbw.aci", "example.com/netbw",
                        "{\"exec\": [\"/probe\", \"print\", \"ran\"], \"user\": \"0\", "
                        "\"group\": \"0\", \"isolators\": [{\"name\": "
                        "\"resource/network-bandwidth\", \"value\": {\"default\": true, "
                        "\"limit\": \"1M\"}}]}");
}

static void teardown(void)
{
        struct ace_result r;
        ace_runf(dir, &r, "gc --grace-period=0s");
        ace_result_done(&r);
        th_rm_rf(dir);
        timg_free(img);
        free(dir);
        free(aci);
        free(iso_aci);
        free(net_aci);
}

TestSuite(run_isolators, .init = setup, .fini = teardown, .timeout = 180);

/* `ace run --insecure-options=image ARGS` (space-separated). */
static void run(struct ace_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run(struct ace_result *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *args = xvasprintf(fmt, ap);
        va_end(ap);
        ace_runf(dir, r, "run --insecure-options=image %s", args);
}

static void expect_kv(const struct ace_result *r, const char *key, const char *want)
{
        _cleanup_free_ char *v = th_kv(r->out, key);
        cr_assert(v, "%s missing in:\n%s\nstderr: %s", key, r->out, r->err);
        cr_assert_str_eq(v, want, "%s=%s, want %s\n%s", key, v, want, r->out);
}

static unsigned long long cap_bnd(const struct ace_result *r)
{
        _cleanup_free_ char *v = th_kv(r->out, "status.CapBnd");
        cr_assert(v, "no CapBnd in:\n%s\nstderr: %s", r->out, r->err);
        return strtoull(v, NULL, 16);
}

static char *only_uuid(void)
{
        struct ace_result r;
        ace_runf(dir, &r, "list --no-legend --full");
        char *u = xstrndup(r.out, 36);
        ace_result_done(&r);
        return u;
}

static size_t pod_count(void)
{
        struct ace_result r;
        ace_runf(dir, &r, "list --no-legend --full");
        size_t n = th_count_substr(r.out, "\n");
        ace_result_done(&r);
        return n;
}

static bool host_has_v1(const char *controller)
{
        _cleanup_free_ char *p = xasprintf("/sys/fs/cgroup/%s/cgroup.procs", controller);
        return access(p, F_OK) == 0;
}

Test(run_isolators, resource_flags_reach_the_apps_cgroup_and_oom_score)
{
        struct ace_result r;

        run(&r,
            "--pids-limit=50 %s --memory=64Mi --cpu=500m --cpu-shares=300 "
            "--oom-score-adj=100 -- limits oom read /sys/fs/cgroup/cpu/cpu.shares",
            aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        expect_kv(&r, "memory.limit", "67108864");
        _cleanup_free_ char *quota = th_kv(r.out, "cpu.quota");
        cr_assert(quota && (!strcmp(quota, "50000") || !strcmp(quota, "50000 100000")), "%s",
                  r.out);
        expect_kv(&r, "pids.max", "50");
        expect_kv(&r, "oom_score_adj", "100");
        if (host_has_v1("cpu"))
                expect_kv(&r, "read", "300\\n");
        ace_result_done(&r);

        /* The pod manifest carries the pod-level ace/pids isolator. */
        _cleanup_free_ char *u = only_uuid();
        ace_runf(dir, &r, "cat-manifest %s", u);
        cr_assert(strstr(r.out, "\"ace/pids\"") && strstr(r.out, "\"limit\": 50"), "%s", r.out);
        ace_result_done(&r);
}

Test(run_isolators, caps_retain_and_caps_remove_set_the_bounding_set)
{
        struct ace_result r;

        run(&r, "%s --caps-retain=CAP_KILL,CAP_NET_ADMIN -- status", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_eq(cap_bnd(&r), (1ULL << CAP_KILL) | (1ULL << CAP_NET_ADMIN), "%s", r.out);
        ace_result_done(&r);

        run(&r, "%s --caps-remove=CAP_NET_RAW,CAP_CHOWN -- status", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_eq(cap_bnd(&r), DEFAULT_CAPS & ~((1ULL << CAP_NET_RAW) | (1ULL << CAP_CHOWN)),
                     "%s", r.out);
        ace_result_done(&r);

        /* rkt's deprecated spelling still works. */
        run(&r, "%s --cap-retain=CAP_KILL -- status", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_eq(cap_bnd(&r), 1ULL << CAP_KILL, "%s", r.out);
        ace_result_done(&r);
}

Test(run_isolators, seccomp_flag_sets_the_filter_and_errno)
{
        struct ace_result r;

        run(&r,
            "%s --seccomp=mode=remove,errno=ENOTSUP,uname,getppid -- status syscall uname "
            "syscall getppid syscall keyctl syscall getpid",
            aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        expect_kv(&r, "status.Seccomp", "2");
        expect_kv(&r, "syscall.uname", "ENOTSUP");
        expect_kv(&r, "syscall.getppid", "ENOTSUP");
        expect_kv(&r, "syscall.keyctl", "ENOTSUP"); /* the default deny-list stays, same errno */
        expect_kv(&r, "syscall.getpid", "0");
        ace_result_done(&r);

        /* A retain set with @appc.io/all: no filter at all. */
        run(&r, "%s --seccomp=mode=retain,@appc.io/all -- status", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        expect_kv(&r, "status.Seccomp", "0");
        ace_result_done(&r);
}

Test(run_isolators, insecure_options_lift_caps_paths_and_seccomp)
{
        struct ace_result r;

        /* The walls up: appc's bounding set, the default filter, /proc/sys read-only. */
        run(&r, "%s -- status syscall keyctl write /proc/sys/kernel/domainname ace", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_eq(cap_bnd(&r), DEFAULT_CAPS, "%s", r.out);
        expect_kv(&r, "status.Seccomp", "2");
        expect_kv(&r, "syscall.keyctl", "EPERM");
        expect_kv(&r, "write.errno", "EROFS");
        ace_result_done(&r);

        /* Each insecure option takes down its wall, and only its own. */
        ace_runf(dir, &r, "run --insecure-options=image,capabilities %s -- status", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert(cap_bnd(&r) & (1ULL << CAP_SYS_ADMIN), "%s", r.out);
        expect_kv(&r, "status.Seccomp", "2");
        ace_result_done(&r);

        ace_runf(dir, &r, "run --insecure-options=image,seccomp %s -- status", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_eq(cap_bnd(&r), DEFAULT_CAPS, "%s", r.out);
        expect_kv(&r, "status.Seccomp", "0");
        ace_result_done(&r);

        ace_runf(dir, &r,
                 "run --insecure-options=image,paths %s -- status write "
                 "/proc/sys/kernel/domainname ace",
                 aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert_null(strstr(r.out, "write.errno"), "%s", r.out);
        expect_kv(&r, "status.Seccomp", "2");
        ace_result_done(&r);

        /* All three, as `all-run` would; after the image, as Nomad puts them. */
        ace_runf(dir, &r, "run %s --insecure-options=image,capabilities,paths,seccomp -- status",
                 aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert(cap_bnd(&r) & (1ULL << CAP_SYS_ADMIN), "%s", r.out);
        expect_kv(&r, "status.Seccomp", "0");
        ace_result_done(&r);
}

Test(run_isolators, cli_isolators_replace_the_images_of_the_same_kind)
{
        struct ace_result r;

        /* The image's own isolators first. */
        run(&r, "%s -- status limits syscall uname syscall getppid", iso_aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        expect_kv(&r, "memory.limit", "33554432");
        cr_assert_eq(cap_bnd(&r), 1ULL << CAP_KILL, "%s", r.out);
        expect_kv(&r, "syscall.uname", "ENOTSUP");
        expect_kv(&r, "syscall.getppid", "0");
        ace_result_done(&r);

        /* A flag of each kind replaces them: a remove set replaces a retain set, too. */
        run(&r,
            "%s --memory=64Mi --caps-remove=CAP_CHOWN --seccomp=mode=remove,errno=EXFULL,"
            "getppid -- status limits syscall uname syscall getppid",
            iso_aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        expect_kv(&r, "memory.limit", "67108864");
        cr_assert_eq(cap_bnd(&r), DEFAULT_CAPS & ~(1ULL << CAP_CHOWN), "%s", r.out);
        _cleanup_free_ char *uname = th_kv(r.out, "syscall.uname"); /* the kernel's answer */
        cr_assert(uname && strcmp(uname, "ENOTSUP") != 0, "%s", r.out);
        expect_kv(&r, "syscall.getppid", "EXFULL");
        ace_result_done(&r);

        /* Only the kinds given: --cpu leaves the image's memory, caps and seccomp alone. */
        run(&r, "%s --cpu=250m -- status limits syscall uname", iso_aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        expect_kv(&r, "memory.limit", "33554432");
        cr_assert_eq(cap_bnd(&r), 1ULL << CAP_KILL, "%s", r.out);
        expect_kv(&r, "syscall.uname", "ENOTSUP");
        ace_result_done(&r);
}

Test(run_isolators, invalid_isolator_flags_are_refused_before_anything_runs)
{
        static const struct {
                const char *flags;
                const char *msg;
        } cases[] = {
            {"%s --caps-retain=CAP_KILL --caps-remove=CAP_CHOWN",
             "--caps-retain and --caps-remove cannot both be given"},
            {"%s --memory=4095", "at least 4096 bytes"},
            {"%s --memory=lots", "invalid --memory"},
            {"%s --cpu=-1", "invalid --cpu"},
            {"%s --cpu-shares=1", "invalid --cpu-shares"},
            {"%s --oom-score-adj=1001", "invalid --oom-score-adj"},
            {"%s --caps-retain=CAP_NOPE", "CAP_NOPE"},
            {"%s --seccomp=uname", "mode=retain or mode=remove is required"},
            {"%s --seccomp=mode=remove,errno=ENOPE,uname", "ENOPE"},
            {"--pids-limit=0 %s", "invalid --pids-limit"},
            {"--pids-limit=ten %s", "invalid --pids-limit"},
            {"--memory=64Mi %s", "--memory must follow an image"},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ace_result r;
                _cleanup_free_ char *args = xasprintf(cases[i].flags, aci);
                run(&r, "%s -- print ran", args);
                cr_expect_eq(r.status, 254, "%s: exit %d", args, r.status);
                cr_expect(strstr(r.err, cases[i].msg), "%s: stderr %s", args, r.err);
                cr_expect_null(strstr(r.out, "ran"), "%s ran: %s", args, r.out);
                ace_result_done(&r);
        }
        cr_assert_eq(pod_count(), 0, "a refused run left a pod behind");

        /* The smallest memory limit rkt accepted reaches the app's cgroup (where the app may
         * well not fit: what matters is that stage0 passed it on). */
        struct ace_result r;
        run(&r, "%s --memory=4096 -- print ran", aci);
        cr_expect_null(strstr(r.err, "at least 4096"), "%s", r.err);
        ace_result_done(&r);
        cr_assert_eq(pod_count(), 1);
        _cleanup_free_ char *u = only_uuid();
        ace_runf(dir, &r, "cat-manifest %s", u);
        cr_assert(strstr(r.out, "\"limit\": \"4096\""), "%s", r.out);
        ace_result_done(&r);
}

Test(run_isolators, strict_isolators_refuses_and_status_reports_the_unenforced)
{
        struct ace_result r;

        run(&r, "--strict-isolators %s", net_aci);
        cr_assert_eq(r.status, 254, "stderr: %s", r.err);
        cr_assert(strstr(r.err, "resource/network-bandwidth") &&
                      strstr(r.err, "cannot be enforced"),
                  "%s", r.err);
        cr_assert_null(strstr(r.out, "ran"), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "gc --grace-period=0s");
        ace_result_done(&r);

        /* Without it the pod runs, warns, and status says what was not enforced. */
        run(&r, "%s", net_aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_assert(strstr(r.out, "ran"), "%s", r.out);
        cr_assert(strstr(r.err, "isolator resource/network-bandwidth (app=netbw) is not enforced"),
                  "%s", r.err);
        ace_result_done(&r);
        _cleanup_free_ char *u = only_uuid();
        ace_runf(dir, &r, "status %s", u);
        cr_assert(strstr(r.out, "\nisolator-unenforced=resource/network-bandwidth app=netbw: not "
                                "supported by this stage1\n"),
                  "%s", r.out);
        ace_result_done(&r);

        ace_runf(dir, &r, "status --format=json %s", u);
        cr_assert_eq(r.status, 0, "%s", r.err);
        struct json_object *o = json_tokener_parse(r.out), *a, *e, *v;
        cr_assert(o && json_object_object_get_ex(o, "isolators_unenforced", &a), "%s", r.out);
        cr_assert_eq(json_object_array_length(a), 1, "%s", r.out);
        e = json_object_array_get_idx(a, 0);
        static const char *const want[][2] = {{"name", "resource/network-bandwidth"},
                                              {"scope", "app"},
                                              {"app", "netbw"},
                                              {"reason", "not supported by this stage1"}};
        for (size_t i = 0; i < 4; i++) {
                cr_assert(json_object_object_get_ex(e, want[i][0], &v), "%s", r.out);
                cr_assert_str_eq(json_object_get_string(v), want[i][1]);
        }
        json_object_put(o);
        ace_result_done(&r);
}

Test(run_isolators, enforced_pod_reports_an_empty_list)
{
        struct ace_result r;

        run(&r, "--strict-isolators %s -- print ran", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        ace_result_done(&r);
        _cleanup_free_ char *u = only_uuid();
        ace_runf(dir, &r, "status %s", u);
        cr_assert_null(strstr(r.out, "isolator-unenforced="), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "status --format=json %s", u);
        cr_assert(strstr(r.out, "\"isolators_unenforced\":[]"), "%s", r.out);
        ace_result_done(&r);
}

Test(run_isolators, run_prepared_passes_strict_isolators)
{
        struct ace_result r;

        ace_runf(dir, &r, "prepare --insecure-options=image --quiet --pids-limit=20 %s", net_aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        _cleanup_free_ char *u = xstrndup(r.out, 36);
        ace_result_done(&r);
        ace_runf(dir, &r, "cat-manifest %s", u);
        cr_assert(strstr(r.out, "\"ace/pids\""), "prepare --pids-limit: %s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "run-prepared --strict-isolators %s", u);
        cr_assert_eq(r.status, 254, "stderr: %s", r.err);
        cr_assert(strstr(r.err, "cannot be enforced"), "%s", r.err);
        cr_assert_null(strstr(r.out, "ran"), "%s", r.out);
        ace_result_done(&r);
}
