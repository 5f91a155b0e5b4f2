/*
 * pod_manifest.c - the appc PodManifest: binding tables, validation, serialization and the
 * builder stage0 uses to write the pod manifest of every pod it prepares.
 *
 * Stricter than the reference, which lets most of these through (spec/pods.md says
 * "required"): `apps` must be present, every app needs image.id as a full sha512 ID, mounts need
 * volume and path and must name a pod volume (or carry an appVolume), exposed ports need a
 * hostPort in 1..65535 and an IPv4 dotted-quad hostIP, and the pod's isolators follow the same
 * scope/instance/conflict rules as an app's. Port names must be unique among the apps' port
 * overrides ("port names MUST be unique among apps within a pod"; ports that come from images
 * are the caller's to check). Annotation names are AC Identifiers, as the reference checks and
 * rkt writes (coreos.com/rkt/stage1/mutable), although spec/pods.md says AC Name.
 */
#include "schema/pod_manifest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "schema/image_manifest.h"

/* ---- mounts
 * -------------------------------------------------------------------------------------- */

static int parse_app_volume(struct json_object *v, void *dst, const char *path,
                            struct ace_error **err)
{
        struct ace_volume **vol = dst;

        if (*vol) {
                ace_volume_done(*vol);
                free(*vol);
        }
        *vol = xcalloc(1, sizeof(**vol));
        return ace_volume_parse(v, *vol, path, err);
}

static struct json_object *emit_app_volume(const void *src, bool present)
{
        const struct ace_volume *vol = *(struct ace_volume *const *)src;
        (void)present;
        return vol ? ace_volume_emit(vol, true) : NULL;
}

static const struct json_field mount_fields[] = {
    {"volume", json_field_parse_string, json_field_emit_string, offsetof(struct ace_mount, volume),
     0},
    {"path", json_field_parse_string, json_field_emit_string, offsetof(struct ace_mount, path), 0},
    {"appVolume", parse_app_volume, emit_app_volume, offsetof(struct ace_mount, app_volume), 0},
};
static const struct json_table mount_table = JSON_TABLE("mount", struct ace_mount, mount_fields);

static int parse_mount(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        return json_bind(v, &mount_table, dst, path, err);
}

static struct json_object *emit_mount(const void *src, bool present)
{
        (void)present;
        return json_unbind(&mount_table, src);
}

static int parse_mounts(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_mount_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), parse_mount, (void **)&l->items, &l->n,
                                err);
}

static struct json_object *emit_mounts(const void *src, bool present)
{
        const struct ace_mount_list *l = src;
        if (!present && !l->n)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(*l->items), emit_mount);
}

static void mount_done(struct ace_mount *m)
{
        free(m->volume);
        free(m->path);
        if (m->app_volume) {
                ace_volume_done(m->app_volume);
                free(m->app_volume);
        }
        json_meta_clear(&m->meta);
}

/* ---- runtime apps
 * --------------------------------------------------------------------------------- */

static const struct json_field image_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_runtime_image, name), 0},
    {"id", json_field_parse_string, json_field_emit_string, offsetof(struct ace_runtime_image, id),
     0},
    {"labels", ace_kv_parse_array, ace_kv_emit_array, offsetof(struct ace_runtime_image, labels),
     0},
};
static const struct json_table image_table =
    JSON_TABLE("runtime image", struct ace_runtime_image, image_fields);

static int parse_image(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        return json_bind(v, &image_table, dst, path, err);
}

static struct json_object *emit_image(const void *src, bool present)
{
        (void)present;
        return json_unbind(&image_table, src);
}

static const struct json_field runtime_app_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_runtime_app, name), 0},
    {"image", parse_image, emit_image, offsetof(struct ace_runtime_app, image), JSON_MANDATORY},
    {"app", ace_app_parse, ace_app_emit, offsetof(struct ace_runtime_app, app), 0},
    {"readOnlyRootFS", json_field_parse_bool, json_field_emit_bool,
     offsetof(struct ace_runtime_app, read_only_root_fs), 0},
    {"mounts", parse_mounts, emit_mounts, offsetof(struct ace_runtime_app, mounts), 0},
    {"annotations", ace_kv_parse_array, ace_kv_emit_array,
     offsetof(struct ace_runtime_app, annotations), 0},
};
static const struct json_table runtime_app_table =
    JSON_TABLE("app", struct ace_runtime_app, runtime_app_fields);

