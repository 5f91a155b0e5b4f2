/*
 * cli.c - table-driven command-line parsing and verb dispatch for ace (see cli.h).
 *
 * Behaviour follows rkt's cobra/pflag front-end (reference/rkt.md §1): global flags anywhere
 * before the first positional (and, for verbs that take raw args, between images), bools as
 * --x or --x=false, unique verb prefixes, exit 254 for usage and runtime errors and 2 when no
 * verb is given.
 */
#include "stage0/cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"

static const struct {
        const char *name;
        unsigned bits;
} insecure_names[] = {
    {"all", INSECURE_ALL},
    {"all-fetch", INSECURE_ALL_FETCH},
    {"all-run", INSECURE_ALL_RUN},
    {"capabilities", INSECURE_CAPABILITIES},
    {"http", INSECURE_HTTP},
    {"image", INSECURE_IMAGE},
    {"none", 0},
    {"ondisk", INSECURE_ONDISK},
    {"paths", INSECURE_PATHS},
    {"pubkey", INSECURE_PUBKEY},
    {"seccomp", INSECURE_SECCOMP},
    {"tls", INSECURE_TLS},
};

int insecure_options_parse(const char *s, unsigned *ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **parts = strv_split(s, ",", false);
        unsigned bits = 0;

        for (char **p = parts; *p; p++) {
                size_t i;
                for (i = 0; i < ARRAY_SIZE(insecure_names); i++)
                        if (strcmp(*p, insecure_names[i].name) == 0)
                                break;
                if (i == ARRAY_SIZE(insecure_names))
                        return ace_error_make(err, EINVAL,
                                              "unknown insecure option %s (allowed: none, image, "
                                              "tls, ondisk, http, pubkey, capabilities, paths, "
                                              "seccomp, all-fetch, all-run, all)",
                                              *p);
                bits |= insecure_names[i].bits;
        }
        *ret = bits;
        return 0;
}

static int global_insecure_cb(const char *value, void *base, struct ace_error **err)
{
        struct ace_global *g = base;
        return insecure_options_parse(value, &g->insecure, err);
}

static int global_dir_cb(const char *value, void *base, struct ace_error **err)
{
        struct ace_global *g = base;
        if (!*value)
                return ace_error_make(err, EINVAL, "--dir cannot be empty");
        free(g->dir);
        g->dir = xstrdup(value);
        g->dir_set = true;
        return 0;
}

const struct cli_option cli_global_options[] = {
    {.name = "debug",
     .type = CLI_BOOL,
     .offset = offsetof(struct ace_global, debug),
     .help = "print out more debug information to stderr",
     .defval = "false"},
    {.name = "dir",
     .type = CLI_CALLBACK,
     .cb = global_dir_cb,
     .argname = "DIR",
     .help = "ace data directory",
     .defval = "/var/lib/ace"},
    {.name = "insecure-options",
     .type = CLI_CALLBACK,
     .cb = global_insecure_cb,
     .argname = "LIST",
     .help = "comma-separated list of security features to disable: none, image, tls, "
             "ondisk, http, pubkey, capabilities, paths, seccomp, all-fetch, all-run, all",
     .defval = "none"},
    {.name = "local-config",
     .type = CLI_STRING,
     .offset = offsetof(struct ace_global, local_config),
     .argname = "DIR",
     .help = "local configuration directory",
     .defval = "/etc/ace"},
    {.name = "system-config",
     .type = CLI_STRING,
     .offset = offsetof(struct ace_global, system_config),
     .argname = "DIR",
     .help = "system configuration directory",
     .defval = ACE_LIBDIR},
    {.name = "trust-keys-from-https",
     .type = CLI_BOOL,
     .offset = offsetof(struct ace_global, trust_keys_from_https),
     .help = "automatically trust gpg keys fetched from https",
     .defval = "false"},
    {.name = "user-config",
     .type = CLI_STRING,
     .offset = offsetof(struct ace_global, user_config),
     .argname = "DIR",
     .help = "user configuration directory",
     .defval = ""},
    CLI_END,
};

void ace_global_init(struct ace_global *g)
{
        *g = (struct ace_global){0};
        g->dir = xstrdup("/var/lib/ace");
        g->system_config = xstrdup(ACE_LIBDIR);
        g->local_config = xstrdup("/etc/ace");
}

void ace_global_free(struct ace_global *g)
{
        free(g->dir);
        free(g->system_config);
        free(g->local_config);
        free(g->user_config);
        *g = (struct ace_global){0};
}

