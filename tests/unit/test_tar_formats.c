/*
 * test_tar_formats.c - input formats an attacker may send instead of a plain ACI (T-35, T-36,
 * T-33): real zip/cpio/iso9660/7z archives and junk refused by magic, nested compression,
 * truncation at every 10%, an xz stream whose dictionary exceeds the decoder memory limit,
 * concatenated and truncated xz streams.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/aci_builder.h"
#include "tests/lib/testfs.h"

/* ---- cases that need more than the table ---------------------------------------------------- */

static void expect_format_refused(const void *data, size_t len, const char *needle)
{
        struct ace_error *err = NULL;
        struct tar_result res;
        struct tar_input in = tar_input_memory(data, len);
        int r = tar_read_manifest(&in, NULL, &res, &err);

        cr_assert_lt(r, 0, "a %s archive was accepted", needle);
        cr_assert(strstr(err->msg, needle), "error \"%s\" does not name %s", err->msg, needle);
        cr_assert_eq(r, -EPROTONOSUPPORT, "%s: %d", err->msg, r);
        ace_error_free(err);
}

/* T-35: real zip, cpio and iso9660 archives (made by libarchive) are refused by magic, before
 * any parser runs; so are 7z and a random blob. */
Test(tar_formats, other_formats_refused)
{
        static const struct {
                const char *format, *needle;
        } f[] = {{"zip", "zip"},
                 {"cpio", "cpio"},
                 {"newc", "cpio (newc)"},
                 {"iso9660", "iso9660"},
                 {"7zip", "7z"}};

        for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
                void *data;
                size_t len;
                aci_build_other_format(f[i].format, &data, &len);
                expect_format_refused(data, len, f[i].needle);
                free(data);
        }
        unsigned char junk[4096];
        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (unsigned char)(i * 7 + 3);
        expect_format_refused(junk, sizeof(junk), "unrecognized archive format");
        expect_format_refused("", 0, "empty input");
}

/* gzip(gzip(tar)): the inner stream is not a tar and no second filter is enabled. */
Test(tar_formats, nested_compression_refused)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        struct aci_builder *outer = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *inner;
        size_t ilen;
        struct ace_error *err = NULL;
        struct tar_result res;

        aci_add_minimal(b);
        aci_builder_finish(b, false, &inner, &ilen);
        aci_add_raw(outer, inner, ilen);
        const void *data;
        size_t len;
        aci_builder_finish(outer, true, &data, &len);
        struct tar_input in = tar_input_memory(data, len);
        cr_assert_lt(tar_read_manifest(&in, NULL, &res, &err), 0);
        /* libarchive would stack a second gzip filter: refused as nested. */
        cr_assert(strstr(err->msg, "nested or corrupt gzip"), "%s", err->msg);
        ace_error_free(err);
        aci_builder_free(b);
        aci_builder_free(outer);
}

/* A truncated gzip stream at several points: always an error, never a hang. */
Test(tar_formats, truncated_everywhere, .timeout = 30)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *data;
        size_t len;

        aci_add_minimal(b);
        for (int i = 0; i < 50; i++) {
                char name[32], body[200];
                snprintf(name, sizeof(name), "rootfs/f%d", i);
                memset(body, 'a' + i % 26, sizeof(body) - 1);
                body[sizeof(body) - 1] = '\0';
                aci_add_file(b, name, 0644, body);
        }
        aci_builder_finish(b, false, &data, &len);
        for (int pct = 0; pct < 100; pct += 10) {
                struct ace_error *err = NULL;
                struct tar_result res;
                struct tar_input in = tar_input_memory(data, len * (size_t)pct / 100);
                cr_assert_lt(tar_read_manifest(&in, NULL, &res, &err), 0, "cut at %d%%", pct);
                cr_assert(err && *err->msg);
                ace_error_free(err);
        }
        aci_builder_free(b);
}

/* ---- xz: bounded decoder memory (T-33), concatenated streams ----------------------------------
 */

static size_t xz_encode(const void *in, size_t len, unsigned char *out, size_t cap)
{
        size_t pos = 0;
        cr_assert_eq(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in, len, out, &pos, cap),
                     LZMA_OK);
        return pos;
}

/* Rewrites the LZMA2 dictionary-size property of the first block to 768 MiB (prop 38: under
 * libarchive's own 1 GiB limit, over ours) and
 * fixes the block header CRC: a valid stream whose decoder would need 768 MiB. */
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
        cr_assert_eq(b[pos + 1], 0x01);
        b[pos + 2] = 38;
        uint32_t crc = lzma_crc32(b + 12, hsize - 4, 0);
        for (int i = 0; i < 4; i++)
                b[12 + hsize - 4 + i] = (unsigned char)(crc >> (8 * i));
}

Test(tar_formats, xz_huge_dictionary_refused)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, true);
        const void *data, *tar;
        size_t len, tlen;
        struct ace_error *err = NULL;
        struct tar_result res;
        struct rusage ru;

        aci_add_minimal(b);
        aci_add_zero_file(b, "rootfs/zero", 4 << 20);
        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        size_t cap = tlen + 65536;
        unsigned char *xz = xmalloc(cap);
        size_t xlen = xz_encode(tar, tlen, xz, cap);
        /* Unpatched: decodes and hashes like the plain tar. */
        char want[HASH_IMAGE_ID_SIZE];
        aci_image_id_of(tar, tlen, want);
        struct tar_input in = tar_input_memory(xz, xlen);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s", err ? err->msg : "");
        cr_assert_str_eq(res.image_id, want);
        tar_result_done(&res);
        xz_patch_dict(xz);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), -EFBIG);
        cr_assert(strstr(err->msg, "dictionary too large"), "%s", err->msg);
        ace_error_free(err);
        cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
        cr_assert_lt(ru.ru_maxrss, 256 * 1024, "RSS %ld KiB", ru.ru_maxrss);
        free(xz);
        aci_builder_free(b);
}

/* `xz -dc` decodes concatenated streams; so does the reader, and the ID covers them all. */
Test(tar_formats, xz_concatenated_streams)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, true);
        const void *data, *tar;
        size_t len, tlen;
        struct ace_error *err = NULL;
        struct tar_result res;
        char want[HASH_IMAGE_ID_SIZE];

        aci_add_minimal(b);
        aci_add_file(b, "rootfs/a", 0644, "split across two xz streams");
        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        aci_image_id_of(tar, tlen, want);
        size_t cap = 2 * tlen + 65536, half = tlen / 2;
        unsigned char *xz = xmalloc(cap);
        size_t n1 = xz_encode(tar, half, xz, cap);
        size_t n2 = xz_encode((const char *)tar + half, tlen - half, xz + n1, cap - n1);
        struct tar_input in = tar_input_memory(xz, n1 + n2);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s", err ? err->msg : "");
        cr_assert_str_eq(res.image_id, want);
        tar_result_done(&res);
        /* Truncated xz: an error naming xz. */
        in = tar_input_memory(xz, n1 + n2 - 7);
        cr_assert_lt(tar_read_manifest(&in, NULL, &res, &err), 0);
        cr_assert(strstr(err->msg, "xz"), "%s", err->msg);
        ace_error_free(err);
        free(xz);
        aci_builder_free(b);
}
