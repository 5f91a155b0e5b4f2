/*
 * app_string.c - appc's image string `name[:version][,label=value...]` (discovery/parse.go),
 * used by `ace fetch`, `ace run` and discovery.
 *
 * As in the reference: at most one ':', and only before the first ','; ":v" means label
 * "version"; every part after the name needs a '='; a label (or "name"/"version") given twice
 * is an error; label names are AC Identifiers. Values are taken verbatim (may be empty).
 */
#include "schema/types.h"

#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"

static int check_colon(const char *s, struct ace_error **err)
{
        const char *comma = strchr(s, ','), *colon = strchr(s, ':');

        if (colon && comma && colon > comma)
                return ace_error_make(err, EINVAL,
                                      "malformed app string - colon may appear only right after "
                                      "the app name");
        if (colon && strchr(colon + 1, ':'))
                return ace_error_make(err, EINVAL,
                                      "malformed app string - colon may appear at most once");
        return 0;
}

/* Adds key=value; "name" goes to *name. Duplicates are errors. */
static int add_part(const char *key, const char *value, char **name, struct ace_kv_list *labels,
                    struct ace_error **err)
{
        _cleanup_free_ char *q = json_quote(key);

        if (strcmp(key, "name") == 0) {
                if (*name)
                        return ace_error_make(err, EINVAL, "label %s with multiple values", q);
                *name = xstrdup(value);
                return 0;
        }
        if (ace_kv_find(labels, key))
                return ace_error_make(err, EINVAL, "label %s with multiple values", q);
        if (ac_identifier_check(key, NULL, err) < 0)
                return ace_error_wrap(err, "label name");
        ace_kv_append(labels, key, value);
        return 0;
}

int app_string_parse(const char *s, char **ret_name, struct ace_kv_list *ret_labels,
                     struct ace_error **err)
{
        _cleanup_free_ char *name = NULL, *copy = NULL;
        _cleanup_strv_free_ char **parts = NULL;
        struct ace_kv_list labels = {0};
        char *colon;
        int r;

        if (!s)
                return ace_error_make(err, EINVAL, "empty app string");
        r = check_colon(s, err);
        if (r < 0)
                return r;
        copy = xstrdup(s);
        /* "name:v,..." -> "name,version=v,...", so the version is a label like any other */
        colon = strchr(copy, ':');
        if (colon) {
                *colon = '\0';
                char *n = xasprintf("%s,version=%s", copy, colon + 1);
                free(copy);
                copy = n;
        }
        parts = strv_split(copy, ",", true);
        for (size_t i = 0; parts[i]; i++) {
                const char *key = i == 0 ? "name" : parts[i];
                const char *value = parts[i];
                if (i > 0) {
                        char *eq = strchr(parts[i], '=');
                        if (!eq) {
                                _cleanup_free_ char *q = json_quote(s);
                                r = ace_error_make(err, EINVAL,
                                                   "malformed app string %s - has a label without "
                                                   "a value: %s",
                                                   q, parts[i]);
                                goto fail;
                        }
                        *eq = '\0';
                        value = eq + 1;
                }
                r = add_part(key, value, &name, &labels, err);
                if (r < 0)
                        goto fail;
        }
        r = ac_identifier_check(name, NULL, err);
        if (r < 0) {
                ace_error_wrap(err, "app name");
                goto fail;
        }
        *ret_name = TAKE_PTR(name);
        *ret_labels = labels;
        return 0;
fail:
        ace_kv_list_clear(&labels);
        return r;
}

char *app_string_format(const char *name, const struct ace_kv_list *labels)
{
        const char *version = ace_kv_get(labels, "version");
        char *out = version ? xasprintf("%s:%s", name, version) : xstrdup(name);

        for (size_t i = 0; i < labels->n; i++) {
                if (strcmp(labels->items[i].name, "version") == 0)
                        continue;
                char *n = xasprintf("%s,%s=%s", out, labels->items[i].name, labels->items[i].value);
                free(out);
                out = n;
        }
        return out;
}
