/*
 * internal.h - what the files of stage0/store share and nobody else needs: the store struct,
 * object paths, key locks and the test pause points.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/lock.h"
#include "stage0/store/store.h"

struct sqlite3;
struct db_image;
struct ace_image_manifest;

struct store {
        char *dir; /* data dir, absolute */
        char *cas; /* <dir>/cas */
        int dir_fd;
        int cas_fd;
        int blob_fd;      /* cas/blob/sha512 */
        int manifest_fd;  /* cas/imageManifest/sha512 */
        int tmp_fd;       /* cas/tmp */
        int tree_fd;      /* cas/tree */
        int imagelock_fd; /* cas/imagelocks */
        int treelock_fd;  /* cas/treestorelocks */
        int locks_fd;     /* <dir>/locks */
        struct sqlite3 *db;
};

/* "<hh>/<id>" for a validated full ID (blob and manifest files live in a per-<hh> subdir). */
char *store_object_name(const char *id);
/* Creates the <hh> subdir of id under dirfd if missing (0700). */
int store_object_dir(int dirfd, const char *id, struct ace_error **err);

/* Key locks (image and tree locks): opens dirfd/name, creating it, takes the lock and checks
 * that the path still names the locked inode (a remover unlinks a lock file while holding it
 * exclusively; whoever was waiting on the old inode retries on the new one). flags:
 * LOCK_NONBLOCK. Returns the fd. */
int store_lock_key(int dirfd, const char *name, enum lock_mode mode, unsigned flags,
                   const char *what, struct ace_error **err);
/* Unlinks the key lock file `name` while its exclusive lock is held on fd, then closes fd. */
void store_unlock_remove_key(int dirfd, const char *name, int fd);

/* store_read_manifest / store_get_manifest / store_open_blob without updating last-used
 * (each update is a db write): for the store's own reads, which record use once at the end. */
int store_read_manifest_quiet(struct store *s, const char *id, char **ret_buf, size_t *ret_len,
                              struct ace_error **err);
int store_get_manifest_quiet(struct store *s, const char *id, struct ace_image_manifest **ret,
                             struct ace_error **err);
int store_open_blob_quiet(struct store *s, const char *id, struct ace_error **err);

/* Current time in ns since the epoch (CLOCK_REALTIME). */
int64_t store_now(void);

/* Completes a tree whose rootfs/ is extracted (tree.c): writes manifest (of the top image,
 * the last layer), layers, image and hash, syncs the filesystem, then the rendered marker. */
int store_tree_finish(struct store *s, int tree_fd, char *const *layer_ids, size_t n,
                      uint64_t *ret_size, struct ace_error **err);
/* Makes cas/tree/<tmp_name> (rootfs/ extracted by an import, tmp_fd its fd) the rendered tree
 * of the dependency-less image id, unless that tree is already rendered. The caller removes
 * tmp_name if it is still there afterwards. */
int store_tree_adopt(struct store *s, const char *id, const char *tmp_name, int tmp_fd,
                     struct ace_error **err);

/* Converts a db row into a public record (labels copied). */
struct store_image *store_image_from_db(const struct db_image *row);

/*
 * Test pause points. With ACE_TEST_PAUSE_AT=<name>[,<name>...] and ACE_TEST_PAUSE_FIFO=<path>
 * in the environment, reaching a listed point writes "<name>\n" to the fifo (blocking until
 * the test reads), then waits until the test writes a byte back to it (or closes it), so a
 * test can kill -9 the process exactly there or let it go on. Points: tmp-created,
 * blob-written, blob-renamed, manifest-written, db-commit (inside the transaction),
 * db-committed, render-layer (after each layer), render-hashed (before the marker), gc-listed.
 * Without the variables this is a getenv and nothing else.
 */
void store_test_point(const char *name);
