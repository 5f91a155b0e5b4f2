/* cmd_config.c - `ace config [--pretty-print]`: the merged stage0 configuration as JSON, in
 * rkt's shape ({"stage0": [...]}, one auth entry per domain, then paths and stage1). */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "stage0/cli.h"
#include "stage0/config.h"

struct config_opts {
        bool pretty;
};

static void config_opts_init(void *p)
{
        struct config_opts *o = p;
        o->pretty = true;
}

static const struct cli_option config_options[] = {
    {.name = "pretty-print",
     .type = CLI_BOOL,
     .offset = offsetof(struct config_opts, pretty),
     .help = "apply indent to format the output",
     .defval = "true"},
    CLI_END,
};

static int run_config(struct ace_global *g, void *opts, char **args)
{
        struct config_opts *o = opts;
        _cleanup_error_ struct ace_error *err = NULL;
        _cleanup_free_ char *json = NULL;
        struct ace_config *c = NULL;

        if (args && args[0]) {
                log_error("config takes no arguments");
                return ACE_EXIT_FAILURE;
        }
        if (ace_config_load_global(g, &c, &err) < 0) {
                ace_error_wrap(&err, "cannot get configuration");
                log_error_ace(err);
                return ACE_EXIT_FAILURE;
        }
        json = ace_config_to_json(c, o->pretty);
        ace_config_free(c);
        printf("%s\n", json);
        return 0;
}

const struct cli_command cmd_config = {
    .name = "config",
    .summary = "Print configuration for each stage in JSON format",
    .usage = "[--pretty-print]",
    .description = "The output is JSON with \"stage0\" as key and configuration entries as "
                   "values,\nresembling the original configuration format.",
    .options = config_options,
    .opts_size = sizeof(struct config_opts),
    .opts_init = config_opts_init,
    .run = run_config,
};
