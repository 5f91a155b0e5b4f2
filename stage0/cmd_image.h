/*
 * cmd_image.h - `ace image` and its subcommands (one stage0/cmd_image_*.c file each).
 *
 * `ace image fetch` is rkt's alias of `ace fetch`; the fetch code defines cmd_image_fetch and
 * the image verb lists it when it is linked in (weak reference, like the verbs in main.c).
 */
#pragma once

#include "stage0/cli.h"

extern const struct cli_command cmd_image;

extern const struct cli_command cmd_image_cat_manifest;
extern const struct cli_command cmd_image_export;
extern const struct cli_command cmd_image_extract;
extern const struct cli_command cmd_image_gc;
extern const struct cli_command cmd_image_list;
extern const struct cli_command cmd_image_render;
extern const struct cli_command cmd_image_rm;
extern const struct cli_command cmd_image_verify;
/* Defined by the fetch code (stage0/cmd_fetch.c), optional. */
extern const struct cli_command cmd_image_fetch __attribute__((weak));
