/*
 * test_runtime_pure.c - the pure parts of the runtime: launch spec round trip, app environment,
 * capability masks, run arguments, the pod loader and the mount planner.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "common/launch_spec.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/mount_plan.h"
#include "stage1/pod.h"
#include "stage1/run_args.h"
#include "stage2/caps.h"
#include "stage2/env.h"

/* ---- launch spec ---------------------------------------------------------------------------- */

Test(launch_spec, round_trip)
{
        struct launch_spec s = {0}, t = {0};
        gid_t gids[] = {10, 20};
        _cleanup_free_ char *json = NULL, *again = NULL;

        s.app_name = xstrdup("web");
        s.exec = strv_push(strv_push(NULL, "/bin/web"), "--x=1");
        s.user = xstrdup("1000");
        s.group = xstrdup("users");
        s.supp_gids = xmemdup(gids, sizeof(gids));
        s.n_supp_gids = 2;
        s.environment = strv_env_set(NULL, "K", "v=w");
        s.working_dir = xstrdup("/srv");
        s.caps_mode = LAUNCH_CAPS_REMOVE;
        s.caps_set = strv_push(NULL, "CAP_NET_RAW");
        s.no_new_privs = true;
        s.has_oom_score_adj = true;
        s.oom_score_adj = -500;
        json = launch_spec_format(&s);
        cr_assert_eq(launch_spec_parse(json, strlen(json), &t, NULL), 0, "%s", json);
        again = launch_spec_format(&t);
        cr_assert_str_eq(json, again);
        cr_assert_str_eq(t.environment[0], "K=v=w");
        cr_assert_eq(t.oom_score_adj, -500);
        cr_assert_eq(t.caps_mode, LAUNCH_CAPS_REMOVE);
        launch_spec_done(&s);
        launch_spec_done(&t);
}

Test(launch_spec, rejects_bad_input)
{
        static const char *const bad[] = {
            "",
            "[]",
            "{\"exec\": [\"/x\"]}",
            "{\"app\": \"a\"}",
            "{\"app\": \"a\", \"exec\": []}",
            "{\"app\": \"a\", \"exec\": [1]}",
            "{\"app\": \"a\", \"exec\": [\"/x\"], \"oomScoreAdj\": 1001}",
            "{\"app\": \"a\", \"exec\": [\"/x\"], \"capabilities\": {\"mode\": \"most\"}}",
            "{\"app\": \"a\", \"exec\": [\"/x\"], \"environment\": [{\"name\": \"A=B\", \"value\": "
            "\"\"}]}",
            "{\"app\": \"a\", \"exec\": [\"/x\"], \"supplementaryGIDs\": [-1]}",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct launch_spec s;
                _cleanup_error_ struct ace_error *err = NULL;
                cr_assert_lt(launch_spec_parse(bad[i], strlen(bad[i]), &s, &err), 0, "%s", bad[i]);
                cr_assert(err && strstr(err->msg, "launch spec"), "%s", bad[i]);
        }
}

/* ---- environment ------------------------------------------------------------------------------
 */

Test(app_env, exact_with_fixed_variables_last)
{
        struct launch_spec s = {.app_name = (char *)"web"};
        s.environment = strv_env_set(strv_env_set(NULL, "A", "1"), "container", "evil");
        s.environment = strv_env_set(s.environment, "AC_APP_NAME", "spoof");
        _cleanup_strv_free_ char **env = app_env_build(&s);
        cr_assert_eq(strv_length(env), 4);
        cr_assert_str_eq(strv_env_get(env, "PATH"), APP_DEFAULT_PATH);
        cr_assert_str_eq(strv_env_get(env, "A"), "1");
        cr_assert_str_eq(strv_env_get(env, "container"), "ace");
        cr_assert_str_eq(strv_env_get(env, "AC_APP_NAME"), "web");
        cr_assert_null(strv_env_get(env, "AC_METADATA_URL"));
        strv_free(s.environment);
}

/* ---- capabilities ------------------------------------------------------------------------------
 */

