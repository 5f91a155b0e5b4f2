/* pod_isolators.c - isolators -> launch spec, cgroup limits, unenforced report (pod_isolators.h).
 */
#include "stage1/pod_isolators.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define CPU_SHARES_MIN 2
#define CPU_SHARES_MAX 262144

uint64_t pod_cpu_shares_from_milli(uint64_t milli)
{
        uint64_t shares = milli > UINT64_MAX / 1024 ? CPU_SHARES_MAX : milli * 1024 / 1000;

        if (shares < CPU_SHARES_MIN)
                return CPU_SHARES_MIN;
        return shares > CPU_SHARES_MAX ? CPU_SHARES_MAX : shares;
}

static void min_into(bool *has, uint64_t *v, uint64_t value)
{
        if (!*has || value < *v)
                *v = value;
        *has = true;
}

/* resource/memory, resource/cpu: several isolators of a kind may be given; the most restrictive
 * value wins. */
static void apply_resource(const char *name, const struct isolator_resource *r,
                           struct pod_limits *lim)
{
        if (strcmp(name, "resource/memory") == 0) {
                if (r->has_limit)
                        min_into(&lim->has_memory, &lim->memory, (uint64_t)r->limit.value);
                if (r->has_request)
                        min_into(&lim->has_memory_request, &lim->memory_request,
                                 (uint64_t)r->request.value);
                return;
        }
        /* resource/cpu: the limit is a CFS quota, the request relative weight -- unless
         * os/linux/cpu-shares says the weight explicitly (it is applied after this). */
        if (r->has_limit)
                min_into(&lim->has_cpu, &lim->cpu_milli, (uint64_t)r->limit.value);
        if (r->has_request)
                min_into(&lim->has_cpu_shares, &lim->cpu_shares,
                         pod_cpu_shares_from_milli((uint64_t)r->request.value));
}

/* ---- seccomp ------------------------------------------------------------------------------- */

static bool set_has(char *const *set, const char *entry)
{
        return strv_contains(set, entry);
}

/* rkt's groups are ours under another name. */
static const char *canonical_group(const char *entry)
{
        if (strcmp(entry, "@rkt/default-blacklist") == 0)
                return "@ace/default-blacklist";
        if (strcmp(entry, "@rkt/default-whitelist") == 0)
                return "@ace/default-whitelist";
        return entry;
}

/* Removes every copy of s from v, in place. */
static void strv_remove(char **v, const char *s)
{
        size_t w = 0;

        for (size_t i = 0; v && v[i]; i++) {
                if (strcmp(v[i], s) == 0)
                        free(v[i]);
                else
                        v[w++] = v[i];
        }
        if (v)
                v[w] = NULL;
}

static char **canonical_set(char *const *set)
{
        char **out = NULL;

        for (size_t i = 0; set && set[i]; i++) {
                const char *e = canonical_group(set[i]);
                if (!strv_contains(out, e))
                        out = strv_push(out, e);
        }
        return out;
}

static int resolve_errno(const struct isolator_seccomp *s, struct launch_spec *l,
                         struct ace_error **err)
{
        if (!s->errno_name || !*s->errno_name) {
                l->seccomp_errno = xstrdup(""); /* SIGSYS */
                return 0;
        }
        if (s->errno_value <= 0)
                return ace_error_make(err, EINVAL, "unknown errno name \"%s\"", s->errno_name);
        l->seccomp_errno = xstrdup(s->errno_name);
        return 0;
}

int pod_seccomp_resolve(const struct isolator_seccomp *retain,
                        const struct isolator_seccomp *remove, struct launch_spec *l,
                        struct ace_error **err)
{
        int r;

