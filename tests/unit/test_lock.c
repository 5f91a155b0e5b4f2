/* test_lock.c - flock helpers: shared vs exclusive, non-blocking errors, directories. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/lock.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

/* flock locks conflict between open file descriptions, so one process can test them. */
Test(lock, shared_exclusive_nonblocking)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-lock");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct ace_error *err = NULL;

        int s1 = lock_acquire_at(dfd, "l", LOCK_MODE_SHARED, LOCK_CREATE, "test lock", &err);
        cr_assert_geq(s1, 0, "%s", err ? err->msg : "");
        int s2 = lock_acquire_at(dfd, "l", LOCK_MODE_SHARED, LOCK_NONBLOCK, NULL, &err);
        cr_assert_geq(s2, 0, "two shared locks must coexist");
        int x = lock_acquire_at(dfd, "l", LOCK_MODE_EXCLUSIVE, LOCK_NONBLOCK, "pod lock", &err);
        cr_assert_eq(x, -EWOULDBLOCK);
        cr_assert(strstr(err->msg, "pod lock l") && strstr(err->msg, "held by another process"),
                  "%s", err->msg);
        ace_error_freep(&err);
        cr_assert_eq(lock_is_held_at(dfd, "l", LOCK_MODE_EXCLUSIVE, 0, &err), 1);
        close(s1);
        close(s2);
        cr_assert_eq(lock_is_held_at(dfd, "l", LOCK_MODE_EXCLUSIVE, 0, &err), 0);
        x = lock_acquire_at(dfd, "l", LOCK_MODE_EXCLUSIVE, LOCK_NONBLOCK, NULL, &err);
        cr_assert_geq(x, 0);
        /* Downgrade to shared, then unlock. */
        cr_assert_eq(lock_fd(x, LOCK_MODE_SHARED, LOCK_NONBLOCK, &err), 0);
        cr_assert_eq(lock_is_held_at(dfd, "l", LOCK_MODE_SHARED, 0, &err), 0);
        cr_assert_eq(lock_unlock(x, &err), 0);
        close(x);
        /* Missing without LOCK_CREATE: a clear error. */
        cr_assert_eq(lock_acquire_at(dfd, "missing", LOCK_MODE_SHARED, 0, NULL, &err), -ENOENT);
        cr_assert(strstr(err->msg, "missing"));
        ace_error_freep(&err);
        close(dfd);
        th_rm_rf(dir);
}

Test(lock, directory_lock_and_blocking_wait)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-lockdir");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct ace_error *err = NULL;
        int pipefd[2];

        int x = lock_acquire_at(dfd, "pod", LOCK_MODE_EXCLUSIVE, LOCK_CREATE | LOCK_DIRECTORY, NULL,
                                &err);
        cr_assert_geq(x, 0, "%s", err ? err->msg : "");
        struct stat st;
        cr_assert_eq(fstat(x, &st), 0);
        cr_assert(S_ISDIR(st.st_mode));
        cr_assert_eq(pipe(pipefd), 0);
        pid_t pid = fork();
        if (pid == 0) {
                /* The inherited fd shares the parent's lock (same open file description):
                 * drop it, then block until the parent closes its own. */
                close(x);
                int fd =
                    lock_acquire_at(dfd, "pod", LOCK_MODE_EXCLUSIVE, LOCK_DIRECTORY, NULL, NULL);
                char c = fd >= 0 ? 'y' : 'n';
                _exit(write(pipefd[1], &c, 1) == 1 ? 0 : 1);
        }
        close(pipefd[1]);
        usleep(100000);
        struct timeval tv = {0, 0};
        fd_set rs;
        FD_ZERO(&rs);
        FD_SET(pipefd[0], &rs);
        cr_assert_eq(select(pipefd[0] + 1, &rs, NULL, NULL, &tv), 0, "child got a held lock");
        close(x);
        char c = 0;
        cr_assert_eq(read(pipefd[0], &c, 1), 1);
        cr_assert_eq(c, 'y');
        int ws;
        waitpid(pid, &ws, 0);
        close(dfd);
        th_rm_rf(dir);
}
