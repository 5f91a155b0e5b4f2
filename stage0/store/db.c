/*
 * db.c - the store's SQLite index: open + migrate, and the few queries the store needs
 * (see db.h). Every function maps SQLite failures to an errno and a one-line message.
 */
#include "stage0/store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

/* Long enough for 64 processes queueing on one write lock; a dead holder cannot keep it
 * (SQLite locks are fcntl locks, released by the kernel on exit). */
#define DB_BUSY_TIMEOUT_MS 120000

/* Migrations, applied in order inside one IMMEDIATE transaction: step i brings the schema
 * from version i to i + 1. Never edit a released step; append a new one. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE images ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " name TEXT NOT NULL,"
    " import_time INTEGER NOT NULL,"
    " last_used INTEGER NOT NULL,"
    " size INTEGER NOT NULL,"
    " tree_size INTEGER NOT NULL DEFAULT 0,"
    " latest INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"
    "CREATE INDEX images_by_name ON images(name);"
    "CREATE TABLE labels ("
    " image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (image_id, name)"
    ") WITHOUT ROWID;"
    "CREATE TABLE remotes ("
    " url TEXT PRIMARY KEY NOT NULL,"
    " sig_url TEXT,"
    " etag TEXT,"
    " cache_max_age INTEGER NOT NULL DEFAULT 0,"
    " download_time INTEGER NOT NULL,"
    " blob_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE"
    ");"
    "CREATE INDEX remotes_by_blob ON remotes(blob_id);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == DB_SCHEMA_VERSION,
               "one migration per schema version");

static int sqlite_errno(int rc)
{
        switch (rc & 0xff) {
        case SQLITE_FULL:
                return ENOSPC;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return EBUSY;
        case SQLITE_READONLY:
                return EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return EACCES;
        case SQLITE_NOMEM:
                return ENOMEM;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return EBADMSG;
        case SQLITE_CANTOPEN:
                return ENOENT;
        case SQLITE_CONSTRAINT:
                return EEXIST;
        default:
                return EIO;
        }
}

static int db_fail(struct sqlite3 *db, int rc, struct ace_error **err, const char *what)
{
        int code = sqlite_errno(rc);
        /* An ENOSPC from the VFS surfaces as SQLITE_FULL or as an I/O error whose system
         * errno tells. */
        int sys = db ? sqlite3_system_errno(db) : 0;
        if (sys == ENOSPC || sys == EDQUOT)
                code = ENOSPC;
        return ace_error_make(err, code, "store db: %s: %s", what,
                              db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static void stmt_finalizep(sqlite3_stmt **s)
{
        if (*s)
                sqlite3_finalize(*s);
        *s = NULL;
}
#define _cleanup_stmt_ __attribute__((cleanup(stmt_finalizep)))

static int prepare(struct sqlite3 *db, const char *sql, sqlite3_stmt **ret, struct ace_error **err)
{
        int rc = sqlite3_prepare_v2(db, sql, -1, ret, NULL);
        if (rc != SQLITE_OK)
                return db_fail(db, rc, err, "prepare");
        return 0;
}

static int exec(struct sqlite3 *db, const char *sql, struct ace_error **err)
{
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return db_fail(db, rc, err, sql);
        return 0;
}

static void rollback(struct sqlite3 *db)
{
        /* Best effort: after a failed COMMIT SQLite may already have rolled back. */
        if (!sqlite3_get_autocommit(db))
                (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static int begin(struct sqlite3 *db, struct ace_error **err)
{
        return exec(db, "BEGIN IMMEDIATE", err);
}

static int commit(struct sqlite3 *db, struct ace_error **err)
{
        int r = exec(db, "COMMIT", err);
        if (r < 0)
                rollback(db);
        return r;
}

int db_schema_version(struct sqlite3 *db, int *ret, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(db, "PRAGMA user_version", &st, err);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return db_fail(db, SQLITE_ERROR, err, "read schema version");
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

static int migrate(struct sqlite3 *db, struct ace_error **err)
{
        int version, r;

        r = db_schema_version(db, &version, err);
        if (r < 0)
                return r;
        if (version == DB_SCHEMA_VERSION)
                return 0; /* the common case: no write lock taken */
        r = begin(db, err);
        if (r < 0)
                return r;
        /* Re-read under the write lock: a concurrent opener may have migrated meanwhile. */
        r = db_schema_version(db, &version, err);
        if (r < 0)
                goto fail;
        if (version > DB_SCHEMA_VERSION) {
                r = ace_error_make(err, EPROTO,
                                   "store db schema version %d is newer than this ace supports "
                                   "(%d)",
                                   version, DB_SCHEMA_VERSION);
                goto fail;
        }
        for (int v = version; v < DB_SCHEMA_VERSION; v++) {
                r = exec(db, migrations[v], err);
                if (r < 0) {
                        ace_error_wrap(err, "migrating store db from version %d", v);
                        goto fail;
                }
        }
        {
                _cleanup_free_ char *sql = xasprintf("PRAGMA user_version = %d", DB_SCHEMA_VERSION);
                r = exec(db, sql, err);
                if (r < 0)
                        goto fail;
        }
        return commit(db, err);
fail:
        rollback(db);
        return r;
}

/* Setting up a connection (creating the file, switching it to WAL, migrating) is serialized
 * with an flock on the db's directory: SQLite answers a concurrent journal_mode change with
 * SQLITE_BUSY at once, without the busy handler. (An flock on the db file itself would need a
 * second fd on it, and closing that fd would drop SQLite's own fcntl locks.) */
static int lock_db_dir(const char *path, struct ace_error **err)
{
        _cleanup_free_ char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        int fd;

        if (slash)
                *slash = '\0';
        fd = open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "open the directory of %s", path);
        if (TEMP_FAILURE_RETRY(flock(fd, LOCK_EX)) < 0) {
                int e = errno;
                close(fd);
                return ace_error_errno(err, e, "lock the directory of %s", path);
        }
        return fd;
}

int db_open(const char *path, bool create, struct sqlite3 **ret, struct ace_error **err)
{
        _cleanup_close_ int dirlock = lock_db_dir(path, err);
        struct sqlite3 *db = NULL;
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
        int rc, r;

        if (dirlock < 0)
                return dirlock;

        if (create) {
                /* Create the file ourselves so its mode is 0600 whatever the umask. */
                int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd < 0)
                        return ace_error_errno(err, errno, "create store db %s", path);
                close(fd);
        }
        rc = sqlite3_open_v2(path, &db, flags, NULL);
        if (rc != SQLITE_OK) {
                r = db_fail(db, rc, err, "open");
                sqlite3_close(db);
                return ace_error_wrap(err, "%s", path);
        }
        sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
        sqlite3_extended_result_codes(db, 1);
        /* Every ace command is a short-lived process with one connection. By default the last
         * connection to close checkpoints the WAL and deletes it, and the next one re-creates
         * it (two more fsyncs each time): keep the WAL file, and leave checkpoints to the
         * automatic ones (every 1000 pages) of later commits. */
        {
                int one = 1;
                (void)sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
                (void)sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        }
        /* WAL: readers never block the writer; synchronous=FULL: a commit is on disk when it
         * returns (the blob it refers to already is). */
        r = exec(db, "PRAGMA journal_mode=WAL", err);
        if (r >= 0)
                r = exec(db, "PRAGMA synchronous=FULL", err);
        if (r >= 0)
                r = exec(db, "PRAGMA foreign_keys=ON", err);
        if (r >= 0)
                r = migrate(db, err);
        if (r < 0) {
                sqlite3_close(db);
                return ace_error_wrap(err, "%s", path);
        }
        *ret = db;
        return 0;
}

void db_close(struct sqlite3 *db)
{
        if (db)
                sqlite3_close(db);
}

void db_image_done(struct db_image *img)
{
        free(img->id);
        free(img->name);
        for (size_t i = 0; i < img->n_labels; i++) {
                free(img->labels[i].name);
                free(img->labels[i].value);
        }
        free(img->labels);
        *img = (struct db_image){0};
}

void db_remote_done(struct db_remote *r)
{
        free(r->url);
        free(r->sig_url);
        free(r->etag);
        free(r->blob_id);
        *r = (struct db_remote){0};
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
        return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int step_done(struct sqlite3 *db, sqlite3_stmt *st, const char *what, struct ace_error **err)
{
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return db_fail(db, rc, err, what);
        return 0;
}

static int put_remote_in_tx(struct sqlite3 *db, const struct db_remote *r, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int ret = prepare(db,
                          "INSERT OR REPLACE INTO remotes (url, sig_url, etag, cache_max_age, "
                          "download_time, blob_id) VALUES (?, ?, ?, ?, ?, ?)",
                          &st, err);
        if (ret < 0)
                return ret;
        bind_text(st, 1, r->url);
        bind_text(st, 2, r->sig_url);
        bind_text(st, 3, r->etag);
        sqlite3_bind_int64(st, 4, r->cache_max_age);
        sqlite3_bind_int64(st, 5, r->download_time);
        bind_text(st, 6, r->blob_id);
        return step_done(db, st, "write remote", err);
}

static int put_image_in_tx(struct sqlite3 *db, const struct db_image *img, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *del = NULL, *ins = NULL, *lab = NULL;
        int r;

        /* Replace: a re-import rewrites the row (rkt's WriteACIInfo); labels go with it. */
        r = prepare(db, "DELETE FROM labels WHERE image_id = ?", &del, err);
        if (r < 0)
                return r;
        bind_text(del, 1, img->id);
        r = step_done(db, del, "delete labels", err);
        if (r < 0)
                return r;
        r = prepare(db,
                    "INSERT INTO images (id, name, import_time, last_used, size, tree_size, "
                    "latest) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                    "name = excluded.name, import_time = excluded.import_time, "
                    "last_used = excluded.last_used, size = excluded.size, "
                    "latest = excluded.latest",
                    &ins, err);
        if (r < 0)
                return r;
        bind_text(ins, 1, img->id);
        bind_text(ins, 2, img->name);
        sqlite3_bind_int64(ins, 3, img->import_time);
        sqlite3_bind_int64(ins, 4, img->last_used);
        sqlite3_bind_int64(ins, 5, (sqlite3_int64)img->size);
        sqlite3_bind_int64(ins, 6, (sqlite3_int64)img->tree_size);
        sqlite3_bind_int(ins, 7, img->latest);
        r = step_done(db, ins, "write image", err);
        if (r < 0)
                return r;
        r = prepare(db, "INSERT OR REPLACE INTO labels (image_id, name, value) VALUES (?, ?, ?)",
                    &lab, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < img->n_labels; i++) {
                sqlite3_reset(lab);
                bind_text(lab, 1, img->id);
                bind_text(lab, 2, img->labels[i].name);
                bind_text(lab, 3, img->labels[i].value);
                r = step_done(db, lab, "write label", err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int db_put_image(struct sqlite3 *db, const struct db_image *img, const struct db_remote *remote,
                 void (*before_commit)(void), struct ace_error **err)
{
        int r = begin(db, err);
        if (r < 0)
                return r;
        r = put_image_in_tx(db, img, err);
        if (r >= 0 && remote)
                r = put_remote_in_tx(db, remote, err);
        if (r < 0) {
                rollback(db);
                return r;
        }
        if (before_commit)
                before_commit();
        return commit(db, err);
}

static int changes_or_enoent(struct sqlite3 *db, const char *id, struct ace_error **err)
{
        if (sqlite3_changes(db) == 0)
                return ace_error_make(err, ENOENT, "no image %s in the store db", id);
        return 0;
}

int db_refresh_image(struct sqlite3 *db, const char *id, int64_t import_time, bool latest,
                     const struct db_remote *remote, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = begin(db, err);
        if (r < 0)
                return r;
        r = prepare(db, "UPDATE images SET import_time = ?, last_used = ?, latest = ? WHERE id = ?",
                    &st, err);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, import_time);
                sqlite3_bind_int64(st, 2, import_time);
                sqlite3_bind_int(st, 3, latest);
                bind_text(st, 4, id);
                r = step_done(db, st, "refresh image", err);
        }
        if (r >= 0)
                r = changes_or_enoent(db, id, err);
        if (r >= 0 && remote)
                r = put_remote_in_tx(db, remote, err);
        if (r < 0) {
                rollback(db);
                return r;
        }
        return commit(db, err);
}

int db_delete_image(struct sqlite3 *db, const char *id, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = begin(db, err);
        if (r < 0)
                return r;
        r = prepare(db, "DELETE FROM images WHERE id = ?", &st, err);
        if (r >= 0) {
                bind_text(st, 1, id);
                r = step_done(db, st, "delete image", err);
        }
        if (r >= 0)
                r = changes_or_enoent(db, id, err);
        if (r < 0) {
                rollback(db);
                return r;
        }
        return commit(db, err);
}

static char *column_dup(sqlite3_stmt *st, int i)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? xstrdup((const char *)t) : NULL;
}

#define IMAGE_COLUMNS "id, name, import_time, last_used, size, tree_size, latest"

static void image_from_row(sqlite3_stmt *st, struct db_image *img)
{
        *img = (struct db_image){0};
        img->id = column_dup(st, 0);
        img->name = column_dup(st, 1);
        img->import_time = sqlite3_column_int64(st, 2);
        img->last_used = sqlite3_column_int64(st, 3);
        img->size = (uint64_t)sqlite3_column_int64(st, 4);
        img->tree_size = (uint64_t)sqlite3_column_int64(st, 5);
        img->latest = sqlite3_column_int(st, 6) != 0;
}

static int load_labels(struct sqlite3 *db, struct db_image *img, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t cap = 0;
        int rc, r;

        r = prepare(db, "SELECT name, value FROM labels WHERE image_id = ? ORDER BY name", &st,
                    err);
        if (r < 0)
                return r;
        bind_text(st, 1, img->id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                img->labels = xgrow(img->labels, &cap, img->n_labels + 1, sizeof(struct db_label));
                img->labels[img->n_labels++] =
                    (struct db_label){column_dup(st, 0), column_dup(st, 1)};
        }
        if (rc != SQLITE_DONE)
                return db_fail(db, rc, err, "read labels");
        return 0;
}

/* Runs a query returning image rows (bound by `bind`), loading each one's labels. The read
 * happens in one transaction so rows and labels are consistent. */
static int query_images(struct sqlite3 *db, const char *sql, const char *arg, struct db_image **ret,
                        size_t *ret_n, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct db_image *imgs = NULL;
        size_t n = 0, cap = 0;
        int rc, r;

        r = exec(db, "BEGIN", err);
        if (r < 0)
                return r;
        r = prepare(db, sql, &st, err);
        if (r < 0)
                goto out;
        if (arg)
                bind_text(st, 1, arg);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                imgs = xgrow(imgs, &cap, n + 1, sizeof(*imgs));
                image_from_row(st, &imgs[n++]);
        }
        if (rc != SQLITE_DONE) {
                r = db_fail(db, rc, err, "read images");
                goto out;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = load_labels(db, &imgs[i], err);
out:
        rollback(db);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        db_image_done(&imgs[i]);
                free(imgs);
                return r;
        }
        *ret = imgs;
        *ret_n = n;
        return 0;
}

int db_get_image(struct sqlite3 *db, const char *id, struct db_image *ret, struct ace_error **err)
{
        struct db_image *imgs = NULL;
        size_t n = 0;
        int r = query_images(db, "SELECT " IMAGE_COLUMNS " FROM images WHERE id = ?", id, &imgs, &n,
                             err);
        if (r < 0)
                return r;
        if (n == 0) {
                free(imgs);
                return ace_error_make(err, ENOENT, "no image %s in the store", id);
        }
        *ret = imgs[0];
        free(imgs);
        return 0;
}

int db_list_images(struct sqlite3 *db, struct db_image **ret, size_t *ret_n, struct ace_error **err)
{
        return query_images(db, "SELECT " IMAGE_COLUMNS " FROM images ORDER BY import_time, id",
                            NULL, ret, ret_n, err);
}

int db_images_by_name(struct sqlite3 *db, const char *name, struct db_image **ret, size_t *ret_n,
                      struct ace_error **err)
{
        return query_images(
            db, "SELECT " IMAGE_COLUMNS " FROM images WHERE name = ? ORDER BY import_time DESC, id",
            name, ret, ret_n, err);
}

int db_ids_with_prefix(struct sqlite3 *db, const char *prefix, size_t max, char ***ret,
                       struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **ids = xcalloc(1, sizeof(char *));
        _cleanup_free_ char *pattern = NULL;
        int rc, r;

        /* The prefix is validated hex by the caller, so it holds no GLOB metacharacters;
         * GLOB with a literal prefix uses the primary key index. */
        pattern = xasprintf("%s*", prefix);
        r = prepare(db, "SELECT id FROM images WHERE id GLOB ? ORDER BY id LIMIT ?", &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, pattern);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ids = strv_push(ids, (const char *)sqlite3_column_text(st, 0));
        if (rc != SQLITE_DONE)
                return db_fail(db, rc, err, "look up image ID prefix");
        *ret = TAKE_PTR(ids);
        return 0;
}

/* last_used is a hint for image gc: its commits skip the fsync (synchronous=NORMAL keeps WAL
 * consistent, a power loss may only forget the latest uses). Every other write is FULL. */
static void hint_mode(struct sqlite3 *db, bool on)
{
        (void)sqlite3_exec(db, on ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL", NULL,
                           NULL, NULL);
}

static int update_one(struct sqlite3 *db, const char *sql, const char *id, int64_t v,
                      struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = begin(db, err);
        if (r < 0)
                return r;
        r = prepare(db, sql, &st, err);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, v);
                bind_text(st, 2, id);
                r = step_done(db, st, "update image", err);
        }
        if (r >= 0)
                r = changes_or_enoent(db, id, err);
        if (r < 0) {
                rollback(db);
                return r;
        }
        return commit(db, err);
}

