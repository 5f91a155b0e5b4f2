/*
 * cmd_image.h - `ace image` and its subcommands (one stage0/cmd_image_*.c file each).
 *
 * `ace image fetch` is rkt's alias of `ace fetch`; the fetch code defines cmd_image_fetch and
 * the image verb lists it when it is linked in (weak reference, like the verbs in main.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stage0/cli.h"

struct store;

/* Opens the store of the data dir in g for an image verb; on failure prints
 * "cannot open store: ..." and returns -errno (the verb then exits ACE_EXIT_FAILURE). */
int image_open_store(struct ace_global *g, struct store **ret);

/* ---- image list (cmd_image_list.c): the formatting is pure, for unit tests ---- */

struct store_image;

enum image_list_field {
        IMAGE_LIST_ID,
        IMAGE_LIST_NAME,
        IMAGE_LIST_SIZE,
        IMAGE_LIST_IMPORTTIME,
        IMAGE_LIST_LASTUSED,
        _IMAGE_LIST_FIELD_MAX,
};

enum image_list_format { IMAGE_LIST_TEXT, IMAGE_LIST_JSON, IMAGE_LIST_JSON_PRETTY };

struct image_list_opts {
        enum image_list_field show[_IMAGE_LIST_FIELD_MAX]; /* --fields, in order */
        size_t n_show;
        enum image_list_field sort[_IMAGE_LIST_FIELD_MAX]; /* --sort keys, in order */
        size_t n_sort;
        bool desc;      /* --order=desc */
        bool no_legend; /* --no-legend */
        bool full;      /* --full */
        enum image_list_format format;
};

/* Defaults: every field, sorted by import time ascending, text. */
void image_list_opts_init(void *opts);
/* --fields (sort false) or --sort (sort true) values. */
int image_list_parse_fields(const char *value, bool sort, struct image_list_opts *o,
                            struct ace_error **err);
/* The table (Go tabwriter alignment), relative times against now_ns. */
char *image_list_render_text(const struct store_image *imgs, size_t n,
                             const struct image_list_opts *o, int64_t now_ns);
/* rkt's JSON array (no trailing newline). */
char *image_list_render_json(const struct store_image *imgs, size_t n,
                             const struct image_list_opts *o);

/* Resolves what the user typed (ID prefix or name[:version][,label=value]) to a full ID,
 * printing rkt's lookup error on failure. */
int image_resolve(struct store *s, const char *image, char **ret_id);

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