static int parse_runtime_app(struct json_object *v, void *dst, const char *path,
                             struct ace_error **err)
{
        return json_bind(v, &runtime_app_table, dst, path, err);
}

static struct json_object *emit_runtime_app(const void *src, bool present)
{
        (void)present;
        return json_unbind(&runtime_app_table, src);
}

static int parse_apps(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_runtime_app_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), parse_runtime_app, (void **)&l->items,
                                &l->n, err);
}

/* "apps" is required, so it is always written, even when empty */
static struct json_object *emit_apps(const void *src, bool present)
{
        const struct ace_runtime_app_list *l = src;
        (void)present;
        return json_emit_array(l->items, l->n, sizeof(*l->items), emit_runtime_app);
}

static void runtime_app_done(struct ace_runtime_app *a)
{
        free(a->name);
        free(a->image.name);
        free(a->image.id);
        ace_kv_list_clear(&a->image.labels);
        json_meta_clear(&a->image.meta);
        ace_app_free(a->app);
        for (size_t i = 0; i < a->mounts.n; i++)
                mount_done(&a->mounts.items[i]);
        free(a->mounts.items);
        ace_kv_list_clear(&a->annotations);
        json_meta_clear(&a->meta);
}

/* ---- volumes and exposed ports
 * ---------------------------------------------------------------------- */

static int parse_volumes(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_volume_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), ace_volume_parse, (void **)&l->items,
                                &l->n, err);
}

static struct json_object *emit_volumes(const void *src, bool present)
{
        const struct ace_volume_list *l = src;
        if (!present && !l->n)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(*l->items), ace_volume_emit);
}

static int parse_pod_port(struct json_object *v, void *dst, const char *path,
                          struct ace_error **err)
{
        struct ace_port **p = dst;

        if (*p) {
                ace_port_done(*p);
                free(*p);
        }
        *p = xcalloc(1, sizeof(**p));
        return ace_port_parse(v, *p, path, err);
}

static struct json_object *emit_pod_port(const void *src, bool present)
{
        const struct ace_port *p = *(struct ace_port *const *)src;
        (void)present;
        return p ? ace_port_emit(p, true) : NULL;
}

static const struct json_field exposed_port_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_exposed_port, name), 0},
    {"hostPort", json_field_parse_uint64, json_field_emit_uint64,
     offsetof(struct ace_exposed_port, host_port), 0},
    {"hostIP", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_exposed_port, host_ip), 0},
    {"podPort", parse_pod_port, emit_pod_port, offsetof(struct ace_exposed_port, pod_port), 0},
};
static const struct json_table exposed_port_table =
    JSON_TABLE("exposed port", struct ace_exposed_port, exposed_port_fields);

static int parse_exposed_port(struct json_object *v, void *dst, const char *path,
                              struct ace_error **err)
{
        return json_bind(v, &exposed_port_table, dst, path, err);
}

static struct json_object *emit_exposed_port(const void *src, bool present)
{
        (void)present;
        return json_unbind(&exposed_port_table, src);
}

static int parse_exposed_ports(struct json_object *v, void *dst, const char *path,
                               struct ace_error **err)
{
        struct ace_exposed_port_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), parse_exposed_port, (void **)&l->items,
                                &l->n, err);
}

static struct json_object *emit_exposed_ports(const void *src, bool present)
{
        const struct ace_exposed_port_list *l = src;
        if (!present && !l->n)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(*l->items), emit_exposed_port);
}

/* ---- the manifest
 * ------------------------------------------------------------------------------------- */

