/*
 * json.h - strict JSON text parsing and table-driven binding of C structs over json-c.
 *
 * Parsing: json_parse_text() accepts exactly one RFC 8259 JSON value. json-c's tokener alone is
 * lenient (it takes NaN, Infinity, "1.", "-01", control characters inside strings and clamps
 * out-of-range integers), so the text is first checked lexically here, then handed to json-c.
 *
 * Binding: a struct is described by a `struct json_table` of `struct json_field`s, each with a
 * parse callback (JSON value -> C field at `offset`) and an emit callback (C field -> JSON value).
 * json_bind() walks an object's keys the way Go's encoding/json does, which is what the appc
 * reference implementation uses: a key matches a field by exact name first, else by ASCII
 * case-insensitive name; when several keys land on one field the last one wins. JSON null means
 * "absent". Keys matching no field are kept, in order, in the struct's `struct json_meta`, so that
 * json_unbind() gives back the same JSON (key order and key case aside): a field present in the
 * input (even as [] or "") is emitted again, an absent one only if the program set it.
 *
 * Errors always start with the JSON path of the offending value (`app.environment[2].name`)
 * and then say which rule was broken.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/error.h"

/* Nesting limit for documents we parse (manifests nest about 7 deep; arbitrary user JSON in
 * unknown keys and isolator values gets the rest). */
#define ACE_JSON_MAX_DEPTH 64

