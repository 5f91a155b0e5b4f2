/*
 * gc.c - `ace image gc` and the crash-recovery sweep (see gc.h).
 *
 * Every removal takes the object's lock first, non-blocking where a live operation may hold
 * it (an import committing, a render in progress): busy objects are skipped, never waited
 * on and never broken. The db is the source of truth: a blob or manifest without a row is
 * garbage, a row without its blob is dropped, a tree without its `rendered` marker is
 * garbage.
 */
#include "stage0/store/gc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/types.h"
#include "stage0/store/db.h"
#include "stage0/store/internal.h"
#include "stage0/store/tree.h"

void store_gc_report_free(struct store_gc_report *r)
{
        if (!r)
                return;
        strv_free(r->removed_trees);
        strv_free(r->removed_images);
        strv_free(r->kept_images);
        strv_free(r->errors);
        *r = (struct store_gc_report){0};
}

static void report_error(struct store_gc_report *rep, struct ace_error **e)
{
        if (rep)
                rep->errors = strv_push(rep->errors, ace_error_msg(*e));
        ace_error_freep(e);
}

/* Entry names of a directory (no "." / ".."), sorted. */
static int list_dir(int dirfd, const char *path, char ***ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **names = xcalloc(1, sizeof(char *));
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0) {
                if (errno == ENOENT) {
                        *ret = TAKE_PTR(names);
                        return 0;
                }
                return ace_error_errno(err, errno, "open directory %s", path);
        }
        d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                return ace_error_errno(err, e, "open directory %s", path);
        }
        errno = 0;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        names = strv_push(names, de->d_name);
        if (errno)
                return ace_error_errno(err, errno, "read directory %s", path);
        strv_sort(names);
        *ret = TAKE_PTR(names);
        return 0;
}

/* ---- pod references ------------------------------------------------------------------------ */

static const char *const pod_states[] = {"embryo", "prepare", "prepared", "run", "exited-garbage"};

static void add_unique(char ***v, const char *s)
{
        if (!strv_contains(*v, s))
                *v = strv_push(*v, s);
}

static void read_id_file(int dirfd, const char *path, char ***ids)
{
        _cleanup_free_ char *buf = NULL;
        if (fs_read_file_at(dirfd, path, 4096, &buf, NULL, NULL) < 0)
                return;
        buf[strcspn(buf, "\n")] = '\0';
        if (*buf)
                add_unique(ids, buf);
}

static void pod_manifest_images(int pod_fd, char ***images, char ***errors, const char *where)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ struct json_object *root = NULL;
        struct json_object *apps = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        size_t len = 0;

        if (fs_read_file_at(pod_fd, "pod", 16 << 20, &buf, &len, &e) < 0) {
                if (e && e->code != ENOENT && errors)
                        *errors =
                            strv_push_take(*errors, xasprintf("%s: %s", where, ace_error_msg(e)));
                return;
        }
        if (json_parse_object(buf, len, ACE_JSON_MAX_DEPTH, &root, &e) < 0) {
                if (errors)
                        *errors = strv_push_take(*errors,
                                                 xasprintf("%s/pod: %s", where, ace_error_msg(e)));
                return;
        }
        /* Only apps[].image.id matters here; the pod code validates the rest. */
        if (!json_object_object_get_ex(root, "apps", &apps) ||
            !json_object_is_type(apps, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(apps); i++) {
                struct json_object *app = json_object_array_get_idx(apps, i), *img, *id;
                if (json_object_object_get_ex(app, "image", &img) &&
                    json_object_object_get_ex(img, "id", &id) &&
                    json_object_is_type(id, json_type_string) &&
                    image_id_valid(json_object_get_string(id)))
                        add_unique(images, json_object_get_string(id));
        }
}