const struct cli_command *cli_find_command(const struct cli_command *const *table, const char *name,
                                           bool *ambiguous)
{
        const struct cli_command *found = NULL;
        size_t len = strlen(name), matches = 0;

        *ambiguous = false;
        for (const struct cli_command *const *c = table; *c; c++)
                if (strcmp((*c)->name, name) == 0)
                        return *c;
        if (len == 0)
                return NULL;
        for (const struct cli_command *const *c = table; *c; c++)
                if (strncmp((*c)->name, name, len) == 0) {
                        found = *c;
                        matches++;
                }
        if (matches > 1) {
                *ambiguous = true;
                return NULL;
        }
        return found;
}

static void print_options(const struct cli_option *opts)
{
        if (!opts)
                return;
        for (const struct cli_option *o = opts; o->name; o++) {
                char lhs[96];
                if (o->flags & CLI_HIDDEN)
                        continue;
                if (o->type == CLI_BOOL)
                        snprintf(lhs, sizeof(lhs), "--%s", o->name);
                else
                        snprintf(lhs, sizeof(lhs), "--%s=%s", o->name,
                                 o->argname ? o->argname : "VALUE");
                printf("      %-32s %s", lhs, o->help ? o->help : "");
                if (o->defval && *o->defval)
                        printf(" (default %s)", o->defval);
                printf("\n");
        }
}

void cli_print_command_help(const char *prefix, const struct cli_command *cmd)
{
        printf("%s\n\nUsage:\n  %s %s\n", cmd->summary, prefix, cmd->usage ? cmd->usage : "");
        if (cmd->description)
                printf("\n%s\n", cmd->description);
        if (cmd->subcommands) {
                printf("\nCommands:\n");
                for (const struct cli_command *const *c = cmd->subcommands; *c; c++)
                        printf("  %-16s %s\n", (*c)->name, (*c)->summary);
        }
        if (cmd->options && cmd->options[0].name) {
                printf("\nFlags:\n");
                print_options(cmd->options);
        }
        printf("\nGlobal Flags:\n");
        print_options(cli_global_options);
}

static void print_main_help(const char *progname, const struct cli_command *const *table)
{
        printf("%s - App Container Executor, a pod runtime for appc images\n\n"
               "Usage:\n  %s [global flags] COMMAND [flags] [args]\n\nCommands:\n",
               progname, progname);
        for (const struct cli_command *const *c = table; *c; c++)
                printf("  %-16s %s\n", (*c)->name, (*c)->summary);
        printf("\nGlobal Flags:\n");
        print_options(cli_global_options);
        printf("\nRun '%s help COMMAND' or '%s COMMAND --help' for more on a command.\n", progname,
               progname);
}

static int usage_error(const char *progname, const char *prefix, struct ace_error *e)
{
        log_error("%s", ace_error_msg(e));
        fprintf(stderr, "Run '%s --help' for usage.\n", prefix ? prefix : progname);
        return ACE_EXIT_FAILURE;
}

static int run_command(const char *progname, const char *prefix, const struct cli_command *cmd,
                       struct ace_global *g, int argc, char **argv)
{
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ void *opts = NULL;
        int r, code;

        if (cmd->subcommands) {
                bool ambiguous;
                const struct cli_command *sub;
                _cleanup_free_ char *subprefix = NULL;
                int i = 0;

                /* Global flags may come between "image" and its verb. */
                const struct cli_optset gset[] = {{cli_global_options, g}};
                for (;;) {
                        if (i >= argc) {
                                cli_print_command_help(prefix, cmd);
                                return 0;
                        }
                        r = cli_parse_flag(gset, 1, argc, argv, &i, NULL, &e);
                        if (r == -EAGAIN) {
                                cli_print_command_help(prefix, cmd);
                                return 0;
                        }
                        if (r < 0)
                                return usage_error(progname, prefix, e);
                        if (r == 0)
                                break;
                }
                sub = cli_find_command(cmd->subcommands, argv[i], &ambiguous);
                if (!sub) {
                        log_error("%s \"%s\" for \"%s\"",
                                  ambiguous ? "ambiguous command" : "unknown command", argv[i],
                                  prefix);
                        fprintf(stderr, "Run '%s --help' for usage.\n", prefix);
                        return ACE_EXIT_FAILURE;
                }
                subprefix = xasprintf("%s %s", prefix, sub->name);
                return run_command(progname, subprefix, sub, g, argc - i - 1, argv + i + 1);
        }

        opts = xcalloc(1, cmd->opts_size ? cmd->opts_size : 1);
        if (cmd->opts_init)
                cmd->opts_init(opts);

