/*
 * image_manifest.h - the appc ImageManifest (spec/aci.md "Image Manifest Schema"): parse,
 * validate, serialize. Pure: bytes in, structs out.
 *
 * ace_image_manifest_parse() = strict JSON parse + binding + every validation rule; the first
 * broken rule is reported with its JSON path, e.g.
 *   "app.environment[2].name: environment variable does not have valid identifier \"1FOO\"".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/json.h"
#include "common/kv.h"
#include "schema/app.h"
#include "schema/types.h"

/* Manifests larger than this are refused before parsing (the reference has no limit; images
 * carry manifests of a few KiB). */
#define ACE_MANIFEST_MAX_SIZE (1024 * 1024)

struct ace_dependency {
        char *image_name;          /* AC Identifier, required */
        char *image_id;            /* NULL or a full image ID */
        struct ace_kv_list labels; /* same rules as the image's labels */
        uint64_t size;             /* 0 when absent */
        struct json_meta meta;
};

struct ace_dependency_list {
        struct ace_dependency *items;
        size_t n;
};

struct ace_image_manifest {
        char *ac_kind;    /* "ImageManifest" */
        char *ac_version; /* SemVer, see ac_version_check() */
        char *name;       /* AC Identifier */
        struct ace_kv_list labels;
        struct ace_app *app; /* NULL when the image has no app */
        struct ace_kv_list annotations;
        struct ace_dependency_list dependencies;
        char **path_whitelist; /* NULL when absent; absolute paths */
        struct json_meta meta;
};

/* Parses and validates len bytes of JSON. EINVAL with a message on any error; *ret is set only
 * on success. */
int ace_image_manifest_parse(const char *buf, size_t len, struct ace_image_manifest **ret,
                             struct ace_error **err);
/* Binds an already parsed JSON object and validates it. */
int ace_image_manifest_from_json(struct json_object *obj, struct ace_image_manifest **ret,
                                 struct ace_error **err);
/* Every rule of spec/aci.md (see Documentation/schema-vs-reference.md for where we are stricter
 * than the reference actool). */
int ace_image_manifest_validate(const struct ace_image_manifest *m, struct ace_error **err);
/* Serialization: keys in the reference's order, unknown keys kept. malloc'd, never NULL. */
char *ace_image_manifest_to_json(const struct ace_image_manifest *m, bool pretty);
/* Same with a choice of style (JSON_COMPACT, JSON_PRETTY, JSON_PRETTY_TAB). */
char *ace_image_manifest_to_json_style(const struct ace_image_manifest *m, enum json_style style);
struct json_object *ace_image_manifest_to_json_object(const struct ace_image_manifest *m);

/* A blank manifest: acKind, acVersion (ACE_AC_VERSION) and name set; no app. */
struct ace_image_manifest *ace_image_manifest_new(const char *name);
struct ace_image_manifest *ace_image_manifest_copy(const struct ace_image_manifest *m);
void ace_image_manifest_free(struct ace_image_manifest *m);
static inline void ace_image_manifest_freep(struct ace_image_manifest **m)
{
        ace_image_manifest_free(*m);
        *m = NULL;
}
#define _cleanup_image_manifest_ _cleanup_(ace_image_manifest_freep)

/* Which manifest obj is, from its acKind key (matched as json_bind does: exact name, else
 * case-insensitive; the last match wins). AC_KIND_INVALID when absent or not a known kind.
 * For tools that take either kind (actool validate) and then call the matching parser. */
enum ac_kind ace_manifest_kind(struct json_object *obj);

/* Label / annotation values, or NULL. */
const char *ace_image_manifest_label(const struct ace_image_manifest *m, const char *name);
const char *ace_image_manifest_annotation(const struct ace_image_manifest *m, const char *name);
