/*
 * proc.c - fork/exec/wait helpers (see proc.h).
 *
 * The child only calls async-signal-safe functions between fork() and execve(): it dup2()s
 * the requested fds, closes the rest, and reports an exec failure as an errno through a
 * CLOEXEC pipe (which the successful execve closes), then _exit()s.
 */
#include "common/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

extern char **environ;

void proc_spawn_opts_init(struct proc_spawn_opts *opts, char *const *argv)
{
        *opts = (struct proc_spawn_opts){
            .argv = argv,
            .stdin_fd = PROC_FD_INHERIT,
            .stdout_fd = PROC_FD_INHERIT,
            .stderr_fd = PROC_FD_INHERIT,
        };
}

static bool fd_is_kept(int fd, const int *keep, size_t n_keep)
{
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] == fd)
                        return true;
        return false;
}

/* Async-signal-safe: used in children. Falls back to a /proc/self/fd walk (opendir allocates,
 * acceptable only as a fallback on kernels without close_range). */
int proc_close_fds_from(int lowfd, const int *keep, size_t n_keep)
{
        int from = lowfd;
        bool ok = true;

        /* close_range over the gaps between the kept fds (sorted order is not assumed). */
        while (ok) {
                int next = -1;
                for (size_t i = 0; i < n_keep; i++)
                        if (keep[i] >= from && (next < 0 || keep[i] < next))
                                next = keep[i];
                unsigned int last = next < 0 ? ~0U : (unsigned int)next - 1;
                if (next < 0 || next > from)
                        if (syscall(SYS_close_range, (unsigned int)from, last, 0) < 0)
                                ok = false;
                if (next < 0)
                        return ok ? 0 : -errno;
                from = next + 1;
        }

        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd < lowfd || fd == dirfd(d))
                        continue;
                if (!fd_is_kept(fd, keep, n_keep))
                        close(fd);
        }
        closedir(d);
        return 0;
}

static int child_setup_fd(int want, int target)
{
        int fd = want;

        if (want == PROC_FD_INHERIT)
                return 0;
        if (want == PROC_FD_NULL) {
                fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
        }
        if (fd == target) {
                /* dup2 to itself keeps FD_CLOEXEC: clear it explicitly. */
                return fcntl(fd, F_SETFD, 0) < 0 ? -errno : 0;
        }
        if (dup2(fd, target) < 0)
                return -errno;
        return 0;
}

static void __attribute__((noreturn)) child_fail(int errpipe, int e)
{
        (void)!write(errpipe, &e, sizeof(e));
        _exit(127);
}

static void __attribute__((noreturn)) child_exec(const struct proc_spawn_opts *o, int errpipe)
{
        int r;

        /* Reset signal dispositions and mask the parent may have changed. */
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        signal(SIGPIPE, SIG_DFL);

        if ((o->flags & PROC_NEW_SESSION) && setsid() < 0)
                child_fail(errpipe, errno);
        if ((r = child_setup_fd(o->stdin_fd, 0)) < 0 || (r = child_setup_fd(o->stdout_fd, 1)) < 0 ||
            (r = child_setup_fd(o->stderr_fd, 2)) < 0)
                child_fail(errpipe, -r);
        for (size_t i = 0; i < o->n_keep_fds; i++)
                if (fcntl(o->keep_fds[i], F_SETFD, 0) < 0)
                        child_fail(errpipe, errno);
        if (!(o->flags & PROC_KEEP_FDS)) {
                /* errpipe must survive until execve; it is CLOEXEC. */
                int keep[64];
                size_t n = 0;
                for (size_t i = 0; i < o->n_keep_fds && n < ARRAY_SIZE(keep) - 1; i++)
                        keep[n++] = o->keep_fds[i];
                keep[n++] = errpipe;
                proc_close_fds_from(3, keep, n);
        }
        if (o->cwd && chdir(o->cwd) < 0)
                child_fail(errpipe, errno);
        char *const *envp = o->envp ? o->envp : environ;
        if (o->flags & PROC_SEARCH_PATH)
                execvpe(o->argv[0], o->argv, envp);
        else
                execve(o->argv[0], o->argv, envp);
        child_fail(errpipe, errno);
}

int proc_spawn(const struct proc_spawn_opts *opts, pid_t *ret_pid, struct ace_error **err)
{
        int pipefd[2];
        pid_t pid;
        int child_errno = 0;
        ssize_t n;

        if (!opts->argv || !opts->argv[0])
                return ace_error_make(err, EINVAL, "spawn: empty argv");
        if (opts->n_keep_fds > 63)
                return ace_error_make(err, EINVAL, "spawn: too many fds to keep");
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "spawn %s: pipe", opts->argv[0]);
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return ace_error_errno(err, e, "spawn %s: fork", opts->argv[0]);
        }
        if (pid == 0) {
                close(pipefd[0]);
                child_exec(opts, pipefd[1]);
        }
        close(pipefd[1]);
        n = TEMP_FAILURE_RETRY(read(pipefd[0], &child_errno, sizeof(child_errno)));
        close(pipefd[0]);
        if (n == sizeof(child_errno)) {
                /* The exec failed: reap the child so no zombie is left behind. */
                (void)TEMP_FAILURE_RETRY(waitpid(pid, NULL, 0));
                return ace_error_errno(err, child_errno, "exec %s", opts->argv[0]);
        }
        *ret_pid = pid;
        return 0;
}

