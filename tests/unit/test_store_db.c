/*
 * test_store_db.c - the store's SQLite layer (stage0/store/db.h): schema creation and
 * version, refusal of a newer schema, row round trips, prefix queries, cascades, and many
 * processes writing at once (WAL + busy_timeout + BEGIN IMMEDIATE: no lost writes, no
 * SQLITE_BUSY reaching the caller).
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/strv.h"
#include "stage0/store/db.h"

static char dirbuf[64], path[128];

static void setup(void)
{
        strcpy(dirbuf, "/tmp/ace-db-XXXXXX");
        cr_assert_not_null(mkdtemp(dirbuf));
        snprintf(path, sizeof(path), "%s/ace.db", dirbuf);
}

static void teardown(void)
{
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dirbuf);
        (void)!system(cmd);
}

TestSuite(store_db, .init = setup, .fini = teardown);

static char *mkid(int n)
{
        char *id = malloc(136);
        snprintf(id, 136, "sha512-%08x", n);
        memset(id + 15, 'a' + n % 6, 120);
        id[135] = '\0';
        return id;
}

static void put(struct sqlite3 *db, int n, const char *name, int64_t t)
{
        char *id = mkid(n);
        struct db_label labels[] = {{"version", "1.0"}, {"os", "linux"}};
        struct db_image img = {.id = id,
                               .name = (char *)name,
                               .labels = labels,
                               .n_labels = 2,
                               .import_time = t,
                               .last_used = t,
                               .size = 100 + (uint64_t)n};
        struct ace_error *e = NULL;
        cr_assert_eq(db_put_image(db, &img, NULL, NULL, &e), 0, "%s", ace_error_msg(e));
        free(id);
}

Test(store_db, create_and_version)
{
        struct sqlite3 *db = NULL;
        int v = -1;
        cr_assert_eq(db_open(path, true, &db, NULL), 0);
        cr_assert_eq(db_schema_version(db, &v, NULL), 0);
        cr_expect_eq(v, DB_SCHEMA_VERSION);
        cr_expect_eq(db_integrity_check(db, NULL), 0);
        db_close(db);
        /* reopening an up-to-date db is fine, and WAL is persistent */
        cr_assert_eq(db_open(path, false, &db, NULL), 0);
        db_close(db);
        sqlite3 *raw = NULL;
        sqlite3_stmt *st = NULL;
        cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
        cr_assert_eq(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        sqlite3_close(raw);
}

Test(store_db, newer_schema_is_refused)
{
        struct sqlite3 *db = NULL;
        struct ace_error *e = NULL;
        sqlite3 *raw = NULL;
        cr_assert_eq(db_open(path, true, &db, NULL), 0);
        db_close(db);
        cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        cr_expect_eq(db_open(path, false, &db, &e), -EPROTO);
        cr_expect(strstr(ace_error_msg(e), "newer"), "%s", ace_error_msg(e));
        ace_error_free(e);
}

