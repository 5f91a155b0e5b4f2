/*
 * app.c - the App object shared by image manifests and pod manifests (spec/aci.md "app"):
 * binding tables, rules, copy and free.
 *
 * Stricter than the reference (listed in Documentation/schema-vs-reference.md): an event
 * handler needs a non-empty exec; a mountPoint needs a path; a port needs a protocol (the spec
 * says required) and port names are unique within an app; supplementary GIDs are unsigned
 * 32-bit ids other than 4294967295.
 */
#include "schema/app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/types.h"

/* ---- event handlers -------------------------------------------------------------------------- */

static const struct json_field event_handler_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_event_handler, name), 0},
    {"exec", json_field_parse_strv, json_field_emit_strv, offsetof(struct ace_event_handler, exec),
     0},
};
static const struct json_table event_handler_table =
    JSON_TABLE("event handler", struct ace_event_handler, event_handler_fields);

static int parse_event_handler(struct json_object *v, void *dst, const char *path,
                               struct ace_error **err)
{
        return json_bind(v, &event_handler_table, dst, path, err);
}

static struct json_object *emit_event_handler(const void *src, bool present)
{
        (void)present;
        return json_unbind(&event_handler_table, src);
}

static void event_handler_done(struct ace_event_handler *e)
{
        free(e->name);
        strv_free(e->exec);
        json_meta_clear(&e->meta);
}

static int parse_event_handlers(struct json_object *v, void *dst, const char *path,
                                struct ace_error **err)
{
        struct ace_event_handler_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), parse_event_handler, (void **)&l->items,
                                &l->n, err);
}

static struct json_object *emit_event_handlers(const void *src, bool present)
{
        const struct ace_event_handler_list *l = src;
        if (!present && !l->n)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(*l->items), emit_event_handler);
}

/* ---- mount points ---------------------------------------------------------------------------- */

static const struct json_field mount_point_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_mount_point, name), 0},
    {"path", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_mount_point, path), 0},
    {"readOnly", json_field_parse_bool, json_field_emit_bool,
     offsetof(struct ace_mount_point, read_only), 0},
};
static const struct json_table mount_point_table =
    JSON_TABLE("mount point", struct ace_mount_point, mount_point_fields);

static int parse_mount_point(struct json_object *v, void *dst, const char *path,
                             struct ace_error **err)
{
        return json_bind(v, &mount_point_table, dst, path, err);
}

static struct json_object *emit_mount_point(const void *src, bool present)
{
        (void)present;
        return json_unbind(&mount_point_table, src);
}

static int parse_mount_points(struct json_object *v, void *dst, const char *path,
                              struct ace_error **err)
{
        struct ace_mount_point_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), parse_mount_point, (void **)&l->items,
                                &l->n, err);
}

static struct json_object *emit_mount_points(const void *src, bool present)
{
        const struct ace_mount_point_list *l = src;
        if (!present && !l->n)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(*l->items), emit_mount_point);
}

/* ---- ports ----------------------------------------------------------------------------------- */

/* count is filled with 1 when absent, so it is written back only when the input had it */
static struct json_object *emit_count(const void *src, bool present)
{
        return present ? json_object_new_uint64(*(const uint64_t *)src) : NULL;
}

static const struct json_field port_fields[] = {
    {"name", json_field_parse_string, json_field_emit_string, offsetof(struct ace_port, name), 0},
    {"protocol", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_port, protocol), 0},
    {"port", json_field_parse_uint64, json_field_emit_uint64, offsetof(struct ace_port, port), 0},
    {"count", json_field_parse_uint64, emit_count, offsetof(struct ace_port, count), 0},
    {"socketActivated", json_field_parse_bool, json_field_emit_bool,
     offsetof(struct ace_port, socket_activated), 0},
};
static const struct json_table port_table = JSON_TABLE("port", struct ace_port, port_fields);

int ace_port_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_port *p = dst;
        int r = json_bind(v, &port_table, p, path, err);

        if (r < 0)
                return r;
        /* "count ... defaults to 1 if unset"; the reference also turns 0 into 1 (and its
         * patch-manifest writes 0), so 0 reads as 1 rather than breaking those images */
        if (p->count == 0)
                p->count = 1;
        return 0;
}

struct json_object *ace_port_emit(const void *src, bool present)
{
        (void)present;
        return json_unbind(&port_table, src);
}

int ace_port_validate(const struct ace_port *p, const char *path, struct ace_error **err)
{
        _cleanup_free_ char *name_path = json_path_key(path, "name");
        _cleanup_free_ char *proto_path = json_path_key(path, "protocol");
        int r = ac_name_check(p->name, name_path, err);

        if (r < 0)
                return r;
        if (!p->protocol || !*p->protocol)
                return json_path_error(err, proto_path, "protocol must be set");
        if (p->port < 1 || p->port > 65535)
                return json_path_error(err, path, "port must be in 1-65535 range");
        if (p->count < 1 || p->count > 65536 || p->port + p->count > 65536)
                return json_path_error(err, path, "end of port range must be in 1-65535 range");
        return 0;
}

