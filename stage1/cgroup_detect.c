/*
 * cgroup_detect.c - find the cgroup hierarchies of this host and our place in each
 * (cgroup.h "Backend choice"), from /proc/self/mountinfo and /proc/self/cgroup.
 */
#include "stage1/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/cgroup_internal.h"

/* Sorted (strcmp): every v1 controller of Linux 6.x. */
const char *const cgroup_v1_controllers[] = {
    "blkio",  "cpu",  "cpuacct", "cpuset",   "devices",    "freezer", "hugetlb",
    "memory", "misc", "net_cls", "net_prio", "perf_event", "pids",    "rdma",
};
const size_t n_cgroup_v1_controllers = ARRAY_SIZE(cgroup_v1_controllers);

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, *(const char *const *)b);
}

static bool is_v1_controller(const char *s)
{
        return bsearch(s, cgroup_v1_controllers, n_cgroup_v1_controllers, sizeof(char *), cmp_str);
}

void cgroup_host_done(struct cgroup_host *h)
{
        for (size_t i = 0; i < h->n; i++) {
                free(h->h[i].mount);
                free(h->h[i].root);
                free(h->h[i].controllers);
                free(h->h[i].base);
        }
        free(h->h);
        *h = (struct cgroup_host){0};
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s)
{
        char *r = xmalloc(strlen(s) + 1), *w = r;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 3;
                } else {
                        *w++ = *s;
                }
        }
        *w = 0;
        return r;
}

/* Sorted, comma-joined controller names from a v1 mount's super options ("rw,cpu,cpuacct");
 * "" when there is none (a named hierarchy). */
static char *controllers_of_options(const char *super)
{
        _cleanup_strv_free_ char **opts = strv_split(super, ",", false), **ctl = NULL;

        for (size_t i = 0; opts && opts[i]; i++)
                if (is_v1_controller(opts[i]))
                        ctl = strv_push(ctl, opts[i]);
        if (ctl)
                strv_sort(ctl);
        return strv_join(ctl, ",");
}

/* Same normalization for the middle field of /proc/self/cgroup. */
static char *controllers_sorted(const char *field)
{
        _cleanup_strv_free_ char **ctl = strv_split(field, ",", false);

        strv_sort(ctl);
        return strv_join(ctl, ",");
}

struct mount_entry {
        char *mount, *root, *fstype, *controllers;
};

static void mount_entries_free(struct mount_entry *m, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(m[i].mount);
                free(m[i].root);
                free(m[i].fstype);
                free(m[i].controllers);
        }
        free(m);
}

/* The cgroup and cgroup2 mounts of a mountinfo text. */
static size_t parse_mounts(const char *mountinfo, struct mount_entry **ret)
{
        _cleanup_strv_free_ char **lines = strv_split(mountinfo, "\n", false);
        struct mount_entry *m = NULL;
        size_t n = 0;

        for (size_t i = 0; lines && lines[i]; i++) {
                _cleanup_strv_free_ char **f = strv_split(lines[i], " ", false);
                size_t nf = strv_length(f), dash = 0;

                for (size_t k = 6; k < nf; k++)
                        if (strcmp(f[k], "-") == 0) {
                                dash = k;
                                break;
                        }
                if (!dash || dash + 3 >= nf + 1 || dash + 2 >= nf)
                        continue;
                if (strcmp(f[dash + 1], "cgroup") != 0 && strcmp(f[dash + 1], "cgroup2") != 0)
                        continue;
                m = xrealloc(m, (n + 1) * sizeof(*m));
                m[n++] = (struct mount_entry){
                    .mount = unescape(f[4]),
                    .root = unescape(f[3]),
                    .fstype = xstrdup(f[dash + 1]),
                    .controllers = strcmp(f[dash + 1], "cgroup") == 0
                                       ? controllers_of_options(dash + 3 < nf ? f[dash + 3] : "")
                                       : xstrdup(""),
                };
        }
        *ret = m;
        return n;
}

/* The path of our cgroup in the hierarchy whose /proc/self/cgroup controllers field (sorted)
 * is `controllers` ("" and ID 0 for v2); NULL if none. */
