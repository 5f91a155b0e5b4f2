/*
 * config_internal.h - shared by stage0/config.c (directories, layering, output) and
 * stage0/config_kinds.c (the per-kind parsers). Not a public API.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "common/cleanup.h"
#include "stage0/config.h"

/* A layer also remembers which single-valued settings it set, to refuse duplicates. */
struct layer {
        struct ace_config *c;
        bool connect_set, stall_set, min_bps_set, redirects_set;
};

void config_json_putp(struct json_object **o);
#define _cleanup_json_ _cleanup_(config_json_putp)

/* Key lookup like Go's encoding/json: an exact match first, else a case-insensitive one. */
struct json_object *config_obj_get(struct json_object *o, const char *key);
/* A string field: absent or null gives NULL; another type is an error. */
int config_get_string(struct json_object *o, const char *key, const char **ret,
                      struct ace_error **err);
/* Index of domain in auths, or -1. */
int config_find_auth(const struct http_auth *a, size_t n, const char *domain);
/* Parses one file's object of a kind and version into the layer. */
int config_parse_kind(struct json_object *o, const char *kind, const char *version, struct layer *l,
                      struct ace_error **err);
