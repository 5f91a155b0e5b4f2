/*
 * test_tar_pipeline.c - common/tar's two-thread unpacking (tar_unpack_fd, tar_unpacker_*), the
 * store's import path: every compression gives the plain tar's image ID through both entry
 * points, extraction works, and the one-thread reader's rules hold here too: a compressed
 * stream inside a compressed one and other archive formats are refused, and an xz stream whose
 * dictionary exceeds TAR_XZ_MEMLIMIT is refused without the memory (the store's own
 * decompression stage used to allow libarchive's 1 GiB).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/aci_builder.h"
#include "tests/lib/helpers.h"

static int memfd_of(const void *data, size_t len)
{
        int fd = memfd_create("aci", MFD_CLOEXEC);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
        cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

/* Through tar_unpack_fd (decompression in this thread). */
static int unpack_fd(const void *data, size_t len, int target, struct tar_result *res,
                     struct ace_error **err)
{
        _cleanup_close_ int fd = memfd_of(data, len);
        return tar_unpack_fd(fd, NULL, target, res, err);
}

/* Through tar_unpacker_* (a thread of its own), in odd-sized pieces as a download would. */
static int unpack_pushed(const void *data, size_t len, int target, struct tar_result *res,
                         struct ace_error **err)
{
        struct tar_unpacker *u = NULL;
        const unsigned char *p = data;
        int r = tar_unpacker_start(NULL, target, &u, err);

        cr_assert_eq(r, 0);
        for (size_t off = 0; off < len && r >= 0; off += 7919) {
                size_t n = len - off < 7919 ? len - off : 7919;
                r = tar_unpacker_write(u, p + off, n, err);
        }
        if (r < 0) {
                tar_unpacker_abort(u);
                return r;
        }
        return tar_unpacker_finish(u, res, err);
}

typedef int (*unpack_fn)(const void *, size_t, int, struct tar_result *, struct ace_error **);
static const unpack_fn paths[] = {unpack_fd, unpack_pushed};

Test(tar_pipeline, every_compression_gives_the_plain_tars_id)
{
        static const enum tar_compression cs[] = {TAR_COMPRESSION_NONE, TAR_COMPRESSION_GZIP,
                                                  TAR_COMPRESSION_BZIP2, TAR_COMPRESSION_XZ,
                                                  TAR_COMPRESSION_ZSTD};

        for (size_t i = 0; i < ARRAY_SIZE(cs); i++) {
                struct aci_builder *b = aci_builder_new(cs[i], true);
                const void *data, *tar;
                size_t len, tlen;
                char want[HASH_IMAGE_ID_SIZE];

                aci_add_minimal(b);
                aci_add_zero_file(b, "rootfs/zero", 3 << 20);
                aci_add_file(b, "rootfs/hello", 0644, "hello");
                aci_builder_finish(b, false, &data, &len);
                aci_builder_tar(b, &tar, &tlen);
                aci_image_id_of(tar, tlen, want);
                for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
                        struct ace_error *err = NULL;
                        struct tar_result res = {0};
                        int r = paths[k](data, len, -1, &res, &err);
                        cr_assert_eq(r, 0, "%s path %zu: %s", tar_compression_name(cs[i]), k,
                                     err ? err->msg : "");
                        cr_assert_str_eq(res.image_id, want, "%s", tar_compression_name(cs[i]));
                        cr_assert(res.manifest && res.manifest_len > 0);
                        tar_result_done(&res);
                }
                aci_builder_free(b);
        }
}

Test(tar_pipeline, extracts_into_the_target)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *data;
        size_t len;

        aci_add_minimal(b);
        aci_add_file(b, "rootfs/etc/greeting", 0640, "hi there");
        aci_builder_finish(b, false, &data, &len);
        for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
                _cleanup_free_ char *dir = th_mkdtemp("ace-test-pipeline");
                _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct ace_error *err = NULL;
                struct tar_result res = {0};
                cr_assert_eq(paths[k](data, len, dfd, &res, &err), 0, "%s", err ? err->msg : "");
                _cleanup_free_ char *p = xasprintf("%s/rootfs/etc/greeting", dir);
                _cleanup_free_ char *got = th_read_file(p);
                cr_assert_str_eq(got, "hi there");
                tar_result_done(&res);
                th_rm_rf(dir);
        }
        aci_builder_free(b);
}

