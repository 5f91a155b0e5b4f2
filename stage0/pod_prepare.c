/*
 * pod_prepare.c - building a pod directory per the stage1 ABI (see pod_prepare.h for the
 * order of the steps and what a failure leaves behind).
 */
#include "stage0/pod_prepare.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"
#include "stage0/config.h"
#include "stage0/fetch.h"
#include "stage0/lazy_fetcher.h"
#include "stage0/pod_manifest_gen.h"
#include "stage0/stage1_image.h"
#include "stage0/store/store.h"
#include "stage0/store/tree.h"

extern char **environ;

#define STOP_TIMEOUT_SECS 10
#define ENV_FILE_MAX (1u << 20)

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif
#define AUFS_SUPER_MAGIC 0x61756673
#define ZFS_SUPER_MAGIC 0x2fc12fc1

struct image_ref {
        char *id;
        char *manifest_json; /* as stored: written to the pod as is */
        size_t manifest_len;
        struct ace_image_manifest *manifest;
        char *tree_id;
        char *tree_path;
};

struct prepare_ctx {
        const struct ace_global *g;
        const struct run_config *c;
        struct pod *pod;
        struct ace_config *config;
        struct store *store;
        struct lazy_fetcher fetcher;
        char *data_dir;
        int prepare_lock;
        struct image_ref stage1;
        struct image_ref *apps; /* one per app of the pod manifest */
        size_t n_apps;
        struct ace_pod_manifest *pm;
        bool overlay;
};

static void image_ref_done(struct image_ref *r)
{
        free(r->id);
        free(r->manifest_json);
        ace_image_manifest_free(r->manifest);
        free(r->tree_id);
        free(r->tree_path);
}

static void ctx_done(struct prepare_ctx *x)
{
        image_ref_done(&x->stage1);
        for (size_t i = 0; i < x->n_apps; i++)
                image_ref_done(&x->apps[i]);
        free(x->apps);
        ace_pod_manifest_free(x->pm);
        lazy_fetcher_done(&x->fetcher);
        closep(&x->prepare_lock);
        store_closep(&x->store);
        if (x->config)
                ace_config_free(x->config);
        free(x->data_dir);
}

bool pod_overlay_supported(const char *data_dir)
{
        _cleanup_free_ char *fs = NULL;
        struct statfs sf;

        if (fs_read_file_at(AT_FDCWD, "/proc/filesystems", 1u << 20, &fs, NULL, NULL) < 0 ||
            !strstr(fs, "\toverlay\n"))
                return false;
        if (statfs(data_dir, &sf) < 0)
                return false;
        return sf.f_type != OVERLAYFS_SUPER_MAGIC && sf.f_type != AUFS_SUPER_MAGIC &&
               sf.f_type != ZFS_SUPER_MAGIC;
}

/* Writes a new pod file. No fsync: the pod is unreachable (locked in prepare/) until it is
 * complete, and a crash leaves an aborted prepare for gc; prepare syncs the fs once at the end. */
static int write_file(int dirfd, const char *path, const char *data, size_t len,
                      struct ace_error **err)
{
        _cleanup_close_ int fd =
            openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);

        if (fd < 0)
                return ace_error_errno(err, errno, "creating %s", path);
        return fs_write_all(fd, data, len, err);
}

static int write_string(int dirfd, const char *path, const char *s, struct ace_error **err)
{
        return write_file(dirfd, path, s, strlen(s), err);
}

/* ---- images ------------------------------------------------------------------------------ */

