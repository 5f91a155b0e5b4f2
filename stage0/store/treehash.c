/*
 * treehash.c - the tree store's integrity hash: sha512 over a deterministic walk of a
 * rendered tree (its `manifest` file and `rootfs/`), so `ace image verify` notices any change
 * to a rendered image (reliability.md T-47).
 *
 * Walk: depth-first, entries of each directory in bytewise name order, never following a
 * symlink, never leaving the tree's filesystem. Each entry contributes a record
 *
 *   <path> NUL <type> <mode> <uid> <gid> <size> <rdev> NUL <link target> NUL
 *   { <xattr name> NUL <value length> NUL <value> }* NUL [<sha512 of the contents>]
 *
 * (type one of d f l c b p s; mode the permission bits in octal; size and contents for
 * regular files only). mtimes and atimes are left out: touching a file is not tampering.
 * Contents are hashed per file with SHA-256 (about twice as fast as SHA-512 where the CPU
 * has SHA instructions, and this hash is ours, not an appc ID), by worker threads, so the
 * walk costs about one read of the tree spread over the CPUs; the records are hashed with
 * SHA-512.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/store/tree.h"
#include "stage0/store/treehash.h"

#define MAX_DEPTH 512
#define MAX_WORKERS 4
#define CONTENT_DIGEST_LEN 32 /* SHA-256 */

struct record {
        char *header; /* the record up to and including the xattrs; starts with the path */
        size_t header_len;
        bool regular; /* its contents are hashed */
        dev_t dev;    /* regular files: the inode seen by the walk, re-checked on open */
        ino_t ino;
        unsigned char digest[CONTENT_DIGEST_LEN];
        int error; /* errno of a failed content read */
};

struct walk {
        struct record *recs;
        size_t n, cap;
        uint64_t total_size;
        dev_t dev;
        int root_fd;
        /* content workers take records by index */
        atomic_size_t next;
};

static char type_char(mode_t m)
{
        switch (m & S_IFMT) {
        case S_IFDIR:
                return 'd';
        case S_IFREG:
                return 'f';
        case S_IFLNK:
                return 'l';
        case S_IFCHR:
                return 'c';
        case S_IFBLK:
                return 'b';
        case S_IFIFO:
                return 'p';
        default:
                return 's';
        }
}

static void buf_add(char **buf, size_t *len, size_t *cap, const void *data, size_t n)
{
        *buf = xgrow(*buf, cap, *len + n + 1, 1);
        memcpy(*buf + *len, data, n);
        *len += n;
}

/* Appends the entry's xattrs, sorted by name. `path` is a /proc/self/fd path or NULL when
 * fd is a regular file or directory opened for reading. */
static int add_xattrs(int fd, const char *proc_path, char **buf, size_t *len, size_t *cap,
                      struct ace_error **err)
{
        _cleanup_free_ char *names = NULL;
        _cleanup_strv_free_ char **list = NULL;
        ssize_t n;

        n = proc_path ? llistxattr(proc_path, NULL, 0) : flistxattr(fd, NULL, 0);
        if (n < 0 && (errno == ENOTSUP || errno == EPERM))
                return 0;
        if (n < 0)
                return ace_error_errno(err, errno, "list xattrs");
        if (n == 0)
                return 0;
        names = xmalloc((size_t)n + 1);
        n = proc_path ? llistxattr(proc_path, names, (size_t)n) : flistxattr(fd, names, (size_t)n);
        if (n < 0)
                return ace_error_errno(err, errno, "list xattrs");
        list = xcalloc(1, sizeof(char *));
        for (ssize_t off = 0; off < n; off += (ssize_t)strlen(names + off) + 1)
                list = strv_push(list, names + off);
        strv_sort(list);
        for (char **x = list; *x; x++) {
                char tmp[32];
                ssize_t vl =
                    proc_path ? lgetxattr(proc_path, *x, NULL, 0) : fgetxattr(fd, *x, NULL, 0);
                if (vl < 0)
                        return ace_error_errno(err, errno, "read xattr %s", *x);
                _cleanup_free_ char *val = xmalloc((size_t)vl + 1);
                vl = proc_path ? lgetxattr(proc_path, *x, val, (size_t)vl)
                               : fgetxattr(fd, *x, val, (size_t)vl);
                if (vl < 0)
                        return ace_error_errno(err, errno, "read xattr %s", *x);
                buf_add(buf, len, cap, *x, strlen(*x) + 1);
                int tl = snprintf(tmp, sizeof(tmp), "%zd", vl);
                buf_add(buf, len, cap, tmp, (size_t)tl + 1);
                buf_add(buf, len, cap, val, (size_t)vl);
        }
        return 0;
}

