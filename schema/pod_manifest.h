/*
 * pod_manifest.h - the appc PodManifest (spec/pods.md): parse, validate, serialize, and a small
 * builder for stage0, which generates the reified pod manifest of every pod it prepares.
 *
 * Volumes (schema/volume.c) get their defaults filled on parse - readOnly false, recursive true
 * for host volumes (the spec's SHOULD), mode "0755", uid 0, gid 0 for empty ones - but are only
 * written back where the input (or the builder) had them, so a round trip keeps the JSON.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/json.h"
#include "common/kv.h"
#include "schema/app.h"
#include "schema/isolator.h"
#include "schema/types.h"

enum ace_volume_kind {
        ACE_VOLUME_HOST,
        ACE_VOLUME_EMPTY,
        _ACE_VOLUME_KIND_MAX,
        ACE_VOLUME_KIND_INVALID = -1,
};

struct ace_volume {
        char *name; /* AC Name */
        enum ace_volume_kind kind;
        char *source;   /* host: absolute path; empty: NULL */
        bool read_only; /* default false */
        bool recursive; /* host only; default true */
        char *mode;     /* empty only; octal string, default "0755" */
        uint32_t uid;   /* empty only; default 0 */
        uint32_t gid;   /* empty only; default 0 */
        struct json_meta meta;
};

struct ace_volume_list {
        struct ace_volume *items;
        size_t n;
};

struct ace_mount {
        char *volume;                  /* AC Name, required */
        char *path;                    /* required */
        struct ace_volume *app_volume; /* NULL, or a volume used instead of the pod's */
        struct json_meta meta;
};

struct ace_mount_list {
        struct ace_mount *items;
        size_t n;
};

struct ace_runtime_image {
        char *name;                /* NULL or an AC Identifier */
        char *id;                  /* a full image ID, required */
        struct ace_kv_list labels; /* image label rules */
        struct json_meta meta;
};

struct ace_runtime_app {
        char *name; /* AC Name, unique in the pod */
        struct ace_runtime_image image;
        struct ace_app *app; /* NULL: use the image's app */
        bool read_only_root_fs;
        struct ace_mount_list mounts;
        struct ace_kv_list annotations; /* AC Identifier names, as rkt writes them */
        struct json_meta meta;
};

struct ace_runtime_app_list {
        struct ace_runtime_app *items;
        size_t n;
};

struct ace_exposed_port {
        char *name;                /* AC Name */
        uint64_t host_port;        /* 1..65535, required */
        char *host_ip;             /* NULL or an IPv4 dotted quad */
        struct ace_port *pod_port; /* NULL, or the port overriding the apps' */
        struct json_meta meta;
};

struct ace_exposed_port_list {
        struct ace_exposed_port *items;
        size_t n;
};

struct ace_pod_manifest {
        char *ac_version;                 /* SemVer, see ac_version_check() */
        char *ac_kind;                    /* "PodManifest" */
        struct ace_runtime_app_list apps; /* required (may be empty) */
        struct ace_volume_list volumes;
        struct ace_isolator_list isolators; /* pod scope: unknown names kept raw */
        struct ace_kv_list annotations;
        struct ace_exposed_port_list ports;
        struct ace_kv_list user_annotations;
        struct ace_kv_list user_labels;
        struct json_meta meta;
};

/* Parses and validates len bytes of JSON (at most ACE_MANIFEST_MAX_SIZE). *ret set on success. */
int ace_pod_manifest_parse(const char *buf, size_t len, struct ace_pod_manifest **ret,
                           struct ace_error **err);
int ace_pod_manifest_from_json(struct json_object *obj, struct ace_pod_manifest **ret,
                               struct ace_error **err);
/* Every rule of spec/pods.md that the manifest alone can show (image mountPoints need the
 * images, so "reified" is the caller's check). */
int ace_pod_manifest_validate(const struct ace_pod_manifest *pm, struct ace_error **err);
char *ace_pod_manifest_to_json(const struct ace_pod_manifest *pm, bool pretty);
char *ace_pod_manifest_to_json_style(const struct ace_pod_manifest *pm, enum json_style style);
struct json_object *ace_pod_manifest_to_json_object(const struct ace_pod_manifest *pm);

