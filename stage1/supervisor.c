/* supervisor.c - the pod's PID 1 event loop (supervisor.h). */
#include "stage1/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "stage1/launch.h"
#include "stage1/logs.h"
#include "stage1/mount_plan.h"
#include "stage1/podfiles.h"

#define EXIT_START_FAILED 254

enum app_phase { PHASE_PRE_START, PHASE_RUNNING, PHASE_POST_STOP, PHASE_DONE };

struct sup_app {
        const struct pod_app *app;
        enum app_phase phase;
        pid_t pid; /* the current process of this app (pod PID namespace) */
        int out[2], err[2];
        struct log_sink log;
        char *spec_path, *rootfs;
};

struct sup {
        const struct supervisor_config *cfg;
        struct sup_app *apps;
        size_t n;
        int sigfd, epfd, timerfd;
        bool stopping, failed, ready;
        int status;
};

/* epoll user data: which fd woke us. Pipes carry (app index << 2 | stream). */
#define EV_SIGNAL UINT64_C(1)
#define EV_TIMER UINT64_C(2)
#define EV_PIPE(i, stream) (((uint64_t)(i) + 1) << 8 | (stream))

static int exit_code(int wstatus)
{
        return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

static void note_failure(struct sup *s, int code)
{
        if (!s->failed && !s->stopping && code != 0) {
                s->failed = true;
                s->status = code;
        }
}

static pid_t spawn(struct sup *s, struct sup_app *a, const char *event, char *const *argv)
{
        const struct supervisor_config *cfg = s->cfg;
        struct launch_req req = {
            .stage2 = cfg->stage2,
            .spec_path = a->spec_path,
            .rootfs = a->rootfs,
            .app = a->app->name,
            .event = event,
            .event_argv = argv,
            .podfd = cfg->podfd,
            .stdout_fd = cfg->interactive ? -1 : a->out[1],
            .stderr_fd = cfg->interactive ? -1 : a->err[1],
            .stage2_fd = cfg->stage2_fd,
            .cgroup = cfg->cgroup,
            .inherit_stdin = cfg->interactive,
            .debug = cfg->debug,
        };
        size_t idx = (size_t)(a - s->apps);

        /* Socket activation: only the app's own process, never its event handlers. */
        if (!event && cfg->n_listen_fds && cfg->n_listen_fds[idx]) {
                req.listen_fds = cfg->listen_fds[idx];
                req.n_listen_fds = cfg->n_listen_fds[idx];
        }
        _cleanup_error_ struct ace_error *err = NULL;
        pid_t pid = launch_spawn(&req, &err);

        if (pid < 0)
                log_error_ace(err);
        return pid;
}

static void record_exit(struct sup *s, struct sup_app *a, int code)
{
        _cleanup_error_ struct ace_error *err = NULL;
        _cleanup_free_ char *exitp = xasprintf("appsinfo/%s/exit", a->app->name);
        _cleanup_free_ char *pidp = xasprintf("appsinfo/%s/pid", a->app->name);
        char buf[16];

        snprintf(buf, sizeof(buf), "%d\n", code);
        if (podfile_write(s->cfg->podfd, exitp, buf, &err) < 0)
                log_error_ace(err);
        /* The pid file means "running"; a stale one would send `enter` to a recycled pid. */
        (void)unlinkat(s->cfg->podfd, pidp, 0);
}

static void begin_stop(struct sup *s);

static void to_post_stop(struct sup *s, struct sup_app *a)
{
        a->pid = 0;
        a->phase = PHASE_DONE;
        if (!a->app->post_stop)
                return;
        a->pid = spawn(s, a, "post-stop", a->app->post_stop);
        if (a->pid > 0)
                a->phase = PHASE_POST_STOP;
}

static void start_main(struct sup *s, struct sup_app *a)
{
        a->pid = spawn(s, a, NULL, NULL);
        if (a->pid > 0) {
                a->phase = PHASE_RUNNING;
                return;
        }
        record_exit(s, a, EXIT_START_FAILED);
        note_failure(s, EXIT_START_FAILED);
        begin_stop(s);
        to_post_stop(s, a);
}

static void start_app(struct sup *s, struct sup_app *a)
{
        if (!a->app->pre_start) {
                start_main(s, a);
                return;
        }
        a->phase = PHASE_PRE_START;
        a->pid = spawn(s, a, "pre-start", a->app->pre_start);
        if (a->pid <= 0) {
                note_failure(s, EXIT_START_FAILED);
                begin_stop(s);
                to_post_stop(s, a);
        }
}

static void signal_app(struct sup_app *a, int sig)
{
        if (a->pid <= 0)
                return;
        /* stage2 puts each app in a session (process group) of its own: signal the group, and
         * the leader directly in case it has not reached setsid() yet. */
        (void)kill(-a->pid, sig);
        (void)kill(a->pid, sig);
}

static void arm_timer(struct sup *s)
{
        struct itimerspec its = {.it_value = {.tv_sec = s->cfg->pod->stop_timeout}};

        if (its.it_value.tv_sec == 0)
                its.it_value.tv_nsec = 1; /* 0 would disarm: "kill at once" */
        (void)timerfd_settime(s->timerfd, 0, &its, NULL);
}

static void begin_stop(struct sup *s)
{
        if (s->stopping)
                return;
        s->stopping = true;
        log_debug("stopping the pod");
        for (size_t i = 0; i < s->n; i++)
                if (s->apps[i].phase == PHASE_PRE_START || s->apps[i].phase == PHASE_RUNNING)
                        signal_app(&s->apps[i], SIGTERM);
        arm_timer(s);
}

/* Stop timeout: whatever still runs gets SIGKILL; re-armed so that a post-stop handler started
 * after this point is bounded too. */
static void on_timer(struct sup *s)
{
        uint64_t expirations;
        bool any = false;

        (void)!read(s->timerfd, &expirations, sizeof(expirations));
        for (size_t i = 0; i < s->n; i++)
                if (s->apps[i].phase != PHASE_DONE) {
                        signal_app(&s->apps[i], SIGKILL);
                        any = true;
                }
        if (any)
                arm_timer(s);
}

static void on_exit_of(struct sup *s, struct sup_app *a, int code)
{
        switch (a->phase) {
        case PHASE_PRE_START:
                if (code == 0 && !s->stopping) {
                        start_main(s, a);
                        return;
                }
                log_debug("app %s: pre-start exited %d", a->app->name, code);
                record_exit(s, a, code ? code : EXIT_START_FAILED);
                note_failure(s, code ? code : EXIT_START_FAILED);
                begin_stop(s);
                to_post_stop(s, a);
                return;
        case PHASE_RUNNING:
                log_debug("app %s exited %d", a->app->name, code);
                record_exit(s, a, code);
                note_failure(s, code);
                if (code != 0)
                        begin_stop(s);
                to_post_stop(s, a);
                return;
        case PHASE_POST_STOP:
                a->pid = 0;
                a->phase = PHASE_DONE;
                return;
        case PHASE_DONE:
                return;
        }
}

/* As PID 1 we inherit every orphan of the pod: reap them all, and map the ones we started. */
static void reap(struct sup *s)
{
        int wstatus;
        pid_t pid;

        while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
                for (size_t i = 0; i < s->n; i++)
                        if (s->apps[i].pid == pid) {
                                on_exit_of(s, &s->apps[i], exit_code(wstatus));
                                break;
                        }
        }
}

