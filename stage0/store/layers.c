/* layers.c - dependency render order and pathWhitelist filtering (see layers.h). */
#include "stage0/store/layers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"

void store_layers_free(struct store_layer *layers, size_t n)
{
        if (!layers)
                return;
        for (size_t i = 0; i < n; i++) {
                free(layers[i].id);
                for (size_t j = 0; j < layers[i].n_whitelists; j++)
                        strv_free(layers[i].whitelists[j]);
                free(layers[i].whitelists);
        }
        free(layers);
}

char *layers_normalize_path(const char *p)
{
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_free_ char *joined = NULL;

        if (!p || p[0] != '/')
                return NULL;
        parts = strv_split(p, "/", false);
        _cleanup_strv_free_ char **kept = xcalloc(1, sizeof(char *));
        for (char **c = parts; *c; c++) {
                if (strcmp(*c, ".") == 0)
                        continue;
                if (strcmp(*c, "..") == 0)
                        return NULL;
                kept = strv_push(kept, *c);
        }
        joined = strv_join(kept, "/");
        return xasprintf("/%s", joined);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whitelist of one manifest, normalized and sorted; NULL when empty. */
static char **whitelist_of(const struct ace_image_manifest *m)
{
        char **wl = NULL;

        if (!m->path_whitelist || !m->path_whitelist[0])
                return NULL;
        wl = xcalloc(1, sizeof(char *));
        for (char **p = m->path_whitelist; *p; p++) {
                char *n = layers_normalize_path(*p);
                if (n)
                        wl = strv_push_take(wl, n);
        }
        qsort(wl, strv_length(wl), sizeof(char *), cmp_str);
        return wl;
}

struct resolve_state {
        layers_dep_fn dep_fn;
        void *userdata;
        struct store_layer *layers;
        size_t n, cap;
        /* the chain of images from the top down to the one being expanded */
        const char *path_ids[LAYERS_MAX_DEPTH + 1];
        char **path_wl[LAYERS_MAX_DEPTH + 1]; /* borrowed from path_owned */
        size_t depth;
};

static int add_layer(struct resolve_state *st, const char *id, struct ace_error **err)
{
        struct store_layer *l;

        if (st->n >= LAYERS_MAX_COUNT)
                return ace_error_make(err, E2BIG, "more than %d layers in the dependencies of %s",
                                      LAYERS_MAX_COUNT, st->path_ids[0]);
        st->layers = xgrow(st->layers, &st->cap, st->n + 1, sizeof(*st->layers));
        l = &st->layers[st->n++];
        *l = (struct store_layer){.id = xstrdup(id)};
        for (size_t d = 0; d <= st->depth; d++) {
                if (!st->path_wl[d])
                        continue;
                l->whitelists = xrealloc(l->whitelists, (l->n_whitelists + 1) * sizeof(char **));
                l->whitelists[l->n_whitelists++] = strv_copy(st->path_wl[d]);
        }
        return 0;
}

static int expand(struct resolve_state *st, const char *id, const struct ace_image_manifest *m,
                  struct ace_error **err)
{
        _cleanup_strv_free_ char **wl = whitelist_of(m);
        int r = 0;

        for (size_t d = 0; d < st->depth; d++)
                if (strcmp(st->path_ids[d], id) == 0)
                        return ace_error_make(err, ELOOP, "dependency cycle: %s depends on itself",
                                              id);
        st->path_ids[st->depth] = id;
        st->path_wl[st->depth] = wl;
        for (size_t i = 0; i < m->dependencies.n; i++) {
                const struct ace_dependency *dep = &m->dependencies.items[i];
                const struct ace_image_manifest *dm = NULL;
                _cleanup_free_ char *dep_id = NULL;

                if (st->depth + 1 > LAYERS_MAX_DEPTH)
                        return ace_error_make(err, ELOOP,
                                              "dependencies of %s nest deeper than %d levels",
                                              st->path_ids[0], LAYERS_MAX_DEPTH);
                r = st->dep_fn(st->userdata, id, dep, &dep_id, &dm, err);
                if (r < 0)
                        return r;
                st->depth++;
                r = expand(st, dep_id, dm, err);
                st->depth--;
                if (r < 0)
                        return r;
        }
        return add_layer(st, id, err);
}

int layers_resolve(const char *id, const struct ace_image_manifest *m, layers_dep_fn dep_fn,
                   void *userdata, struct store_layer **ret, size_t *ret_n, struct ace_error **err)
{
        struct resolve_state st = {.dep_fn = dep_fn, .userdata = userdata};
        int r = expand(&st, id, m, err);
        if (r < 0) {
                store_layers_free(st.layers, st.n);
                return r;
        }
        *ret = st.layers;
        *ret_n = st.n;
        return 0;
}

bool layers_path_allowed(const struct store_layer *layer, const char *path, unsigned type)
{
        _cleanup_free_ char *norm = NULL;

        if ((type & S_IFMT) == S_IFDIR || layer->n_whitelists == 0)
                return true;
        norm = layers_normalize_path(path);
        if (!norm)
                return false;
        for (size_t i = 0; i < layer->n_whitelists; i++) {
                char **wl = layer->whitelists[i];
                const char *key = norm;
                if (!bsearch(&key, wl, strv_length(wl), sizeof(char *), cmp_str))
                        return false;
        }
        return true;
}
