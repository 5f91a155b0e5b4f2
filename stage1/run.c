/*
 * run.c - the `run` entrypoint (/init): turn a prepared pod directory into a running pod.
 *
 * Process tree:
 *
 *   ace run (stage0) --exec--> /init --exec--> sealed copy of /init = relay, host PID ns
 *                                 `-- pod PID 1 = supervisor (new PID, mount, IPC, UTS[, net])
 *                                       `-- stage2 (sealed copy) -> app (own mount and cgroup
 *                                           ns, pivot_root)
 *
 * Before the fork the relay resolves every isolator (pod_isolators.c), creates the pod's cgroups
 * with their limits and device policy (cgroup.h), reports what it cannot enforce (or refuses
 * with --strict-isolators); the relay and PID 1 join the pod's supervisor leaf, each app process
 * its own before stage2 is exec'd (launch.c), timed so that only one migration waits for the
 * kernel (setup_cgroups).
 *
 * The relay stays small: it forwards SIGTERM/SIGINT/SIGHUP to the supervisor and exits with its
 * status, so `ace run`'s PID is the pod as rkt's ABI wants (systemd units, `kill`). The supervisor
 * dies with the relay (PR_SET_PDEATHSIG), and the kernel then kills every process of the pod:
 * `kill -9` of the run process leaves nothing running and, since every mount lives in the pod's
 * mount namespace, nothing mounted.
 *
 * Relay <-> supervisor sync (one pipe, numbered in the comments below):
 *   #1 supervisor: PDEATHSIG armed, waits;  #2 relay: `pid` written, sends "go";
 *   a relay that died before #2 shows up as EOF and the supervisor exits.
 */
#include "stage1/run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/launch_spec.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "stage1/cgroup.h"
#include "stage1/mount_apply.h"
#include "stage1/mount_plan.h"
#include "stage1/netlink.h"
#include "stage1/netns.h"
#include "stage1/pod.h"
#include "stage1/pod_net.h"
#include "stage1/ready.h"
#include "stage1/podfiles.h"
#include "stage1/run_args.h"
#include "stage1/stage2_path.h"
#include "stage1/supervisor.h"

#define EXIT_STAGE1_FAILED 254

struct run_ctx {
        struct run_args args;
        struct pod *pod;
        int lockfd; /* RKT_LOCK_FD: an O_DIRECTORY fd of the pod dir holding the pod's flock */
        int podfd;  /* the pod dir; reopened inside the pod's mount namespace by pod_init */
        char *pod_dir;
        char *stage2;
        int stage2_fd;            /* sealed memfd copy of stage2 */
        struct cgroup_pod cgroup; /* the pod's cgroups (empty host: none) */
        int oom_score_adj;        /* ours as started: what apps without the isolator get */
        struct pod_net net;       /* networks, DNS, metadata service, systemd (stage1/pod_net.h) */
};

#define OOM_SCORE_ADJ_PROTECTED (-1000)

static int read_oom_score_adj(int *ret, struct ace_error **err)
{
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
        char buf[16] = "";

        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
                return ace_error_errno(err, errno, "read /proc/self/oom_score_adj");
        *ret = atoi(buf);
        return 0;
}

/* The run process and the pod's PID 1 must outlive any app in an OOM: the kernel never picks a
 * process at -1000. Needs CAP_SYS_RESOURCE (EACCES without it, as in some sandboxes): then the
 * supervisor's own leaf cgroup alone keeps an app's OOM (a limit on the app's leaf) away from
 * it; only a pod-wide memory limit could still pick it. stage2 sets every app's own value as
 * root, which also resets the floor an app could lower itself to (oom_score_adj_min). */
static void protect_from_oom(void)
{
        _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", OOM_SCORE_ADJ_PROTECTED);

        if (fd >= 0 && write(fd, buf, (size_t)n) == n)
                return;
        if (errno == EACCES)
                log_debug("no CAP_SYS_RESOURCE: the supervisor keeps its oom_score_adj");
        else
                log_warn("cannot protect the pod supervisor from the OOM killer: %s",
                         strerror(errno));
}

