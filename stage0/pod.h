/*
 * pod.h - the pod state machine (rkt's pkg/pod) as a library: stage0's verbs use it, and so
 * can a later API service or CRI shim.
 *
 * A pod lives in `<dir>/pods/<state dir>/<uuid>/`. Its state is the state directory it is in
 * combined with whether someone holds an flock(2) on an O_DIRECTORY fd of the pod directory
 * (reference/rkt.md §3.6):
 *
 *   dir              locked            unlocked
 *   embryo/          embryo            embryo
 *   prepare/         preparing         aborted prepare
 *   prepared/        prepared          prepared
 *   run/             running           exited
 *   exited-garbage/  exited deleting   exited garbage
 *   garbage/         deleting          garbage
 *
 * Transitions are rename(2)s between state directories followed by an fsync of both parents;
 * a directory fd survives the rename, so a lock taken in prepare/ is still held in run/. Every
 * transition moves a pod forward in the lookup order below, so a lookup that walks the state
 * directories in that order cannot miss a pod that moves while it looks.
 *
 * Cost: opening one pod by full UUID is a stat per state directory (O(1) in the number of
 * pods); a UUID prefix costs a readdir of the state directories (names only).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "common/error.h"

/* Canonical UUID text: 8-4-4-4-12 lowercase hex. */
#define POD_UUID_LEN 36

/* The state directories, in lookup order (every transition moves forward in it). */
enum pod_dir {
        POD_DIR_EMBRYO,
        POD_DIR_PREPARE,
        POD_DIR_PREPARED,
        POD_DIR_RUN,
        POD_DIR_EXITED_GARBAGE,
        POD_DIR_GARBAGE,
        POD_DIR_MAX,
};

/* Name of a state directory ("embryo", "exited-garbage", ...). */
const char *pod_dir_name(enum pod_dir d);

enum pod_state {
        POD_STATE_EMBRYO,
        POD_STATE_PREPARING,
        POD_STATE_ABORTED_PREPARE,
        POD_STATE_PREPARED,
        POD_STATE_RUNNING,
        POD_STATE_EXITED,
        POD_STATE_EXITED_DELETING,
        POD_STATE_EXITED_GARBAGE,
        POD_STATE_DELETING,
        POD_STATE_GARBAGE,
        POD_STATE_MAX,
};

/* rkt's state strings ("running", "exited garbage", "aborted prepare", ...). */
const char *pod_state_to_string(enum pod_state s);
/* The state a directory has with the lock held or not (the table above). */
enum pod_state pod_state_from(enum pod_dir d, bool locked);
/* True for states whose pod has finished: exited, exited garbage, aborted prepare, garbage. */
bool pod_state_finished(enum pod_state s);

/* The data directory's pods/ tree: one fd per state directory. */
struct pods;

/*
 * Opens `<data_dir>/pods`. With `create`, creates `pods/` and the six state directories
 * (mode 0750) when missing; without it a missing data dir or pods/ is an empty tree (listing
 * gives nothing, lookups give "no matches found"), and only missing state directories of an
 * existing pods/ are created (when permitted).
 */
int pods_open(const char *data_dir, bool create, struct pods **ret, struct ace_error **err);
void pods_close(struct pods *p);
/* The data directory and its fd, and the fd of a state directory (-EBADF when absent). */
const char *pods_data_dir(const struct pods *p);
int pods_data_fd(const struct pods *p);
int pods_state_fd(const struct pods *p, enum pod_dir d);

static inline void pods_closep(struct pods **p)
{
        pods_close(*p);
        *p = (void *)0;
}
#define _cleanup_pods_ __attribute__((cleanup(pods_closep)))

struct pod {
        struct pods *pods; /* not owned */
        char uuid[POD_UUID_LEN + 1];
        enum pod_dir dir;     /* where it was last seen */
        int fd;               /* O_RDONLY|O_DIRECTORY|O_CLOEXEC fd of the pod dir */
        bool locked;          /* this handle holds the exclusive lock */
        enum pod_state state; /* as of the last pod_refresh() */
};

void pod_close(struct pod *pod);
static inline void pod_closep(struct pod **p)
{
        pod_close(*p);
        *p = (void *)0;
}
#define _cleanup_pod_ __attribute__((cleanup(pod_closep)))

/* ---- UUIDs --------------------------------------------------------------------------------- */

/* A new random (version 4) UUID in canonical form. */
int pod_uuid_generate(char ret[POD_UUID_LEN + 1], struct ace_error **err);
/* True when s is a canonical UUID (any case accepted; compare after lowercasing). */
bool pod_uuid_valid(const char *s);
/* Reads a UUID written by --uuid-file-save (trailing whitespace ignored). */
int pod_uuid_file_read(const char *path, char ret[POD_UUID_LEN + 1], struct ace_error **err);
/* Writes uuid + '\n' to path atomically (tmp file + rename). */
int pod_uuid_file_write(const char *path, const char *uuid, struct ace_error **err);

/* ---- lookup -------------------------------------------------------------------------------- */

/*
 * Finds one pod by its full UUID or a unique prefix of it (case-insensitive). Errors: empty
 * input "UUID cannot be empty"; nothing found "no matches found for \"X\"" (ENOENT);
 * several "ambiguous uuid, N matches" (EEXIST). The pod is returned unlocked with its state
 * refreshed.
 */