static void on_signal(struct sup *s)
{
        struct signalfd_siginfo si;

        while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGCHLD)
                        reap(s);
                else
                        begin_stop(s);
        }
}

/* Copies what is in one pipe; returns false at EOF/EAGAIN. */
static bool copy_pipe(struct sup_app *a, int stream)
{
        char buf[65536];
        int fd = stream == 1 ? a->out[0] : a->err[0];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n <= 0)
                return false;
        log_sink_write(&a->log, stream, buf, (size_t)n);
        return true;
}

static bool all_done(const struct sup *s)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->apps[i].phase != PHASE_DONE)
                        return false;
        return true;
}

static void maybe_ready(struct sup *s)
{
        if (s->ready)
                return;
        for (size_t i = 0; i < s->n; i++)
                if (s->apps[i].phase == PHASE_PRE_START)
                        return;
        s->ready = true;
        (void)podfile_touch(s->cfg->podfd, "ready", NULL);
        if (s->cfg->ready_fd >= 0)
                (void)!write(s->cfg->ready_fd, "r", 1);
}

static int setup_app(struct sup *s, size_t i, struct ace_error **err)
{
        struct sup_app *a = &s->apps[i];
        const struct pod_app *app = &s->cfg->pod->apps[i];
        struct epoll_event ev = {.events = EPOLLIN};
        int r;

        *a = (struct sup_app){.app = app, .out = {-1, -1}, .err = {-1, -1}};
        a->spec_path = xasprintf("%s/appsinfo/%s/launch.json", s->cfg->pod_dir, app->name);
        a->rootfs = mount_app_rootfs(s->cfg->pod_dir, app->name);
        if (s->cfg->interactive)
                return 0;
        if (pipe2(a->out, O_CLOEXEC) < 0 || pipe2(a->err, O_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "pipe");
        if (fcntl(a->out[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(a->err[0], F_SETFL, O_NONBLOCK) < 0)
                return ace_error_errno(err, errno, "pipe flags");
        if ((r = log_sink_open(&a->log, s->cfg->podfd, app->name, s->cfg->pod->log_max_bytes,
                               err)) < 0)
                return r;
        ev.data.u64 = EV_PIPE(i, 1);
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, a->out[0], &ev) < 0)
                return ace_error_errno(err, errno, "epoll_ctl");
        ev.data.u64 = EV_PIPE(i, 2);
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, a->err[0], &ev) < 0)
                return ace_error_errno(err, errno, "epoll_ctl");
        return 0;
}

