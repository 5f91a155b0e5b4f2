/*
 * cgroup.c - the pod's cgroups on either backend (cgroup.h): naming, the `cgroup` pod file,
 * creation with limits, attaching processes, removal.
 */
#include "stage1/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/cgroup_internal.h"
#include "stage1/pod_isolators.h"
#include "stage1/podfiles.h"

static const char *const controller_names[_CGROUP_CONTROLLER_MAX] = {
    [CGROUP_MEMORY] = "memory",
    [CGROUP_CPU] = "cpu",
    [CGROUP_PIDS] = "pids",
};

const char *cgroup_controller_name(enum cgroup_controller c)
{
        return (unsigned)c < _CGROUP_CONTROLLER_MAX ? controller_names[c] : "?";
}

uint64_t cgroup_cpu_quota_us(uint64_t milli)
{
        uint64_t q = milli > UINT64_MAX / CGROUP_CPU_PERIOD_US
                         ? UINT64_MAX / 1000
                         : milli * CGROUP_CPU_PERIOD_US / 1000;

        return q < CGROUP_CPU_QUOTA_MIN_US ? CGROUP_CPU_QUOTA_MIN_US : q;
}

void cgroup_setting_add(struct cgroup_setting out[CGROUP_SETTINGS_MAX], size_t *n,
                        enum cgroup_controller c, const char *file, const char *fmt, ...)
{
        va_list ap;

        if (*n >= CGROUP_SETTINGS_MAX)
                abort(); /* a backend wrote more settings than the table holds: a bug */
        out[*n].controller = c;
        out[*n].file = file;
        va_start(ap, fmt);
        vsnprintf(out[*n].value, sizeof(out[*n].value), fmt, ap);
        va_end(ap);
        (*n)++;
}

char *cgroup_read(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        char *buf = NULL;
        size_t len = 0, cap = 0;
        ssize_t k;

        if (fd < 0)
                return NULL;
        do {
                buf = xgrow(buf, &cap, len + 4097, 1);
                k = read(fd, buf + len, cap - len - 1);
                if (k > 0)
                        len += (size_t)k;
        } while (k > 0 || (k < 0 && errno == EINTR));
        buf[len] = 0;
        return buf;
}

int cgroup_write(const char *dir, const char *file, const char *value, struct ace_error **err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        size_t len = strlen(value);

        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", path);
        if (write(fd, value, len) != (ssize_t)len)
                return ace_error_errno(err, errno ? errno : EIO, "write \"%s\" to %s", value, path);
        return 0;
}

char *cgroup_dir(const struct cgroup_hierarchy *h, const char *rel)
{
        const char *base = h->base;
        size_t rl = strlen(h->root);

        /* The mount shows the hierarchy from h->root down: strip it from our path. */
        if (strcmp(h->root, "/") != 0 && strncmp(base, h->root, rl) == 0)
                base += rl;
        if (strcmp(base, "/") == 0)
                base = "";
        return xasprintf("%s%s%s%s", h->mount, base, rel && *rel ? "/" : "", rel ? rel : "");
}

char *cgroup_pod_name(const char *uuid)
{
        return xasprintf("ace-%s", uuid);
}

char *cgroup_app_leaf(const char *app)
{
        return xasprintf("app-%s", app);
}

static char *join_rel(const char *a, const char *b)
{
        return xasprintf("%s/%s", a, b);
}

/* ---- the `cgroup` pod file ----------------------------------------------------------------- */

char *cgroup_pod_format(const struct cgroup_pod *cp)
{
        char *text = xstrdup("");

        for (size_t i = 0; i < cp->host.n; i++) {
                const struct cgroup_hierarchy *h = &cp->host.h[i];
                bool root = strcmp(h->base, "/") == 0;
                char *next = xasprintf("%s%d:%s:%s/%s\n", text, h->id, h->controllers,
                                       root ? "" : h->base, cp->rel);
                free(text);
                text = next;
        }
        return text;
}

/* One line "ID:CONTROLLERS:PATH" -> the hierarchy of host it names, with base set to PATH's
 * parent; -ENOENT when the hierarchy is not mounted here. */
static int parse_line(char *line, const char *name, struct cgroup_host *host, size_t *ret_index,
                      struct ace_error **err)
{
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *path, *slash;
        size_t nl = strlen(name), pl;
        bool v2;

