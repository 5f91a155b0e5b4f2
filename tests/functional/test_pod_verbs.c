/*
 * test_pod_verbs.c - status, list, stop, enter, logs, cat-manifest, rm and gc of `ace` on pods
 * run by the real stage1. The pods are set up with the runtime's pod fixture (the stage1 ABI's
 * pod directory, exactly as `ace run` writes it), so these verbs are tested independently of
 * image fetching; test_pod_run.c covers the same verbs on pods made by `ace run`.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "tests/lib/ace_cmd.h"
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

TestSuite(pod_verbs, .init = setup, .fini = teardown, .timeout = 120);

#define APP(...) "{\"exec\": [\"/probe\", " __VA_ARGS__ "], \"user\": \"0\", \"group\": \"0\"}"

/*
 * Starts the fixture's pod the way `ace run` leaves it: the fixture keeps its own copy of the
 * lock fd (stage0 would have exec'd), which would keep the pod "running" forever, and it does
 * not write stage1/manifest (stage0 does): both fixed here.
 */
static void start(void)
{
        char *src = th_src_path("stage1/aci-manifest.json"), *m = th_read_file(src);
        char *dst = pf_path(pf, "stage1/manifest");
        char *at = strstr(m, "@VERSION@");

        cr_assert(m && at);
        memcpy(at, "0.0.0-tst", 9); /* same length as @VERSION@ */
        pf_start(pf, NULL);
        close(pf->lock_fd);
        pf->lock_fd = -1;
        th_write_file(dst, m, 0640);
        free(src);
        free(m);
        free(dst);
}

static int run_pod(void)
{
        start();
        return pf_wait(pf);
}

static void ace(struct ace_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ace(struct ace_result *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *line = xvasprintf(fmt, ap);
        va_end(ap);
        ace_runf(pf->data_dir, r, "%s", line);
        free(line);
}

/* rkt's exit test: apps exiting 0, 5 and 6 (the last one later) -> the pod's status is 5. */
Test(pod_verbs, status_of_exited_pod_and_app_exit_codes)
{
        struct ace_result r;

        pf_add_app(pf, "zero", img, APP("\"exit\", \"0\""), NULL);
        pf_add_app(pf, "five", img, APP("\"sleep-ms\", \"300\", \"exit\", \"5\""), NULL);
        pf_add_app(pf, "six", img, APP("\"sleep\", \"30\", \"exit\", \"6\""), NULL);
        cr_assert_eq(run_pod(), 5, "stderr: %s", pf->err);

        ace(&r, "status %s", pf->uuid);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "state=exited\n"), "%s", r.out);
        cr_expect(strstr(r.out, "exited=true\n"), "%s", r.out);
        cr_expect(strstr(r.out, "created="), "%s", r.out);
        cr_expect(strstr(r.out, "started="), "%s", r.out);
        cr_expect(strstr(r.out, "pid="), "%s", r.out);
        cr_expect(strstr(r.out, "app-zero=0\n"), "%s", r.out);
        cr_expect(strstr(r.out, "app-five=5\n"), "%s", r.out);
        cr_expect(strstr(r.out, "app-six="), "the stopped app has a status too: %s", r.out);
        /* Lines in rkt's order. */
        cr_expect_lt(strstr(r.out, "state=") - r.out, strstr(r.out, "created=") - r.out);
        cr_expect_lt(strstr(r.out, "pid=") - r.out, strstr(r.out, "exited=") - r.out);
        ace_result_done(&r);

        ace(&r, "status --format=json %.8s", pf->uuid);
        cr_assert_eq(r.status, 0, "%s", r.err);
        struct json_object *o = json_tokener_parse(r.out), *v, *apps;
        cr_assert_not_null(o, "not JSON: %s", r.out);
        cr_expect(json_object_object_get_ex(o, "name", &v) &&
                  strcmp(json_object_get_string(v), pf->uuid) == 0);
        cr_expect(json_object_object_get_ex(o, "state", &v) &&
                  strcmp(json_object_get_string(v), "exited") == 0);
        cr_expect(json_object_object_get_ex(o, "created_at", &v) && json_object_get_int64(v) > 0);
        cr_assert(json_object_object_get_ex(o, "apps", &apps));
        cr_assert_eq(json_object_array_length(apps), 3);
        struct json_object *five = json_object_array_get_idx(apps, 1);
        cr_expect(json_object_object_get_ex(five, "exit_code", &v) && json_object_get_int(v) == 5);
        cr_expect(json_object_object_get_ex(five, "state", &v) &&
                  strcmp(json_object_get_string(v), "exited") == 0);
        cr_expect(json_object_object_get_ex(five, "finished_at", &v) &&
                      json_object_get_int64(v) > 1000000000000000000LL,
                  "app times in ns");
        json_object_put(o);
        ace_result_done(&r);

        ace(&r, "status --format=json-pretty %s", pf->uuid);
        cr_expect(strstr(r.out, "{\n\t\"name\""), "tab indented: %s", r.out);
        ace_result_done(&r);
}

