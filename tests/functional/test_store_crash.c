/*
 * test_store_crash.c - kill -9 of an importing or rendering process at each named point of
 * the commit order (ACE_TEST_PAUSE_AT, stage0/store/internal.h), then `ace image gc`: the
 * store invariants hold (blobs <-> rows, tmp empty, trees complete, db intact) and the same
 * import works again. Also: gc never breaks an import that is alive, and disk full
 * (a small tmpfs as --dir) fails cleanly and works once space is freed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "stage0/store/store.h"
#include "stage0/store/tree.h"
#include "tests/lib/store_fixture.h"

static char *work, *dir, *fifo;

static void setup(void)
{
        work = sfx_tmpdir("crash");
        dir = sfx_fmt("%s/data", work);
        fifo = sfx_fmt("%s/pause.fifo", work);
        cr_assert_eq(mkfifo(fifo, 0600), 0);
}

static void teardown(void)
{
        /* A disk-full test that failed midway leaves its tmpfs mounted. */
        (void)umount2(dir, MNT_DETACH);
        sfx_rmrf(work);
        free(work);
        free(dir);
        free(fifo);
}

TestSuite(store_crash, .init = setup, .fini = teardown, .timeout = 120);

static char *build(const char *tag, const char *payload, char **ret_id)
{
        _cleanup_free_ char *name = sfx_fmt("example.com/%s", tag);
        _cleanup_free_ char *m = sfx_manifest(name, NULL, NULL);
        _cleanup_free_ char *layout = sfx_layout(work, tag, m);
        _cleanup_free_ char *f = sfx_fmt("%s/rootfs/payload", layout);
        char *aci = sfx_fmt("%s/%s.aci", work, tag);
        sfx_write(f, payload);
        *ret_id = sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP);
        return aci;
}

/* Starts a child that imports aci (and renders it with render=true, prerender=true renders in
 * the import pass), pausing at `point`; returns its pid once it has reached the point. */
static pid_t start_paused_opts(const char *aci, const char *point, bool render, bool prerender)
{
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                setenv("ACE_TEST_PAUSE_AT", point, 1);
                setenv("ACE_TEST_PAUSE_FIFO", fifo, 1);
                char *id = prerender ? sfx_import_render(dir, aci, NULL)
                                     : sfx_import(dir, aci, NULL, NULL);
                if (id && render) {
                        struct store *s = NULL;
                        char *t = NULL, *p = NULL;
                        if (store_open(dir, 0, &s, NULL) < 0 ||
                            store_render(s, id, &t, &p, NULL) < 0)
                                _exit(2);
                }
                _exit(id ? 0 : 1);
        }
        int fd = open(fifo, O_RDONLY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        char buf[64] = "";
        size_t n = 0;
        while (n < sizeof(buf) - 1 && !memchr(buf, '\n', n)) {
                ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
                if (r <= 0)
                        break;
                n += (size_t)r;
        }
        close(fd);
        cr_assert_gt(n, 0, "the child never reached %s", point);
        buf[n] = '\0';
        cr_assert_eq(strncmp(buf, point, strlen(point)), 0, "paused at %s, wanted %s", buf, point);
        return pid;
}

static pid_t start_paused(const char *aci, const char *point, bool render)
{
        return start_paused_opts(aci, point, render, false);
}

static void resume(pid_t pid, int want_status)
{
        int fd = open(fifo, O_WRONLY | O_CLOEXEC);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "g", 1), 1);
        close(fd);
        int st;
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == want_status, "child status %d", st);
}

static void kill9(pid_t pid)
{
        int st;
        cr_assert_eq(kill(pid, SIGKILL), 0);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void gc_and_check(void)
{
        _cleanup_free_ char *out = NULL, *err = NULL;
        int rc = sfx_ace(dir, &out, &err, "image", "gc", NULL);
        cr_expect_eq(rc, 0, "image gc: %s", err);
        sfx_assert_consistent(dir);
}

static void kill_at(const char *point, bool expect_image)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_free_ char *aci = build("victim", "payload", &id);
        pid_t pid = start_paused(aci, point, false);
        kill9(pid);
        gc_and_check();
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, expect_image ? 1 : 0, "after kill at %s", point);
        /* the same import works afterwards, and leaves one copy */
        _cleanup_free_ char *again = sfx_import(dir, aci, NULL, NULL);
        cr_expect_str_eq(again, id);
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, 1);
        cr_expect_eq(c.blobs, 1);
        sfx_assert_consistent(dir);
}

Test(store_crash, kill_after_temp_created)
{
        kill_at("tmp-created", false);
}

Test(store_crash, kill_after_blob_written)
{
        kill_at("blob-written", false);
}

Test(store_crash, kill_after_blob_renamed)
{
        kill_at("blob-renamed", false);
}

