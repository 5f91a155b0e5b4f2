/*
 * tar_write.c - writes a layout directory (manifest + rootfs/) as an ACI (see tar.h).
 *
 * Two libarchive writers in a chain: a pax-restricted tar writer whose output callback hashes
 * the uncompressed stream (the image ID) and hands it to a raw-format writer carrying the one
 * compression filter, which writes to the output fd. The raw writer does no blocking, so
 * nothing is padded after the compressed stream. The tar walk is deterministic: `manifest`,
 * then `rootfs` depth-first with names sorted bytewise; with source_date_epoch, mtimes are
 * clamped and the gzip header has no timestamp, so equal trees give equal bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/tar_internal.h"
#include "common/xalloc.h"

struct link_seen {
        dev_t dev;
        ino_t ino;
        char *path;
};

struct writer {
        const struct tar_write_opts *o;
        int out_fd;
        struct archive *tar;  /* tar format, no filter */
        struct archive *comp; /* raw format + compression filter, or NULL */
        struct hash_sha512 hash;
        struct ace_error *err; /* from the callbacks */
        struct link_seen *links;
        size_t n_links, cap_links;
        unsigned char *buf;
};

void tar_write_opts_init(struct tar_write_opts *o)
{
        *o = (struct tar_write_opts){.compression = TAR_COMPRESSION_GZIP};
}

static la_ssize_t out_write_cb(struct archive *a, void *ud, const void *buf, size_t len)
{
        struct writer *w = ud;

        if (fs_write_all(w->out_fd, buf, len, &w->err) < 0) {
                archive_set_error(a, EIO, "%s", ace_error_msg(w->err));
                return -1;
        }
        return (la_ssize_t)len;
}

/* The tar writer's output: hash it (the image ID), then compress or write it. */
static la_ssize_t tar_write_cb(struct archive *a, void *ud, const void *buf, size_t len)
{
        struct writer *w = ud;

        hash_sha512_update(&w->hash, buf, len);
        if (!w->comp)
                return out_write_cb(a, ud, buf, len);
        if (archive_write_data(w->comp, buf, len) != (la_ssize_t)len) {
                if (!w->err)
                        ace_error_make(&w->err, EIO, "compressing: %s",
                                       archive_error_string(w->comp));
                archive_set_error(a, EIO, "%s", ace_error_msg(w->err));
                return -1;
        }
        return (la_ssize_t)len;
}

static int writer_error(struct writer *w, struct archive *a, const char *what,
                        struct ace_error **err)
{
        if (w->err) {
                int code = w->err->code;
                if (err) {
                        ace_error_free(*err);
                        *err = TAKE_PTR(w->err);
                }
                return -code;
        }
        return ace_error_make(err, EIO, "%s: %s", what,
                              archive_error_string(a) ? archive_error_string(a) : "write failed");
}

static int add_filter(struct writer *w, struct ace_error **err)
{
        struct archive *c = w->comp;
        const char *fname = tar_compression_name(w->o->compression);
        int r;
        char level[16];

        switch (w->o->compression) {
        case TAR_COMPRESSION_GZIP:
                r = archive_write_add_filter_gzip(c);
                /* No mtime in the gzip header: reproducible output. */
                if (r == ARCHIVE_OK)
                        r = archive_write_set_filter_option(c, "gzip", "timestamp", NULL);
                break;
        case TAR_COMPRESSION_BZIP2:
                r = archive_write_add_filter_bzip2(c);
                break;
        case TAR_COMPRESSION_XZ:
                r = archive_write_add_filter_xz(c);
                break;
        case TAR_COMPRESSION_ZSTD:
                r = archive_write_add_filter_zstd(c);
                break;
        default:
                return ace_error_make(err, EINVAL, "bad compression");
        }
        if (r != ARCHIVE_OK)
                return ace_error_make(err, ENOTSUP,
                                      "%s compression is not built into libarchive: %s", fname,
                                      archive_error_string(c) ? archive_error_string(c) : "");
        if (w->o->level > 0) {
                snprintf(level, sizeof(level), "%d", w->o->level);
                if (archive_write_set_filter_option(c, NULL, "compression-level", level) !=
                    ARCHIVE_OK)
                        return ace_error_make(err, EINVAL, "%s: bad compression level %d", fname,
                                              w->o->level);
        }
        return 0;
}

