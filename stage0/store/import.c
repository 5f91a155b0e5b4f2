/*
 * import.c - one streaming pass from an ACI (compressed or not) to a stored image (see
 * import.h). The order of the commit is what keeps the store consistent after kill -9:
 *
 *   1. the uncompressed tar is teed into an unnamed temp file (O_TMPFILE in cas/tmp: a
 *      crash leaves nothing) while common/tar.h decompresses, hashes and validates it;
 *   2. the manifest is parsed and the ID checked against expected_id: nothing visible yet;
 *   3. under the image's exclusive lock: fsync the blob, link it to blob/sha512/<hh>/<id>
 *      (atomic: the name appears complete or not at all), fsync the directory;
 *   4. write the manifest file (tmp + fsync + rename);
 *   5. commit the db row (+ labels, + remote) in one transaction.
 *
 * A crash after 3 or 4 leaves a blob/manifest without a row: invisible, and removed by
 * store_gc_tmp(). A failure after 3 (ENOSPC in the db) removes what this import created.
 */
#include "stage0/store/import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/kv.h"
#include "common/lock.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/types.h"
#include "stage0/store/db.h"
#include "stage0/store/decompress.h"
#include "stage0/store/internal.h"

/* Tee writes are gathered into chunks of this size: fewer syscalls than libarchive's blocks. */
#define BLOB_BUF_SIZE (1024 * 1024)
/* Start writeback of the blob every this many bytes so the final fsync has little left. */
#define BLOB_FLUSH_EVERY (16 * 1024 * 1024)

struct store_import {
        struct store *s;
        const struct store_import_opts *opts;
        int blob_fd;
        char *tmp_name; /* named temp file (no O_TMPFILE support), else NULL */
        int tmp_lock;   /* flock on the named temp file, so gc leaves it alone */
        char *buf;
        size_t buf_len;
        uint64_t written, flushed;
        struct store_unpacker *unpacker; /* the push-style pipeline */
        char *tree_tmp; /* cas/tree/<tree_tmp>: the pre-render (opts->render), flock'ed */
        int tree_tmp_fd;
        int rootfs_fd;
        struct tar_result res;
        struct ace_image_manifest *manifest;
        struct store_import_result result;
        bool finished;
        bool failed;
};

static int blob_flush(struct store_import *imp, struct ace_error **err)
{
        int r;

        if (imp->buf_len == 0)
                return 0;
        r = fs_write_all(imp->blob_fd, imp->buf, imp->buf_len, err);
        if (r < 0)
                return ace_error_wrap(err, "writing the image blob to %s/tmp", imp->s->cas);
        imp->written += imp->buf_len;
        imp->buf_len = 0;
        if (imp->written - imp->flushed >= BLOB_FLUSH_EVERY) {
                /* Asynchronous writeback of what is written so far; fsync at commit waits for
                 * the rest. Advisory: errors surface at fsync. */
                (void)sync_file_range(imp->blob_fd, (off64_t)imp->flushed,
                                      (off64_t)(imp->written - imp->flushed),
                                      SYNC_FILE_RANGE_WRITE);
                imp->flushed = imp->written;
        }
        return 0;
}