static int walk_dir(struct walk *w, int dirfd, const char *prefix, size_t depth,
                    struct ace_error **err);

/* Adds the record of dirfd/name (path = its tree-relative path) and recurses into dirs. */
static int walk_entry(struct walk *w, int dirfd, const char *name, const char *path, size_t depth,
                      struct ace_error **err)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *hdr = NULL;
        size_t len = 0, cap = 0;
        char link[4096] = "", proc[64], meta[160];
        struct stat st;
        int r;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "stat %s", path);
        if (st.st_dev != w->dev)
                return ace_error_make(err, EXDEV, "%s is on another filesystem", path);
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
                fd = openat(dirfd, name,
                            O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
                                (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
        else
                fd = openat(dirfd, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return ace_error_errno(err, errno, "open %s", path);
        if (S_ISLNK(st.st_mode)) {
                ssize_t l = readlinkat(dirfd, name, link, sizeof(link) - 1);
                if (l < 0)
                        return ace_error_errno(err, errno, "readlink %s", path);
                link[l] = '\0';
        }
        buf_add(&hdr, &len, &cap, path, strlen(path) + 1);
        int ml = snprintf(
            meta, sizeof(meta), "%c %o %u %u %" PRIu64 " %u:%u", type_char(st.st_mode),
            (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
            S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, major(st.st_rdev), minor(st.st_rdev));
        buf_add(&hdr, &len, &cap, meta, (size_t)ml + 1);
        buf_add(&hdr, &len, &cap, link, strlen(link) + 1);
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        r = add_xattrs(fd, S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? NULL : proc, &hdr, &len,
                       &cap, err);
        if (r < 0)
                return ace_error_wrap(err, "%s", path);
        buf_add(&hdr, &len, &cap, "", 1);
        w->total_size += (uint64_t)st.st_size;

        w->recs = xgrow(w->recs, &w->cap, w->n + 1, sizeof(*w->recs));
        w->recs[w->n++] = (struct record){
            .header = TAKE_PTR(hdr),
            .header_len = len,
            .regular = S_ISREG(st.st_mode),
            .dev = st.st_dev,
            .ino = st.st_ino,
        };
        if (S_ISDIR(st.st_mode))
                return walk_dir(w, fd, path, depth + 1, err);
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct walk *w, int dirfd, const char *prefix, size_t depth,
                    struct ace_error **err)
{
        _cleanup_strv_free_ char **names = xcalloc(1, sizeof(char *));
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int dup_fd;

        if (depth > MAX_DEPTH)
                return ace_error_make(err, ELOOP, "%s: tree deeper than %d levels", prefix,
                                      MAX_DEPTH);
        dup_fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
                int e = errno;
                if (dup_fd >= 0)
                        close(dup_fd);
                return ace_error_errno(err, e, "read directory %s", prefix);
        }
        errno = 0;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                names = strv_push(names, de->d_name);
        }
        if (errno)
                return ace_error_errno(err, errno, "read directory %s", prefix);
        qsort(names, strv_length(names), sizeof(char *), cmp_str);
        for (char **n = names; *n; n++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", prefix, *n);
                int r = walk_entry(w, dirfd, *n, path, depth, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Hashes the contents of one regular file, reopened beneath the tree root without following
 * any symlink, and checked to be the inode the walk saw. */
#define CONTENT_BUF_SIZE (1 << 20)

static void hash_content(struct walk *w, struct record *rec, char *buf)
{
        _cleanup_close_ int fd = -EBADF;
        EVP_MD_CTX *ctx = NULL;
        struct stat st;
        ssize_t n;

        fd = fs_openat_beneath_flags(w->root_fd, rec->header, O_RDONLY | O_NOFOLLOW | O_NOCTTY, 0,
                                     FS_RESOLVE_NO_SYMLINKS | FS_RESOLVE_NO_XDEV, NULL);
        if (fd < 0) {
                rec->error = -fd;
                return;
        }
        if (fstat(fd, &st) < 0 || st.st_ino != rec->ino || st.st_dev != rec->dev) {
                rec->error = ESTALE;
                return;
        }
        ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
                rec->error = ENOMEM;
                goto out;
        }
        while ((n = read(fd, buf, CONTENT_BUF_SIZE)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        rec->error = errno;
                        goto out;
                }
                EVP_DigestUpdate(ctx, buf, (size_t)n);
        }
        if (EVP_DigestFinal_ex(ctx, rec->digest, NULL) != 1)
                rec->error = EIO;
out:
        EVP_MD_CTX_free(ctx);
}

static void *content_worker(void *arg)
{
        struct walk *w = arg;
        _cleanup_free_ char *buf = xmalloc(CONTENT_BUF_SIZE);
        size_t i;

        while ((i = atomic_fetch_add(&w->next, 1)) < w->n)
                if (w->recs[i].regular)
                        hash_content(w, &w->recs[i], buf);
        return NULL;
}

static void hash_contents(struct walk *w)
{
        pthread_t th[MAX_WORKERS];
        size_t started = 0;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t workers = cpus < 1 ? 1 : (size_t)cpus > MAX_WORKERS ? MAX_WORKERS : (size_t)cpus;

        atomic_store(&w->next, 0);
        for (size_t i = 1; i < workers; i++)
                if (pthread_create(&th[started], NULL, content_worker, w) == 0)
                        started++;
        content_worker(w);
        for (size_t i = 0; i < started; i++)
                pthread_join(th[i], NULL);
}

int treehash_compute(int tree_dirfd, char **ret_hex, uint64_t *ret_size, struct ace_error **err)
{
        static const char *const top[] = {"manifest", "rootfs"};
        struct walk w = {0};
        struct hash_sha512 h;
        char hex[HASH_SHA512_HEX_LEN + 1];
        struct stat st;
        int r = 0;

        if (fstat(tree_dirfd, &st) < 0)
                return ace_error_errno(err, errno, "stat tree");
        w.dev = st.st_dev;
        w.root_fd = tree_dirfd;
        for (size_t i = 0; i < ARRAY_SIZE(top) && r >= 0; i++)
                r = walk_entry(&w, tree_dirfd, top[i], top[i], 0, err);
        if (r >= 0) {
                hash_contents(&w);
                r = hash_sha512_init(&h, err);
        }
        for (size_t i = 0; r >= 0 && i < w.n; i++) {
                if (w.recs[i].error) {
                        r = ace_error_errno(err, w.recs[i].error, "read %s", w.recs[i].header);
                        hash_sha512_free(&h);
                        break;
                }
                hash_sha512_update(&h, w.recs[i].header, w.recs[i].header_len);
                if (w.recs[i].regular)
                        hash_sha512_update(&h, w.recs[i].digest, CONTENT_DIGEST_LEN);
        }
        if (r >= 0)
                r = hash_sha512_final_hex(&h, hex, err);
        for (size_t i = 0; i < w.n; i++)
                free(w.recs[i].header);
        free(w.recs);
        if (r < 0)
                return r;
        *ret_hex = xstrdup(hex);
        if (ret_size)
                *ret_size = w.total_size;
        return 0;
}