static int open_store(struct prepare_ctx *x, const struct fetch_ui *ui, struct ace_error **err)
{
        struct fetch_options fo = {
            .config = x->config,
            .system_config = x->g->system_config,
            .local_config = x->g->local_config,
            .data_dir = x->data_dir,
            .insecure = x->g->insecure,
            .pull_policy = PULL_POLICY_NEW,
            .trust_keys_from_https = x->g->trust_keys_from_https,
        };
        int r;

        if (ui)
                fo.ui = *ui;
        if (x->c->pull_policy &&
            (r = pull_policy_parse(x->c->pull_policy, &fo.pull_policy, err)) < 0)
                return r;
        if ((r = store_open(x->data_dir, 0, &x->store, err)) < 0)
                return ace_error_wrap(err, "cannot open store");
        /* Held from before the first render until the pod files name the trees: image gc
         * takes it exclusive and then sees this pod's references. */
        x->prepare_lock = store_lock_prepare(x->store, STORE_LOCK_SHARED, err);
        if (x->prepare_lock < 0)
                return x->prepare_lock;
        x->fetcher = (struct lazy_fetcher){.store = x->store, .opts = fo};
        return 0;
}

/* rkt's prepareAppImage: an app image must say it runs on this os and arch. */
static int check_os_arch(const struct ace_image_manifest *m, const char *image,
                         struct ace_error **err)
{
        const char *os = ace_image_manifest_label(m, "os");
        const char *arch = ace_image_manifest_label(m, "arch");

        if (!os)
                return ace_error_make(err, EINVAL,
                                      "image %s: missing os label in the image "
                                      "manifest",
                                      image);
        if (!arch)
                return ace_error_make(err, EINVAL,
                                      "image %s: missing arch label in the image "
                                      "manifest",
                                      image);
        if (strcmp(os, store_host_os()) != 0 || strcmp(arch, store_host_arch()) != 0)
                return ace_error_make(err, EINVAL, "image %s is for %s/%s, this host is %s/%s",
                                      image, os, arch, store_host_os(), store_host_arch());
        return 0;
}

static int load_image(struct prepare_ctx *x, struct image_ref *ref, const char *what, bool app,
                      struct ace_error **err)
{
        /* One read of the stored manifest (each read is a last-used update in the store's
         * db): parsed here, written to the pod from the same bytes. */
        int r =
            store_read_manifest(x->store, ref->id, &ref->manifest_json, &ref->manifest_len, err);

        if (r >= 0)
                r = ace_image_manifest_parse(ref->manifest_json, ref->manifest_len, &ref->manifest,
                                             err);
        if (r < 0)
                return ace_error_wrap(err, "error getting the manifest of %s", what);
        if (app && (r = check_os_arch(ref->manifest, what, err)) < 0)
                return r;
        r = store_render(x->store, ref->id, &ref->tree_id, &ref->tree_path, err);
        return r < 0 ? ace_error_wrap(err, "error rendering %s", what) : 0;
}

