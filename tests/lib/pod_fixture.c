/* pod_fixture.c - pod directories per the stage1 ABI, and running stage1 on them (pod_fixture.h).
 */
#include "tests/lib/pod_fixture.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

static void mkdir_p(const char *path)
{
        _cleanup_free_ char *p = xstrdup(path);

        for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
                if (s)
                        *s = 0;
                cr_assert(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", p,
                          strerror(errno));
                if (!s)
                        return;
                *s = '/';
        }
}

static char *append(char *list, const char *item)
{
        char *r = list ? xasprintf("%s, %s", list, item) : xstrdup(item);
        free(list);
        return r;
}

/* The stage1 image tree: /init (+ enter, stop, gc) and /stage2 from the build. */
static void make_stage1_tree(struct pod_fixture *pf)
{
        _cleanup_free_ char *s1 = th_build_path("stage1/ace-stage1");
        _cleanup_free_ char *s2 = th_build_path("stage1/ace-stage2");
        _cleanup_free_ char *root = NULL, *init = NULL, *stage2 = NULL, *manifest = NULL;
        static const char *const eps[] = {"enter", "stop", "gc"};

        pf->stage1_tree = xstrdup("deps-sha512-stage1");
        root = xasprintf("%s/%s/rootfs", pf->tree_store, pf->stage1_tree);
        mkdir_p(root);
        init = xasprintf("%s/init", root);
        stage2 = xasprintf("%s/stage2", root);
        cr_assert(th_copy_tree(s1, init) == 0, "copy %s (built?)", s1);
        cr_assert(th_copy_tree(s2, stage2) == 0, "copy %s (built?)", s2);
        for (size_t i = 0; i < ARRAY_SIZE(eps); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", root, eps[i]);
                cr_assert(link(init, p) == 0);
        }
        manifest = xasprintf("%s/%s/manifest", pf->tree_store, pf->stage1_tree);
        th_write_file(manifest,
                      "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\","
                      "\"name\":\"ace.example.org/stage1\"}",
                      0644);
}

struct pod_fixture *pf_new(void)
{
        struct pod_fixture *pf = xcalloc(1, sizeof(*pf));
        unsigned char r[16];
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

        cr_assert(fd >= 0 && read(fd, r, sizeof(r)) == (ssize_t)sizeof(r));
        close(fd);
        pf->uuid = xasprintf("%02x%02x%02x%02x-%02x%02x-4%x%02x-a%x%02x-%02x%02x%02x%02x%02x%02x",
                             r[0], r[1], r[2], r[3], r[4], r[5], r[6] & 15, r[7], r[8] & 15, r[9],
                             r[10], r[11], r[12], r[13], r[14], r[15]);
        pf->data_dir = th_mkdtemp("ace-pod");
        pf->tree_store = xasprintf("%s/cas/tree", pf->data_dir);
        pf->pod_dir = xasprintf("%s/pods/run/%s", pf->data_dir, pf->uuid);
        pf->overlay = true;
        pf->lock_fd = -1;
        mkdir_p(pf->tree_store);
        mkdir_p(pf->pod_dir);
        make_stage1_tree(pf);
        return pf;
}

void pf_free(struct pod_fixture *pf)
{
        if (!pf)
                return;
        if (pf->pid > 0) {
                kill(pf->pid, SIGKILL);
                waitpid(pf->pid, NULL, 0);
        }
        if (pf->lock_fd >= 0)
                close(pf->lock_fd);
        pf->lock_fd = -1;
        /* What a pod holds outside its directory (cgroups) goes with gc, as stage0 would do. A
         * pod just killed may hold its lock for a moment (its PID 1 dies after the run
         * process), and gc refuses running pods: retry for a while. */
        for (int i = 0; pf->started && i < 200; i++) {
                if (pf_entrypoint(pf, "gc", (const char *const[]){pf->uuid, NULL}, NULL, NULL) == 0)
                        break;
                usleep(10000);
        }
        th_rm_rf(pf->data_dir);
        free(pf->data_dir);
        free(pf->tree_store);
        free(pf->uuid);
        free(pf->pod_dir);
        free(pf->stage1_tree);
        free(pf->apps_json);
        free(pf->volumes_json);
        free(pf->runtime_extra);
        free(pf->pod_isolators);
        free(pf->stdin_path);
        free(pf->out);
        free(pf->err);
        free(pf);
}

