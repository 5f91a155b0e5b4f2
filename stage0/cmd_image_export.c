/*
 * cmd_image_export.c - `ace image export IMAGE OUT.aci [--overwrite]`: writes the stored blob,
 * the uncompressed ACI, byte for byte (so sha512 of the file is the image ID). No network.
 * The file appears complete or not at all: a temp file next to it, fsync, then a rename
 * (RENAME_NOREPLACE without --overwrite).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "stage0/cmd_image.h"
#include "stage0/store/store.h"

struct export_opts {
        bool overwrite;
};

static int export_to(int blob_fd, const char *out, bool overwrite, struct ace_error **err)
{
        _cleanup_free_ char *dcopy = xstrdup(out), *bcopy = xstrdup(out), *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *dir = dirname(dcopy), *base = basename(bcopy);
        mode_t mask = umask(0);
        int r;

        umask(mask);
        if (!overwrite && faccessat(AT_FDCWD, out, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return ace_error_make(err, EEXIST, "output ACI file exists (try --overwrite)");
        tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "unable to open output ACI file %s", out);
        r = fs_copy_data(blob_fd, fd, "the image", err);
        if (r >= 0 && fchmod(fd, 0644 & ~mask) < 0)
                r = ace_error_errno(err, errno, "chmod %s", out);
        if (r >= 0 && fsync(fd) < 0)
                r = ace_error_errno(err, errno, "fsync %s", out);
        if (r >= 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, out, overwrite ? 0 : RENAME_NOREPLACE) < 0)
                r = errno == EEXIST
                        ? ace_error_make(err, EEXIST, "output ACI file exists (try --overwrite)")
                        : ace_error_errno(err, errno, "rename to %s", out);
        if (r < 0) {
                (void)unlink(tmp);
                return ace_error_wrap(err, "error writing to output ACI file");
        }
        return 0;
}

static int run_image_export(struct ace_global *g, void *opts, char **args)
{
        struct export_opts *o = opts;
        _cleanup_store_ struct store *s = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_free_ char *id = NULL;
        _cleanup_close_ int blob = -EBADF, lock = -EBADF;

        if (!args[0] || !args[1] || args[2]) {
                log_error("usage: ace image export IMAGE OUTPUT_ACI_FILE");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0 || image_resolve(s, args[0], &id) < 0)
                return ACE_EXIT_FAILURE;
        lock = store_lock_image(s, id, STORE_LOCK_SHARED, &e);
        if (lock >= 0)
                blob = store_open_blob(s, id, &e);
        if (lock < 0 || blob < 0) {
                log_error("error reading image: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (export_to(blob, args[1], o->overwrite, &e) < 0) {
                log_error("%s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

static const struct cli_option export_options[] = {
    {.name = "overwrite",
     .type = CLI_BOOL,
     .offset = offsetof(struct export_opts, overwrite),
     .help = "overwrite output ACI",
     .defval = "false"},
    CLI_END,
};

const struct cli_command cmd_image_export = {
    .name = "export",
    .summary = "Export a stored image to an ACI file",
    .usage = "IMAGE OUTPUT_ACI_FILE",
    .description = "IMAGE should be a string referencing an image: either an ID or an image "
                   "name.\n\nNote that images must be fetched prior to running export and "
                   "that this command\nalways returns uncompressed ACIs",
    .options = export_options,
    .opts_size = sizeof(struct export_opts),
    .run = run_image_export,
};