static char *self_path(const char *self_cgroup, const char *controllers, bool v2, int *ret_id)
{
        _cleanup_strv_free_ char **lines = strv_split(self_cgroup, "\n", false);

        for (size_t i = 0; lines && lines[i]; i++) {
                char *c1 = strchr(lines[i], ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c1 = *c2 = 0;
                _cleanup_free_ char *ctl = controllers_sorted(c1 + 1);
                int id = atoi(lines[i]);
                if (v2 ? (id == 0 && !*ctl) : (id != 0 && strcmp(ctl, controllers) == 0)) {
                        *ret_id = id;
                        return xstrdup(c2 + 1);
                }
        }
        return NULL;
}

static unsigned mask_of(const char *controllers)
{
        _cleanup_strv_free_ char **ctl = strv_split(controllers, ",", false);
        unsigned mask = 0;

        for (int c = 0; c < _CGROUP_CONTROLLER_MAX; c++)
                if (strv_contains(ctl, cgroup_controller_name((enum cgroup_controller)c)))
                        mask |= CGROUP_MASK(c);
        return mask;
}

/* Adds hierarchy m unless it is unusable: our cgroup must be inside the mounted subtree. */
static void add_hierarchy(struct cgroup_host *h, const struct mount_entry *m, const char *self,
                          bool v2)
{
        int id = 0;
        _cleanup_free_ char *base = self_path(self, m->controllers, v2, &id);
        size_t rl = strlen(m->root);

        if (!base)
                return;
        if (strcmp(m->root, "/") != 0 &&
            (strncmp(base, m->root, rl) != 0 || (base[rl] != '/' && base[rl] != 0)))
                return;
        for (size_t i = 0; i < h->n; i++)
                if (strcmp(h->h[i].controllers, m->controllers) == 0)
                        return; /* the same hierarchy mounted twice */
        h->h = xrealloc(h->h, (h->n + 1) * sizeof(*h->h));
        h->h[h->n++] = (struct cgroup_hierarchy){
            .mount = xstrdup(m->mount),
            .root = xstrdup(m->root),
            .controllers = xstrdup(m->controllers),
            .base = TAKE_PTR(base),
            .id = id,
            .mask = v2 ? 0 : mask_of(m->controllers),
        };
}

int cgroup_host_from_texts(const char *mountinfo, const char *self_cgroup, bool all,
                           struct cgroup_host *ret, struct ace_error **err)
{
        struct mount_entry *m = NULL;
        size_t n = parse_mounts(mountinfo, &m);
        struct cgroup_host h = {0};
        bool v1 = false;

        (void)err;
        for (size_t i = 0; i < n; i++)
                v1 |= strcmp(m[i].fstype, "cgroup") == 0 && *m[i].controllers;
        for (size_t i = 0; i < n; i++) {
                bool is_v2 = strcmp(m[i].fstype, "cgroup2") == 0;
                if (!is_v2 && (v1 || all) && *m[i].controllers &&
                    !strstr(m[i].controllers, "cpuset"))
                        add_hierarchy(&h, &m[i], self_cgroup, false);
                else if (is_v2 && (!v1 || all))
                        add_hierarchy(&h, &m[i], self_cgroup, true);
        }
        mount_entries_free(m, n);
        if (h.n > 0 && !all)
                h.ops = v1 ? &cgroup_v1_ops : &cgroup_v2_ops;
        *ret = h;
        return 0;
}

/* v2: what our cgroup offers its children, from cgroup.controllers. */
static unsigned v2_available(const struct cgroup_hierarchy *h)
{
        _cleanup_free_ char *dir = cgroup_dir(h, ""),
                            *path = xasprintf("%s/cgroup.controllers", dir);
        _cleanup_free_ char *text = cgroup_read(path);
        _cleanup_strv_free_ char **words = text ? strv_split(text, " \n", false) : NULL;
        _cleanup_free_ char *joined = strv_join(words, ",");

        return mask_of(joined);
}

int cgroup_host_detect(bool all, struct cgroup_host *ret, struct ace_error **err)
{
        _cleanup_free_ char *mi = cgroup_read("/proc/self/mountinfo");
        _cleanup_free_ char *self = cgroup_read("/proc/self/cgroup");
        int r;

        if (!mi || !self)
                return ace_error_errno(err, errno,
                                       "read /proc/self/mountinfo or /proc/self/cgroup");
        if ((r = cgroup_host_from_texts(mi, self, all, ret, err)) < 0)
                return r;
        if (ret->ops == &cgroup_v2_ops)
                ret->h[0].mask = v2_available(&ret->h[0]);
        return 0;
}