static int take_lock_fd(struct run_ctx *c, struct ace_error **err)
{
        const char *s = getenv("RKT_LOCK_FD");
        struct stat st;
        char *end;
        long fd;

        if (!s)
                return ace_error_make(err, EINVAL,
                                      "RKT_LOCK_FD is not set (run is started by ace)");
        errno = 0;
        fd = strtol(s, &end, 10);
        if (errno || *end || fd < 3 || fd > INT_MAX || fstat((int)fd, &st) < 0 ||
            !S_ISDIR(st.st_mode))
                return ace_error_make(err, EBADF, "RKT_LOCK_FD=%s is not an open directory fd", s);
        /* stage0 cleared FD_CLOEXEC to hand it over; we keep it for the pod's lifetime but it
         * must never reach a child (the app must not get a handle on the host data dir, T-19). */
        if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "set close-on-exec on RKT_LOCK_FD");
        c->lockfd = c->podfd = (int)fd;
        return 0;
}

/* stage2 runs each app; the run entrypoint's interactive/insecure flags shape its spec. */
static int write_launch_specs(struct run_ctx *c, struct ace_error **err)
{
        for (size_t i = 0; i < c->pod->n_apps; i++) {
                struct pod_app *a = &c->pod->apps[i];
                _cleanup_free_ char *path = xasprintf("appsinfo/%s/launch.json", a->name);
                _cleanup_free_ char *dir = xasprintf("appsinfo/%s", a->name);
                _cleanup_free_ char *json = NULL;
                int r;

                if (c->args.disable_caps)
                        a->launch.caps_mode = LAUNCH_CAPS_ALL;
                if (c->args.disable_seccomp)
                        a->launch.seccomp_mode = LAUNCH_SECCOMP_NONE;
                /* The supervisor runs at -1000: an app without the isolator gets back what the
                 * run process had, not the supervisor's protection. */
                if (!a->launch.has_oom_score_adj) {
                        a->launch.has_oom_score_adj = true;
                        a->launch.oom_score_adj = c->oom_score_adj;
                }
                a->launch.interactive = c->args.interactive;
                json = launch_spec_format(&a->launch);
                if (mkdirat(c->podfd, "appsinfo", 0755) < 0 && errno != EEXIST)
                        return ace_error_errno(err, errno, "mkdir appsinfo");
                if (mkdirat(c->podfd, dir, 0755) < 0 && errno != EEXIST)
                        return ace_error_errno(err, errno, "mkdir %s", dir);
                if ((r = podfile_write(c->podfd, path, json, err)) < 0)
                        return r;
        }
        return 0;
}

static int prepare(struct run_ctx *c, int argc, char **argv, struct ace_error **err)
{
        int r;

        if ((r = run_args_parse(argc, argv, &c->args, err)) < 0)
                return r;
        if (c->args.debug)
                log_set_level(LOG_LEVEL_DEBUG);
        if ((r = take_lock_fd(c, err)) < 0)
                return r;
        c->pod_dir = getcwd(NULL, 0);
        if (!c->pod_dir)
                return ace_error_errno(err, errno, "getcwd");
        if ((r = pod_load(c->podfd, c->args.uuid, &c->pod, err)) < 0 ||
            (r = read_oom_score_adj(&c->oom_score_adj, err)) < 0)
                return r;
        if (c->args.interactive && c->pod->n_apps != 1)
                return ace_error_make(err, EINVAL, "--interactive needs exactly one app, not %zu",
                                      c->pod->n_apps);
        /* The launch specs come after the networks: an app's environment names the network's
         * host side (AC_METADATA_URL). */
        if ((r = stage2_find(&c->stage2, err)) < 0 ||
            (r = pod_net_setup(&c->net, &c->args, c->pod, c->podfd, err)) < 0 ||
            (r = write_launch_specs(c, err)) < 0)
                return r;
        if ((c->stage2_fd = stage2_seal(c->stage2, err)) < 0)
                return c->stage2_fd;
        return 0;
}

/* ---- isolation that lives outside the pod's namespaces ----------------------------------------
 */

static bool lsm_enabled(const char *name)
{
        if (strcmp(name, "os/linux/selinux-context") == 0)
                return access("/sys/fs/selinux/enforce", F_OK) == 0;
        if (strcmp(name, "os/linux/apparmor-profile") == 0)
                return access("/sys/module/apparmor/parameters/enabled", F_OK) == 0;
        return true;
}

/* appc: "an executor MUST make information about which isolators were ignored ... available":
 * on stderr, and in `isolators-unenforced` for `ace status`. */
