/*
 * opts.h - table-driven long-option parsing shared by the binaries (ace, actool): options
 * described by a table of {name, type, offset in a struct}, `--name=value` or `--name value`,
 * bools as `--flag` or `--flag=true|false` (Go's strconv.ParseBool spellings), a single dash
 * accepted as well (Go's flag package), "--" ending the flags.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum cli_type {
        CLI_BOOL,     /* bool: --x, --x=true|false */
        CLI_STRING,   /* char *: last one wins */
        CLI_STRV,     /* char **: repeatable, each occurrence appended */
        CLI_INT,      /* int */
        CLI_DURATION, /* int64_t nanoseconds: Go durations "30m0s", "1h", "10s", "0" */
        CLI_CALLBACK, /* cb(value, base, err) */
};

enum cli_option_flag {
        CLI_HIDDEN = 1u << 0,   /* not shown in --help */
        CLI_OPTIONAL = 1u << 1, /* value optional (--x or --x=v); --x alone gives "true" */
};

struct cli_option {
        const char *name; /* long name, without "--" */
        enum cli_type type;
        size_t offset; /* of the destination inside the options struct */
        const char *argname;
        const char *help;
        int (*cb)(const char *value, void *base, struct ace_error **err);
        unsigned flags;
        const char *defval; /* shown in --help */
};

#define CLI_END                                                                                    \
        {                                                                                          \
                .name = NULL                                                                       \
        }

/* An option table together with the struct it writes into. */
struct cli_optset {
        const struct cli_option *options;
        void *base;
};

/*
 * Tries to consume argv[*i] (and its value) as one of the options of `sets`.
 * Returns 1 when consumed (*i advanced past it), 0 when argv[*i] is not a flag (a positional,
 * "-" or "--", *i unchanged), or -errno with an error for an unknown flag or a bad value.
 * On success, *ret_opt (optional) points at the option matched.
 */
int cli_parse_flag(const struct cli_optset *sets, size_t n_sets, int argc, char **argv, int *i,
                   const struct cli_option **ret_opt, struct ace_error **err);

/*
 * Parses a whole argument list. With `interspersed`, flags may follow positionals; otherwise
 * the first positional ends flag parsing. "--" always ends flag parsing (and is dropped).
 * Positionals are returned in *ret_args (a new strv).
 */
int cli_parse_args(const struct cli_optset *sets, size_t n_sets, int argc, char **argv,
                   bool interspersed, char ***ret_args, struct ace_error **err);

/* Value parsers shared by the verbs. */
int cli_parse_bool(const char *s, bool *ret, struct ace_error **err);
/* Go time.ParseDuration subset: [-]N(ns|us|µs|ms|s|m|h)... ; "0" allowed. */
int cli_parse_duration(const char *s, int64_t *ret_ns, struct ace_error **err);
/* Formats nanoseconds the way Go prints a time.Duration ("30m0s", "24h0m0s", "1.5s"). */
char *cli_format_duration(int64_t ns);
