/*
 * test_pod_run.c - `ace run`, `ace prepare` and `ace run-prepared` end to end: real ACIs
 * (busybox + the probe, built in the test), the real store, stage1 and stage2. Every run and
 * prepare flag of the issue, exit codes, shared namespaces, volumes, event handlers, signals,
 * --uuid-file-save, --pod-manifest, export, and what gc leaves behind.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/ace_cmd.h"
#include "tests/lib/helpers.h"
#include "tests/lib/test_image.h"

static char *dir; /* --dir of this test */
static struct test_image *img;
static char *aci; /* <dir>/probe.aci: example.com/probe, app = /probe print default */
static char *aci_id;

#define APP(user, ...)                                                                             \
        "{\"exec\": [\"/probe\", " __VA_ARGS__ "], \"user\": \"" user "\", \"group\": \"0\"}"

static char *build(const char *file, const char *name, const char *app_json, const char *extra)
{
        char *m = ft_manifest(name, "1.0", app_json, extra);
        char *path = xasprintf("%s/%s", dir, file);
        char *id = ft_write_aci(img->dir, m, path);
        free(m);
        free(id);
        return path;
}

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        dir = th_mkdtemp("ace-run");
        img = timg_new("example.com/probe");
        char *m =
            ft_manifest("example.com/probe", "1.0", APP("0", "\"print\", \"default-app\""), NULL);
        aci = xasprintf("%s/probe.aci", dir);
        aci_id = ft_write_aci(img->dir, m, aci);
        free(m);
}

static void teardown(void)
{
        struct ace_result r;
        /* Whatever a test left running or mounted: stop and collect it. */
        ace_runf(dir, &r, "gc --grace-period=0s");
        ace_result_done(&r);
        th_rm_rf(dir);
        timg_free(img);
        free(dir);
        free(aci);
        free(aci_id);
}

TestSuite(pod_run, .init = setup, .fini = teardown, .timeout = 180);