        strv_freep(&l->seccomp_set);
        free(l->seccomp_errno);
        l->seccomp_errno = NULL;
        l->seccomp_mode = LAUNCH_SECCOMP_NONE;
        if (retain && remove)
                return ace_error_make(
                    err, EINVAL, "seccomp-retain-set and seccomp-remove-set cannot be combined");
        if (!retain && !remove) {
                launch_spec_seccomp_default(l);
                return 0;
        }
        if (retain) {
                if (set_has(retain->set, "@appc.io/all"))
                        return 0; /* "masks all other values": opt out of filtering */
                if ((r = resolve_errno(retain, l, err)) < 0)
                        return ace_error_wrap(err, "os/linux/seccomp-retain-set");
                l->seccomp_mode = LAUNCH_SECCOMP_RETAIN;
                /* @appc.io/empty retains nothing beyond stage2's exec/exit minimum. */
                l->seccomp_set = canonical_set(retain->set);
                strv_remove(l->seccomp_set, "@appc.io/empty");
                return 0;
        }
        if (set_has(remove->set, "@appc.io/all"))
                return ace_error_make(err, EINVAL,
                                      "os/linux/seccomp-remove-set: @appc.io/all would block every "
                                      "syscall (use a retain set)");
        if ((r = resolve_errno(remove, l, err)) < 0)
                return ace_error_wrap(err, "os/linux/seccomp-remove-set");
        l->seccomp_mode = LAUNCH_SECCOMP_REMOVE;
        /* The default deny-list always applies (spec: a remove set "MAY be augmented by an
         * implementation-specific default blacklist"); @appc.io/empty masks the rest. */
        l->seccomp_set = strv_push(NULL, LAUNCH_SECCOMP_DEFAULT_SET);
        if (set_has(remove->set, "@appc.io/empty"))
                return 0;
        for (size_t i = 0; remove->set[i]; i++) {
                const char *e = canonical_group(remove->set[i]);
                if (!strv_contains(l->seccomp_set, e))
                        l->seccomp_set = strv_push(l->seccomp_set, e);
        }
        return 0;
}

/* ---- apps ---------------------------------------------------------------------------------- */

static void add_caps(char ***set, char *const *more)
{
        for (size_t i = 0; more && more[i]; i++)
                if (!strv_contains(*set, more[i]))
                        *set = strv_push(*set, more[i]);
}

/* Several capability isolators of one kind add up (their sets are united). */
static int apply_caps(const char *name, const struct isolator_capabilities *c,
                      struct launch_spec *l, struct ace_error **err)
{
        enum launch_caps_mode mode = strcmp(name, "os/linux/capabilities-retain-set") == 0
                                         ? LAUNCH_CAPS_RETAIN
                                         : LAUNCH_CAPS_REMOVE;

        if (l->caps_mode != LAUNCH_CAPS_DEFAULT && l->caps_mode != mode)
                return ace_error_make(err, EINVAL,
                                      "capabilities-retain-set and capabilities-remove-set cannot "
                                      "be combined");
        l->caps_mode = mode;
        add_caps(&l->caps_set, c->set);
        return 0;
}

static void unenforced(struct pod *pod, const char *name, const char *scope, const char *reason)
{
        pod_add_unenforced(pod, name, scope, reason);
}

int pod_isolators_app(const struct ace_isolator_list *l, struct pod *pod, struct pod_app *a,
                      struct ace_error **err)
{
        const struct isolator_seccomp *retain = NULL, *remove = NULL;
        _cleanup_free_ char *scope = xasprintf("app=%s", a->name);
        bool has_cpu_shares = false;
        uint64_t cpu_shares = 0;
        int r = 0;