Test(caps, masks)
{
        uint64_t m;
        char *retain[] = {(char *)"CAP_SYS_ADMIN", NULL};
        char *remove[] = {(char *)"CAP_CHOWN", (char *)"CAP_SYS_ADMIN", NULL};
        char *bad[] = {(char *)"CAP_WHATEVER", NULL};

        cr_assert_eq(caps_bounding_mask(LAUNCH_CAPS_DEFAULT, NULL, &m, NULL), 0);
        cr_assert_eq(m, UINT64_C(0xa80425fb));
        cr_assert_eq(caps_bounding_mask(LAUNCH_CAPS_RETAIN, retain, &m, NULL), 0);
        cr_assert_eq(m, UINT64_C(1) << 21);
        cr_assert_eq(caps_bounding_mask(LAUNCH_CAPS_REMOVE, remove, &m, NULL), 0);
        cr_assert_eq(m, UINT64_C(0xa80425fa), "removing a cap outside the default set is a no-op");
        cr_assert_lt(caps_bounding_mask(LAUNCH_CAPS_RETAIN, bad, &m, NULL), 0);
}

/* ---- run arguments ------------------------------------------------------------------------------
 */

#define UUID "0b7a6b3e-5c0a-4f9e-9d8f-1a2b3c4d5e6f"

Test(run_args, abi_arguments)
{
        char *argv[] = {"init",
                        "--debug",
                        "--net=host",
                        "--interactive",
                        "--hostname=h1",
                        "--dns-conf-mode=resolv=host,hosts=default",
                        "--disable-capabilities-restriction",
                        "--ipc=auto",
                        "--strict-isolators",
                        "--disable-seccomp",
                        "--disable-paths",
                        UUID,
                        NULL};
        struct run_args a;

        cr_assert_eq(run_args_parse(12, argv, &a, NULL), 0);
        cr_assert(a.debug && a.interactive && a.disable_caps);
        cr_assert(a.strict_isolators && a.disable_seccomp && a.disable_paths);
        cr_assert_eq(a.net, RUN_NET_HOST);
        cr_assert_str_eq(a.hostname, "h1");
        cr_assert_str_eq(a.uuid, UUID);
}