/* Field order as the reference marshals schema.PodManifest. */
static const struct json_field pod_fields[] = {
    {"acVersion", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_pod_manifest, ac_version), 0},
    {"acKind", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_pod_manifest, ac_kind), 0},
    {"apps", parse_apps, emit_apps, offsetof(struct ace_pod_manifest, apps), JSON_MANDATORY},
    {"volumes", parse_volumes, emit_volumes, offsetof(struct ace_pod_manifest, volumes), 0},
    {"isolators", ace_isolators_parse, ace_isolators_emit,
     offsetof(struct ace_pod_manifest, isolators), 0},
    {"annotations", ace_kv_parse_array, ace_kv_emit_array,
     offsetof(struct ace_pod_manifest, annotations), 0},
    {"ports", parse_exposed_ports, emit_exposed_ports, offsetof(struct ace_pod_manifest, ports), 0},
    {"userAnnotations", ace_kv_parse_object, ace_kv_emit_object,
     offsetof(struct ace_pod_manifest, user_annotations), 0},
    {"userLabels", ace_kv_parse_object, ace_kv_emit_object,
     offsetof(struct ace_pod_manifest, user_labels), 0},
};
static const struct json_table pod_table =
    JSON_TABLE("pod manifest", struct ace_pod_manifest, pod_fields);

void ace_pod_manifest_free(struct ace_pod_manifest *pm)
{
        if (!pm)
                return;
        free(pm->ac_version);
        free(pm->ac_kind);
        for (size_t i = 0; i < pm->apps.n; i++)
                runtime_app_done(&pm->apps.items[i]);
        free(pm->apps.items);
        for (size_t i = 0; i < pm->volumes.n; i++)
                ace_volume_done(&pm->volumes.items[i]);
        free(pm->volumes.items);
        ace_isolators_clear(&pm->isolators);
        ace_kv_list_clear(&pm->annotations);
        for (size_t i = 0; i < pm->ports.n; i++) {
                struct ace_exposed_port *p = &pm->ports.items[i];
                free(p->name);
                free(p->host_ip);
                if (p->pod_port) {
                        ace_port_done(p->pod_port);
                        free(p->pod_port);
                }
                json_meta_clear(&p->meta);
        }
        free(pm->ports.items);
        ace_kv_list_clear(&pm->user_annotations);
        ace_kv_list_clear(&pm->user_labels);
        json_meta_clear(&pm->meta);
        free(pm);
}

struct ace_runtime_app *ace_pod_manifest_app(const struct ace_pod_manifest *pm, const char *name)
{
        for (size_t i = 0; i < pm->apps.n; i++)
                if (pm->apps.items[i].name && strcmp(pm->apps.items[i].name, name) == 0)
                        return &pm->apps.items[i];
        return NULL;
}

struct ace_volume *ace_pod_manifest_volume(const struct ace_pod_manifest *pm, const char *name)
{
        for (size_t i = 0; i < pm->volumes.n; i++)
                if (pm->volumes.items[i].name && strcmp(pm->volumes.items[i].name, name) == 0)
                        return &pm->volumes.items[i];
        return NULL;
}

/* ---- validation
 * ---------------------------------------------------------------------------------------- */

static int validate_mounts(const struct ace_pod_manifest *pm, const struct ace_runtime_app *a,
                           const char *path, struct ace_error **err)
{
        _cleanup_free_ char *list = json_path_key(path, "mounts");

        for (size_t j = 0; j < a->mounts.n; j++) {
                const struct ace_mount *m = &a->mounts.items[j];
                _cleanup_free_ char *item = json_path_index(list, j);
                _cleanup_free_ char *vol = json_path_key(item, "volume");
                _cleanup_free_ char *appvol = json_path_key(item, "appVolume");
                int r;

                if (!m->volume || !*m->volume)
                        return json_path_error(err, vol, "volume must be set");
                r = ac_name_check(m->volume, vol, err);
                if (r < 0)
                        return r;
                if (!m->path || !*m->path)
                        return json_path_error(err, item, "path must be set");
                if (m->app_volume) {
                        r = ace_volume_validate(m->app_volume, appvol, err);
                        if (r < 0)
                                return r;
                } else if (!ace_pod_manifest_volume(pm, m->volume)) {
                        _cleanup_free_ char *q = json_quote(m->volume);
                        return json_path_error(err, vol, "no volume named %s in the pod", q);
                }
        }
        return 0;
}

