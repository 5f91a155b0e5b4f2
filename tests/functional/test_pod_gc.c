/*
 * test_pod_gc.c - `ace rm` and `ace gc` on pod directories, driving the real binary: rkt's
 * two-phase gc (mark, grace period, sweep), prepared-pod expiry, aborted prepares, refusals,
 * --uuid-file, mounts that block deletion, and the cost model: removing one pod costs the
 * same with 10 or 10,000 pods on disk.
 *
 * These pods are made by hand (no stage1), as a crashed stage0 or a foreign tool leaves them:
 * rm and gc must cope with pods that never got a stage1.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/ace_cmd.h"
#include "tests/lib/helpers.h"

static char *dir;

static void setup(void)
{
        static const char *const states[] = {"embryo", "prepare",        "prepared",
                                             "run",    "exited-garbage", "garbage"};
        dir = th_mkdtemp("ace-gc");
        char *pods = xasprintf("%s/pods", dir);
        cr_assert_eq(mkdir(pods, 0750), 0);
        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
                char *p = xasprintf("%s/%s", pods, states[i]);
                cr_assert_eq(mkdir(p, 0750), 0);
                free(p);
        }
        free(pods);
}

static void teardown(void)
{
        th_rm_rf(dir);
        free(dir);
}

TestSuite(pod_gc, .init = setup, .fini = teardown, .timeout = 600);

static void uuid_n(unsigned n, char out[37])
{
        snprintf(out, 37, "%08x-0000-4000-8000-%012x", n, n);
}

static char *pod_path(const char *state, const char *uuid)
{
        return xasprintf("%s/pods/%s/%s", dir, state, uuid);
}

/* A fake pod with a few files, as a real one has. */
static void make_pod_uuid(const char *state, const char *uuid)
{
        char *p = pod_path(state, uuid), *f;

        cr_assert_eq(mkdir(p, 0750), 0, "mkdir %s: %m", p);
        f = xasprintf("%s/pod-created", p);
        th_write_file(f, "", 0644);
        free(f);
        f = xasprintf("%s/appsinfo", p);
        mkdir(f, 0750);
        free(f);
        f = xasprintf("%s/appsinfo/app", p);
        mkdir(f, 0750);
        free(f);
        f = xasprintf("%s/appsinfo/app/exit", p);
        th_write_file(f, "0\n", 0644);
        free(f);
        free(p);
}

static char *make_pod(const char *state, unsigned n)
{
        char uuid[37];
        uuid_n(n, uuid);
        make_pod_uuid(state, uuid);
        return xstrdup(uuid);
}

static bool exists(const char *state, const char *uuid)
{
        char *p = pod_path(state, uuid);
        bool r = access(p, F_OK) == 0;
        free(p);
        return r;
}

static bool exists_anywhere(const char *uuid)
{
        static const char *const states[] = {"embryo", "prepare",        "prepared",
                                             "run",    "exited-garbage", "garbage"};
        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
                if (exists(states[i], uuid))
                        return true;
        return false;
}

/* Holds the exclusive lock of pods/<state>/<uuid> in a child until released. */
static pid_t hold_lock(const char *state, const char *uuid)
{
        char *p = pod_path(state, uuid);
        int sync[2];
        char c;

        cr_assert_eq(pipe(sync), 0);
        pid_t pid = fork();
        if (pid == 0) {
                int fd = open(p, O_RDONLY | O_DIRECTORY);
                if (fd < 0 || flock(fd, LOCK_EX) < 0)
                        _exit(1);
                (void)!write(sync[1], "x", 1);
                pause();
                _exit(0);
        }
        cr_assert_eq(read(sync[0], &c, 1), 1);
        close(sync[0]);
        close(sync[1]);
        free(p);
        return pid;
}

