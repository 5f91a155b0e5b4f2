/*
 * db.h - the store's SQLite index (cas/db/ace.db), internal to stage0/store.
 *
 * WAL journal, busy_timeout, foreign keys on; every write is one BEGIN IMMEDIATE
 * transaction (so concurrent writers queue on the busy handler instead of failing with
 * SQLITE_BUSY on a read->write upgrade). The schema is versioned with PRAGMA user_version
 * and migrated in order by the table in db.c; a db newer than this binary is refused.
 *
 * Tables: images(id, name, import_time, last_used, size, tree_size, latest),
 * labels(image_id, name, value) and remotes(url, sig_url, etag, cache_max_age,
 * download_time, blob_id). Times are ns since the epoch.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct sqlite3;

/* The schema version this binary writes. */
#define DB_SCHEMA_VERSION 1

struct db_label {
        char *name;
        char *value;
};

struct db_image {
        char *id;
        char *name;
        struct db_label *labels;
        size_t n_labels;
        int64_t import_time;
        int64_t last_used;
        uint64_t size;
        uint64_t tree_size;
        bool latest;
};

struct db_remote {
        char *url;
        char *sig_url;
        char *etag;
        int64_t cache_max_age;
        int64_t download_time;
        char *blob_id;
};

void db_image_done(struct db_image *img);
void db_remote_done(struct db_remote *r);

/* Opens (creating, mode 0600) and migrates the db at path. */
int db_open(const char *path, bool create, struct sqlite3 **ret, struct ace_error **err);
void db_close(struct sqlite3 *db);
/* The schema version stored in the db. */
int db_schema_version(struct sqlite3 *db, int *ret, struct ace_error **err);

/* Inserts or replaces an image row and its labels, and optionally a remote row, in one
 * transaction. `before_commit` (optional) runs inside the transaction just before COMMIT (a
 * test pause point). */
int db_put_image(struct sqlite3 *db, const struct db_image *img, const struct db_remote *remote,
                 void (*before_commit)(void), struct ace_error **err);
/* Refreshes import_time (and latest) of an existing row; -ENOENT if absent. */
int db_refresh_image(struct sqlite3 *db, const char *id, int64_t import_time, bool latest,
                     const struct db_remote *remote, struct ace_error **err);
/* Deletes an image row (its labels and remotes cascade); -ENOENT if absent. */
int db_delete_image(struct sqlite3 *db, const char *id, struct ace_error **err);

/* One image by full ID (with labels); -ENOENT if absent. */
int db_get_image(struct sqlite3 *db, const char *id, struct db_image *ret, struct ace_error **err);
/* Every image (with labels), ordered by import time then ID. */
int db_list_images(struct sqlite3 *db, struct db_image **ret, size_t *ret_n,
                   struct ace_error **err);
/* Full IDs starting with prefix (at most `max` returned, to detect ambiguity cheaply). */
int db_ids_with_prefix(struct sqlite3 *db, const char *prefix, size_t max, char ***ret,
                       struct ace_error **err);
/* Images called name, with labels, newest import first. */
int db_images_by_name(struct sqlite3 *db, const char *name, struct db_image **ret, size_t *ret_n,
                      struct ace_error **err);

int db_set_last_used(struct sqlite3 *db, const char *id, int64_t when, struct ace_error **err);
/* Sets last_used of several images in one transaction (missing IDs are ignored). */
int db_touch_images(struct sqlite3 *db, const char *const *ids, size_t n, int64_t when,
                    struct ace_error **err);
int db_set_tree_size(struct sqlite3 *db, const char *id, uint64_t tree_size,
                     struct ace_error **err);

int db_get_remote(struct sqlite3 *db, const char *url, struct db_remote *ret,
                  struct ace_error **err);
int db_put_remote(struct sqlite3 *db, const struct db_remote *r, struct ace_error **err);

/* Runs PRAGMA integrity_check; 0 when "ok", -EBADMSG with the first complaint otherwise. */
int db_integrity_check(struct sqlite3 *db, struct ace_error **err);
