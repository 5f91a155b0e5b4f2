/* test_pod.c - the pod state machine: state table, UUIDs, lookup, locks, transitions, waits. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "stage0/pod.h"

static char tmpdir[] = "/tmp/ace-test-pod-XXXXXX";

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static void setup(void)
{
        strcpy(tmpdir, "/tmp/ace-test-pod-XXXXXX");
        cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
        nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static struct pods *open_pods(void)
{
        struct pods *p = NULL;
        struct ace_error *err = NULL;
        cr_assert_eq(pods_open(tmpdir, true, &p, &err), 0, "%s", ace_error_msg(err));
        return p;
}

/* Makes pods/<dir>/<uuid> directly, as a crashed or foreign stage0 would leave it. */
static void make_pod_dir(enum pod_dir d, const char *uuid)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/pods/%s/%s", tmpdir, pod_dir_name(d), uuid);
        cr_assert_eq(mkdir(path, 0750), 0, "mkdir %s: %m", path);
}

TestSuite(pod, .init = setup, .fini = teardown);

Test(pod, state_table_complete)
{
        static const struct {
                enum pod_dir d;
                const char *locked, *unlocked;
        } want[] = {
            {POD_DIR_EMBRYO, "embryo", "embryo"},
            {POD_DIR_PREPARE, "preparing", "aborted prepare"},
            {POD_DIR_PREPARED, "prepared", "prepared"},
            {POD_DIR_RUN, "running", "exited"},
            {POD_DIR_EXITED_GARBAGE, "exited deleting", "exited garbage"},
            {POD_DIR_GARBAGE, "deleting", "garbage"},
        };
        cr_assert_eq(ARRAY_SIZE(want), POD_DIR_MAX);
        for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
                cr_expect_str_eq(pod_state_to_string(pod_state_from(want[i].d, true)),
                                 want[i].locked);
                cr_expect_str_eq(pod_state_to_string(pod_state_from(want[i].d, false)),
                                 want[i].unlocked);
        }
        for (int s = 0; s < POD_STATE_MAX; s++)
                cr_expect_neq(strcmp(pod_state_to_string(s), "unknown"), 0, "state %d", s);
        cr_expect(pod_state_finished(POD_STATE_EXITED));
        cr_expect(pod_state_finished(POD_STATE_ABORTED_PREPARE));
        cr_expect(!pod_state_finished(POD_STATE_RUNNING));
        cr_expect(!pod_state_finished(POD_STATE_PREPARED));
        cr_expect_str_eq(pod_dir_name(POD_DIR_EXITED_GARBAGE), "exited-garbage");
}

Test(pod, uuid_generate_and_validate)
{
        char a[POD_UUID_LEN + 1], b[POD_UUID_LEN + 1];

        cr_assert_eq(pod_uuid_generate(a, NULL), 0);
        cr_assert_eq(pod_uuid_generate(b, NULL), 0);
        cr_expect(pod_uuid_valid(a));
        cr_expect_str_neq(a, b);
        cr_expect_eq(a[14], '4', "version nibble in %s", a);
        cr_expect(strchr("89ab", a[19]) != NULL, "variant in %s", a);
        cr_expect(pod_uuid_valid("6D7C3A4B-0000-4000-8000-00000000000A"));
        cr_expect(!pod_uuid_valid(""));
        cr_expect(!pod_uuid_valid("6d7c3a4b"));
        cr_expect(!pod_uuid_valid("6d7c3a4b-0000-4000-8000-00000000000g"));
        cr_expect(!pod_uuid_valid("6d7c3a4b00000-4000-8000-00000000000a"));
        cr_expect(!pod_uuid_valid("../../../../../etc/passwd-0000000000"));
}

Test(pod, uuid_file_roundtrip)
{
        char path[512], got[POD_UUID_LEN + 1];
        struct ace_error *err = NULL;

        snprintf(path, sizeof(path), "%s/uuid", tmpdir);
        cr_assert_eq(pod_uuid_file_write(path, "6d7c3a4b-0000-4000-8000-00000000000a", &err), 0);
        cr_assert_eq(pod_uuid_file_read(path, got, &err), 0, "%s", ace_error_msg(err));
        cr_expect_str_eq(got, "6d7c3a4b-0000-4000-8000-00000000000a");
        FILE *f = fopen(path, "w");
        fputs("garbage\n", f);
        fclose(f);
        cr_expect_eq(pod_uuid_file_read(path, got, &err), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "invalid UUID") != NULL, "%s", ace_error_msg(err));
        snprintf(path, sizeof(path), "%s/missing", tmpdir);
        cr_expect_eq(pod_uuid_file_read(path, got, &err), -ENOENT);
        ace_error_free(err);
}

