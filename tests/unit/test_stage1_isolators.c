/*
 * test_stage1_isolators.c - what stage1 makes of each isolator (stage1/pod_isolators.h): the
 * seccomp resolution rules, capability sets, resource limits and their pod bound, and the
 * report of the isolators it cannot enforce.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/pod.h"
#include "stage1/pod_isolators.h"

#define ZERO_ID                                                                                    \
        "sha512-0000000000000000000000000000000000000000000000000000000000000000"                  \
        "0000000000000000000000000000000000000000000000000000000000000000"

static const char rc[] = "{\"treeStorePath\": \"/var/lib/ace/cas/tree\", \"overlay\": true}";

/* A one-app pod whose app has the given isolators, and the given pod-level isolators. */
static struct pod *load(const char *app_isolators, const char *pod_isolators,
                        struct ace_error **err)
{
        const char *ims[] = {NULL};
        const char *trees[] = {"deps-sha512-aa"};
        _cleanup_free_ char *json =
            xasprintf("{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": "
                      "[{\"name\": \"web\","
                      " \"image\": {\"id\": \"" ZERO_ID
                      "\"}, \"app\": {\"exec\": [\"/web\"], \"user\": \"0\","
                      " \"group\": \"0\", \"isolators\": [%s]}}], \"isolators\": [%s]}",
                      app_isolators, pod_isolators);
        struct pod *pod = NULL;

        if (pod_load_texts(rc, json, ims, trees, 1, &pod, err) < 0)
                return NULL;
        return pod;
}

static struct pod *load_ok(const char *app_isolators, const char *pod_isolators)
{
        _cleanup_error_ struct ace_error *err = NULL;
        struct pod *pod = load(app_isolators, pod_isolators, &err);

        cr_assert_not_null(pod, "%s", err ? err->msg : "?");
        return pod;
}

static void assert_set(char **set, const char *joined)
{
        _cleanup_free_ char *j = strv_join(set, ",");
        cr_assert_str_eq(j, joined);
}

#define SECCOMP(kind, body) "{\"name\": \"os/linux/seccomp-" kind "-set\", \"value\": " body "}"

Test(seccomp_resolve, default_is_the_deny_list_with_eperm)
{
        _cleanup_(pod_freep) struct pod *pod = load_ok("", "");
        const struct launch_spec *l = &pod->apps[0].launch;

        cr_assert_eq(l->seccomp_mode, LAUNCH_SECCOMP_REMOVE);
        cr_assert_str_eq(l->seccomp_errno, "EPERM");
        assert_set(l->seccomp_set, "@ace/default-blacklist");
}

Test(seccomp_resolve, remove_set_is_augmented_by_the_default_deny_list)
{
        _cleanup_(pod_freep) struct pod *pod =
            load_ok(SECCOMP("remove", "{\"set\": [\"reboot\", \"uname\", "
                                      "\"@rkt/default-blacklist\"], \"errno\": \"ENOTSUP\"}"),
                    "");
        const struct launch_spec *l = &pod->apps[0].launch;

        cr_assert_eq(l->seccomp_mode, LAUNCH_SECCOMP_REMOVE);
        cr_assert_str_eq(l->seccomp_errno, "ENOTSUP");
        assert_set(l->seccomp_set, "@ace/default-blacklist,reboot,uname");
}

Test(seccomp_resolve, remove_empty_masks_the_rest)
{
        _cleanup_(pod_freep) struct pod *pod =
            load_ok(SECCOMP("remove", "{\"set\": [\"@appc.io/empty\", \"uname\"]}"), "");
        const struct launch_spec *l = &pod->apps[0].launch;

        cr_assert_eq(l->seccomp_mode, LAUNCH_SECCOMP_REMOVE);
        cr_assert_str_eq(l->seccomp_errno, "", "no errno: SIGSYS");
        assert_set(l->seccomp_set, "@ace/default-blacklist");
}

Test(seccomp_resolve, retain_set_and_its_wildcards)
{
        _cleanup_(pod_freep) struct pod *a =
            load_ok(SECCOMP("retain", "{\"set\": [\"read\", \"@rkt/default-whitelist\", "
                                      "\"write\"], \"errno\": \"EXFULL\"}"),
                    "");
        cr_assert_eq(a->apps[0].launch.seccomp_mode, LAUNCH_SECCOMP_RETAIN);
        cr_assert_str_eq(a->apps[0].launch.seccomp_errno, "EXFULL");
        assert_set(a->apps[0].launch.seccomp_set, "read,@ace/default-whitelist,write");

        _cleanup_(pod_freep) struct pod *all =
            load_ok(SECCOMP("retain", "{\"set\": [\"read\", \"@appc.io/all\"]}"), "");
        cr_assert_eq(all->apps[0].launch.seccomp_mode, LAUNCH_SECCOMP_NONE,
                     "@appc.io/all: no filter");

        _cleanup_(pod_freep) struct pod *empty =
            load_ok(SECCOMP("retain", "{\"set\": [\"@appc.io/empty\"]}"), "");
        cr_assert_eq(empty->apps[0].launch.seccomp_mode, LAUNCH_SECCOMP_RETAIN);
        cr_assert_eq(strv_length(empty->apps[0].launch.seccomp_set), 0);
}

Test(seccomp_resolve, launch_spec_round_trip_keeps_the_filter)
{
        _cleanup_(pod_freep) struct pod *pod =
            load_ok(SECCOMP("remove", "{\"set\": [\"uname\"], \"errno\": \"EXDEV\"}"), "");
        _cleanup_free_ char *json = launch_spec_format(&pod->apps[0].launch);
        struct launch_spec back __attribute__((cleanup(launch_spec_done))) = {0};

        cr_assert_eq(launch_spec_parse(json, strlen(json), &back, NULL), 0, "%s", json);
        cr_assert_eq(back.seccomp_mode, LAUNCH_SECCOMP_REMOVE);
        cr_assert_str_eq(back.seccomp_errno, "EXDEV");
        assert_set(back.seccomp_set, "@ace/default-blacklist,uname");
}