static int open_writers(struct writer *w, struct ace_error **err)
{
        int r;

        if (w->o->compression != TAR_COMPRESSION_NONE) {
                struct archive_entry *e;
                w->comp = archive_write_new();
                if (!w->comp)
                        return ace_error_make(err, ENOMEM, "cannot allocate a compressor");
                archive_write_set_format_raw(w->comp);
                if ((r = add_filter(w, err)) < 0)
                        return r;
                archive_write_set_bytes_per_block(w->comp, 0);
                if (archive_write_open2(w->comp, w, NULL, out_write_cb, NULL, NULL) != ARCHIVE_OK)
                        return writer_error(w, w->comp, "opening the compressor", err);
                e = archive_entry_new();
                archive_entry_set_pathname(e, "data");
                archive_entry_set_filetype(e, AE_IFREG);
                r = archive_write_header(w->comp, e);
                archive_entry_free(e);
                if (r != ARCHIVE_OK)
                        return writer_error(w, w->comp, "opening the compressor", err);
        }
        w->tar = archive_write_new();
        if (!w->tar)
                return ace_error_make(err, ENOMEM, "cannot allocate a tar writer");
        archive_write_set_format_pax_restricted(w->tar);
        if (archive_write_open2(w->tar, w, NULL, tar_write_cb, NULL, NULL) != ARCHIVE_OK)
                return writer_error(w, w->tar, "opening the tar writer", err);
        return 0;
}

