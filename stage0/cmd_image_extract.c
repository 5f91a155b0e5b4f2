/*
 * cmd_image_extract.c - `ace image extract` (the raw ACI contents, no dependencies) and
 * `ace image render` (the image as an app sees it: dependencies layered, whitelists applied),
 * both `IMAGE DIR [--rootfs-only] [--overwrite]`. Neither uses the network or overlayfs, so
 * `rm -rf DIR` cleans up. An existing DIR is refused unless --overwrite (and "/" always).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "stage0/cmd_image.h"
#include "stage0/store/store.h"
#include "stage0/store/tree.h"

struct extract_opts {
        bool rootfs_only;
        bool overwrite;
};

/* Makes room for the output directory `out`: returns an fd of its parent and its base name. */
static int prepare_output(const char *out, bool overwrite, int *ret_parent, char **ret_base,
                          struct ace_error **err)
{
        _cleanup_free_ char *dcopy = xstrdup(out), *bcopy = xstrdup(out);
        char real[PATH_MAX];
        int parent, r;

        if (!*out)
                return ace_error_make(err, EINVAL, "output directory cannot be empty");
        if (faccessat(AT_FDCWD, out, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                if (!overwrite)
                        return ace_error_make(err, EEXIST,
                                              "output directory exists (try --overwrite)");
                /* Don't let a user delete the root filesystem by mistake. */
                if (realpath(out, real) && strcmp(real, "/") == 0)
                        return ace_error_make(err, EINVAL,
                                              "this would delete your root filesystem. Refusing.");
        }
        parent = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent < 0)
                return ace_error_errno(err, errno, "open the parent of %s", out);
        const char *base = basename(bcopy);
        if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0) {
                close(parent);
                return ace_error_make(err, EINVAL, "invalid output directory %s", out);
        }
        r = fs_rm_rf_at(parent, base, FS_RM_MISSING_OK, err);
        if (r < 0) {
                close(parent);
                return ace_error_wrap(err, "error removing existing output dir");
        }
        *ret_parent = parent;
        *ret_base = xstrdup(base);
        return 0;
}

static int make_dir(int parent, const char *name, int *ret_fd, struct ace_error **err)
{
        if (mkdirat(parent, name, 0755) < 0)
                return ace_error_errno(err, errno, "error creating output directory %s", name);
        *ret_fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (*ret_fd < 0)
                return ace_error_errno(err, errno, "open output directory %s", name);
        return 0;
}

static int extract_blob(struct store *s, const char *id, int parent, const char *base,
                        bool rootfs_only, struct ace_error **err)
{
        _cleanup_close_ int blob = -EBADF, out = -EBADF, lock = -EBADF;
        struct tar_extract_opts opts;
        struct tar_result res = {0};
        struct tar_input in;
        int r;

        lock = store_lock_image(s, id, STORE_LOCK_SHARED, err);
        if (lock < 0)
                return lock;
        blob = store_open_blob(s, id, err);
        if (blob < 0)
                return ace_error_wrap(err, "error reading ACI from the store");
        r = make_dir(parent, base, &out, err);
        if (r < 0)
                return r;
        in = tar_input_fd(blob);
        tar_extract_opts_init(&opts);
        opts.flags = (rootfs_only ? TAR_EXTRACT_ROOTFS_ONLY : 0) |
                     (geteuid() != 0 ? TAR_EXTRACT_NO_OWNERS : 0);
        r = tar_extract(&in, out, &opts, &res, err);
        tar_result_done(&res);
        if (r < 0)
                return ace_error_wrap(err, "error extracting ACI");
        return 0;
}