static void release(pid_t pid)
{
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

Test(pod_gc, rm_exited_prepared_aborted)
{
        struct ace_result r;
        _cleanup_free_ char *exited = make_pod("run", 1), *prepared = make_pod("prepared", 2),
                            *aborted = make_pod("prepare", 3);

        ace_runf(dir, &r, "rm %s %s %s", exited, prepared, aborted);
        cr_expect_eq(r.status, 0, "stderr: %s", r.err);
        cr_expect(strstr(r.out, exited) && strstr(r.out, prepared) && strstr(r.out, aborted), "%s",
                  r.out);
        cr_expect(strstr(r.err, "moving expired prepared pod"), "%s", r.err);
        cr_expect(strstr(r.err, "moving failed prepare"), "%s", r.err);
        cr_expect(!exists_anywhere(exited));
        cr_expect(!exists_anywhere(prepared));
        cr_expect(!exists_anywhere(aborted));
        ace_result_done(&r);
}

Test(pod_gc, rm_refuses_running_and_unknown)
{
        struct ace_result r;
        _cleanup_free_ char *running = make_pod("run", 1), *preparing = make_pod("prepare", 2);
        pid_t a = hold_lock("run", running), b = hold_lock("prepare", preparing);

        ace_runf(dir, &r, "rm %s", running);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "is currently running"), "%s", r.err);
        cr_expect(strstr(r.err, "failed to remove one or more pods"), "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "rm %s", preparing);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "is currently being prepared"), "%s", r.err);
        ace_result_done(&r);
        cr_expect(exists("run", running));
        cr_expect(exists("prepare", preparing));

        ace_runf(dir, &r, "rm 0123abcd");
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "no matches found for \"0123abcd\""), "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "rm");
        cr_expect_eq(r.status, 254);
        ace_result_done(&r);
        release(a);
        release(b);
        /* Released: the same command works now. */
        ace_runf(dir, &r, "rm %s", running);
        cr_expect_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
}

Test(pod_gc, rm_uuid_file_and_prefix)
{
        struct ace_result r;
        _cleanup_free_ char *a = make_pod("run", 0xabc001), *b = make_pod("run", 0xabc002);
        _cleanup_free_ char *f = xasprintf("%s/uuid", dir);

        th_write_file(f, a, 0644);
        ace_runf(dir, &r, "rm --uuid-file=%s", f);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(!exists_anywhere(a));
        ace_result_done(&r);
        /* A prefix works when unique, and in upper case. */
        ace_runf(dir, &r, "rm 00ABC00");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(!exists_anywhere(b));
        ace_result_done(&r);
        ace_runf(dir, &r, "rm --uuid-file=%s/missing", dir);
        cr_expect_neq(r.status, 0);
        cr_expect(strstr(r.err, "unable to resolve UUID from file"), "%s", r.err);
        ace_result_done(&r);
}

Test(pod_gc, gc_marks_then_sweeps_after_grace)
{
        struct ace_result r;
        _cleanup_free_ char *exited = make_pod("run", 1), *aborted = make_pod("prepare", 2),
                            *prepared = make_pod("prepared", 3), *running = make_pod("run", 4);
        pid_t holder = hold_lock("run", running);

        /* --mark-only: exited -> exited-garbage, aborted -> garbage; nothing deleted. */
        ace_runf(dir, &r, "gc --mark-only");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(exists("exited-garbage", exited));
        cr_expect(exists("garbage", aborted));
        cr_expect(exists("prepared", prepared));
        cr_expect(exists("run", running));
        cr_expect(strstr(r.err, "moving pod"), "%s", r.err);
        ace_result_done(&r);

        /* Default grace (30m): garbage goes, the marked pod stays and says why. */
        ace_runf(dir, &r, "gc");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(!exists_anywhere(aborted));
        cr_expect(exists("exited-garbage", exited));
        cr_expect(strstr(r.err, "still within grace period (30m0s)"), "%s", r.err);
        cr_expect(strstr(r.out, "Garbage collecting pod"), "%s", r.out);
        ace_result_done(&r);

        ace_runf(dir, &r, "gc --grace-period=0s");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(!exists_anywhere(exited));
        cr_expect(exists("prepared", prepared), "fresh prepared pods are kept");
        cr_expect(exists("run", running), "running pods are never touched");
        ace_result_done(&r);

        ace_runf(dir, &r, "gc --expire-prepared=0s");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(!exists_anywhere(prepared));
        cr_expect(exists("run", running));
        ace_result_done(&r);
        release(holder);
}

