/* aci_builder.c - test helper that builds arbitrary ACIs (see aci_builder.h). */
#include "tests/lib/aci_builder.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/xalloc.h"

struct membuf {
        unsigned char *p;
        size_t len, cap;
};

struct aci_builder {
        struct archive *tar;
        struct archive *comp; /* raw + filter, NULL for none */
        struct membuf tarbuf, out;
        bool keep_tar, finished;
};

static void __attribute__((noreturn)) die(const char *what, struct archive *a)
{
        fprintf(stderr, "aci_builder: %s: %s\n", what, a ? archive_error_string(a) : "");
        abort();
}

static void mb_append(struct membuf *m, const void *p, size_t n)
{
        m->p = xgrow(m->p, &m->cap, m->len + n + 1, 1);
        memcpy(m->p + m->len, p, n);
        m->len += n;
}

static la_ssize_t out_cb(struct archive *a, void *ud, const void *buf, size_t len)
{
        (void)a;
        mb_append(&((struct aci_builder *)ud)->out, buf, len);
        return (la_ssize_t)len;
}

static void sink(struct aci_builder *b, const void *buf, size_t len)
{
        if (b->keep_tar)
                mb_append(&b->tarbuf, buf, len);
        if (!b->comp)
                mb_append(&b->out, buf, len);
        else if (archive_write_data(b->comp, buf, len) != (la_ssize_t)len)
                die("compress", b->comp);
}

static la_ssize_t tar_cb(struct archive *a, void *ud, const void *buf, size_t len)
{
        (void)a;
        sink(ud, buf, len);
        return (la_ssize_t)len;
}

struct aci_builder *aci_builder_new(enum tar_compression c, bool keep_tar)
{
        struct aci_builder *b = xcalloc(1, sizeof(*b));

        b->keep_tar = keep_tar;
        if (c != TAR_COMPRESSION_NONE) {
                struct archive_entry *e = archive_entry_new();
                b->comp = archive_write_new();
                archive_write_set_format_raw(b->comp);
                int r = c == TAR_COMPRESSION_GZIP    ? archive_write_add_filter_gzip(b->comp)
                        : c == TAR_COMPRESSION_BZIP2 ? archive_write_add_filter_bzip2(b->comp)
                        : c == TAR_COMPRESSION_XZ    ? archive_write_add_filter_xz(b->comp)
                                                     : archive_write_add_filter_zstd(b->comp);
                if (r != ARCHIVE_OK)
                        die("filter", b->comp);
                archive_write_set_bytes_per_block(b->comp, 0);
                if (archive_write_open2(b->comp, b, NULL, out_cb, NULL, NULL) != ARCHIVE_OK)
                        die("open comp", b->comp);
                archive_entry_set_pathname(e, "data");
                archive_entry_set_filetype(e, AE_IFREG);
                if (archive_write_header(b->comp, e) != ARCHIVE_OK)
                        die("comp header", b->comp);
                archive_entry_free(e);
        }
        b->tar = archive_write_new();
        /* Full pax: keeps sub-second mtimes (restricted pax rounds them to seconds). */
        archive_write_set_format_pax(b->tar);
        /* No blocking: raw headers interleave correctly with libarchive's output. */
        archive_write_set_bytes_per_block(b->tar, 0);
        if (archive_write_open2(b->tar, b, NULL, tar_cb, NULL, NULL) != ARCHIVE_OK)
                die("open tar", b->tar);
        return b;
}

void aci_builder_free(struct aci_builder *b)
{
        if (!b)
                return;
        if (b->tar)
                archive_write_free(b->tar);
        if (b->comp)
                archive_write_free(b->comp);
        free(b->tarbuf.p);
        free(b->out.p);
        free(b);
}