char *pf_path(struct pod_fixture *pf, const char *rel)
{
        return xasprintf("%s/%s", pf->pod_dir, rel);
}

char *pf_read(struct pod_fixture *pf, const char *rel)
{
        _cleanup_free_ char *p = pf_path(pf, rel);
        return th_read_file(p);
}

static void write_pod_file(struct pod_fixture *pf, const char *rel, const char *content)
{
        _cleanup_free_ char *p = pf_path(pf, rel);
        th_write_file(p, content, 0644);
}

void pf_add_app(struct pod_fixture *pf, const char *name, struct test_image *img,
                const char *app_json, const char *extra)
{
        _cleanup_free_ char *item = NULL, *dir = NULL, *mpath = NULL, *manifest = NULL;
        _cleanup_free_ char *tid = NULL, *upper = NULL, *work = NULL;

        if (!img->tree_id)
                timg_render(img, pf->tree_store);
        dir = xasprintf("appsinfo/%s", name);
        {
                _cleanup_free_ char *full = pf_path(pf, dir);
                mkdir_p(full);
        }
        mpath = xasprintf("%s/%s/manifest", pf->tree_store, img->tree_id);
        manifest = th_read_file(mpath);
        cr_assert(manifest);
        {
                _cleanup_free_ char *rel = xasprintf("%s/manifest", dir);
                write_pod_file(pf, rel, manifest);
        }
        tid = xasprintf("%s/treeStoreID", dir);
        write_pod_file(pf, tid, img->tree_id);
        upper = xasprintf("%s/overlay/%s/upper/%s", pf->pod_dir, img->tree_id, name);
        work = xasprintf("%s/overlay/%s/work/%s", pf->pod_dir, img->tree_id, name);
        mkdir_p(upper);
        mkdir_p(work);
        item = xasprintf("{\"name\": \"%s\", \"image\": {\"name\": \"%s\", \"id\": "
                         "\"sha512-%0128x\"}%s%s%s%s}",
                         name, img->name, 0, app_json ? ", \"app\": " : "",
                         app_json ? app_json : "", extra ? ", " : "", extra ? extra : "");
        pf->apps_json = append(pf->apps_json, item);
}

void pf_add_volume(struct pod_fixture *pf, const char *volume_json)
{
        pf->volumes_json = append(pf->volumes_json, volume_json);
}

void pf_set_pod_isolators(struct pod_fixture *pf, const char *items)
{
        free(pf->pod_isolators);
        pf->pod_isolators = xstrdup(items);
}

void pf_runtime(struct pod_fixture *pf, const char *members)
{
        pf->runtime_extra = append(pf->runtime_extra, members);
}

static void write_pod(struct pod_fixture *pf)
{
        _cleanup_free_ char *pod = NULL, *rc = NULL, *s1 = NULL;

        pod =
            xasprintf("{\"acVersion\": \"0.8.11\", \"acKind\": \"PodManifest\", "
                      "\"apps\": [%s], \"volumes\": [%s], \"isolators\": [%s]}",
                      pf->apps_json ? pf->apps_json : "", pf->volumes_json ? pf->volumes_json : "",
                      pf->pod_isolators ? pf->pod_isolators : "");
        write_pod_file(pf, "pod", pod);
        write_pod_file(pf, "pod-created", "");
        rc = xasprintf("{\"treeStorePath\": \"%s\", \"overlay\": %s, \"stopTimeout\": 5%s%s}",
                       pf->tree_store, pf->overlay ? "true" : "false",
                       pf->runtime_extra ? ", " : "", pf->runtime_extra ? pf->runtime_extra : "");
        write_pod_file(pf, "runtime-config", rc);
        write_pod_file(pf, "stage1TreeStoreID", pf->stage1_tree);
        s1 = pf_path(pf, "stage1/rootfs");
        mkdir_p(s1);
        if (pf->overlay)
                write_pod_file(pf, "overlay-prepared", "");
}

static void exec_entry(struct pod_fixture *pf, const char *ep, char **argv)
{
        _cleanup_free_ char *path =
            xasprintf("%s/%s/rootfs/%s", pf->tree_store, pf->stage1_tree, ep);

        argv[0] = path;
        execv(path, argv);
        dprintf(2, "exec %s: %s\n", path, strerror(errno));
        _exit(127);
}

