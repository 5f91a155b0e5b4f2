/*
 * actool.h - the verbs of actool, the appc image tool. Each verb is one actool/cmd_<verb>.c
 * exporting a `const struct actool_command`; actool/main.c dispatches.
 *
 * Behaviour and exit codes follow the reference actool 0.8.11 (reference/appc.md §9): 0 on
 * success, 1 when the verb fails, 2 for usage errors (unknown verb or flag).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/opts.h"
#include "common/tar.h"
#include "schema/image_manifest.h"

#define ACTOOL_EXIT_FAILURE 1
#define ACTOOL_EXIT_USAGE 2

struct actool_command {
        const char *name;
        const char *summary;
        const char *usage;       /* after "actool NAME " */
        const char *description; /* one paragraph */
        const struct cli_option *options;
        size_t opts_size;
        void (*opts_init)(void *opts);
        void (*opts_free)(void *opts);
        /* args: positionals after the flags. Returns the exit code; prints its own errors. */
        int (*run)(void *opts, char **args, bool debug);
};

extern const struct actool_command actool_build;
extern const struct actool_command actool_validate;
extern const struct actool_command actool_cat_manifest;
extern const struct actool_command actool_patch_manifest;
extern const struct actool_command actool_discover;

/* Prints "<verb>: <message>" (or just the message with verb NULL) on stderr; returns 1. */
int actool_fail(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Validates an image layout directory (spec/aci.md "Image Layout"): exactly `manifest` (a
 * regular file) and `rootfs` (a directory) at the top, neither a symlink, and a valid image
 * manifest. On success *ret_manifest (optional) gets the parsed manifest.
 */
int actool_validate_layout(int dirfd, struct ace_image_manifest **ret_manifest,
                           struct ace_error **err);

/*
 * Writes a file atomically: a temp file next to `out`, filled by write_fn, fsync'd and renamed
 * over `out`. Without `overwrite` an existing `out` is EEXIST. Nothing is left behind on error.
 */
int actool_write_output(const char *out, bool overwrite,
                        int (*write_fn)(int fd, void *userdata, struct ace_error **err),
                        void *userdata, struct ace_error **err);

/* The output compression: --compression=NAME (default gzip), --no-compression = none; both
 * given and disagreeing is an error. */
int actool_pick_compression(const char *name, bool no_compression, enum tar_compression *ret,
                            struct ace_error **err);