Test(pod, open_without_tree_is_empty)
{
        _cleanup_pods_ struct pods *p = NULL;
        _cleanup_free_ struct pod_entry *v = NULL;
        struct pod *pod = NULL;
        struct ace_error *err = NULL;
        char dir[600];
        size_t n = 7;

        snprintf(dir, sizeof(dir), "%s/nothing-here", tmpdir);
        cr_assert_eq(pods_open(dir, false, &p, &err), 0, "%s", ace_error_msg(err));
        cr_assert_eq(pods_list(p, POD_DIR_MASK_ALL, &v, &n, &err), 0);
        cr_expect_eq(n, 0);
        cr_expect_eq(pod_lookup(p, "abc", &pod, &err), -ENOENT);
        cr_expect_str_eq(ace_error_msg(err), "no matches found for \"abc\"");
        cr_expect_eq(access(dir, F_OK), -1, "pods_open without create made %s", dir);
        ace_error_free(err);
}

Test(pod, create_prepare_run_exit)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_pod_ struct pod *pod = NULL, *other = NULL;
        struct ace_error *err = NULL;
        struct timespec ts;
        char path[600];

        cr_assert_eq(pod_create(p, &pod, &err), 0, "%s", ace_error_msg(err));
        cr_expect_eq(pod->dir, POD_DIR_PREPARE);
        cr_expect(pod->locked);
        cr_expect_eq(pod->state, POD_STATE_PREPARING);
        cr_expect_eq(pod_created_time(pod, &ts), 0);
        snprintf(path, sizeof(path), "%s/pods/prepare/%s", tmpdir, pod->uuid);
        cr_expect_eq(access(path, F_OK), 0);

        /* A second handle (another open file description) sees the lock. */
        cr_assert_eq(pod_lookup(p, pod->uuid, &other, &err), 0, "%s", ace_error_msg(err));
        cr_expect_eq(other->state, POD_STATE_PREPARING);
        cr_expect_eq(pod_lock(other, false, &err), -EWOULDBLOCK);

        /* prepare -> run keeps the lock: running. */
        cr_assert_eq(pod_transition(pod, POD_DIR_RUN, &err), 0, "%s", ace_error_msg(err));
        cr_assert_eq(pod_refresh(other, &err), 0);
        cr_expect_eq(other->state, POD_STATE_RUNNING);
        cr_expect_eq(other->dir, POD_DIR_RUN);

        /* The lock holder going away is the pod exiting. */
        pod_unlock(pod);
        cr_assert_eq(pod_refresh(other, &err), 0);
        cr_expect_eq(other->state, POD_STATE_EXITED);
        ace_error_free(err);
}

Test(pod, transitions_checked)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_pod_ struct pod *pod = NULL;
        struct ace_error *err = NULL;

        cr_assert_eq(pod_create(p, &pod, &err), 0);
        cr_expect_eq(pod_transition(pod, POD_DIR_EXITED_GARBAGE, &err), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "no transition from prepare to exited-garbage"));
        cr_expect_eq(pod_transition(pod, POD_DIR_EMBRYO, &err), -EINVAL);
        cr_assert_eq(pod_transition(pod, POD_DIR_PREPARED, &err), 0);
        cr_expect_eq(pod_transition(pod, POD_DIR_PREPARE, &err), -EINVAL);
        cr_assert_eq(pod_transition(pod, POD_DIR_RUN, &err), 0);
        cr_assert_eq(pod_transition(pod, POD_DIR_EXITED_GARBAGE, &err), 0);
        cr_expect_eq(pod_transition(pod, POD_DIR_GARBAGE, &err), -EINVAL);
        ace_error_free(err);
}

Test(pod, racing_transitions_one_winner)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_pod_ struct pod *a = NULL, *b = NULL;
        struct ace_error *err = NULL;
        const char *uuid = "11111111-2222-4333-8444-555555555555";

        make_pod_dir(POD_DIR_RUN, uuid);
        cr_assert_eq(pod_open(p, uuid, &a, &err), 0);
        cr_assert_eq(pod_open(p, uuid, &b, &err), 0);
        cr_expect_eq(a->state, POD_STATE_EXITED);
        cr_assert_eq(pod_transition(a, POD_DIR_EXITED_GARBAGE, &err), 0);
        cr_expect_eq(pod_transition(b, POD_DIR_EXITED_GARBAGE, &err), -ENOENT);
        /* The loser finds where the pod went. */
        cr_assert_eq(pod_refresh(b, &err), 0);
        cr_expect_eq(b->state, POD_STATE_EXITED_GARBAGE);
        ace_error_free(err);
}