int pod_lookup(struct pods *p, const char *uuid_or_prefix, struct pod **ret,
               struct ace_error **err);
/* Same, for a full canonical UUID only: a stat per state directory, no readdir. */
int pod_open(struct pods *p, const char *uuid, struct pod **ret, struct ace_error **err);

/* One entry of a listing: the name in a state directory. */
struct pod_entry {
        enum pod_dir dir;
        char uuid[POD_UUID_LEN + 1];
};

/* Opens the pod of a listing entry where it was listed (one openat, no search): -ENOENT,
 * without an error message, when it has moved on since. State refreshed. */
int pod_open_entry(struct pods *p, const struct pod_entry *e, struct pod **ret,
                   struct ace_error **err);

/*
 * Lists the pods in the state directories of `dir_mask` (bits 1 << enum pod_dir), names only:
 * a readdir per directory, no per-pod system call. Entries are sorted by state directory,
 * then UUID. Names that are not UUIDs are skipped.
 */
int pods_list(struct pods *p, unsigned dir_mask, struct pod_entry **ret, size_t *ret_n,
              struct ace_error **err);
#define POD_DIR_MASK_ALL ((1u << POD_DIR_MAX) - 1)

/* ---- state --------------------------------------------------------------------------------- */

/*
 * Re-derives pod->state: where the directory is now (the pod may have moved since it was
 * opened) and whether it is locked. Returns -ENOENT when the pod is gone.
 */
int pod_refresh(struct pod *pod, struct ace_error **err);

/* Takes the exclusive lock on the pod directory; with !block, -EWOULDBLOCK when busy. */
int pod_lock(struct pod *pod, bool block, struct ace_error **err);
/* Probes: 1 when somebody else holds the lock (a non-blocking shared flock fails), else 0. */
int pod_is_locked(struct pod *pod, struct ace_error **err);
/* Drops the exclusive lock this handle holds (no-op otherwise). */
void pod_unlock(struct pod *pod);

/*
 * Waits until the pod has finished (pod_state_finished() or gone). A running pod is waited
 * for with a blocking shared flock (woken when its lock holder dies), any other state with
 * inotify on its state directory: no polling. timeout_ns < 0 waits forever; on timeout
 * -ETIMEDOUT. -ENOENT when the pod disappeared (removed by gc/rm: also finished).
 */
int pod_wait_finished(struct pod *pod, int64_t timeout_ns, struct ace_error **err);
/*
 * Waits until the pod's stage1 created `ready` (every app started). -ETIMEDOUT on timeout,
 * -ESRCH when the pod finished without becoming ready.
 */
int pod_wait_ready(struct pod *pod, int64_t timeout_ns, struct ace_error **err);
/*
 * The "lock released" event for a poll loop of one's own: a child blocks in a shared flock on
 * its own open of the pod directory and exits once it gets it; `fd` (a pipe) then reads EOF.
 */
struct pod_lock_waiter {
        pid_t pid;
        int fd;
};
int pod_lock_waiter_start(struct pod_lock_waiter *w, int pod_fd, struct ace_error **err);
/* Kills and reaps the child (if any) and closes fd. Safe on a stopped waiter. */
void pod_lock_waiter_stop(struct pod_lock_waiter *w);

/* Same for any file directly in the pod directory (e.g. "pid"). */
int pod_wait_file(struct pod *pod, const char *name, int64_t timeout_ns, struct ace_error **err);

/*
 * Moves the pod to state directory `to` by rename(2), then fsyncs the source and target
 * state directories so the move survives a crash. Refuses a move that is not one of the
 * state machine's transitions (EINVAL). Returns -ENOENT when the pod is no longer where
 * it was last seen (somebody else moved or removed it): the caller lost the race.
 */
int pod_transition(struct pod *pod, enum pod_dir to, struct ace_error **err);
/* The same without the fsyncs, for moves a crash may lose without harm: prepare -> run (a
 * crash kills the pod anyway, and gc collects it from either directory) and the creation. */
int pod_transition_nosync(struct pod *pod, enum pod_dir to, struct ace_error **err);

/*
 * Creates a new pod: mkdir embryo/<uuid>, take the exclusive lock, rename to prepare/<uuid>.
 * The returned pod is locked and in state preparing.
 */
int pod_create(struct pods *p, struct pod **ret, struct ace_error **err);

/* ---- pod files ------------------------------------------------------------------------------ */

/* The absolute path of the pod directory as of the last refresh (heap). */
char *pod_path(const struct pod *pod);
/* The pod's creation time: mtime of `pod-created`, else of `pod`. -ENOENT when neither. */
int pod_created_time(struct pod *pod, struct timespec *ret);
/* The pod's start time: mtime of `pid`. -ENOENT when the pod never started. */
int pod_started_time(struct pod *pod, struct timespec *ret);
/* The host PID of the pod's stage1 (the `pid` file). -ENOENT when absent. */
int pod_read_pid(struct pod *pod, pid_t *ret, struct ace_error **err);
/* Reads a small file of the pod directory (max 64 MiB), NUL terminated. */
int pod_read_file(struct pod *pod, const char *name, char **ret, size_t *ret_len,
                  struct ace_error **err);
