/*
 * image_manifest.c - the appc ImageManifest: binding table, validation, serialization.
 *
 * Validation runs in the reference's order (kind, version, name, labels, app, annotations,
 * dependencies, pathWhitelist) so that a manifest with several problems reports the same first
 * one where our rules agree. Stricter than the reference: dependency imageIDs must be full
 * sha512 IDs; pathWhitelist entries must be absolute paths ("a complete and absolute set");
 * plus the type rules of types.h and app.c.
 */
#include "schema/image_manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strv.h"
#include "common/xalloc.h"

/* ---- dependencies ------------------------------------------------------------------------------
 */

static const struct json_field dependency_fields[] = {
    {"imageName", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_dependency, image_name), 0},
    {"imageID", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_dependency, image_id), 0},
    {"labels", ace_kv_parse_array, ace_kv_emit_array, offsetof(struct ace_dependency, labels), 0},
    {"size", json_field_parse_uint64, json_field_emit_uint64, offsetof(struct ace_dependency, size),
     0},
};
static const struct json_table dependency_table =
    JSON_TABLE("dependency", struct ace_dependency, dependency_fields);

static int parse_dependency(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err)
{
        return json_bind(v, &dependency_table, dst, path, err);
}

static struct json_object *emit_dependency(const void *src, bool present)
{
        (void)present;
        return json_unbind(&dependency_table, src);
}

static int parse_dependencies(struct json_object *v, void *dst, const char *path,
                              struct ace_error **err)
{
        struct ace_dependency_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), parse_dependency, (void **)&l->items,
                                &l->n, err);
}

static struct json_object *emit_dependencies(const void *src, bool present)
{
        const struct ace_dependency_list *l = src;
        if (!present && !l->n)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(*l->items), emit_dependency);
}

/* ---- the manifest -------------------------------------------------------------------------------
 */

/* Field order as the reference marshals schema.ImageManifest. */
static const struct json_field manifest_fields[] = {
    {"acKind", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_image_manifest, ac_kind), 0},
    {"acVersion", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_image_manifest, ac_version), 0},
    {"name", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_image_manifest, name), 0},
    {"labels", ace_kv_parse_array, ace_kv_emit_array, offsetof(struct ace_image_manifest, labels),
     0},
    {"app", ace_app_parse, ace_app_emit, offsetof(struct ace_image_manifest, app), 0},
    {"annotations", ace_kv_parse_array, ace_kv_emit_array,
     offsetof(struct ace_image_manifest, annotations), 0},
    {"dependencies", parse_dependencies, emit_dependencies,
     offsetof(struct ace_image_manifest, dependencies), 0},
    {"pathWhitelist", json_field_parse_strv, json_field_emit_strv,
     offsetof(struct ace_image_manifest, path_whitelist), 0},
};
static const struct json_table manifest_table =
    JSON_TABLE("image manifest", struct ace_image_manifest, manifest_fields);

void ace_image_manifest_free(struct ace_image_manifest *m)
{
        if (!m)
                return;
        free(m->ac_kind);
        free(m->ac_version);
        free(m->name);
        ace_kv_list_clear(&m->labels);
        ace_app_free(m->app);
        ace_kv_list_clear(&m->annotations);
        for (size_t i = 0; i < m->dependencies.n; i++) {
                struct ace_dependency *d = &m->dependencies.items[i];
                free(d->image_name);
                free(d->image_id);
                ace_kv_list_clear(&d->labels);
                json_meta_clear(&d->meta);
        }
        free(m->dependencies.items);
        strv_free(m->path_whitelist);
        json_meta_clear(&m->meta);
        free(m);
}