Test(pod_verbs, list_table_and_json)
{
        struct ace_result r;

        pf_add_app(pf, "first", img, APP("\"exit\", \"0\""), NULL);
        pf_add_app(pf, "second", img, APP("\"exit\", \"0\""), NULL);
        cr_assert_eq(run_pod(), 0, "%s", pf->err);

        ace(&r, "list");
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_expect(strncmp(r.out, "UUID\t\tAPP\tIMAGE NAME\t", 20) == 0, "%s", r.out);
        char *row = xasprintf("%.8s\tfirst\texample.com/probe", pf->uuid);
        cr_expect(strstr(r.out, row), "%s", r.out);
        cr_expect(strstr(r.out, "\t\tsecond\texample.com/probe"),
                  "second app row leaves the pod columns empty: %s", r.out);
        cr_expect(strstr(r.out, "exited"), "%s", r.out);
        cr_expect(strstr(r.out, "\tnow\t") || strstr(r.out, " ago\t"), "relative times: %s", r.out);
        free(row);
        ace_result_done(&r);

        ace(&r, "list --no-legend --full");
        cr_expect(strstr(r.out, "UUID") == NULL, "%s", r.out);
        cr_expect(strstr(r.out, pf->uuid), "full UUID: %s", r.out);
        cr_expect(strstr(r.out, "\tsha512-"), "image ID column: %s", r.out);
        cr_expect(strstr(r.out, " +0000 ") || strstr(r.out, " -0") || strstr(r.out, " +"),
                  "absolute times: %s", r.out);
        ace_result_done(&r);

        ace(&r, "list --format=json");
        struct json_object *a = json_tokener_parse(r.out);
        cr_assert(a && json_object_is_type(a, json_type_array), "%s", r.out);
        cr_expect_eq(json_object_array_length(a), 1);
        json_object_put(a);
        ace_result_done(&r);
}

Test(pod_verbs, wait_stop_enter_logs_on_running_pod)
{
        struct ace_result r;

        pf_add_app(pf, "srv", img, APP("\"print\", \"hello-log\", \"sleep\", \"60\""), NULL);
        start();
        char *ready = pf_path(pf, "ready");
        cr_assert(th_wait_file(ready, 10000), "pod never became ready");
        free(ready);

        ace(&r, "status --wait-ready=5s %s", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "state=running\n"), "%s", r.out);
        cr_expect(strstr(r.out, "exited=false\n"), "%s", r.out);
        cr_expect(strstr(r.out, "app-srv") == NULL, "no exit codes while running: %s", r.out);
        ace_result_done(&r);

        ace(&r, "status --wait=300ms %s", pf->uuid);
        cr_expect_eq(r.status, 254, "a wait that times out fails");
        cr_expect(strstr(r.err, "timed out"), "%s", r.err);
        ace_result_done(&r);

        ace(&r, "enter %s /probe print entered hostname", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "entered"), "%s", r.out);
        ace_result_done(&r);

        ace(&r, "logs %s", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "hello-log"), "%s", r.out);
        ace_result_done(&r);

        ace(&r, "rm %s", pf->uuid);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "is currently running"), "%s", r.err);
        ace_result_done(&r);

        ace(&r, "stop %s", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        char *quoted = xasprintf("\"%s\"", pf->uuid);
        cr_expect(strstr(r.out, quoted), "%s", r.out);
        free(quoted);
        ace_result_done(&r);
        /* stop returns once the pod has exited. */
        ace(&r, "status %s", pf->uuid);
        cr_expect(strstr(r.out, "state=exited\n"), "%s", r.out);
        ace_result_done(&r);
        pf_wait(pf);

        ace(&r, "stop %s", pf->uuid);
        cr_expect_eq(r.status, 0);
        cr_expect(strstr(r.out, "is already stopped"), "%s", r.out);
        ace_result_done(&r);

        ace(&r, "enter %s /probe print x", pf->uuid);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "isn't currently running"), "%s", r.err);
        ace_result_done(&r);

        /* Logs outlive the pod. */
        ace(&r, "logs %s", pf->uuid);
        cr_expect(strstr(r.out, "hello-log"), "%s", r.out);
        ace_result_done(&r);
}