        for (size_t i = 0; i < l->n && r >= 0; i++) {
                const struct ace_isolator *iso = &l->items[i];
                const char *n = iso->name;

                if (!iso->type) {
                        unenforced(pod, n, scope, "unknown isolator");
                } else if (strcmp(n, "os/linux/capabilities-retain-set") == 0 ||
                           strcmp(n, "os/linux/capabilities-remove-set") == 0) {
                        r = apply_caps(n, iso->value, &a->launch, err);
                } else if (strcmp(n, "os/linux/seccomp-retain-set") == 0) {
                        retain = iso->value;
                } else if (strcmp(n, "os/linux/seccomp-remove-set") == 0) {
                        remove = iso->value;
                } else if (strcmp(n, "os/linux/no-new-privileges") == 0) {
                        /* Several may be given: the last one wins (rkt). */
                        a->launch.no_new_privs = ((const struct isolator_bool *)iso->value)->value;
                } else if (strcmp(n, "os/linux/oom-score-adj") == 0) {
                        a->launch.has_oom_score_adj = true;
                        a->launch.oom_score_adj = ((const struct isolator_int *)iso->value)->value;
                } else if (strcmp(n, "os/linux/cpu-shares") == 0) {
                        has_cpu_shares = true;
                        cpu_shares = (uint64_t)((const struct isolator_int *)iso->value)->value;
                } else if (strcmp(n, "resource/memory") == 0 || strcmp(n, "resource/cpu") == 0) {
                        apply_resource(n, iso->value, &a->limits);
                } else if (strcmp(n, "resource/block-bandwidth") == 0 ||
                           strcmp(n, "resource/block-iops") == 0) {
                        unenforced(pod, n, scope,
                                   "not supported by this stage1 (blkio throttling "
                                   "needs a device, the isolator names none)");
                } else if (strcmp(n, "resource/network-bandwidth") == 0) {
                        unenforced(pod, n, scope, "not supported by this stage1");
                } else {
                        /* selinux-context, apparmor-profile: stage1 (run.c) knows whether the
                         * host has the LSM and refines the reason. */
                        unenforced(pod, n, scope, "not supported by this stage1");
                }
                if (r < 0)
                        return ace_error_wrap(err, "isolator %s", n);
        }
        if (has_cpu_shares) {
                a->limits.has_cpu_shares = true;
                a->limits.cpu_shares = cpu_shares;
                a->limits.cpu_shares_explicit = true;
        }
        if ((r = pod_seccomp_resolve(retain, remove, &a->launch, err)) < 0)
                return ace_error_wrap(err, "isolators");
        return 0;
}

int pod_isolators_pod(const struct ace_isolator_list *l, struct pod *pod, struct ace_error **err)
{
        (void)err;
        for (size_t i = 0; i < l->n; i++) {
                const struct ace_isolator *iso = &l->items[i];
                const char *n = iso->name;

                if (!iso->type)
                        unenforced(pod, n, "pod", "unknown isolator");
                else if (strcmp(n, "resource/memory") == 0 || strcmp(n, "resource/cpu") == 0)
                        apply_resource(n, iso->value, &pod->limits);
                else if (strcmp(n, "ace/pids") == 0)
                        min_into(&pod->limits.has_pids, &pod->limits.pids,
                                 ((const struct isolator_pids *)iso->value)->limit);
                else if (strcmp(n, "resource/block-bandwidth") == 0 ||
                         strcmp(n, "resource/block-iops") == 0)
                        unenforced(pod, n, "pod",
                                   "not supported by this stage1 (blkio throttling "
                                   "needs a device, the isolator names none)");
                else
                        unenforced(pod, n, "pod", "not supported by this stage1");
        }
        return 0;
}

void pod_effective_limits(const struct pod_limits *pod, const struct pod_limits *app,
                          struct pod_limits *ret)
{
        *ret = *app;
        /* pids is counted for the whole pod; the app's own cgroup gets the same bound, so the
         * app sees it there too. */
        ret->has_pids = pod->has_pids;
        ret->pids = pod->pids;
        if (pod->has_memory)
                min_into(&ret->has_memory, &ret->memory, pod->memory);
        if (pod->has_cpu)
                min_into(&ret->has_cpu, &ret->cpu_milli, pod->cpu_milli);
        /* A guarantee beyond the bound is meaningless: clamp the request to the limit. */
        if (ret->has_memory_request && ret->has_memory && ret->memory_request > ret->memory)
                ret->memory_request = ret->memory;
}