        if (!c2)
                return ace_error_make(err, EINVAL, "bad line \"%s\"", line);
        *c1 = *c2 = 0;
        path = c2 + 1;
        pl = strlen(path);
        v2 = strcmp(line, "0") == 0 && !c1[1];
        if (pl <= nl || path[0] != '/' || strcmp(path + pl - nl, name) != 0 ||
            path[pl - nl - 1] != '/' || strstr(path, "/../") || strstr(path, "/./"))
                return ace_error_make(err, EINVAL, "\"%s\" is not this pod's cgroup", path);
        for (size_t i = 0; i < host->n; i++) {
                struct cgroup_hierarchy *h = &host->h[i];
                if (v2 != (h->id == 0) || strcmp(h->controllers, c1 + 1) != 0)
                        continue;
                slash = path + pl - nl - 1;
                free(h->base);
                h->base = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
                *ret_index = i;
                return 0;
        }
        return -ENOENT;
}

int cgroup_pod_parse(const char *text, const char *uuid, struct cgroup_host *host,
                     struct cgroup_pod *ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **lines = strv_split(text, "\n", false);
        _cleanup_free_ char *name = cgroup_pod_name(uuid);
        struct cgroup_pod cp = {.rel = xstrdup(name)};
        bool v2 = false;
        int r;

        for (size_t i = 0; lines && lines[i]; i++) {
                size_t idx = 0;
                r = parse_line(lines[i], name, host, &idx, err);
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        cgroup_pod_done(&cp);
                        return ace_error_wrap(err, "cgroup");
                }
                /* Move the matched hierarchy over; the host keeps the rest. */
                cp.host.h = xrealloc(cp.host.h, (cp.host.n + 1) * sizeof(*cp.host.h));
                cp.host.h[cp.host.n++] = host->h[idx];
                v2 = host->h[idx].id == 0;
                host->h[idx] = host->h[--host->n];
        }
        if (cp.host.n)
                cp.host.ops = v2 ? &cgroup_v2_ops : &cgroup_v1_ops;
        *ret = cp;
        return 0;
}

/* ---- creation ---------------------------------------------------------------------------------
 */

static int mkdir_all(const struct cgroup_pod *cp, const char *rel, struct ace_error **err)
{
        for (size_t i = 0; i < cp->host.n; i++) {
                _cleanup_free_ char *dir = cgroup_dir(&cp->host.h[i], rel);
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return ace_error_errno(err, errno, "create cgroup %s", dir);
        }
        return 0;
}

static unsigned wanted(const struct pod_limits *l)
{
        return (l->has_memory || l->has_memory_request ? CGROUP_MASK(CGROUP_MEMORY) : 0) |
               (l->has_cpu || l->has_cpu_shares ? CGROUP_MASK(CGROUP_CPU) : 0) |
               (l->has_pids ? CGROUP_MASK(CGROUP_PIDS) : 0);
}

static const char *unusable_reason(const struct cgroup_pod *cp, enum cgroup_controller c)
{
        static char buf[128];

        if (!cp->host.ops)
                return "no cgroup filesystem is mounted";
        if (cp->host.ops == &cgroup_v1_ops)
                snprintf(buf, sizeof(buf), "no %s cgroup hierarchy is mounted",
                         cgroup_controller_name(c));
        else
                snprintf(buf, sizeof(buf),
                         "the %s controller is not available to the pod's cgroup (cgroup v2)",
                         cgroup_controller_name(c));
        return buf;
}

/* Adds an unenforced entry for every isolator behind a limit whose controller is unusable. */
static void report_unusable(const struct cgroup_pod *cp, struct pod *pod,
                            const struct pod_limits *l, const char *scope)
{
        unsigned bad = wanted(l) & ~cp->usable;

        if ((bad & CGROUP_MASK(CGROUP_MEMORY)))
                pod_add_unenforced(pod, "resource/memory", scope,
                                   unusable_reason(cp, CGROUP_MEMORY));
        if ((bad & CGROUP_MASK(CGROUP_CPU)) && (l->has_cpu || !l->cpu_shares_explicit))
                pod_add_unenforced(pod, "resource/cpu", scope, unusable_reason(cp, CGROUP_CPU));
        if ((bad & CGROUP_MASK(CGROUP_CPU)) && l->cpu_shares_explicit)
                pod_add_unenforced(pod, "os/linux/cpu-shares", scope,
                                   unusable_reason(cp, CGROUP_CPU));
        if ((bad & CGROUP_MASK(CGROUP_PIDS)))
                pod_add_unenforced(pod, "ace/pids", scope, unusable_reason(cp, CGROUP_PIDS));
}

/* The hierarchy that carries controller c (v2: the only one). */
static const struct cgroup_hierarchy *carrier(const struct cgroup_pod *cp, enum cgroup_controller c)
{
        if (cp->host.ops == &cgroup_v2_ops)
                return &cp->host.h[0];
        for (size_t i = 0; i < cp->host.n; i++)
                if (cp->host.h[i].mask & CGROUP_MASK(c))
                        return &cp->host.h[i];
        return NULL;
}

