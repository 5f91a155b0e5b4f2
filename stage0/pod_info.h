/*
 * pod_info.h - everything `status` and `list` report about a pod, read from its directory
 * (pod manifest, appsinfo/, pid, times), and rkt's v1 JSON Pod object (api/v1/json.go) built
 * from it: `{"name","state","networks","app_names","apps":[{"name","state","created_at",
 * "started_at","finished_at","exit_code","image_id","mounts","user_annotations",
 * "user_labels"}],"created_at","started_at","user_annotations","user_labels"}`. Pod times are
 * Unix seconds, app times nanoseconds, as rkt.
 *
 * ace adds "isolators_unenforced": the isolators stage1 reported it could not enforce on this
 * host (the pod file `isolators-unenforced`, "<name> <scope>: <reason>" per line), as
 * `[{"name","scope":"pod"|"app","app"(app scope only),"reason"}]`; an empty array when every
 * isolator was enforced, absent when stage1 has not run yet.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "common/error.h"
#include "common/kv.h"
#include "stage0/pod.h"

struct json_object;

struct pod_mount_info {
        char *name;           /* volume name */
        char *container_path; /* mount path in the app */
        char *host_path;      /* host volume source ("" for empty volumes) */
        bool read_only;
};

struct pod_app_info {
        char *name;
        char *image_id;
        char *image_name;  /* "name[:version]" of the app's image manifest; NULL unknown */
        const char *state; /* "unknown", "created", "running", "exited" */
        bool has_started;
        struct timespec started;
        bool has_exit; /* appsinfo/<app>/exit was read */
        int exit_code;
        struct timespec finished;
        struct pod_mount_info *mounts;
        size_t n_mounts;
        struct ace_kv_list user_annotations;
        struct ace_kv_list user_labels;
};

struct pod_info {
        char uuid[POD_UUID_LEN + 1];
        enum pod_state state;
        bool has_created;
        struct timespec created;
        bool has_started;
        struct timespec started;
        bool has_pid;
        pid_t pid;
        bool has_manifest;
        struct pod_app_info *apps;
        size_t n_apps;
        struct ace_kv_list user_annotations;
        struct ace_kv_list user_labels;
        struct json_object *networks; /* net-info.json (array) or NULL */
        /* The lines of isolators-unenforced; NULL when the file does not exist (yet). */
        char **isolators_unenforced;
};

/*
 * Reads the pod. A pod without a manifest yet (embryo, early prepare) is not an error
 * (has_manifest false); an unreadable manifest is, with the pod left as far as it was read.
 */
int pod_info_load(struct pod *pod, struct pod_info *ret, struct ace_error **err);
void pod_info_done(struct pod_info *info);

/* The v1 Pod object. */
struct json_object *pod_info_to_json(const struct pod_info *info);

/* One isolators-unenforced line as a JSON object (see above); NULL when malformed. */
struct json_object *pod_info_unenforced_to_json(const char *line);

/* "NAME=IP" list of rkt's fmtNets: "<netName>:ip4=<ip>" joined by ", " ("" when none). */
char *pod_info_networks_string(const struct pod_info *info);
