/*
 * isolators_unix.c - os/unix/sysctl (spec/ace.md "Unix Isolators"): a map of sysctl keys to
 * string values, applied by stage1 under /proc/sys of the pod.
 *
 * Stricter than the reference (no checks): keys become paths under /proc/sys, so each must be a
 * sysctl name: non-empty segments of [A-Za-z0-9_:-] separated by '.' or '/'. With no empty
 * segment there can be no "." or ".." path component and no leading '/'.
 */
#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "schema/isolators_internal.h"

static bool sysctl_key_valid(const char *key)
{
        const char *seg = key;

        if (!*key)
                return false;
        for (const char *p = key;; p++) {
                if (*p == '.' || *p == '/' || *p == '\0') {
                        size_t len = (size_t)(p - seg);
                        if (len == 0)
                                return false;
                        if (!*p)
                                return true;
                        seg = p + 1;
                        continue;
                }
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == ':'))
                        return false;
        }
}

int isolator_sysctl_parse(struct json_object *v, void *value, const char *path,
                          struct ace_error **err)
{
        struct isolator_sysctl *s = value;
        int r = ace_kv_parse_object(v, &s->entries, path, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < s->entries.n; i++)
                if (!sysctl_key_valid(s->entries.items[i].name)) {
                        _cleanup_free_ char *q = json_quote(s->entries.items[i].name);
                        return json_path_error(err, path, "invalid sysctl name %s", q);
                }
        return 0;
}

struct json_object *isolator_sysctl_emit(const void *value)
{
        return ace_kv_emit_object(&((const struct isolator_sysctl *)value)->entries, true);
}

void isolator_sysctl_done(void *value)
{
        ace_kv_list_clear(&((struct isolator_sysctl *)value)->entries);
}
