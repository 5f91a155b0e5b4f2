/*
 * stage2 main - the last step before an app's execve, run by stage1 in the app's context.
 *
 *   ace-stage2 --spec=FILE --root=DIR [--event=pre-start|post-stop] [--debug] [-- CMD...]
 *   ace-stage2 --enter --spec=FILE --mntns-fd=N [--debug] -- CMD...
 *
 * Run mode (from the supervisor): enters the app root (own mount ns + pivot_root), resolves the
 * user from the rootfs, applies the isolators and execs the app (or, with --event, the event
 * handler CMD as root). Enter mode (from /enter, already in the pod's PID, IPC, UTS and network
 * namespaces): joins the app's mount namespace (fd N) -- which makes the app rootfs our root --
 * then the same identity and isolation path for CMD. The join happens here, after stage2 was
 * exec'd by its host path, so /enter never has to exec anything once it is inside the app. Exit
 * status: the app's (it is exec'd), 127 when the command is not found, 126 when it cannot be
 * executed, 254 when stage2 itself fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/launch_spec.h"
#include "common/log.h"
#include "common/fs.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage2/caps.h"
#include "stage2/env.h"
#include "stage2/exec.h"
#include "stage2/isolators.h"
#include "stage2/root.h"
#include "stage2/seccomp.h"
#include "stage2/user.h"

#define EXIT_STAGE2_FAILED 254
#define SPEC_MAX (1u << 20)

struct opts {
        const char *spec_path;
        int spec_fd;
        const char *root;
        const char *event;
        bool enter;
        int mntns_fd;
        int listen_fds; /* socket activation: fds 3..3+N-1 go to the app */
        char **cmd;     /* after "--", borrowed from argv */
};

static int parse_opts(int argc, char **argv, struct opts *o, struct ace_error **err)
{
        static const struct option longopts[] = {
            {"spec", required_argument, NULL, 's'},
            {"spec-fd", required_argument, NULL, 'f'},
            {"root", required_argument, NULL, 'r'},
            {"event", required_argument, NULL, 'e'},
            {"enter", no_argument, NULL, 'n'},
            {"mntns-fd", required_argument, NULL, 'm'},
            {"debug", no_argument, NULL, 'd'},
            {"listen-fds", required_argument, NULL, 'l'},
            {},
        };
        int c;

        *o = (struct opts){.spec_fd = -1, .mntns_fd = -1};
        while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
                switch (c) {
                case 's':
                        o->spec_path = optarg;
                        break;
                case 'f':
                        o->spec_fd = atoi(optarg);
                        break;
                case 'r':
                        o->root = optarg;
                        break;
                case 'e':
                        o->event = optarg;
                        break;
                case 'n':
                        o->enter = true;
                        break;
                case 'm':
                        o->mntns_fd = atoi(optarg);
                        break;
                case 'd':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                case 'l':
                        o->listen_fds = atoi(optarg);
                        break;
                default:
                        return ace_error_make(err, EINVAL, "bad arguments (see stage2/main.c)");
                }
        }
        if (optind < argc)
                o->cmd = argv + optind;
        if (!o->spec_path && o->spec_fd < 0)
                return ace_error_make(err, EINVAL, "--spec or --spec-fd is required");
        if (!o->enter && !o->root)
                return ace_error_make(err, EINVAL, "--root is required");
        if (o->enter && o->mntns_fd < 3)
                return ace_error_make(err, EINVAL, "--enter needs --mntns-fd");
        if ((o->enter || o->event) && !o->cmd)
                return ace_error_make(err, EINVAL, "a command after -- is required");
        if (o->listen_fds < 0 || o->listen_fds > 256 || (o->listen_fds && (o->enter || o->event)))
                return ace_error_make(err, EINVAL, "--listen-fds is for an app's main process");
        return 0;
}

static int read_spec(const struct opts *o, struct launch_spec *spec, struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t len = 0, cap = 0;

        fd = o->spec_path ? open(o->spec_path, O_RDONLY | O_CLOEXEC) : o->spec_fd;
        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", o->spec_path);
        for (;;) {
                buf = xgrow(buf, &cap, len + 4096, 1);
                ssize_t n = TEMP_FAILURE_RETRY(read(fd, buf + len, cap - len));
                if (n < 0)
                        return ace_error_errno(err, errno, "read launch spec");
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > SPEC_MAX)
                        return ace_error_make(err, EFBIG, "launch spec larger than %u bytes",
                                              SPEC_MAX);
        }
        return launch_spec_parse(buf, len, spec, err);
}

/* The controlling terminal for --interactive, a session of its own otherwise: `stop` signals
 * the app's process group, and an app must never share the host's session. */
static int setup_session(const struct opts *o, const struct launch_spec *spec,
                         struct ace_error **err)
{
        if (o->enter)
                return 0;
        if (setsid() < 0)
                return ace_error_errno(err, errno, "setsid");
        if (spec->interactive && isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
                return ace_error_errno(err, errno, "set controlling terminal");
        return 0;
}

/* Socket activation (sd_listen_fds(3)): the sockets stage1 put at 3.. survive the exec, and the
 * app learns how many and that they are for it (LISTEN_PID: stage2 execs the app in place). */
static int pass_listen_fds(int n, char ***env, struct ace_error **err)
{
        char buf[32];

        for (int fd = 3; fd < 3 + n; fd++)
                if (fcntl(fd, F_SETFD, 0) < 0)
                        return ace_error_errno(err, errno, "passed socket %d", fd);
        snprintf(buf, sizeof(buf), "%d", n);
        *env = strv_env_set(*env, "LISTEN_FDS", buf);
        snprintf(buf, sizeof(buf), "%d", (int)getpid());
        *env = strv_env_set(*env, "LISTEN_PID", buf);
        return 0;
}

static int drop_privileges(const struct app_creds *c, uint64_t caps, struct ace_error **err)
{
        int r;

        /* The bounding set needs CAP_SETPCAP, and setgroups/setgid need CAP_SETGID: all of it
         * happens before setresuid, which for a non-root uid clears permitted and effective. */
        if ((r = caps_apply_bounding(caps, err)) < 0)
                return r;
        if (setgroups(c->n_groups, c->groups) < 0)
                return ace_error_errno(err, errno, "setgroups");
        if (setresgid(c->gid, c->gid, c->gid) < 0)
                return ace_error_errno(err, errno, "setgid %u", (unsigned)c->gid);
        if (setresuid(c->uid, c->uid, c->uid) < 0)
                return ace_error_errno(err, errno, "setuid %u", (unsigned)c->uid);
        return caps_apply_final(c->uid == 0, err);
}

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
        *ctx = NULL;
}