static int run_extract(struct ace_global *g, void *opts, char **args)
{
        struct extract_opts *o = opts;
        _cleanup_store_ struct store *s = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_free_ char *id = NULL, *base = NULL;
        _cleanup_close_ int parent = -EBADF;

        if (!args[0] || !args[1] || args[2]) {
                log_error(
                    "usage: ace image extract [--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0 || image_resolve(s, args[0], &id) < 0)
                return ACE_EXIT_FAILURE;
        if (prepare_output(args[1], o->overwrite, &parent, &base, &e) < 0 ||
            extract_blob(s, id, parent, base, o->rootfs_only, &e) < 0) {
                log_error("%s", ace_error_msg(e));
                /* Leave nothing half-extracted behind. */
                if (parent >= 0 && base)
                        (void)fs_rm_rf_at(parent, base, FS_RM_MISSING_OK, NULL);
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

static int render_out(struct store *s, const char *id, const char *tree_path, int parent,
                      const char *base, bool rootfs_only, struct ace_error **err)
{
        _cleanup_close_ int tree = -EBADF, out = -EBADF;
        unsigned flags = geteuid() != 0 ? FS_COPY_NO_OWNERS : 0;
        int r;

        tree = open(tree_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (tree < 0)
                return ace_error_errno(err, errno, "open %s", tree_path);
        if (rootfs_only)
                return fs_copy_tree_at(tree, "rootfs", parent, base, flags, err);
        r = make_dir(parent, base, &out, err);
        if (r >= 0) {
                _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
                _cleanup_free_ char *json = NULL;
                r = store_get_manifest(s, id, &m, err);
                if (r < 0)
                        return ace_error_wrap(err, "error getting manifest");
                json = ace_image_manifest_to_json_style(m, JSON_COMPACT);
                r = fs_write_file_atomic_at(out, "manifest", json, strlen(json), 0644, err);
        }
        if (r >= 0)
                r = fs_copy_tree_at(tree, "rootfs", out, "rootfs", flags, err);
        if (r < 0)
                return ace_error_wrap(err, "error copying ACI rootfs");
        return 0;
}

static int run_render(struct ace_global *g, void *opts, char **args)
{
        struct extract_opts *o = opts;
        _cleanup_store_ struct store *s = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_free_ char *id = NULL, *base = NULL, *tree_id = NULL, *tree_path = NULL;
        _cleanup_close_ int parent = -EBADF, prepare = -EBADF;
        int r;

        if (!args[0] || !args[1] || args[2]) {
                log_error("usage: ace image render [--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0 || image_resolve(s, args[0], &id) < 0)
                return ACE_EXIT_FAILURE;
        /* Shared prepare lock: image gc cannot remove the tree while we copy it. */
        prepare = store_lock_prepare(s, STORE_LOCK_SHARED, &e);
        if (prepare < 0 || store_render(s, id, &tree_id, &tree_path, &e) < 0) {
                log_error("error rendering ACI: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        r = store_verify_tree(s, tree_id, &e);
        if (r == -EBADMSG) {
                enum store_verify_result res;
                log_warn("warning: tree cache is in a bad state. Rebuilding...");
                ace_error_freep(&e);
                r = store_verify_image(s, id, true, &res, NULL, &e);
        }
        if (r < 0) {
                log_error("error rendering ACI: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (prepare_output(args[1], o->overwrite, &parent, &base, &e) < 0 ||
            render_out(s, id, tree_path, parent, base, o->rootfs_only, &e) < 0) {
                log_error("%s", ace_error_msg(e));
                if (parent >= 0 && base)
                        (void)fs_rm_rf_at(parent, base, FS_RM_MISSING_OK, NULL);
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

static const struct cli_option extract_options[] = {
    {.name = "overwrite",
     .type = CLI_BOOL,
     .offset = offsetof(struct extract_opts, overwrite),
     .help = "overwrite output directory",
     .defval = "false"},
    {.name = "rootfs-only",
     .type = CLI_BOOL,
     .offset = offsetof(struct extract_opts, rootfs_only),
     .help = "extract rootfs only",
     .defval = "false"},
    CLI_END,
};

const struct cli_command cmd_image_extract = {
    .name = "extract",
    .summary = "Extract a stored image to a directory",
    .usage = "[--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR",
    .description = "IMAGE should be a string referencing an image: either a ID or an image "
                   "name.\n\nNote that in order to make cleaning up easy (just rm -rf), "
                   "extract does not use\noverlayfs or any other mechanism.",
    .options = extract_options,
    .opts_size = sizeof(struct extract_opts),
    .run = run_extract,
};

const struct cli_command cmd_image_render = {
    .name = "render",
    .summary = "Render a stored image to a directory with all its dependencies",
    .usage = "[--rootfs-only] [--overwrite] IMAGE OUTPUT_DIR",
    .description = "IMAGE should be a string referencing an image: either a ID or an image "
                   "name.\n\nThis differs from extract in that the rendered image is in the "
                   "state the app\nwould see when running in ace, dependencies and all.\n\n"
                   "Note that in order to make cleaning up easy (just rm -rf), this does not "
                   "use\noverlayfs or any other mechanism.",
    .options = extract_options,
    .opts_size = sizeof(struct extract_opts),
    .run = run_render,
};
