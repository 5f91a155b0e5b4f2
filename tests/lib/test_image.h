/*
 * test_image.h - test images for functional tests: an app rootfs made from Debian's
 * busybox-static (/bin/busybox + sh, true, echo, cat, sleep, ls, ... links) plus the probe at
 * /probe, an /etc/passwd and /etc/group with a few users and groups, and an image manifest.
 *
 * Users: root(0), user(1000, primary group users(100), member of wheel(10) and audio(29)),
 * a user named "1000" whose uid is 0 (the T-32 trap), nobody(65534).
 * Groups: root(0), wheel(10: root,user), audio(29: user), users(100), nogroup(65534).
 *
 * timg_render() copies the tree into a tree store (`<store>/<id>/{rootfs,manifest}`) the way
 * stage0's tree store lays out rendered images; once the archive branch's ACI writer lands,
 * a variant can build a real ACI instead.
 */
#pragma once

#include <sys/types.h>

struct test_image {
        char *dir;      /* temporary directory: manifest + rootfs/ */
        char *rootfs;   /* dir/rootfs */
        char *name;     /* image name, e.g. example.com/probe */
        char *app_json; /* the manifest's "app" section, NULL for none */
        char *tree_id;  /* set by timg_render() */
};

/* A fresh image; app section runs /probe as root. Aborts the test on failure. */
struct test_image *timg_new(const char *name);
void timg_free(struct test_image *img);

/* Files inside the rootfs (parents created as needed). */
void timg_write(struct test_image *img, const char *path, const char *content, mode_t mode);
void timg_symlink(struct test_image *img, const char *target, const char *path);
void timg_mkdir(struct test_image *img, const char *path, mode_t mode);
void timg_remove(struct test_image *img, const char *path);
/* Replaces the manifest's "app" section with this JSON text (NULL: no app section). */
void timg_set_app(struct test_image *img, const char *app_json);

/* Copies the image into store_dir/<id>/ and returns the id (also in img->tree_id). */
const char *timg_render(struct test_image *img, const char *store_dir);

/* Recursively copies a directory tree (files, dirs, symlinks; modes and owners). */
int th_copy_tree(const char *src, const char *dst);