void proc_status_from_wait(int wstatus, struct proc_status *st)
{
        if (WIFSIGNALED(wstatus)) {
                st->kind = PROC_SIGNALED;
                st->code = WTERMSIG(wstatus);
                st->core_dumped = WCOREDUMP(wstatus);
        } else {
                st->kind = PROC_EXITED;
                st->code = WEXITSTATUS(wstatus);
                st->core_dumped = false;
        }
}

int proc_status_exit_code(const struct proc_status *st)
{
        return st->kind == PROC_SIGNALED ? 128 + st->code : st->code;
}

char *proc_status_describe(const struct proc_status *st)
{
        if (st->kind == PROC_EXITED)
                return xasprintf("exited with status %d", st->code);
        const char *abbrev = sigabbrev_np(st->code);
        return xasprintf("killed by signal %d (SIG%s)%s", st->code, abbrev ? abbrev : "?",
                         st->core_dumped ? ", core dumped" : "");
}

int proc_wait(pid_t pid, struct proc_status *st, struct ace_error **err)
{
        int wstatus;

        if (TEMP_FAILURE_RETRY(waitpid(pid, &wstatus, 0)) < 0)
                return ace_error_errno(err, errno, "wait for pid %d", (int)pid);
        proc_status_from_wait(wstatus, st);
        return 0;
}

struct capture {
        int fd;
        char *buf;
        size_t len, cap;
};

/* Reads what is available; returns 1 at EOF, 0 to continue, -errno on error/overflow. */
static int capture_read(struct capture *c, size_t max)
{
        char tmp[16384];
        ssize_t n = TEMP_FAILURE_RETRY(read(c->fd, tmp, sizeof(tmp)));

        if (n < 0)
                return -errno;
        if (n == 0)
                return 1;
        if (c->len + (size_t)n > max)
                return -EFBIG;
        c->buf = xgrow(c->buf, &c->cap, c->len + (size_t)n + 1, 1);
        memcpy(c->buf + c->len, tmp, (size_t)n);
        c->len += (size_t)n;
        c->buf[c->len] = '\0';
        return 0;
}

static int capture_loop(struct capture *cap, size_t ncap, size_t max)
{
        size_t open_n = 0;

        for (size_t i = 0; i < ncap; i++)
                open_n += cap[i].fd >= 0;

        while (open_n > 0) {
                struct pollfd pfd[2];
                size_t map[2], np = 0;
                for (size_t i = 0; i < ncap; i++)
                        if (cap[i].fd >= 0) {
                                pfd[np] = (struct pollfd){.fd = cap[i].fd, .events = POLLIN};
                                map[np++] = i;
                        }
                if (TEMP_FAILURE_RETRY(poll(pfd, np, -1)) < 0)
                        return -errno;
                for (size_t j = 0; j < np; j++) {
                        if (!pfd[j].revents)
                                continue;
                        struct capture *c = &cap[map[j]];
                        int r = capture_read(c, max);
                        if (r < 0)
                                return r;
                        if (r == 1) {
                                close(c->fd);
                                c->fd = -1;
                                open_n--;
                        }
                }
        }
        return 0;
}

int proc_run_capture(char *const *argv, char *const *envp, char **ret_stdout, char **ret_stderr,
                     size_t max_output, struct proc_status *st, struct ace_error **err)
{
        struct proc_spawn_opts o;
        struct capture cap[2] = {{.fd = -1}, {.fd = -1}};
        int wr[2] = {PROC_FD_INHERIT, PROC_FD_INHERIT};
        char **ret[2] = {ret_stdout, ret_stderr};
        pid_t pid;
        int r;

        for (int i = 0; i < 2; i++) {
                int p[2];
                if (!ret[i])
                        continue;
                if (pipe2(p, O_CLOEXEC) < 0) {
                        r = ace_error_errno(err, errno, "run %s: pipe", argv[0]);
                        goto out;
                }
                cap[i].fd = p[0];
                wr[i] = p[1];
        }
        proc_spawn_opts_init(&o, argv);
        o.envp = envp;
        o.stdin_fd = PROC_FD_NULL;
        o.stdout_fd = wr[0];
        o.stderr_fd = wr[1];
        r = proc_spawn(&o, &pid, err);
        for (int i = 0; i < 2; i++)
                if (wr[i] >= 0)
                        close(wr[i]);
        if (r < 0)
                goto out;
        r = capture_loop(cap, 2, max_output);
        if (r < 0) {
                kill(pid, SIGKILL);
                (void)proc_wait(pid, st, NULL);
                r = r == -EFBIG ? ace_error_make(err, EFBIG, "run %s: output larger than %zu bytes",
                                                 argv[0], max_output)
                                : ace_error_errno(err, -r, "run %s: reading output", argv[0]);
                goto out;
        }
        r = proc_wait(pid, st, err);
        if (r < 0)
                goto out;
        for (int i = 0; i < 2; i++)
                if (ret[i]) {
                        *ret[i] = cap[i].buf ? cap[i].buf : xstrdup("");
                        cap[i].buf = NULL;
                }
out:
        for (int i = 0; i < 2; i++) {
                if (cap[i].fd >= 0)
                        close(cap[i].fd);
                free(cap[i].buf);
        }
        return r;
}

int proc_pidfd_open(pid_t pid, struct ace_error **err)
{
        long fd = syscall(SYS_pidfd_open, pid, 0);

        if (fd < 0)
                return ace_error_errno(err, errno, "pidfd_open %d", (int)pid);
        return (int)fd;
}

int proc_pidfd_send_signal(int pidfd, int sig, struct ace_error **err)
{
        if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
                return ace_error_errno(err, errno, "pidfd_send_signal %d", sig);
        return 0;
}