static size_t xz_encode(const void *in, size_t len, unsigned char *out, size_t cap)
{
        size_t pos = 0;
        cr_assert_eq(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in, len, out, &pos, cap),
                     LZMA_OK);
        return pos;
}

/* xz(gzip(tar)): the worker would detect and undo the inner gzip too; refused before that. */
Test(tar_pipeline, nested_compression_refused)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *gz;
        size_t gzlen;

        aci_add_minimal(b);
        aci_builder_finish(b, false, &gz, &gzlen);
        size_t cap = gzlen + 65536;
        _cleanup_free_ unsigned char *xz = xmalloc(cap);
        size_t xlen = xz_encode(gz, gzlen, xz, cap);
        for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
                struct ace_error *err = NULL;
                struct tar_result res = {0};
                int r = paths[k](xz, xlen, -1, &res, &err);
                cr_assert_eq(r, -EPROTONOSUPPORT, "path %zu: %d %s", k, r, err ? err->msg : "");
                cr_assert(strstr(err->msg, "nested or corrupt xz stream"), "%s", err->msg);
                ace_error_free(err);
        }
        aci_builder_free(b);
}

Test(tar_pipeline, other_formats_refused_by_magic)
{
        void *zip;
        size_t len;

        aci_build_other_format("zip", &zip, &len);
        for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
                struct ace_error *err = NULL;
                struct tar_result res = {0};
                cr_assert_eq(paths[k](zip, len, -1, &res, &err), -EPROTONOSUPPORT);
                cr_assert(strstr(err->msg, "zip archive refused"), "%s", err->msg);
                ace_error_free(err);
        }
        free(zip);
}

/* The LZMA2 dictionary-size property of the first block set to 768 MiB (under libarchive's
 * 1 GiB, over TAR_XZ_MEMLIMIT), block header CRC fixed. */
static void xz_patch_dict(unsigned char *b)
{
        size_t hsize = ((size_t)b[12] + 1) * 4, pos = 14;
        unsigned flags = b[13];

        if (flags & 0x40)
                while (b[pos++] & 0x80)
                        ;
        if (flags & 0x80)
                while (b[pos++] & 0x80)
                        ;
        cr_assert_eq(b[pos], 0x21, "LZMA2 filter expected");
        b[pos + 2] = 38;
        uint32_t crc = lzma_crc32(b + 12, hsize - 4, 0);
        for (int i = 0; i < 4; i++)
                b[12 + hsize - 4 + i] = (unsigned char)(crc >> (8 * i));
}

Test(tar_pipeline, xz_decoder_memory_is_bounded_here_too)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, true);
        const void *data, *tar;
        size_t len, tlen;
        struct rusage ru;

        aci_add_minimal(b);
        aci_add_zero_file(b, "rootfs/zero", 4 << 20);
        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        size_t cap = tlen + 65536;
        _cleanup_free_ unsigned char *xz = xmalloc(cap);
        size_t xlen = xz_encode(tar, tlen, xz, cap);
        xz_patch_dict(xz);
        for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
                struct ace_error *err = NULL;
                struct tar_result res = {0};
                cr_assert_eq(paths[k](xz, xlen, -1, &res, &err), -EFBIG, "path %zu", k);
                cr_assert(strstr(err->msg, "dictionary too large"), "%s", err->msg);
                ace_error_free(err);
        }
        cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
        cr_assert_lt(ru.ru_maxrss, 256 * 1024, "RSS %ld KiB", ru.ru_maxrss);
        aci_builder_free(b);
}

/* The worker's refusal (a bad entry) is the error returned, not the stage's EPIPE. */
Test(tar_pipeline, the_workers_error_wins)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *data;
        size_t len;

        aci_add_minimal(b);
        aci_add_zero_file(b, "rootfs/pad", 8 << 20); /* more than the push ring holds */
        aci_add_file(b, "etc/outside", 0644, "not under rootfs");
        aci_builder_finish(b, false, &data, &len);
        for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
                struct ace_error *err = NULL;
                struct tar_result res = {0};
                int r = paths[k](data, len, -1, &res, &err);
                cr_assert_lt(r, 0);
                cr_assert(strstr(err->msg, "etc/outside"), "path %zu: %s", k, err->msg);
                ace_error_free(err);
        }
        aci_builder_free(b);
}