Test(pod_gc, gc_skips_pods_being_deleted)
{
        struct ace_result r;
        _cleanup_free_ char *g = make_pod("garbage", 7);
        pid_t holder = hold_lock("garbage", g);

        ace_runf(dir, &r, "gc");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(exists("garbage", g), "a locked garbage pod is somebody else's to delete");
        ace_result_done(&r);
        release(holder);
        ace_runf(dir, &r, "gc");
        cr_expect(!exists_anywhere(g));
        ace_result_done(&r);
}

Test(pod_gc, never_deletes_across_a_mount)
{
        struct ace_result r;
        _cleanup_free_ char *u = make_pod("run", 9);
        _cleanup_free_ char *mnt = xasprintf("%s/pods/run/%s/mnt", dir, u);
        _cleanup_free_ char *inside = xasprintf("%s/precious", mnt);

        if (geteuid() != 0)
                cr_skip_test("needs root to mount");
        cr_assert_eq(mkdir(mnt, 0755), 0);
        cr_assert_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"), 0, "mount: %m");
        th_write_file(inside, "keep me", 0644);
        ace_runf(dir, &r, "rm %s", u);
        cr_expect_eq(r.status, 254);
        cr_expect(strstr(r.err, "unable to remove pod"), "%s", r.err);
        ace_result_done(&r);
        _cleanup_free_ char *mnt2 = xasprintf("%s/pods/exited-garbage/%s/mnt", dir, u);
        _cleanup_free_ char *inside2 = xasprintf("%s/precious", mnt2);
        char *got = th_read_file(inside2);
        cr_expect(got && strcmp(got, "keep me") == 0, "the mounted file system was touched");
        free(got);
        cr_assert_eq(umount2(mnt2, MNT_DETACH), 0, "umount: %m");
        ace_runf(dir, &r, "gc --grace-period=0s");
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(!exists_anywhere(u));
        ace_result_done(&r);
}

/*
 * Cost model: two data directories, one with 10 and one with 10,000 exited pods, and the same
 * operation timed in each, alternately (so background load hits both alike); medians compared.
 */
static char *dir_with(unsigned n, const char *state)
{
        char *saved = dir;
        setup(); /* a fresh data dir in `dir` */
        char *d = dir;
        for (unsigned i = 0; i < n; i++)
                free(make_pod(state, 0x10000 + i));
        dir = saved;
        return d;
}

/* `ace <verb>` on pod k made in data dir d (full UUID or prefix); returns seconds. */
static double timed(char *d, const char *state, const char *verb, unsigned k, bool prefix)
{
        char uuid[37];
        struct ace_result r;
        char *saved = dir;
        double secs;

        dir = d;
        uuid_n(0x900000 + k, uuid);
        make_pod_uuid(state, uuid);
        if (prefix)
                uuid[13] = '\0'; /* "00900000-0000" */
        if (strcmp(verb, "rm") == 0)
                ace_runf(d, &r, "rm %s", uuid);
        else
                ace_runf(d, &r, "gc --grace-period=0s");
        cr_assert_eq(r.status, 0, "%s", r.err);
        secs = r.secs;
        ace_result_done(&r);
        dir = saved;
        return secs;
}

/* This process's own pass over d's pods/<state>/: a readdir of the names, and with stat_each
 * an fstatat of each; the least any verb can do per pod there. Seconds. */
