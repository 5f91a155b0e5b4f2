/* cmd_version.c - `ace version`: rkt's format, which tools (Nomad) parse with regexes. */
#include <stdio.h>

#include "stage0/cli.h"

static int run_version(struct ace_global *g, void *opts, char **args)
{
        (void)g;
        (void)opts;
        (void)args;
        printf("ace Version: %s\n", ACE_VERSION);
        printf("appc Version: 0.8.11\n");
        printf("Features: +OVERLAY +SECCOMP +CGROUPS-V1 +CGROUPS-V2\n");
        return 0;
}

const struct cli_command cmd_version = {
    .name = "version",
    .summary = "Print the version and exit",
    .usage = "",
    .run = run_version,
};
