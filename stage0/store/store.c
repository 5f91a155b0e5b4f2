/*
 * store.c - opening the store (layout, permissions, db), object paths, key locks, and the
 * record-level operations: list, get, read manifest/blob, touch, remove, remote info.
 */
#include "stage0/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/kv.h"
#include "common/lock.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/types.h"
#include "stage0/store/db.h"
#include "stage0/store/internal.h"

int64_t store_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- layout ------------------------------------------------------------------------------ */

/* Opens (creating with mode 0700) a directory below dirfd and makes sure it is private:
 * image trees may hold setuid binaries and device nodes (reliability.md T-09). */
static int open_private_dir(int dirfd, const char *name, bool create, struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (create && mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "create store directory %s", name);
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return ace_error_errno(err, errno, "open store directory %s", name);
        if (fstat(fd, &st) < 0)
                return ace_error_errno(err, errno, "stat store directory %s", name);
        if ((st.st_mode & 077) && fchmod(fd, 0700) < 0)
                return ace_error_errno(err, errno, "make store directory %s private", name);
        return TAKE_FD(fd);
}

static char *absolute_dir(const char *dir)
{
        char buf[PATH_MAX];
        _cleanup_free_ char *cwd = NULL;

        /* rkt resolves symlinks of the data dir when it exists (calculateDataDir). */
        if (realpath(dir, buf))
                return xstrdup(buf);
        if (dir[0] == '/')
                return xstrdup(dir);
        cwd = getcwd(NULL, 0);
        return cwd ? xasprintf("%s/%s", cwd, dir) : xstrdup(dir);
}

/* mkdir -p of the data dir itself (0700 for what we create). Unlike paths inside images, the
 * data dir is the administrator's: symlinks on the way are followed. Errors surface at the
 * open that follows. */
static void mkdir_parents(const char *dir)
{
        _cleanup_free_ char *p = xstrdup(dir);

        for (char *c = p + 1; *c; c++) {
                if (*c != '/')
                        continue;
                *c = '\0';
                (void)mkdir(p, 0700);
                *c = '/';
        }
        (void)mkdir(p, 0700);
}

static int open_layout(struct store *s, bool create, struct ace_error **err)
{
        static const struct {
                const char *path;
                size_t offset;
        } dirs[] = {
            {"blob", 0},
            {"blob/sha512", offsetof(struct store, blob_fd)},
            {"imageManifest", 0},
            {"imageManifest/sha512", offsetof(struct store, manifest_fd)},
            {"db", 0},
            {"tmp", offsetof(struct store, tmp_fd)},
            {"tree", offsetof(struct store, tree_fd)},
            {"imagelocks", offsetof(struct store, imagelock_fd)},
            {"treestorelocks", offsetof(struct store, treelock_fd)},
        };
        int fd;

        if (create)
                mkdir_parents(s->dir);
        s->dir_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dir_fd < 0)
                return ace_error_errno(err, errno, "open data directory %s", s->dir);
        if (!create && faccessat(s->dir_fd, "cas/db/ace.db", F_OK, 0) < 0)
                return ace_error_errno(err, errno, "no image store in %s", s->dir);
        s->cas_fd = open_private_dir(s->dir_fd, "cas", create, err);
        if (s->cas_fd < 0)
                return s->cas_fd;
        s->locks_fd = open_private_dir(s->dir_fd, "locks", create, err);
        if (s->locks_fd < 0)
                return s->locks_fd;
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                fd = open_private_dir(s->cas_fd, dirs[i].path, create, err);
                if (fd < 0)
                        return ace_error_wrap(err, "store %s", s->cas);
                if (dirs[i].offset)
                        *(int *)((char *)s + dirs[i].offset) = fd;
                else
                        close(fd);
        }
        return 0;
}