/* tar tee callback: every uncompressed byte, in order, exactly once. */
static int blob_tee(void *userdata, const void *data, size_t len, struct ace_error **err)
{
        struct store_import *imp = userdata;
        const char *p = data;

        while (len > 0) {
                size_t n = BLOB_BUF_SIZE - imp->buf_len;
                if (n > len)
                        n = len;
                memcpy(imp->buf + imp->buf_len, p, n);
                imp->buf_len += n;
                p += n;
                len -= n;
                if (imp->buf_len == BLOB_BUF_SIZE) {
                        int r = blob_flush(imp, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int random_hex(char hex[17], struct ace_error **err)
{
        unsigned char rnd[8];
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
                int e = errno ? errno : EIO;
                if (fd >= 0)
                        close(fd);
                return ace_error_errno(err, e, "read /dev/urandom");
        }
        close(fd);
        for (size_t i = 0; i < sizeof(rnd); i++)
                snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
        return 0;
}

/* cas/tree/.import-<random>/rootfs for the pre-render, flock'ed (store_gc_tmp() leaves a
 * locked temp tree alone and removes dead ones). */
static int open_tree_tmp(struct store_import *imp, struct ace_error **err)
{
        char hex[17];
        int r = random_hex(hex, err);
        if (r < 0)
                return r;
        imp->tree_tmp = xasprintf(".import-%s", hex);
        if (mkdirat(imp->s->tree_fd, imp->tree_tmp, 0700) < 0) {
                r = ace_error_errno(err, errno, "create %s/tree/%s", imp->s->cas, imp->tree_tmp);
                free(TAKE_PTR(imp->tree_tmp));
                return r;
        }
        imp->tree_tmp_fd = lock_acquire_at(imp->s->tree_fd, imp->tree_tmp, LOCK_MODE_EXCLUSIVE,
                                           LOCK_DIRECTORY, "temp tree lock", err);
        if (imp->tree_tmp_fd < 0)
                return imp->tree_tmp_fd;
        if (mkdirat(imp->tree_tmp_fd, "rootfs", 0755) < 0)
                return ace_error_errno(err, errno, "create %s/rootfs", imp->tree_tmp);
        imp->rootfs_fd =
            openat(imp->tree_tmp_fd, "rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (imp->rootfs_fd < 0)
                return ace_error_errno(err, errno, "open %s/rootfs", imp->tree_tmp);
        return 0;
}

static int open_temp_blob(struct store_import *imp, struct ace_error **err)
{
        int fd = openat(imp->s->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0) {
                imp->blob_fd = fd;
                return 0;
        }
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                return ace_error_errno(err, errno, "create a temp file in %s/tmp", imp->s->cas);
        /* No O_TMPFILE here: a named temp file, flock'ed so store_gc_tmp() knows it is live. */
        for (int tries = 0; tries < 100; tries++) {
                char hex[17];
                int r = random_hex(hex, err);
                if (r < 0)
                        return r;
                free(imp->tmp_name);
                imp->tmp_name = xasprintf("import-%s", hex);
                fd = openat(imp->s->tmp_fd, imp->tmp_name,
                            O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0)
                        break;
                if (errno != EEXIST)
                        return ace_error_errno(err, errno, "create %s/tmp/%s", imp->s->cas,
                                               imp->tmp_name);
        }
        if (fd < 0)
                return ace_error_make(err, EEXIST, "cannot find a free temp file name");
        imp->blob_fd = fd;
        imp->tmp_lock = lock_acquire_at(imp->s->tmp_fd, imp->tmp_name, LOCK_MODE_EXCLUSIVE, 0,
                                        "temp file lock", err);
        return imp->tmp_lock < 0 ? imp->tmp_lock : 0;
}

static void drop_tree_tmp(struct store_import *imp)
{
        if (!imp->tree_tmp)
                return;
        (void)fs_rm_rf_at(imp->s->tree_fd, imp->tree_tmp, FS_RM_MISSING_OK, NULL);
        free(TAKE_PTR(imp->tree_tmp));
}

static void import_free(struct store_import *imp)
{
        if (!imp)
                return;
        store_unpacker_abort(imp->unpacker);
        drop_tree_tmp(imp);
        closep(&imp->rootfs_fd);
        closep(&imp->tree_tmp_fd);
        if (imp->tmp_name)
                (void)unlinkat(imp->s->tmp_fd, imp->tmp_name, 0);
        closep(&imp->blob_fd);
        closep(&imp->tmp_lock);
        free(imp->tmp_name);
        free(imp->buf);
        tar_result_done(&imp->res);
        ace_image_manifest_free(imp->manifest);
        free(imp);
}

static int import_new(struct store *s, const struct store_import_opts *opts,
                      struct store_import **ret, struct ace_error **err)
{
        static const struct store_import_opts no_opts = {0};
        struct store_import *imp;
        int r;

        if (!opts)
                opts = &no_opts;
        if (opts->expected_id && !image_id_valid(opts->expected_id))
                return ace_error_make(err, EINVAL, "invalid expected image ID \"%s\"",
                                      opts->expected_id);
        imp = xcalloc(1, sizeof(*imp));
        imp->s = s;
        imp->opts = opts;
        imp->blob_fd = imp->tmp_lock = imp->tree_tmp_fd = imp->rootfs_fd = -EBADF;
        imp->buf = xmalloc(BLOB_BUF_SIZE);
        r = open_temp_blob(imp, err);
        if (r >= 0 && opts->render)
                r = open_tree_tmp(imp, err);
        if (r < 0) {
                import_free(imp);
                return r;
        }
        store_test_point("tmp-created");
        *ret = imp;
        return 0;
}

/* After the archive was read: flush, parse the manifest, check the ID. */
static int import_complete(struct store_import *imp, struct ace_error **err)
{
        int r = blob_flush(imp, err);
        if (r < 0)
                return r;
        if (imp->written != imp->res.stream_size)
                return ace_error_make(err, EIO, "image blob has %llu bytes, the stream %llu",
                                      (unsigned long long)imp->written,
                                      (unsigned long long)imp->res.stream_size);
        if (imp->opts->expected_id && strcmp(imp->opts->expected_id, imp->res.image_id) != 0)
                return ace_error_make(err, EBADMSG,
                                      "image ID mismatch: expected %s, the image is %s",
                                      imp->opts->expected_id, imp->res.image_id);
        r = ace_image_manifest_parse(imp->res.manifest, imp->res.manifest_len, &imp->manifest, err);
        if (r < 0)
                return ace_error_wrap(err, "invalid image manifest");
        imp->result = (struct store_import_result){
            .id = imp->res.image_id,
            .manifest_json = imp->res.manifest,
            .manifest_len = imp->res.manifest_len,
            .manifest = imp->manifest,
            .size = imp->res.stream_size,
        };
        imp->finished = true;
        return 0;
}

/* Scan, tee to the blob, and with a pre-render extract the rootfs at the same time. */
static void extract_opts(struct store_import *imp, struct tar_extract_opts *o)
{
        tar_extract_opts_init(o);
        o->tee = blob_tee;
        o->tee_userdata = imp;
        o->flags = TAR_EXTRACT_ROOTFS_ONLY | (geteuid() != 0 ? TAR_EXTRACT_NO_OWNERS : 0);
}

int store_import_begin(struct store *s, const struct store_import_opts *opts,
                       struct store_import **ret, struct ace_error **err)
{
        struct store_import *imp = NULL;
        struct tar_extract_opts topts;
        int r = import_new(s, opts, &imp, err);
        if (r < 0)
                return r;
        extract_opts(imp, &topts);
        r = store_unpacker_start(&topts, imp->rootfs_fd, &imp->unpacker, err);
        if (r < 0) {
                import_free(imp);
                return r;
        }
        *ret = imp;
        return 0;
}

int store_import_write(struct store_import *imp, const void *buf, size_t len,
                       struct ace_error **err)
{
        if (imp->failed || imp->finished || !imp->unpacker)
                return ace_error_make(err, EINVAL, "image import is not accepting data");
        int r = store_unpacker_write(imp->unpacker, buf, len, err);
        if (r < 0)
                imp->failed = true;
        return r;
}

int store_import_finish(struct store_import *imp, const struct store_import_result **ret,
                        struct ace_error **err)
{
        int r;

        if (imp->failed)
                return ace_error_make(err, EINVAL, "image import already failed");
        if (!imp->finished) {
                struct store_unpacker *u = TAKE_PTR(imp->unpacker);
                r = u ? store_unpacker_finish(u, &imp->res, err) : 0;
                if (r >= 0)
                        r = import_complete(imp, err);
                if (r < 0) {
                        imp->failed = true;
                        return r;
                }
        }
        if (ret)
                *ret = &imp->result;
        return 0;
}

/* Links the finished temp blob to its final name (we hold the image lock). */
static int link_blob(struct store_import *imp, const char *name, struct ace_error **err)
{
        struct store *s = imp->s;
        const char *id = imp->result.id;
        int r;

        if (fsync(imp->blob_fd) < 0)
                return ace_error_errno(err, errno, "fsync the blob of image %s", id);
        store_test_point("blob-written");
        r = store_object_dir(s->blob_fd, id, err);
        if (r < 0)
                return r;
        /* A blob file without a row is an orphan of a crash (or tampering): replace it. */
        if (unlinkat(s->blob_fd, name, 0) < 0 && errno != ENOENT)
                return ace_error_errno(err, errno, "remove stale blob %s", name);
        if (imp->tmp_name) {
                if (renameat(s->tmp_fd, imp->tmp_name, s->blob_fd, name) < 0)
                        return ace_error_errno(err, errno, "move the blob of image %s in place",
                                               id);
                free(TAKE_PTR(imp->tmp_name));
        } else if (linkat(imp->blob_fd, "", s->blob_fd, name, AT_EMPTY_PATH) < 0) {
                char proc[64];
                /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not. */
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", imp->blob_fd);
                if (linkat(AT_FDCWD, proc, s->blob_fd, name, AT_SYMLINK_FOLLOW) < 0)
                        return ace_error_errno(err, errno, "link the blob of image %s in place",
                                               id);
        }
        r = fs_fsync_dir(s->blob_fd, (char[3]){name[0], name[1], '\0'}, err);
        if (r < 0)
                return r;
        store_test_point("blob-renamed");
        return 0;
}

/* The manifest file, atomically: "<hh>/<id>.tmp" + fsync + rename + fsync of the directory.
 * The temp name carries the ID so store_gc_tmp() can tell whose it is (and take that image's
 * lock before removing it). */
static int write_manifest(struct store_import *imp, const char *name, struct ace_error **err)
{
        struct store *s = imp->s;
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", name);
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = store_object_dir(s->manifest_fd, imp->result.id, err);
        if (r < 0)
                return r;
        fd = openat(s->manifest_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                    0600);
        if (fd < 0)
                return ace_error_errno(err, errno, "create the manifest of image %s",
                                       imp->result.id);
        r = fs_write_all(fd, imp->result.manifest_json, imp->result.manifest_len, err);
        if (r >= 0 && fsync(fd) < 0)
                r = ace_error_errno(err, errno, "fsync the manifest of image %s", imp->result.id);
        if (r >= 0 && renameat(s->manifest_fd, tmp, s->manifest_fd, name) < 0)
                r = ace_error_errno(err, errno, "move the manifest of image %s in place",
                                    imp->result.id);
        if (r < 0) {
                (void)unlinkat(s->manifest_fd, tmp, 0);
                return ace_error_wrap(err, "writing the manifest of image %s", imp->result.id);
        }
        return fs_fsync_dir(s->manifest_fd, (char[3]){name[0], name[1], '\0'}, err);
}

static void fill_row(struct store_import *imp, struct db_image *row, int64_t now)
{
        const struct ace_kv_list *labels = &imp->manifest->labels;

        *row = (struct db_image){
            .id = (char *)imp->result.id,
            .name = imp->manifest->name,
            .import_time = now,
            .last_used = now,
            .size = imp->result.size,
            .latest = imp->opts->latest,
            .n_labels = labels->n,
        };
        row->labels = xcalloc(labels->n ? labels->n : 1, sizeof(struct db_label));
        for (size_t i = 0; i < labels->n; i++)
                row->labels[i] = (struct db_label){labels->items[i].name, labels->items[i].value};
}

static void before_commit_point(void)
{
        store_test_point("db-commit");
}

/* Under the image lock: the image is new (or its files are missing): make it visible. */
static int commit_new(struct store_import *imp, const struct db_remote *remote,
                      struct ace_error **err)
{
        struct store *s = imp->s;
        _cleanup_free_ char *name = store_object_name(imp->result.id);
        struct db_image row;
        int r;

        r = link_blob(imp, name, err);
        if (r < 0)
                goto undo;
        r = write_manifest(imp, name, err);
        if (r < 0)
                goto undo;
        store_test_point("manifest-written");
        fill_row(imp, &row, store_now());
        r = db_put_image(s->db, &row, remote, before_commit_point, err);
        free(row.labels);
        if (r < 0)
                goto undo;
        store_test_point("db-committed");
        return 0;
undo:
        /* Nothing of a failed import stays behind (ENOSPC in the db, ...). */
        (void)unlinkat(s->manifest_fd, name, 0);
        (void)unlinkat(s->blob_fd, name, 0);
        return ace_error_wrap(err, "storing image %s", imp->result.id);
}

/* The pre-render becomes the image's tree when nothing else goes into that tree. The image
 * is committed by now: a failure here is an import failure only for a real error (ENOSPC
 * while hashing the tree...), and leaves the image stored (store_render() retries). */
static int adopt_tree(struct store_import *imp, struct ace_error **err)
{
        const struct ace_image_manifest *m = imp->manifest;
        int r = 0;

        if (m->dependencies.n == 0 && !(m->path_whitelist && m->path_whitelist[0]))
                r = store_tree_adopt(imp->s, imp->result.id, imp->tree_tmp, imp->tree_tmp_fd, err);
        drop_tree_tmp(imp);
        return r < 0 ? ace_error_wrap(err, "rendering image %s", imp->result.id) : 0;
}

int store_import_commit(struct store_import *imp, char **ret_id, struct ace_error **err)
{
        struct store *s = imp->s;
        _cleanup_free_ char *name = NULL;
        struct db_remote remote = {0}, *rp = NULL;
        struct db_image row = {0};
        int lock = -EBADF, r;

        r = store_import_finish(imp, NULL, err);
        if (r < 0)
                goto out;
        if (imp->opts->remote) {
                const struct store_remote *o = imp->opts->remote;
                remote = (struct db_remote){(char *)o->url,
                                            (char *)o->sig_url,
                                            (char *)o->etag,
                                            o->cache_max_age,
                                            o->download_time ? o->download_time : store_now(),
                                            (char *)imp->result.id};
                rp = &remote;
        }
        lock = store_lock_image(s, imp->result.id, STORE_LOCK_EXCLUSIVE, err);
        if (lock < 0) {
                r = lock;
                goto out;
        }
        name = store_object_name(imp->result.id);
        /* Already stored (both row and blob): cheap, just refresh, as rkt rewrites aciinfo. */
        if (db_get_image(s->db, imp->result.id, &row, NULL) >= 0 &&
            faccessat(s->blob_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                r = db_refresh_image(s->db, imp->result.id, store_now(), imp->opts->latest, rp,
                                     err);
        else
                r = commit_new(imp, rp, err);
        db_image_done(&row);
        if (lock >= 0)
                close(lock);
        lock = -EBADF;
        if (r >= 0 && imp->tree_tmp)
                r = adopt_tree(imp, err);
        if (r >= 0 && ret_id)
                *ret_id = xstrdup(imp->result.id);
out:
        if (lock >= 0)
                close(lock);
        import_free(imp);
        return r;
}

void store_import_abort(struct store_import *imp)
{
        import_free(imp);
}

int store_import_fd(struct store *s, int fd, const struct store_import_opts *opts, char **ret_id,
                    struct ace_error **err)
{
        struct store_import *imp = NULL;
        int r = import_new(s, opts, &imp, err);
        if (r < 0)
                return r;
        struct tar_extract_opts eopts;
        extract_opts(imp, &eopts);
        r = store_unpack_fd(fd, &eopts, imp->rootfs_fd, &imp->res, err);
        if (r >= 0)
                r = import_complete(imp, err);
        if (r < 0) {
                import_free(imp);
                return r;
        }
        return store_import_commit(imp, ret_id, err);
}