void aci_add(struct aci_builder *b, const struct aci_entry *x)
{
        struct archive_entry *e = archive_entry_new();
        mode_t type = x->type ? x->type : S_IFREG;
        mode_t perm = x->perm ? x->perm : (type == S_IFDIR ? 0755 : 0644);

        archive_entry_set_pathname(e, x->name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, perm);
        archive_entry_set_uid(e, x->uid);
        archive_entry_set_gid(e, x->gid);
        archive_entry_set_mtime(e, x->mtime ? x->mtime : 1000000000, x->mtime_nsec);
        if (x->linkname)
                archive_entry_set_symlink(e, x->linkname);
        if (x->hardlink) {
                archive_entry_set_hardlink(e, x->hardlink);
                archive_entry_set_size(e, 0);
        }
        if (type == S_IFCHR || type == S_IFBLK)
                archive_entry_set_rdev(e, makedev(x->dev_major, x->dev_minor));
        if (x->xattr_name)
                archive_entry_xattr_add_entry(e, x->xattr_name, x->xattr_value, x->xattr_len);
        if (type == S_IFREG && !x->hardlink) {
                int64_t size = x->data ? (int64_t)x->len : (x->size > 0 ? x->size : 0);
                archive_entry_set_size(e, size);
                if (x->sparse_hole) {
                        /* One 512-byte data region at the end, the rest a hole. */
                        archive_entry_set_size(e, x->size);
                        archive_entry_sparse_add_entry(e, x->size - 512, 512);
                }
        }
        if (archive_write_header(b->tar, e) < ARCHIVE_WARN)
                die(x->name, b->tar);
        if (x->data && x->len && archive_write_data(b->tar, x->data, x->len) != (la_ssize_t)x->len)
                die(x->name, b->tar);
        if (x->sparse_hole) {
                static const char block[512] = "sparse tail";
                (void)archive_write_data(b->tar, block, sizeof(block));
        }
        archive_entry_free(e);
}

void aci_add_file(struct aci_builder *b, const char *name, mode_t perm, const char *data)
{
        aci_add(b, &(struct aci_entry){
                       .name = name, .perm = perm, .data = data, .len = data ? strlen(data) : 0});
}

void aci_add_dir(struct aci_builder *b, const char *name, mode_t perm)
{
        aci_add(b, &(struct aci_entry){.name = name, .type = S_IFDIR, .perm = perm});
}

void aci_add_symlink(struct aci_builder *b, const char *name, const char *target)
{
        aci_add(b, &(struct aci_entry){
                       .name = name, .type = S_IFLNK, .perm = 0777, .linkname = target});
}

void aci_add_hardlink(struct aci_builder *b, const char *name, const char *target)
{
        aci_add(b, &(struct aci_entry){.name = name, .hardlink = target});
}

static void octal(char *dst, size_t width, uint64_t v)
{
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "%0*llo", (int)width - 1, (unsigned long long)v);
        memcpy(dst, tmp, width - 1);
}

void aci_add_raw_header(struct aci_builder *b, const char *name, char typeflag, uint64_t size,
                        const char *linkname)
{
        unsigned char h[512] = {0};
        unsigned sum = 0;

        /* libarchive pads the previous entry lazily: flush it before our bytes. */
        (void)archive_write_finish_entry(b->tar);
        snprintf((char *)h, 100, "%s", name);
        octal((char *)h + 100, 8, 0644);
        octal((char *)h + 108, 8, 0);
        octal((char *)h + 116, 8, 0);
        octal((char *)h + 124, 12, size);
        octal((char *)h + 136, 12, 1000000000);
        h[156] = (unsigned char)typeflag;
        if (linkname)
                snprintf((char *)h + 157, 100, "%s", linkname);
        memcpy(h + 257,
               "ustar\0"
               "00",
               8);
        memset(h + 148, ' ', 8);
        for (size_t i = 0; i < 512; i++)
                sum += h[i];
        snprintf((char *)h + 148, 8, "%06o", sum);
        sink(b, h, 512);
}

void aci_add_hardlink_payload(struct aci_builder *b, const char *name, const char *target,
                              const char *payload)
{
        size_t len = strlen(payload);
        unsigned char block[512] = {0};

        /* A pax extended header first: libarchive honours a hard link's size (reads its
         * payload) only in pax archives, which is the CVE-2016-5418 shape. */
        char rec[600], hdrbuf[512] = {0};
        int body = snprintf(rec, sizeof(rec), "path=%s\n", name);
        int total = body + 3;
        if (total >= 100)
                total++;
        snprintf(rec, sizeof(rec), "%d path=%s\n", total, name);
        aci_add_raw_header(b, "PaxHeader/h", 'x', strlen(rec), NULL);
        memcpy(hdrbuf, rec, strlen(rec) < 512 ? strlen(rec) : 511);
        sink(b, hdrbuf, 512);
        aci_add_raw_header(b, name, '1', len, target);
        memcpy(block, payload, len < 512 ? len : 512);
        sink(b, block, 512);
}