static int report_unenforced(struct run_ctx *c, struct ace_error **err)
{
        _cleanup_free_ char *text = NULL;
        int r;

        for (size_t i = 0; i < c->pod->n_unenforced; i++) {
                struct pod_unenforced *u = &c->pod->unenforced[i];
                if (!lsm_enabled(u->name)) {
                        free(u->reason);
                        u->reason = xstrdup(strstr(u->name, "selinux")
                                                ? "SELinux is not enabled on this host"
                                                : "AppArmor is not enabled on this host");
                }
        }
        text = pod_unenforced_format(c->pod);
        if ((r = podfile_write(c->podfd, "isolators-unenforced", text, err)) < 0)
                return r;
        for (size_t i = 0; i < c->pod->n_unenforced; i++) {
                const struct pod_unenforced *u = &c->pod->unenforced[i];
                if (c->args.strict_isolators)
                        return ace_error_make(err, ENOTSUP,
                                              "isolator %s (%s) cannot be enforced: %s; refusing "
                                              "to run with --strict-isolators",
                                              u->name, u->scope, u->reason);
                log_warn("isolator %s (%s) is not enforced: %s", u->name, u->scope, u->reason);
        }
        return 0;
}

/* The pod's cgroups, made by the run process (still in the host's namespaces) before the pod
 * exists. Who joins which leaf when (cgroup_pod_attach) is a matter of speed: a migration
 * through cgroup.procs after a quiet spell waits for an RCU grace period (the kernel's
 * threadgroup rwsem; 10-20 ms here), the ones that follow within one grace period do not. On
 * v1 each process moves itself through `tasks`, which takes no such lock; for cgroup.procs (v2)
 * the order still counts: the relay joins the supervisor leaf only after it has let PID 1 go
 * (its wait overlaps the pod's set-up), and PID 1 joins it right before the apps are forked,
 * each app joining its own leaf a moment later: one wait on the path to the apps, not two. */
static int setup_cgroups(struct run_ctx *c, struct ace_error **err)
{
        int r;

        struct stat st;

        /* An interactive app's terminal is the run process's: its device joins the allow-list. */
        if (c->args.interactive && fstat(STDIN_FILENO, &st) == 0 && S_ISCHR(st.st_mode)) {
                c->cgroup.has_terminal = true;
                c->cgroup.terminal =
                    (struct device_rule){'c', (int)major(st.st_rdev), (int)minor(st.st_rdev), "rw"};
        }
        if ((r = cgroup_host_detect(false, &c->cgroup.host, err)) < 0 ||
            (r = cgroup_pod_create(&c->cgroup, c->pod, c->podfd, err)) < 0)
                return ace_error_wrap(err, "cgroups");
        if ((r = report_unenforced(c, err)) < 0) {
                _cleanup_error_ struct ace_error *e2 = NULL;
                (void)cgroup_pod_remove(&c->cgroup, &e2); /* refused: leave nothing behind */
                return r;
        }
        protect_from_oom();
        return 0;
}

/* ---- pod PID 1 ---------------------------------------------------------------------------------
 */