/* Built before anything changes, so that a bad filter spec fails while nothing happened yet. */
static int build_filter(const struct launch_spec *spec, scmp_filter_ctx *ret,
                        struct ace_error **err)
{
        _cleanup_strv_free_ char **unknown = NULL;
        int r = seccomp_build(spec, ret, &unknown, err);

        if (r < 0)
                return r;
        for (size_t i = 0; unknown && unknown[i]; i++)
                log_warn("seccomp: unknown syscall \"%s\" ignored", unknown[i]);
        return 0;
}

static int run(const struct opts *o, int *ret_status, struct ace_error **err)
{
        struct launch_spec spec __attribute__((cleanup(launch_spec_done))) = {0};
        struct app_creds creds __attribute__((cleanup(creds_done))) = {0};
        _cleanup_(seccomp_releasep) scmp_filter_ctx filter = NULL;
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_close_ int rootfd = -EBADF, cwdfd = -EBADF;
        char *const *argv;
        const char *cwd;
        bool default_filter;
        uint64_t caps;
        int r;

        if ((r = read_spec(o, &spec, err)) < 0)
                return r;
        /* Nothing stage1 left open (the pod lock, pipes of other apps) may reach the app. */
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "close_range");
        if (!o->enter && (r = root_pivot(o->root, err)) < 0)
                return r;
        if (o->enter) {
                /* setns to a mount namespace also sets root and cwd to its root: the app's. */
                if (setns(o->mntns_fd, CLONE_NEWNS) < 0)
                        return ace_error_errno(err, errno, "join the app's mount namespace");
                close(o->mntns_fd);
        }
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return ace_error_errno(err, errno, "open /");
        if ((r = caps_bounding_mask(spec.caps_mode, spec.caps_set, &caps, err)) < 0)
                return r;
        /* Event handlers run as root (rkt: PermissionsStartOnly), with the app's capabilities. */
        r = o->event ? creds_resolve(rootfd, "0", "0", NULL, 0, &creds, err)
                     : creds_resolve(rootfd, spec.user, spec.group, spec.supp_gids,
                                     spec.n_supp_gids, &creds, err);
        if (r < 0)
                return r;
        /* Resolved inside the root and without magic links: /proc/self/fd/N is refused (T-20). */
        cwd = spec.working_dir && *spec.working_dir ? spec.working_dir : "/";
        cwdfd = fs_open_in_root(rootfd, cwd, O_PATH | O_DIRECTORY, 0, 0);
        if (cwdfd < 0)
                return ace_error_errno(err, -cwdfd, "working directory \"%s\"", cwd);
        env = app_env_build(&spec);
        if (o->listen_fds > 0 && (r = pass_listen_fds(o->listen_fds, &env, err)) < 0)
                return r;
        default_filter = seccomp_spec_is_default(&spec);
        if (!default_filter && (r = build_filter(&spec, &filter, err)) < 0)
                return r;
        if ((r = isolators_apply_oom_score_adj(&spec, err)) < 0 ||
            (r = setup_session(o, &spec, err)) < 0 || (r = drop_privileges(&creds, caps, err)) < 0)
                return r;
        /* fchdir after setuid, so the app user's own search permission is what counts. */
        if (fchdir(cwdfd) < 0)
                return ace_error_errno(err, errno, "chdir \"%s\"", cwd);
        /* A filter needs no_new_privs or CAP_SYS_ADMIN; only root still has the latter. */
        if ((r = isolators_apply_no_new_privs(&spec, (filter || default_filter) && creds.uid != 0,
                                              err)) < 0)
                return r;
        if (default_filter && (r = seccomp_install_default(err)) < 0)
                return r;
        if (filter && (r = seccomp_install(TAKE_PTR(filter), err)) < 0)
                return r;
        argv = o->cmd ? o->cmd : spec.exec;
        log_debug("exec %s as %u:%u", argv[0], (unsigned)creds.uid, (unsigned)creds.gid);
        *ret_status = exec_app(argv, env, err);
        return -ENOEXEC;
}

int main(int argc, char **argv)
{
        _cleanup_error_ struct ace_error *err = NULL;
        int status = EXIT_STAGE2_FAILED;
        struct opts o;

        /* First: nothing in the pod may ptrace us or open our /proc entries while we still hold
         * host resources (CVE-2016-9962). execve of the app resets it. */
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        log_setup("ace-stage2", LOG_LEVEL_INFO);
        if (parse_opts(argc, argv, &o, &err) < 0) {
                log_error_ace(err);
                return EXIT_STAGE2_FAILED;
        }
        /* Only returns on failure; status is 126/127 when the exec itself failed. */
        (void)run(&o, &status, &err);
        log_error_ace(err);
        return status;
}