Test(store_crash, kill_after_manifest_written)
{
        kill_at("manifest-written", false);
}

Test(store_crash, kill_inside_db_transaction)
{
        kill_at("db-commit", false);
}

Test(store_crash, kill_after_db_commit)
{
        kill_at("db-committed", true);
}

Test(store_crash, kill_mid_render)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_free_ char *aci = build("half", "x", &id);
        pid_t pid = start_paused(aci, "render-layer", true);
        kill9(pid);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.trees, 1, "a tree without its marker is left");
        gc_and_check();
        sfx_count(dir, &c);
        cr_expect_eq(c.trees, 0, "gc removed the incomplete tree");
        cr_expect_eq(c.rows, 1);
        /* rendering again works */
        struct store *s = NULL;
        _cleanup_free_ char *t = NULL, *p = NULL;
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_render(s, id, &t, &p, NULL), 0);
        cr_expect_eq(store_verify_tree(s, t, NULL), 0);
        store_close(s);
}

Test(store_crash, kill_before_render_marker_rerenders)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_free_ char *aci = build("late", "x", &id);
        pid_t pid = start_paused(aci, "render-hashed", true);
        kill9(pid);
        /* no gc: the next render notices the missing marker and renders again */
        struct store *s = NULL;
        _cleanup_free_ char *t = NULL, *p = NULL;
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_assert_eq(store_render(s, id, &t, &p, NULL), 0);
        cr_expect(store_tree_is_rendered(s, t));
        cr_expect_eq(store_verify_tree(s, t, NULL), 0);
        store_close(s);
        sfx_assert_consistent(dir);
}

Test(store_crash, gc_leaves_a_live_import_alone)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_free_ char *aci = build("alive", "x", &id);
        /* the import holds its image lock with the blob in place but no row yet */
        pid_t pid = start_paused(aci, "blob-renamed", false);
        _cleanup_free_ char *out = NULL, *err = NULL;
        cr_expect_eq(sfx_ace(dir, &out, &err, "image", "gc", "--grace-period=0s", NULL), 0, "%s",
                     err);
        _cleanup_free_ char *blob = sfx_fmt("%s/cas/blob/sha512/%.2s/%s", dir, id + 7, id);
        cr_expect(sfx_exists(blob), "gc must not remove a blob an import is committing");
        resume(pid, 0);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, 1);
        sfx_assert_consistent(dir);
}

Test(store_crash, concurrent_import_waits_for_a_paused_one)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_free_ char *aci = build("twice", "x", &id);
        pid_t first = start_paused(aci, "blob-renamed", false);
        /* a second import of the same image blocks on the image lock, then finds it stored */
        pid_t second = fork();
        cr_assert_geq(second, 0);
        if (second == 0) {
                char *got = sfx_import(dir, aci, NULL, NULL);
                _exit(got && strcmp(got, id) == 0 ? 0 : 1);
        }
        usleep(200000);
        int st;
        cr_expect_eq(waitpid(second, &st, WNOHANG), 0, "second import still waiting");
        resume(first, 0);
        cr_assert_eq(waitpid(second, &st, 0), second);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, 1);
        cr_expect_eq(c.blobs, 1);
        sfx_assert_consistent(dir);
}

Test(store_crash, kill_during_a_rendering_import)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_free_ char *aci = build("pre", "x", &id);
        pid_t pid = start_paused_opts(aci, "blob-written", false, true);
        kill9(pid);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.trees, 1, "the import's temp tree is left behind");
        gc_and_check();
        sfx_count(dir, &c);
        cr_expect_eq(c.trees + c.rows + c.blobs, 0);
        _cleanup_free_ char *again = sfx_import_render(dir, aci, NULL);
        cr_expect_str_eq(again, id);
        sfx_count(dir, &c);
        cr_expect_eq(c.trees, 1);
        sfx_assert_consistent(dir);
}

Test(store_crash, gc_leaves_a_live_rendering_import_alone)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_free_ char *aci = build("prelive", "x", &id);
        pid_t pid = start_paused_opts(aci, "blob-renamed", false, true);
        cr_expect_eq(sfx_ace(dir, NULL, NULL, "image", "gc", "--grace-period=0s", NULL), 0);
        resume(pid, 0);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.rows, 1);
        cr_expect_eq(c.trees, 1, "the pre-rendered tree made it");
        struct store *s = NULL;
        char *ids[] = {id};
        _cleanup_free_ char *tid = store_tree_id(ids, 1);
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_expect_eq(store_verify_tree(s, tid, NULL), 0);
        store_close(s);
        sfx_assert_consistent(dir);
}

