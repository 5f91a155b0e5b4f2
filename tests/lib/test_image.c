/* test_image.c - busybox + probe test images (test_image.h). */
#include "tests/lib/test_image.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

static const char *const busybox_links[] = {
    "sh",    "true", "false", "echo", "cat",  "sleep", "ls",   "id",       "env",      "touch",
    "mkdir", "rm",   "test",  "pwd",  "grep", "wc",    "stat", "readlink", "hostname", "kill",
};

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "user:x:1000:100:test user:/home/user:/bin/sh\n"
                             "1000:x:0:0:numeric name trap:/:/bin/sh\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char group[] = "root:x:0:\n"
                            "wheel:x:10:root,user\n"
                            "audio:x:29:user\n"
                            "users:x:100:\n"
                            "nogroup:x:65534:\n";

int th_copy_tree(const char *src, const char *dst)
{
        struct stat st;

        if (lstat(src, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t n = readlink(src, target, sizeof(target) - 1);
                if (n < 0)
                        return -errno;
                target[n] = 0;
                return symlink(target, dst) < 0 ? -errno : 0;
        }
        if (S_ISDIR(st.st_mode)) {
                DIR *d;
                struct dirent *de;
                int r = 0;
                if (mkdir(dst, st.st_mode & 07777) < 0 && errno != EEXIST)
                        return -errno;
                d = opendir(src);
                if (!d)
                        return -errno;
                while (r == 0 && (de = readdir(d))) {
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        _cleanup_free_ char *s = xasprintf("%s/%s", src, de->d_name);
                        _cleanup_free_ char *t = xasprintf("%s/%s", dst, de->d_name);
                        r = th_copy_tree(s, t);
                }
                closedir(d);
                (void)lchown(dst, st.st_uid, st.st_gid);
                (void)chmod(dst, st.st_mode & 07777);
                return r;
        }
        if (S_ISREG(st.st_mode)) {
                int in = open(src, O_RDONLY | O_CLOEXEC), out;
                char buf[65536];
                ssize_t n;
                if (in < 0)
                        return -errno;
                out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
                if (out < 0) {
                        close(in);
                        return -errno;
                }
                while ((n = read(in, buf, sizeof(buf))) > 0)
                        if (write(out, buf, (size_t)n) != n) {
                                n = -1;
                                break;
                        }
                close(in);
                close(out);
                if (n < 0)
                        return -EIO;
                (void)lchown(dst, st.st_uid, st.st_gid);
                (void)chmod(dst, st.st_mode & 07777);
                return 0;
        }
        return 0; /* devices, fifos: not needed in test images */
}

static char *in_root(struct test_image *img, const char *path)
{
        char *full = xasprintf("%s/%s", img->rootfs, path[0] == '/' ? path + 1 : path);
        th_mkdir_parents(full);
        return full;
}

void timg_write(struct test_image *img, const char *path, const char *content, mode_t mode)
{
        _cleanup_free_ char *full = in_root(img, path);
        (void)unlink(full);
        th_write_file(full, content, (int)mode);
        cr_assert(chmod(full, mode) == 0);
}

void timg_symlink(struct test_image *img, const char *target, const char *path)
{
        _cleanup_free_ char *full = in_root(img, path);
        (void)unlink(full);
        (void)rmdir(full);
        cr_assert(symlink(target, full) == 0, "symlink %s: %s", full, strerror(errno));
}

void timg_mkdir(struct test_image *img, const char *path, mode_t mode)
{
        _cleanup_free_ char *full = in_root(img, path);
        cr_assert(mkdir(full, mode) == 0 || errno == EEXIST);
        cr_assert(chmod(full, mode) == 0);
}

void timg_remove(struct test_image *img, const char *path)
{
        _cleanup_free_ char *full = in_root(img, path);
        th_rm_rf(full);
}

void timg_set_app(struct test_image *img, const char *app_json)
{
        free(img->app_json);
        img->app_json = app_json ? xstrdup(app_json) : NULL;
}

static void copy_file(const char *src, const char *dst, mode_t mode)
{
        cr_assert(th_copy_tree(src, dst) == 0, "copy %s to %s", src, dst);
        cr_assert(chmod(dst, mode) == 0);
}

struct test_image *timg_new(const char *name)
{
        struct test_image *img = xcalloc(1, sizeof(*img));
        _cleanup_free_ char *probe = th_build_path("tests/probe");
        _cleanup_free_ char *bb = NULL, *pr = NULL;

        img->dir = th_mkdtemp("ace-img");
        img->rootfs = xasprintf("%s/rootfs", img->dir);
        img->name = xstrdup(name);
        cr_assert(mkdir(img->rootfs, 0755) == 0);
        bb = in_root(img, "/bin/busybox");
        copy_file("/bin/busybox", bb, 0755);
        for (size_t i = 0; i < ARRAY_SIZE(busybox_links); i++) {
                _cleanup_free_ char *p = xasprintf("/bin/%s", busybox_links[i]);
                timg_symlink(img, "busybox", p);
        }
        pr = in_root(img, "/probe");
        copy_file(probe, pr, 0755);
        timg_write(img, "/etc/passwd", passwd, 0644);
        timg_write(img, "/etc/group", group, 0644);
        timg_mkdir(img, "/tmp", 01777);
        timg_mkdir(img, "/home/user", 0755);
        cr_assert(chown(img->rootfs, 0, 0) == 0);
        img->app_json =
            xstrdup("{\"exec\": [\"/probe\", \"id\"], \"user\": \"0\", \"group\": \"0\"}");
        return img;
}

void timg_free(struct test_image *img)
{
        if (!img)
                return;
        th_rm_rf(img->dir);
        free(img->dir);
        free(img->rootfs);
        free(img->name);
        free(img->app_json);
        free(img->tree_id);
        free(img);
}

static char *manifest_json(const struct test_image *img)
{
        return xasprintf("{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", "
                         "\"name\": \"%s\", \"labels\": [{\"name\": \"os\", \"value\": \"linux\"}, "
                         "{\"name\": \"arch\", \"value\": \"amd64\"}]%s%s}",
                         img->name, img->app_json ? ", \"app\": " : "",
                         img->app_json ? img->app_json : "");
}

const char *timg_render(struct test_image *img, const char *store_dir)
{
        static unsigned counter;
        _cleanup_free_ char *tree = NULL, *rootfs = NULL, *mpath = NULL, *mjson = NULL;

        free(img->tree_id);
        img->tree_id =
            xasprintf("deps-sha512-%08x%08x%04x", (unsigned)getpid(), (unsigned)rand(), counter++);
        tree = xasprintf("%s/%s", store_dir, img->tree_id);
        rootfs = xasprintf("%s/rootfs", tree);
        cr_assert(mkdir(tree, 0755) == 0, "mkdir %s: %s", tree, strerror(errno));
        cr_assert(th_copy_tree(img->rootfs, rootfs) == 0, "copy rootfs");
        mjson = manifest_json(img);
        mpath = xasprintf("%s/manifest", tree);
        th_write_file(mpath, mjson, 0644);
        return img->tree_id;
}
