/*
 * tree.c - the tree store: rendering images with their dependencies into cas/tree/<treeID>,
 * reusing rendered trees, and verifying them (see tree.h).
 *
 * A render happens under the tree's exclusive lock, with every layer image locked shared (so
 * `image rm` cannot pull a blob out from under it). Order inside the tree directory:
 * rootfs/ (layers, lowest first), manifest, layers, image, hash, syncfs, then the `rendered`
 * marker. Without the marker a tree is incomplete: the next render wipes and redoes it, and
 * store_gc_tmp() removes it.
 */
#include "stage0/store/tree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/kv.h"
#include "common/lock.h"
#include "common/strv.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/types.h"
#include "stage0/store/db.h"
#include "stage0/store/internal.h"
#include "stage0/store/layers.h"
#include "stage0/store/treehash.h"

#define TREE_ID_PREFIX "deps-sha512-"

/* ---- dependency resolution from the store ----------------------------------------------- */

struct loaded {
        char *id;
        struct ace_image_manifest *m;
};

struct dep_ctx {
        struct store *s;
        struct loaded *items;
        size_t n, cap;
};

static void dep_ctx_done(struct dep_ctx *c)
{
        for (size_t i = 0; i < c->n; i++) {
                free(c->items[i].id);
                ace_image_manifest_free(c->items[i].m);
        }
        free(c->items);
}

static int load_manifest(struct dep_ctx *c, const char *id, const struct ace_image_manifest **ret,
                         struct ace_error **err)
{
        struct ace_image_manifest *m = NULL;

        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->items[i].id, id) == 0) {
                        *ret = c->items[i].m;
                        return 0;
                }
        int r = store_get_manifest_quiet(c->s, id, &m, err);
        if (r < 0)
                return r;
        c->items = xgrow(c->items, &c->cap, c->n + 1, sizeof(*c->items));
        c->items[c->n++] = (struct loaded){xstrdup(id), m};
        *ret = m;
        return 0;
}

static char *dep_describe(const struct ace_dependency *dep)
{
        _cleanup_free_ char *s = xstrdup(dep->image_name);
        for (size_t i = 0; i < dep->labels.n; i++) {
                char *t =
                    xasprintf("%s,%s=%s", s, dep->labels.items[i].name, dep->labels.items[i].value);
                free(s);
                s = t;
        }
        return TAKE_PTR(s);
}

static int dep_from_store(void *userdata, const char *parent_id, const struct ace_dependency *dep,
                          char **ret_id, const struct ace_image_manifest **ret_manifest,
                          struct ace_error **err)
{
        struct dep_ctx *c = userdata;
        _cleanup_free_ char *desc = dep_describe(dep), *id = NULL;
        const struct ace_image_manifest *m = NULL;
        int r;

        if (dep->image_id) {
                /* An imageID pins the exact image: only that one will do. */
                if (!store_has_image(c->s, dep->image_id))
                        return ace_error_make(err, ENOENT,
                                              "dependency %s (imageID %s) of image %s not found "
                                              "in the store",
                                              desc, dep->image_id, parent_id);
                id = xstrdup(dep->image_id);
        } else {
                r = store_find_by_name(c->s, dep->image_name, &dep->labels, STORE_FIND_HOST_OSARCH,
                                       &id, NULL);
                if (r < 0)
                        return ace_error_make(err, -r,
                                              "dependency %s of image %s not found in the store",
                                              desc, parent_id);
        }
        r = load_manifest(c, id, &m, err);
        if (r < 0)
                return r;
        if (strcmp(m->name, dep->image_name) != 0)
                return ace_error_make(err, EINVAL,
                                      "dependency %s of image %s: image %s is named %s", desc,
                                      parent_id, id, m->name);
        for (size_t i = 0; i < dep->labels.n; i++) {
                const char *v = ace_kv_get(&m->labels, dep->labels.items[i].name);
                if (!v || strcmp(v, dep->labels.items[i].value) != 0)
                        return ace_error_make(
                            err, EINVAL, "dependency %s of image %s: image %s has %s=%s", desc,
                            parent_id, id, dep->labels.items[i].name, v ? v : "(none)");
        }
        *ret_id = TAKE_PTR(id);
        *ret_manifest = m;
        return 0;
}