int db_set_last_used(struct sqlite3 *db, const char *id, int64_t when, struct ace_error **err)
{
        hint_mode(db, true);
        int r = update_one(db, "UPDATE images SET last_used = ? WHERE id = ?", id, when, err);
        hint_mode(db, false);
        return r;
}

int db_touch_images(struct sqlite3 *db, const char *const *ids, size_t n, int64_t when,
                    struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        hint_mode(db, true);
        int r = begin(db, err);
        if (r < 0) {
                hint_mode(db, false);
                return r;
        }
        r = prepare(db, "UPDATE images SET last_used = ? WHERE id = ?", &st, err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                sqlite3_reset(st);
                sqlite3_bind_int64(st, 1, when);
                bind_text(st, 2, ids[i]);
                r = step_done(db, st, "update image", err);
        }
        if (r < 0)
                rollback(db);
        else
                r = commit(db, err);
        hint_mode(db, false);
        return r;
}

int db_set_tree_size(struct sqlite3 *db, const char *id, uint64_t tree_size, struct ace_error **err)
{
        return update_one(db, "UPDATE images SET tree_size = ? WHERE id = ?", id,
                          (int64_t)tree_size, err);
}

int db_get_remote(struct sqlite3 *db, const char *url, struct db_remote *ret,
                  struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int rc, r;

        r = prepare(db,
                    "SELECT url, sig_url, etag, cache_max_age, download_time, blob_id FROM "
                    "remotes WHERE url = ?",
                    &st, err);
        if (r < 0)
                return r;
        bind_text(st, 1, url);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return ace_error_make(err, ENOENT, "no remote record for %s", url);
        if (rc != SQLITE_ROW)
                return db_fail(db, rc, err, "read remote");
        *ret = (struct db_remote){
            .url = column_dup(st, 0),
            .sig_url = column_dup(st, 1),
            .etag = column_dup(st, 2),
            .cache_max_age = sqlite3_column_int64(st, 3),
            .download_time = sqlite3_column_int64(st, 4),
            .blob_id = column_dup(st, 5),
        };
        return 0;
}

int db_put_remote(struct sqlite3 *db, const struct db_remote *rem, struct ace_error **err)
{
        int r = begin(db, err);
        if (r < 0)
                return r;
        r = put_remote_in_tx(db, rem, err);
        if (r < 0) {
                rollback(db);
                if (r == -EEXIST)
                        return ace_error_make(err, ENOENT,
                                              "remote %s refers to image %s, which is not stored",
                                              rem->url, rem->blob_id);
                return r;
        }
        return commit(db, err);
}

int db_integrity_check(struct sqlite3 *db, struct ace_error **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(db, "PRAGMA integrity_check", &st, err);
        if (r < 0)
                return r;
        if (sqlite3_step(st) != SQLITE_ROW)
                return db_fail(db, SQLITE_ERROR, err, "integrity check");
        const char *res = (const char *)sqlite3_column_text(st, 0);
        if (!res || strcmp(res, "ok") != 0)
                return ace_error_make(err, EBADMSG, "store db integrity check: %s",
                                      res ? res : "no result");
        return 0;
}