static int resolve_cli_images(struct prepare_ctx *x, struct ace_error **err)
{
        x->n_apps = x->c->n_apps;
        x->apps = xcalloc(x->n_apps ? x->n_apps : 1, sizeof(*x->apps));
        for (size_t i = 0; i < x->n_apps; i++) {
                const struct run_app *a = &x->c->apps[i];
                struct fetch_request req = {.image = a->image, .signature = a->signature};
                /* An image ID is the store's alone (rkt): no fetcher needed. */
                int r = image_string_classify(a->image) == IMAGE_KIND_ID && !a->signature
                            ? store_find_by_id_prefix(x->store, a->image, &x->apps[i].id, err)
                            : lazy_fetcher_fetch(&x->fetcher, &req, &x->apps[i].id, err);
                if (r < 0)
                        return ace_error_wrap(err, "image %s", a->image);
                r = load_image(x, &x->apps[i], a->image, true, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_env_files(const struct run_config *c, char ***ret, struct ace_error **err)
{
        for (char **f = c->set_env_file; f && *f; f++) {
                _cleanup_free_ char *text = NULL;
                int r = fs_read_file_at(AT_FDCWD, *f, ENV_FILE_MAX, &text, NULL, err);
                if (r < 0)
                        return ace_error_wrap(err, "--set-env-file");
                r = env_file_parse(text, *f, ret, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static struct gen_image *gen_images(const struct prepare_ctx *x)
{
        struct gen_image *v = xcalloc(x->n_apps ? x->n_apps : 1, sizeof(*v));
        for (size_t i = 0; i < x->n_apps; i++)
                v[i] = (struct gen_image){.id = x->apps[i].id, .manifest = x->apps[i].manifest};
        return v;
}

static int generate_manifest(struct prepare_ctx *x, struct ace_error **err)
{
        _cleanup_strv_free_ char **env_file = NULL;
        _cleanup_free_ struct gen_image *images = NULL;
        int r;

        r = read_env_files(x->c, &env_file, err);
        if (r < 0)
                return r;
        r = resolve_cli_images(x, err);
        if (r < 0)
                return r;
        images = gen_images(x);
        struct gen_input in = {.config = x->c,
                               .images = images,
                               .host_env = environ,
                               .env_file = env_file,
                               .uid = getuid(),
                               .gid = getgid()};
        return pod_manifest_generate(&in, &x->pm, err);
}

/* --pod-manifest: the user's manifest, its images taken from the store by ID. */
static int load_user_manifest(struct prepare_ctx *x, struct ace_error **err)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ struct gen_image *images = NULL;
        size_t len;
        int r;

        r = fs_read_file_at(AT_FDCWD, x->c->pod_manifest, ACE_MANIFEST_MAX_SIZE, &text, &len, err);
        if (r >= 0)
                r = ace_pod_manifest_parse(text, len, &x->pm, err);
        if (r < 0)
                return ace_error_wrap(err, "error reading pod manifest %s", x->c->pod_manifest);
        x->n_apps = x->pm->apps.n;
        x->apps = xcalloc(x->n_apps ? x->n_apps : 1, sizeof(*x->apps));
        for (size_t i = 0; i < x->n_apps; i++) {
                const struct ace_runtime_app *ra = &x->pm->apps.items[i];
                if (!store_has_image(x->store, ra->image.id))
                        return ace_error_make(err, ENOENT,
                                              "image %s of app %s is not in the store (fetch it "
                                              "first)",
                                              ra->image.id, ra->name);
                x->apps[i].id = xstrdup(ra->image.id);
                r = load_image(x, &x->apps[i], ra->name, true, err);
                if (r < 0)
                        return r;
        }
        images = gen_images(x);
        r = pod_manifest_check_user(x->pm, images, err);
        if (r >= 0)
                r = pod_manifest_add_implicit_volumes(x->pm, images, err);
        return r;
}

/* ---- pod files --------------------------------------------------------------------------- */

static int write_manifest_of(struct prepare_ctx *x, const struct image_ref *img, const char *path,
                             struct ace_error **err)
{
        return write_file(x->pod->fd, path, img->manifest_json, img->manifest_len, err);
}

static int write_runtime_config(struct prepare_ctx *x, struct ace_error **err)
{
        _cleanup_free_ char *tree = NULL, *text = NULL;
        struct json_object *o = json_object_new_object();
        char *slash;
        int r;

        /* The tree store directory: the parent of the stage1 tree's directory. */
        tree = xstrdup(x->stage1.tree_path);
        slash = strrchr(tree, '/');
        if (slash)
                *slash = '\0';
        json_object_object_add(o, "treeStorePath", json_object_new_string(tree));
        json_object_object_add(o, "overlay", json_object_new_boolean(x->overlay));
        json_object_object_add(o, "stopTimeout", json_object_new_int(STOP_TIMEOUT_SECS));
        text = json_to_text(o, JSON_COMPACT);
        json_object_put(o);
        r = write_string(x->pod->fd, "runtime-config", text, err);
        return r;
}

static int write_app_info(struct prepare_ctx *x, size_t i, struct ace_error **err)
{
        const char *name = x->pm->apps.items[i].name;
        _cleanup_free_ char *dir = xasprintf("appsinfo/%s", name);
        _cleanup_free_ char *m = xasprintf("%s/manifest", dir),
                            *t = xasprintf("%s/treeStoreID", dir);
        int r;

        if (mkdirat(x->pod->fd, dir, 0750) < 0)
                return ace_error_errno(err, errno, "creating %s", dir);
        if ((r = write_manifest_of(x, &x->apps[i], m, err)) < 0 ||
            (r = write_string(x->pod->fd, t, x->apps[i].tree_id, err)) < 0)
                return r;
        return 0;
}

/*
 * overlay/<treeID>/{upper,work}/<app>; the stage1's with an empty app name. The upper dir is
 * the root directory of the merged tree, so it takes the mode and owner of the image's root:
 * a 0750 root would lock a non-root app out of its own "/".
 */
static int overlay_dirs(struct prepare_ctx *x, const struct image_ref *img, const char *app,
                        struct ace_error **err)
{
        static const char *const kinds[] = {"upper", "work"};
        _cleanup_free_ char *lower = xasprintf("%s/rootfs", img->tree_path);
        struct stat st;

        if (stat(lower, &st) < 0)
                return ace_error_errno(err, errno, "stat %s", lower);
        for (size_t k = 0; k < 2; k++) {
                _cleanup_free_ char *p =
                    xasprintf("overlay/%s/%s%s%s", img->tree_id, kinds[k], *app ? "/" : "", app);
                int r = fs_mkdir_p_at(x->pod->fd, p, 0750, 0, NULL, err);
                if (r < 0)
                        return r;
                if (k == 0 && (fchownat(x->pod->fd, p, st.st_uid, st.st_gid, 0) < 0 ||
                               fchmodat(x->pod->fd, p, st.st_mode & 07777, 0) < 0))
                        return ace_error_errno(err, errno, "setting up %s", p);
        }
        return 0;
}

/* Copies a rendered tree's rootfs to `dest` in the pod (--no-overlay). */
static int copy_tree(struct prepare_ctx *x, const char *tree_path, const char *dest,
                     struct ace_error **err)
{
        _cleanup_free_ char *src = xasprintf("%s/rootfs", tree_path);
        _cleanup_free_ char *parent = xstrdup(dest);
        char *slash = strrchr(parent, '/');
        int r;

        if (slash) {
                *slash = '\0';
                r = fs_mkdir_p_at(x->pod->fd, parent, 0755, 0, NULL, err);
                if (r < 0)
                        return r;
        }
        r = fs_copy_tree_at(AT_FDCWD, src, x->pod->fd, dest, 0, err);
        return r < 0 ? ace_error_wrap(err, "copying %s into the pod", src) : 0;
}

static int setup_rootfs(struct prepare_ctx *x, struct ace_error **err)
{
        int r;

        if (x->overlay) {
                if ((r = fs_mkdir_p_at(x->pod->fd, "stage1/rootfs", 0755, 0, NULL, err)) < 0 ||
                    (r = overlay_dirs(x, &x->stage1, "", err)) < 0)
                        return r;
                for (size_t i = 0; i < x->n_apps; i++)
                        if ((r = overlay_dirs(x, &x->apps[i], x->pm->apps.items[i].name, err)) < 0)
                                return r;
                return write_string(x->pod->fd, "overlay-prepared", "", err);
        }
        r = copy_tree(x, x->stage1.tree_path, "stage1/rootfs", err);
        for (size_t i = 0; r >= 0 && i < x->n_apps; i++) {
                _cleanup_free_ char *dest =
                    xasprintf("stage1/rootfs/opt/stage2/%s/rootfs", x->pm->apps.items[i].name);
                r = copy_tree(x, x->apps[i].tree_path, dest, err);
        }
        return r;
}

static int write_pod_files(struct prepare_ctx *x, struct ace_error **err)
{
        _cleanup_free_ char *pm = NULL;
        int r;

        if (mkdirat(x->pod->fd, "stage1", 0750) < 0 || mkdirat(x->pod->fd, "appsinfo", 0750) < 0)
                return ace_error_errno(err, errno, "creating pod %s", x->pod->uuid);
        if ((r = write_manifest_of(x, &x->stage1, "stage1/manifest", err)) < 0 ||
            (r = write_string(x->pod->fd, "stage1TreeStoreID", x->stage1.tree_id, err)) < 0 ||
            (r = write_runtime_config(x, err)) < 0)
                return r;
        for (size_t i = 0; i < x->n_apps; i++)
                if ((r = write_app_info(x, i, err)) < 0)
                        return r;
        if ((r = setup_rootfs(x, err)) < 0)
                return r;
        /* The manifest appears whole: `list` and `status` read it while the pod prepares. */
        pm = ace_pod_manifest_to_json(x->pm, false);
        r = write_string(x->pod->fd, "pod.tmp", pm, err);
        if (r >= 0 && renameat(x->pod->fd, "pod.tmp", x->pod->fd, "pod") < 0)
                r = ace_error_errno(err, errno, "writing pod manifest");
        return r;
}

/* ---- the orchestrator --------------------------------------------------------------------- */

/* A prepare that failed (an image that cannot be found or fetched, a bad manifest, a full disk)
 * leaves nothing behind, as rkt, which fetched before it made a pod: the pod directory (still
 * locked by us, in prepare/) and the --uuid-file-save file naming it go. What cannot be removed
 * stays an aborted prepare for gc (and the error names it). */
static bool discard_failed_pod(struct prepare_ctx *x, const struct run_config *c)
{
        _cleanup_error_ struct ace_error *e = NULL;
        int dirfd = pods_state_fd(x->pod->pods, x->pod->dir);

        if (dirfd < 0 || fs_rm_rf_at(dirfd, x->pod->uuid, FS_RM_MISSING_OK, &e) < 0) {
                log_debug("leaving aborted pod %s to gc: %s", x->pod->uuid, e ? e->msg : "");
                return false;
        }
        if (c->uuid_file_save)
                (void)unlink(c->uuid_file_save);
        return true;
}

int pod_prepare(const struct ace_global *g, const struct run_config *c, struct pods *pods,
                const struct fetch_ui *ui, bool sync, struct pod_prepare_result *ret,
                struct ace_error **err)
{
        struct prepare_ctx x = {.g = g, .c = c, .prepare_lock = -EBADF};
        int r;

        x.data_dir = xstrdup(pods_data_dir(pods));
        r = ace_config_load_global(g, &x.config, err);
        if (r < 0)
                goto out;
        r = pod_create(pods, &x.pod, err);
        if (r < 0)
                goto out;
        /* Right after the UUID exists, as rkt: a supervisor polling the file learns it even
         * if the rest fails. */
        if (c->uuid_file_save && (r = pod_uuid_file_write(c->uuid_file_save, x.pod->uuid, err)) < 0)
                goto out;
        x.overlay = !c->no_overlay && pod_overlay_supported(x.data_dir);
        if ((r = open_store(&x, ui, err)) < 0)
                goto out;
        r = stage1_image_resolve(x.store, &x.fetcher, c, x.config, &x.stage1.id, err);
        if (r >= 0)
                r = load_image(&x, &x.stage1, "stage1", false, err);
        if (r < 0)
                goto out;
        r = c->pod_manifest ? load_user_manifest(&x, err) : generate_manifest(&x, err);
        if (r < 0)
                goto out;
        r = write_pod_files(&x, err);
        if (r >= 0 && sync && syncfs(x.pod->fd) < 0)
                r = ace_error_errno(err, errno, "syncing pod %s", x.pod->uuid);
        if (r < 0)
                goto out;
        ret->pod = TAKE_PTR(x.pod);
        ret->overlay = x.overlay;
out:
        if (r < 0 && x.pod && !discard_failed_pod(&x, c))
                ace_error_wrap(err, "pod %s", x.pod->uuid);
        pod_close(x.pod);
        ctx_done(&x);
        return r;
}