Test(pod, lookup_prefix_case_and_errors)
{
        _cleanup_pods_ struct pods *p = open_pods();
        struct pod *pod = NULL;
        struct ace_error *err = NULL;

        make_pod_dir(POD_DIR_RUN, "abcdef01-2222-4333-8444-555555555555");
        make_pod_dir(POD_DIR_PREPARED, "abcdef02-2222-4333-8444-555555555555");
        make_pod_dir(POD_DIR_GARBAGE, "12345678-2222-4333-8444-555555555555");
        /* Not a UUID: ignored by listings and lookups. */
        make_pod_dir(POD_DIR_RUN, "abcdef-not-a-pod");

        cr_assert_eq(pod_lookup(p, "ABCDEF01", &pod, &err), 0, "%s", ace_error_msg(err));
        cr_expect_str_eq(pod->uuid, "abcdef01-2222-4333-8444-555555555555");
        cr_expect_eq(pod->state, POD_STATE_EXITED);
        pod_close(pod);
        cr_assert_eq(pod_lookup(p, "ABCDEF02-2222-4333-8444-555555555555", &pod, &err), 0);
        cr_expect_eq(pod->state, POD_STATE_PREPARED);
        pod_close(pod);
        cr_assert_eq(pod_lookup(p, "1", &pod, &err), 0);
        cr_expect_eq(pod->state, POD_STATE_GARBAGE);
        pod_close(pod);

        cr_expect_eq(pod_lookup(p, "abcdef0", &pod, &err), -EEXIST);
        cr_expect_str_eq(ace_error_msg(err), "ambiguous uuid, 2 matches");
        cr_expect_eq(pod_lookup(p, "ff", &pod, &err), -ENOENT);
        cr_expect_str_eq(ace_error_msg(err), "no matches found for \"ff\"");
        cr_expect_eq(pod_lookup(p, "", &pod, &err), -EINVAL);
        cr_expect_str_eq(ace_error_msg(err), "UUID cannot be empty");
        cr_expect_eq(pod_lookup(p, "abcdef-not-a-pod", &pod, &err), -ENOENT);
        cr_expect_eq(pod_lookup(p, "../run", &pod, &err), -ENOENT);
        ace_error_free(err);
}

Test(pod, list_sorted_by_dir_then_uuid)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_free_ struct pod_entry *v = NULL;
        size_t n = 0;

        make_pod_dir(POD_DIR_RUN, "bbbbbbbb-2222-4333-8444-555555555555");
        make_pod_dir(POD_DIR_RUN, "aaaaaaaa-2222-4333-8444-555555555555");
        make_pod_dir(POD_DIR_PREPARED, "cccccccc-2222-4333-8444-555555555555");
        make_pod_dir(POD_DIR_GARBAGE, "dddddddd-2222-4333-8444-555555555555");
        cr_assert_eq(pods_list(p, (1u << POD_DIR_RUN) | (1u << POD_DIR_PREPARED), &v, &n, NULL), 0);
        cr_assert_eq(n, 3);
        cr_expect_str_eq(v[0].uuid, "cccccccc-2222-4333-8444-555555555555");
        cr_expect_eq(v[0].dir, POD_DIR_PREPARED);
        cr_expect_str_eq(v[1].uuid, "aaaaaaaa-2222-4333-8444-555555555555");
        cr_expect_str_eq(v[2].uuid, "bbbbbbbb-2222-4333-8444-555555555555");
}

/* Forks a child that holds the exclusive lock of pods/run/<uuid> for `ms` then exits. */
static pid_t hold_lock(const char *uuid, int ms)
{
        char path[600];
        int sync[2];
        pid_t pid;

        snprintf(path, sizeof(path), "%s/pods/run/%s", tmpdir, uuid);
        cr_assert_eq(pipe(sync), 0);
        pid = fork();
        if (pid == 0) {
                int fd = open(path, O_RDONLY | O_DIRECTORY);
                if (fd < 0 || flock(fd, LOCK_EX) < 0)
                        _exit(1);
                (void)!write(sync[1], "x", 1);
                usleep((useconds_t)ms * 1000);
                _exit(0);
        }
        char c;
        cr_assert_eq(read(sync[0], &c, 1), 1);
        close(sync[0]);
        close(sync[1]);
        return pid;
}

