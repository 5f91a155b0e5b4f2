/*
 * discover.h - `actool discover [--insecure] [--json] [--port=N] NAME...`: prints the ACI and
 * signature endpoints and the public keys that appc meta discovery finds for each name, in the
 * reference actool 0.8.11's output format (reference/appc.md §9). The actool verb table calls
 * actool_discover_main() with argv starting at the verb's first argument; it returns the exit
 * code (0, or 1 when discovery fails; the reference panics with 2 on a bad app string, we exit 1).
 */
#pragma once

int actool_discover_main(int argc, char **argv);
