/*
 * cmd_build.c - `actool build DIR OUT.aci`: validate an image layout and write it as an ACI.
 *
 * Beyond the reference: --compression (gzip, bzip2, xz, zstd, none) and reproducible output —
 * with SOURCE_DATE_EPOCH in the environment or --source-date-epoch=N, mtimes are clamped to N
 * and the archive is byte-identical for the same tree, so the same tree always gives the same
 * image ID. The manifest is written re-serialised from the validated manifest, as the reference
 * does, so what is in the image is exactly what was validated.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actool/actool.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

struct build_opts {
        char *compression;
        bool no_compression;
        bool overwrite;
        bool owner_root;
        char *source_date_epoch;
};

static const struct cli_option build_options[] = {
    {.name = "compression",
     .type = CLI_STRING,
     .offset = offsetof(struct build_opts, compression),
     .defval = "gzip",
     .help = "Compression of the produced ACI: none, gzip, bzip2, xz or zstd"},
    {.name = "no-compression",
     .type = CLI_BOOL,
     .offset = offsetof(struct build_opts, no_compression),
     .help = "Do not gzip-compress the produced ACI"},
    {.name = "overwrite",
     .type = CLI_BOOL,
     .offset = offsetof(struct build_opts, overwrite),
     .help = "Overwrite target file if it already exists"},
    {.name = "owner-root",
     .type = CLI_BOOL,
     .offset = offsetof(struct build_opts, owner_root),
     .help = "Force ownership to root:root on all files"},
    {.name = "source-date-epoch",
     .type = CLI_STRING,
     .offset = offsetof(struct build_opts, source_date_epoch),
     .defval = "$SOURCE_DATE_EPOCH",
     .help = "Clamp mtimes to this Unix time for a byte-identical, reproducible ACI"},
    CLI_END,
};

static void build_opts_free(void *p)
{
        struct build_opts *o = p;
        free(o->compression);
        free(o->source_date_epoch);
}

struct build_ctx {
        int layout_fd;
        struct tar_write_opts wopts;
        char image_id[HASH_IMAGE_ID_SIZE];
};

static int write_aci(int fd, void *userdata, struct ace_error **err)
{
        struct build_ctx *c = userdata;
        return tar_write_aci(c->layout_fd, fd, &c->wopts, c->image_id, err);
}

static int parse_epoch(const char *s, int64_t *ret, struct ace_error **err)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno || end == s || *end || v < 0)
                return ace_error_make(
                    err, EINVAL, "invalid source date epoch \"%s\": want seconds since 1970", s);
        *ret = v;
        return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int run_build(void *opts, char **args, bool debug)
{
        struct build_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
        _cleanup_free_ char *manifest_json = NULL;
        _cleanup_close_ int layout_fd = -EBADF;
        struct build_ctx c = {0};
        const char *dir, *out, *epoch;

        if (strv_length(args) != 2)
                return actool_fail("build", "Must provide directory and output file");
        dir = args[0];
        out = args[1];
        if (!ends_with(out, ".aci")) {
                const char *dot = strrchr(out, '.');
                return actool_fail("build", "Extension must be .aci (given %s)",
                                   dot && !strchr(dot, '/') ? dot : "");
        }
        tar_write_opts_init(&c.wopts);
        if (actool_pick_compression(o->compression, o->no_compression, &c.wopts.compression, &e) <
            0)
                return actool_fail("build", "%s", ace_error_msg(e));
        c.wopts.owner_root = o->owner_root;
        epoch = o->source_date_epoch ? o->source_date_epoch : getenv("SOURCE_DATE_EPOCH");
        if (epoch && *epoch) {
                if (parse_epoch(epoch, &c.wopts.source_date_epoch, &e) < 0)
                        return actool_fail("build", "%s", ace_error_msg(e));
                c.wopts.has_source_date_epoch = true;
        }
        if (!o->overwrite && access(out, F_OK) == 0)
                return actool_fail("build", "Target file exists (try --overwrite)");

        layout_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (layout_fd < 0)
                return actool_fail("build", "Unable to open %s: %s", dir, strerror(errno));
        if (actool_validate_layout(layout_fd, &m, &e) < 0)
                return actool_fail("build", "Layout failed validation: %s", ace_error_msg(e));
        manifest_json = ace_image_manifest_to_json(m, false);
        c.wopts.manifest = manifest_json;
        c.wopts.manifest_len = strlen(manifest_json);
        c.layout_fd = layout_fd;
        if (actool_write_output(out, o->overwrite, write_aci, &c, &e) < 0)
                return actool_fail("build", "Unable to build %s: %s", out, ace_error_msg(e));
        if (debug)
                fprintf(stderr, "%s: %s\n", out, c.image_id);
        return 0;
}

const struct actool_command actool_build = {
    .name = "build",
    .summary = "Build an ACI from an Image Layout",
    .usage = "[--overwrite] [--compression=gzip|bzip2|xz|zstd|none] [--no-compression] "
             "[--owner-root] [--source-date-epoch=N] DIRECTORY OUTPUT_FILE",
    .description = "Build an ACI from a given directory. The directory should contain an "
                   "Image Layout. The Image Layout will be validated before the ACI is "
                   "created. The produced ACI will be gzip-compressed by default.",
    .options = build_options,
    .opts_size = sizeof(struct build_opts),
    .opts_free = build_opts_free,
    .run = run_build,
};