static inline void json_object_putp(struct json_object **o)
{
        if (*o)
                json_object_put(*o);
        *o = NULL;
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Parses buf[0..len) as exactly one JSON value. Refuses NUL bytes, control characters in
 * strings, non-RFC numbers (NaN, 1., 01, +1), integers outside int64/uint64, invalid UTF-8,
 * arrays/objects nested deeper than max_depth and anything but whitespace after the value. *ret
 * gets a new reference. Errors (EINVAL, "line L column C: reason") never include the document. */
int json_parse_text(const char *buf, size_t len, size_t max_depth, struct json_object **ret,
                    struct ace_error **err);

/* Like json_parse_text(), but the top-level value must be a JSON object. */
int json_parse_object(const char *buf, size_t len, size_t max_depth, struct json_object **ret,
                      struct ace_error **err);

enum json_style {
        JSON_COMPACT = 0,    /* {"a":1,"b":[2]} - as Go's json.Marshal */
        JSON_PRETTY = 1,     /* 4-space indent, "key": value - as actool --pretty-print */
        JSON_PRETTY_TAB = 2, /* tab indent - as rkt cat-manifest */
};

/* Serializes obj (NULL gives "null") with strings escaped as Go's encoding/json does (<, >, &,
 * U+2028, U+2029 as \uXXXX; no "\/"), numbers as they were written. No trailing newline.
 * Returns a malloc'd string; never NULL. */
char *json_to_text(const struct json_object *obj, enum json_style style);

/* s as a double-quoted JSON string without HTML escaping, for messages (like Go's %q): control
 * characters and invalid UTF-8 are escaped, so the result is one printable line. malloc'd. */
char *json_quote(const char *s);

/* Error paths: json_path_key("app", "exec") -> "app.exec", json_path_key("", "name") -> "name",
 * json_path_index("app.exec", 2) -> "app.exec[2]". malloc'd. */
char *json_path_key(const char *path, const char *key);
char *json_path_index(const char *path, size_t index);

/* Makes an EINVAL error "PATH: message" ("message" alone when path is NULL or ""); returns
 * -EINVAL. */
int json_path_error(struct ace_error **err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The name of a JSON value's type for messages: "string", "number", "object", "null", ... */
const char *json_type_name(const struct json_object *v);

/* ---- binding ------------------------------------------------------------------------------- */

/* Embedded in every bound struct. `present` has bit i set when field i of the struct's table
 * was in the input with a non-null value; `unknown` is an object of the keys that matched no
 * field (NULL when there were none). */
struct json_meta {
        uint64_t present;
        struct json_object *unknown;
};

/* Releases meta->unknown and clears the bits. */
void json_meta_clear(struct json_meta *meta);
/* Deep-copies src's unknown keys and bits into dst (dst is overwritten, not released). */
void json_meta_copy(struct json_meta *dst, const struct json_meta *src);

/* Parses v into the field at dst. path names v for errors. On failure the field is left in a
 * state its struct's free function can release. Called only for non-null values. */
typedef int (*json_parse_fn)(struct json_object *v, void *dst, const char *path,
                             struct ace_error **err);
/* Returns a new JSON value for the field at src, or NULL to omit the key. `present` says
 * whether the field was in the parsed input (or marked with json_meta_set_present()). */
typedef struct json_object *(*json_emit_fn)(const void *src, bool present);

enum json_field_flags {
        JSON_MANDATORY = 1 << 0, /* absent or null is an error: "PATH: required field is missing" */
};

struct json_field {
        const char *name;
        json_parse_fn parse;
        json_emit_fn emit;
        size_t offset;
        unsigned flags;
};

struct json_table {
        const char *what; /* "image manifest", "port", ...: for messages */
        const struct json_field *fields;
        size_t n_fields; /* at most 64 */
        size_t meta_offset;
};

#define JSON_TABLE(what_, type_, fields_)                                                          \
        {                                                                                          \
                .what = (what_), .fields = (fields_), .n_fields = ARRAY_SIZE(fields_),             \
                .meta_offset = offsetof(type_, meta),                                              \
        }

/* Binds the object obj to dst (a zeroed or partly filled struct described by t). obj must be a
 * JSON object ("PATH: expected an object, got array"). On failure dst holds what was parsed so
 * far and must still be released by its owner. */
int json_bind(struct json_object *obj, const struct json_table *t, void *dst, const char *path,
              struct ace_error **err);
/* Emits src as a new JSON object: fields in table order, then the unknown keys. */
struct json_object *json_unbind(const struct json_table *t, const void *src);

/* Presence bits by field name (a name not in t is a programming error and aborts). Builders use
 * json_meta_set_present() so that a value equal to the default is still written out. */
bool json_meta_is_present(const struct json_meta *meta, const struct json_table *t,
                          const char *name);
void json_meta_set_present(struct json_meta *meta, const struct json_table *t, const char *name);

/* Arrays of bound elements. *items/ *n are set before the elements are parsed (elements start
 * zeroed), so a failure leaves a releasable array. elem_parse gets each element's path. */
int json_parse_array(struct json_object *v, const char *path, size_t elem_size,
                     json_parse_fn elem_parse, void **items, size_t *n, struct ace_error **err);
/* Emits an array; elem_emit is called with present=true and must not return NULL. */
struct json_object *json_emit_array(const void *items, size_t n, size_t elem_size,
                                    json_emit_fn elem_emit);

/* ---- field parsers and emitters for plain types --------------------------------------------- */

/* char **: a JSON string without NUL characters; replaces (and frees) the old value. */
int json_field_parse_string(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err);
/* Emits a non-NULL string (present or not); omits NULL. */
struct json_object *json_field_emit_string(const void *src, bool present);
/* Emits when present or non-empty. For fields whose absent value is stored as "". */
struct json_object *json_field_emit_string_nonempty(const void *src, bool present);
/* Emits only when present (fields that parsing fills with a default). */
struct json_object *json_field_emit_string_if_present(const void *src, bool present);

/* bool *: JSON true/false only. Emitted when present or true. */
int json_field_parse_bool(struct json_object *v, void *dst, const char *path,
                          struct ace_error **err);
struct json_object *json_field_emit_bool(const void *src, bool present);
struct json_object *json_field_emit_bool_if_present(const void *src, bool present);

/* Integers: the JSON number must be an integer literal (no fraction, no exponent: "1.5" and
 * "1e3" are errors as in Go) within the C type's range. Emitted when present or non-zero. */
int json_field_parse_int(struct json_object *v, void *dst, const char *path,
                         struct ace_error **err);
int json_field_parse_int64(struct json_object *v, void *dst, const char *path,
                           struct ace_error **err);
int json_field_parse_uint32(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err);
int json_field_parse_uint64(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err);
struct json_object *json_field_emit_int(const void *src, bool present);
struct json_object *json_field_emit_int64(const void *src, bool present);
struct json_object *json_field_emit_uint32(const void *src, bool present);
struct json_object *json_field_emit_uint64(const void *src, bool present);
struct json_object *json_field_emit_uint32_if_present(const void *src, bool present);
/* Range-checked reads for callbacks that parse a value by hand. */
int json_get_int64(struct json_object *v, int64_t min, int64_t max, int64_t *ret, const char *path,
                   struct ace_error **err);
int json_get_uint64(struct json_object *v, uint64_t max, uint64_t *ret, const char *path,
                    struct ace_error **err);
/* char ** from a JSON string, NUL-free, malloc'd. */
int json_get_string(struct json_object *v, char **ret, const char *path, struct ace_error **err);

/* char *** (NULL-terminated strv): an array of strings; [] gives an empty, non-NULL vector.
 * Emitted when present or non-NULL. */
int json_field_parse_strv(struct json_object *v, void *dst, const char *path,
                          struct ace_error **err);
struct json_object *json_field_emit_strv(const void *src, bool present);

/* struct json_object **: any JSON value kept as is (a new reference). Emitted when non-NULL. */
int json_field_parse_raw(struct json_object *v, void *dst, const char *path,
                         struct ace_error **err);
struct json_object *json_field_emit_raw(const void *src, bool present);
