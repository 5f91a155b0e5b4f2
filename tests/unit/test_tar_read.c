/*
 * test_tar_read.c - the scan API: image ID = sha512 of the uncompressed stream for every
 * compression and every input kind (fd, memory, callback, push), the tee sees exactly those
 * bytes, the manifest comes back raw, names are normalised like filepath.Clean, and the
 * format/compression tables are complete and sorted.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/proc.h"
#include "common/tar.h"
#include "common/tar_internal.h"
#include "common/xalloc.h"
#include "tests/lib/aci_builder.h"
#include "tests/lib/helpers.h"

static const enum tar_compression all_comp[] = {TAR_COMPRESSION_NONE, TAR_COMPRESSION_GZIP,
                                                TAR_COMPRESSION_BZIP2, TAR_COMPRESSION_XZ,
                                                TAR_COMPRESSION_ZSTD};

static struct aci_builder *sample(enum tar_compression c)
{
        struct aci_builder *b = aci_builder_new(c, true);
        aci_add_minimal(b);
        aci_add_dir(b, "rootfs/bin", 0755);
        aci_add_file(b, "rootfs/bin/hello", 0755, "#!/bin/sh\necho hello\n");
        aci_add_symlink(b, "rootfs/bin/sh", "busybox");
        aci_add_hardlink(b, "rootfs/bin/hi", "rootfs/bin/hello");
        return b;
}

struct membuf {
        unsigned char *p;
        size_t len, cap;
};

static int tee_cb(void *ud, const void *buf, size_t len, struct ace_error **err)
{
        struct membuf *m = ud;
        (void)err;
        m->p = xgrow(m->p, &m->cap, m->len + len, 1);
        memcpy(m->p + m->len, buf, len);
        m->len += len;
        return 0;
}

Test(tar_read, image_id_is_sha512_of_uncompressed_stream_all_compressions)
{
        for (size_t i = 0; i < ARRAY_SIZE(all_comp); i++) {
                struct aci_builder *b = sample(all_comp[i]);
                const void *data, *tar;
                size_t len, tlen;
                char want[HASH_IMAGE_ID_SIZE];
                struct tar_result res;
                struct ace_error *err = NULL;
                struct membuf tee = {0};
                struct tar_read_opts o;

                aci_builder_finish(b, false, &data, &len);
                aci_builder_tar(b, &tar, &tlen);
                aci_image_id_of(tar, tlen, want);
                tar_read_opts_init(&o);
                o.tee = tee_cb;
                o.tee_userdata = &tee;
                struct tar_input in = tar_input_memory(data, len);
                cr_assert_eq(tar_read_manifest(&in, &o, &res, &err), 0, "%s", err ? err->msg : "");
                cr_assert_str_eq(res.image_id, want, "%s", tar_compression_name(all_comp[i]));
                cr_assert_eq(res.compression, all_comp[i]);
                cr_assert_eq(res.stream_size, tlen);
                cr_assert_eq(tee.len, tlen);
                cr_assert_eq(memcmp(tee.p, tar, tlen), 0, "tee bytes differ");
                cr_assert_eq(res.entries, 6);
                cr_assert(strstr(res.manifest, "\"ImageManifest\""));
                cr_assert_eq(res.manifest_len, strlen(res.manifest));
                tar_result_done(&res);
                free(tee.p);
                aci_builder_free(b);
        }
}

/* The reference: `gzip -dc x.aci | sha512sum` (and xz, bzip2, zstd) from the real tools. */
Test(tar_read, image_id_matches_command_line_tools)
{
        static const char *tools[] = {[TAR_COMPRESSION_NONE] = "cat",
                                      [TAR_COMPRESSION_GZIP] = "gzip -dc",
                                      [TAR_COMPRESSION_BZIP2] = "bzip2 -dc",
                                      [TAR_COMPRESSION_XZ] = "xz -dc",
                                      [TAR_COMPRESSION_ZSTD] = "zstd -qdc"};
        _cleanup_free_ char *dir = th_mkdtemp("ace-test-idtools");

        for (size_t i = 0; i < ARRAY_SIZE(all_comp); i++) {
                struct aci_builder *b = sample(all_comp[i]);
                _cleanup_free_ char *path = xasprintf("%s/x.aci", dir);
                _cleanup_free_ char *cmd = xasprintf("%s %s | sha512sum", tools[all_comp[i]], path);
                char *argv[] = {"/bin/sh", "-c", cmd, NULL};
                _cleanup_free_ char *out = NULL;
                struct proc_status st;
                struct tar_result res;
                struct ace_error *err = NULL;

                aci_builder_write_file(b, path);
                cr_assert_eq(proc_run_capture(argv, NULL, &out, NULL, 4096, &st, &err), 0);
                cr_assert_eq(proc_status_exit_code(&st), 0);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                struct tar_input in = tar_input_fd(fd);
                cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s",
                             err ? err->msg : "");
                close(fd);
                cr_assert_eq(strncmp(res.image_id + 7, out, 128), 0, "%s: %s vs %s", cmd,
                             res.image_id, out);
                tar_result_done(&res);
                aci_builder_free(b);
        }
        th_rm_rf(dir);
}