int store_open(const char *dir, unsigned flags, struct store **ret, struct ace_error **err)
{
        struct store *s = xcalloc(1, sizeof(*s));
        bool create = !(flags & STORE_OPEN_NO_CREATE);
        _cleanup_free_ char *dbpath = NULL;
        int r;

        s->dir_fd = s->cas_fd = s->blob_fd = s->manifest_fd = s->tmp_fd = -EBADF;
        s->tree_fd = s->imagelock_fd = s->treelock_fd = s->locks_fd = -EBADF;
        if (!dir || !*dir) {
                free(s);
                return ace_error_make(err, EINVAL, "data directory cannot be empty");
        }
        s->dir = absolute_dir(dir);
        s->cas = xasprintf("%s/cas", s->dir);
        r = open_layout(s, create, err);
        if (r >= 0) {
                dbpath = xasprintf("%s/db/ace.db", s->cas);
                r = db_open(dbpath, create, &s->db, err);
        }
        if (r < 0) {
                store_close(s);
                return r;
        }
        *ret = s;
        return 0;
}

void store_close(struct store *s)
{
        if (!s)
                return;
        db_close(s->db);
        int *fds[] = {&s->dir_fd,  &s->cas_fd,       &s->blob_fd,     &s->manifest_fd, &s->tmp_fd,
                      &s->tree_fd, &s->imagelock_fd, &s->treelock_fd, &s->locks_fd};
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                closep(fds[i]);
        free(s->dir);
        free(s->cas);
        free(s);
}

const char *store_data_dir(const struct store *s)
{
        return s->dir;
}

const char *store_cas_dir(const struct store *s)
{
        return s->cas;
}

int store_cas_fd(const struct store *s)
{
        return s->cas_fd;
}

char *store_object_name(const char *id)
{
        return xasprintf("%.2s/%s", id + ACE_IMAGE_ID_PREFIX_LEN, id);
}

int store_object_dir(int dirfd, const char *id, struct ace_error **err)
{
        char hh[3] = {id[ACE_IMAGE_ID_PREFIX_LEN], id[ACE_IMAGE_ID_PREFIX_LEN + 1], '\0'};
        if (mkdirat(dirfd, hh, 0700) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "create store directory %s", hh);
        return 0;
}

/* ---- locks -------------------------------------------------------------------------------- */

int store_lock_key(int dirfd, const char *name, enum lock_mode mode, unsigned flags,
                   const char *what, struct ace_error **err)
{
        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                struct stat held, now;

                fd = lock_acquire_at(dirfd, name, mode, (flags & LOCK_NONBLOCK) | LOCK_CREATE, what,
                                     err);
                if (fd < 0)
                        return fd;
                if (fstat(fd, &held) < 0)
                        return ace_error_errno(err, errno, "stat %s %s", what, name);
                if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
                    now.st_ino == held.st_ino && now.st_dev == held.st_dev)
                        return TAKE_FD(fd);
                /* Removed (and maybe recreated) while we waited: lock the current file. */
        }
}

void store_unlock_remove_key(int dirfd, const char *name, int fd)
{
        if (fd < 0)
                return;
        (void)unlinkat(dirfd, name, 0);
        close(fd);
}

static int check_full_id(const char *id, struct ace_error **err)
{
        if (!id || !image_id_valid(id))
                return ace_error_make(err, EINVAL, "invalid image ID \"%s\"", id ? id : "");
        return 0;
}

int store_lock_image(struct store *s, const char *id, enum store_lock_mode mode,
                     struct ace_error **err)
{
        int r = check_full_id(id, err);
        if (r < 0)
                return r;
        return store_lock_key(s->imagelock_fd, id,
                              mode == STORE_LOCK_EXCLUSIVE ? LOCK_MODE_EXCLUSIVE : LOCK_MODE_SHARED,
                              0, "image lock", err);
}

int store_lock_prepare(struct store *s, enum store_lock_mode mode, struct ace_error **err)
{
        return lock_acquire_at(s->locks_fd, "prepare",
                               mode == STORE_LOCK_EXCLUSIVE ? LOCK_MODE_EXCLUSIVE
                                                            : LOCK_MODE_SHARED,
                               LOCK_CREATE, "prepare lock", err);
}

/* ---- host --------------------------------------------------------------------------------- */

const char *store_host_os(void)
{
        return "linux";
}

