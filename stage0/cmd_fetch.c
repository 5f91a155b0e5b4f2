/*
 * cmd_fetch.c - `ace fetch [flags] IMAGE [--signature=FILE] ...` (and its alias `ace image
 * fetch`): fetches images and their dependencies into the store and prints one image ID per
 * line, `sha512-` + 32 hex digits (rkt's short form) or the whole ID with --full.
 *
 * As rkt, flags after the first image are still parsed (the command takes its raw arguments),
 * so `--signature` binds to the image before it, and global flags may appear anywhere.
 * --pull-policy defaults to `update` (rkt's code; its docs said `new`); --store-only is
 * --pull-policy=never and --no-store is --pull-policy=update, as rkt. IDs are printed once
 * every image has been fetched; the first failure stops with exit 254.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/cli.h"
#include "stage0/cmd_image.h"
#include "stage0/config.h"
#include "stage0/fetch.h"
#include "stage0/store/store.h"
#include "stage0/tty_review.h"

/* rkt's short image ID: "sha512-" + 32 hex digits. */
#define SHORT_ID_LEN (7 + 32)

struct fetch_image {
        char *image;
        char *signature;
};

struct fetch_opts {
        struct fetch_image *images;
        size_t n_images;
        char *pull_policy;
        bool full;
        bool store_only;
        bool no_store;
};

static void fetch_opts_init(void *p)
{
        struct fetch_opts *o = p;
        o->pull_policy = xstrdup("update");
}

static void fetch_opts_free(void *p)
{
        struct fetch_opts *o = p;
        for (size_t i = 0; i < o->n_images; i++) {
                free(o->images[i].image);
                free(o->images[i].signature);
        }
        free(o->images);
        free(o->pull_policy);
}

static int signature_cb(const char *value, void *base, struct ace_error **err)
{
        struct fetch_opts *o = base;
        struct fetch_image *last;

        if (o->n_images == 0)
                return ace_error_make(err, EINVAL, "--signature must follow the image it signs");
        last = &o->images[o->n_images - 1];
        if (last->signature)
                return ace_error_make(err, EINVAL, "a second --signature for image %s",
                                      last->image);
        last->signature = xstrdup(value);
        return 0;
}

static const struct cli_option fetch_options[] = {
    {.name = "full",
     .type = CLI_BOOL,
     .offset = offsetof(struct fetch_opts, full),
     .help = "print the full image hash after fetching",
     .defval = "false"},
    {.name = "no-store",
     .type = CLI_BOOL,
     .offset = offsetof(struct fetch_opts, no_store),
     .help = "fetch images ignoring the local store (deprecated: --pull-policy=update)",
     .defval = "false"},
    {.name = "pull-policy",
     .type = CLI_STRING,
     .offset = offsetof(struct fetch_opts, pull_policy),
     .argname = "POLICY",
     .help = "when to pull an image: new, update or never",
     .defval = "update"},
    {.name = "signature",
     .type = CLI_CALLBACK,
     .cb = signature_cb,
     .argname = "FILE",
     .help = "local signature file to use in validating the preceding image"},
    {.name = "store-only",
     .type = CLI_BOOL,
     .offset = offsetof(struct fetch_opts, store_only),
     .help = "use only available images in the store (deprecated: --pull-policy=never)",
     .defval = "false"},
    CLI_END,
};

/* Raw arguments: images, their --signature, fetch flags and global flags, in any order. */
static int parse_args(struct fetch_opts *o, struct ace_global *g, char **args,
                      struct ace_error **err)
{
        const struct cli_optset sets[] = {{fetch_options, o}, {cli_global_options, g}};
        int argc = (int)strv_length(args), i = 0;

