/*
 * archive_bench.c - driver for bench/archive.sh: times common/tar on real files.
 *   archive_bench extract ACI DIR     validate + sha512 + extract (rootfs-only) in one pass
 *   archive_bench scan ACI            validate + sha512, no extraction
 *   archive_bench write LAYOUT OUT C  write an ACI (C = none|gzip|bzip2|xz|zstd)
 * Prints the image ID on stdout. Built by the script against build/libace.a.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/tar.h"

static int fail(struct ace_error *err)
{
        fprintf(stderr, "archive_bench: %s\n", ace_error_msg(err));
        return 1;
}

int main(int argc, char **argv)
{
        struct ace_error *err = NULL;
        struct tar_result res;

        if (argc == 4 && strcmp(argv[1], "extract") == 0) {
                int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
                int dfd = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct tar_extract_opts o;
                if (fd < 0 || dfd < 0)
                        return perror("open"), 1;
                tar_extract_opts_init(&o);
                o.flags = TAR_EXTRACT_ROOTFS_ONLY;
                struct tar_input in = tar_input_fd(fd);
                if (tar_extract(&in, dfd, &o, &res, &err) < 0)
                        return fail(err);
        } else if (argc == 3 && strcmp(argv[1], "scan") == 0) {
                int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return perror("open"), 1;
                struct tar_input in = tar_input_fd(fd);
                if (tar_read_manifest(&in, NULL, &res, &err) < 0)
                        return fail(err);
        } else if (argc == 5 && strcmp(argv[1], "write") == 0) {
                struct tar_write_opts o;
                char id[HASH_IMAGE_ID_SIZE];
                int lfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int ofd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                tar_write_opts_init(&o);
                if (lfd < 0 || ofd < 0 || tar_compression_from_name(argv[4], &o.compression, &err) < 0)
                        return err ? fail(err) : (perror("open"), 1);
                if (tar_write_aci(lfd, ofd, &o, id, &err) < 0)
                        return fail(err);
                printf("%s\n", id);
                return 0;
        } else {
                fprintf(stderr, "usage: archive_bench extract ACI DIR | scan ACI | write LAYOUT OUT C\n");
                return 2;
        }
        printf("%s\n", res.image_id);
        tar_result_done(&res);
        return 0;
}
