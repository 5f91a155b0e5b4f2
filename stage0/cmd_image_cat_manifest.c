/* cmd_image_cat_manifest.c - `ace image cat-manifest [--pretty-print] IMAGE` (rkt's output:
 * the manifest re-serialized, tab-indented unless --pretty-print=false). */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "schema/image_manifest.h"
#include "stage0/cmd_image.h"
#include "stage0/store/store.h"

struct cat_opts {
        bool pretty;
};

static void cat_init(void *o)
{
        ((struct cat_opts *)o)->pretty = true;
}

static int run_cat_manifest(struct ace_global *g, void *opts, char **args)
{
        struct cat_opts *o = opts;
        _cleanup_store_ struct store *s = NULL;
        _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_free_ char *id = NULL, *json = NULL;

        if (!args[0] || args[1]) {
                log_error("cat-manifest takes exactly one image");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0 || image_resolve(s, args[0], &id) < 0)
                return ACE_EXIT_FAILURE;
        if (store_get_manifest(s, id, &m, &e) < 0) {
                log_error("cannot get image manifest: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        json = ace_image_manifest_to_json_style(m, o->pretty ? JSON_PRETTY_TAB : JSON_COMPACT);
        printf("%s\n", json);
        return fflush(stdout) == 0 ? 0 : ACE_EXIT_FAILURE;
}

static const struct cli_option cat_options[] = {
    {.name = "pretty-print",
     .type = CLI_BOOL,
     .offset = offsetof(struct cat_opts, pretty),
     .help = "apply indent to format the output",
     .defval = "true"},
    CLI_END,
};

const struct cli_command cmd_image_cat_manifest = {
    .name = "cat-manifest",
    .summary = "Inspect and print the image manifest",
    .usage = "[--pretty-print] IMAGE",
    .description = "IMAGE is an image ID (or a unique prefix of one) or an image name.",
    .options = cat_options,
    .opts_size = sizeof(struct cat_opts),
    .opts_init = cat_init,
    .run = run_cat_manifest,
};
