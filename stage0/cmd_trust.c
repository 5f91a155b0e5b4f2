/*
 * cmd_trust.c - `ace trust [--prefix=PREFIX | --root] [--skip-fingerprint-review]
 * [--insecure-allow-http] [KEY-FILE|URL...]` and `ace trust --list`.
 *
 * Behaviour and messages follow rkt's trust command (rkt/trust.go): a prefix or --root is
 * required (no implicit unbounded trust), they exclude each other, a prefix with a URL scheme is
 * refused, and without keys the prefix's ac-discovery-pubkeys are used. Keys are written to the
 * local config dir (--local-config, /etc/ace). `--list` (beyond rkt) shows the trusted keys.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "discovery/http.h"
#include "stage0/cli.h"
#include "stage0/config.h"
#include "stage0/keystore.h"
#include "stage0/pgp.h"
#include "stage0/trust.h"
#include "stage0/tty_review.h"

extern const struct cli_command cmd_trust;

struct trust_opts {
        char *prefix;
        bool root;
        bool skip_review;
        bool allow_http;
        bool list;
};

static void trust_opts_free(void *p)
{
        struct trust_opts *o = p;
        free(o->prefix);
}

static const struct cli_option trust_options[] = {
    {.name = "insecure-allow-http",
     .type = CLI_BOOL,
     .offset = offsetof(struct trust_opts, allow_http),
     .help = "allow HTTP use for key discovery and/or retrieval",
     .defval = "false"},
    {.name = "list",
     .type = CLI_BOOL,
     .offset = offsetof(struct trust_opts, list),
     .help = "list the trusted keys and the prefixes they are trusted for",
     .defval = "false"},
    {.name = "prefix",
     .type = CLI_STRING,
     .offset = offsetof(struct trust_opts, prefix),
     .argname = "PREFIX",
     .help = "prefix to limit trust to"},
    {.name = "root",
     .type = CLI_BOOL,
     .offset = offsetof(struct trust_opts, root),
     .help = "add root key from filesystem without a prefix",
     .defval = "false"},
    {.name = "skip-fingerprint-review",
     .type = CLI_BOOL,
     .offset = offsetof(struct trust_opts, skip_review),
     .help = "accept key without fingerprint confirmation",
     .defval = "false"},
    CLI_END,
};

static void ui_out(void *userdata, const char *line)
{
        (void)userdata;
        printf("%s\n", line);
        fflush(stdout);
}

static void ui_diag(void *userdata, const char *line)
{
        (void)userdata;
        log_info("%s", line);
}

static void print_list(const struct trusted_key_list *l)
{
        size_t w = strlen("PREFIX");

        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].prefix && strlen(l->items[i].prefix) > w)
                        w = strlen(l->items[i].prefix);
        printf("%-*s  %-40s  %-6s  %s\n", (int)w, "PREFIX", "KEY FINGERPRINT", "LAYER", "PATH");
        for (size_t i = 0; i < l->n; i++)
                printf("%-*s  %-40s  %-6s  %s\n", (int)w,
                       l->items[i].prefix ? l->items[i].prefix : "(root)", l->items[i].fingerprint,
                       l->items[i].system ? "system" : "local", l->items[i].path);
}

static int do_list(const struct keystore *ks)
{
        _cleanup_error_ struct ace_error *err = NULL;
        struct trusted_key_list l;

        if (keystore_list(ks, &l, &err) < 0) {
                log_error_ace(err);
                return ACE_EXIT_FAILURE;
        }
        print_list(&l);
        trusted_key_list_clear(&l);
        return 0;
}

static int check_flags(const struct trust_opts *o, char **args)
{
        const char *scheme_end;

        if (o->list)
                return 0;
        if ((!o->prefix || !*o->prefix) && !o->root) {
                if (strv_length(args) == 0) {
                        cli_print_command_help("ace trust", &cmd_trust);
                        return -1;
                }
                log_error("aborting due to implicit unbounded trust (root domain)\n"
                          "Please provide a specific domain prefix to trust:\n"
                          "    ace trust --prefix \"example.com/foo\" [PUBKEY]\n"
                          "Otherwise, trust at the root domain (not recommended) must be "
                          "explicitly requested:\n"
                          "    ace trust --root PUBKEY");
                return -1;
        }
        if (o->prefix && *o->prefix && o->root) {
                log_error("--root and --prefix usage mutually exclusive");
                return -1;
        }
        if (o->prefix && (scheme_end = strstr(o->prefix, "://"))) {
                log_error("--prefix must not contain a URL scheme, omit %.*s://",
                          (int)(scheme_end - o->prefix), o->prefix);
                return -1;
        }
        return 0;
}

static int run_trust(struct ace_global *g, void *opts, char **args)
{
        struct trust_opts *o = opts;
        _cleanup_error_ struct ace_error *err = NULL;
        _cleanup_strv_free_ char **found = NULL;
        struct ace_config *cfg = NULL;
        struct http_client *http = NULL;
        struct http_options ho;
        struct keystore ks = {0};
        const char *prefix = o->root ? NULL : o->prefix;
        int r, code = ACE_EXIT_FAILURE;

        if (check_flags(o, args) < 0)
                return ACE_EXIT_FAILURE;
        if (keystore_init(&ks, g->system_config, g->local_config, &err) < 0)
                goto fail;
        if (o->list) {
                code = do_list(&ks);
                goto out;
        }
        if (ace_config_load_global(g, &cfg, &err) < 0) {
                ace_error_wrap(&err, "cannot get configuration");
                goto fail;
        }
        ace_config_http_options(cfg, g->insecure & INSECURE_TLS, &ho);
        ho.allow_http = o->allow_http;
        if (http_client_new(&ho, &http, &err) < 0)
                goto fail;
        struct trust_options to = {
            .ks = &ks,
            .http = http,
            .skip_review = o->skip_review,
            .trust_keys_from_https = g->trust_keys_from_https,
            .ui = {.out = ui_out, .diag = ui_diag, .review = tty_review_key},
        };
        if (prefix && trust_prefix_validate(prefix, &err) < 0)
                goto fail;
        if (strv_length(args) == 0) {
                if (!prefix) {
                        ace_error_make(&err, EINVAL,
                                       "error determining key location: --root requires the "
                                       "path or URL of a key (no discovery)");
                        goto fail;
                }
                if (trust_discover_locations(&to, prefix, &found, &err) < 0) {
                        ace_error_wrap(&err, "error determining key location");
                        goto fail;
                }
        }
        r = trust_add_keys(&to, found ? found : args, prefix, &err);
        if (r < 0) {
                ace_error_wrap(&err, "error adding keys");
                goto fail;
        }
        code = 0;
        goto out;
fail:
        log_error_ace(err);
out:
        http_client_free(http);
        ace_config_free(cfg);
        keystore_clear(&ks);
        return code;
}

const struct cli_command cmd_trust = {
    .name = "trust",
    .summary = "Trust a key for image verification",
    .usage = "[--prefix=PREFIX] [--insecure-allow-http] [--skip-fingerprint-review] [--root] "
             "[PUBKEY ...] | --list",
    .description = "Adds keys to the local keystore for use in verifying signed images.\n\n"
                   "PUBKEY may be either a local file or URL.\n\n"
                   "PREFIX scopes the applicability of PUBKEY to image names sharing PREFIX\n"
                   "(whole path components: example.com/app covers example.com/app/x, not\n"
                   "example.com/appx).\n\n"
                   "Meta discovery of PUBKEY at PREFIX will be attempted if no PUBKEY is "
                   "specified.\n\n"
                   "To trust a key for all images instead of for specific images, --root can "
                   "be\nspecified. Path to a key file must be given (no discovery).",
    .options = trust_options,
    .opts_size = sizeof(struct trust_opts),
    .opts_free = trust_opts_free,
    .run = run_trust,
};