struct chunked {
        const unsigned char *p;
        size_t len, pos, chunk;
};

static ssize_t chunk_read(void *ud, void *buf, size_t len, struct ace_error **err)
{
        struct chunked *c = ud;
        size_t n = c->len - c->pos;
        (void)err;
        if (n > c->chunk)
                n = c->chunk;
        if (n > len)
                n = len;
        memcpy(buf, c->p + c->pos, n);
        c->pos += n;
        return (ssize_t)n;
}

/* A callback input that returns 7 bytes at a time (detection must read ahead correctly). */
Test(tar_read, callback_input_small_chunks)
{
        struct aci_builder *b = sample(TAR_COMPRESSION_XZ);
        const void *data, *tar;
        size_t len, tlen;
        char want[HASH_IMAGE_ID_SIZE];
        struct tar_result res;
        struct ace_error *err = NULL;

        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        aci_image_id_of(tar, tlen, want);
        struct chunked c = {data, len, 0, 7};
        struct tar_input in = tar_input_callback(chunk_read, &c);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s", err ? err->msg : "");
        cr_assert_str_eq(res.image_id, want);
        cr_assert_eq(c.pos, len, "input not consumed to its end");
        tar_result_done(&res);
        aci_builder_free(b);
}

static ssize_t failing_read(void *ud, void *buf, size_t len, struct ace_error **err)
{
        struct chunked *c = ud;
        if (c->pos > 600)
                return ace_error_make(err, ECONNRESET, "connection reset by test");
        return chunk_read(ud, buf, len, err);
}

Test(tar_read, callback_error_is_propagated)
{
        struct aci_builder *b = sample(TAR_COMPRESSION_NONE);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;

        aci_builder_finish(b, false, &data, &len);
        struct chunked c = {data, len, 0, 512};
        struct tar_input in = tar_input_callback(failing_read, &c);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), -ECONNRESET);
        cr_assert(strstr(err->msg, "connection reset by test"), "%s", err->msg);
        ace_error_free(err);
        aci_builder_free(b);
}

Test(tar_read, push_interface_same_id_and_tee)
{
        for (size_t i = 0; i < ARRAY_SIZE(all_comp); i++) {
                struct aci_builder *b = sample(all_comp[i]);
                const void *data, *tar;
                size_t len, tlen;
                char want[HASH_IMAGE_ID_SIZE];
                struct tar_result res;
                struct ace_error *err = NULL;
                struct tar_push *p;
                struct tar_extract_opts o;
                struct membuf tee = {0};

                aci_builder_finish(b, false, &data, &len);
                aci_builder_tar(b, &tar, &tlen);
                aci_image_id_of(tar, tlen, want);
                tar_extract_opts_init(&o);
                o.tee = tee_cb;
                o.tee_userdata = &tee;
                cr_assert_eq(tar_push_begin(&o, -1, &p, &err), 0);
                for (size_t off = 0; off < len; off += 100) {
                        size_t n = len - off < 100 ? len - off : 100;
                        cr_assert_eq(tar_push_write(p, (const char *)data + off, n, &err), 0);
                }
                cr_assert_eq(tar_push_finish(p, &res, &err), 0, "%s", err ? err->msg : "");
                cr_assert_str_eq(res.image_id, want);
                cr_assert_eq(tee.len, tlen);
                cr_assert_eq(memcmp(tee.p, tar, tlen), 0);
                tar_result_done(&res);
                free(tee.p);
                aci_builder_free(b);
        }
}

/* A hostile pushed stream: the worker fails, writes stop (no deadlock), finish reports it. */
Test(tar_read, push_interface_error_and_abort, .timeout = 20)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, false);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;
        struct tar_push *p;

        aci_add_minimal(b);
        aci_add_file(b, "rootfs/../evil", 0644, "x");
        aci_add_zero_file(b, "rootfs/pad", 16 << 20);
        aci_builder_finish(b, false, &data, &len);
        cr_assert_eq(tar_push_begin(NULL, -1, &p, &err), 0);
        int wr = 0;
        for (size_t off = 0; off < len && wr == 0; off += 4096) {
                size_t n = len - off < 4096 ? len - off : 4096;
                wr = tar_push_write(p, (const char *)data + off, n, NULL);
        }
        cr_assert_lt(tar_push_finish(p, &res, &err), 0);
        cr_assert(strstr(err->msg, "rootfs/../evil"), "%s", err->msg);
        ace_error_freep(&err);

        /* Abort while the worker waits for input. */
        cr_assert_eq(tar_push_begin(NULL, -1, &p, &err), 0);
        cr_assert_eq(tar_push_write(p, data, 10, &err), 0);
        tar_push_abort(p);
        aci_builder_free(b);
}