static int validate_app(const struct ace_pod_manifest *pm, size_t i, struct ace_error **err)
{
        const struct ace_runtime_app *a = &pm->apps.items[i];
        _cleanup_free_ char *item = json_path_index("apps", i);
        _cleanup_free_ char *name = json_path_key(item, "name");
        _cleanup_free_ char *image = json_path_key(item, "image");
        _cleanup_free_ char *image_id = json_path_key(image, "id");
        _cleanup_free_ char *image_name = json_path_key(image, "name");
        _cleanup_free_ char *image_labels = json_path_key(image, "labels");
        _cleanup_free_ char *app = json_path_key(item, "app");
        _cleanup_free_ char *annotations = json_path_key(item, "annotations");
        _cleanup_error_ struct ace_error *e = NULL;
        char id[ACE_IMAGE_ID_LEN + 1];
        int r;

        r = ac_name_check(a->name, name, err);
        if (r < 0)
                return r;
        for (size_t j = 0; j < i; j++)
                if (strcmp(pm->apps.items[j].name, a->name) == 0) {
                        _cleanup_free_ char *q = json_quote(a->name);
                        return json_path_error(err, item, "duplicate apps of name %s", q);
                }
        if (!a->image.id)
                return json_path_error(err, image_id, "image ID must be set");
        if (image_id_parse(a->image.id, id, &e) < 0)
                return json_path_error(err, image_id, "%s", e->msg);
        if (a->image.name) {
                r = ac_identifier_check(a->image.name, image_name, err);
                if (r < 0)
                        return r;
        }
        r = ace_labels_validate(&a->image.labels, image_labels, err);
        if (r < 0)
                return r;
        if (a->app) {
                r = ace_app_validate(a->app, app, err);
                if (r < 0)
                        return r;
        }
        r = validate_mounts(pm, a, item, err);
        if (r < 0)
                return r;
        return ace_annotations_validate(&a->annotations, annotations, err);
}

/* "port names MUST be unique among apps within a pod": checked for the apps' overrides */
static int validate_app_port_names(const struct ace_pod_manifest *pm, struct ace_error **err)
{
        for (size_t i = 0; i < pm->apps.n; i++) {
                const struct ace_app *a = pm->apps.items[i].app;
                for (size_t k = 0; a && k < a->ports.n; k++)
                        for (size_t j = 0; j < i; j++) {
                                const struct ace_app *b = pm->apps.items[j].app;
                                for (size_t l = 0; b && l < b->ports.n; l++) {
                                        if (strcmp(a->ports.items[k].name, b->ports.items[l].name))
                                                continue;
                                        _cleanup_free_ char *item = json_path_index("apps", i);
                                        _cleanup_free_ char *q = json_quote(a->ports.items[k].name);
                                        return json_path_error(
                                            err, item, "port name %s is already used by app %s", q,
                                            pm->apps.items[j].name);
                                }
                        }
        }
        return 0;
}

static int validate_volumes(const struct ace_pod_manifest *pm, struct ace_error **err)
{
        for (size_t i = 0; i < pm->volumes.n; i++) {
                _cleanup_free_ char *item = json_path_index("volumes", i);
                int r = ace_volume_validate(&pm->volumes.items[i], item, err);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(pm->volumes.items[j].name, pm->volumes.items[i].name) == 0) {
                                _cleanup_free_ char *q = json_quote(pm->volumes.items[i].name);
                                return json_path_error(err, item, "duplicate volume name %s", q);
                        }
        }
        return 0;
}