const char *store_host_arch(void)
{
        /* uname machine -> appc arch label (appc.md §3 ValidOSArch for linux). */
        static const struct {
                const char *machine, *arch;
        } table[] = {
            {"aarch64", "aarch64"}, {"aarch64_be", "aarch64_be"},
            {"armv6l", "armv6l"},   {"armv7b", "armv7b"},
            {"armv7l", "armv7l"},   {"i386", "i386"},
            {"i486", "i386"},       {"i586", "i386"},
            {"i686", "i386"},       {"ppc64", "ppc64"},
            {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
            {"x86_64", "amd64"},
        };
        struct utsname u;

        if (uname(&u) == 0)
                for (size_t i = 0; i < ARRAY_SIZE(table); i++)
                        if (strcmp(u.machine, table[i].machine) == 0)
                                return table[i].arch;
#if defined(__x86_64__)
        return "amd64";
#elif defined(__aarch64__)
        return "aarch64";
#else
        return "unknown";
#endif
}

/* ---- records ------------------------------------------------------------------------------ */

struct store_image *store_image_from_db(const struct db_image *row)
{
        struct store_image *img = xcalloc(1, sizeof(*img));

        img->id = xstrdup(row->id);
        img->name = xstrdup(row->name);
        img->labels = xcalloc(1, sizeof(*img->labels));
        for (size_t i = 0; i < row->n_labels; i++)
                ace_kv_append(img->labels, row->labels[i].name, row->labels[i].value);
        img->import_time = row->import_time;
        img->last_used = row->last_used;
        img->size = row->size;
        img->tree_size = row->tree_size;
        img->latest = row->latest;
        return img;
}

static void store_image_done(struct store_image *img)
{
        free(img->id);
        free(img->name);
        if (img->labels) {
                ace_kv_list_clear(img->labels);
                free(img->labels);
        }
        *img = (struct store_image){0};
}

void store_image_free(struct store_image *img)
{
        if (!img)
                return;
        store_image_done(img);
        free(img);
}

void store_image_list_free(struct store_image *imgs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                store_image_done(&imgs[i]);
        free(imgs);
}

const char *store_image_label(const struct store_image *img, const char *name)
{
        return img->labels ? ace_kv_get(img->labels, name) : NULL;
}

int store_list_images(struct store *s, struct store_image **ret, size_t *ret_n,
                      struct ace_error **err)
{
        struct db_image *rows = NULL;
        size_t n = 0;
        int r = db_list_images(s->db, &rows, &n, err);
        if (r < 0)
                return r;
        struct store_image *imgs = xcalloc(n ? n : 1, sizeof(*imgs));
        for (size_t i = 0; i < n; i++) {
                struct store_image *one = store_image_from_db(&rows[i]);
                imgs[i] = *one;
                free(one);
                db_image_done(&rows[i]);
        }
        free(rows);
        *ret = imgs;
        *ret_n = n;
        return 0;
}

int store_get_image(struct store *s, const char *id, struct store_image **ret,
                    struct ace_error **err)
{
        struct db_image row = {0};
        int r = check_full_id(id, err);
        if (r < 0)
                return r;
        r = db_get_image(s->db, id, &row, err);
        if (r < 0)
                return r;
        *ret = store_image_from_db(&row);
        db_image_done(&row);
        return 0;
}

bool store_has_image(struct store *s, const char *id)
{
        struct db_image row = {0};
        if (!id || !image_id_valid(id) || db_get_image(s->db, id, &row, NULL) < 0)
                return false;
        db_image_done(&row);
        return true;
}

int store_touch_image(struct store *s, const char *id, struct ace_error **err)
{
        return db_set_last_used(s->db, id, store_now(), err);
}

int store_read_manifest_quiet(struct store *s, const char *id, char **ret_buf, size_t *ret_len,
                              struct ace_error **err)
{
        _cleanup_free_ char *name = NULL;
        int r = check_full_id(id, err);
        if (r < 0)
                return r;
        name = store_object_name(id);
        r = fs_read_file_at(s->manifest_fd, name, ACE_MANIFEST_MAX_SIZE, ret_buf, ret_len, err);
        if (r < 0)
                return ace_error_wrap(err, "reading the manifest of image %s", id);
        return 0;
}

int store_get_manifest_quiet(struct store *s, const char *id, struct ace_image_manifest **ret,
                             struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = store_read_manifest_quiet(s, id, &buf, &len, err);
        if (r < 0)
                return r;
        r = ace_image_manifest_parse(buf, len, ret, err);
        if (r < 0)
                return ace_error_wrap(err, "the stored manifest of image %s", id);
        return 0;
}

int store_read_manifest(struct store *s, const char *id, char **ret_buf, size_t *ret_len,
                        struct ace_error **err)
{
        int r = store_read_manifest_quiet(s, id, ret_buf, ret_len, err);
        /* rkt updates lastused on reads; a failure to do so must not fail the read. */
        if (r >= 0)
                (void)store_touch_image(s, id, NULL);
        return r;
}

int store_get_manifest(struct store *s, const char *id, struct ace_image_manifest **ret,
                       struct ace_error **err)
{
        int r = store_get_manifest_quiet(s, id, ret, err);
        if (r >= 0)
                (void)store_touch_image(s, id, NULL);
        return r;
}

int store_open_blob_quiet(struct store *s, const char *id, struct ace_error **err)
{
        _cleanup_free_ char *name = NULL;
        int fd, r = check_full_id(id, err);
        if (r < 0)
                return r;
        name = store_object_name(id);
        fd = openat(s->blob_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return ace_error_errno(err, errno, "open the blob of image %s", id);
        return fd;
}

int store_open_blob(struct store *s, const char *id, struct ace_error **err)
{
        int fd = store_open_blob_quiet(s, id, err);
        if (fd >= 0)
                (void)store_touch_image(s, id, NULL);
        return fd;
}

/* ---- removal ------------------------------------------------------------------------------ */

int store_remove_image(struct store *s, const char *id, struct ace_error **err)
{
        _cleanup_free_ char *name = NULL;
        int lock, r;

        r = check_full_id(id, err);
        if (r < 0)
                return r;
        lock = store_lock_image(s, id, STORE_LOCK_EXCLUSIVE, err);
        if (lock < 0)
                return lock;
        /* Row first: once it is gone the image is invisible; a crash before the files are
         * unlinked leaves an orphan blob that store_gc_tmp() removes. */
        r = db_delete_image(s->db, id, err);
        if (r < 0) {
                close(lock);
                return r;
        }
        name = store_object_name(id);
        if (unlinkat(s->manifest_fd, name, 0) < 0 && errno != ENOENT)
                r = ace_error_errno(err, errno, "remove the manifest of image %s", id);
        if (unlinkat(s->blob_fd, name, 0) < 0 && errno != ENOENT)
                r = ace_error_errno(err, errno, "remove the blob of image %s", id);
        store_unlock_remove_key(s->imagelock_fd, id, lock);
        return r;
}

/* ---- remotes ------------------------------------------------------------------------------ */

void store_remote_free(struct store_remote *r)
{
        if (!r)
                return;
        free(r->url);
        free(r->sig_url);
        free(r->etag);
        free(r->blob_id);
        free(r);
}

int store_get_remote(struct store *s, const char *url, struct store_remote **ret,
                     struct ace_error **err)
{
        struct db_remote row = {0};
        int r = db_get_remote(s->db, url, &row, err);
        if (r < 0)
                return r;
        struct store_remote *rem = xcalloc(1, sizeof(*rem));
        *rem = (struct store_remote){row.url,           row.sig_url,       row.etag,
                                     row.cache_max_age, row.download_time, row.blob_id};
        *ret = rem;
        return 0;
}

int store_put_remote(struct store *s, const struct store_remote *rem, struct ace_error **err)
{
        if (!rem->url || !*rem->url)
                return ace_error_make(err, EINVAL, "remote record without a URL");
        int r = check_full_id(rem->blob_id, err);
        if (r < 0)
                return r;
        struct db_remote row = {(char *)rem->url,   (char *)rem->sig_url, (char *)rem->etag,
                                rem->cache_max_age, rem->download_time,   (char *)rem->blob_id};
        return db_put_remote(s->db, &row, err);
}
