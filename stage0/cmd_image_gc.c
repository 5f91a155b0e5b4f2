/*
 * cmd_image_gc.c - `ace image gc [--grace-period=24h0m0s]`: removes rendered trees no pod
 * uses, then images not used within the grace period that no pod uses, then whatever crashed
 * operations left behind (stage0/store/gc.h). rkt's messages.
 */
#include <stdio.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "stage0/cmd_image.h"
#include "stage0/store/gc.h"
#include "stage0/store/store.h"

struct gc_opts {
        int64_t grace;
};

static void gc_init(void *o)
{
        ((struct gc_opts *)o)->grace = 24LL * 3600 * 1000000000LL;
}

static int run_image_gc(struct ace_global *g, void *opts, char **args)
{
        struct gc_opts *o = opts;
        _cleanup_store_ struct store *s = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        struct store_gc_report rep = {0};
        int code = 0;

        if (args[0]) {
                log_error("image gc takes no arguments");
                return ACE_EXIT_FAILURE;
        }
        if (o->grace < 0) {
                log_error("--grace-period cannot be negative");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0)
                return ACE_EXIT_FAILURE;
        if (store_gc(s, o->grace, &rep, &e) < 0) {
                log_error("%s", ace_error_msg(e));
                code = ACE_EXIT_FAILURE;
        }
        for (char **t = rep.removed_trees; t && *t; t++)
                log_info("removed treestore \"%s\"", *t);
        for (char **i = rep.removed_images; i && *i; i++)
                printf("successfully removed aci for image: \"%s\"\n", *i);
        fflush(stdout);
        for (char **i = rep.kept_images; i && *i; i++)
                log_debug("image \"%s\" not removed: a pod uses it", *i);
        if (rep.removed_tmp)
                log_debug("removed %zu leftover temp files, orphan blobs or rows", rep.removed_tmp);
        if (strv_length(rep.removed_images) > 0)
                log_info("%zu image(s) successfully removed", strv_length(rep.removed_images));
        for (char **x = rep.errors; x && *x; x++) {
                log_error("%s", *x);
                code = ACE_EXIT_FAILURE;
        }
        store_gc_report_free(&rep);
        return code;
}

static const struct cli_option gc_options[] = {
    {.name = "grace-period",
     .type = CLI_DURATION,
     .offset = offsetof(struct gc_opts, grace),
     .argname = "DURATION",
     .help = "duration to wait since an image was last used before removing it",
     .defval = "24h0m0s"},
    CLI_END,
};

const struct cli_command cmd_image_gc = {
    .name = "gc",
    .summary = "Garbage collect local store",
    .usage = "[--grace-period=DURATION]",
    .description = "This is intended to be run periodically from a timer or cron job.\n\n"
                   "The default grace period is 24h. Use --grace-period=0s to effectively "
                   "disable\nthe grace-period.",
    .options = gc_options,
    .opts_size = sizeof(struct gc_opts),
    .opts_init = gc_init,
    .run = run_image_gc,
};