/* `ace run --insecure-options=image ARGS` (space-separated, no quoting). */
static void run(struct ace_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run(struct ace_result *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *args = xvasprintf(fmt, ap);
        va_end(ap);
        ace_runf(dir, r, "run --insecure-options=image %s", args);
        free(args);
}

static char *only_uuid(void)
{
        struct ace_result r;
        ace_runf(dir, &r, "list --no-legend --full");
        char *u = xstrndup(r.out, 36);
        ace_result_done(&r);
        return u;
}

static char *app_log(const char *uuid, const char *app)
{
        struct ace_result r;
        ace_runf(dir, &r, "logs --app=%s %s", app, uuid);
        char *out = xstrdup(r.out);
        ace_result_done(&r);
        return out;
}

Test(pod_run, one_app_output_and_status)
{
        struct ace_result r;

        run(&r, "%s", aci);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cr_expect(strstr(r.out, "default-app"), "%s", r.out);
        ace_result_done(&r);
        char *u = only_uuid();
        ace_runf(dir, &r, "status %s", u);
        cr_expect(strstr(r.out, "state=exited\n") && strstr(r.out, "app-probe=0\n"), "%s", r.out);
        ace_result_done(&r);
        /* The image is in the store now; an ID prefix runs it too. */
        char prefix[20];
        snprintf(prefix, sizeof(prefix), "%.19s", aci_id);
        ace_runf(dir, &r, "run %s", prefix);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        free(u);
}

/* rkt's exit test: 0, 5 and 6 -> 5; status lists every app. */
Test(pod_run, exit_codes_of_several_apps)
{
        struct ace_result r;

        run(&r,
            "%s --name=a --exec=/probe -- exit 0 --- %s --name=b --exec=/probe -- sleep-ms 300 "
            "exit 5 --- %s --name=c --exec=/probe -- sleep 20 exit 6",
            aci, aci, aci);
        cr_expect_eq(r.status, 5, "stderr: %s", r.err);
        ace_result_done(&r);
        char *u = only_uuid();
        ace_runf(dir, &r, "status %s", u);
        cr_expect(strstr(r.out, "app-a=0\n"), "%s", r.out);
        cr_expect(strstr(r.out, "app-b=5\n"), "%s", r.out);
        cr_expect(strstr(r.out, "app-c="), "%s", r.out);
        ace_result_done(&r);
        free(u);
}

Test(pod_run, apps_share_namespaces_not_root)
{
        struct ace_result r;

        run(&r,
            "%s --name=a --exec=/probe -- write /only-in-a x ns sleep-ms 500 --- "
            "%s --name=b --exec=/probe -- sleep-ms 200 ns stat /only-in-a",
            aci, aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        char *u = only_uuid();
        char *la = app_log(u, "a"), *lb = app_log(u, "b");
        static const char *const shared[] = {"ns.pid", "ns.ipc", "ns.uts", "ns.net"};
        for (size_t i = 0; i < 4; i++) {
                char *x = th_kv(la, shared[i]), *y = th_kv(lb, shared[i]);
                cr_expect(x && y && strcmp(x, y) == 0, "%s differs: %s vs %s", shared[i], x, y);
                free(x);
                free(y);
        }
        char *ma = th_kv(la, "ns.mnt"), *mb = th_kv(lb, "ns.mnt");
        cr_expect(ma && mb && strcmp(ma, mb) != 0, "apps share a mount namespace");
        cr_expect(strstr(lb, "stat.errno=ENOENT"), "b sees a's root: %s", lb);
        free(ma);
        free(mb);
        free(la);
        free(lb);
        free(u);
}

Test(pod_run, per_app_flags)
{
        struct ace_result r;
        char *envf = xasprintf("%s/env", dir);

        th_write_file(envf, "# comment\nFROMFILE=file\nBOTH=file\n", 0644);
        setenv("ACE_TEST_HOSTVAR", "host", 1);
        char *argv[] = {"run",
                        "--insecure-options=image",
                        "--hostname=podhost",
                        "--inherit-env",
                        "--set-env=BOTH=set",
                        (char *)xasprintf("--set-env-file=%s", envf),
                        aci,
                        "--name=flags",
                        "--exec=/probe",
                        "--user=1000",
                        "--group=100",
                        "--supplementary-gids=29",
                        "--working-dir=/tmp",
                        "--environment=APPVAR=app",
                        "--readonly-rootfs=true",
                        "--user-annotation=owner=me",
                        "--user-label=tier=web",
                        "--",
                        "id",
                        "cwd",
                        "hostname",
                        "getenv",
                        "APPVAR",
                        "getenv",
                        "BOTH",
                        "getenv",
                        "FROMFILE",
                        "getenv",
                        "ACE_TEST_HOSTVAR",
                        "write",
                        "/rootfs-file",
                        "x",
                        "---",
                        NULL};
        ace_run(dir, &r, argv);
        unsetenv("ACE_TEST_HOSTVAR");
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "uid=1000\n") && strstr(r.out, "gid=100\n"), "%s", r.out);
        cr_expect(strstr(r.out, "groups=") && strstr(r.out, "29"), "%s", r.out);
        cr_expect(strstr(r.out, "cwd=/tmp\n"), "%s", r.out);
        cr_expect(strstr(r.out, "hostname=podhost\n"), "%s", r.out);
        cr_expect(strstr(r.out, "getenv.APPVAR=app\n"), "%s", r.out);
        cr_expect(strstr(r.out, "getenv.BOTH=set\n"), "--set-env wins: %s", r.out);
        cr_expect(strstr(r.out, "getenv.FROMFILE=file\n"), "%s", r.out);
        cr_expect(strstr(r.out, "getenv.ACE_TEST_HOSTVAR=host\n"), "%s", r.out);
        cr_expect(strstr(r.out, "write.errno=EROFS"), "read-only rootfs: %s", r.out);
        ace_result_done(&r);
        char *u = only_uuid();
        ace_runf(dir, &r, "status --format=json %s", u);
        cr_expect(strstr(r.out, "\"user_annotations\":{\"owner\":\"me\"}"), "%s", r.out);
        cr_expect(strstr(r.out, "\"user_labels\":{\"tier\":\"web\"}"), "%s", r.out);
        ace_result_done(&r);
        /* Without --inherit-env nothing of the host leaks; default hostname ace-<uuid>. */
        setenv("ACE_TEST_HOSTVAR", "host", 1);
        run(&r, "%s --exec=/probe -- getenv ACE_TEST_HOSTVAR hostname", aci);
        unsetenv("ACE_TEST_HOSTVAR");
        cr_expect(strstr(r.out, "getenv.ACE_TEST_HOSTVAR.unset=1"), "%s", r.out);
        cr_expect(strstr(r.out, "hostname=ace-"), "%s", r.out);
        ace_result_done(&r);
        free(u);
        free(envf);
        free(argv[5]);
}