Test(run_args, errors)
{
        struct {
                int argc;
                char *argv[4];
                const char *msg;
        } cases[] = {
            {3, {"init", "--net=none,default", UUID}, "cannot be combined"},
            {2, {"init", UUID}, "--net is required"},
            {2, {"init", "--net=none"}, "exactly one pod UUID"},
            {3, {"init", "--net=none", "not-a-uuid"}, "bad pod UUID"},
            {4, {"init", "--net=none", "--hostname=-x", UUID}, "bad hostname"},
            {4, {"init", "--net=none", "--ipc=parent", UUID}, "--ipc=parent"},
            {4, {"init", "--net=none", "--bogus", UUID}, "--bogus"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct run_args a;
                _cleanup_error_ struct ace_error *err = NULL;
                cr_assert_lt(run_args_parse(cases[i].argc, cases[i].argv, &a, &err), 0, "case %zu",
                             i);
                cr_assert(strstr(err->msg, cases[i].msg), "case %zu: %s", i, err->msg);
        }
}

/* ---- pod loader ---------------------------------------------------------------------------------
 */

static const char rc[] = "{\"treeStorePath\": \"/var/lib/ace/cas/tree\", \"overlay\": true}";

static struct pod *load(const char *pod_json, const char *image_manifest, struct ace_error **err)
{
        const char *ims[] = {image_manifest, image_manifest};
        const char *trees[] = {"deps-sha512-aa", "deps-sha512-bb"};
        struct pod *pod = NULL;
        size_t n = strstr(pod_json, "\"second\"") ? 2 : 1;

        if (pod_load_texts(rc, pod_json, ims, trees, n, &pod, err) < 0)
                return NULL;
        return pod;
}

#define POD(apps, vols)                                                                            \
        "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": [" apps                \
        "], \"volumes\": [" vols "]}"
#define ZERO_ID                                                                                    \
        "sha512-"                                                                                  \
        "0000000000000000000000000000000000000000000000000000000000000000"                         \
        "0000000000000000000000000000000000000000000000000000000000000000"
#define RAPP(name, rest) "{\"name\": \"" name "\", \"image\": {\"id\": \"" ZERO_ID "\"}" rest "}"
#define XAPP(rest) "\"app\": {\"exec\": [\"/x\"], \"user\": \"0\", \"group\": \"0\"" rest "}"

Test(pod_loader, app_section_isolators_and_mounts)
{
        _cleanup_(pod_freep) struct pod *pod = load(
            POD(RAPP("web", ", \"readOnlyRootFS\": true, \"mounts\": [{\"volume\": \"data\", "
                            "\"path\": \"/data\"}],"
                            " \"app\": {\"exec\": [\"/web\"], \"user\": \"u\", \"group\": \"g\","
                            " \"workingDirectory\": \"/srv\", \"supplementaryGIDs\": [7],"
                            " \"environment\": [{\"name\": \"A\", \"value\": \"1\"}],"
                            " \"eventHandlers\": [{\"name\": \"pre-start\", \"exec\": [\"/pre\"]}],"
                            " \"mountPoints\": [{\"name\": \"logs\", \"path\": \"/logs\", "
                            "\"readOnly\": true},"
                            "                   {\"name\": \"other\", \"path\": \"/data\"}],"
                            " \"isolators\": [{\"name\": \"os/linux/capabilities-remove-set\", "
                            "\"value\": {\"set\": [\"CAP_KILL\"]}},"
                            "  {\"name\": \"os/linux/no-new-privileges\", \"value\": true},"
                            "  {\"name\": \"os/linux/oom-score-adj\", \"value\": 100}]}"),
                "{\"name\": \"data\", \"kind\": \"host\", \"source\": \"/srv/data\", \"readOnly\": "
                "true},"
                "{\"name\": \"logs\", \"kind\": \"empty\", \"mode\": \"0700\", \"uid\": 5, "
                "\"gid\": 6}"),
            NULL, NULL);
        cr_assert_not_null(pod);
        const struct pod_app *a = pod_find_app(pod, "web");
        cr_assert_not_null(a);
        cr_assert(a->read_only_rootfs);
        cr_assert_str_eq(a->launch.exec[0], "/web");
        cr_assert_str_eq(a->launch.user, "u");
        cr_assert_str_eq(a->launch.working_dir, "/srv");
        cr_assert_eq(a->launch.n_supp_gids, 1);
        cr_assert_str_eq(a->pre_start[0], "/pre");
        cr_assert_null(a->post_stop);
        cr_assert_eq(a->launch.caps_mode, LAUNCH_CAPS_REMOVE);
        cr_assert(a->launch.no_new_privs);
        cr_assert_eq(a->launch.oom_score_adj, 100);
        cr_assert_str_eq(a->tree_id, "deps-sha512-aa");
        /* explicit mount at /data wins over mountPoint "other" at the same path */
        cr_assert_eq(a->n_mounts, 2);
        cr_assert_str_eq(a->mounts[0].path, "/data");
        cr_assert_str_eq(a->mounts[0].volume->name, "data");
        cr_assert(a->mounts[0].read_only);
        cr_assert_str_eq(a->mounts[1].path, "/logs");
        cr_assert(a->mounts[1].read_only, "mountPoint readOnly");
        cr_assert_eq(a->mounts[1].volume->mode, 0700);
        cr_assert_eq(a->mounts[1].volume->uid, 5);
        cr_assert(pod->overlay);
        cr_assert_eq(pod->stop_timeout, POD_DEFAULT_STOP_TIMEOUT);
}

Test(pod_loader, falls_back_to_the_image_app)
{
        _cleanup_(pod_freep) struct pod *pod =
            load(POD(RAPP("a", ""), ""),
                 "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", \"name\": \"x\","
                 " \"app\": {\"exec\": [\"/img\"], \"user\": \"0\", \"group\": \"0\"}}",
                 NULL);
        cr_assert_not_null(pod);
        cr_assert_str_eq(pod->apps[0].launch.exec[0], "/img");
        cr_assert_str_eq(pod->apps[0].launch.working_dir, "/");
}

Test(pod_loader, errors_name_the_problem)
{
        struct {
                const char *pod;
                const char *msg;
        } cases[] = {
            {POD(RAPP("a", ""), ""), "neither the pod nor the image defines an app"},
            {POD("", ""), "no apps"},
            {POD(RAPP("Bad_Name", ", " XAPP("")), ""), "apps[0].name"},
            {POD(RAPP("a", ", " XAPP(", \"mountPoints\": [{\"name\": \"v\", \"path\": \"/v\"}]")),
                 ""),
             "has no volume"},
            {POD(RAPP("a", ", " XAPP(", \"workingDirectory\": \"rel\"")), ""), "absolute"},
            {POD(RAPP("a", ", " XAPP("")),
                 "{\"name\": \"v\", \"kind\": \"host\", \"source\": \"rel\"}"),
             "volumes[0]"},
            {POD(RAPP("a", ", " XAPP("")), "{\"name\": \"v\", \"kind\": \"nfs\"}"), "volumes[0]"},
            {POD(RAPP("a", ", " XAPP("")), "{\"name\": \"../x\", \"kind\": \"empty\"}"),
             "volumes[0].name"},
            {POD(RAPP("a",
                      ", " XAPP(
                          ", \"eventHandlers\": [{\"name\": \"on-boot\", \"exec\": [\"/b\"]}]")),
                 ""),
             "eventHandlers[0]"},
            {POD(RAPP("a", ", " XAPP(", \"isolators\": [{\"name\": \"os/linux/oom-score-adj\", "
                                     "\"value\": 5000}]")),
                 ""),
             "oom-score-adj"},
            {POD(RAPP("a",
                      ", " XAPP(", \"isolators\": [{\"name\": \"os/linux/seccomp-remove-set\", "
                                "\"value\": {\"set\": [\"@appc.io/all\"]}}]")),
                 ""),
             "@appc.io/all would block every syscall"},
            {POD(RAPP("a",
                      ", " XAPP(", \"isolators\": [{\"name\": \"os/linux/seccomp-remove-set\", "
                                "\"value\": {\"set\": [\"reboot\"], \"errno\": \"ENOPE\"}}]")),
                 ""),
             "unknown errno name \"ENOPE\""},
            {POD(RAPP("a", ", " XAPP("")), "") "x", "pod manifest"},
            {"{not json", "pod manifest"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_error_ struct ace_error *err = NULL;
                struct pod *pod = load(cases[i].pod, NULL, &err);
                cr_assert_null(pod, "case %zu", i);
                cr_assert(err && strstr(err->msg, cases[i].msg), "case %zu: %s", i,
                          err ? err->msg : "(none)");
        }
}

/* ---- mount planner
 * -------------------------------------------------------------------------------- */

static struct pod_volume host_vol = {
    .name = (char *)"h", .kind = POD_VOLUME_HOST, .source = (char *)"/srv/h", .recursive = true};
static struct pod_volume empty_vol = {.name = (char *)"e", .kind = POD_VOLUME_EMPTY, .mode = 0755};

static int index_of(const struct mount_plan *p, enum mount_op_kind k, const char *target)
{
        for (size_t i = 0; i < p->n_ops; i++)
                if (p->ops[i].kind == k && strcmp(p->ops[i].target, target) == 0)
                        return (int)i;
        return -1;
}

Test(mount_plan, overlay_order_and_paths)
{
        struct pod_mount mounts[] = {
            {.volume = &host_vol, .path = (char *)"/data", .read_only = true},
            {.volume = &empty_vol, .path = (char *)"/dev/scratch"},
        };
        struct pod_app app = {.name = (char *)"web",
                              .tree_id = (char *)"deps-sha512-aa",
                              .mounts = mounts,
                              .n_mounts = 2,
                              .read_only_rootfs = true};
        struct mount_paths paths = {
            .pod_dir = "/d/pods/run/U", .tree_store = "/d/cas/tree", .overlay = true};
        struct mount_plan p = {0};

        cr_assert_eq(mount_plan_app(&app, &paths, &p, NULL), 0);
        cr_assert_str_eq(p.rootfs, "/d/pods/run/U/stage1/rootfs/opt/stage2/web/rootfs");
        cr_assert_eq(p.ops[0].kind, MOP_ROOTFS_OVERLAY);
        cr_assert_str_eq(p.ops[0].source, "/d/cas/tree/deps-sha512-aa/rootfs");
        cr_assert_str_eq(p.ops[0].upper, "/d/pods/run/U/overlay/deps-sha512-aa/upper/web");
        cr_assert_str_eq(p.ops[0].work, "/d/pods/run/U/overlay/deps-sha512-aa/work/web");
        /* directories before the filesystems on them; /dev contents after the /dev tmpfs */
        cr_assert_lt(index_of(&p, MOP_DIR, "/proc"), index_of(&p, MOP_PROC, "/proc"));
        cr_assert_lt(index_of(&p, MOP_DIR, "/dev"), index_of(&p, MOP_TMPFS, "/dev"));
        cr_assert_lt(index_of(&p, MOP_TMPFS, "/dev"), index_of(&p, MOP_DEVNODE, "/dev/null"));
        cr_assert_lt(index_of(&p, MOP_DIR, "/dev/pts"), index_of(&p, MOP_DEVPTS, "/dev/pts"));
        cr_assert(p.ops[index_of(&p, MOP_SYSFS, "/sys")].flags & MS_RDONLY);
        /* volumes after /dev (one lives under it), read-only root last */
        int vol = index_of(&p, MOP_BIND, "/dev/scratch");
        cr_assert_gt(vol, index_of(&p, MOP_TMPFS, "/dev"));
        cr_assert_eq(p.ops[vol].source_base, MSRC_POD);
        cr_assert_str_eq(p.ops[vol].source, "sharedVolumes/e");
        int hv = index_of(&p, MOP_BIND, "/data");
        cr_assert_eq(p.ops[hv].source_base, MSRC_HOST);
        cr_assert(p.ops[hv].read_only && p.ops[hv].recursive);
        cr_assert_eq(p.ops[p.n_ops - 1].kind, MOP_ROOT_READONLY);
        cr_assert_eq(index_of(&p, MOP_BIND, "/dev/console"), -1, "no console without a terminal");
        mount_plan_done(&p);
}

Test(mount_plan, copy_mode_binds_the_prepared_tree)
{
        struct pod_app app = {.name = (char *)"a"};
        struct mount_paths paths = {.pod_dir = "/p", .interactive = true};
        struct mount_plan p = {0};

        cr_assert_eq(mount_plan_app(&app, &paths, &p, NULL), 0);
        cr_assert_eq(p.ops[0].kind, MOP_ROOTFS_BIND);
        cr_assert_str_eq(p.ops[0].source, "/p/stage1/rootfs/opt/stage2/a/rootfs");
        cr_assert_geq(index_of(&p, MOP_BIND, "/dev/console"), 0, "interactive: terminal console");
        cr_assert_eq(index_of(&p, MOP_ROOT_READONLY, "/"), -1);
        mount_plan_done(&p);
}

Test(mount_plan, refuses_overlaps_and_bad_paths)
{
        struct mount_paths paths = {.pod_dir = "/p", .tree_store = "/t", .overlay = true};
        struct {
                const char *a, *b, *tree, *msg;
        } cases[] = {
            {"/m", "/m/n", "t", "overlap"},      {"/m", "/m", "t", "overlap"},
            {"/", NULL, "t", "bad mount path"},  {"/a/../b", NULL, "t", "bad mount path"},
            {NULL, NULL, "../x", "treeStoreID"}, {NULL, NULL, NULL, "treeStoreID"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct pod_mount m[2] = {{.volume = &empty_vol, .path = (char *)cases[i].a},
                                         {.volume = &empty_vol, .path = (char *)cases[i].b}};
                struct pod_app app = {.name = (char *)"a",
                                      .tree_id = (char *)cases[i].tree,
                                      .mounts = m,
                                      .n_mounts = cases[i].b   ? 2
                                                  : cases[i].a ? 1
                                                               : 0};
                struct mount_plan p = {0};
                _cleanup_error_ struct ace_error *err = NULL;
                cr_assert_lt(mount_plan_app(&app, &paths, &p, &err), 0, "case %zu", i);
                cr_assert(strstr(err->msg, cases[i].msg), "case %zu: %s", i, err->msg);
        }
        struct pod_app app = {.name = (char *)"a", .tree_id = (char *)"t"};
        struct mount_paths comma = {.pod_dir = "/p", .tree_store = "/t,x", .overlay = true};
        struct mount_plan p = {0};
        cr_assert_lt(mount_plan_app(&app, &comma, &p, NULL), 0, "overlay option separators");
}
