/*
 * pod_export.c - exporting an exited pod's app as an ACI (see pod_export.h): the user-space
 * overlay merge, and writing the archive.
 */
#include "stage0/pod_export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "stage0/stage1.h"

#define MANIFEST_MAX (1u << 20)

static bool is_whiteout(const struct stat *st)
{
        return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

static char *fd_path(int dirfd, const char *name)
{
        return xasprintf("/proc/self/fd/%d/%s", dirfd, name);
}

static bool is_opaque(int dirfd, const char *name)
{
        _cleanup_free_ char *p = fd_path(dirfd, name);
        char v[4];
        ssize_t n = lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v));
        if (n < 0)
                n = lgetxattr(p, "user.overlay.opaque", v, sizeof(v));
        return n == 1 && v[0] == 'y';
}

/* Drops overlayfs' bookkeeping xattrs (opaque, origin, redirect, metacopy, ...) from an entry
 * copied out of the upper dir: they mean nothing outside the overlay. */
static void strip_overlay_xattrs(int dirfd, const char *name)
{
        _cleanup_free_ char *p = fd_path(dirfd, name);
        char list[4096];
        ssize_t n = llistxattr(p, list, sizeof(list));

        for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(list + off) + 1)
                if (strncmp(list + off, "trusted.overlay.", 16) == 0 ||
                    strncmp(list + off, "user.overlay.", 13) == 0)
                        (void)lremovexattr(p, list + off);
}

static int copy_meta(int from_dir, int to_dir, const char *name, const struct stat *st,
                     struct ace_error **err)
{
        struct timespec ts[2] = {st->st_atim, st->st_mtim};