        while (i < argc) {
                int r;
                if (strcmp(args[i], "--") == 0) {
                        i++;
                        continue;
                }
                r = cli_parse_flag(sets, ARRAY_SIZE(sets), argc, args, &i, NULL, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                o->images = xrealloc(o->images, (o->n_images + 1) * sizeof(*o->images));
                o->images[o->n_images++] = (struct fetch_image){.image = xstrdup(args[i++])};
        }
        return 0;
}

static void ui_diag(void *userdata, const char *line)
{
        (void)userdata;
        fprintf(stderr, "%s\n", line);
}

static void ui_out(void *userdata, const char *line)
{
        (void)userdata;
        printf("%s\n", line);
        fflush(stdout);
}

static int resolve_policy(const struct fetch_opts *o, enum pull_policy *ret, struct ace_error **err)
{
        if (o->store_only && o->no_store)
                return ace_error_make(err, EINVAL, "both --store-only and --no-store specified");
        if (o->store_only) {
                *ret = PULL_POLICY_NEVER;
                return 0;
        }
        if (o->no_store) {
                *ret = PULL_POLICY_UPDATE;
                return 0;
        }
        return pull_policy_parse(o->pull_policy, ret, err);
}

static int run_fetch(struct ace_global *g, void *opts, char **args)
{
        struct fetch_opts *o = opts;
        _cleanup_error_ struct ace_error *err = NULL;
        _cleanup_strv_free_ char **ids = xcalloc(1, sizeof(char *));
        struct ace_config *cfg = NULL;
        struct store *store = NULL;
        struct fetcher *f = NULL;
        struct fetch_options fo;
        int code = ACE_EXIT_FAILURE;

        if (parse_args(o, g, args, &err) < 0) {
                ace_error_wrap(&err, "unable to parse arguments");
                goto fail;
        }
        log_set_level(g->debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
        if (o->n_images == 0) {
                ace_error_make(&err, EINVAL, "must provide at least one image");
                goto fail;
        }
        fo = (struct fetch_options){
            .system_config = g->system_config,
            .local_config = g->local_config,
            .insecure = g->insecure,
            .trust_keys_from_https = g->trust_keys_from_https,
            .progress = true,
            .ui = {.diag = ui_diag, .out = ui_out, .review_key = tty_review_key},
        };
        if (resolve_policy(o, &fo.pull_policy, &err) < 0)
                goto fail;
        if (ace_config_load_global(g, &cfg, &err) < 0) {
                ace_error_wrap(&err, "cannot get configuration");
                goto fail;
        }
        fo.config = cfg;
        fo.data_dir = ace_config_data_dir(g, cfg);
        if (store_open(fo.data_dir, 0, &store, &err) < 0) {
                ace_error_wrap(&err, "cannot open store");
                goto fail;
        }
        if (fetcher_new(store, &fo, &f, &err) < 0)
                goto fail;
        for (size_t i = 0; i < o->n_images; i++) {
                struct fetch_request req = {
                    .image = o->images[i].image,
                    .signature = o->images[i].signature,
                };
                char *id = NULL;
                if (fetcher_fetch(f, &req, &id, &err) < 0)
                        goto fail;
                ids = strv_push_take(ids, id);
        }
        for (char **id = ids; *id; id++)
                printf("%.*s\n", o->full ? (int)strlen(*id) : SHORT_ID_LEN, *id);
        code = 0;
        goto out;
fail:
        log_error_ace(err);
out:
        fetcher_free(f);
        if (store)
                store_close(store);
        ace_config_free(cfg);
        return code;
}

#define FETCH_COMMAND(verb_name)                                                                   \
        {                                                                                          \
                .name = verb_name, .summary = "Fetch image(s) and store them in the local store",  \
                .usage = "[flags] IMAGE [--signature=FILE] ...",                                   \
                .description =                                                                     \
                    "Locates and downloads remote ACIs and their attached signatures.\n"           \
                    "IMAGE is an image ID, a local file, a file://, https:// (or\n"                \
                    "http:// with --insecure-options=http) URL of an .aci, or an\n"                \
                    "appc name found through discovery (example.com/app:1.0,\n"                    \
                    "example.com/app,version=1.0,arch=amd64). Dependencies are\n"                  \
                    "fetched too. One image ID is printed per IMAGE.",                             \
                .options = fetch_options, .opts_size = sizeof(struct fetch_opts),                  \
                .opts_init = fetch_opts_init, .opts_free = fetch_opts_free, .run = run_fetch,      \
                .flags = CMD_RAW_ARGS,                                                             \
        }

const struct cli_command cmd_fetch = FETCH_COMMAND("fetch");
/* rkt's hidden alias `rkt image fetch`; stage0/cmd_image.c lists it when linked. */
const struct cli_command cmd_image_fetch = FETCH_COMMAND("fetch");
