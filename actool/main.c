/*
 * main.c - actool, the appc image tool: global flags, the verb table, help output in the
 * reference tool's layout, and dispatch. Flags are Go-flag style as in the reference: they
 * come before the positionals, `-x` and `--x` are the same, global flags before the verb.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actool/actool.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"

static const struct actool_command *const verbs[] = {
    &actool_build, &actool_cat_manifest, &actool_discover, &actool_patch_manifest, &actool_validate,
};

struct global {
        bool debug;
};

static const struct cli_option global_options[] = {
    {.name = "debug", .type = CLI_BOOL, .offset = offsetof(struct global, debug)},
    CLI_END,
};

int actool_fail(const char *verb, const char *fmt, ...)
{
        va_list ap;
        char buf[4096];

        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (verb)
                fprintf(stderr, "%s: %s\n", verb, buf);
        else
                fprintf(stderr, "%s\n", buf);
        return ACTOOL_EXIT_FAILURE;
}

static void print_global_usage(FILE *f)
{
        fprintf(f,
                "NAME:\n\tactool - actool, the application container tool\n\n"
                "USAGE:\n\tactool [global options] <command> [command options] "
                "[arguments...]\n\nVERSION:\n\t%s\n\nCOMMANDS:\n",
                ACE_VERSION);
        fprintf(f, "\tbuild\t\tBuild an ACI from an Image Layout\n"
                   "\tcat-manifest\tPrint the manifest from an ACI\n"
                   "\tdiscover\tDiscover the download URLs for one or more app container images\n"
                   "\thelp\t\tShow a list of commands or help for one command\n"
                   "\tpatch-manifest\tCopy an ACI and patch its manifest\n"
                   "\tvalidate\tValidate that one or more images or manifests meet the "
                   "AppContainer specification\n"
                   "\tversion\t\tPrint the version and exit\n\n"
                   "GLOBAL OPTIONS:\n\t--debug=false\tPrint verbose (debug) output\n"
                   "\t--help=false\tPrint usage information and exit\n\n"
                   "Run \"actool help <command>\" for more details on a specific command.\n");
}

static void print_verb_usage(FILE *f, const struct actool_command *c)
{
        fprintf(f, "NAME:\n\t%s - %s\n\nUSAGE:\n\tactool %s %s\n\nDESCRIPTION:\n\t%s\n", c->name,
                c->summary, c->name, c->usage, c->description ? c->description : c->summary);
        if (c->options && c->options[0].name) {
                fprintf(f, "\nOPTIONS:\n");
                for (const struct cli_option *o = c->options; o->name; o++) {
                        char lhs[128];
                        if (o->flags & CLI_HIDDEN)
                                continue;
                        snprintf(lhs, sizeof(lhs), "--%s=%s", o->name,
                                 o->defval ? o->defval : (o->type == CLI_BOOL ? "false" : ""));
                        fprintf(f, "\t%-24s%s\n", lhs, o->help ? o->help : "");
                }
        }
        fprintf(f, "\nFor help on global options run \"actool help\"\n");
}

static const struct actool_command *find_verb(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
                if (strcmp(verbs[i]->name, name) == 0)
                        return verbs[i];
        return NULL;
}

static int run_verb(const struct actool_command *c, int argc, char **argv, bool debug)
{
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_strv_free_ char **args = NULL;
        _cleanup_free_ void *opts = xcalloc(1, c->opts_size ? c->opts_size : 1);
        const struct cli_optset sets[] = {{c->options, opts}};
        int r;

        if (c->opts_init)
                c->opts_init(opts);
        r = cli_parse_args(sets, 1, argc, argv, false, &args, &e);
        if (r == -EAGAIN) {
                print_verb_usage(stdout, c);
                r = 0;
        } else if (r < 0) {
                /* Go's flag package: message, then the verb's usage, exit 2. */
                fprintf(stderr, "%s\n", ace_error_msg(e));
                print_verb_usage(stderr, c);
                r = ACTOOL_EXIT_USAGE;
        } else {
                r = c->run(opts, args, debug);
        }
        if (c->opts_free)
                c->opts_free(opts);
        return r;
}

static int help(int argc, char **argv)
{
        const struct actool_command *c;

        if (argc == 0) {
                print_global_usage(stdout);
                return 0;
        }
        c = find_verb(argv[0]);
        if (c) {
                print_verb_usage(stdout, c);
                return 0;
        }
        if (strcmp(argv[0], "version") == 0) {
                printf("NAME:\n\tversion - Print the version and exit\n\nUSAGE:\n\tactool "
                       "version \n\nDESCRIPTION:\n\tPrint the version and exit\n\n"
                       "For help on global options run \"actool help\"\n");
                return 0;
        }
        fprintf(stderr, "Unrecognized command: %s\n", argv[0]);
        return ACTOOL_EXIT_FAILURE;
}

static bool is_help_flag(const char *a)
{
        return strcmp(a, "--help") == 0 || strcmp(a, "-help") == 0 || strcmp(a, "-h") == 0 ||
               strcmp(a, "--help=true") == 0;
}

int main(int argc, char **argv)
{
        _cleanup_error_ struct ace_error *e = NULL;
        struct global g = {0};
        const struct cli_optset sets[] = {{global_options, &g}};
        bool want_help = false;
        int i = 1;

        log_setup("actool", LOG_LEVEL_INFO);
        while (i < argc) {
                if (is_help_flag(argv[i])) {
                        want_help = true;
                        i++;
                        continue;
                }
                int r = cli_parse_flag(sets, 1, argc, argv, &i, NULL, &e);
                if (r < 0) {
                        fprintf(stderr, "Incorrect Usage.\n\n");
                        print_global_usage(stderr);
                        fprintf(stderr, "\n%s\n", ace_error_msg(e));
                        return ACTOOL_EXIT_USAGE;
                }
                if (r == 0)
                        break;
        }
        if (want_help || i >= argc) {
                print_global_usage(stdout);
                return 0;
        }
        if (g.debug)
                log_set_level(LOG_LEVEL_DEBUG);

        const char *verb = argv[i];
        if (strcmp(verb, "help") == 0)
                return help(argc - i - 1, argv + i + 1);
        if (strcmp(verb, "version") == 0) {
                printf("actool version %s\nappc version 0.8.11\n", ACE_VERSION);
                return 0;
        }
        const struct actool_command *c = find_verb(verb);
        if (!c) {
                fprintf(stderr,
                        "actool: unknown subcommand: \"%s\"\nRun 'actool help' for usage.\n", verb);
                return ACTOOL_EXIT_USAGE;
        }
        return run_verb(c, argc - i - 1, argv + i + 1, g.debug);
}