static int setup(struct sup *s, struct ace_error **err)
{
        struct epoll_event ev = {.events = EPOLLIN};
        sigset_t mask;
        int r;

        /* Blocked, not ignored: blocked signals reach PID 1 even from the parent namespace,
         * and are read from the signalfd. Blocked before any child exists so none is missed. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return ace_error_errno(err, errno, "block signals");
        s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        s->epfd = epoll_create1(EPOLL_CLOEXEC);
        s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (s->sigfd < 0 || s->epfd < 0 || s->timerfd < 0)
                return ace_error_errno(err, errno, "signalfd/epoll/timerfd");
        ev.data.u64 = EV_SIGNAL;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sigfd, &ev) < 0)
                return ace_error_errno(err, errno, "epoll_ctl");
        ev.data.u64 = EV_TIMER;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->timerfd, &ev) < 0)
                return ace_error_errno(err, errno, "epoll_ctl");
        for (size_t i = 0; i < s->n; i++)
                if ((r = setup_app(s, i, err)) < 0)
                        return r;
        return 0;
}

static void teardown(struct sup *s)
{
        for (size_t i = 0; i < s->n; i++) {
                struct sup_app *a = &s->apps[i];
                if (!s->cfg->interactive) {
                        /* Everything the apps wrote before exiting is still in the pipes. */
                        while (copy_pipe(a, 1))
                                ;
                        while (copy_pipe(a, 2))
                                ;
                        log_sink_close(&a->log);
                }
                for (int k = 0; k < 2; k++) {
                        closep(&a->out[k]);
                        closep(&a->err[k]);
                }
                free(a->spec_path);
                free(a->rootfs);
        }
        free(s->apps);
        closep(&s->sigfd);
        closep(&s->epfd);
        closep(&s->timerfd);
}

int supervisor_run(const struct supervisor_config *cfg, int *ret_status, struct ace_error **err)
{
        struct sup s = {.cfg = cfg, .n = cfg->pod->n_apps, .sigfd = -1, .epfd = -1, .timerfd = -1};
        struct epoll_event evs[16];
        int r;

        s.apps = xcalloc(s.n, sizeof(*s.apps));
        if ((r = setup(&s, err)) < 0) {
                teardown(&s);
                return r;
        }
        for (size_t i = 0; i < s.n; i++)
                start_app(&s, &s.apps[i]);
        maybe_ready(&s);
        while (!all_done(&s)) {
                int n = epoll_wait(s.epfd, evs, (int)ARRAY_SIZE(evs), -1);
                if (n < 0 && errno != EINTR) {
                        r = ace_error_errno(err, errno, "epoll_wait");
                        break;
                }
                for (int k = 0; k < n; k++) {
                        uint64_t u = evs[k].data.u64;
                        if (u == EV_SIGNAL)
                                on_signal(&s);
                        else if (u == EV_TIMER)
                                on_timer(&s);
                        else
                                (void)copy_pipe(&s.apps[(u >> 8) - 1], (int)(u & 0xff));
                }
                maybe_ready(&s);
        }
        teardown(&s);
        *ret_status = s.status;
        return r < 0 ? r : 0;
}
