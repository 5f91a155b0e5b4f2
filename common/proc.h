/*
 * proc.h - spawning and waiting for child processes: fork/exec with argv and envp, fd setup,
 * output capture, wait-status decoding, closing inherited fds, pidfds.
 *
 * Children are created with fork() and leave through execve() or _exit() only. No shell is ever
 * involved: argv[0] is the path to execute (execve, no PATH search unless PROC_SEARCH_PATH).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Special values for the fd fields of struct proc_spawn_opts. */
#define PROC_FD_INHERIT (-1) /* keep the parent's fd 0/1/2 */
#define PROC_FD_NULL (-2)    /* open /dev/null */

enum {
        PROC_SEARCH_PATH = 1 << 0, /* execvpe: look argv[0] up in PATH when it has no '/' */
        PROC_NEW_SESSION = 1 << 1, /* setsid() in the child */
        PROC_KEEP_FDS = 1 << 2,    /* do not close fds >= 3 (default: close all but keep_fds) */
};

struct proc_spawn_opts {
        char *const *argv;   /* required, argv[0] is the program */
        char *const *envp;   /* NULL: inherit environ */
        const char *cwd;     /* NULL: inherit */
        int stdin_fd;        /* fd to dup to 0, or PROC_FD_INHERIT / PROC_FD_NULL */
        int stdout_fd;       /* idem for 1 */
        int stderr_fd;       /* idem for 2 */
        const int *keep_fds; /* fds >= 3 that stay open (their FD_CLOEXEC is cleared) */
        size_t n_keep_fds;
        unsigned flags; /* PROC_* above */
};

/* Initialises opts for argv with every fd inherited. */
void proc_spawn_opts_init(struct proc_spawn_opts *opts, char *const *argv);

/* Forks and execs. Exec failures in the child are reported back through a CLOEXEC pipe, so
 * "no such file" is an error here, not an exit code 127. Returns 0 and the pid. */
int proc_spawn(const struct proc_spawn_opts *opts, pid_t *ret_pid, struct ace_error **err);

enum proc_exit_kind {
        PROC_EXITED,   /* code = exit status */
        PROC_SIGNALED, /* code = signal number */
};

struct proc_status {
        enum proc_exit_kind kind;
        int code;
        bool core_dumped;
};

/* Decodes a waitpid() status. */
void proc_status_from_wait(int wstatus, struct proc_status *st);
/* Shell-style exit code: the status, or 128 + signal. */
int proc_status_exit_code(const struct proc_status *st);
/* "exited with status 3", "killed by signal 9 (SIGKILL)"; heap string. */
char *proc_status_describe(const struct proc_status *st);

/* Waits for pid (EINTR retried). */
int proc_wait(pid_t pid, struct proc_status *st, struct ace_error **err);

/* Runs argv to completion, capturing stdout and/or stderr (NULL: inherit) as NUL-terminated
 * heap strings, each bounded by max_output bytes (more is an error, the child is killed).
 * stdin is /dev/null. */
int proc_run_capture(char *const *argv, char *const *envp, char **ret_stdout, char **ret_stderr,
                     size_t max_output, struct proc_status *st, struct ace_error **err);

/* Closes every fd >= lowfd except those listed (close_range when the kernel has it, else a
 * /proc/self/fd walk). Meant for children before exec. */
int proc_close_fds_from(int lowfd, const int *keep, size_t n_keep);

/* pidfd_open(2) wrapper; returns the pidfd (O_CLOEXEC by the kernel). */
int proc_pidfd_open(pid_t pid, struct ace_error **err);
/* pidfd_send_signal(2) wrapper. */
int proc_pidfd_send_signal(int pidfd, int sig, struct ace_error **err);
