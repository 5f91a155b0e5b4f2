/* net_list.c - the --net value (net_list.h). */
#include "common/net_list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

bool net_name_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > 64 ||
            !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
              (name[0] >= '0' && name[0] <= '9')))
                return false;
        return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
               n;
}

/* ---- --net -------------------------------------------------------------------------------- */

void net_list_done(struct net_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].name);
                free(l->items[i].args);
        }
        free(l->items);
        *l = (struct net_list){0};
}

bool net_list_has(const struct net_list *l, const char *name)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->items[i].name, name) == 0)
                        return true;
        return false;
}

static int add_request(struct net_list *l, const char *item, struct ace_error **err)
{
        const char *colon = strchr(item, ':');
        _cleanup_free_ char *name = colon ? xstrndup(item, (size_t)(colon - item)) : xstrdup(item);
        const char *args = colon ? colon + 1 : NULL;

        if (!net_name_valid(name))
                return ace_error_make(err, EINVAL, "bad network name \"%s\"", name);
        if (net_list_has(l, name))
                return ace_error_make(err, EINVAL, "network \"%s\" given more than once", name);
        if (args && !*args)
                return ace_error_make(err, EINVAL, "network \"%s\": empty arguments after ':'",
                                      name);
        if (strcmp(name, "none") == 0 || strcmp(name, "host") == 0 || strcmp(name, "all") == 0) {
                if (args)
                        return ace_error_make(err, EINVAL, "network \"%s\" takes no arguments",
                                              name);
        }
        l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
        l->items[l->n++] =
            (struct net_request){.name = TAKE_PTR(name), .args = args ? xstrdup(args) : NULL};
        return 0;
}

int net_list_parse(const char *s, struct net_list *ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **parts = NULL;
        struct net_list l = {.kind = NET_KIND_CNI};
        int r;

        /* rkt: a bare --net means the default network. */
        if (!s || !*s || strcmp(s, "true") == 0)
                s = "default";
        parts = strv_split(s, ",", true);
        for (size_t i = 0; parts[i]; i++) {
                if (!*parts[i]) {
                        net_list_done(&l);
                        return ace_error_make(err, EINVAL, "--net=%s: empty network name", s);
                }
                if ((r = add_request(&l, parts[i], err)) < 0) {
                        net_list_done(&l);
                        return r;
                }
        }
        for (size_t i = 0; i < l.n; i++) {
                const char *name = l.items[i].name;
                bool special = strcmp(name, "none") == 0 || strcmp(name, "host") == 0;
                if (special && l.n > 1) {
                        /* The message first: name lives in l. */
                        r = ace_error_make(err, EINVAL,
                                           "--net=%s: \"%s\" cannot be combined with other "
                                           "networks",
                                           s, name);
                        net_list_done(&l);
                        return r;
                }
                if (strcmp(name, "none") == 0)
                        l.kind = NET_KIND_NONE;
                else if (strcmp(name, "host") == 0)
                        l.kind = NET_KIND_HOST;
                else if (strcmp(name, "all") == 0)
                        l.all = true;
        }
        *ret = l;
        return 0;
}
