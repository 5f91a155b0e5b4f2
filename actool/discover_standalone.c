/*
 * discover_standalone.c - a stand-in `main` for actool while only the discover verb lives in
 * actool/ on this branch: `actool discover ...` and `actool version`. It is weak, so the real
 * actool main (with its verb table calling actool_discover_main) replaces it when both are
 * linked; delete this file once that main has landed.
 */
#include <stdio.h>
#include <string.h>

#include "actool/discover.h"

int main(int argc, char **argv) __attribute__((weak));

int main(int argc, char **argv)
{
        if (argc >= 2 && strcmp(argv[1], "discover") == 0)
                return actool_discover_main(argc - 2, argv + 2);
        if (argc >= 2 && strcmp(argv[1], "version") == 0) {
                printf("actool version %s\n", ACE_VERSION);
                return 0;
        }
        fprintf(stderr, "actool: unknown subcommand: \"%s\"\nRun 'actool help' for usage.\n",
                argc >= 2 ? argv[1] : "");
        return 2;
}
