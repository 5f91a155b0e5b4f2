/*
 * cmd_image_rm.c - `ace image rm IMAGE...`: removes images by ID prefix or name, with rkt's
 * messages (`successfully removed aci for image: "ID"` on stdout, the summary on stderr).
 * Unlike rkt, an argument that matches no image counts as a failure: any failure exits 254.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "stage0/cmd_image.h"
#include "stage0/store/store.h"

static int run_image_rm(struct ace_global *g, void *opts, char **args)
{
        _cleanup_store_ struct store *s = NULL;
        _cleanup_strv_free_ char **ids = strv_copy(NULL);
        size_t done = 0, failed = 0;

        (void)opts;
        if (!args[0]) {
                log_error("must provide at least one image ID");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0)
                return ACE_EXIT_FAILURE;
        /* Resolve everything first (rkt does), so "name" and its ID given twice remove once. */
        for (char **a = args; *a; a++) {
                _cleanup_free_ char *id = NULL;
                if (image_resolve(s, *a, &id) < 0) {
                        failed++;
                        continue;
                }
                if (!strv_contains(ids, id))
                        ids = strv_push(ids, id);
        }
        for (char **id = ids; *id; id++) {
                _cleanup_error_ struct ace_error *e = NULL;
                if (store_remove_image(s, *id, &e) < 0) {
                        log_error("error removing aci for image \"%s\": %s", *id, ace_error_msg(e));
                        failed++;
                        continue;
                }
                printf("successfully removed aci for image: \"%s\"\n", *id);
                fflush(stdout);
                done++;
        }
        if (done > 0)
                log_info("%zu image(s) successfully removed", done);
        if (failed > 0) {
                log_error("%zu image(s) cannot be removed", failed);
                return ACE_EXIT_FAILURE;
        }
        return 0;
}

const struct cli_command cmd_image_rm = {
    .name = "rm",
    .summary = "Remove one or more images with the given IDs or image names from the local "
               "store",
    .usage = "IMAGE...",
    .description = "Unlike image gc, image rm allows users to remove specific images.",
    .run = run_image_rm,
};
