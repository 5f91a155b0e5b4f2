/*
 * cmd_cat_manifest.c - `actool cat-manifest [--pretty-print] ACI`: print an image's manifest.
 *
 * The whole archive is checked against the layout rules first (a hostile archive is refused,
 * not half-read). Then, as the reference does, the raw manifest is printed even when it does
 * not validate, followed by the error and exit 1; --pretty-print re-indents it (4 spaces).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actool/actool.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

struct cat_opts {
        bool pretty;
};

static const struct cli_option cat_options[] = {
    {.name = "pretty-print",
     .type = CLI_BOOL,
     .offset = offsetof(struct cat_opts, pretty),
     .help = "Print with better style"},
    CLI_END,
};

static int run_cat_manifest(void *opts, char **args, bool debug)
{
        struct cat_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
        struct tar_result res = {0};
        struct tar_input in;
        int r;

        (void)debug;
        if (strv_length(args) != 1)
                return actool_fail("cat-manifest", "Must provide one file");
        fd = open(args[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return actool_fail("cat-manifest", "Cannot open %s: %s", args[0], strerror(errno));
        in = tar_input_fd(fd);
        if (tar_read_manifest(&in, NULL, &res, &e) < 0)
                return actool_fail("cat-manifest", "Cannot extract %s: %s", args[0],
                                   ace_error_msg(e));
        r = ace_image_manifest_parse(res.manifest, res.manifest_len, &m, &e);
        if (o->pretty) {
                /* As the reference: re-marshalled from the parsed manifest; raw JSON
                 * re-indented when it does not validate. */
                _cleanup_json_ struct json_object *obj = NULL;
                _cleanup_free_ char *text = NULL;
                if (m)
                        text = ace_image_manifest_to_json_style(m, JSON_PRETTY);
                else if (json_parse_object(res.manifest, res.manifest_len, 0, &obj, NULL) == 0)
                        text = json_to_text(obj, JSON_PRETTY);
                if (text)
                        printf("%s\n", text);
        } else {
                fwrite(res.manifest, 1, res.manifest_len, stdout);
                printf("\n");
        }
        fflush(stdout);
        tar_result_done(&res);
        if (r < 0)
                return actool_fail("cat-manifest", "Unable to read %s: %s", args[0],
                                   ace_error_msg(e));
        return 0;
}

const struct actool_command actool_cat_manifest = {
    .name = "cat-manifest",
    .summary = "Print the manifest from an ACI",
    .usage = " [--pretty-print] ACI_FILE",
    .description = "Print the manifest from an ACI.",
    .options = cat_options,
    .opts_size = sizeof(struct cat_opts),
    .run = run_cat_manifest,
};