Test(cap_isolators, several_retain_sets_add_up_and_mixing_kinds_fails)
{
        _cleanup_(pod_freep) struct pod *pod =
            load_ok("{\"name\": \"os/linux/capabilities-retain-set\", \"value\": {\"set\": "
                    "[\"CAP_KILL\"]}},"
                    "{\"name\": \"os/linux/capabilities-retain-set\", \"value\": {\"set\": "
                    "[\"CAP_CHOWN\", \"CAP_KILL\"]}}",
                    "");
        cr_assert_eq(pod->apps[0].launch.caps_mode, LAUNCH_CAPS_RETAIN);
        assert_set(pod->apps[0].launch.caps_set, "CAP_KILL,CAP_CHOWN");
}

Test(resources, limits_requests_and_shares)
{
        _cleanup_(pod_freep) struct pod *pod = load_ok(
            "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"64Mi\", \"request\": "
            "\"32Mi\"}},"
            "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"1G\"}},"
            "{\"name\": \"resource/cpu\", \"value\": {\"limit\": \"500m\", \"request\": \"250m\"}}",
            "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"48Mi\"}},"
            "{\"name\": \"ace/pids\", \"value\": {\"limit\": 64}}");
        const struct pod_limits *a = &pod->apps[0].limits;

        cr_assert(a->has_memory);
        cr_assert_eq(a->memory, 64u << 20, "the most restrictive of two memory limits");
        cr_assert_eq(a->memory_request, 32u << 20);
        cr_assert_eq(a->cpu_milli, 500);
        cr_assert_eq(a->cpu_shares, 256, "250m = a quarter of 1024");
        cr_assert(pod->limits.has_pids);
        cr_assert_eq(pod->limits.pids, 64);
        cr_assert_eq(pod->limits.memory, 48u << 20);

        struct pod_limits eff;
        pod_effective_limits(&pod->limits, a, &eff);
        cr_assert_eq(eff.memory, 48u << 20, "the pod bounds the app");
        cr_assert_eq(eff.memory_request, 32u << 20);
        cr_assert_eq(eff.cpu_milli, 500);
        cr_assert(eff.has_pids, "the pod's pids bound is visible in the app's cgroup");
        cr_assert_eq(eff.pids, 64);
}

Test(resources, cpu_shares_isolator_wins_over_request_and_pod_limit_applies_to_bare_apps)
{
        _cleanup_(pod_freep) struct pod *pod =
            load_ok("{\"name\": \"resource/cpu\", \"value\": {\"request\": \"2\"}},"
                    "{\"name\": \"os/linux/cpu-shares\", \"value\": 100}",
                    "{\"name\": \"resource/cpu\", \"value\": {\"limit\": \"1500m\"}}");
        const struct pod_limits *a = &pod->apps[0].limits;
        struct pod_limits eff;

        cr_assert_eq(a->cpu_shares, 100);
        cr_assert_not(a->has_cpu);
        pod_effective_limits(&pod->limits, a, &eff);
        cr_assert(eff.has_cpu);
        cr_assert_eq(eff.cpu_milli, 1500);
}

Test(resources, shares_formula)
{
        cr_assert_eq(pod_cpu_shares_from_milli(0), 2);
        cr_assert_eq(pod_cpu_shares_from_milli(1), 2);
        cr_assert_eq(pod_cpu_shares_from_milli(1000), 1024);
        cr_assert_eq(pod_cpu_shares_from_milli(100000000), 262144);
}

Test(unenforced, report_names_scope_and_reason)
{
        _cleanup_(pod_freep) struct pod *pod = load_ok(
            "{\"name\": \"resource/network-bandwidth\", \"value\": {\"default\": true, \"limit\": "
            "\"1M\"}},"
            "{\"name\": \"os/linux/selinux-context\", \"value\": {\"user\": \"u\", \"role\": "
            "\"r\", \"type\": \"t\", \"level\": \"s0\"}}",
            "{\"name\": \"resource/block-iops\", \"value\": {\"default\": true, \"limit\": 100}},"
            "{\"name\": \"example.com/custom\", \"value\": 1}");
        _cleanup_free_ char *text = pod_unenforced_format(pod);

        cr_assert_eq(pod->n_unenforced, 4);
        cr_assert(strstr(text, "resource/block-iops pod: not supported by this stage1"), "%s",
                  text);
        cr_assert(strstr(text, "example.com/custom pod: unknown isolator\n"), "%s", text);
        cr_assert(strstr(text, "resource/network-bandwidth app=web: not supported"), "%s", text);
        cr_assert(strstr(text, "os/linux/selinux-context app=web: "), "%s", text);
}

Test(unenforced, nothing_to_report_for_enforced_isolators)
{
        _cleanup_(pod_freep) struct pod *pod =
            load_ok("{\"name\": \"os/linux/no-new-privileges\", \"value\": true},"
                    "{\"name\": \"os/linux/oom-score-adj\", \"value\": 500},"
                    "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"1G\"}}",
                    "{\"name\": \"ace/pids\", \"value\": {\"limit\": 10}}");
        _cleanup_free_ char *text = pod_unenforced_format(pod);

        cr_assert_eq(pod->n_unenforced, 0);
        cr_assert_str_eq(text, "");
        cr_assert(pod->apps[0].launch.no_new_privs);
        cr_assert_eq(pod->apps[0].launch.oom_score_adj, 500);
}
