/*
 * test_isolation_leaks.c - T-46 (reliability.md §3b item 11): 200 pods run and garbage-collected
 * one after the other leave nothing behind. Snapshots before and after: mounts of pods, cgroups
 * of pods (every hierarchy, v1 and v2), network namespaces pinned by mounts, this process's fds,
 * processes in pod cgroups, children of this process; only this test's own pods count, so that
 * tests running in parallel do not disturb it. And no slowdown that grows with the number
 * of pods already run (an O(n) scan somewhere): the median start-to-exit time of the last 50 pods
 * stays within 2x (+10 ms) of the first 50.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/pod_fixture.h"
#include "tests/lib/test_image.h"

#define CYCLES 200

/* Everything is keyed by this test's own pods (their UUIDs and data dirs), so that pods of
 * tests running in parallel do not count. */
struct snapshot {
        int pod_mounts;    /* mountinfo lines naming one of our data dirs or pod UUIDs */
        int pod_cgroups;   /* cgroup directories of our pods, any hierarchy */
        int fds;           /* open fds of this process */
        int pod_processes; /* processes in our pods' cgroups */
        int children;      /* processes whose parent is this process */
};

static char **uuids, **dirs; /* of the pods run so far */

static int cgroup_dirs;

static bool ours(const char *text)
{
        for (size_t i = 0; uuids && uuids[i]; i++)
                if (strstr(text, uuids[i]) || strstr(text, dirs[i]))
                        return true;
        return false;
}

static int count_ace_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        if (flag == FTW_D && ftw->level <= 5 && strncmp(path + ftw->base, "ace-", 4) == 0 &&
            ours(path + ftw->base))
                cgroup_dirs++;
        return ftw->level > 5 ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
}

static int count_dir(const char *path)
{
        DIR *d = opendir(path);
        struct dirent *de;
        int n = 0;

        if (!d)
                return 0;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        return n;
}

static void processes(struct snapshot *s)
{
        DIR *d = opendir("/proc");
        struct dirent *de;

        while (d && (de = readdir(d))) {
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                _cleanup_free_ char *cg = xasprintf("/proc/%s/cgroup", de->d_name);
                _cleanup_free_ char *st = xasprintf("/proc/%s/stat", de->d_name);
                _cleanup_free_ char *cgt = th_read_file(cg), *stt = th_read_file(st);
                if (cgt && strstr(cgt, "/ace-") && ours(cgt))
                        s->pod_processes++;
                const char *rp = stt ? strrchr(stt, ')') : NULL;
                int ppid = 0;
                if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
                        s->children++;
        }
        if (d)
                closedir(d);
}

static void snap(struct snapshot *s)
{
        _cleanup_free_ char *mi = th_read_file("/proc/self/mountinfo");
        _cleanup_strv_free_ char **lines = strv_split(mi, "\n", false);

        memset(s, 0, sizeof(*s));
        for (size_t i = 0; lines[i]; i++)
                s->pod_mounts += ours(lines[i]);
        cgroup_dirs = 0;
        nftw("/sys/fs/cgroup", count_ace_dir, 16, FTW_PHYS | FTW_ACTIONRETVAL);
        s->pod_cgroups = cgroup_dirs;
        s->fds = count_dir("/proc/self/fd");
        processes(s);
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
        qsort(v, n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Test(isolation_leaks, two_hundred_run_and_gc_cycles_leave_nothing, .timeout = 600)
{
        struct test_image *img;
        struct snapshot before, after;
        static double ms[CYCLES];

        if (geteuid() != 0)
                cr_skip_test("needs root");
        img = timg_new("example.com/probe");
        snap(&before);
        for (int i = 0; i < CYCLES; i++) {
                struct pod_fixture *pf = pf_new();
                struct timespec a, b;
                uuids = strv_push(uuids, pf->uuid);
                dirs = strv_push(dirs, pf->data_dir);
                /* A fresh tree store per pod: render the image again. */
                free(img->tree_id);
                img->tree_id = NULL;
                pf_add_app(pf, "a", img,
                           "{\"exec\": [\"/bin/true\"], \"user\": \"0\", \"group\": \"0\", "
                           "\"isolators\": ["
                           "{\"name\": \"resource/memory\", \"value\": {\"limit\": \"64Mi\"}}]}",
                           NULL);
                clock_gettime(CLOCK_MONOTONIC, &a);
                int status = pf_run(pf, NULL);
                clock_gettime(CLOCK_MONOTONIC, &b);
                cr_assert_eq(status, 0, "cycle %d: %s", i, pf->err);
                ms[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
                pf_free(pf); /* gc */
        }
        snap(&after);
        cr_assert_eq(before.pod_mounts + before.pod_cgroups + before.pod_processes, 0);
        cr_assert_eq(after.pod_mounts, 0, "mounts (incl. named network namespaces) of our pods");
        cr_assert_eq(after.pod_cgroups, 0, "cgroups of our pods");
        cr_assert_eq(after.fds, before.fds, "fds of the test process");
        cr_assert_eq(after.pod_processes, 0, "processes in pod cgroups");
        cr_assert_eq(after.children, 0, "children left");
        double first = median(ms, 50), last = median(ms + CYCLES - 50, 50);
        cr_log_info("run start-to-exit median: first 50 %.1f ms, last 50 %.1f ms", first, last);
        /* Generous: machines running tests in parallel are noisy; an O(n) scan over 200 pods
         * still shows. */
        cr_assert_lt(last, first * 2 + 10, "slower with more pods run: %.1f -> %.1f ms", first,
                     last);
        timg_free(img);
        strv_freep(&uuids);
        strv_freep(&dirs);
}
