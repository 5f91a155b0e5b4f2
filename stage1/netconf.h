/*
 * netconf.h - which CNI networks a pod joins: the `--net` list, the network definitions
 * (built-in `default` and `default-restricted`, then the `.conf` and `.conflist` files in
 * `net.d/` of the system and local config directories), and the resolution of one against
 * the other.
 *
 * Every definition is normalised to a CNI network configuration *list* (a `.conf` file becomes
 * a list of one plugin, as libcni's ConfListFromConf does), so the CNI runner has one shape to
 * handle. Precedence: built-ins < system dir (`/usr/lib/ace/net.d`) < local dir
 * (`--local-config`, default `/etc/ace/net.d`); inside one directory files are read in name
 * order and the first definition of a name wins (a later one is ignored with a debug note).
 *
 * Interfaces are named eth0, eth1, ... in the order the networks are given in `--net`
 * (`all`: definition order, i.e. files by name, then the built-ins). This is a deliberate
 * difference from rkt, which numbered them in configuration-file order whatever the command
 * line said (Documentation/networking.md).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/json.h"
#include "common/net_list.h"

/* A network definition, normalised to a configuration list. */
struct net_def {
        char *name;
        char *source;             /* the file it came from, or "builtin" */
        struct json_object *conf; /* {"cniVersion": .., "name": .., "plugins": [..]} */
};

struct net_defs {
        struct net_def *items;
        size_t n;
};

/* The built-in networks, sorted by name (a unit test checks it). */
struct net_builtin {
        const char *name;
        const char *json; /* a single-plugin .conf */
};
extern const struct net_builtin net_builtins[];
extern const size_t n_net_builtins;

/* Parses one configuration text (`.conf` when is_list is false, `.conflist` otherwise) into a
 * normalised list. `what` names it in errors (a path). Checks: an object with a valid `name`,
 * a `type` on every plugin, a cniVersion of the form N.N.N (a .conf without one is 0.1.0), and
 * that a list of several plugins has cniVersion 0.3.0 or later (chaining needs prevResult). */
int net_conf_parse(const char *text, size_t len, bool is_list, const char *what,
                   struct json_object **ret, struct ace_error **err);

/* Loads the built-ins, then `<dir>/net.d` of each directory (lowest precedence first; NULL
 * entries and missing directories are skipped). A file that cannot be parsed is an error. */
int net_defs_load(const char *const *dirs, size_t n_dirs, struct net_defs *ret,
                  struct ace_error **err);
void net_defs_done(struct net_defs *d);
const struct net_def *net_defs_find(const struct net_defs *d, const char *name);

/* A network the pod joins. */
struct net_attach {
        const struct net_def *def;
        const char *args; /* CNI_ARGS or NULL; borrowed from the net_list */
        char ifname[16];  /* eth<N> */
};

/* Resolves the list against the definitions: the networks in attach order (see above).
 * An unknown name is an error naming every missing network. */
int net_resolve(const struct net_list *l, const struct net_defs *d, struct net_attach **ret,
                size_t *ret_n, struct ace_error **err);

/* Compares "a.b.c" versions; unparsable ones sort first. */
int net_version_cmp(const char *a, const char *b);
