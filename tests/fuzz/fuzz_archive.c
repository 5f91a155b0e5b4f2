/*
 * fuzz_archive.c - libFuzzer harness for the ACI reader: every input goes through the scan
 * (tar_read_manifest) and the extraction (tar_extract into a fresh temp dir, removed after each
 * run). Limits are lowered so a run stays fast; the rules are the same.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/tar.h"

static void limits(struct tar_limits *l)
{
        tar_limits_default(l);
        l->max_entries = 2000;
        l->max_total_size = 16 << 20;
        l->max_stream_size = 32 << 20;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct tar_input in = tar_input_memory(data, size);
        struct tar_read_opts ro;
        struct tar_extract_opts xo;
        struct tar_result res;
        struct ace_error *err = NULL;
        char dir[] = "/tmp/fuzz-archive-XXXXXX";
        int fd;

        tar_read_opts_init(&ro);
        limits(&ro.limits);
        if (tar_read_manifest(&in, &ro, &res, &err) >= 0)
                tar_result_done(&res);
        ace_error_freep(&err);

        if (!mkdtemp(dir))
                abort();
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                abort();
        tar_extract_opts_init(&xo);
        limits(&xo.limits);
        xo.flags = (size & 1) ? TAR_EXTRACT_ROOTFS_ONLY : 0;
        if (tar_extract(&in, fd, &xo, &res, &err) >= 0)
                tar_result_done(&res);
        ace_error_freep(&err);
        close(fd);
        if (fs_rm_rf_at(AT_FDCWD, dir, 0, &err) < 0) {
                fprintf(stderr, "cleanup failed: %s\n", ace_error_msg(err));
                abort();
        }
        return 0;
}