Test(pod_run, volumes_host_and_empty_shared)
{
        struct ace_result r;
        char *host = xasprintf("%s/hostvol", dir);

        mkdir(host, 0755);
        char *f = xasprintf("%s/from-host", host);
        th_write_file(f, "host-data", 0644);
        run(&r,
            "--volume=h,kind=host,source=%s,readOnly=true --volume=e,kind=empty "
            "--mount=volume=e,target=/shared %s --name=writer --exec=/probe "
            "--mount=volume=h,target=/h -- read /h/from-host write /h/x y write /shared/msg "
            "hi sleep-ms 300 --- %s --name=reader --exec=/probe -- sleep-ms 150 read "
            "/shared/msg",
            host, aci, aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        char *u = only_uuid();
        char *w = app_log(u, "writer"), *rd = app_log(u, "reader");
        cr_expect(strstr(w, "read=host-data"), "%s", w);
        cr_expect(strstr(w, "write.errno=EROFS"), "readOnly host volume: %s", w);
        cr_expect(strstr(rd, "read=hi"), "empty volume shared between apps: %s", rd);
        free(w);
        free(rd);
        free(u);
        free(f);
        free(host);

        run(&r, "%s --mount=volume=nope,target=/x", aci);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "dangling mount point"), "%s", r.err);
        ace_result_done(&r);
}

Test(pod_run, event_handlers_in_order)
{
        struct ace_result r;
        char *app = xstrdup(
            "{\"exec\": [\"/probe\", \"write\", \"/v/app\", \"x\"], \"user\": \"1000\", "
            "\"group\": \"0\", \"eventHandlers\": ["
            "{\"name\": \"pre-start\", \"exec\": [\"/probe\", \"id\", \"write\", \"/v/pre\", "
            "\"x\"]}, {\"name\": \"post-stop\", \"exec\": [\"/probe\", \"stat\", \"/v/app\"]}],"
            " \"mountPoints\": [{\"name\": \"v\", \"path\": \"/v\"}]}");
        char *path = build("hooks.aci", "example.com/hooks", app, NULL);

        /* The app runs as uid 1000: its volume must be writable for it. */
        run(&r, "--volume=v,kind=empty,mode=0777 %s", path);
        cr_assert_eq(r.status, 0, "%s", r.err);
        /* pre-start ran as root (rkt) before the app; post-stop saw the app's file. */
        char *pre_uid = th_kv(r.out, "uid");
        cr_expect(pre_uid && strcmp(pre_uid, "0") == 0, "pre-start runs as root: %s", r.out);
        cr_expect(strstr(r.out, "stat.type=file"), "post-stop after the app: %s", r.out);
        ace_result_done(&r);
        free(pre_uid);
        free(path);
        free(app);
}

Test(pod_run, sigterm_stops_the_pod_and_zombies_are_reaped)
{
        char *argv[] = {"run", "--insecure-options=image", aci,    "--exec=/probe", "--", "zombies",
                        "50",  "wait-no-zombies",          "2000", "sleep",         "60", NULL};
        char *out = NULL;
        pid_t pid = ace_spawn(dir, argv, &out, NULL);
        struct ace_result r;
        char *u = NULL;

        for (int i = 0; i < 100 && !u; i++) {
                usleep(100000);
                ace_runf(dir, &r, "list --no-legend --full");
                if (strstr(r.out, "running"))
                        u = xstrndup(r.out, 36);
                ace_result_done(&r);
        }
        cr_assert_not_null(u, "pod never ran");
        ace_runf(dir, &r, "status --wait-ready=10s %s", u);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        usleep(500000);
        kill(pid, SIGTERM);
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_expect(WIFEXITED(st), "ace run died of a signal instead of stopping the pod");
        ace_runf(dir, &r, "status %s", u);
        cr_expect(strstr(r.out, "state=exited\n"), "%s", r.out);
        ace_result_done(&r);
        char *text = th_read_file(out);
        cr_expect(strstr(text, "zombie_count=0"), "zombies not reaped: %s", text);
        free(text);
        free(out);
        free(u);
}

Test(pod_run, prepare_and_run_prepared)
{
        struct ace_result r;

        ace_runf(dir, &r, "prepare --insecure-options=image %s --exec=/probe -- print prepared",
                 aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert_eq(strlen(r.out), 37, "stdout is the UUID alone: [%s]", r.out);
        char *u = xstrndup(r.out, 36);
        ace_result_done(&r);
        ace_runf(dir, &r, "status %s", u);
        cr_expect(strstr(r.out, "state=prepared\n"), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "run-prepared %s", u);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "prepared"), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "run-prepared %s", u);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "is not prepared"), "%s", r.err);
        ace_result_done(&r);
        /* prepare refuses run-only flags. */
        ace_runf(dir, &r, "prepare --insecure-options=image --hostname=x %s", aci);
        cr_expect_eq(r.status, 254);
        ace_result_done(&r);
        free(u);
}