static double elapsed_ms(const struct timespec *a)
{
        struct timespec b;
        clock_gettime(CLOCK_MONOTONIC, &b);
        return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

Test(pod, wait_finished_wakes_on_lock_release)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_pod_ struct pod *pod = NULL;
        struct ace_error *err = NULL;
        const char *uuid = "aaaaaaaa-2222-4333-8444-555555555555";
        struct timespec t0;

        make_pod_dir(POD_DIR_RUN, uuid);
        pid_t holder = hold_lock(uuid, 300);
        cr_assert_eq(pod_open(p, uuid, &pod, &err), 0);
        cr_expect_eq(pod->state, POD_STATE_RUNNING);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert_eq(pod_wait_finished(pod, 10LL * 1000000000LL, &err), 0, "%s",
                     ace_error_msg(err));
        double ms = elapsed_ms(&t0);
        cr_expect_eq(pod->state, POD_STATE_EXITED);
        cr_expect(ms > 200 && ms < 3000, "waited %.0f ms", ms);
        waitpid(holder, NULL, 0);
        ace_error_free(err);
}

Test(pod, wait_finished_times_out)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_pod_ struct pod *pod = NULL;
        struct ace_error *err = NULL;
        const char *uuid = "aaaaaaaa-2222-4333-8444-555555555555";
        struct timespec t0;

        make_pod_dir(POD_DIR_RUN, uuid);
        pid_t holder = hold_lock(uuid, 3000);
        cr_assert_eq(pod_open(p, uuid, &pod, &err), 0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_expect_eq(pod_wait_finished(pod, 200LL * 1000000LL, &err), -ETIMEDOUT);
        double ms = elapsed_ms(&t0);
        cr_expect(ms >= 190 && ms < 1500, "timed out after %.0f ms", ms);
        kill(holder, SIGKILL);
        waitpid(holder, NULL, 0);
        ace_error_free(err);
}

Test(pod, wait_finished_prepared_pod_moves)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_pod_ struct pod *pod = NULL;
        struct ace_error *err = NULL;
        const char *uuid = "aaaaaaaa-2222-4333-8444-555555555555";
        char from[600], to[600];

        make_pod_dir(POD_DIR_PREPARED, uuid);
        cr_assert_eq(pod_open(p, uuid, &pod, &err), 0);
        snprintf(from, sizeof(from), "%s/pods/prepared/%s", tmpdir, uuid);
        snprintf(to, sizeof(to), "%s/pods/garbage/%s", tmpdir, uuid);
        pid_t mover = fork();
        if (mover == 0) {
                usleep(200000);
                _exit(rename(from, to) == 0 ? 0 : 1);
        }
        cr_assert_eq(pod_wait_finished(pod, 10LL * 1000000000LL, &err), 0, "%s",
                     ace_error_msg(err));
        cr_expect_eq(pod->state, POD_STATE_GARBAGE);
        waitpid(mover, NULL, 0);
        ace_error_free(err);
}

Test(pod, wait_ready)
{
        _cleanup_pods_ struct pods *p = open_pods();
        _cleanup_pod_ struct pod *pod = NULL;
        struct ace_error *err = NULL;
        const char *uuid = "aaaaaaaa-2222-4333-8444-555555555555";
        char ready[600];

        make_pod_dir(POD_DIR_RUN, uuid);
        snprintf(ready, sizeof(ready), "%s/pods/run/%s/ready", tmpdir, uuid);
        pid_t holder = hold_lock(uuid, 5000);
        cr_assert_eq(pod_open(p, uuid, &pod, &err), 0);
        pid_t maker = fork();
        if (maker == 0) {
                usleep(200000);
                _exit(creat(ready, 0644) >= 0 ? 0 : 1);
        }
        cr_assert_eq(pod_wait_ready(pod, 10LL * 1000000000LL, &err), 0, "%s", ace_error_msg(err));
        waitpid(maker, NULL, 0);
        kill(holder, SIGKILL);
        waitpid(holder, NULL, 0);
        /* Exited without `ready`: an error, not a hang. */
        unlink(ready);
        cr_assert_eq(pod_refresh(pod, &err), 0);
        cr_expect_eq(pod_wait_ready(pod, 10LL * 1000000000LL, &err), -ESRCH);
        ace_error_free(err);
}
