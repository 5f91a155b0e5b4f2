/*
 * kv.h - ordered lists of name/value string pairs: appc labels, annotations, environment
 * variables, userLabels/userAnnotations and sysctl maps.
 *
 * A list keeps the order it was given. It has two JSON shapes: an array of {"name","value"}
 * objects (labels, annotations, environment) and a string->string object (userLabels,
 * userAnnotations, os/unix/sysctl). What names are allowed is the schema's business
 * (schema/types.h); this file only stores, finds and (de)serializes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/json.h"

struct ace_kv {
        char *name;  /* never NULL in a parsed list */
        char *value; /* never NULL in a parsed list ("" when the JSON had no "value") */
        struct json_meta meta;
};

struct ace_kv_list {
        struct ace_kv *items;
        size_t n;
};

/* The value of the first item called name, or NULL. */
const char *ace_kv_get(const struct ace_kv_list *l, const char *name);
/* The first item called name, or NULL. */
struct ace_kv *ace_kv_find(const struct ace_kv_list *l, const char *name);
/* Replaces the value of the first item called name, or appends a new item. Copies both. */
void ace_kv_set(struct ace_kv_list *l, const char *name, const char *value);
/* Appends without looking for an existing name. Copies both. */
void ace_kv_append(struct ace_kv_list *l, const char *name, const char *value);
/* Removes every item called name; returns how many were removed. */
size_t ace_kv_remove(struct ace_kv_list *l, const char *name);
/* Index of the first name that occurs twice, or -1. */
long ace_kv_find_duplicate(const struct ace_kv_list *l);
/* Deep copy into dst (dst is overwritten, not released). */
void ace_kv_list_copy(struct ace_kv_list *dst, const struct ace_kv_list *src);
/* Releases all items; the list becomes empty. */
void ace_kv_list_clear(struct ace_kv_list *l);

/* JSON: array of {"name": string, "value": string} (dst/src: struct ace_kv_list *). */
int ace_kv_parse_array(struct json_object *v, void *dst, const char *path, struct ace_error **err);
struct json_object *ace_kv_emit_array(const void *src, bool present);
/* JSON: object of string values (dst/src: struct ace_kv_list *). Emitted with sorted keys, as
 * Go marshals a map. */
int ace_kv_parse_object(struct json_object *v, void *dst, const char *path, struct ace_error **err);
struct json_object *ace_kv_emit_object(const void *src, bool present);
