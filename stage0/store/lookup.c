/*
 * lookup.c - finding a stored image by ID prefix or by name + labels (rkt's ResolveKey and
 * GetACI, reference/rkt.md §4).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/kv.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/types.h"
#include "stage0/store/db.h"
#include "stage0/store/internal.h"
#include "stage0/store/store.h"

int store_find_by_id_prefix(struct store *s, const char *prefix, char **ret_id,
                            struct ace_error **err)
{
        _cleanup_strv_free_ char **ids = NULL;
        int r;

        /* Only validated hex reaches the db (and never a path). */
        if (!prefix || !image_id_prefix_valid(prefix))
                return ace_error_make(err, EINVAL,
                                      "invalid image ID \"%s\": want sha512- and at least 2 "
                                      "lowercase hex digits",
                                      prefix ? prefix : "");
        r = db_ids_with_prefix(s->db, prefix, 2, &ids, err);
        if (r < 0)
                return r;
        if (strv_length(ids) == 0)
                return ace_error_make(err, ENOENT, "no image IDs found");
        if (strv_length(ids) > 1)
                return ace_error_make(err, EEXIST, "ambiguous image ID");
        *ret_id = xstrdup(ids[0]);
        return 0;
}

static const char *row_label(const struct db_image *row, const char *name)
{
        for (size_t i = 0; i < row->n_labels; i++)
                if (strcmp(row->labels[i].name, name) == 0)
                        return row->labels[i].value;
        return NULL;
}

static bool row_matches(const struct db_image *row, const struct ace_kv_list *labels,
                        unsigned flags)
{
        static const char *const host_labels[] = {"os", "arch"};

        for (size_t i = 0; labels && i < labels->n; i++) {
                const char *v = row_label(row, labels->items[i].name);
                if (!v || strcmp(v, labels->items[i].value) != 0)
                        return false;
        }
        if (!(flags & STORE_FIND_HOST_OSARCH))
                return true;
        for (size_t i = 0; i < ARRAY_SIZE(host_labels); i++) {
                const char *want, *have;
                if (labels && ace_kv_get(labels, host_labels[i]))
                        continue; /* asked for explicitly: checked above */
                want = i == 0 ? store_host_os() : store_host_arch();
                have = row_label(row, host_labels[i]);
                if (have && strcmp(have, want) != 0)
                        return false;
        }
        return true;
}

static char *labels_to_string(const struct ace_kv_list *labels)
{
        _cleanup_strv_free_ char **parts = xcalloc(1, sizeof(char *));
        for (size_t i = 0; labels && i < labels->n; i++)
                parts = strv_push_take(
                    parts, xasprintf("%s=%s", labels->items[i].name, labels->items[i].value));
        _cleanup_free_ char *joined = strv_join(parts, ",");
        return xasprintf("[%s]", joined);
}

int store_find_by_name(struct store *s, const char *name, const struct ace_kv_list *labels,
                       unsigned flags, char **ret_id, struct ace_error **err)
{
        struct db_image *rows = NULL;
        size_t n = 0;
        const struct db_image *best = NULL;
        bool want_latest = !(labels && ace_kv_get(labels, "version"));
        int r;

        if (!name || !ac_identifier_valid(name))
                return ace_error_make(err, EINVAL, "invalid image name \"%s\"", name ? name : "");
        r = db_images_by_name(s->db, name, &rows, &n, err);
        if (r < 0)
                return r;
        /* Rows come newest import first: the first match wins, except that without a
         * requested version an image flagged latest beats newer ones that are not. */
        for (size_t i = 0; i < n; i++) {
                if (!row_matches(&rows[i], labels, flags))
                        continue;
                if (!best)
                        best = &rows[i];
                if (!want_latest || rows[i].latest) {
                        if (want_latest)
                                best = &rows[i];
                        break;
                }
        }
        if (best)
                *ret_id = xstrdup(best->id);
        else {
                _cleanup_free_ char *ls = labels_to_string(labels);
                r = ace_error_make(err, ENOENT,
                                   "cannot find aci satisfying name: \"%s\" and labels: %s in "
                                   "the local store",
                                   name, ls);
        }
        for (size_t i = 0; i < n; i++)
                db_image_done(&rows[i]);
        free(rows);
        return r;
}

int store_resolve(struct store *s, const char *image, char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *name = NULL;
        struct ace_kv_list labels = {0};
        int r;

        if (!image || !*image)
                return ace_error_make(err, EINVAL, "image name or ID cannot be empty");
        if (strncmp(image, ACE_IMAGE_ID_PREFIX, ACE_IMAGE_ID_PREFIX_LEN) == 0)
                return store_find_by_id_prefix(s, image, ret_id, err);
        r = app_string_parse(image, &name, &labels, err);
        if (r < 0)
                return ace_error_wrap(err, "invalid image \"%s\"", image);
        r = store_find_by_name(s, name, &labels, STORE_FIND_HOST_OSARCH, ret_id, err);
        ace_kv_list_clear(&labels);
        return r;
}
