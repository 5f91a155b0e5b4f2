/*
 * cmd_image_verify.c - `ace image verify IMAGE...`: re-hashes each image's blob (must equal
 * its ID) and its rendered tree (must equal the hash recorded at render time); a tree that
 * does not match is rendered again from the blob, as rkt does (exit 0 once repaired). A
 * corrupt blob cannot be repaired: exit 254.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "stage0/cmd_image.h"
#include "stage0/store/store.h"
#include "stage0/store/tree.h"

static int run_image_verify(struct ace_global *g, void *opts, char **args)
{
        _cleanup_store_ struct store *s = NULL;
        _cleanup_close_ int prepare = -EBADF;
        _cleanup_error_ struct ace_error *e = NULL;

        (void)opts;
        if (!args[0]) {
                log_error("must provide at least one image ID");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0)
                return ACE_EXIT_FAILURE;
        /* A repair renders a tree: keep image gc out meanwhile. */
        prepare = store_lock_prepare(s, STORE_LOCK_SHARED, &e);
        if (prepare < 0) {
                log_error("%s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        for (char **a = args; *a; a++) {
                _cleanup_free_ char *id = NULL, *detail = NULL;
                enum store_verify_result res;

                if (store_resolve(s, *a, &id, &e) < 0) {
                        log_error("unable to resolve store key for image %s: %s", *a,
                                  ace_error_msg(e));
                        return ACE_EXIT_FAILURE;
                }
                if (store_verify_image(s, id, true, &res, &detail, &e) < 0) {
                        log_error("verification failed for image %s: %s", *a, ace_error_msg(e));
                        return ACE_EXIT_FAILURE;
                }
                switch (res) {
                case STORE_VERIFY_OK:
                        printf("successfully verified checksum for image: \"%s\" (\"%s\")\n", *a,
                               id);
                        break;
                case STORE_VERIFY_NOT_RENDERED:
                        printf("image \"%s\" not rendered; no verification needed\n", *a);
                        break;
                case STORE_VERIFY_TREE_BAD:
                case STORE_VERIFY_REPAIRED:
                        printf("tree cache verification failed for image %s: %s; rebuilt\n", *a,
                               detail ? detail : "hash mismatch");
                        break;
                }
                fflush(stdout);
        }
        return 0;
}

const struct cli_command cmd_image_verify = {
    .name = "verify",
    .summary = "Verify one or more rendered images in the local store",
    .usage = "IMAGE...",
    .description = "Verify is able to check that, based on the stored hash value, a rendered "
                   "image on disk has not changed.\n\nThis command may be used if the user "
                   "suspects disk corruption might have damaged the ace store.",
    .run = run_image_verify,
};
