/*
 * app.h - the appc App object (spec/aci.md "app"), shared by the image manifest ("app") and the
 * pod manifest (a RuntimeApp's "app", which replaces the image's).
 *
 * Every bound struct carries a `struct json_meta` so unknown keys survive a round trip.
 * Lists are `{ items, n }` pairs; an absent list is { NULL, 0 } (presence is in the meta).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/json.h"
#include "common/kv.h"
#include "schema/isolator.h"

struct ace_event_handler {
        char *name;  /* "pre-start" or "post-stop" */
        char **exec; /* non-empty strv */
        struct json_meta meta;
};

struct ace_event_handler_list {
        struct ace_event_handler *items;
        size_t n;
};

struct ace_mount_point {
        char *name; /* AC Name */
        char *path; /* non-empty */
        bool read_only;
        struct json_meta meta;
};

struct ace_mount_point_list {
        struct ace_mount_point *items;
        size_t n;
};

struct ace_port {
        char *name;     /* AC Name */
        char *protocol; /* free-form, typically "tcp"/"udp"; required */
        uint64_t port;  /* 1..65535 */
        uint64_t count; /* >= 1; 0 or absent in the JSON reads as 1 (the reference writes 0) */
        bool socket_activated;
        struct json_meta meta;
};

struct ace_port_list {
        struct ace_port *items;
        size_t n;
};

struct ace_gid_list {
        uint32_t *items;
        size_t n;
};

struct ace_app {
        char **exec; /* NULL when absent; not checked (ACE may override) */
        struct ace_event_handler_list event_handlers; /* at most one per name */
        char *user;                                   /* required, non-empty */
        char *group;                                  /* required, non-empty */
        struct ace_gid_list supplementary_gids;       /* JSON key supplementaryGIDs */
        char *working_directory;                      /* NULL/"" (= "/") or absolute */
        struct ace_kv_list environment;               /* names ^[A-Za-z_][A-Za-z_0-9.-]*$, unique */
        struct ace_mount_point_list mount_points;
        struct ace_port_list ports;
        struct ace_isolator_list isolators;  /* app scope: unknown names rejected */
        struct ace_kv_list user_annotations; /* free-form; must not affect the ACE */
        struct ace_kv_list user_labels;
        struct json_meta meta;
};

/* JSON binding (dst: struct ace_app ** - allocates; src: struct ace_app *const *, NULL omitted).
 * Parsing checks JSON types only; ace_app_validate() checks the rules. */
int ace_app_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err);
struct json_object *ace_app_emit(const void *src, bool present);
/* The App as a JSON object (never NULL). */
struct json_object *ace_app_to_json(const struct ace_app *app);

/* Every rule of the App object. path is where the app is ("app", "apps[1].app"). */
int ace_app_validate(const struct ace_app *app, const char *path, struct ace_error **err);

struct ace_app *ace_app_new(void);
/* Deep copy (unknown keys included). */
struct ace_app *ace_app_copy(const struct ace_app *app);
void ace_app_free(struct ace_app *app);
static inline void ace_app_freep(struct ace_app **a)
{
        ace_app_free(*a);
        *a = NULL;
}
#define _cleanup_ace_app_ _cleanup_(ace_app_freep)

/* The event handler called name ("pre-start"/"post-stop"), or NULL. */
const struct ace_event_handler *ace_app_event_handler(const struct ace_app *app, const char *name);

/* Port JSON binding and rules, shared with the pod manifest's podPort. */
int ace_port_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err);
struct json_object *ace_port_emit(const void *src, bool present);
int ace_port_validate(const struct ace_port *p, const char *path, struct ace_error **err);
void ace_port_done(struct ace_port *p);