        if (fchownat(to_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(to_dir, name, st->st_mode & 07777, 0) < 0 ||
            utimensat(to_dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "setting metadata of %s", name);
        (void)from_dir;
        return 0;
}

static int merge_dir_entry(int upper_fd, int merged_fd, const char *name, const struct stat *st,
                           struct ace_error **err)
{
        _cleanup_close_ int sub_upper = -EBADF, sub_merged = -EBADF;
        struct stat mst;
        bool have = fstatat(merged_fd, name, &mst, AT_SYMLINK_NOFOLLOW) == 0;
        int r;

        /* A non-directory in the way, or an opaque directory: the lower content goes. */
        if (have && (!S_ISDIR(mst.st_mode) || is_opaque(upper_fd, name))) {
                r = fs_rm_rf_at(merged_fd, name, 0, err);
                if (r < 0)
                        return r;
                have = false;
        }
        if (!have && mkdirat(merged_fd, name, 0700) < 0)
                return ace_error_errno(err, errno, "creating %s", name);
        sub_upper = openat(upper_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        sub_merged = openat(merged_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (sub_upper < 0 || sub_merged < 0)
                return ace_error_errno(err, errno, "opening %s", name);
        r = overlay_merge(sub_upper, sub_merged, err);
        if (r < 0)
                return ace_error_wrap(err, "%s", name);
        return copy_meta(upper_fd, merged_fd, name, st, err);
}

static int merge_entry(int upper_fd, int merged_fd, const char *name, struct ace_error **err)
{
        struct stat st;
        int r;

        if (fstatat(upper_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return ace_error_errno(err, errno, "stat %s", name);
        if (is_whiteout(&st))
                return fs_rm_rf_at(merged_fd, name, FS_RM_MISSING_OK, err);
        if (S_ISDIR(st.st_mode))
                return merge_dir_entry(upper_fd, merged_fd, name, &st, err);
        r = fs_rm_rf_at(merged_fd, name, FS_RM_MISSING_OK, err);
        if (r >= 0)
                r = fs_copy_tree_at(upper_fd, name, merged_fd, name, 0, err);
        if (r < 0)
                return ace_error_wrap(err, "%s", name);
        strip_overlay_xattrs(merged_fd, name);
        return 0;
}

int overlay_merge(int upper_fd, int merged_fd, struct ace_error **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(upper_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return ace_error_errno(err, errno, "opening upper directory");
        d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                return ace_error_errno(err, e, "reading upper directory");
        }
        while ((errno = 0, de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                int r = merge_entry(upper_fd, merged_fd, de->d_name, err);
                if (r < 0)
                        return r;
        }
        if (errno)
                return ace_error_errno(err, errno, "reading upper directory");
        return 0;
}

/* The app to export: the one asked for, or the pod's only one (from appsinfo/). */
static int pick_app(struct pod *pod, const char *want, char **ret, struct ace_error **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        char *found = NULL;
        size_t n = 0;
        int fd = openat(pod->fd, "appsinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0 || !(d = fdopendir(fd))) {
                if (fd >= 0)
                        close(fd);
                return ace_error_errno(err, errno, "pod %s has no apps", pod->uuid);
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                if (!want || strcmp(want, de->d_name) == 0) {
                        free(found);
                        found = xstrdup(de->d_name);
                }
        }
        if (want && !found)
                return ace_error_make(err, ENOENT, "pod %s has no app \"%s\"", pod->uuid, want);
        if (!want && n != 1) {
                free(found);
                return ace_error_make(err, EINVAL, "pod %s has %zu apps: specify one with --app",
                                      pod->uuid, n);
        }
        *ret = found;
        return 0;
}

/* Builds the merged rootfs of an overlay pod in <data>/tmp/export-XXXXXX/rootfs. */
static int merge_overlay_app(struct pod *pod, const char *app, char **ret_scratch,
                             struct ace_error **err)
{
        _cleanup_free_ char *tree_path = NULL, *tree_id = NULL, *lower = NULL, *upper = NULL;
        _cleanup_free_ char *scratch = NULL, *idfile = xasprintf("appsinfo/%s/treeStoreID", app);
        _cleanup_close_ int upper_fd = -EBADF, merged_fd = -EBADF, tmp_fd = -EBADF;
        bool overlay;
        int r;

        r = stage1_read_runtime_config(pod, &tree_path, &overlay, err);
        if (r >= 0)
                r = pod_read_file(pod, idfile, &tree_id, NULL, err);
        if (r < 0)
                return r;
        tree_id[strcspn(tree_id, "\n")] = '\0';
        if (!*tree_id || strchr(tree_id, '/') || tree_id[0] == '.')
                return ace_error_make(err, EINVAL, "invalid %s", idfile);
        lower = xasprintf("%s/%s/rootfs", tree_path, tree_id);
        upper = xasprintf("overlay/%s/upper/%s", tree_id, app);
        r = fs_mkdir_p_at(pods_data_fd(pod->pods), "tmp", 0700, 0, &tmp_fd, err);
        if (r < 0)
                return r;
        scratch = xasprintf("%s/tmp/export-%s-%s", pods_data_dir(pod->pods), pod->uuid, app);
        (void)fs_rm_rf_at(AT_FDCWD, scratch, FS_RM_MISSING_OK, NULL);
        if (mkdir(scratch, 0700) < 0)
                return ace_error_errno(err, errno, "creating %s", scratch);
        *ret_scratch = xstrdup(scratch);
        _cleanup_free_ char *merged = xasprintf("%s/rootfs", scratch);
        r = fs_copy_tree_at(AT_FDCWD, lower, AT_FDCWD, merged, 0, err);
        if (r < 0)
                return ace_error_wrap(err, "copying the image tree");
        upper_fd = openat(pod->fd, upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (upper_fd < 0 && errno == ENOENT)
                return 0; /* the app never wrote anything */
        merged_fd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (upper_fd < 0 || merged_fd < 0)
                return ace_error_errno(err, errno, "opening %s", upper_fd < 0 ? upper : merged);
        return overlay_merge(upper_fd, merged_fd, err);
}

static int write_aci(int layout_fd, const char *manifest, size_t len, const char *out,
                     bool overwrite, char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.XXXXXX", out);
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        struct tar_write_opts o;
        char id[HASH_IMAGE_ID_SIZE];
        int r;

        if (fd < 0)
                return ace_error_errno(err, errno, "unable to open target %s", out);
        tar_write_opts_init(&o);
        o.manifest = manifest;
        o.manifest_len = len;
        r = tar_write_aci(layout_fd, fd, &o, id, err);
        if (r >= 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
                r = ace_error_errno(err, errno, "writing %s", out);
        if (r >= 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, out, overwrite ? 0 : RENAME_NOREPLACE) < 0)
                r = errno == EEXIST
                        ? ace_error_make(err, EEXIST, "target file exists (try --overwrite)")
                        : ace_error_errno(err, errno, "renaming to %s", out);
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        if (ret_id)
                *ret_id = xstrdup(id);
        return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

int pod_export(struct pod *pod, const char *want_app, const char *out, bool overwrite,
               char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *app = NULL, *manifest = NULL, *mpath = NULL, *scratch = NULL;
        _cleanup_close_ int layout_fd = -EBADF;
        size_t len;
        int r;

        if (!ends_with(out, ".aci"))
                return ace_error_make(err, EINVAL, "extension must be .aci (given %s)", out);
        if (!overwrite && access(out, F_OK) == 0)
                return ace_error_make(err, EEXIST, "target file exists (try --overwrite)");
        /* Shared: invisible to state probes (the pod stays "exited"), but gc's exclusive lock
         * cannot be taken while we read the pod. */
        if (flock(pod->fd, LOCK_SH | LOCK_NB) < 0)
                return ace_error_errno(err, errno, "pod %s is being deleted", pod->uuid);
        r = pod_refresh(pod, err);
        if (r >= 0 && pod->state != POD_STATE_EXITED && pod->state != POD_STATE_EXITED_GARBAGE)
                r = ace_error_make(err, EBUSY, "pod %s is %s: only exited pods can be exported",
                                   pod->uuid, pod_state_to_string(pod->state));
        if (r >= 0)
                r = pick_app(pod, want_app, &app, err);
        if (r < 0)
                goto out;
        mpath = xasprintf("appsinfo/%s/manifest", app);
        r = pod_read_file(pod, mpath, &manifest, &len, err);
        if (r < 0)
                goto out;
        if (faccessat(pod->fd, "overlay-prepared", F_OK, 0) == 0) {
                r = merge_overlay_app(pod, app, &scratch, err);
                if (r >= 0 && (layout_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                        r = ace_error_errno(err, errno, "opening %s", scratch);
        } else {
                _cleanup_free_ char *dir = xasprintf("stage1/rootfs/opt/stage2/%s", app);
                layout_fd = openat(pod->fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (layout_fd < 0)
                        r = ace_error_errno(err, errno, "opening %s of pod %s", dir, pod->uuid);
        }
        /* The ACI writer takes the manifest entry's metadata from a `manifest` file in the
         * layout; the bytes come from appsinfo (rkt kept a copy in the app dir too). */
        if (r >= 0 && faccessat(layout_fd, "manifest", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                r = fs_write_file_atomic_at(layout_fd, "manifest", manifest, len, 0644, err);
        if (r >= 0)
                r = write_aci(layout_fd, manifest, len, out, overwrite, ret_id, err);
out:
        if (scratch)
                (void)fs_rm_rf_at(AT_FDCWD, scratch, FS_RM_MISSING_OK, NULL);
        (void)flock(pod->fd, LOCK_UN);
        return r;
}