int store_resolve_layers(struct store *s, const char *id, struct store_layer **ret, size_t *ret_n,
                         struct ace_error **err)
{
        struct dep_ctx c = {.s = s};
        const struct ace_image_manifest *m = NULL;
        int r;

        if (!id || !image_id_valid(id))
                return ace_error_make(err, EINVAL, "invalid image ID \"%s\"", id ? id : "");
        r = load_manifest(&c, id, &m, err);
        if (r >= 0)
                r = layers_resolve(id, m, dep_from_store, &c, ret, ret_n, err);
        dep_ctx_done(&c);
        return r;
}

/* ---- tree IDs and paths -------------------------------------------------------------------- */

char *store_tree_id(char *const *layer_ids, size_t n)
{
        struct hash_sha512 h;
        char hex[HASH_SHA512_HEX_LEN + 1];

        if (hash_sha512_init(&h, NULL) < 0)
                abort(); /* out of memory */
        for (size_t i = 0; i < n; i++) {
                if (i)
                        hash_sha512_update(&h, ",", 1);
                hash_sha512_update(&h, layer_ids[i], strlen(layer_ids[i]));
        }
        if (hash_sha512_final_hex(&h, hex, NULL) < 0)
                abort();
        return xasprintf(TREE_ID_PREFIX "%s", hex);
}