Test(pod_run, uuid_file_save_status_stop_rm)
{
        char *uf = xasprintf("%s/pod.uuid", dir);
        char *save = xasprintf("--uuid-file-save=%s", uf);
        char *argv[] = {
            "run", "--insecure-options=image", save, aci, "--exec=/probe", "--", "sleep", "60",
            NULL};
        pid_t pid = ace_spawn(dir, argv, NULL, NULL);
        struct ace_result r;

        for (int i = 0; i < 100 && access(uf, F_OK) != 0; i++)
                usleep(50000);
        char *uuid_file = xasprintf("--uuid-file=%s", uf);
        ace_runf(dir, &r, "status --wait-ready=10s %s", uuid_file);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "state=running"), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "stop %s", uuid_file);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        waitpid(pid, NULL, 0);
        ace_runf(dir, &r, "rm %s", uuid_file);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "status %s", uuid_file);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "no matches found"), "%s", r.err);
        ace_result_done(&r);
        free(uf);
        free(save);
        free(uuid_file);
}

Test(pod_run, pod_manifest_and_conflicts)
{
        struct ace_result r;

        ace_runf(dir, &r, "fetch --insecure-options=image %s", aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        char *pm = xasprintf(
            "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": [{\"name\": "
            "\"fromfile\", \"image\": {\"id\": \"%s\"}, \"app\": {\"exec\": [\"/probe\", "
            "\"print\", \"from-pod-manifest\"], \"user\": \"0\", \"group\": \"0\"}}]}",
            aci_id);
        char *pmf = xasprintf("%s/pod.json", dir);
        th_write_file(pmf, pm, 0644);
        ace_runf(dir, &r, "run --pod-manifest=%s", pmf);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "from-pod-manifest"), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "run --pod-manifest=%s %s", pmf, aci);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "conflicting flags set with --pod-manifest"), "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "run --pod-manifest=%s --set-env=A=B", pmf);
        cr_expect_eq(r.status, 254);
        ace_result_done(&r);
        free(pm);
        free(pmf);
}

static int count_entries(const char *path)
{
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *e;
        int n = 0;

        cr_assert(d, "%s: %s", path, strerror(errno));
        while ((e = readdir(d)))
                n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        return n;
}

Test(pod_run, bad_input_is_refused_and_leaves_nothing_running)
{
        struct ace_result r;

        run(&r, "--net=none,default %s", aci);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "cannot be combined"), "%s", r.err);
        ace_result_done(&r);
        run(&r, "--name=x %s", aci);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "--name must follow an image"), "%s", r.err);
        ace_result_done(&r);
        _cleanup_free_ char *uuid_file = xasprintf("%s/missing.uuid", dir);
        run(&r, "--uuid-file-save=%s %s/missing.aci", uuid_file, dir);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "missing.aci") && strstr(r.err, "No such file"), "%s", r.err);
        cr_expect(strstr(r.err, "pod ") == NULL, "names a pod that no longer exists: %s", r.err);
        cr_expect(access(uuid_file, F_OK) < 0 && errno == ENOENT,
                  "--uuid-file-save names a pod that was discarded");
        ace_result_done(&r);
        /* Without --insecure-options=image an unsigned file is refused. */
        ace_runf(dir, &r, "run %s", aci);
        cr_expect_eq(r.status, 254, "unsigned image ran");
        ace_result_done(&r);
        char *noarch = xasprintf("%s/noarch.aci", dir);
        char *m = xstrdup("{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", \"name\": "
                          "\"example.com/noarch\", \"app\": {\"exec\": [\"/probe\"], \"user\": "
                          "\"0\", \"group\": \"0\"}}");
        free(ft_write_aci(img->dir, m, noarch));
        run(&r, "%s", noarch);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "missing os label"), "%s", r.err);
        ace_result_done(&r);
        /* Refused before or while preparing: no pod at all, not even an aborted prepare. */
        ace_runf(dir, &r, "list --no-legend");
        cr_expect_eq(r.status, 0);
        cr_expect_str_empty(r.out, "failed runs left pods behind: %s", r.out);
        ace_result_done(&r);
        _cleanup_free_ char *prep = xasprintf("%s/pods/prepare", dir);
        cr_expect_eq(count_entries(prep), 0, "a failed prepare left its directory");
        free(m);
        free(noarch);
}

