/*
 * labels.c - image labels and annotations (spec/aci.md): names, uniqueness, the reserved
 * label "name", the os/arch whitelist, and the typed well-known annotations.
 */
#include "schema/types.h"

#include <errno.h>
#include <string.h>

#include "common/json.h"
#include "common/xalloc.h"

/* appc 0.8.11 schema/types/labels.go ValidOSArch, sorted by os then arch (the spec text lists a
 * subset; the reference's table is what images in the wild were validated against). */
static const struct ace_os_arch os_arch_table[] = {
    {"darwin", "i386"},  {"darwin", "x86_64"}, {"freebsd", "amd64"},    {"freebsd", "arm"},
    {"freebsd", "i386"}, {"linux", "aarch64"}, {"linux", "aarch64_be"}, {"linux", "amd64"},
    {"linux", "armv6l"}, {"linux", "armv7b"},  {"linux", "armv7l"},     {"linux", "i386"},
    {"linux", "ppc64"},  {"linux", "ppc64le"}, {"linux", "s390x"},
};

const struct ace_os_arch *ace_os_arch_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(os_arch_table);
        return os_arch_table;
}

bool ace_os_arch_valid(const char *os, const char *arch)
{
        bool os_known = false;

        for (size_t i = 0; i < ARRAY_SIZE(os_arch_table); i++) {
                if (strcmp(os_arch_table[i].os, os) != 0)
                        continue;
                os_known = true;
                if (!arch || strcmp(os_arch_table[i].arch, arch) == 0)
                        return true;
        }
        return os_known && !arch;
}

/* "darwin freebsd linux" or the archs of one os, for messages */
static char *list_choices(const char *os)
{
        char *out = xstrdup("");

        for (size_t i = 0; i < ARRAY_SIZE(os_arch_table); i++) {
                const char *item;
                if (os) {
                        if (strcmp(os_arch_table[i].os, os) != 0)
                                continue;
                        item = os_arch_table[i].arch;
                } else {
                        if (i > 0 && strcmp(os_arch_table[i - 1].os, os_arch_table[i].os) == 0)
                                continue;
                        item = os_arch_table[i].os;
                }
                char *n = xasprintf("%s%s%s", out, *out ? " " : "", item);
                free(out);
                out = n;
        }
        return out;
}

static int check_names(const struct ace_kv_list *l, const char *path, const char *what,
                       struct ace_error **err)
{
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_free_ char *item = json_path_index(path, i);
                _cleanup_free_ char *sub = json_path_key(item, "name");
                int r = ac_identifier_check(l->items[i].name, sub, err);
                if (r < 0)
                        return r;
        }
        long dup = ace_kv_find_duplicate(l);
        if (dup >= 0) {
                _cleanup_free_ char *item = json_path_index(path, (size_t)dup);
                _cleanup_free_ char *q = json_quote(l->items[dup].name);
                return json_path_error(err, item, "duplicate %s of name %s", what, q);
        }
        return 0;
}

int ace_labels_validate(const struct ace_kv_list *labels, const char *path, struct ace_error **err)
{
        const char *os, *arch;
        int r;

        r = check_names(labels, path, "labels", err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < labels->n; i++)
                if (strcmp(labels->items[i].name, "name") == 0) {
                        _cleanup_free_ char *item = json_path_index(path, i);
                        return json_path_error(err, item, "invalid label name: \"name\"");
                }
        /* arch is meaningful only with os (spec), so arch alone is not checked */
        os = ace_kv_get(labels, "os");
        if (!os)
                return 0;
        arch = ace_kv_get(labels, "arch");
        if (!ace_os_arch_valid(os, NULL)) {
                _cleanup_free_ char *choices = list_choices(NULL);
                _cleanup_free_ char *q = json_quote(os);
                return json_path_error(err, path, "bad os %s (must be one of: [%s])", q, choices);
        }
        if (arch && !ace_os_arch_valid(os, arch)) {
                _cleanup_free_ char *choices = list_choices(os);
                _cleanup_free_ char *q = json_quote(arch);
                return json_path_error(err, path, "bad arch %s for %s (must be one of: [%s])", q,
                                       os, choices);
        }
        return 0;
}

int ace_annotations_validate(const struct ace_kv_list *annotations, const char *path,
                             struct ace_error **err)
{
        int r = check_names(annotations, path, "annotations", err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < annotations->n; i++) {
                const struct ace_kv *a = &annotations->items[i];
                _cleanup_free_ char *item = json_path_index(path, i);
                _cleanup_free_ char *sub = json_path_key(item, "value");
                _cleanup_error_ struct ace_error *e = NULL;

                if (strcmp(a->name, "created") == 0) {
                        if (timestamp_parse(a->value, NULL, NULL, &e) < 0)
                                return json_path_error(err, sub, "%s", e->msg);
                } else if (strcmp(a->name, "homepage") == 0 ||
                           strcmp(a->name, "documentation") == 0) {
                        r = http_url_check(a->value, sub, err);
                        if (r < 0)
                                return r;
                } else if (strcmp(a->name, "appc.io/executor/supports-systemd-notify") == 0) {
                        /* stricter than the reference: the spec calls it a string boolean */
                        if (strcmp(a->value, "true") != 0 && strcmp(a->value, "false") != 0) {
                                _cleanup_free_ char *q = json_quote(a->value);
                                return json_path_error(err, sub,
                                                       "must be \"true\" or \"false\", got %s", q);
                        }
                }
        }
        return 0;
}
