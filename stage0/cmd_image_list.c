/*
 * cmd_image_list.c - `ace image list`: rkt's columns (ID NAME SIZE IMPORT TIME LAST USED),
 * --fields, --sort, --order, --no-legend, --full and --format=json|json-pretty
 * (reference/rkt.md §1.5). Text output is aligned like Go's tabwriter; sizes are blob +
 * rendered tree, shown as "12MiB" (raw bytes with --full), times relative ("2 minutes ago")
 * or absolute with --full.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/humanize.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/types.h"
#include "stage0/cmd_image.h"
#include "stage0/store/store.h"
#include "stage0/tabwriter.h"
#include "stage0/timefmt.h"

/* Field names (as --fields and --sort take them) and headers, in rkt's default order. */
static const struct {
        const char *name;
        const char *header;
        bool sortable;
} fields[_IMAGE_LIST_FIELD_MAX] = {
    [IMAGE_LIST_ID] = {"id", "ID", false},
    [IMAGE_LIST_NAME] = {"name", "NAME", true},
    [IMAGE_LIST_SIZE] = {"size", "SIZE", true},
    [IMAGE_LIST_IMPORTTIME] = {"importtime", "IMPORT TIME", true},
    [IMAGE_LIST_LASTUSED] = {"lastused", "LAST USED", true},
};

/* Parses a comma list of field names (rkt's OptionList: case-insensitive, no duplicates). */
static int parse_fields(const char *value, bool sortable_only, enum image_list_field *out,
                        size_t *n, struct ace_error **err)
{
        _cleanup_strv_free_ char **parts = strv_split(value, ",", false);
        *n = 0;
        for (char **p = parts; *p; p++) {
                size_t f;
                for (char *c = *p; *c; c++)
                        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
                for (f = 0; f < _IMAGE_LIST_FIELD_MAX; f++)
                        if (strcmp(*p, fields[f].name) == 0 &&
                            (!sortable_only || fields[f].sortable))
                                break;
                if (f == _IMAGE_LIST_FIELD_MAX)
                        return ace_error_make(err, EINVAL, "unknown field \"%s\" (allowed: %s)", *p,
                                              sortable_only ? "name, importtime, lastused, size"
                                                            : "id, name, size, importtime, "
                                                              "lastused");
                for (size_t i = 0; i < *n; i++)
                        if (out[i] == (enum image_list_field)f)
                                return ace_error_make(err, EINVAL, "duplicated field \"%s\"", *p);
                out[(*n)++] = (enum image_list_field)f;
        }
        if (*n == 0)
                return ace_error_make(err, EINVAL, "at least one field is needed");
        return 0;
}

int image_list_parse_fields(const char *value, bool sort, struct image_list_opts *o,
                            struct ace_error **err)
{
        return sort ? parse_fields(value, true, o->sort, &o->n_sort, err)
                    : parse_fields(value, false, o->show, &o->n_show, err);
}

static int fields_cb(const char *value, void *base, struct ace_error **err)
{
        struct image_list_opts *o = base;
        return parse_fields(value, false, o->show, &o->n_show, err);
}

static int sort_cb(const char *value, void *base, struct ace_error **err)
{
        struct image_list_opts *o = base;
        return parse_fields(value, true, o->sort, &o->n_sort, err);
}

static int order_cb(const char *value, void *base, struct ace_error **err)
{
        struct image_list_opts *o = base;
        if (strcasecmp(value, "asc") == 0)
                o->desc = false;
        else if (strcasecmp(value, "desc") == 0)
                o->desc = true;
        else
                return ace_error_make(err, EINVAL, "wrong sort order (allowed: asc, desc)");
        return 0;
}

static int format_cb(const char *value, void *base, struct ace_error **err)
{
        struct image_list_opts *o = base;
        if (!*value)
                o->format = IMAGE_LIST_TEXT;
        else if (strcmp(value, "json") == 0)
                o->format = IMAGE_LIST_JSON;
        else if (strcmp(value, "json-pretty") == 0)
                o->format = IMAGE_LIST_JSON_PRETTY;
        else
                return ace_error_make(err, EINVAL, "Invalid format option: %s", value);
        return 0;
}