static void set_common(struct writer *w, struct archive_entry *e, const char *name,
                       const struct stat *st)
{
        struct timespec mt = st->st_mtim;

        if (w->o->has_source_date_epoch && mt.tv_sec >= w->o->source_date_epoch) {
                mt.tv_sec = w->o->source_date_epoch;
                mt.tv_nsec = 0;
        }
        archive_entry_set_pathname(e, name);
        archive_entry_set_mode(e, st->st_mode);
        archive_entry_set_mtime(e, mt.tv_sec, mt.tv_nsec);
        if (w->o->owner_root) {
                archive_entry_set_uid(e, 0);
                archive_entry_set_gid(e, 0);
                archive_entry_set_uname(e, "root");
                archive_entry_set_gname(e, "root");
        } else {
                archive_entry_set_uid(e, st->st_uid);
                archive_entry_set_gid(e, st->st_gid);
        }
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* xattrs in sorted order (the listing order is the filesystem's). */
static int add_xattrs(struct archive_entry *e, int fd, const char *name, struct ace_error **err)
{
        ssize_t n = flistxattr(fd, NULL, 0);
        _cleanup_free_ char *list = NULL;
        _cleanup_free_ char **keys = NULL;
        size_t nk = 0;

        if (n <= 0)
                return n < 0 && errno != ENOTSUP
                           ? ace_error_errno(err, errno, "%s: list xattrs", name)
                           : 0;
        list = xmalloc((size_t)n);
        n = flistxattr(fd, list, (size_t)n);
        if (n < 0)
                return ace_error_errno(err, errno, "%s: list xattrs", name);
        keys = xcalloc((size_t)n, sizeof(*keys));
        for (char *k = list; k < list + n; k += strlen(k) + 1)
                keys[nk++] = k;
        qsort(keys, nk, sizeof(*keys), cmp_str);
        for (size_t i = 0; i < nk; i++) {
                ssize_t vl = fgetxattr(fd, keys[i], NULL, 0);
                if (vl < 0)
                        return ace_error_errno(err, errno, "%s: get xattr %s", name, keys[i]);
                _cleanup_free_ char *v = xmalloc((size_t)vl + 1);
                vl = fgetxattr(fd, keys[i], v, (size_t)vl);
                if (vl < 0)
                        return ace_error_errno(err, errno, "%s: get xattr %s", name, keys[i]);
                archive_entry_xattr_add_entry(e, keys[i], v, (size_t)vl);
        }
        return 0;
}

static int write_header(struct writer *w, struct archive_entry *e, const char *name,
                        struct ace_error **err)
{
        if (archive_write_header(w->tar, e) < ARCHIVE_WARN)
                return writer_error(w, w->tar, name, err);
        return 0;
}

static int write_file_data(struct writer *w, int fd, const struct stat *st, const char *name,
                           struct ace_error **err)
{
        uint64_t total = 0;

        for (;;) {
                ssize_t n = TEMP_FAILURE_RETRY(read(fd, w->buf, 1 << 20));
                if (n < 0)
                        return ace_error_errno(err, errno, "%s: read", name);
                if (n == 0)
                        break;
                total += (uint64_t)n;
                if (total > (uint64_t)st->st_size)
                        return ace_error_make(err, EIO, "%s: file grew while being archived", name);
                if (archive_write_data(w->tar, w->buf, (size_t)n) != n)
                        return writer_error(w, w->tar, name, err);
        }
        if (total != (uint64_t)st->st_size)
                return ace_error_make(err, EIO, "%s: file shrank while being archived", name);
        return 0;
}

static int write_tree(struct writer *w, int pfd, const char *base, const char *name,
                      struct ace_error **err);

static int write_dir_children(struct writer *w, int fd, const char *name, struct ace_error **err)
{
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        _cleanup_closedir_ DIR *d = NULL;
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        int r = 0;

        if (dfd < 0)
                return ace_error_errno(err, errno, "%s: dup", name);
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return ace_error_errno(err, errno, "%s: opendir", name);
        }
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        names = xgrow(names, &cap, n + 1, sizeof(*names));
                        names[n++] = xstrdup(de->d_name);
                }
        if (n)
                qsort(names, n, sizeof(*names), cmp_str);
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *child = xasprintf("%s/%s", name, names[i]);
                r = write_tree(w, fd, names[i], child, err);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

/* A second name of an inode already written becomes a tar hard link. */
static const char *seen_link(struct writer *w, const struct stat *st, const char *name)
{
        if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
                return NULL;
        for (size_t i = 0; i < w->n_links; i++)
                if (w->links[i].dev == st->st_dev && w->links[i].ino == st->st_ino)
                        return w->links[i].path;
        w->links = xgrow(w->links, &w->cap_links, w->n_links + 1, sizeof(*w->links));
        w->links[w->n_links++] = (struct link_seen){st->st_dev, st->st_ino, xstrdup(name)};
        return NULL;
}

static int write_tree(struct writer *w, int pfd, const char *base, const char *name,
                      struct ace_error **err)
{
        struct archive_entry *e = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r = 0;

        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "%s: stat", name);
        if (S_ISSOCK(st.st_mode))
                return 0; /* sockets cannot be archived: skipped, as the reference actool */
        e = archive_entry_new();
        set_common(w, e, name, &st);
        const char *link = seen_link(w, &st, name);
        if (link) {
                archive_entry_set_hardlink(e, link);
                archive_entry_set_size(e, 0);
                r = write_header(w, e, name, err);
        } else if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
                fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        r = ace_error_errno(err, errno, "%s: open", name);
                if (r >= 0)
                        r = add_xattrs(e, fd, name, err);
                if (r >= 0 && S_ISREG(st.st_mode))
                        archive_entry_set_size(e, st.st_size);
                if (r >= 0)
                        r = write_header(w, e, name, err);
                if (r >= 0 && S_ISREG(st.st_mode))
                        r = write_file_data(w, fd, &st, name, err);
                if (r >= 0 && S_ISDIR(st.st_mode))
                        r = write_dir_children(w, fd, name, err);
        } else if (S_ISLNK(st.st_mode)) {
                _cleanup_free_ char *target = xmalloc((size_t)st.st_size + 2);
                ssize_t n = readlinkat(pfd, base, target, (size_t)st.st_size + 1);
                if (n < 0 || n > st.st_size)
                        r = ace_error_errno(err, n < 0 ? errno : EIO, "%s: readlink", name);
                else {
                        target[n] = '\0';
                        archive_entry_set_symlink(e, target);
                        r = write_header(w, e, name, err);
                }
        } else {
                archive_entry_set_rdev(e, st.st_rdev);
                r = write_header(w, e, name, err);
        }
        archive_entry_free(e);
        return r;
}