/* Disk full: the data dir is a 4 MiB tmpfs, the image expands to ~6 MiB of random bytes. */
Test(store_crash, disk_full_fails_cleanly_then_works)
{
        cr_assert_eq(mkdir(dir, 0700), 0);
        cr_assert_eq(mount("tmpfs", dir, "tmpfs", 0, "size=4m,mode=0700"), 0, "mount: %s",
                     strerror(errno));
        _cleanup_free_ char *m = sfx_manifest("example.com/big", NULL, NULL);
        _cleanup_free_ char *layout = sfx_layout(work, "big", m);
        _cleanup_free_ char *big = sfx_fmt("%s/rootfs/random", layout);
        {
                int in = open("/dev/urandom", O_RDONLY), out = open(big, O_WRONLY | O_CREAT, 0644);
                char buf[65536];
                for (int i = 0; i < 96; i++) {
                        cr_assert_eq(read(in, buf, sizeof(buf)), (ssize_t)sizeof(buf));
                        cr_assert_eq(write(out, buf, sizeof(buf)), (ssize_t)sizeof(buf));
                }
                close(in);
                close(out);
        }
        _cleanup_free_ char *aci = sfx_fmt("%s/big.aci", work);
        _cleanup_free_ char *id = sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP);
        _cleanup_free_ char *err = NULL;

        cr_expect_null(sfx_import(dir, aci, NULL, &err));
        cr_expect(err && strstr(err, "No space left on device"), "clear error: %s", err);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.manifests + c.tmp, 0, "nothing half-written");

        cr_assert_eq(mount(NULL, dir, NULL, MS_REMOUNT, "size=32m"), 0, "remount: %s",
                     strerror(errno));
        _cleanup_free_ char *ok = sfx_import(dir, aci, NULL, NULL);
        cr_expect_str_eq(ok, id);
        sfx_assert_consistent(dir);
        cr_assert_eq(umount2(dir, MNT_DETACH), 0);
}

/* Disk full while rendering: the image is stored (a 6 MiB blob on a 10 MiB tmpfs), its tree
 * does not fit next to it; the render fails cleanly, leaves no half tree, and works once
 * there is room. An import that renders in the same pass fails as a whole. */
Test(store_crash, disk_full_while_rendering)
{
        cr_assert_eq(mkdir(dir, 0700), 0);
        cr_assert_eq(mount("tmpfs", dir, "tmpfs", 0, "size=10m,mode=0700"), 0, "mount: %s",
                     strerror(errno));
        _cleanup_free_ char *m = sfx_manifest("example.com/wide", NULL, NULL);
        _cleanup_free_ char *layout = sfx_layout(work, "wide", m);
        for (int f = 0; f < 3; f++) {
                _cleanup_free_ char *p = sfx_fmt("%s/rootfs/r%d", layout, f);
                int in = open("/dev/urandom", O_RDONLY), out = open(p, O_WRONLY | O_CREAT, 0644);
                char buf[65536];
                for (int i = 0; i < 32; i++) {
                        cr_assert_eq(read(in, buf, sizeof(buf)), (ssize_t)sizeof(buf));
                        cr_assert_eq(write(out, buf, sizeof(buf)), (ssize_t)sizeof(buf));
                }
                close(in);
                close(out);
        }
        _cleanup_free_ char *aci = sfx_fmt("%s/wide.aci", work);
        _cleanup_free_ char *id = sfx_build_aci(layout, aci, TAR_COMPRESSION_GZIP);
        _cleanup_free_ char *err = NULL, *err2 = NULL;

        /* rendering in the import pass: blob + tree do not fit, nothing stays */
        cr_expect_null(sfx_import_render(dir, aci, &err));
        cr_expect(err && strstr(err, "No space left on device"), "%s", err);
        struct sfx_counts c;
        sfx_count(dir, &c);
        cr_expect_eq(c.blobs + c.rows + c.manifests + c.tmp + c.trees, 0);

        /* the import alone fits; the render after it does not */
        _cleanup_free_ char *got = sfx_import(dir, aci, NULL, &err2);
        cr_assert_not_null(got, "%s", err2);
        struct store *s = NULL;
        _cleanup_free_ char *t = NULL, *p = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        cr_assert_eq(store_open(dir, 0, &s, NULL), 0);
        cr_expect_lt(store_render(s, id, &t, &p, &e), 0);
        cr_expect(strstr(ace_error_msg(e), "No space left on device"), "%s", ace_error_msg(e));
        sfx_count(dir, &c);
        cr_expect_eq(c.trees, 0, "no half-rendered tree");
        sfx_assert_consistent(dir);

        cr_assert_eq(mount(NULL, dir, NULL, MS_REMOUNT, "size=32m"), 0);
        cr_assert_eq(store_render(s, id, &t, &p, NULL), 0);
        cr_expect_eq(store_verify_tree(s, t, NULL), 0);
        store_close(s);
        sfx_assert_consistent(dir);
        cr_assert_eq(umount2(dir, MNT_DETACH), 0);
}