void image_list_opts_init(void *p)
{
        struct image_list_opts *o = p;
        for (size_t f = 0; f < _IMAGE_LIST_FIELD_MAX; f++)
                o->show[f] = (enum image_list_field)f;
        o->n_show = _IMAGE_LIST_FIELD_MAX;
        o->sort[0] = IMAGE_LIST_IMPORTTIME;
        o->n_sort = 1;
}

struct row {
        const struct store_image *img;
        char *display_name; /* name[:version] */
        uint64_t total;     /* blob + tree */
};

static int compare_rows(const struct row *a, const struct row *b, const struct image_list_opts *o)
{
        for (size_t i = 0; i < o->n_sort; i++) {
                int c = 0;
                switch (o->sort[i]) {
                case IMAGE_LIST_NAME:
                        c = strcmp(a->img->name, b->img->name);
                        break;
                case IMAGE_LIST_SIZE:
                        c = (a->total > b->total) - (a->total < b->total);
                        break;
                case IMAGE_LIST_IMPORTTIME:
                        c = (a->img->import_time > b->img->import_time) -
                            (a->img->import_time < b->img->import_time);
                        break;
                case IMAGE_LIST_LASTUSED:
                        c = (a->img->last_used > b->img->last_used) -
                            (a->img->last_used < b->img->last_used);
                        break;
                default:
                        break;
                }
                if (c)
                        return o->desc ? -c : c;
        }
        return strcmp(a->img->id, b->img->id);
}

/* Insertion sort: image lists are short and this keeps the options out of globals. */
static void sort_rows(struct row *rows, size_t n, const struct image_list_opts *o)
{
        for (size_t i = 1; i < n; i++) {
                struct row r = rows[i];
                size_t j = i;
                while (j > 0 && compare_rows(&rows[j - 1], &r, o) > 0) {
                        rows[j] = rows[j - 1];
                        j--;
                }
                rows[j] = r;
        }
}

/* Rows in display order. */
static struct row *make_rows(const struct store_image *imgs, size_t n,
                             const struct image_list_opts *o)
{
        struct row *rows = xcalloc(n ? n : 1, sizeof(*rows));
        for (size_t i = 0; i < n; i++) {
                const char *version = store_image_label(&imgs[i], "version");
                rows[i].img = &imgs[i];
                rows[i].display_name =
                    version ? xasprintf("%s:%s", imgs[i].name, version) : xstrdup(imgs[i].name);
                rows[i].total = imgs[i].size + imgs[i].tree_size;
        }
        sort_rows(rows, n, o);
        return rows;
}

static void free_rows(struct row *rows, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(rows[i].display_name);
        free(rows);
}

static struct timespec ns_to_ts(int64_t ns)
{
        struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000LL),
                              .tv_nsec = (long)(ns % 1000000000LL)};
        if (ts.tv_nsec < 0) {
                ts.tv_nsec += 1000000000L;
                ts.tv_sec--;
        }
        return ts;
}

/* Absolute (Go layout) with --full, else relative to now (go-humanize). */
static char *format_time(int64_t ns, bool full, int64_t now)
{
        struct timespec t = ns_to_ts(ns), n = ns_to_ts(now);
        return full ? time_format_go(&t) : time_humanize(&t, &n);
}

static char *cell(const struct row *r, enum image_list_field f, const struct image_list_opts *o,
                  int64_t now)
{
        switch (f) {
        case IMAGE_LIST_ID:
                if (o->full)
                        return xstrdup(r->img->id);
                return xasprintf("%.*s", ACE_IMAGE_ID_PREFIX_LEN + ACE_IMAGE_ID_LIST_HEX,
                                 r->img->id);
        case IMAGE_LIST_NAME:
                return xstrdup(r->display_name);
        case IMAGE_LIST_SIZE:
                return o->full ? xasprintf("%llu", (unsigned long long)r->total)
                               : humanize_ibytes(r->total);
        case IMAGE_LIST_IMPORTTIME:
                return format_time(r->img->import_time, o->full, now);
        case IMAGE_LIST_LASTUSED:
                return format_time(r->img->last_used, o->full, now);
        default:
                return xstrdup("");
        }
}