static int validate_dependencies(const struct ace_image_manifest *m, struct ace_error **err)
{
        for (size_t i = 0; i < m->dependencies.n; i++) {
                const struct ace_dependency *d = &m->dependencies.items[i];
                _cleanup_free_ char *item = json_path_index("dependencies", i);
                _cleanup_free_ char *name = json_path_key(item, "imageName");
                _cleanup_free_ char *id = json_path_key(item, "imageID");
                _cleanup_free_ char *labels = json_path_key(item, "labels");
                int r;

                if (!d->image_name || !*d->image_name)
                        return json_path_error(err, name, "imageName cannot be empty");
                r = ac_identifier_check(d->image_name, name, err);
                if (r < 0)
                        return r;
                if (d->image_id) {
                        char buf[ACE_IMAGE_ID_LEN + 1];
                        _cleanup_error_ struct ace_error *e = NULL;
                        if (image_id_parse(d->image_id, buf, &e) < 0)
                                return json_path_error(err, id, "%s", e->msg);
                }
                r = ace_labels_validate(&d->labels, labels, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int validate_path_whitelist(const struct ace_image_manifest *m, struct ace_error **err)
{
        for (size_t i = 0; m->path_whitelist && m->path_whitelist[i]; i++)
                if (m->path_whitelist[i][0] != '/') {
                        _cleanup_free_ char *item = json_path_index("pathWhitelist", i);
                        _cleanup_free_ char *q = json_quote(m->path_whitelist[i]);
                        return json_path_error(err, item, "%s is not an absolute path", q);
                }
        return 0;
}

int ace_image_manifest_validate(const struct ace_image_manifest *m, struct ace_error **err)
{
        int r;

        if (!m->ac_kind || !*m->ac_kind)
                return json_path_error(err, "acKind", "ACKind must be set");
        if (strcmp(m->ac_kind, "ImageManifest") != 0) {
                _cleanup_free_ char *q = json_quote(m->ac_kind ? m->ac_kind : "");
                return json_path_error(err, "acKind",
                                       "missing or bad ACKind %s (must be \"ImageManifest\")", q);
        }
        r = ac_version_check(m->ac_version, "acVersion", err);
        if (r < 0)
                return r;
        if (!m->name || !*m->name)
                return json_path_error(err, "name", "name must be set");
        r = ac_identifier_check(m->name, "name", err);
        if (r < 0)
                return r;
        r = ace_labels_validate(&m->labels, "labels", err);
        if (r < 0)
                return r;
        if (m->app) {
                r = ace_app_validate(m->app, "app", err);
                if (r < 0)
                        return r;
        }
        r = ace_annotations_validate(&m->annotations, "annotations", err);
        if (r < 0)
                return r;
        r = validate_dependencies(m, err);
        if (r < 0)
                return r;
        return validate_path_whitelist(m, err);
}

int ace_image_manifest_from_json(struct json_object *obj, struct ace_image_manifest **ret,
                                 struct ace_error **err)
{
        struct ace_image_manifest *m = xcalloc(1, sizeof(*m));
        int r;

        r = json_bind(obj, &manifest_table, m, "", err);
        if (r >= 0)
                r = ace_image_manifest_validate(m, err);
        if (r < 0) {
                ace_image_manifest_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

int ace_image_manifest_parse(const char *buf, size_t len, struct ace_image_manifest **ret,
                             struct ace_error **err)
{
        _cleanup_json_ struct json_object *obj = NULL;
        int r;

        if (len > ACE_MANIFEST_MAX_SIZE)
                return ace_error_make(err, EFBIG, "image manifest too large (%zu bytes, limit %d)",
                                      len, ACE_MANIFEST_MAX_SIZE);
        r = json_parse_object(buf, len, ACE_JSON_MAX_DEPTH, &obj, err);
        if (r < 0)
                return r;
        return ace_image_manifest_from_json(obj, ret, err);
}

struct json_object *ace_image_manifest_to_json_object(const struct ace_image_manifest *m)
{
        return json_unbind(&manifest_table, m);
}

char *ace_image_manifest_to_json_style(const struct ace_image_manifest *m, enum json_style style)
{
        _cleanup_json_ struct json_object *o = ace_image_manifest_to_json_object(m);
        return json_to_text(o, style);
}

char *ace_image_manifest_to_json(const struct ace_image_manifest *m, bool pretty)
{
        return ace_image_manifest_to_json_style(m, pretty ? JSON_PRETTY : JSON_COMPACT);
}

struct ace_image_manifest *ace_image_manifest_new(const char *name)
{
        struct ace_image_manifest *m = xcalloc(1, sizeof(*m));

        m->ac_kind = xstrdup("ImageManifest");
        m->ac_version = xstrdup(ACE_AC_VERSION);
        m->name = xstrdup(name);
        return m;
}

struct ace_image_manifest *ace_image_manifest_copy(const struct ace_image_manifest *m)
{
        _cleanup_json_ struct json_object *o = ace_image_manifest_to_json_object(m);
        struct ace_image_manifest *c = xcalloc(1, sizeof(*c));

        /* Binding only (no validation): a copy of an unvalidated manifest is still a copy. */
        if (json_bind(o, &manifest_table, c, "", NULL) < 0)
                abort(); /* what we emitted must bind again */
        return c;
}

const char *ace_image_manifest_label(const struct ace_image_manifest *m, const char *name)
{
        return ace_kv_get(&m->labels, name);
}

const char *ace_image_manifest_annotation(const struct ace_image_manifest *m, const char *name)
{
        return ace_kv_get(&m->annotations, name);
}

enum ac_kind ace_manifest_kind(struct json_object *obj)
{
        struct json_object *kind = NULL;

        if (!json_object_is_type(obj, json_type_object))
                return AC_KIND_INVALID;
        /* every key matching acKind, exactly or case-insensitively, lands on the same field;
         * the last one wins (json_bind's rule, Go's encoding/json) */
        json_object_object_foreach(obj, key, val)
        {
                if (strcasecmp(key, "acKind") == 0)
                        kind = val;
        }
        if (!json_object_is_type(kind, json_type_string))
                return AC_KIND_INVALID;
        return ac_kind_from_string(json_object_get_string(kind));
}
