/* cmd_cat_manifest.c - `ace cat-manifest [--pretty-print] [--uuid-file=FILE] UUID`: the pod's
 * (reified) pod manifest, tab-indented like rkt's, or compact with --pretty-print=false. */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "schema/pod_manifest.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"

struct cat_opts {
        bool pretty;
        char *uuid_file;
};

static void cat_opts_init(void *p)
{
        ((struct cat_opts *)p)->pretty = true;
}

static void cat_opts_free(void *p)
{
        free(((struct cat_opts *)p)->uuid_file);
}

static const struct cli_option cat_options[] = {
    {.name = "pretty-print",
     .type = CLI_BOOL,
     .offset = offsetof(struct cat_opts, pretty),
     .help = "apply indent to format the output",
     .defval = "true"},
    POD_CMD_UUID_FILE_OPTION(struct cat_opts, uuid_file),
    CLI_END,
};

static int run_cat_manifest(struct ace_global *g, void *opts, char **args)
{
        struct cat_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        _cleanup_pod_ struct pod *pod = NULL;
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = NULL;
        _cleanup_free_ char *buf = NULL, *text = NULL;
        size_t len;

        if (pod_cmd_find_pod(g, args, o->uuid_file, &pods, &pod, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (pod_read_file(pod, "pod", &buf, &len, &e) < 0 ||
            ace_pod_manifest_parse(buf, len, &pm, &e) < 0) {
                log_error("cannot get the pod manifest: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        text = ace_pod_manifest_to_json_style(pm, o->pretty ? JSON_PRETTY_TAB : JSON_COMPACT);
        printf("%s\n", text);
        return 0;
}

const struct cli_command cmd_cat_manifest = {
    .name = "cat-manifest",
    .summary = "Inspect and print the pod manifest",
    .usage = "[--pretty-print] [--uuid-file=FILE] UUID",
    .options = cat_options,
    .opts_size = sizeof(struct cat_opts),
    .opts_init = cat_opts_init,
    .opts_free = cat_opts_free,
    .run = run_cat_manifest,
};
