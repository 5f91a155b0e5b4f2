/*
 * cmd_image.c - `ace image`: the subcommand table and what its subcommands share (opening
 * the store, resolving an image argument). Each subcommand lives in stage0/cmd_image_*.c.
 */
#include "stage0/cmd_image.h"

#include <errno.h>
#include <stddef.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "stage0/store/store.h"

int image_open_store(struct ace_global *g, struct store **ret)
{
        _cleanup_error_ struct ace_error *e = NULL;
        int r = store_open(g->dir, 0, ret, &e);
        if (r < 0)
                log_error("cannot open store: %s", ace_error_msg(e));
        return r;
}

int image_resolve(struct store *s, const char *image, char **ret_id)
{
        _cleanup_error_ struct ace_error *e = NULL;
        int r = store_resolve(s, image, ret_id, &e);
        if (r < 0)
                log_error("%s", ace_error_msg(e));
        return r;
}

/* cmd_image_fetch is weak and listed last: when the fetch code is not linked in, its
 * address is NULL and ends the table early. */
static const struct cli_command *const image_subcommands[] = {
    &cmd_image_cat_manifest, &cmd_image_export,
    &cmd_image_extract,      &cmd_image_gc,
    &cmd_image_list,         &cmd_image_render,
    &cmd_image_rm,           &cmd_image_verify,
    &cmd_image_fetch,        NULL,
};

const struct cli_command cmd_image = {
    .name = "image",
    .summary = "Operate on image(s) in the local store",
    .usage = "COMMAND [flags] [args]",
    .subcommands = image_subcommands,
};
