/*
 * layout.c - what several actool verbs share: image layout validation (spec/aci.md "Image
 * Layout"), atomic output files, and the choice of output compression.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actool/actool.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

int actool_validate_layout(int dirfd, struct ace_image_manifest **ret_manifest,
                           struct ace_error **err)
{
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
        bool have_manifest = false, have_rootfs = false;
        struct dirent *de;
        size_t len;
        int fd, r;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "cannot open layout");
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return ace_error_errno(err, errno, "cannot read layout");
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return ace_error_errno(err, errno, "cannot stat %s", de->d_name);
                if (strcmp(de->d_name, "manifest") == 0) {
                        if (!S_ISREG(st.st_mode))
                                return ace_error_make(err, EINVAL,
                                                      "manifest is not a regular file");
                        have_manifest = true;
                } else if (strcmp(de->d_name, "rootfs") == 0) {
                        if (!S_ISDIR(st.st_mode))
                                return ace_error_make(err, EINVAL, "rootfs is not a directory");
                        have_rootfs = true;
                } else {
                        /* The reference tests a string prefix, so it lets `rootfs-extra`
                         * through; the spec allows only the two names. */
                        return ace_error_make(
                            err, EINVAL, "unrecognized file path in layout: \"%s\"", de->d_name);
                }
        }
        if (!have_manifest)
                return ace_error_make(err, ENOENT, "no image manifest found in layout");
        if (!have_rootfs)
                return ace_error_make(err, ENOENT, "no rootfs found in layout");
        r = fs_read_file_at(dirfd, "manifest", ACE_MANIFEST_MAX_SIZE, &buf, &len, err);
        if (r < 0)
                return r;
        r = ace_image_manifest_parse(buf, len, &m, err);
        if (r < 0)
                return ace_error_wrap(err, "image manifest validation failed");
        if (ret_manifest)
                *ret_manifest = TAKE_PTR(m);
        return 0;
}

int actool_write_output(const char *out, bool overwrite,
                        int (*write_fn)(int fd, void *userdata, struct ace_error **err),
                        void *userdata, struct ace_error **err)
{
        _cleanup_free_ char *dircopy = xstrdup(out), *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (!overwrite && lstat(out, &st) == 0)
                return ace_error_make(err, EEXIST, "Target file exists (try --overwrite)");
        tmp = xasprintf("%s/.%s.tmp-XXXXXX", dirname(dircopy),
                        strrchr(out, '/') ? strrchr(out, '/') + 1 : out);
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return ace_error_errno(err, errno, "cannot create %s", tmp);
        r = write_fn(fd, userdata, err);
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = ace_error_errno(err, errno, "chmod %s", tmp);
        if (r >= 0 && fsync(fd) < 0)
                r = ace_error_errno(err, errno, "fsync %s", tmp);
        if (r >= 0 && !overwrite && lstat(out, &st) == 0)
                r = ace_error_make(err, EEXIST, "Target file exists (try --overwrite)");
        if (r >= 0 && rename(tmp, out) < 0)
                r = ace_error_errno(err, errno, "cannot write %s", out);
        if (r < 0) {
                (void)unlink(tmp);
                return r;
        }
        return 0;
}

int actool_pick_compression(const char *name, bool no_compression, enum tar_compression *ret,
                            struct ace_error **err)
{
        enum tar_compression c = TAR_COMPRESSION_GZIP;
        int r;

        if (name) {
                r = tar_compression_from_name(name, &c, err);
                if (r < 0)
                        return r;
                if (no_compression && c != TAR_COMPRESSION_NONE)
                        return ace_error_make(
                            err, EINVAL, "--no-compression conflicts with --compression=%s", name);
        } else if (no_compression) {
                c = TAR_COMPRESSION_NONE;
        }
        *ret = c;
        return 0;
}