void ace_port_done(struct ace_port *p)
{
        free(p->name);
        free(p->protocol);
        json_meta_clear(&p->meta);
        memset(p, 0, sizeof(*p));
}

static int parse_ports(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_port_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), ace_port_parse, (void **)&l->items,
                                &l->n, err);
}

static struct json_object *emit_ports(const void *src, bool present)
{
        const struct ace_port_list *l = src;
        if (!present && !l->n)
                return NULL;
        return json_emit_array(l->items, l->n, sizeof(*l->items), ace_port_emit);
}

/* ---- supplementary GIDs ------------------------------------------------------------------------
 */

static int parse_gid(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        return json_field_parse_uint32(v, dst, path, err);
}

static int parse_gids(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_gid_list *l = dst;
        return json_parse_array(v, path, sizeof(*l->items), parse_gid, (void **)&l->items, &l->n,
                                err);
}

static struct json_object *emit_gids(const void *src, bool present)
{
        const struct ace_gid_list *l = src;
        struct json_object *a;

        if (!present && !l->n)
                return NULL;
        a = json_object_new_array();
        for (size_t i = 0; i < l->n; i++)
                json_object_array_add(a, json_object_new_int64(l->items[i]));
        return a;
}

/* ---- the App ----------------------------------------------------------------------------------
 */

/* Field order as the reference marshals types.App. */
static const struct json_field app_fields[] = {
    {"exec", json_field_parse_strv, json_field_emit_strv, offsetof(struct ace_app, exec), 0},
    {"eventHandlers", parse_event_handlers, emit_event_handlers,
     offsetof(struct ace_app, event_handlers), 0},
    {"user", json_field_parse_string, json_field_emit_string, offsetof(struct ace_app, user), 0},
    {"group", json_field_parse_string, json_field_emit_string, offsetof(struct ace_app, group), 0},
    {"supplementaryGIDs", parse_gids, emit_gids, offsetof(struct ace_app, supplementary_gids), 0},
    {"workingDirectory", json_field_parse_string, json_field_emit_string,
     offsetof(struct ace_app, working_directory), 0},
    {"environment", ace_kv_parse_array, ace_kv_emit_array, offsetof(struct ace_app, environment),
     0},
    {"mountPoints", parse_mount_points, emit_mount_points, offsetof(struct ace_app, mount_points),
     0},
    {"ports", parse_ports, emit_ports, offsetof(struct ace_app, ports), 0},
    {"isolators", ace_isolators_parse, ace_isolators_emit, offsetof(struct ace_app, isolators), 0},
    {"userAnnotations", ace_kv_parse_object, ace_kv_emit_object,
     offsetof(struct ace_app, user_annotations), 0},
    {"userLabels", ace_kv_parse_object, ace_kv_emit_object, offsetof(struct ace_app, user_labels),
     0},
};
static const struct json_table app_table = JSON_TABLE("app", struct ace_app, app_fields);

struct ace_app *ace_app_new(void)
{
        return xcalloc(1, sizeof(struct ace_app));
}

int ace_app_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err)
{
        struct ace_app **app = dst;

        ace_app_free(*app);
        *app = ace_app_new();
        return json_bind(v, &app_table, *app, path, err);
}

struct json_object *ace_app_to_json(const struct ace_app *app)
{
        return json_unbind(&app_table, app);
}

struct json_object *ace_app_emit(const void *src, bool present)
{
        const struct ace_app *app = *(struct ace_app *const *)src;

        (void)present;
        return app ? ace_app_to_json(app) : NULL;
}

void ace_app_free(struct ace_app *app)
{
        if (!app)
                return;
        strv_free(app->exec);
        for (size_t i = 0; i < app->event_handlers.n; i++)
                event_handler_done(&app->event_handlers.items[i]);
        free(app->event_handlers.items);
        free(app->user);
        free(app->group);
        free(app->supplementary_gids.items);
        free(app->working_directory);
        ace_kv_list_clear(&app->environment);
        for (size_t i = 0; i < app->mount_points.n; i++) {
                struct ace_mount_point *m = &app->mount_points.items[i];
                free(m->name);
                free(m->path);
                json_meta_clear(&m->meta);
        }
        free(app->mount_points.items);
        for (size_t i = 0; i < app->ports.n; i++)
                ace_port_done(&app->ports.items[i]);
        free(app->ports.items);
        ace_isolators_clear(&app->isolators);
        ace_kv_list_clear(&app->user_annotations);
        ace_kv_list_clear(&app->user_labels);
        json_meta_clear(&app->meta);
        free(app);
}

struct ace_app *ace_app_copy(const struct ace_app *app)
{
        /* Through JSON: every nested list owns allocations, and emit+parse is the round trip
         * the tests already hold to "nothing lost". */
        _cleanup_json_ struct json_object *j = NULL;
        struct ace_app *copy = NULL;

        if (!app)
                return NULL;
        j = ace_app_to_json(app);
        if (ace_app_parse(j, &copy, "", NULL) < 0)
                abort(); /* what we emitted must parse again */
        return copy;
}

