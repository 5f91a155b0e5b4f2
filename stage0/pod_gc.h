/*
 * pod_gc.h - removing pods: `ace rm` (one pod, now) and `ace gc` (every dead pod, in rkt's
 * two phases: mark, then sweep after a grace period; reference/rkt.md §3.7).
 *
 * gc, in order:
 *   1. mark: every unlocked run/<uuid> (exited) -> exited-garbage/<uuid>;
 *   2. every unlocked prepare/<uuid> (aborted prepare) -> garbage/<uuid>;
 *      (stop here with mark_only)
 *   3. prepared/<uuid> whose ctime is older than expire_prepared -> garbage/<uuid>;
 *   4. exited-garbage/<uuid> whose ctime (= the mark, set by the rename) is older than the
 *      grace period: lock it (skip if busy), run the stage1 gc entrypoint, delete it;
 *   5. every lockable garbage/<uuid>: delete it.
 * Deleting never crosses a mount point (common/fs.h fs_rm_rf_at): by the stage1 ABI nothing
 * is ever mounted on the host below a pod directory, and should something be, the pod stays
 * in place, reported, instead of deleting through the mount.
 *
 * Cost: a readdir per state directory; per pod only what its state needs (a lock probe for
 * run/ and prepare/ pods, an fstatat for prepared/ and exited-garbage/ ones). `rm UUID`
 * touches nothing but its pod.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "stage0/pod.h"

enum pod_gc_event {
        POD_GC_MARK_EXITED,  /* "moving pod %q to garbage" */
        POD_GC_MARK_ABORTED, /* "moving failed prepare %q to garbage" */
        POD_GC_MARK_EXPIRED, /* "moving expired prepared pod %q to garbage" */
        POD_GC_COLLECTING,   /* "Garbage collecting pod %q" (stdout) */
        POD_GC_WITHIN_GRACE, /* "pod %q not removed: still within grace period (%s)" */
        POD_GC_WARNING,      /* detail: a non-fatal problem (stage1 gc failed, ...) */
        POD_GC_ERROR,        /* detail: this pod could not be handled */
};

struct pod_gc_opts {
        bool debug;                 /* --debug to the stage1 gc entrypoint */
        const char *local_config;   /* --local-config to the stage1 gc entrypoint */
        int64_t grace_ns;           /* --grace-period */
        int64_t expire_prepared_ns; /* --expire-prepared */
        bool mark_only;             /* --mark-only */
        /* Progress for the verb to print (the library prints nothing). */
        void (*event)(void *userdata, enum pod_gc_event ev, const char *uuid, const char *detail);
        void *userdata;
};

/*
 * Deletes a pod this handle holds the exclusive lock of, in exited-garbage/ or garbage/: for
 * an exited pod the stage1 gc entrypoint first (its failure is a warning, as in rkt), then
 * the directory. Returns -EBUSY for a pod not in a deletable state.
 */
int pod_delete(struct pod *pod, const struct pod_gc_opts *o, struct ace_error **err);

/*
 * `ace rm` of one pod: refuses running, embryo/preparing and deleting pods (rkt's messages),
 * moves exited ones to exited-garbage and prepared/aborted ones to garbage, locks and deletes.
 */
int pod_remove(struct pod *pod, const struct pod_gc_opts *o, struct ace_error **err);

/*
 * `ace gc`: the five steps above. Problems with single pods are reported through events and
 * counted in *ret_failed (optional); the return is < 0 only when a state directory cannot be
 * read.
 */
int pods_gc(struct pods *p, const struct pod_gc_opts *o, size_t *ret_failed,
            struct ace_error **err);
