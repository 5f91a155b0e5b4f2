/* test_proc.c - spawn/wait/capture, exec errors, status decoding, fd closing, pidfds. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/proc.h"
#include "common/xalloc.h"

Test(proc, capture_and_status)
{
        char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
        _cleanup_free_ char *out = NULL, *errs = NULL;
        struct proc_status st;
        struct ace_error *err = NULL;

        cr_assert_eq(proc_run_capture(argv, NULL, &out, &errs, 4096, &st, &err), 0);
        cr_assert_str_eq(out, "out\n");
        cr_assert_str_eq(errs, "err\n");
        cr_assert_eq(st.kind, PROC_EXITED);
        cr_assert_eq(proc_status_exit_code(&st), 3);
        _cleanup_free_ char *d = proc_status_describe(&st);
        cr_assert_str_eq(d, "exited with status 3");
}

Test(proc, signal_status)
{
        char *argv[] = { "/bin/sh", "-c", "kill -9 $$", NULL };
        struct proc_status st;

        cr_assert_eq(proc_run_capture(argv, NULL, NULL, NULL, 0, &st, NULL), 0);
        cr_assert_eq(st.kind, PROC_SIGNALED);
        cr_assert_eq(st.code, SIGKILL);
        cr_assert_eq(proc_status_exit_code(&st), 137);
        _cleanup_free_ char *d = proc_status_describe(&st);
        cr_assert(strstr(d, "SIGKILL"), "%s", d);
}

Test(proc, exec_failure_is_an_error_not_127)
{
        char *argv[] = { "/nonexistent/binary", NULL };
        struct proc_spawn_opts o;
        pid_t pid;
        struct ace_error *err = NULL;

        proc_spawn_opts_init(&o, argv);
        cr_assert_eq(proc_spawn(&o, &pid, &err), -ENOENT);
        cr_assert(strstr(err->msg, "/nonexistent/binary"), "%s", err->msg);
        ace_error_free(err);
}

Test(proc, output_limit)
{
        char *argv[] = { "/bin/sh", "-c", "yes | head -c 100000", NULL };
        _cleanup_free_ char *out = NULL;
        struct proc_status st;
        struct ace_error *err = NULL;

        cr_assert_eq(proc_run_capture(argv, NULL, &out, NULL, 1000, &st, &err), -EFBIG);
        ace_error_free(err);
}

/* Only 0-2 and the kept fd reach the child; the kept fd loses FD_CLOEXEC. */
Test(proc, fds_closed_except_kept)
{
        int keep = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int leak = open("/dev/null", O_RDONLY); /* not CLOEXEC: must still be closed */
        _cleanup_free_ char *script = xasprintf("ls /proc/self/fd | sort -n | tr '\\n' ' '");
        char *argv[] = { "/bin/sh", "-c", script, NULL };
        struct proc_spawn_opts o;
        int p[2];
        pid_t pid;
        struct proc_status st;
        char buf[256] = { 0 };

        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        proc_spawn_opts_init(&o, argv);
        o.stdout_fd = p[1];
        o.stdin_fd = PROC_FD_NULL;
        o.keep_fds = &keep;
        o.n_keep_fds = 1;
        cr_assert_eq(proc_spawn(&o, &pid, NULL), 0);
        close(p[1]);
        cr_assert_gt(read(p[0], buf, sizeof(buf) - 1), 0);
        cr_assert_eq(proc_wait(pid, &st, NULL), 0);
        /* ls opens one more fd (the /proc/self/fd listing itself, the lowest free: 3). */
        int fds[8], n = 0;
        for (char *t = strtok(buf, " "); t && n < 8; t = strtok(NULL, " "))
                fds[n++] = atoi(t);
        cr_assert_eq(n, 5, "unexpected fds in the child");
        cr_assert(fds[0] == 0 && fds[1] == 1 && fds[2] == 2 && fds[3] == 3);
        cr_assert_eq(fds[4], keep, "kept fd missing");
        cr_assert_neq(leak, 3, "test setup: the leak fd must not be 3");
        close(keep);
        close(leak);
        close(p[0]);
}

Test(proc, pidfd)
{
        char *argv[] = { "/bin/sleep", "30", NULL };
        struct proc_spawn_opts o;
        pid_t pid;
        struct proc_status st;
        struct ace_error *err = NULL;

        proc_spawn_opts_init(&o, argv);
        cr_assert_eq(proc_spawn(&o, &pid, NULL), 0);
        int pfd = proc_pidfd_open(pid, &err);
        cr_assert_geq(pfd, 0, "%s", err ? err->msg : "");
        cr_assert_eq(proc_pidfd_send_signal(pfd, SIGTERM, &err), 0);
        cr_assert_eq(proc_wait(pid, &st, NULL), 0);
        cr_assert_eq(st.kind, PROC_SIGNALED);
        cr_assert_eq(st.code, SIGTERM);
        close(pfd);
        cr_assert_lt(proc_pidfd_open(pid, &err), 0, "pidfd of a reaped process");
        ace_error_free(err);
}