void aci_add_zero_file(struct aci_builder *b, const char *name, uint64_t len)
{
        static const unsigned char zeros[1 << 16];
        aci_add(b, &(struct aci_entry){.name = name, .size = (int64_t)len});
        for (uint64_t done = 0; done < len;) {
                size_t n = len - done < sizeof(zeros) ? (size_t)(len - done) : sizeof(zeros);
                if (archive_write_data(b->tar, zeros, n) != (la_ssize_t)n)
                        die(name, b->tar);
                done += n;
        }
}

void aci_add_raw(struct aci_builder *b, const void *data, size_t len)
{
        (void)archive_write_finish_entry(b->tar);
        sink(b, data, len);
}

void aci_add_manifest(struct aci_builder *b)
{
        aci_add_file(
            b, "manifest", 0644,
            "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/"
            "test\"}");
}

void aci_add_minimal(struct aci_builder *b)
{
        aci_add_manifest(b);
        aci_add_dir(b, "rootfs", 0755);
}

void aci_builder_finish(struct aci_builder *b, bool no_trailer, const void **ret, size_t *ret_len)
{
        if (!b->finished) {
                b->finished = true;
                if (no_trailer) {
                        /* Drop the writer without letting it write its end-of-archive blocks. */
                        archive_write_fail(b->tar);
                }
                if (archive_write_close(b->tar) != ARCHIVE_OK && !no_trailer)
                        die("close tar", b->tar);
                if (b->comp && archive_write_close(b->comp) != ARCHIVE_OK)
                        die("close comp", b->comp);
        }
        *ret = b->out.p;
        *ret_len = b->out.len;
}

void aci_builder_tar(struct aci_builder *b, const void **ret, size_t *ret_len)
{
        *ret = b->tarbuf.p;
        *ret_len = b->tarbuf.len;
}

void aci_builder_write_file(struct aci_builder *b, const char *path)
{
        const void *p;
        size_t n;
        FILE *f;

        aci_builder_finish(b, false, &p, &n);
        f = fopen(path, "we");
        if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
                die(path, NULL);
}

static la_ssize_t other_cb(struct archive *a, void *ud, const void *buf, size_t len)
{
        (void)a;
        mb_append(ud, buf, len);
        return (la_ssize_t)len;
}

void aci_build_other_format(const char *format, void **ret, size_t *ret_len)
{
        struct archive *a = archive_write_new();
        struct membuf m = {0};
        const char *names[] = {"manifest", "rootfs/x"};

        if (archive_write_set_format_by_name(a, format) != ARCHIVE_OK)
                die(format, a);
        if (archive_write_open2(a, &m, NULL, other_cb, NULL, NULL) != ARCHIVE_OK)
                die("open", a);
        for (size_t i = 0; i < 2; i++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, names[i]);
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 0644);
                archive_entry_set_size(e, 2);
                archive_entry_set_mtime(e, 1000000000, 0);
                if (archive_write_header(a, e) < ARCHIVE_WARN ||
                    archive_write_data(a, "{}", 2) != 2)
                        die(names[i], a);
                archive_entry_free(e);
        }
        if (archive_write_close(a) != ARCHIVE_OK)
                die("close", a);
        archive_write_free(a);
        *ret = m.p;
        *ret_len = m.len;
}

void aci_image_id_of(const void *data, size_t len, char id[HASH_IMAGE_ID_SIZE])
{
        struct hash_sha512 h;

        if (hash_sha512_init(&h, NULL) < 0)
                abort();
        hash_sha512_update(&h, data, len);
        if (hash_sha512_final_image_id(&h, id, NULL) < 0)
                abort();
}