static int validate_exposed_ports(const struct ace_pod_manifest *pm, struct ace_error **err)
{
        for (size_t i = 0; i < pm->ports.n; i++) {
                const struct ace_exposed_port *p = &pm->ports.items[i];
                _cleanup_free_ char *item = json_path_index("ports", i);
                _cleanup_free_ char *name = json_path_key(item, "name");
                _cleanup_free_ char *host_port = json_path_key(item, "hostPort");
                _cleanup_free_ char *host_ip = json_path_key(item, "hostIP");
                _cleanup_free_ char *pod_port = json_path_key(item, "podPort");
                struct in_addr addr;
                int r;

                r = ac_name_check(p->name, name, err);
                if (r < 0)
                        return r;
                if (p->host_port < 1 || p->host_port > 65535)
                        return json_path_error(err, host_port, "hostPort must be in 1-65535 range");
                if (p->host_ip && inet_pton(AF_INET, p->host_ip, &addr) != 1) {
                        _cleanup_free_ char *q = json_quote(p->host_ip);
                        return json_path_error(
                            err, host_ip, "invalid IP address %s (must be an IPv4 dotted quad)", q);
                }
                if (p->pod_port) {
                        r = ace_port_validate(p->pod_port, pod_port, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int ace_pod_manifest_validate(const struct ace_pod_manifest *pm, struct ace_error **err)
{
        int r;

        r = ac_version_check(pm->ac_version, "acVersion", err);
        if (r < 0)
                return r;
        if (!pm->ac_kind || !*pm->ac_kind)
                return json_path_error(err, "acKind", "ACKind must be set");
        if (strcmp(pm->ac_kind, "PodManifest") != 0) {
                _cleanup_free_ char *q = json_quote(pm->ac_kind ? pm->ac_kind : "");
                return json_path_error(err, "acKind",
                                       "missing or bad ACKind %s (must be \"PodManifest\")", q);
        }
        /* volumes first: app mounts refer to them */
        r = validate_volumes(pm, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < pm->apps.n; i++) {
                r = validate_app(pm, i, err);
                if (r < 0)
                        return r;
        }
        r = validate_app_port_names(pm, err);
        if (r < 0)
                return r;
        r = ace_isolators_validate(&pm->isolators, ISOLATOR_SCOPE_POD, "isolators", err);
        if (r < 0)
                return r;
        r = ace_annotations_validate(&pm->annotations, "annotations", err);
        if (r < 0)
                return r;
        return validate_exposed_ports(pm, err);
}

/* ---- parse and serialize
 * ------------------------------------------------------------------------------ */

int ace_pod_manifest_from_json(struct json_object *obj, struct ace_pod_manifest **ret,
                               struct ace_error **err)
{
        struct ace_pod_manifest *pm = xcalloc(1, sizeof(*pm));
        int r;

        r = json_bind(obj, &pod_table, pm, "", err);
        if (r >= 0)
                r = ace_pod_manifest_validate(pm, err);
        if (r < 0) {
                ace_pod_manifest_free(pm);
                return r;
        }
        *ret = pm;
        return 0;
}

int ace_pod_manifest_parse(const char *buf, size_t len, struct ace_pod_manifest **ret,
                           struct ace_error **err)
{
        _cleanup_json_ struct json_object *obj = NULL;
        int r;

        if (len > ACE_MANIFEST_MAX_SIZE)
                return ace_error_make(err, EFBIG, "pod manifest too large (%zu bytes, limit %d)",
                                      len, ACE_MANIFEST_MAX_SIZE);
        r = json_parse_object(buf, len, ACE_JSON_MAX_DEPTH, &obj, err);
        if (r < 0)
                return r;
        return ace_pod_manifest_from_json(obj, ret, err);
}

struct json_object *ace_pod_manifest_to_json_object(const struct ace_pod_manifest *pm)
{
        return json_unbind(&pod_table, pm);
}

char *ace_pod_manifest_to_json_style(const struct ace_pod_manifest *pm, enum json_style style)
{
        _cleanup_json_ struct json_object *o = ace_pod_manifest_to_json_object(pm);
        return json_to_text(o, style);
}

char *ace_pod_manifest_to_json(const struct ace_pod_manifest *pm, bool pretty)
{
        return ace_pod_manifest_to_json_style(pm, pretty ? JSON_PRETTY : JSON_COMPACT);
}

struct ace_pod_manifest *ace_pod_manifest_copy(const struct ace_pod_manifest *pm)
{
        _cleanup_json_ struct json_object *o = ace_pod_manifest_to_json_object(pm);
        struct ace_pod_manifest *c = xcalloc(1, sizeof(*c));

        if (json_bind(o, &pod_table, c, "", NULL) < 0)
                abort(); /* what we emitted must bind again */
        return c;
}

/* ---- builder
 * -------------------------------------------------------------------------------------------- */

struct ace_pod_manifest *ace_pod_manifest_new(void)
{
        struct ace_pod_manifest *pm = xcalloc(1, sizeof(*pm));

        pm->ac_version = xstrdup(ACE_AC_VERSION);
        pm->ac_kind = xstrdup("PodManifest");
        json_meta_set_present(&pm->meta, &pod_table, "apps");
        return pm;
}

int ace_pod_manifest_add_app(struct ace_pod_manifest *pm, const char *name, const char *image_id,
                             const char *image_name, struct ace_runtime_app **ret,
                             struct ace_error **err)
{
        char id[ACE_IMAGE_ID_LEN + 1];
        struct ace_runtime_app *a;
        int r;

        r = ac_name_check(name, "app name", err);
        if (r < 0)
                return r;
        if (ace_pod_manifest_app(pm, name)) {
                _cleanup_free_ char *q = json_quote(name);
                return ace_error_make(err, EEXIST, "duplicate apps of name %s", q);
        }
        r = image_id_parse(image_id, id, err);
        if (r < 0)
                return r;
        if (image_name) {
                r = ac_identifier_check(image_name, "image name", err);
                if (r < 0)
                        return r;
        }
        pm->apps.items = xrealloc(pm->apps.items, (pm->apps.n + 1) * sizeof(*pm->apps.items));
        a = &pm->apps.items[pm->apps.n++];
        *a = (struct ace_runtime_app){.name = xstrdup(name)};
        a->image.id = xstrdup(id);
        a->image.name = image_name ? xstrdup(image_name) : NULL;
        if (ret)
                *ret = a;
        return 0;
}

int ace_pod_manifest_add_volume(struct ace_pod_manifest *pm, const struct ace_volume *v,
                                struct ace_error **err)
{
        int r = ace_volume_validate(v, "volume", err);

        if (r < 0)
                return r;
        if (ace_pod_manifest_volume(pm, v->name)) {
                _cleanup_free_ char *q = json_quote(v->name);
                return ace_error_make(err, EEXIST, "duplicate volume name %s", q);
        }
        pm->volumes.items =
            xrealloc(pm->volumes.items, (pm->volumes.n + 1) * sizeof(*pm->volumes.items));
        ace_volume_copy(&pm->volumes.items[pm->volumes.n++], v);
        return 0;
}

void ace_runtime_app_set_app(struct ace_runtime_app *ra, const struct ace_app *app)
{
        ace_app_free(ra->app);
        ra->app = app ? ace_app_copy(app) : NULL;
}

int ace_runtime_app_add_mount(struct ace_runtime_app *ra, const char *volume, const char *path,
                              struct ace_error **err)
{
        int r = ac_name_check(volume, "mount volume", err);

        if (r < 0)
                return r;
        if (!path || !*path)
                return ace_error_make(err, EINVAL, "mount path must be set");
        ra->mounts.items =
            xrealloc(ra->mounts.items, (ra->mounts.n + 1) * sizeof(*ra->mounts.items));
        ra->mounts.items[ra->mounts.n++] =
            (struct ace_mount){.volume = xstrdup(volume), .path = xstrdup(path)};
        return 0;
}

int ace_pod_manifest_set_isolators(struct ace_pod_manifest *pm, const struct ace_isolator_list *l,
                                   struct ace_error **err)
{
        int r = ace_isolators_validate(l, ISOLATOR_SCOPE_POD, "isolators", err);

        if (r < 0)
                return r;
        ace_isolators_clear(&pm->isolators);
        ace_isolators_copy(&pm->isolators, l);
        return 0;
}