static int apply_limits(const struct cgroup_pod *cp, const char *rel, const struct pod_limits *l,
                        struct ace_error **err)
{
        struct cgroup_setting s[CGROUP_SETTINGS_MAX];
        size_t n = cp->host.ops->settings(l, s);

        for (size_t i = 0; i < n; i++) {
                const struct cgroup_hierarchy *h = carrier(cp, s[i].controller);
                _cleanup_free_ char *dir = NULL;
                int r;

                if (!h || !(cp->usable & CGROUP_MASK(s[i].controller)))
                        continue; /* reported as unenforced */
                dir = cgroup_dir(h, rel);
                if ((r = cgroup_write(dir, s[i].file, s[i].value, err)) < 0)
                        return r;
        }
        return 0;
}

/* The device policy on every app leaf; false (with the reason logged by the caller through
 * *err) when the host cannot apply it. */
static bool apply_devices(struct cgroup_pod *cp, const struct pod *pod, struct ace_error **err)
{
        struct device_rule rules[16];
        size_t n = n_device_default_rules;

        memcpy(rules, device_default_rules, n * sizeof(rules[0]));
        if (cp->has_terminal)
                rules[n++] = cp->terminal;
        for (size_t i = 0; i < pod->n_apps; i++) {
                _cleanup_free_ char *leaf = cgroup_app_leaf(pod->apps[i].name);
                _cleanup_free_ char *rel = join_rel(cp->rel, leaf);
                int r = cp->host.ops->devices(&cp->host, rel, rules, n, err);
                if (r == -ENOENT && !*err)
                        ace_error_make(err, ENOENT, "no devices cgroup hierarchy is mounted");
                if (r < 0)
                        return false;
        }
        return true;
}

int cgroup_pod_create(struct cgroup_pod *cp, struct pod *pod, int podfd, struct ace_error **err)
{
        _cleanup_free_ char *file = NULL, *sup = NULL;
        unsigned want = wanted(&pod->limits);
        int r;

        cp->rel = cgroup_pod_name(pod->uuid);
        /* Recorded before anything exists: gc must find whatever this function leaves. */
        file = cgroup_pod_format(cp);
        if ((r = podfile_write(podfd, "cgroup", file, err)) < 0)
                return r;
        for (size_t i = 0; i < pod->n_apps; i++)
                want |= wanted(&pod->apps[i].limits);
        sup = join_rel(cp->rel, CGROUP_SUPERVISOR_LEAF);
        if (cp->host.ops &&
            ((r = mkdir_all(cp, cp->rel, err)) < 0 || (r = mkdir_all(cp, sup, err)) < 0))
                return r;
        for (size_t i = 0; cp->host.ops && i < pod->n_apps; i++) {
                _cleanup_free_ char *leaf = cgroup_app_leaf(pod->apps[i].name);
                _cleanup_free_ char *rel = join_rel(cp->rel, leaf);
                if ((r = mkdir_all(cp, rel, err)) < 0)
                        return r;
        }
        /* v2: the caller's cgroup must hand the controllers to the pod, the pod to its leaves
         * (the pod cgroup itself never holds a process, so that always works). */
        if (cp->host.ops)
                cp->usable = cp->host.ops->delegate(&cp->host, "", want) &
                             cp->host.ops->delegate(&cp->host, cp->rel, want);
        report_unusable(cp, pod, &pod->limits, "pod");
        for (size_t i = 0; i < pod->n_apps; i++) {
                _cleanup_free_ char *scope = xasprintf("app=%s", pod->apps[i].name);
                report_unusable(cp, pod, &pod->apps[i].limits, scope);
        }
        if (!cp->host.ops)
                return 0;
        {
                _cleanup_error_ struct ace_error *derr = NULL;
                cp->devices_applied = apply_devices(cp, pod, &derr);
                if (!cp->devices_applied)
                        log_warn("no device policy for the apps: %s", ace_error_msg(derr));
        }
        if ((r = apply_limits(cp, cp->rel, &pod->limits, err)) < 0)
                return ace_error_wrap(err, "pod limits");
        for (size_t i = 0; i < pod->n_apps; i++) {
                _cleanup_free_ char *leaf = cgroup_app_leaf(pod->apps[i].name);
                _cleanup_free_ char *rel = join_rel(cp->rel, leaf);
                struct pod_limits eff;
                pod_effective_limits(&pod->limits, &pod->apps[i].limits, &eff);
                if ((r = apply_limits(cp, rel, &eff, err)) < 0)
                        return ace_error_wrap(err, "app %s limits", pod->apps[i].name);
        }
        return 0;
}

/* Whether the calling process has one thread (from /proc/self/status; false when unsure). */
static bool single_threaded(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[128];

        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "Threads:", 8) == 0)
                        return atoi(line + 8) == 1;
        return false;
}