const struct ace_event_handler *ace_app_event_handler(const struct ace_app *app, const char *name)
{
        for (size_t i = 0; i < app->event_handlers.n; i++)
                if (app->event_handlers.items[i].name &&
                    strcmp(app->event_handlers.items[i].name, name) == 0)
                        return &app->event_handlers.items[i];
        return NULL;
}

/* ---- rules ------------------------------------------------------------------------------------
 */

/* ^[A-Za-z_][A-Za-z_0-9.-]*$ (the reference's envPattern) */
static bool env_name_valid(const char *s)
{
        if (!s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
                return false;
        for (s++; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
                      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
                        return false;
        return true;
}

static int validate_event_handlers(const struct ace_app *app, const char *path,
                                   struct ace_error **err)
{
        _cleanup_free_ char *list = json_path_key(path, "eventHandlers");

        for (size_t i = 0; i < app->event_handlers.n; i++) {
                const struct ace_event_handler *e = &app->event_handlers.items[i];
                _cleanup_free_ char *item = json_path_index(list, i);
                _cleanup_free_ char *q = json_quote(e->name ? e->name : "");

                if (!e->name || !*e->name)
                        return json_path_error(err, item, "eventHandler \"name\" cannot be empty");
                if (strcmp(e->name, "pre-start") != 0 && strcmp(e->name, "post-stop") != 0)
                        return json_path_error(err, item, "bad eventHandler \"name\": %s", q);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(app->event_handlers.items[j].name, e->name) == 0)
                                return json_path_error(
                                    err, item, "Only one eventHandler of name %s allowed", q);
                if (strv_length(e->exec) == 0)
                        return json_path_error(err, item, "exec must be a non-empty list");
        }
        return 0;
}

static int validate_environment(const struct ace_app *app, const char *path, struct ace_error **err)
{
        _cleanup_free_ char *list = json_path_key(path, "environment");

        for (size_t i = 0; i < app->environment.n; i++) {
                const char *name = app->environment.items[i].name;
                _cleanup_free_ char *item = json_path_index(list, i);
                _cleanup_free_ char *q = json_quote(name);

                if (!name || !*name)
                        return json_path_error(err, item,
                                               "environment variable name must not be empty");
                if (!env_name_valid(name))
                        return json_path_error(
                            err, item, "environment variable does not have valid identifier %s", q);
        }
        long dup = ace_kv_find_duplicate(&app->environment);
        if (dup >= 0) {
                _cleanup_free_ char *item = json_path_index(list, (size_t)dup);
                _cleanup_free_ char *q = json_quote(app->environment.items[dup].name);
                return json_path_error(err, item, "duplicate environment variable of name %s", q);
        }
        return 0;
}

static int validate_mount_points_and_ports(const struct ace_app *app, const char *path,
                                           struct ace_error **err)
{
        _cleanup_free_ char *mps = json_path_key(path, "mountPoints");
        _cleanup_free_ char *ports = json_path_key(path, "ports");
        int r;

        for (size_t i = 0; i < app->mount_points.n; i++) {
                const struct ace_mount_point *m = &app->mount_points.items[i];
                _cleanup_free_ char *item = json_path_index(mps, i);
                _cleanup_free_ char *name = json_path_key(item, "name");
                r = ac_name_check(m->name, name, err);
                if (r < 0)
                        return r;
                if (!m->path || !*m->path)
                        return json_path_error(err, item, "path must be set");
        }
        for (size_t i = 0; i < app->ports.n; i++) {
                _cleanup_free_ char *item = json_path_index(ports, i);
                r = ace_port_validate(&app->ports.items[i], item, err);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(app->ports.items[j].name, app->ports.items[i].name) == 0) {
                                _cleanup_free_ char *q = json_quote(app->ports.items[i].name);
                                return json_path_error(err, item, "duplicate port name %s", q);
                        }
        }
        return 0;
}

int ace_app_validate(const struct ace_app *app, const char *path, struct ace_error **err)
{
        _cleanup_free_ char *user = json_path_key(path, "user");
        _cleanup_free_ char *group = json_path_key(path, "group");
        _cleanup_free_ char *wd = json_path_key(path, "workingDirectory");
        _cleanup_free_ char *gids = json_path_key(path, "supplementaryGIDs");
        _cleanup_free_ char *isolators = json_path_key(path, "isolators");
        int r;

        if (!app->user || !*app->user)
                return json_path_error(err, user, "user is required");
        if (!app->group || !*app->group)
                return json_path_error(err, group, "group is required");
        if (app->working_directory && *app->working_directory && app->working_directory[0] != '/')
                return json_path_error(err, wd, "workingDirectory must be an absolute path");
        for (size_t i = 0; i < app->supplementary_gids.n; i++)
                if (app->supplementary_gids.items[i] == UINT32_MAX) {
                        _cleanup_free_ char *item = json_path_index(gids, i);
                        return json_path_error(err, item, "4294967295 is not a valid group id");
                }
        r = validate_event_handlers(app, path, err);
        if (r < 0)
                return r;
        r = validate_environment(app, path, err);
        if (r < 0)
                return r;
        r = validate_mount_points_and_ports(app, path, err);
        if (r < 0)
                return r;
        return ace_isolators_validate(&app->isolators, ISOLATOR_SCOPE_APP, isolators, err);
}