static double floor_pass(const char *d, const char *state, bool stat_each)
{
        _cleanup_free_ char *path = xasprintf("%s/pods/%s", d, state);
        struct timespec t0, t1;
        struct dirent *e;
        struct stat st;
        DIR *dp;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        dp = opendir(path);
        cr_assert_not_null(dp, "%s: %m", path);
        while ((e = readdir(dp)))
                if (stat_each)
                        (void)fstatat(dirfd(dp), e->d_name, &st, AT_SYMLINK_NOFOLLOW);
        closedir(dp);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Medians of `ace <verb>` with 10 and with 10,000 pods in state `others`, and of the floor
 * pass over each, all four timed in turn. */
struct cost {
        double small, big;             /* the command */
        double floor_small, floor_big; /* floor_pass() */
};

static void cost(const char *verb, const char *others, bool prefix, bool stat_each, struct cost *c)
{
        char *small = dir_with(10, others), *big = dir_with(10000, others);
        double ts[15], tb[15], fs[15], fb[15];

        sync(); /* or the first fsyncs pay for creating 10,000 pods */
        for (unsigned k = 0; k < 15; k++) {
                ts[k] = timed(small, "run", verb, k, prefix);
                fs[k] = floor_pass(small, others, stat_each);
                tb[k] = timed(big, "run", verb, k, prefix);
                fb[k] = floor_pass(big, others, stat_each);
        }
        c->small = ft_median(ts, 15);
        c->big = ft_median(tb, 15);
        c->floor_small = ft_median(fs, 15);
        c->floor_big = ft_median(fb, 15);
        th_rm_rf(small);
        th_rm_rf(big);
        free(small);
        free(big);
}

/*
 * rm by full UUID must cost the same whatever lies around: the ratio of the two commands.
 * rm by prefix and gc read every pod's name (gc also stats each), so their cost grows with the
 * pods on disk; what must not grow is the work per pod: the extra time the 9,990 more pods
 * cost the command is compared with the floor, the same pass done by this process. (A ratio to
 * the whole 10-pod command, as here before, measured ace's start-up as much: loading
 * libraries on first use cut it from ~10 to ~3 ms and the same extra 20 ms of gc went from
 * 3x to 7x the small case.)
 */
/* The extra time of the 9,990 more pods is below bound times the floor pass over them. */
static void expect_per_pod(const char *what, const char *floor_what, const struct cost *c,
                           double bound)
{
        double extra = c->big - c->small, fl = c->floor_big - c->floor_small;

        fprintf(stderr,
                "%s: %.2f ms with 10 pods, %.2f ms with 10000: %.2f ms more, %.1fx %s of the "
                "10000 (%.2f ms)\n",
                what, c->small * 1e3, c->big * 1e3, extra * 1e3, extra / fl, floor_what, fl * 1e3);
        cr_expect_lt(extra, bound * fl, "%s: more than %.0fx %s per pod", what, bound, floor_what);
}

Test(pod_gc, rm_and_gc_cost_independent_of_pod_count)
{
        struct cost c;

        /* rm by full UUID: a stat per state directory, whatever lies around. */
        cost("rm", "run", false, false, &c);
        fprintf(stderr,
                "rm of one pod: %.2f ms with 10 exited pods, %.2f ms with 10000 "
                "(ratio %.2f)\n",
                c.small * 1e3, c.big * 1e3, c.big / c.small);
        cr_expect_lt(c.big / c.small, 1.5, "rm by full UUID must not scale with the pods on disk");
        /* By prefix: a readdir of names. */
        cost("rm", "run", true, false, &c);
        expect_per_pod("rm by prefix", "a readdir", &c, 3.0);
        /* gc collecting one pod next to 10,000 prepared (unexpired) ones: a readdir and one
         * fstatat each. */
        cost("gc", "prepared", false, true, &c);
        expect_per_pod("gc of one pod", "a readdir and fstatat", &c, 2.0);
}

/* Without --dir the pod verbs use paths.d's "data" (rkt's config), made absolute. */
Test(pod_gc, data_dir_from_paths_d)
{
        struct ace_result r;
        char *u = make_pod("run", 0x77);
        char *cfg = xasprintf("%s/cfg", dir), *pd = xasprintf("%s/cfg/paths.d", dir);
        char *f = xasprintf("%s/paths.json", pd);
        char *json =
            xasprintf("{\"rktKind\": \"paths\", \"rktVersion\": \"v1\", \"data\": \"%s\"}", dir);
        char *flag = xasprintf("--local-config=%s", cfg);

        mkdir(cfg, 0755);
        mkdir(pd, 0755);
        th_write_file(f, json, 0644);
        char *argv[] = {flag, "rm", u, NULL};
        ace_run(NULL, &r, argv);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect(!exists_anywhere(u));
        ace_result_done(&r);
        free(u);
        free(cfg);
        free(pd);
        free(f);
        free(json);
        free(flag);
}