Test(store_db, an_old_empty_db_is_migrated)
{
        /* version 0: a file SQLite created but nothing in it (e.g. a crash mid-creation) */
        sqlite3 *raw = NULL;
        struct sqlite3 *db = NULL;
        int v = -1;
        cr_assert_eq(sqlite3_open(path, &raw), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(raw, "CREATE TABLE unrelated(x)", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        cr_assert_eq(db_open(path, false, &db, NULL), 0);
        cr_assert_eq(db_schema_version(db, &v, NULL), 0);
        cr_expect_eq(v, DB_SCHEMA_VERSION);
        put(db, 1, "example.com/x", 1);
        db_close(db);
}

Test(store_db, rows_labels_prefixes_and_cascades)
{
        struct sqlite3 *db = NULL;
        struct db_image got = {0}, *all = NULL;
        size_t n = 0;
        char **ids = NULL;
        char *id1 = mkid(1), *id2 = mkid(2);

        cr_assert_eq(db_open(path, true, &db, NULL), 0);
        put(db, 1, "example.com/a", 20);
        put(db, 2, "example.com/a", 10);
        cr_assert_eq(db_get_image(db, id1, &got, NULL), 0);
        cr_expect_str_eq(got.name, "example.com/a");
        cr_expect_eq(got.n_labels, 2);
        cr_expect_str_eq(got.labels[0].name, "os"); /* ordered by name */
        cr_expect_eq(got.size, 101);
        db_image_done(&got);

        cr_assert_eq(db_list_images(db, &all, &n, NULL), 0);
        cr_assert_eq(n, 2);
        cr_expect_str_eq(all[0].id, id2, "ordered by import time");
        for (size_t i = 0; i < n; i++)
                db_image_done(&all[i]);
        free(all);
        cr_assert_eq(db_images_by_name(db, "example.com/a", &all, &n, NULL), 0);
        cr_expect_str_eq(all[0].id, id1, "newest first");
        for (size_t i = 0; i < n; i++)
                db_image_done(&all[i]);
        free(all);

        cr_assert_eq(db_ids_with_prefix(db, "sha512-0000000", 5, &ids, NULL), 0);
        cr_expect_eq(strv_length(ids), 2);
        strv_free(ids);
        cr_assert_eq(db_ids_with_prefix(db, "sha512-00000001", 5, &ids, NULL), 0);
        cr_expect_eq(strv_length(ids), 1);
        strv_free(ids);

        struct db_remote r = {.url = "https://x/a.aci", .download_time = 5, .blob_id = id1};
        cr_assert_eq(db_put_remote(db, &r, NULL), 0);
        struct db_remote bad = {.url = "https://x/b.aci", .blob_id = "sha512-ffff"};
        cr_expect_lt(db_put_remote(db, &bad, NULL), 0, "remote of an image not stored");
        cr_assert_eq(db_set_last_used(db, id1, 99, NULL), 0);
        cr_assert_eq(db_set_tree_size(db, id1, 4096, NULL), 0);
        cr_assert_eq(db_get_image(db, id1, &got, NULL), 0);
        cr_expect_eq(got.last_used, 99);
        cr_expect_eq(got.tree_size, 4096);
        db_image_done(&got);

        cr_assert_eq(db_delete_image(db, id1, NULL), 0);
        cr_expect_eq(db_delete_image(db, id1, NULL), -ENOENT);
        struct db_remote gone = {0};
        cr_expect_eq(db_get_remote(db, "https://x/a.aci", &gone, NULL), -ENOENT,
                     "remote rows cascade with their image");
        cr_expect_eq(db_set_last_used(db, id1, 1, NULL), -ENOENT);
        db_close(db);
        free(id1);
        free(id2);
}

/* 32 processes x 20 transactions, all at once: every row lands, no error escapes. */
Test(store_db, concurrent_writers, .timeout = 120)
{
        struct sqlite3 *db = NULL;
        pid_t pids[32];
        struct db_image *all = NULL;
        size_t n = 0;

        cr_assert_eq(db_open(path, true, &db, NULL), 0);
        db_close(db);
        for (int p = 0; p < 32; p++) {
                pids[p] = fork();
                cr_assert_geq(pids[p], 0);
                if (pids[p] == 0) {
                        struct sqlite3 *h = NULL;
                        if (db_open(path, false, &h, NULL) < 0)
                                _exit(2);
                        for (int i = 0; i < 20; i++) {
                                char *id = mkid(p * 100 + i);
                                struct db_image img = {.id = id,
                                                       .name = "example.com/c",
                                                       .import_time = i,
                                                       .last_used = i};
                                if (db_put_image(h, &img, NULL, NULL, NULL) < 0 ||
                                    db_set_last_used(h, id, 7, NULL) < 0)
                                        _exit(1);
                                free(id);
                        }
                        db_close(h);
                        _exit(0);
                }
        }
        for (int p = 0; p < 32; p++) {
                int st;
                cr_assert_eq(waitpid(pids[p], &st, 0), pids[p]);
                cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d: status %d", p, st);
        }
        cr_assert_eq(db_open(path, false, &db, NULL), 0);
        cr_assert_eq(db_list_images(db, &all, &n, NULL), 0);
        cr_expect_eq(n, 640);
        for (size_t i = 0; i < n; i++) {
                cr_expect_eq(all[i].last_used, 7);
                db_image_done(&all[i]);
        }
        free(all);
        cr_expect_eq(db_integrity_check(db, NULL), 0);
        db_close(db);
}

/* 16 processes creating the same new db at once: all get a working, migrated connection
 * (SQLite alone answers the racing switch to WAL with SQLITE_BUSY). */
Test(store_db, concurrent_first_open, .timeout = 60)
{
        pid_t pids[16];
        for (int p = 0; p < 16; p++) {
                pids[p] = fork();
                cr_assert_geq(pids[p], 0);
                if (pids[p] == 0) {
                        struct sqlite3 *h = NULL;
                        if (db_open(path, true, &h, NULL) < 0)
                                _exit(1);
                        put(h, p, "example.com/first", p);
                        db_close(h);
                        _exit(0);
                }
        }
        for (int p = 0; p < 16; p++) {
                int st;
                cr_assert_eq(waitpid(pids[p], &st, 0), pids[p]);
                cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "opener %d: status %d", p, st);
        }
        struct sqlite3 *db = NULL;
        struct db_image *all = NULL;
        size_t n = 0;
        cr_assert_eq(db_open(path, false, &db, NULL), 0);
        cr_assert_eq(db_list_images(db, &all, &n, NULL), 0);
        cr_expect_eq(n, 16);
        for (size_t i = 0; i < n; i++)
                db_image_done(&all[i]);
        free(all);
        db_close(db);
}