Test(pod_verbs, status_wait_returns_when_pod_ends)
{
        struct ace_result r;

        pf_add_app(pf, "short", img, APP("\"sleep-ms\", \"800\", \"exit\", \"3\""), NULL);
        start();
        char *ready = pf_path(pf, "ready");
        cr_assert(th_wait_file(ready, 10000));
        free(ready);
        ace(&r, "status --wait %s", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "state=exited\n"), "%s", r.out);
        cr_expect(strstr(r.out, "app-short=3\n"), "%s", r.out);
        cr_expect_lt(r.secs, 10.0);
        ace_result_done(&r);
        cr_expect_eq(pf_wait(pf), 3);
}

Test(pod_verbs, logs_follow_until_the_pod_exits)
{
        pf_add_app(pf, "talk", img,
                   APP("\"print\", \"one\", \"sleep-ms\", \"700\", \"print\", \"two\", "
                       "\"sleep-ms\", \"300\""),
                   NULL);
        start();
        char *logs = pf_path(pf, "logs");
        cr_assert(th_wait_file(logs, 10000));
        free(logs);
        char *argv[] = {"logs", "--follow", pf->uuid, NULL};
        struct ace_result r;
        ace_run(pf->data_dir, &r, argv);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "one\n") && strstr(r.out, "two\n"), "%s", r.out);
        ace_result_done(&r);
        pf_wait(pf);
}

Test(pod_verbs, cat_manifest_rm_and_gc_of_real_pods)
{
        struct ace_result r;

        pf_add_app(pf, "only", img, APP("\"exit\", \"0\""), NULL);
        cr_assert_eq(run_pod(), 0, "%s", pf->err);

        ace(&r, "cat-manifest %s", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "\"acKind\": \"PodManifest\""), "%s", r.out);
        cr_expect(strstr(r.out, "\n\t"), "tab indented: %s", r.out);
        ace_result_done(&r);
        ace(&r, "cat-manifest --pretty-print=false %s", pf->uuid);
        cr_expect(strchr(r.out, '\n') == r.out + strlen(r.out) - 1, "one line: %s", r.out);
        ace_result_done(&r);

        /* gc: mark, then sweep (the stage1 gc entrypoint runs: it must accept our lock). */
        ace(&r, "gc --grace-period=0s");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "Garbage collecting pod"), "%s", r.out);
        cr_expect(strstr(r.err, "problem performing stage1 GC") == NULL, "stage1 gc failed: %s",
                  r.err);
        cr_expect_eq(access(pf->pod_dir, F_OK), -1, "pod directory still there");
        ace_result_done(&r);
        cr_expect_eq(th_mounts_containing(pf->data_dir), 0, "mounts left behind");

        ace(&r, "status %s", pf->uuid);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "no matches found"), "%s", r.err);
        ace_result_done(&r);
}

/* kill -9 of the run process: the pod is exited (lock gone), gc collects it, no mounts. */
Test(pod_verbs, kill9_then_gc)
{
        struct ace_result r;

        pf_add_app(pf, "victim", img, APP("\"sleep\", \"60\""), NULL);
        start();
        char *ready = pf_path(pf, "ready");
        cr_assert(th_wait_file(ready, 10000));
        free(ready);
        kill(pf->pid, SIGKILL);
        pf_wait(pf);
        ace(&r, "status %s", pf->uuid);
        cr_expect(strstr(r.out, "state=exited\n"), "%s", r.out);
        ace_result_done(&r);
        ace(&r, "rm %s", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        cr_expect_eq(access(pf->pod_dir, F_OK), -1);
        cr_expect_eq(th_mounts_containing(pf->uuid), 0);
}

/* enter needs --app when the pod has several apps (the apps are listed); with it, the
 * command runs in that app's root. */
Test(pod_verbs, enter_picks_the_app)
{
        struct ace_result r;

        pf_add_app(pf, "one", img, APP("\"write\", \"/in-one\", \"x\", \"sleep\", \"60\""), NULL);
        pf_add_app(pf, "two", img, APP("\"sleep\", \"60\""), NULL);
        start();
        char *ready = pf_path(pf, "ready");
        cr_assert(th_wait_file(ready, 10000));
        free(ready);
        ace(&r, "enter %s /probe print x", pf->uuid);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "pod contains multiple apps") && strstr(r.err, "\tone\n") &&
                      strstr(r.err, "\ttwo\n"),
                  "%s", r.err);
        ace_result_done(&r);
        ace(&r, "enter --app=one %s /probe stat /in-one", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "stat.type=file"), "%s", r.out);
        ace_result_done(&r);
        ace(&r, "enter --app=two %s /probe stat /in-one", pf->uuid);
        cr_expect(strstr(r.out, "stat.errno=ENOENT"), "app two's root: %s", r.out);
        ace_result_done(&r);
        ace(&r, "enter --app=three %s /probe print x", pf->uuid);
        cr_expect_eq(r.status, 254);
        ace_result_done(&r);
        ace(&r, "stop --force %s", pf->uuid);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        pf_wait(pf);
}
