/* store_fixture.c - image store test helpers (see store_fixture.h). */
#include "tests/lib/store_fixture.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/proc.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/store/import.h"
#include "stage0/store/store.h"

char *sfx_fmt(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *s = xvasprintf(fmt, ap);
        va_end(ap);
        return s;
}

char *sfx_tmpdir(const char *tag)
{
        char *p = sfx_fmt("/tmp/ace-%s-XXXXXX", tag);
        cr_assert_not_null(mkdtemp(p), "mkdtemp: %s", strerror(errno));
        return p;
}

void sfx_rmrf(const char *path)
{
        _cleanup_free_ char *copy = xstrdup(path);
        char *slash = strrchr(copy, '/');
        if (!slash)
                return;
        *slash = '\0';
        int fd = open(*copy ? copy : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        (void)fs_rm_rf_at(fd, slash + 1, FS_RM_MISSING_OK, NULL);
        close(fd);
}

static void mkdir_parents(const char *path)
{
        _cleanup_free_ char *p = xstrdup(path);
        for (char *c = p + 1; *c; c++)
                if (*c == '/') {
                        *c = '\0';
                        (void)mkdir(p, 0755);
                        *c = '/';
                }
}

void sfx_write(const char *path, const char *content)
{
        mkdir_parents(path);
        FILE *f = fopen(path, "we");
        cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
        fputs(content, f);
        cr_assert_eq(fclose(f), 0);
}

char *sfx_read(const char *path)
{
        char *buf = NULL;
        if (fs_read_file_at(AT_FDCWD, path, 64 << 20, &buf, NULL, NULL) < 0)
                return NULL;
        return buf;
}

bool sfx_exists(const char *path)
{
        return faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static char *labels_json(const char *labels)
{
        _cleanup_strv_free_ char **parts = strv_split(labels ? labels : "", ",", false);
        char *out = xstrdup("[");
        for (char **p = parts; *p; p++) {
                char *eq = strchr(*p, '=');
                cr_assert_not_null(eq, "label %s needs '='", *p);
                *eq = '\0';
                char *t = sfx_fmt("%s%s{\"name\":\"%s\",\"value\":\"%s\"}", out,
                                  p == parts ? "" : ",", *p, eq + 1);
                free(out);
                out = t;
        }
        char *t = sfx_fmt("%s]", out);
        free(out);
        return t;
}

char *sfx_manifest(const char *name, const char *labels, const char *extra)
{
        _cleanup_free_ char *l = labels_json(labels);
        return sfx_fmt("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"%s\","
                       "\"labels\":%s%s%s}",
                       name, l, extra ? "," : "", extra ? extra : "");
}

char *sfx_dep(const char *name, const char *image_id, const char *labels)
{
        _cleanup_free_ char *l = labels_json(labels);
        _cleanup_free_ char *idpart =
            image_id ? sfx_fmt(",\"imageID\":\"%s\"", image_id) : xstrdup("");
        return sfx_fmt("{\"imageName\":\"%s\"%s%s%s}", name, idpart, labels ? ",\"labels\":" : "",
                       labels ? l : "");
}

char *sfx_layout(const char *parent, const char *tag, const char *manifest_json)
{
        char *layout = sfx_fmt("%s/%s", parent, tag);
        _cleanup_free_ char *m = sfx_fmt("%s/manifest", layout);
        _cleanup_free_ char *r = sfx_fmt("%s/rootfs", layout);
        sfx_write(m, manifest_json);
        cr_assert(mkdir(r, 0755) == 0 || errno == EEXIST);
        return layout;
}

char *sfx_build_aci(const char *layout, const char *out, enum tar_compression c)
{
        _cleanup_close_ int lfd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        _cleanup_error_ struct ace_error *e = NULL;
        struct tar_write_opts o;
        char id[HASH_IMAGE_ID_SIZE];

        cr_assert(lfd >= 0 && ofd >= 0, "open %s / %s", layout, out);
        tar_write_opts_init(&o);
        o.compression = c;
        o.has_source_date_epoch = true;
        o.source_date_epoch = 1000000000;
        cr_assert_eq(tar_write_aci(lfd, ofd, &o, id, &e), 0, "build %s: %s", out, ace_error_msg(e));
        return xstrdup(id);
}

static char *import(const char *dir, const char *aci, const char *expected_id, bool render,
                    char **err_msg)
{
        _cleanup_error_ struct ace_error *e = NULL;
        struct store *s = NULL;
        struct store_import_opts o = {.expected_id = expected_id, .render = render};
        char *id = NULL;
        int fd, r;

        r = store_open(dir, 0, &s, &e);
        if (r >= 0) {
                fd = open(aci, O_RDONLY | O_CLOEXEC);
                cr_assert(fd >= 0, "open %s", aci);
                r = store_import_fd(s, fd, &o, &id, &e);
                close(fd);
                store_close(s);
        }
        if (r < 0) {
                if (err_msg)
                        *err_msg = xstrdup(ace_error_msg(e));
                return NULL;
        }
        return id;
}

char *sfx_import(const char *dir, const char *aci, const char *expected_id, char **err_msg)
{
        return import(dir, aci, expected_id, false, err_msg);
}

char *sfx_import_render(const char *dir, const char *aci, char **err_msg)
{
        return import(dir, aci, NULL, true, err_msg);
}

int sfx_ace(const char *dir, char **out, char **err, ...)
{
        const char *build = getenv("ACE_BUILD");
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        struct proc_status st;
        char *o = NULL, *x = NULL;
        va_list ap;

        cr_assert_not_null(build, "ACE_BUILD must point at the build directory");
        argv = strv_push_take(NULL, sfx_fmt("%s/ace", build));
        if (dir)
                argv = strv_push_take(argv, sfx_fmt("--dir=%s", dir));
        va_start(ap, err);
        for (const char *a; (a = va_arg(ap, const char *));)
                argv = strv_push(argv, a);
        va_end(ap);
        cr_assert_eq(proc_run_capture(argv, NULL, &o, &x, 16 << 20, &st, &e), 0, "run ace: %s",
                     ace_error_msg(e));
        if (out)
                *out = o;
        else
                free(o);
        if (err)
                *err = x;
        else
                free(x);
        return proc_status_exit_code(&st);
}

static int count_entries(const char *path, bool recurse_one)
{
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *de;
        int n = 0;
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' &&
                    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
                        continue;
                if (recurse_one) {
                        _cleanup_free_ char *sub = sfx_fmt("%s/%s", path, de->d_name);
                        n += count_entries(sub, false);
                } else {
                        n++;
                }
        }
        return n;
}

char **sfx_row_ids(const char *dir)
{
        _cleanup_free_ char *db = sfx_fmt("%s/cas/db/ace.db", dir);
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        char **ids = xcalloc(1, sizeof(char *));

        cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "open %s", db);
        sqlite3_busy_timeout(h, 10000);
        cr_assert_eq(sqlite3_prepare_v2(h, "SELECT id FROM images ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
                ids = strv_push(ids, (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(h);
        return ids;
}

void sfx_count(const char *dir, struct sfx_counts *c)
{
        _cleanup_free_ char *blob = sfx_fmt("%s/cas/blob/sha512", dir);
        _cleanup_free_ char *man = sfx_fmt("%s/cas/imageManifest/sha512", dir);
        _cleanup_free_ char *tmp = sfx_fmt("%s/cas/tmp", dir);
        _cleanup_free_ char *tree = sfx_fmt("%s/cas/tree", dir);
        _cleanup_strv_free_ char **rows = sfx_row_ids(dir);

        c->blobs = count_entries(blob, true);
        c->manifests = count_entries(man, true);
        c->tmp = count_entries(tmp, false);
        c->trees = count_entries(tree, false);
        c->rows = (int)strv_length(rows);
}

void sfx_assert_consistent(const char *dir)
{
        _cleanup_strv_free_ char **rows = sfx_row_ids(dir);
        _cleanup_free_ char *db = sfx_fmt("%s/cas/db/ace.db", dir);
        struct sfx_counts c;
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;

        sfx_count(dir, &c);
        cr_expect_eq(c.tmp, 0, "cas/tmp has %d leftover entries", c.tmp);
        cr_expect_eq(c.blobs, c.rows, "%d blobs but %d rows", c.blobs, c.rows);
        cr_expect_eq(c.manifests, c.rows, "%d manifests but %d rows", c.manifests, c.rows);
        for (char **id = rows; *id; id++) {
                _cleanup_free_ char *p = sfx_fmt("%s/cas/blob/sha512/%.2s/%s", dir, *id + 7, *id);
                char hex[HASH_SHA512_HEX_LEN + 1];
                cr_expect_eq(hash_file_sha512(AT_FDCWD, p, hex, NULL), 0, "blob of %s missing",
                             *id);
                cr_expect_str_eq(hex, *id + 7, "blob of %s does not hash to its ID", *id);
        }
        /* every tree present is complete */
        _cleanup_free_ char *tree = sfx_fmt("%s/cas/tree", dir);
        _cleanup_closedir_ DIR *d = opendir(tree);
        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *m = sfx_fmt("%s/%s/rendered", tree, de->d_name);
                cr_expect(sfx_exists(m), "tree %s has no rendered marker", de->d_name);
        }
        cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        sqlite3_busy_timeout(h, 10000);
        cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        cr_expect_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
        sqlite3_finalize(st);
        sqlite3_close(h);
}
