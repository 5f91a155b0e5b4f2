/*
 * template.c - the pure parts of appc discovery: apps and their labels, URL template
 * rendering, prefix matching and walking, discovery URLs, and collecting endpoints from the
 * meta tags of one page. No I/O here.
 */
#include "discovery/discovery.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/kv.h"
#include "common/xalloc.h"
#include "schema/types.h"

int discovery_app_parse(const char *s, struct discovery_app *ret, struct ace_error **err)
{
        struct ace_kv_list labels = {0};
        char *name = NULL;
        int r;

        *ret = (struct discovery_app){0};
        r = app_string_parse(s, &name, &labels, err);
        if (r < 0)
                return r;
        ret->name = name;
        ret->labels = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < labels.n; i++)
                discovery_app_set_label(ret, labels.items[i].name, labels.items[i].value);
        ace_kv_list_clear(&labels);
        return 0;
}

void discovery_app_clear(struct discovery_app *a)
{
        free(a->name);
        strv_free(a->labels);
        *a = (struct discovery_app){0};
}

const char *discovery_app_label(const struct discovery_app *a, const char *label)
{
        return strv_env_get(a->labels, label);
}

void discovery_app_set_label(struct discovery_app *a, const char *label, const char *value)
{
        a->labels = strv_env_set(a->labels, label, value);
}

char *discovery_app_to_string(const struct discovery_app *a)
{
        _cleanup_strv_free_ char **sorted = strv_copy(a->labels);
        _cleanup_free_ char *labels = NULL;

        strv_sort(sorted);
        labels = strv_join(sorted, ",");
        return *labels ? xasprintf("%s,%s", a->name, labels) : xstrdup(a->name);
}

bool discovery_prefix_matches(const char *prefix, const char *name)
{
        return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* Value of template variable `var` (without braces), or NULL when unknown. */
static const char *template_var(const char *var, size_t len, const struct discovery_app *app,
                                const char *ext)
{
        if (len == 4 && strncmp(var, "name", 4) == 0)
                return app->name;
        if (len == 3 && strncmp(var, "ext", 3) == 0)
                return ext;
        for (char **l = app->labels; l && *l; l++) {
                const char *eq = strchr(*l, '=');
                /* A label called "name" cannot shadow the app name (reference). */
                if (!eq || (size_t)(eq - *l) != len || strncmp(*l, var, len) != 0)
                        continue;
                /* An empty version means the default one, as a missing one (reference). */
                if (len == 7 && strncmp(var, "version", 7) == 0 && !eq[1])
                        break;
                return eq + 1;
        }
        if (len == 7 && strncmp(var, "version", 7) == 0)
                return DISCOVERY_DEFAULT_VERSION;
        return NULL;
}

int discovery_template_render(const char *tmpl, const struct discovery_app *app, const char *ext,
                              char **ret, struct ace_error **err)
{
        size_t cap = strlen(tmpl) + 64, n = 0;
        _cleanup_free_ char *out = xmalloc(cap);
        const char *p = tmpl;

        (void)err;
        *ret = NULL;
        /* One pass over the template: substituted values are never rescanned, so a label value
         * cannot inject another variable. */
        while (*p) {
                const char *close = *p == '{' ? strchr(p + 1, '}') : NULL;
                const char *val =
                    close ? template_var(p + 1, (size_t)(close - p - 1), app, ext) : NULL;
                size_t vl;

                if (!val) {
                        out = xgrow(out, &cap, n + 2, 1);
                        out[n++] = *p++;
                        continue;
                }
                vl = strlen(val);
                out = xgrow(out, &cap, n + vl + 1, 1);
                memcpy(out + n, val, vl);
                n += vl;
                p = close + 1;
        }
        out[n] = '\0';
        /* The reference skips a template when anything like {...} is left (regexp `{.*?}`). */
        const char *open = strchr(out, '{');
        if (open && strchr(open, '}'))
                return 0;
        *ret = TAKE_PTR(out);
        return 1;
}

char **discovery_prefixes(const char *name)
{
        _cleanup_strv_free_ char **parts = strv_split(name, "/", true);
        char **r = xcalloc(1, sizeof(char *));
        size_t n = strv_length(parts);

        for (size_t end = n; end > 0; end--) {
                char *saved = parts[end];
                parts[end] = NULL;
                r = strv_push_take(r, strv_join(parts, "/"));
                parts[end] = saved;
        }
        return r;
}

char *discovery_url(const char *scheme, const char *prefix, unsigned port)
{
        const char *slash = strchr(prefix, '/');
        size_t hostlen = slash ? (size_t)(slash - prefix) : strlen(prefix);
        char portbuf[16] = "";

        if (port)
                snprintf(portbuf, sizeof(portbuf), ":%u", port);
        return xasprintf("%s://%.*s%s%s?ac-discovery=1", scheme, (int)hostlen, prefix, portbuf,
                         slash ? slash : "");
}

void discovery_result_clear(struct discovery_result *r)
{
        for (size_t i = 0; i < r->n_endpoints; i++) {
                free(r->endpoints[i].aci);
                free(r->endpoints[i].asc);
        }
        free(r->endpoints);
        strv_free(r->pubkeys);
        for (size_t i = 0; i < r->n_attempts; i++) {
                free(r->attempts[i].prefix);
                free(r->attempts[i].error);
        }
        free(r->attempts);
        *r = (struct discovery_result){0};
}

int discovery_collect(const struct discovery_meta_list *metas, const struct discovery_app *app,
                      struct discovery_result *acc, struct ace_error **err)
{
        for (size_t i = 0; i < metas->n; i++) {
                const struct discovery_meta *m = &metas->items[i];
                _cleanup_free_ char *aci = NULL, *asc = NULL;
                int r;

                if (!discovery_prefix_matches(m->prefix, app->name))
                        continue;
                if (m->kind == DISCOVERY_META_PUBKEYS) {
                        acc->pubkeys = strv_push(acc->pubkeys, m->uri);
                        continue;
                }
                r = discovery_template_render(m->uri, app, "aci.asc", &asc, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = discovery_template_render(m->uri, app, "aci", &aci, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                acc->endpoints =
                    xrealloc(acc->endpoints, (acc->n_endpoints + 1) * sizeof(*acc->endpoints));
                acc->endpoints[acc->n_endpoints++] = (struct discovery_endpoint){
                    .aci = TAKE_PTR(aci),
                    .asc = TAKE_PTR(asc),
                };
        }
        return 0;
}
