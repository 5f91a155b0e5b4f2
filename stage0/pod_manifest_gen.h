/*
 * pod_manifest_gen.h - the reified pod manifest `ace run`/`ace prepare` write, generated from
 * the command line (rkt's stage0 generatePodManifest), and the checks of a user-given one
 * (--pod-manifest). Pure: the caller resolves the images and reads the files, so every rule
 * here is unit-tested without a store.
 *
 * Per app: name (--name, else the sanitized last element of the image name; unique), image
 * {name, id (full), labels}, and an `app` that is the image's app with the per-app flags
 * applied: --exec replaces exec (an image without an app section needs it; the app then runs
 * as the caller's uid/gid), `-- args` are appended, --user, --group, --supplementary-gids,
 * --working-dir, --environment (override), --user-annotation, --user-label, and the isolator
 * flags (stage0/app_isolators.h); readOnlyRootFS from --readonly-rootfs; mounts from --mount
 * (per-app first, then the ones given before any image; the first of a path wins).
 *
 * Environment precedence, lowest first, as rkt's code (not its docs): image environment,
 * --environment, --inherit-env (only adds names not set yet), --set-env-file, --set-env.
 *
 * Volumes: the --volume list, plus an implicit `empty` volume for every image mountPoint that
 * no volume of that name satisfies (rkt did this in stage1; our stage1 expects a reified
 * manifest). A --mount naming no volume is an error.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "stage0/run_args.h"

struct ace_image_manifest;
struct ace_pod_manifest;

struct gen_image {
        const char *id;                            /* full image ID */
        const struct ace_image_manifest *manifest; /* its manifest */
};

struct gen_input {
        const struct run_config *config;
        const struct gen_image *images; /* config->n_apps of them, in order */
        char *const *host_env;          /* the caller's environment (--inherit-env) */
        char *const *env_file;          /* K=V entries of the --set-env-file files, in order */
        uid_t uid;                      /* the caller: user of an app synthesized by --exec */
        gid_t gid;
};

int pod_manifest_generate(const struct gen_input *in, struct ace_pod_manifest **ret,
                          struct ace_error **err);

/*
 * Parses a --set-env-file: one NAME=VALUE per line; blank lines and lines starting with '#'
 * or ';' are skipped; anything else without '=' is an error naming the line. Entries are
 * appended to *env.
 */
int env_file_parse(const char *text, const char *what, char ***env, struct ace_error **err);

/*
 * Checks a user-given pod manifest against the images it names (each app's image must be in
 * the store; `images[i]` is the image of apps[i]): unique app names, an app section in the
 * manifest or the image.
 */
int pod_manifest_check_user(const struct ace_pod_manifest *pm, const struct gen_image *images,
                            struct ace_error **err);

/* Adds an implicit empty volume for every mountPoint of every app that has no volume. */
int pod_manifest_add_implicit_volumes(struct ace_pod_manifest *pm, const struct gen_image *images,
                                      struct ace_error **err);