static int create_shared_volumes(struct run_ctx *c, struct ace_error **err)
{
        for (size_t i = 0; i < c->pod->n_volumes; i++) {
                const struct pod_volume *v = &c->pod->volumes[i];
                _cleanup_free_ char *path = xasprintf("sharedVolumes/%s", v->name);

                if (v->kind != POD_VOLUME_EMPTY)
                        continue;
                if (mkdirat(c->podfd, "sharedVolumes", 0755) < 0 && errno != EEXIST)
                        return ace_error_errno(err, errno, "mkdir sharedVolumes");
                if (mkdirat(c->podfd, path, 0700) < 0 && errno != EEXIST)
                        return ace_error_errno(err, errno, "mkdir %s", path);
                /* Owner first, then mode: chown clears set-id bits a mode may ask for. */
                if (fchownat(c->podfd, path, v->uid, v->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
                    fchmodat(c->podfd, path, v->mode, 0) < 0)
                        return ace_error_errno(err, errno, "set owner/mode of %s", path);
        }
        return 0;
}

/* The empty, mode-0 file that covers masked /proc files (mount_plan.h MOUNT_MASK_FILE). */
static int create_mask_file(struct run_ctx *c, struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;

        if (mkdirat(c->podfd, "stage1", 0755) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir stage1");
        fd = openat(c->podfd, MOUNT_MASK_FILE,
                    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0 || fchmod(fd, 0) < 0)
                return ace_error_errno(err, errno, "create %s", MOUNT_MASK_FILE);
        return 0;
}

static int setup_app_filesystems(struct run_ctx *c, struct ace_error **err)
{
        struct mount_paths paths = {
            .pod_dir = c->pod_dir,
            .tree_store = c->pod->tree_store,
            .overlay = c->pod->overlay,
            .interactive = c->args.interactive,
            .disable_paths = c->args.disable_paths,
            .etc_files = c->net.etc_files,
            .n_etc_files = c->net.n_etc_files,
        };
        struct cgroup_view *views = NULL;
        int r = 0;

        paths.n_cgroups = cgroup_pod_views(&c->cgroup, &views);
        paths.cgroups = views;
        for (size_t i = 0; i < c->pod->n_apps && r >= 0; i++) {
                struct mount_plan plan __attribute__((cleanup(mount_plan_done))) = {0};
                const struct pod_app *a = &c->pod->apps[i];

                if ((r = mount_plan_app(a, &paths, &plan, err)) < 0 ||
                    (r = mount_plan_apply(&plan, c->podfd, err)) < 0)
                        r = ace_error_wrap(err, "app %s", a->name);
        }
        cgroup_views_free(views, paths.n_cgroups);
        return r;
}

/* The pod's PID 1, right after fork; the comments name the namespaces it is already in. */
static int pod_init(struct run_ctx *c, int sync_fd, int *ret_status, struct ace_error **err)
{
        _cleanup_free_ char *hostname = NULL;
        char go;
        int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS, r;

        /* In: the new PID namespace (as PID 1), every other namespace still the host's. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return ace_error_errno(err, errno, "set parent-death signal");
        /* #1 -> #2: a relay that died before arming PDEATHSIG took effect gives EOF here. */
        if (TEMP_FAILURE_RETRY(read(sync_fd, &go, 1)) != 1)
                return ace_error_make(err, ESRCH, "the run process went away");
        close(sync_fd);
        if (c->args.net == RUN_NET_NONE)
                flags |= CLONE_NEWNET;
        if ((r = pod_net_join(&c->net, err)) < 0)
                return r;
        if (unshare(flags) < 0)
                return ace_error_errno(err, errno, "unshare pod namespaces");
        /* First thing in the new mount namespace: stop propagation both ways, so no mount of
         * the pod ever appears on the host (and host mounts made later do not pour in). */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return ace_error_errno(err, errno, "make the pod's mounts private");
        /* Our copies of every pod's netns mount would keep those namespaces alive. */
        if ((r = netns_hide(err)) < 0)
                return r;
        /* The lock fd was opened in the host's mount namespace: a bind mount from a path under
         * it would fail (EINVAL, source not in our namespace). The lock fd itself stays open:
         * it holds the pod's flock until the pod dies. */
        c->podfd = open(c->pod_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->podfd < 0)
                return ace_error_errno(err, errno, "open the pod directory %s", c->pod_dir);
        hostname = c->args.hostname ? xstrdup(c->args.hostname) : xasprintf("ace-%s", c->args.uuid);
        if (sethostname(hostname, strlen(hostname)) < 0)
                return ace_error_errno(err, errno, "set hostname %s", hostname);
        if (c->args.net == RUN_NET_NONE && (r = netlink_loopback_up(err)) < 0)
                return ace_error_wrap(err, "failed to setup network");
        /* Networking issue: CNI networks, /etc/hosts and resolv.conf material go here. */
        if ((r = create_shared_volumes(c, err)) < 0 || (r = create_mask_file(c, err)) < 0 ||
            (r = setup_app_filesystems(c, err)) < 0)
                return r;
        /* Right before the apps, whose own joins then cost no grace period (setup_cgroups). */
        if (c->cgroup.host.n &&
            (r = cgroup_pod_attach(&c->cgroup, CGROUP_SUPERVISOR_LEAF, 0, err)) < 0)
                return r;
        struct supervisor_config cfg = {
            .pod = c->pod,
            .podfd = c->podfd,
            .pod_dir = c->pod_dir,
            .stage2 = c->stage2,
            .stage2_fd = c->stage2_fd,
            .cgroup = &c->cgroup,
            .interactive = c->args.interactive,
            .debug = c->args.debug,
            .ready_fd = c->net.ready[1],
            .listen_fds = c->net.app_fds,
            .n_listen_fds = c->net.app_nfds,
        };
        return supervisor_run(&cfg, ret_status, err);
}

/* ---- relay (host PID namespace) ------------------------------------------------------------ */

static int relay(struct run_ctx *c, pid_t child, int sync_fd, const sigset_t *mask)
{
        _cleanup_error_ struct ace_error *err = NULL;
        siginfo_t si;
        bool failed = false;
        int wstatus;

        /* #2: publish the pod (its PID 1 as the host sees it), then let it go. */
        if (podfile_write_pid(c->podfd, "pid", child, &err) < 0) {
                log_error_ace(err);
                kill(child, SIGKILL);
                failed = true;
        } else if (write(sync_fd, "g", 1) != 1) {
                log_error("cannot start the pod: %s", strerror(errno));
                kill(child, SIGKILL);
                failed = true;
        }
        close(sync_fd);
        /* While PID 1 sets the pod up (see setup_cgroups). */
        if (!failed && c->cgroup.host.n &&
            cgroup_pod_attach(&c->cgroup, CGROUP_SUPERVISOR_LEAF, 0, &err) < 0) {
                log_error_ace(err);
                kill(child, SIGKILL);
                failed = true;
        }
        for (;;) {
                if (sigwaitinfo(mask, &si) < 0 || pod_net_signal(&c->net, si.si_signo))
                        continue;
                if (si.si_signo != SIGCHLD) {
                        log_debug("forwarding signal %d to the pod as SIGTERM", si.si_signo);
                        (void)kill(child, SIGTERM);
                        continue;
                }
                if (waitpid(child, &wstatus, WNOHANG) == child)
                        break;
        }
        if (failed)
                return EXIT_STAGE1_FAILED;
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        return 128 + WTERMSIG(wstatus);
}

static void run_ctx_done(struct run_ctx *c)
{
        pod_free(c->pod);
        free(c->pod_dir);
        free(c->stage2);
        closep(&c->stage2_fd);
        cgroup_pod_done(&c->cgroup);
}

int stage1_run(int argc, char **argv)
{
        _cleanup_error_ struct ace_error *err = NULL;
        struct run_ctx c = {.lockfd = -1, .podfd = -1, .stage2_fd = -1, .net = POD_NET_INIT};
        int sync[2], status = EXIT_STAGE1_FAILED;
        sigset_t mask;
        pid_t child;

        /* Passed sockets sit at fds 3..: claimed before anything opens a file. */
        if (pod_net_take_sockets(&c.net, &err) < 0 || prepare(&c, argc, argv, &err) < 0 ||
            setup_cgroups(&c, &err) < 0)
                goto fail;
        /* Blocked before the fork so that neither side can miss a signal; the supervisor keeps
         * them blocked for its signalfd, stage2 children get a clean mask. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, ready_signal());
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if (pod_net_before_fork(&c.net, &err) < 0)
                goto fail;
        if (pipe2(sync, O_CLOEXEC) < 0) {
                ace_error_errno(&err, errno, "pipe");
                goto fail;
        }
        /* unshare(NEWPID) affects only our children: the relay itself stays in the host's PID
         * namespace, the forked child is PID 1 of the new one. */
        if (unshare(CLONE_NEWPID) < 0) {
                ace_error_errno(&err, errno, "unshare PID namespace");
                goto fail;
        }
        child = fork();
        if (child < 0) {
                ace_error_errno(&err, errno, "fork the pod");
                goto fail;
        }
        if (child == 0) {
                close(sync[1]);
                if (pod_init(&c, sync[0], &status, &err) < 0) {
                        log_error_ace(err);
                        _exit(EXIT_STAGE1_FAILED);
                }
                _exit(status);
        }
        close(sync[0]);
        pod_net_after_fork(&c.net);
        status = relay(&c, child, sync[1], &mask);
        pod_net_teardown(&c.net, &c.args, c.podfd);
        run_ctx_done(&c);
        return status;
fail:
        log_error_ace(err);
        pod_net_teardown(&c.net, &c.args, c.podfd);
        run_ctx_done(&c);
        return EXIT_STAGE1_FAILED;
}
