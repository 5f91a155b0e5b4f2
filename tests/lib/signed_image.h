/*
 * signed_image.h - test images for fetch tests: ACIs built with our archive writer from a
 * manifest (name, labels, extra manifest JSON), signed with test keys, published in an
 * https_server's document root with discovery pages.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct https_server;
struct test_gpg;

/* Builds an ACI (gzip) at path. labels: "version=1.0,os=linux" or NULL; extra: more manifest
 * members (e.g. "\"dependencies\":[...]") or NULL; the rootfs holds /hello with `content`.
 * Returns the full image ID (heap). */
char *test_make_aci(const char *path, const char *name, const char *labels, const char *extra,
                    const char *content);

/* The host's labels as ace defaults them: "os=linux,arch=amd64" (appc names). Static string. */
const char *test_host_labels(void);

/* Publishes example.test's discovery page: ACIs at
 * https://example.test/images/{name}-{version}-{os}-{arch}.{ext}, keys at
 * https://example.test/keys/{prefix}.asc for each given prefix (NULL-terminated list). */
void test_publish_discovery(struct https_server *s);

/* Builds name:version for the host's os/arch into the server's images/ directory, signs it
 * with fpr (NULL: unsigned) and returns the image ID. extra as test_make_aci. */
char *test_publish_image(struct https_server *s, struct test_gpg *g, const char *fpr,
                         const char *name, const char *version, const char *extra);

/* The docroot-relative path test_publish_image() used ("images/<name>-<v>-<os>-<arch>.aci"). */
char *test_image_relpath(const char *name, const char *version);

/* Compiles tests/fixtures/shims/archive_trace.c into dir; returns the .so path. */
char *test_build_archive_trace(const char *dir);

/* A listing of every regular file under dir/cas but the SQLite db (path and size), for
 * "nothing written" comparisons. */
char *test_store_snapshot(const char *data_dir);