static int write_manifest_entry(struct writer *w, int layout, struct ace_error **err)
{
        _cleanup_free_ char *data = NULL;
        const void *bytes = w->o->manifest;
        size_t len = w->o->manifest_len;
        struct archive_entry *e;
        struct stat st;
        int r;

        if (fstatat(layout, "manifest", &st, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "manifest");
        if (!S_ISREG(st.st_mode))
                return ace_error_make(err, EINVAL, "manifest: not a regular file");
        if (!bytes) {
                r = fs_read_file_at(layout, "manifest", TAR_DEFAULT_MAX_MANIFEST_SIZE, &data, &len,
                                    err);
                if (r < 0)
                        return r;
                bytes = data;
        }
        e = archive_entry_new();
        set_common(w, e, "manifest", &st);
        archive_entry_set_size(e, (la_int64_t)len);
        r = write_header(w, e, "manifest", err);
        archive_entry_free(e);
        if (r >= 0 && len && archive_write_data(w->tar, bytes, len) != (la_ssize_t)len)
                r = writer_error(w, w->tar, "manifest", err);
        return r;
}

int tar_write_aci(int layout_dirfd, int out_fd, const struct tar_write_opts *opts,
                  char image_id[HASH_IMAGE_ID_SIZE], struct ace_error **err)
{
        struct tar_write_opts defaults;
        struct writer w = {.out_fd = out_fd};
        struct stat st;
        int r;

        if (!opts) {
                tar_write_opts_init(&defaults);
                opts = &defaults;
        }
        w.o = opts;
        if (fstatat(layout_dirfd, "rootfs", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                return ace_error_make(err, EINVAL, "rootfs: missing or not a directory");
        w.buf = xmalloc(1 << 20);
        r = hash_sha512_init(&w.hash, err);
        if (r >= 0)
                r = open_writers(&w, err);
        if (r >= 0)
                r = write_manifest_entry(&w, layout_dirfd, err);
        if (r >= 0)
                r = write_tree(&w, layout_dirfd, "rootfs", "rootfs", err);
        /* Close the tar writer first: its trailer and padding flow into the compressor. */
        if (r >= 0 && archive_write_close(w.tar) != ARCHIVE_OK)
                r = writer_error(&w, w.tar, "finishing the tar", err);
        if (r >= 0 && w.comp && archive_write_close(w.comp) != ARCHIVE_OK)
                r = writer_error(&w, w.comp, "finishing the compression", err);
        if (r >= 0)
                r = hash_sha512_final_image_id(&w.hash, image_id, err);
        archive_write_freep(&w.tar);
        archive_write_freep(&w.comp);
        hash_sha512_free(&w.hash);
        for (size_t i = 0; i < w.n_links; i++)
                free(w.links[i].path);
        free(w.links);
        free(w.buf);
        ace_error_free(w.err);
        return r;
}

/* ---- rewrite ------------------------------------------------------------------------------- */

/* Copies one entry's header and data from the reader to the tar writer, unchanged. */
static int copy_entry(struct writer *w, struct tar_stream *s, struct archive_entry *e,
                      const struct tar_entry_info *info, struct ace_error **err)
{
        const void *block;
        size_t len;
        la_int64_t off;

        if (archive_write_header(w->tar, e) < ARCHIVE_WARN)
                return writer_error(w, w->tar, info->name, err);
        for (;;) {
                int h = archive_read_data_block(s->tar, &block, &len, &off);
                if (h == ARCHIVE_EOF)
                        break;
                if (h < ARCHIVE_WARN)
                        return tar_stream_error(s, s->tar, info->name, err);
                if (len && archive_write_data(w->tar, block, len) != (la_ssize_t)len)
                        return writer_error(w, w->tar, info->name, err);
        }
        return 0;
}

static int write_new_manifest(struct writer *w, struct ace_error **err)
{
        struct archive_entry *e = archive_entry_new();
        struct stat st = {.st_mode = S_IFREG | 0644};
        int r;

        st.st_mtim.tv_sec = w->o->has_source_date_epoch ? w->o->source_date_epoch : time(NULL);
        set_common(w, e, "manifest", &st);
        archive_entry_set_size(e, (la_int64_t)w->o->manifest_len);
        r = write_header(w, e, "manifest", err);
        archive_entry_free(e);
        if (r >= 0 && w->o->manifest_len &&
            archive_write_data(w->tar, w->o->manifest, w->o->manifest_len) !=
                (la_ssize_t)w->o->manifest_len)
                r = writer_error(w, w->tar, "manifest", err);
        return r;
}

int tar_rewrite_aci(const struct tar_input *in, int out_fd, const struct tar_write_opts *opts,
                    char image_id[HASH_IMAGE_ID_SIZE], struct ace_error **err)
{
        struct writer w = {.out_fd = out_fd, .o = opts};
        struct tar_limits limits;
        struct tar_stream s;
        struct tar_rules rules;
        char in_id[HASH_IMAGE_ID_SIZE];
        int r;

        if (!opts || !opts->manifest)
                return ace_error_make(err, EINVAL, "rewriting an ACI needs the new manifest");
        tar_limits_default(&limits);
        tar_rules_init(&rules, &limits);
        r = hash_sha512_init(&w.hash, err);
        if (r >= 0)
                r = tar_stream_open(&s, in, limits.max_stream_size, NULL, NULL, err);
        if (r < 0) {
                tar_rules_done(&rules);
                hash_sha512_free(&w.hash);
                return r;
        }
        r = open_writers(&w, err);
        if (r >= 0)
                r = write_new_manifest(&w, err);
        while (r >= 0) {
                struct archive_entry *e;
                struct tar_entry_info info;
                int h = archive_read_next_header(s.tar, &e);
                if (h == ARCHIVE_EOF)
                        break;
                if (h < ARCHIVE_WARN) {
                        r = tar_stream_error(&s, s.tar, "reading tar", err);
                        break;
                }
                /* Every entry passes the same rules as a scan before it is copied. */
                r = tar_rules_check(&rules, e, &info, err);
                if (r < 0)
                        break;
                if (info.kind == TAR_ENTRY_MANIFEST) {
                        if (archive_read_data_skip(s.tar) < ARCHIVE_WARN)
                                r = tar_stream_error(&s, s.tar, info.name, err);
                        continue;
                }
                archive_entry_set_pathname(e, info.name);
                r = copy_entry(&w, &s, e, &info, err);
        }
        if (r >= 0)
                r = tar_rules_finish(&rules, err);
        if (r >= 0)
                r = tar_stream_finish(&s, in_id, err);
        if (r >= 0 && archive_write_close(w.tar) != ARCHIVE_OK)
                r = writer_error(&w, w.tar, "finishing the tar", err);
        if (r >= 0 && w.comp && archive_write_close(w.comp) != ARCHIVE_OK)
                r = writer_error(&w, w.comp, "finishing the compression", err);
        if (r >= 0)
                r = hash_sha512_final_image_id(&w.hash, image_id, err);
        tar_stream_close(&s);
        tar_rules_done(&rules);
        archive_write_freep(&w.tar);
        archive_write_freep(&w.comp);
        hash_sha512_free(&w.hash);
        ace_error_free(w.err);
        return r;
}
