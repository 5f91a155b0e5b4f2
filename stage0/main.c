/*
 * main.c - the `ace` binary (stage0): the verb table and nothing else. Each verb lives in
 * stage0/cmd_<verb>.c and exports a `const struct cli_command cmd_<verb>`.
 *
 * Verbs are declared weak so the table can list every verb of rkt's CLI while the branches
 * implementing them land one by one; a verb whose object is absent is simply not listed.
 */
#include <stddef.h>

#include "stage0/cli.h"

#define VERB(name) extern const struct cli_command name __attribute__((weak))

VERB(cmd_run);
VERB(cmd_prepare);
VERB(cmd_run_prepared);
VERB(cmd_fetch);
VERB(cmd_status);
VERB(cmd_list);
VERB(cmd_gc);
VERB(cmd_rm);
VERB(cmd_stop);
VERB(cmd_enter);
VERB(cmd_export);
VERB(cmd_cat_manifest);
VERB(cmd_logs);
VERB(cmd_image);
VERB(cmd_trust);
VERB(cmd_metadata_service);
VERB(cmd_config);
VERB(cmd_version);

int main(int argc, char **argv)
{
        const struct cli_command *all[] = {
            &cmd_cat_manifest, &cmd_config, &cmd_enter,   &cmd_export,       &cmd_fetch,
            &cmd_gc,           &cmd_image,  &cmd_list,    &cmd_logs,         &cmd_metadata_service,
            &cmd_prepare,      &cmd_rm,     &cmd_run,     &cmd_run_prepared, &cmd_status,
            &cmd_stop,         &cmd_trust,  &cmd_version,
        };
        const struct cli_command *table[sizeof(all) / sizeof(all[0]) + 1];
        size_t n = 0;

        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                if (all[i])
                        table[n++] = all[i];
        table[n] = NULL;
        return cli_main("ace", table, argc, argv);
}