Test(pod_run, net_host_and_no_overlay)
{
        struct ace_result r;
        char self[64];
        ssize_t n = readlink("/proc/self/ns/net", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = '\0';

        run(&r, "--net=host %s --exec=/probe -- ns", aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        char *net = th_kv(r.out, "ns.net");
        char want[64];
        snprintf(want, sizeof(want), "net:[%s]", net ? net : "");
        cr_expect_str_eq(self, want, "--net=host shares the host's network namespace");
        free(net);
        ace_result_done(&r);

        run(&r, "--no-overlay %s --exec=/probe -- write /copied yes read /copied", aci);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "read=yes"), "%s", r.out);
        ace_result_done(&r);
        char *u = only_uuid();
        (void)u;
        free(u);
}

Test(pod_run, export_and_logs_of_an_exited_pod)
{
        struct ace_result r;

        run(&r, "%s --exec=/probe -- print logged write /etc/exported-marker here", aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        char *u = only_uuid();
        ace_runf(dir, &r, "logs %s", u);
        cr_expect(strstr(r.out, "logged"), "%s", r.out);
        ace_result_done(&r);
        char *out = xasprintf("%s/exported.aci", dir);
        ace_runf(dir, &r, "export %s %s", u, out);
        cr_assert_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "export %s %s", u, out);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "--overwrite"), "%s", r.err);
        ace_result_done(&r);
        /* The export runs and carries the app's change. */
        run(&r, "%s --exec=/probe -- read /etc/exported-marker", out);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "read=here"), "%s", r.out);
        ace_result_done(&r);
        free(out);
        free(u);
}

Test(pod_run, kill9_then_gc_leaves_nothing)
{
        char *argv[] = {
            "run", "--insecure-options=image", aci, "--exec=/probe", "--", "sleep", "60", NULL};
        pid_t pid = ace_spawn(dir, argv, NULL, NULL);
        struct ace_result r;

        for (int i = 0; i < 100; i++) {
                usleep(100000);
                ace_runf(dir, &r, "list --no-legend");
                bool up = strstr(r.out, "running") != NULL;
                ace_result_done(&r);
                if (up)
                        break;
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        char *u = only_uuid();
        ace_runf(dir, &r, "status %s", u);
        cr_expect(strstr(r.out, "state=exited\n"), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "gc --grace-period=0s");
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        char *pods = xasprintf("%s/pods/exited-garbage/%s", dir, u);
        cr_expect_eq(access(pods, F_OK), -1);
        cr_expect_eq(th_mounts_containing(dir), 0, "mounts left after gc");
        free(pods);
        free(u);
}

Test(pod_run, stage1_path_and_pull_policy)
{
        struct ace_result r;
        char *s1 = th_build_path("stage1.aci");

        run(&r, "--stage1-path=%s %s", s1, aci);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        run(&r, "--stage1-path=%s/nope.aci %s", dir, aci);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "stage1"), "%s", r.err);
        ace_result_done(&r);
        run(&r, "--stage1-path=%s --stage1-name=x %s", s1, aci);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "mutually exclusive"), "%s", r.err);
        ace_result_done(&r);
        /* The stage1 by name and by ID, from the store (it was imported by the runs above). */
        run(&r, "--stage1-name=ace.example.org/stage1:%s %s", ACE_VERSION, aci);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "image list --no-legend --full");
        char *s1id = NULL;
        for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n"))
                if (strstr(line, "ace.example.org/stage1"))
                        s1id = xstrndup(line, 135);
        ace_result_done(&r);
        cr_assert_not_null(s1id);
        run(&r, "--stage1-hash=%.20s %s", s1id, aci);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        free(s1id);
        /* never: the store only. The name is there after the runs above; another is not. */
        ace_runf(dir, &r, "run --pull-policy=never example.com/probe:1.0");
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "run --pull-policy=never example.com/absent:1.0");
        cr_expect_eq(r.status, 254);
        ace_result_done(&r);
        free(s1);
}

Test(pod_run, interactive_hands_over_stdin)
{
        struct ace_result r;
        char *in = xasprintf("%s/stdin", dir);

        th_write_file(in, "typed by a person\n", 0644);
        char *argv[] = {"run",           "--insecure-options=image",
                        "--interactive", aci,
                        "--exec=/probe", "--",
                        "read-stdin",    NULL};
        ace_run_stdin(dir, &r, argv, in);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(strstr(r.out, "typed by a person"), "%s", r.out);
        ace_result_done(&r);
        run(&r, "--interactive %s %s --name=two", aci, aci);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "--interactive can only be used with one app"), "%s", r.err);
        ace_result_done(&r);
        free(in);
}