/* "./manifest", "./rootfs/" and "rootfs//x" are the same names after normalisation. */
Test(tar_read, names_normalised_like_filepath_clean)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_NONE, false);
        const void *data;
        size_t len;
        struct tar_result res;
        struct ace_error *err = NULL;

        aci_add_file(b, "./manifest", 0644, "{}");
        aci_add_dir(b, "./rootfs/", 0755);
        aci_add_file(b, "rootfs//./x", 0644, "x");
        aci_add_hardlink(b, "./rootfs/y", "rootfs/x");
        aci_builder_finish(b, false, &data, &len);
        struct tar_input in = tar_input_memory(data, len);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s", err ? err->msg : "");
        cr_assert_str_eq(res.manifest, "{}");
        tar_result_done(&res);
        aci_builder_free(b);
}

/* Bytes after the tar trailer are part of the image ID (they are part of `gzip -dc`). */
Test(tar_read, trailing_bytes_are_hashed)
{
        struct aci_builder *b = aci_builder_new(TAR_COMPRESSION_GZIP, true);
        const void *data, *tar;
        size_t len, tlen;
        char want[HASH_IMAGE_ID_SIZE];
        struct tar_result res;
        struct ace_error *err = NULL;

        aci_add_minimal(b);
        aci_builder_finish(b, false, &data, &len);
        aci_builder_tar(b, &tar, &tlen);
        /* Rebuild: the same tar plus junk after it, compressed. */
        struct aci_builder *b2 = aci_builder_new(TAR_COMPRESSION_GZIP, true);
        aci_add_raw(b2, tar, tlen);
        aci_add_raw(b2, "trailing junk", 13);
        aci_builder_finish(b2, true, &data, &len);
        aci_builder_tar(b2, &tar, &tlen);
        aci_image_id_of(tar, tlen, want);
        struct tar_input in = tar_input_memory(data, len);
        cr_assert_eq(tar_read_manifest(&in, NULL, &res, &err), 0, "%s", err ? err->msg : "");
        cr_assert_str_eq(res.image_id, want);
        tar_result_done(&res);
        aci_builder_free(b);
        aci_builder_free(b2);
}

Test(tar_read, refused_magic_table_sorted_and_complete)
{
        static const char *const required[] = {"7z",      "cpio (newc)", "cpio (odc)",
                                               "iso9660", "rar",         "zip"};
        size_t n = 0;

        for (; tar_refused_magic_name(n); n++)
                if (n > 0)
                        cr_assert_lt(
                            strcmp(tar_refused_magic_name(n - 1), tar_refused_magic_name(n)), 0,
                            "not sorted at %s", tar_refused_magic_name(n));
        for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
                bool found = false;
                for (size_t j = 0; j < n; j++)
                        found |= strcmp(tar_refused_magic_name(j), required[i]) == 0;
                cr_assert(found, "%s missing from the refused table", required[i]);
        }
}

Test(tar_read, compression_names_round_trip)
{
        enum tar_compression c;
        struct ace_error *err = NULL;

        for (size_t i = 0; i < ARRAY_SIZE(all_comp); i++) {
                cr_assert_eq(tar_compression_from_name(tar_compression_name(all_comp[i]), &c, NULL),
                             0);
                cr_assert_eq(c, all_comp[i]);
        }
        cr_assert_eq(tar_compression_from_name("lz4", &c, &err), -EINVAL);
        cr_assert(strstr(err->msg, "lz4"));
        ace_error_free(err);
}

Test(tar_read, detect_compression_by_magic_not_name)
{
        enum tar_compression c;
        static const struct {
                const char *bytes;
                size_t len;
                enum tar_compression want;
        } t[] = {
            {"\x1f\x8b\x08\x00", 4, TAR_COMPRESSION_GZIP},
            {"BZh91AY", 7, TAR_COMPRESSION_BZIP2},
            {"\xfd"
             "7zXZ\x00\x00",
             7, TAR_COMPRESSION_XZ},
            {"\x28\xb5\x2f\xfd\x00", 5, TAR_COMPRESSION_ZSTD},
        };
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
                cr_assert_eq(tar_detect_compression(t[i].bytes, t[i].len, &c, NULL), 0);
                cr_assert_eq(c, t[i].want);
        }
        unsigned char zeros[1024] = {0};
        cr_assert_eq(tar_detect_compression(zeros, sizeof(zeros), &c, NULL), 0);
        cr_assert_eq(c, TAR_COMPRESSION_NONE);
        cr_assert_eq(tar_detect_compression("PK\x03\x04", 4, &c, NULL), -EPROTONOSUPPORT);
}

Test(tar_read, default_limits)
{
        struct tar_limits l;
        tar_limits_default(&l);
        cr_assert_eq(l.max_manifest_size, 1 << 20);
        cr_assert_lt(l.max_entries, 1000000, "T-34: 10^6 entries must hit the default limit");
        cr_assert_eq(l.max_path_len, 4095);
        cr_assert_lt(l.max_depth, 10000);
        cr_assert_lt(l.max_total_size, 64ULL << 30, "T-33: a 64 GiB bomb must hit the limit");
        cr_assert_leq(l.max_total_size, l.max_stream_size);
}