static bool tree_id_valid(const char *t)
{
        size_t pl = strlen(TREE_ID_PREFIX);
        if (!t || strncmp(t, TREE_ID_PREFIX, pl) != 0 || strlen(t) != pl + 128)
                return false;
        for (const char *p = t + pl; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

static int check_tree_id(const char *tree_id, struct ace_error **err)
{
        if (!tree_id_valid(tree_id))
                return ace_error_make(err, EINVAL, "invalid tree store ID \"%s\"",
                                      tree_id ? tree_id : "");
        return 0;
}

int store_tree_path(struct store *s, const char *tree_id, char **ret_path, struct ace_error **err)
{
        int r = check_tree_id(tree_id, err);
        if (r < 0)
                return r;
        *ret_path = xasprintf("%s/tree/%s", s->cas, tree_id);
        return 0;
}

bool store_tree_is_rendered(struct store *s, const char *tree_id)
{
        _cleanup_free_ char *marker = NULL;
        if (!tree_id_valid(tree_id))
                return false;
        marker = xasprintf("%s/rendered", tree_id);
        return faccessat(s->tree_fd, marker, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static char *layer_tree_id(const struct store_layer *layers, size_t n)
{
        _cleanup_free_ char **ids = xcalloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                ids[i] = layers[i].id;
        return store_tree_id(ids, n);
}

/* ---- rendering ----------------------------------------------------------------------------- */

static bool whitelist_filter(void *userdata, const char *path, mode_t type)
{
        return layers_path_allowed(userdata, path, type);
}

static int extract_layer(struct store *s, const struct store_layer *layer, int rootfs_fd,
                         struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        struct tar_extract_opts opts;
        struct tar_result res = {0};
        struct tar_input in;
        int r;

        fd = store_open_blob_quiet(s, layer->id, err);
        if (fd < 0)
                return fd;
        in = tar_input_fd(fd);
        tar_extract_opts_init(&opts);
        opts.flags = TAR_EXTRACT_ROOTFS_ONLY | TAR_EXTRACT_OVERWRITE |
                     (geteuid() != 0 ? TAR_EXTRACT_NO_OWNERS : 0);
        if (layer->n_whitelists) {
                opts.filter = whitelist_filter;
                opts.filter_userdata = (void *)layer;
        }
        r = tar_extract(&in, rootfs_fd, &opts, &res, err);
        if (r < 0)
                return ace_error_wrap(err, "extracting image %s", layer->id);
        /* The extraction re-hashed the blob: a stored blob that changed is not used. */
        if (strcmp(res.image_id, layer->id) != 0)
                r = ace_error_make(err, EBADMSG,
                                   "the stored blob of image %s is corrupt (it hashes to %s)",
                                   layer->id, res.image_id);
        tar_result_done(&res);
        return r;
}

static int write_small(int dirfd, const char *name, const char *data, struct ace_error **err)
{
        _cleanup_close_ int fd =
            openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return ace_error_errno(err, errno, "create %s", name);
        return fs_write_all(fd, data, strlen(data), err);
}

int store_tree_finish(struct store *s, int tree_fd, char *const *layer_ids, size_t n,
                      uint64_t *ret_size, struct ace_error **err)
{
        const char *top = layer_ids[n - 1];
        _cleanup_free_ char *manifest = NULL, *hash = NULL, *list = NULL;
        size_t mlen = 0;
        int r;

        r = store_read_manifest_quiet(s, top, &manifest, &mlen, err);
        if (r < 0)
                return r;
        r = write_small(tree_fd, "manifest", manifest, err);
        if (r < 0)
                return r;
        list = xstrdup("");
        for (size_t i = 0; i < n; i++) {
                char *t = xasprintf("%s%s\n", list, layer_ids[i]);
                free(list);
                list = t;
        }
        r = write_small(tree_fd, "layers", list, err);
        if (r >= 0)
                r = write_small(tree_fd, "image", top, err);
        if (r >= 0)
                r = treehash_compute(tree_fd, &hash, ret_size, err);
        if (r >= 0)
                r = write_small(tree_fd, "hash", hash, err);
        if (r < 0)
                return r;
        /* Everything above must be on disk before the marker says the tree is complete. */
        if (syncfs(tree_fd) < 0)
                return ace_error_errno(err, errno, "sync tree");
        store_test_point("render-hashed");
        return fs_write_file_atomic_at(tree_fd, "rendered", "", 0, 0600, err);
}

static int render_into(struct store *s, const struct store_layer *layers, size_t n,
                       const char *tree_id, int tree_fd, uint64_t *ret_size, struct ace_error **err)
{
        _cleanup_close_ int rootfs_fd = -EBADF;
        _cleanup_free_ char **ids = xcalloc(n, sizeof(char *));
        int r;

        if (mkdirat(tree_fd, "rootfs", 0755) < 0)
                return ace_error_errno(err, errno, "create %s/rootfs", tree_id);
        rootfs_fd = openat(tree_fd, "rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (rootfs_fd < 0)
                return ace_error_errno(err, errno, "open %s/rootfs", tree_id);
        for (size_t i = 0; i < n; i++) {
                r = extract_layer(s, &layers[i], rootfs_fd, err);
                if (r < 0)
                        return r;
                store_test_point("render-layer");
                ids[i] = layers[i].id;
        }
        return store_tree_finish(s, tree_fd, ids, n, ret_size, err);
}

int store_tree_adopt(struct store *s, const char *id, const char *tmp_name, int tmp_fd,
                     struct ace_error **err)
{
        char *ids[] = {(char *)id};
        _cleanup_free_ char *tree_id = store_tree_id(ids, 1);
        int tlock = -EBADF, ilock = -EBADF, r = 0;
        uint64_t size = 0;

        /* Same lock order as a render: the tree, then its image shared. */
        tlock = store_lock_key(s->treelock_fd, tree_id, LOCK_MODE_EXCLUSIVE, 0, "tree lock", err);
        if (tlock < 0)
                return tlock;
        ilock = store_lock_image(s, id, STORE_LOCK_SHARED, err);
        if (ilock < 0) {
                r = ilock;
                goto out;
        }
        if (store_tree_is_rendered(s, tree_id) || !store_has_image(s, id))
                goto out; /* nothing to add (the caller drops its copy) */
        r = store_tree_finish(s, tmp_fd, ids, 1, &size, err);
        if (r >= 0)
                r = fs_rm_rf_at(s->tree_fd, tree_id, FS_RM_MISSING_OK, err);
        if (r >= 0 && renameat(s->tree_fd, tmp_name, s->tree_fd, tree_id) < 0)
                r = ace_error_errno(err, errno, "move the rendered tree of %s in place", id);
        if (r >= 0)
                r = fs_fsync_dir(s->tree_fd, NULL, err);
        if (r >= 0) {
                (void)db_set_tree_size(s->db, id, size, NULL);
                (void)db_set_last_used(s->db, id, store_now(), NULL);
        }
out:
        if (ilock >= 0)
                close(ilock);
        close(tlock);
        return r;
}

/* Under the exclusive tree lock: renders unless already rendered (or always with force). */
static int render_locked(struct store *s, const struct store_layer *layers, size_t n,
                         const char *tree_id, bool force, struct ace_error **err)
{
        _cleanup_close_ int tree_fd = -EBADF;
        uint64_t size = 0;
        int r;

        if (!force && store_tree_is_rendered(s, tree_id))
                return 0;
        r = fs_rm_rf_at(s->tree_fd, tree_id, FS_RM_MISSING_OK, err);
        if (r < 0)
                return ace_error_wrap(err, "removing the old tree %s", tree_id);
        if (mkdirat(s->tree_fd, tree_id, 0700) < 0)
                return ace_error_errno(err, errno, "create tree %s", tree_id);
        tree_fd = openat(s->tree_fd, tree_id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (tree_fd < 0)
                return ace_error_errno(err, errno, "open tree %s", tree_id);
        r = render_into(s, layers, n, tree_id, tree_fd, &size, err);
        if (r < 0) {
                /* Do not leave a half tree taking space (ENOSPC): gc would remove it anyway. */
                closep(&tree_fd);
                (void)fs_rm_rf_at(s->tree_fd, tree_id, FS_RM_MISSING_OK, NULL);
                return ace_error_wrap(err, "rendering image %s", layers[n - 1].id);
        }
        (void)db_set_tree_size(s->db, layers[n - 1].id, size, NULL);
        return 0;
}

/* Locks every distinct layer image shared; fds are appended to *fds. */
static int lock_layers(struct store *s, const struct store_layer *layers, size_t n, int *fds,
                       size_t *n_fds, struct ace_error **err)
{
        for (size_t i = 0; i < n; i++) {
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        seen = seen || strcmp(layers[i].id, layers[j].id) == 0;
                if (seen)
                        continue;
                int fd = store_lock_image(s, layers[i].id, STORE_LOCK_SHARED, err);
                if (fd < 0)
                        return fd;
                fds[(*n_fds)++] = fd;
                /* A removal may have won the race for the lock. */
                if (!store_has_image(s, layers[i].id))
                        return ace_error_make(err, ENOENT, "image %s was removed meanwhile",
                                              layers[i].id);
        }
        return 0;
}

static int render_image(struct store *s, const char *id, bool force, char **ret_tree_id,
                        struct ace_error **err)
{
        struct store_layer *layers = NULL;
        size_t n = 0, n_fds = 0;
        _cleanup_free_ char *tree_id = NULL;
        _cleanup_free_ int *fds = NULL;
        int tlock = -EBADF, r;

        r = store_resolve_layers(s, id, &layers, &n, err);
        if (r < 0)
                return r;
        tree_id = layer_tree_id(layers, n);
        fds = xcalloc(n, sizeof(int));
        tlock = store_lock_key(s->treelock_fd, tree_id, LOCK_MODE_EXCLUSIVE, 0, "tree lock", err);
        if (tlock < 0) {
                r = tlock;
                goto out;
        }
        r = lock_layers(s, layers, n, fds, &n_fds, err);
        if (r >= 0)
                r = render_locked(s, layers, n, tree_id, force, err);
        if (r >= 0) {
                /* One transaction marks every layer used (each one is a commit otherwise). */
                _cleanup_free_ const char **ids = xcalloc(n, sizeof(char *));
                for (size_t i = 0; i < n; i++)
                        ids[i] = layers[i].id;
                (void)db_touch_images(s->db, ids, n, store_now(), NULL);
                *ret_tree_id = TAKE_PTR(tree_id);
        }
out:
        for (size_t i = 0; i < n_fds; i++)
                close(fds[i]);
        if (tlock >= 0)
                close(tlock);
        store_layers_free(layers, n);
        return r;
}

int store_render(struct store *s, const char *id, char **ret_tree_id, char **ret_tree_path,
                 struct ace_error **err)
{
        _cleanup_free_ char *tree_id = NULL;
        int r = render_image(s, id, false, &tree_id, err);
        if (r < 0)
                return r;
        if (ret_tree_path)
                *ret_tree_path = xasprintf("%s/tree/%s", s->cas, tree_id);
        if (ret_tree_id)
                *ret_tree_id = TAKE_PTR(tree_id);
        return 0;
}

/* ---- verification -------------------------------------------------------------------------- */

int store_hash_tree(int tree_dirfd, char **ret_hex, struct ace_error **err)
{
        return treehash_compute(tree_dirfd, ret_hex, NULL, err);
}

static int bad_tree(struct ace_error **err, const char *what)
{
        _cleanup_free_ char *why = xstrdup(err && *err ? ace_error_msg(*err) : "unknown error");
        return ace_error_make(err, EBADMSG, "%s: %s", what, why);
}

static int verify_tree_locked(struct store *s, const char *tree_id, struct ace_error **err)
{
        _cleanup_close_ int tree_fd = -EBADF;
        _cleanup_free_ char *want = NULL, *got = NULL;
        int r;

        if (!store_tree_is_rendered(s, tree_id))
                return ace_error_make(err, ENOENT, "tree %s is not rendered", tree_id);
        tree_fd = openat(s->tree_fd, tree_id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (tree_fd < 0)
                return ace_error_errno(err, errno, "open tree %s", tree_id);
        /* An unreadable hash file or tree counts as a bad tree (EBADMSG): verify repairs it. */
        r = fs_read_file_at(tree_fd, "hash", 4096, &want, NULL, err);
        if (r < 0)
                return bad_tree(err, "cannot read the recorded hash");
        r = treehash_compute(tree_fd, &got, NULL, err);
        if (r < 0)
                return bad_tree(err, "cannot hash the tree");
        if (strcmp(want, got) != 0)
                return ace_error_make(err, EBADMSG,
                                      "the tree hashes to %.16s..., recorded %.16s...", got, want);
        return 0;
}

int store_verify_tree(struct store *s, const char *tree_id, struct ace_error **err)
{
        int lock, r = check_tree_id(tree_id, err);
        if (r < 0)
                return r;
        lock = store_lock_key(s->treelock_fd, tree_id, LOCK_MODE_SHARED, 0, "tree lock", err);
        if (lock < 0)
                return lock;
        r = verify_tree_locked(s, tree_id, err);
        close(lock);
        return r;
}

static int verify_blob(struct store *s, const char *id, struct ace_error **err)
{
        _cleanup_free_ char *name = store_object_name(id);
        char hex[HASH_SHA512_HEX_LEN + 1];
        int lock, r;

        lock = store_lock_image(s, id, STORE_LOCK_SHARED, err);
        if (lock < 0)
                return lock;
        r = hash_file_sha512(s->blob_fd, name, hex, err);
        close(lock);
        if (r < 0)
                return ace_error_wrap(err, "hashing the blob of image %s", id);
        if (strcmp(hex, id + ACE_IMAGE_ID_PREFIX_LEN) != 0)
                return ace_error_make(err, EBADMSG,
                                      "the stored blob of image %s is corrupt (it hashes to "
                                      "sha512-%.32s...)",
                                      id, hex);
        return 0;
}

int store_verify_image(struct store *s, const char *id, bool repair, enum store_verify_result *ret,
                       char **ret_detail, struct ace_error **err)
{
        struct store_layer *layers = NULL;
        size_t n = 0;
        _cleanup_free_ char *tree_id = NULL, *new_id = NULL;
        _cleanup_error_ struct ace_error *bad = NULL;
        int r;

        r = verify_blob(s, id, err);
        if (r < 0)
                return r;
        r = store_resolve_layers(s, id, &layers, &n, err);
        if (r < 0)
                return r;
        tree_id = layer_tree_id(layers, n);
        store_layers_free(layers, n);
        if (!store_tree_is_rendered(s, tree_id)) {
                *ret = STORE_VERIFY_NOT_RENDERED;
                return 0;
        }
        r = store_verify_tree(s, tree_id, &bad);
        if (r == -ENOENT) {
                *ret = STORE_VERIFY_NOT_RENDERED;
                return 0;
        }
        if (r >= 0) {
                *ret = STORE_VERIFY_OK;
                return 0;
        }
        if (r != -EBADMSG) {
                *err = TAKE_PTR(bad);
                return r;
        }
        if (ret_detail)
                *ret_detail = xstrdup(ace_error_msg(bad));
        if (!repair) {
                *ret = STORE_VERIFY_TREE_BAD;
                return 0;
        }
        r = render_image(s, id, true, &new_id, err);
        if (r < 0)
                return ace_error_wrap(err, "repairing the tree of image %s", id);
        *ret = STORE_VERIFY_REPAIRED;
        return 0;
}