struct ace_pod_manifest *ace_pod_manifest_copy(const struct ace_pod_manifest *pm);
void ace_pod_manifest_free(struct ace_pod_manifest *pm);
static inline void ace_pod_manifest_freep(struct ace_pod_manifest **pm)
{
        ace_pod_manifest_free(*pm);
        *pm = NULL;
}
#define _cleanup_pod_manifest_ _cleanup_(ace_pod_manifest_freep)

/* Lookups; NULL if there is none. */
struct ace_runtime_app *ace_pod_manifest_app(const struct ace_pod_manifest *pm, const char *name);
struct ace_volume *ace_pod_manifest_volume(const struct ace_pod_manifest *pm, const char *name);

/* ---- builder ----------------------------------------------------------------------------------
 */

/* An empty pod manifest: acKind, acVersion (ACE_AC_VERSION) and an empty apps list. */
struct ace_pod_manifest *ace_pod_manifest_new(void);
/* Appends an app named `name` (AC Name, unique) running image `image_id` (full ID); image_name
 * (AC Identifier) may be NULL. Copies the strings. On success *ret (if not NULL) points at the
 * new app, valid until the next add. */
int ace_pod_manifest_add_app(struct ace_pod_manifest *pm, const char *name, const char *image_id,
                             const char *image_name, struct ace_runtime_app **ret,
                             struct ace_error **err);
/* Appends a copy of v after checking it and that its name is unused. */
int ace_pod_manifest_add_volume(struct ace_pod_manifest *pm, const struct ace_volume *v,
                                struct ace_error **err);
/* Replaces ra->app with a copy of app (NULL removes the override). */
void ace_runtime_app_set_app(struct ace_runtime_app *ra, const struct ace_app *app);
/* Appends a mount of volume `volume` at `path` (no app volume). */
int ace_runtime_app_add_mount(struct ace_runtime_app *ra, const char *volume, const char *path,
                              struct ace_error **err);
/* Replaces the pod isolators with a copy of l, after ace_isolators_validate(POD). */
int ace_pod_manifest_set_isolators(struct ace_pod_manifest *pm, const struct ace_isolator_list *l,
                                   struct ace_error **err);

/* ---- volumes (volume.c) ------------------------------------------------------------------------
 */

const char *ace_volume_kind_to_string(enum ace_volume_kind k);
enum ace_volume_kind ace_volume_kind_from_string(const char *s);
/* rkt's --volume syntax: `NAME,kind=host,source=/p[,readOnly=BOOL][,recursive=BOOL]` or
 * `NAME,kind=empty[,readOnly=BOOL][,mode=0755][,uid=N][,gid=N]`; BOOL as Go's strconv.ParseBool
 * (1 t T TRUE true True 0 f F FALSE false False). Each key at most once; defaults filled; the
 * result passes ace_volume_validate(). Given keys (and an empty volume's mode/uid/gid, as the
 * reference does) are marked present so the generated manifest states them. */
int ace_volume_parse_flag(const char *s, struct ace_volume *ret, struct ace_error **err);
/* Kind rules: host needs an absolute source and no mode/uid/gid; empty has no source and a
 * mode of 1-4 octal digits (<= 07777 after an optional leading 0), uid/gid 0..4294967294. */
int ace_volume_validate(const struct ace_volume *v, const char *path, struct ace_error **err);
/* The mode bits of an empty volume (0755 when unset). */
mode_t ace_volume_mode(const struct ace_volume *v);
/* rkt's String(): "name,kind=host,source=/p,readOnly=true,recursive=true". malloc'd. */
char *ace_volume_to_flag(const struct ace_volume *v);
void ace_volume_copy(struct ace_volume *dst, const struct ace_volume *src);
void ace_volume_done(struct ace_volume *v);
/* JSON binding (dst/src: struct ace_volume *); parse fills the defaults. */
int ace_volume_parse(struct json_object *v, void *dst, const char *path, struct ace_error **err);
struct json_object *ace_volume_emit(const void *src, bool present);