int store_pod_references(const char *dir, char ***ret_image_ids, char ***ret_tree_ids,
                         char ***ret_errors, struct ace_error **err)
{
        _cleanup_strv_free_ char **images = xcalloc(1, sizeof(char *));
        _cleanup_strv_free_ char **trees = xcalloc(1, sizeof(char *));
        _cleanup_close_ int pods_fd = -EBADF;
        char **errors = ret_errors ? xcalloc(1, sizeof(char *)) : NULL;

        _cleanup_free_ char *pods = xasprintf("%s/pods", dir);
        pods_fd = open(pods, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        for (size_t s = 0; pods_fd >= 0 && s < ARRAY_SIZE(pod_states); s++) {
                _cleanup_strv_free_ char **uuids = NULL;
                if (list_dir(pods_fd, pod_states[s], &uuids, NULL) < 0)
                        continue;
                for (char **u = uuids; *u; u++) {
                        _cleanup_free_ char *where = xasprintf("pods/%s/%s", pod_states[s], *u);
                        _cleanup_strv_free_ char **apps = NULL;
                        _cleanup_close_ int pod_fd = openat(
                            pods_fd, where + 5, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (pod_fd < 0)
                                continue; /* gone meanwhile */
                        read_id_file(pod_fd, "stage1TreeStoreID", &trees);
                        if (list_dir(pod_fd, "appsinfo", &apps, NULL) >= 0)
                                for (char **a = apps; *a; a++) {
                                        _cleanup_free_ char *p =
                                            xasprintf("appsinfo/%s/treeStoreID", *a);
                                        read_id_file(pod_fd, p, &trees);
                                }
                        pod_manifest_images(pod_fd, &images, ret_errors ? &errors : NULL, where);
                }
        }
        if (pods_fd < 0 && errno != ENOENT) {
                strv_free(errors);
                return ace_error_errno(err, errno, "open %s", pods);
        }
        strv_sort(images);
        strv_sort(trees);
        *ret_image_ids = TAKE_PTR(images);
        *ret_tree_ids = TAKE_PTR(trees);
        if (ret_errors)
                *ret_errors = errors;
        return 0;
}

/* ---- trees --------------------------------------------------------------------------------- */

static bool tree_name_valid(const char *name)
{
        return strncmp(name, "deps-sha512-", 12) == 0 && strlen(name) == 12 + 128 &&
               strspn(name + 12, "0123456789abcdef") == 128;
}

/* Removes a tree whose exclusive lock we can get now; the marker goes first so a crash
 * halfway leaves an incomplete (unrendered) tree, never a damaged "rendered" one. */
static int remove_tree(struct store *s, const char *tree_id, bool *ret_busy, struct ace_error **err)
{
        _cleanup_free_ char *marker = xasprintf("%s/rendered", tree_id);
        int lock, r;

        *ret_busy = false;
        lock = store_lock_key(s->treelock_fd, tree_id, LOCK_MODE_EXCLUSIVE, LOCK_NONBLOCK,
                              "tree lock", err);
        if (lock == -EWOULDBLOCK) {
                ace_error_freep(err);
                *ret_busy = true;
                return 0;
        }
        if (lock < 0)
                return lock;
        /* Its top image no longer has a tree to count in its size. */
        _cleanup_free_ char *image_file = xasprintf("%s/image", tree_id), *top = NULL;
        if (fs_read_file_at(s->tree_fd, image_file, 4096, &top, NULL, NULL) >= 0 &&
            image_id_valid(top))
                (void)db_set_tree_size(s->db, top, 0, NULL);
        if (unlinkat(s->tree_fd, marker, 0) < 0 && errno != ENOENT && errno != ENOTDIR) {
                r = ace_error_errno(err, errno, "remove %s", marker);
                close(lock);
                return r;
        }
        r = fs_rm_rf_at(s->tree_fd, tree_id, FS_RM_MISSING_OK, err);
        if (r < 0) {
                close(lock);
                return ace_error_wrap(err, "removing tree %s", tree_id);
        }
        store_unlock_remove_key(s->treelock_fd, tree_id, lock);
        return 0;
}

static void tree_layers(struct store *s, const char *tree_id, char ***images)
{
        _cleanup_free_ char *path = xasprintf("%s/layers", tree_id), *buf = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        if (fs_read_file_at(s->tree_fd, path, 1 << 20, &buf, NULL, NULL) < 0)
                return;
        lines = strv_split(buf, "\n", false);
        for (char **l = lines; *l; l++)
                if (image_id_valid(*l))
                        add_unique(images, *l);
}

/* ---- the crash sweep ------------------------------------------------------------------------ */

/* Takes an exclusive lock on dirfd/name now or reports why not: -EWOULDBLOCK when someone
 * holds it (an error object is needed: wrapping functions lose the code without one). */
static int try_lock(int dirfd, const char *name, unsigned flags)
{
        _cleanup_error_ struct ace_error *e = NULL;
        int fd = lock_acquire_at(dirfd, name, LOCK_MODE_EXCLUSIVE, flags | LOCK_NONBLOCK, NULL, &e);
        return fd >= 0 ? fd : e ? -e->code : fd;
}

static int try_lock_image(struct store *s, const char *id)
{
        int fd =
            store_lock_key(s->imagelock_fd, id, LOCK_MODE_EXCLUSIVE, LOCK_NONBLOCK, NULL, NULL);
        return fd;
}

/* Temp files of dead imports (named ones are flock'ed while alive). */
static void sweep_tmp(struct store *s, struct store_gc_report *rep)
{
        _cleanup_strv_free_ char **names = NULL;
        if (list_dir(s->tmp_fd, ".", &names, NULL) < 0)
                return;
        for (char **n = names; *n; n++) {
                _cleanup_error_ struct ace_error *e = NULL;
                int fd = try_lock(s->tmp_fd, *n, 0);
                if (fd == -EISDIR)
                        fd = try_lock(s->tmp_fd, *n, LOCK_DIRECTORY);
                if (fd < 0 && fd != -ELOOP)
                        continue; /* busy (a live import) or vanished */
                if (fd >= 0)
                        close(fd);
                if (fs_rm_rf_at(s->tmp_fd, *n, FS_RM_MISSING_OK, &e) < 0)
                        report_error(rep, &e);
                else if (rep)
                        rep->removed_tmp++;
        }
}

/* Blob or manifest files without a row; `<id>.tmp` leftovers of manifest writes. */
static void sweep_objects(struct store *s, int dirfd, struct store_gc_report *rep)
{
        _cleanup_strv_free_ char **hhs = NULL;
        if (list_dir(dirfd, ".", &hhs, NULL) < 0)
                return;
        for (char **hh = hhs; *hh; hh++) {
                _cleanup_strv_free_ char **files = NULL;
                if (list_dir(dirfd, *hh, &files, NULL) < 0)
                        continue;
                for (char **f = files; *f; f++) {
                        _cleanup_free_ char *path = xasprintf("%s/%s", *hh, *f);
                        char id[ACE_IMAGE_ID_LEN + 1];
                        size_t l = strlen(*f);
                        bool tmp = l > 4 && strcmp(*f + l - 4, ".tmp") == 0;

                        snprintf(id, sizeof(id), "%.*s", (int)(tmp ? l - 4 : l), *f);
                        if (image_id_valid(id) && strncmp(id + 7, *hh, 2) == 0) {
                                int lock = try_lock_image(s, id);
                                if (lock < 0)
                                        continue; /* a live import or removal owns it */
                                bool orphan = tmp || !store_has_image(s, id);
                                if (orphan && unlinkat(dirfd, path, 0) == 0 && rep)
                                        rep->removed_tmp++;
                                close(lock);
                                continue;
                        }
                        /* Not a name the store writes: nothing can be using it. */
                        if (fs_rm_rf_at(dirfd, path, FS_RM_MISSING_OK, NULL) == 0 && rep)
                                rep->removed_tmp++;
                }
        }
}

/* Rows whose blob is gone (the blob is the truth about content). */
static void sweep_rows(struct store *s, struct store_gc_report *rep)
{
        struct db_image *rows = NULL;
        size_t n = 0;
        if (db_list_images(s->db, &rows, &n, NULL) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *name = store_object_name(rows[i].id);
                if (faccessat(s->blob_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                        continue;
                int lock = try_lock_image(s, rows[i].id);
                if (lock < 0)
                        continue;
                if (faccessat(s->blob_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
                    db_delete_image(s->db, rows[i].id, NULL) == 0) {
                        (void)unlinkat(s->manifest_fd, name, 0);
                        if (rep)
                                rep->removed_tmp++;
                }
                close(lock);
        }
        for (size_t i = 0; i < n; i++)
                db_image_done(&rows[i]);
        free(rows);
}

/* Trees without their marker, and names that are not trees. */
static void sweep_trees(struct store *s, struct store_gc_report *rep)
{
        _cleanup_strv_free_ char **names = NULL;
        if (list_dir(s->tree_fd, ".", &names, NULL) < 0)
                return;
        for (char **n = names; *n; n++) {
                _cleanup_error_ struct ace_error *e = NULL;
                bool busy = false;
                if (tree_name_valid(*n) && store_tree_is_rendered(s, *n))
                        continue;
                if (!tree_name_valid(*n)) {
                        /* An import's pre-render (.import-*) is flock'ed while alive. */
                        int fd = try_lock(s->tree_fd, *n, LOCK_DIRECTORY);
                        if (fd == -EWOULDBLOCK)
                                continue;
                        if (fd >= 0)
                                close(fd);
                        if (fs_rm_rf_at(s->tree_fd, *n, FS_RM_MISSING_OK, &e) < 0)
                                report_error(rep, &e);
                        else if (rep)
                                rep->removed_tmp++;
                        continue;
                }
                if (remove_tree(s, *n, &busy, &e) < 0)
                        report_error(rep, &e);
                else if (!busy && rep)
                        rep->removed_tmp++;
        }
}

/* Lock files of objects that no longer exist. */
static void sweep_locks(struct store *s, int lockdir, bool trees)
{
        _cleanup_strv_free_ char **names = NULL;
        if (list_dir(lockdir, ".", &names, NULL) < 0)
                return;
        for (char **n = names; *n; n++) {
                bool exists;
                if (trees) {
                        exists = tree_name_valid(*n) &&
                                 faccessat(s->tree_fd, *n, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
                } else {
                        exists = image_id_valid(*n) && store_has_image(s, *n);
                }
                if (exists)
                        continue;
                int fd =
                    store_lock_key(lockdir, *n, LOCK_MODE_EXCLUSIVE, LOCK_NONBLOCK, NULL, NULL);
                if (fd >= 0)
                        store_unlock_remove_key(lockdir, *n, fd);
        }
}

int store_gc_tmp(struct store *s, struct store_gc_report *report, struct ace_error **err)
{
        (void)err;
        sweep_tmp(s, report);
        sweep_objects(s, s->blob_fd, report);
        sweep_objects(s, s->manifest_fd, report);
        sweep_rows(s, report);
        sweep_trees(s, report);
        sweep_locks(s, s->imagelock_fd, false);
        sweep_locks(s, s->treelock_fd, true);
        return 0;
}

/* ---- image gc ------------------------------------------------------------------------------- */

static int gc_trees(struct store *s, char **ref_trees, char ***keep_images,
                    struct store_gc_report *rep, struct ace_error **err)
{
        _cleanup_strv_free_ char **names = NULL;
        int r = list_dir(s->tree_fd, ".", &names, err);
        if (r < 0)
                return r;
        for (char **n = names; *n; n++) {
                _cleanup_error_ struct ace_error *e = NULL;
                bool busy = false;
                if (!tree_name_valid(*n))
                        continue; /* the sweep handles those */
                if (strv_contains(ref_trees, *n)) {
                        tree_layers(s, *n, keep_images);
                        continue;
                }
                if (remove_tree(s, *n, &busy, &e) < 0)
                        report_error(rep, &e);
                else if (!busy)
                        rep->removed_trees = strv_push(rep->removed_trees, *n);
        }
        return 0;
}

static int gc_images(struct store *s, int64_t grace_ns, char **keep, struct store_gc_report *rep,
                     struct ace_error **err)
{
        struct db_image *rows = NULL;
        size_t n = 0;
        int64_t now = store_now();
        int r = db_list_images(s->db, &rows, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_error_ struct ace_error *e = NULL;
                if (now - rows[i].last_used <= grace_ns)
                        continue;
                if (strv_contains(keep, rows[i].id)) {
                        rep->kept_images = strv_push(rep->kept_images, rows[i].id);
                        continue;
                }
                if (store_remove_image(s, rows[i].id, &e) < 0)
                        report_error(rep, &e);
                else
                        rep->removed_images = strv_push(rep->removed_images, rows[i].id);
        }
        for (size_t i = 0; i < n; i++)
                db_image_done(&rows[i]);
        free(rows);
        return 0;
}

int store_gc(struct store *s, int64_t grace_ns, struct store_gc_report *rep, struct ace_error **err)
{
        _cleanup_strv_free_ char **ref_images = NULL, **ref_trees = NULL, **pod_errors = NULL;
        _cleanup_strv_free_ char **keep = NULL;
        _cleanup_close_ int prepare = -EBADF;
        int r;

        rep->removed_trees = xcalloc(1, sizeof(char *));
        rep->removed_images = xcalloc(1, sizeof(char *));
        rep->kept_images = xcalloc(1, sizeof(char *));
        rep->errors = xcalloc(1, sizeof(char *));
        /* Exclusive: no prepare/run is between rendering a tree and recording it in its pod
         * dir while we decide what is unreferenced. */
        prepare = store_lock_prepare(s, STORE_LOCK_EXCLUSIVE, err);
        if (prepare < 0)
                return ace_error_wrap(err, "cannot get exclusive prepare lock");
        r = store_pod_references(s->dir, &ref_images, &ref_trees, &pod_errors, err);
        if (r < 0)
                return ace_error_wrap(err, "cannot get the images and trees pods use");
        for (char **e = pod_errors; e && *e; e++)
                rep->errors = strv_push(rep->errors, *e);
        keep = strv_copy(ref_images);
        store_test_point("gc-listed");
        r = gc_trees(s, ref_trees, &keep, rep, err);
        if (r < 0)
                return r;
        r = gc_images(s, grace_ns, keep, rep, err);
        if (r < 0)
                return r;
        return store_gc_tmp(s, rep, err);
}