static void redirect(struct pod_fixture *pf, const char *name, int target)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", pf->data_dir, name);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

        if (fd < 0 || dup2(fd, target) < 0)
                _exit(127);
        close(fd);
}

/* The cgroup v2 view of this host (pf->cgroup2): a private mount namespace in which
 * /sys/fs/cgroup is the system's cgroup2 hierarchy alone, so stage1 picks its v2 backend. The
 * hierarchy is the one the host shows at /sys/fs/cgroup/unified (there is only one cgroup2
 * hierarchy per system), so tests and gc can look at it from outside. */
static void enter_cgroup2_view(void)
{
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            umount2("/sys/fs/cgroup", MNT_DETACH) < 0 ||
            mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
                0) {
                dprintf(2, "cgroup2 view: %s\n", strerror(errno));
                _exit(127);
        }
}

pid_t pf_start(struct pod_fixture *pf, const char *const *args)
{
        char *argv[64] = {0};
        bool have_net = false;
        size_t n = 1;

        write_pod(pf);
        pf->started = true;
        pf->lock_fd = open(pf->pod_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert(pf->lock_fd >= 0);
        cr_assert(flock(pf->lock_fd, LOCK_EX | LOCK_NB) == 0);
        for (size_t i = 0; args && args[i]; i++) {
                argv[n++] = (char *)args[i];
                have_net |= strncmp(args[i], "--net=", 6) == 0;
        }
        if (!have_net)
                argv[n++] = (char *)"--net=none";
        argv[n++] = pf->uuid;
        pf->pid = fork();
        cr_assert(pf->pid >= 0);
        if (pf->pid == 0) {
                char env[32];
                int fd = dup(pf->lock_fd); /* dup: without O_CLOEXEC, as stage0 hands it over */
                snprintf(env, sizeof(env), "%d", fd);
                setenv("RKT_LOCK_FD", env, 1);
                if (chdir(pf->pod_dir) < 0)
                        _exit(127);
                if (pf->cgroup2)
                        enter_cgroup2_view();
                redirect(pf, "stdout", 1);
                redirect(pf, "stderr", 2);
                if (pf->stdin_path) {
                        int in = open(pf->stdin_path, O_RDONLY);
                        if (in < 0 || dup2(in, 0) < 0)
                                _exit(127);
                }
                exec_entry(pf, "init", argv);
        }
        return pf->pid;
}

int pf_wait(struct pod_fixture *pf)
{
        _cleanup_free_ char *o = xasprintf("%s/stdout", pf->data_dir);
        _cleanup_free_ char *e = xasprintf("%s/stderr", pf->data_dir);
        int wstatus;

        cr_assert(pf->pid > 0);
        cr_assert(waitpid(pf->pid, &wstatus, 0) == pf->pid);
        pf->pid = 0;
        close(pf->lock_fd);
        pf->lock_fd = -1;
        free(pf->out);
        free(pf->err);
        pf->out = th_read_file(o);
        pf->err = th_read_file(e);
        pf->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        return pf->status;
}

int pf_run(struct pod_fixture *pf, const char *const *args)
{
        pf_start(pf, args);
        return pf_wait(pf);
}

char *pf_stdout_now(struct pod_fixture *pf)
{
        _cleanup_free_ char *o = xasprintf("%s/stdout", pf->data_dir);
        return th_read_file(o);
}

int pf_entrypoint(struct pod_fixture *pf, const char *name, const char *const *args, char **out,
                  char **err)
{
        _cleanup_free_ char *o = xasprintf("%s/%s.stdout", pf->data_dir, name);
        _cleanup_free_ char *e = xasprintf("%s/%s.stderr", pf->data_dir, name);
        _cleanup_free_ char *on = xasprintf("%s.stdout", name), *en = xasprintf("%s.stderr", name);
        char *argv[64] = {0};
        size_t n = 1;
        int wstatus;
        pid_t pid;

        for (size_t i = 0; args && args[i]; i++)
                argv[n++] = (char *)args[i];
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                if (chdir(pf->pod_dir) < 0)
                        _exit(127);
                redirect(pf, on, 1);
                redirect(pf, en, 2);
                exec_entry(pf, name, argv);
        }
        cr_assert(waitpid(pid, &wstatus, 0) == pid);
        if (out)
                *out = th_read_file(o);
        if (err)
                *err = th_read_file(e);
        return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}
