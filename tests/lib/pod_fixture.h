/*
 * pod_fixture.h - set up a pod directory exactly as the stage1 ABI says stage0 will
 * (Documentation/stage1-abi.md) and run the real stage1 on it.
 *
 * A fixture owns a data dir `/tmp/ace-pod-XXXXXX` with `cas/tree/` (the tree store: the stage1
 * image tree and the apps' rendered trees) and `pods/run/<uuid>/` holding `pod`,
 * `runtime-config`, `pod-created`, `stage1TreeStoreID`, `stage1/{manifest,rootfs/}`,
 * `appsinfo/<app>/{manifest,treeStoreID}`, `overlay-prepared` and
 * `overlay/<tree>/{upper,work}/<app>`. pf_start() takes the exclusive flock on the pod dir and
 * execs `<tree store>/<stage1 tree>/rootfs/init --net=... UUID` with RKT_LOCK_FD, cwd = pod dir,
 * stdout/stderr to files. pf_free() kills a pod still running and runs stage1 gc on it.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "tests/lib/test_image.h"

struct pod_fixture {
        char *data_dir;
        char *tree_store; /* data_dir/cas/tree */
        char *uuid;
        char *pod_dir;
        char *stage1_tree; /* id of the stage1 tree */
        char *apps_json;   /* accumulated "apps" array items */
        char *volumes_json;
        char *runtime_extra; /* extra runtime-config members */
        char *pod_isolators; /* the pod manifest's "isolators" items */
        bool overlay;
        int lock_fd;
        char *stdin_path; /* the run process's stdin (default: inherited) */
        pid_t pid;        /* the run process while running */
        bool started;     /* run was started at least once: pf_free runs gc */
        bool cgroup2;     /* run stage1 in a mount namespace whose /sys/fs/cgroup is cgroup2 only */
        char *out, *err;  /* captured after pf_wait() */
        int status;
};

struct pod_fixture *pf_new(void);
void pf_free(struct pod_fixture *pf);

/* Adds an app running img (rendered into the tree store on first use). app_json replaces the
 * image's app section in the pod manifest (NULL: use the image's). extra is more members of the
 * runtime app, e.g. "\"readOnlyRootFS\": true, \"mounts\": [...]" (NULL: none). */
void pf_add_app(struct pod_fixture *pf, const char *name, struct test_image *img,
                const char *app_json, const char *extra);
/* Adds a pod volume (a JSON object text). */
void pf_add_volume(struct pod_fixture *pf, const char *volume_json);
/* The pod-level isolators (JSON list items). */
void pf_set_pod_isolators(struct pod_fixture *pf, const char *items);
/* Extra runtime-config members, e.g. "\"stopTimeout\": 1". */
void pf_runtime(struct pod_fixture *pf, const char *members);

/* Writes the pod directory (once) and starts stage1 run with the given extra arguments
 * (NULL-terminated; "--net=none" is added unless a --net= is given). */
pid_t pf_start(struct pod_fixture *pf, const char *const *args);
/* Waits for the run process; fills out, err and status (exit code or 128+signal). */
int pf_wait(struct pod_fixture *pf);
/* pf_start + pf_wait. */
int pf_run(struct pod_fixture *pf, const char *const *args);

/* A path inside the pod dir; malloc'd. */
char *pf_path(struct pod_fixture *pf, const char *rel);
/* Contents of a file in the pod dir, or NULL. */
char *pf_read(struct pod_fixture *pf, const char *rel);
/* Reads the live stdout file (while running). */
char *pf_stdout_now(struct pod_fixture *pf);
/* Runs another stage1 entrypoint (enter/stop/gc) with cwd = pod dir; captures output. */
int pf_entrypoint(struct pod_fixture *pf, const char *name, const char *const *args, char **out,
                  char **err);