int cgroup_pod_attach(const struct cgroup_pod *cp, const char *leaf, pid_t pid,
                      struct ace_error **err)
{
        _cleanup_free_ char *rel = join_rel(cp->rel, leaf);
        char buf[24];
        /* A v1 write to cgroup.procs takes the kernel's global threadgroup rwsem for writing,
         * which waits for an RCU grace period (10-20 ms here) unless another migration ran just
         * before; moving the calling thread itself through `tasks` needs no threadgroup lock
         * (kernel: cgroup_procs_write_start), and for a single-threaded process it moves the
         * whole process. The runtime's processes have one thread when they move; the check
         * keeps it that way. v2 has no `tasks` in a domain cgroup and keeps cgroup.procs
         * (clone3's CLONE_INTO_CGROUP would avoid the migration there: not done yet). */
        bool self_thread = pid == 0 && single_threaded();

        snprintf(buf, sizeof(buf), "%d", (int)pid);
        for (size_t i = 0; i < cp->host.n; i++) {
                _cleanup_free_ char *dir = cgroup_dir(&cp->host.h[i], rel);
                const char *file = self_thread && cp->host.h[i].id != 0 ? "tasks" : "cgroup.procs";
                int r = cgroup_write(dir, file, buf, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

size_t cgroup_pod_views(const struct cgroup_pod *cp, struct cgroup_view **ret)
{
        struct cgroup_view *v = xcalloc(cp->host.n + 1, sizeof(*v));

        for (size_t i = 0; i < cp->host.n; i++) {
                const struct cgroup_hierarchy *h = &cp->host.h[i];
                _cleanup_free_ char *m = xstrdup(h->mount);
                v[i].name = xstrdup(h->id == 0 ? "" : basename(m));
                v[i].dir = cgroup_dir(h, cp->rel);
        }
        *ret = v;
        return cp->host.n;
}

void cgroup_views_free(struct cgroup_view *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++) {
                free(v[i].name);
                free(v[i].dir);
        }
        free(v);
}

/* ---- removal -----------------------------------------------------------------------------------
 */

int cgroup_kill_procs(const struct cgroup_hierarchy *h, const char *rel, struct ace_error **err)
{
        _cleanup_free_ char *dir = cgroup_dir(h, rel), *path = xasprintf("%s/cgroup.procs", dir);

        for (int round = 0; round < 100; round++) {
                _cleanup_free_ char *procs = cgroup_read(path);
                _cleanup_strv_free_ char **pids = procs ? strv_split(procs, "\n", false) : NULL;
                struct timespec ts = {0, 10 * 1000 * 1000};

                if (!procs)
                        return errno == ENOENT ? 0 : ace_error_errno(err, errno, "read %s", path);
                if (strv_length(pids) == 0)
                        return 0;
                for (size_t i = 0; pids[i]; i++)
                        (void)kill((pid_t)atoi(pids[i]), SIGKILL);
                nanosleep(&ts, NULL);
        }
        return ace_error_make(err, EBUSY, "processes in %s survive SIGKILL", dir);
}

/* rmdir of rel and everything below it, children first. A cgroup still holding processes is
 * emptied (ops->kill) and retried for up to about two seconds: exiting processes leave their
 * cgroup only once they are fully gone. */
static int remove_tree(const struct cgroup_host *host, size_t hi, const char *rel,
                       struct ace_error **err)
{
        const struct cgroup_hierarchy *h = &host->h[hi];
        _cleanup_free_ char *dir = cgroup_dir(h, rel);
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;
        int r;

        if (!d)
                return errno == ENOENT ? 0 : ace_error_errno(err, errno, "open cgroup %s", dir);
        while ((de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                    strcmp(de->d_name, "..") == 0)
                        continue;
                sub = join_rel(rel, de->d_name);
                if ((r = remove_tree(host, hi, sub, err)) < 0)
                        return r;
        }
        for (int tries = 0;; tries++) {
                struct timespec ts = {0, 10 * 1000 * 1000};
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || tries >= 200)
                        return ace_error_errno(err, errno, "remove cgroup %s", dir);
                if (tries == 0 && (r = host->ops->kill(host, rel, err)) < 0)
                        return r;
                nanosleep(&ts, NULL);
        }
}

int cgroup_pod_remove(const struct cgroup_pod *cp, struct ace_error **err)
{
        for (size_t i = 0; i < cp->host.n; i++) {
                int r = remove_tree(&cp->host, i, cp->rel, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

void cgroup_pod_done(struct cgroup_pod *cp)
{
        cgroup_host_done(&cp->host);
        free(cp->rel);
        cp->rel = NULL;
        cp->usable = 0;
}