char *image_list_render_text(const struct store_image *imgs, size_t n,
                             const struct image_list_opts *o, int64_t now)
{
        struct tabwriter *tw = tabwriter_new(0, 8, 1, '\t');
        struct row *rows = make_rows(imgs, n, o);

        if (!o->no_legend) {
                for (size_t i = 0; i < o->n_show; i++)
                        tabwriter_printf(tw, "%s%s", i ? "\t" : "", fields[o->show[i]].header);
                tabwriter_printf(tw, "\n");
        }
        for (size_t r = 0; r < n; r++) {
                for (size_t i = 0; i < o->n_show; i++) {
                        _cleanup_free_ char *c = cell(&rows[r], o->show[i], o, now);
                        tabwriter_printf(tw, "%s%s", i ? "\t" : "", c);
                }
                tabwriter_printf(tw, "\n");
        }
        free_rows(rows, n);
        return tabwriter_finish(tw);
}

char *image_list_render_json(const struct store_image *imgs, size_t n,
                             const struct image_list_opts *o)
{
        _cleanup_json_ struct json_object *arr = json_object_new_array();
        struct row *rows = make_rows(imgs, n, o);

        /* rkt's lib.ImageListEntry: full ID, name[:version], ns timestamps, total size. */
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_new_object();
                json_object_object_add(e, "id", json_object_new_string(rows[i].img->id));
                json_object_object_add(e, "name", json_object_new_string(rows[i].display_name));
                json_object_object_add(e, "import_time",
                                       json_object_new_int64(rows[i].img->import_time));
                json_object_object_add(e, "last_used_time",
                                       json_object_new_int64(rows[i].img->last_used));
                json_object_object_add(e, "size", json_object_new_int64((int64_t)rows[i].total));
                json_object_array_add(arr, e);
        }
        free_rows(rows, n);
        return json_to_text(arr,
                            o->format == IMAGE_LIST_JSON_PRETTY ? JSON_PRETTY_TAB : JSON_COMPACT);
}

static int run_image_list(struct ace_global *g, void *opts, char **args)
{
        struct image_list_opts *o = opts;
        _cleanup_store_ struct store *s = NULL;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_free_ char *out = NULL;
        struct store_image *imgs = NULL;
        struct timespec ts;
        size_t n = 0;

        if (args[0]) {
                log_error("image list takes no arguments");
                return ACE_EXIT_FAILURE;
        }
        if (image_open_store(g, &s) < 0)
                return ACE_EXIT_FAILURE;
        if (store_list_images(s, &imgs, &n, &e) < 0) {
                log_error("unable to get aci infos: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        if (o->format == IMAGE_LIST_TEXT)
                out = image_list_render_text(imgs, n, o,
                                             (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
        else
                out = image_list_render_json(imgs, n, o);
        store_image_list_free(imgs, n);
        fputs(out, stdout);
        if (o->format != IMAGE_LIST_TEXT)
                fputc('\n', stdout);
        return fflush(stdout) == 0 ? 0 : ACE_EXIT_FAILURE;
}

static const struct cli_option list_options[] = {
    {.name = "fields",
     .type = CLI_CALLBACK,
     .cb = fields_cb,
     .argname = "LIST",
     .help = "comma-separated list of fields to display: id, name, size, importtime, lastused",
     .defval = "id,name,size,importtime,lastused"},
    {.name = "format",
     .type = CLI_CALLBACK,
     .cb = format_cb,
     .argname = "FORMAT",
     .help = "output format: json or json-pretty (default: a table)"},
    {.name = "full",
     .type = CLI_BOOL,
     .offset = offsetof(struct image_list_opts, full),
     .help = "use long output format",
     .defval = "false"},
    {.name = "no-legend",
     .type = CLI_BOOL,
     .offset = offsetof(struct image_list_opts, no_legend),
     .help = "suppress a legend with the list",
     .defval = "false"},
    {.name = "order",
     .type = CLI_CALLBACK,
     .cb = order_cb,
     .argname = "ORDER",
     .help = "sorting order: asc or desc",
     .defval = "asc"},
    {.name = "sort",
     .type = CLI_CALLBACK,
     .cb = sort_cb,
     .argname = "LIST",
     .help = "comma-separated list of fields to sort by: name, importtime, lastused, size",
     .defval = "importtime"},
    CLI_END,
};

const struct cli_command cmd_image_list = {
    .name = "list",
    .summary = "List images in the local store",
    .usage = "[flags]",
    .description = "Optionally, allows the user to specify the fields and sort order.",
    .options = list_options,
    .opts_size = sizeof(struct image_list_opts),
    .opts_init = image_list_opts_init,
    .run = run_image_list,
};
