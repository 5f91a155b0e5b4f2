/*
 * net_list.h - the `--net` value of `ace run`/`run-prepared` and of the stage1 run entrypoint:
 * `none`, `host`, or a comma list of networks, each optionally with CNI_ARGS after a colon
 * (`default,a:IP=10.1.0.5;K=V`, `all`). stage0 checks it before anything is prepared, stage1
 * parses it again and resolves the names (stage1/netconf.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

enum net_kind {
        NET_KIND_NONE, /* own network namespace, loopback only */
        NET_KIND_HOST, /* the host's network namespace */
        NET_KIND_CNI,  /* own namespace plus CNI networks */
};

/* One element of `--net=a,b:IP=10.1.0.5;K=V`. */
struct net_request {
        char *name;
        char *args; /* CNI_ARGS, or NULL */
};

struct net_list {
        enum net_kind kind;
        bool all; /* `all`: every defined network */
        struct net_request *items;
        size_t n;
};

/* Parses a --net value. `none` and `host` must stand alone, `all` takes no arguments and every
 * name may appear once. An empty string means `default` (as rkt's bare --net). */
int net_list_parse(const char *s, struct net_list *ret, struct ace_error **err);
void net_list_done(struct net_list *l);
bool net_list_has(const struct net_list *l, const char *name);

/* A valid network name: [A-Za-z0-9_.-], starting with an alphanumeric, at most 64 bytes. */
bool net_name_valid(const char *name);