        if (cmd->flags & CMD_RAW_ARGS) {
                for (int i = 0; i < argc; i++)
                        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                                /* Only before the first image: after it, --help is data. */
                                bool before_image = true;
                                for (int j = 0; j < i; j++)
                                        if (argv[j][0] != '-')
                                                before_image = false;
                                if (before_image) {
                                        cli_print_command_help(prefix, cmd);
                                        code = 0;
                                        goto out;
                                }
                        }
                args = xcalloc((size_t)argc + 1, sizeof(char *));
                for (int i = 0; i < argc; i++)
                        args[i] = xstrdup(argv[i]);
        } else {
                const struct cli_optset sets[] = {{cmd->options, opts}, {cli_global_options, g}};
                r = cli_parse_args(sets, ARRAY_SIZE(sets), argc, argv,
                                   !(cmd->flags & CMD_NO_INTERSPERSE), &args, &e);
                if (r == -EAGAIN) {
                        cli_print_command_help(prefix, cmd);
                        code = 0;
                        goto out;
                }
                if (r < 0) {
                        code = usage_error(progname, prefix, e);
                        goto out;
                }
        }
        log_set_level(g->debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
        if ((cmd->flags & CMD_ROOT) && geteuid() != 0) {
                log_error("cannot run as unprivileged user");
                code = ACE_EXIT_FAILURE;
                goto out;
        }
        code = cmd->run(g, opts, args);
out:
        if (cmd->opts_free)
                cmd->opts_free(opts);
        return code;
}

static int help_command(const char *progname, const struct cli_command *const *table, int argc,
                        char **argv)
{
        _cleanup_free_ char *prefix = NULL;
        const struct cli_command *cmd;
        bool ambiguous;

        if (argc == 0) {
                print_main_help(progname, table);
                return 0;
        }
        cmd = cli_find_command(table, argv[0], &ambiguous);
        prefix = xasprintf("%s %s", progname, cmd ? cmd->name : "");
        for (int j = 1; cmd && j < argc && cmd->subcommands; j++) {
                cmd = cli_find_command(cmd->subcommands, argv[j], &ambiguous);
                if (cmd) {
                        char *p = xasprintf("%s %s", prefix, cmd->name);
                        free(prefix);
                        prefix = p;
                }
        }
        if (!cmd) {
                log_error("unknown help topic \"%s\"", argv[argc - 1]);
                return ACE_EXIT_FAILURE;
        }
        cli_print_command_help(prefix, cmd);
        return 0;
}

static int dispatch(const char *progname, const struct cli_command *const *table,
                    struct ace_global *g, int argc, char **argv)
{
        _cleanup_free_ char *prefix = NULL;
        const struct cli_command *cmd;
        bool ambiguous;

        cmd = cli_find_command(table, argv[0], &ambiguous);
        if (!cmd) {
                log_error("%s \"%s\"", ambiguous ? "ambiguous command" : "unknown command",
                          argv[0]);
                fprintf(stderr, "Run '%s --help' for usage.\n", progname);
                return ACE_EXIT_FAILURE;
        }
        prefix = xasprintf("%s %s", progname, cmd->name);
        return run_command(progname, prefix, cmd, g, argc - 1, argv + 1);
}

int cli_main(const char *progname, const struct cli_command *const *table, int argc, char **argv)
{
        _cleanup_error_ struct ace_error *e = NULL;
        struct ace_global g;
        int i = 1, code;

        log_setup(progname, LOG_LEVEL_INFO);
        ace_global_init(&g);
        const struct cli_optset gset[] = {{cli_global_options, &g}};
        for (;;) {
                if (i >= argc) {
                        print_main_help(progname, table);
                        fprintf(stderr, "%s: missing command\n", progname);
                        code = ACE_EXIT_USAGE;
                        goto out;
                }
                int r = cli_parse_flag(gset, 1, argc, argv, &i, NULL, &e);
                if (r == -EAGAIN) {
                        print_main_help(progname, table);
                        code = 0;
                        goto out;
                }
                if (r < 0) {
                        code = usage_error(progname, NULL, e);
                        goto out;
                }
                if (r == 0)
                        break;
        }
        log_set_level(g.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
        if (strcmp(argv[i], "help") == 0)
                code = help_command(progname, table, argc - i - 1, argv + i + 1);
        else
                code = dispatch(progname, table, &g, argc - i, argv + i);
out:
        ace_global_free(&g);
        fflush(stdout);
        return code;
}
