/*
 * cli.h - table-driven command-line parsing for ace (stage0), in the shape of rkt's cobra/pflag
 * CLI: long flags `--name=value` or `--name value`, bools as `--flag` or `--flag=true|false`,
 * global flags accepted before or after the verb, `ace help VERB` and `VERB --help`, unique
 * prefixes of verbs accepted (`ace stat` == `ace status`).
 *
 * Each verb lives in its own stage0/cmd_<verb>.c and exports one `const struct cli_command`.
 * The verb table in stage0/main.c lists them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/opts.h"

/* rkt's exit codes (reference/rkt.md §1.6). */
#define ACE_EXIT_FAILURE 254
#define ACE_EXIT_USAGE 2

/* --insecure-options bits (rkt/flag/secflags.go). */
enum insecure_option {
        INSECURE_IMAGE = 1u << 0,
        INSECURE_TLS = 1u << 1,
        INSECURE_ONDISK = 1u << 2,
        INSECURE_HTTP = 1u << 3,
        INSECURE_PUBKEY = 1u << 4,
        INSECURE_CAPABILITIES = 1u << 5,
        INSECURE_PATHS = 1u << 6,
        INSECURE_SECCOMP = 1u << 7,
        INSECURE_ALL_FETCH = INSECURE_IMAGE | INSECURE_TLS | INSECURE_HTTP | INSECURE_PUBKEY,
        INSECURE_ALL_RUN = INSECURE_CAPABILITIES | INSECURE_PATHS | INSECURE_SECCOMP,
        INSECURE_ALL = INSECURE_ALL_FETCH | INSECURE_ALL_RUN | INSECURE_ONDISK,
};

/* Parses a comma list of insecure option names ("none", "image", "all-run", ...). */
int insecure_options_parse(const char *s, unsigned *ret, struct ace_error **err);

/* Flags every verb accepts (rkt's persistent flags). */
struct ace_global {
        char *dir;           /* --dir, data directory (default /var/lib/ace) */
        bool dir_set;        /* --dir given on the command line (paths.d does not override) */
        char *system_config; /* --system-config (default ACE_LIBDIR) */
        char *local_config;  /* --local-config (default /etc/ace) */
        char *user_config;   /* --user-config (default none) */
        unsigned insecure;   /* --insecure-options */
        bool debug;          /* --debug */
        bool trust_keys_from_https;
};

void ace_global_init(struct ace_global *g);
void ace_global_free(struct ace_global *g);

enum cli_command_flag {
        CMD_ROOT = 1u << 0,           /* needs euid 0 (rkt ensureSuperuser) */
        CMD_NO_INTERSPERSE = 1u << 1, /* the verb parses its own argv after its first positional */
        CMD_RAW_ARGS = 1u << 2,       /* the verb gets argv untouched (run, prepare) */
};

struct cli_command {
        const char *name;
        const char *summary;              /* one line for the verb list */
        const char *usage;                /* after "ace VERB ": e.g. "[flags] UUID" */
        const char *description;          /* optional longer text for --help */
        const struct cli_option *options; /* verb flags, CLI_END terminated; may be NULL */
        size_t opts_size;                 /* size of the verb's options struct */
        void (*opts_init)(void *opts);    /* defaults; may be NULL (zeroed) */
        void (*opts_free)(void *opts);    /* may be NULL */
        /* args: positionals (or raw argv after the verb with CMD_RAW_ARGS). Returns the exit
         * code. Prints its own user-facing errors through log_error_ace(). */
        int (*run)(struct ace_global *g, void *opts, char **args);
        const struct cli_command *const *subcommands; /* for "image": NULL-terminated */
        unsigned flags;
};

/* The global option table (rkt's persistent flags), for verbs that parse raw args. */
extern const struct cli_option cli_global_options[];

/* Prints the help of a command ("ace VERB" usage, flags) to stdout. */
void cli_print_command_help(const char *prefix, const struct cli_command *cmd);

/* Finds a verb by exact name or unique prefix among a NULL-terminated table. Sets *ambiguous. */
const struct cli_command *cli_find_command(const struct cli_command *const *table, const char *name,
                                           bool *ambiguous);

/* Runs a program: dispatch argv over the verb table; returns the exit code. */
int cli_main(const char *progname, const struct cli_command *const *table, int argc, char **argv);
