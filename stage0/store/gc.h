/*
 * gc.h - store garbage collection (`ace image gc`) and crash cleanup.
 *
 * store_gc_tmp() is the crash-recovery sweep: it removes temp files of dead imports, blobs
 * and manifests without a db row, trees without their `rendered` marker, and db rows whose
 * blob is missing, taking each object's lock non-blocking so live operations are never
 * disturbed. store_gc() is `ace image gc`: under the exclusive prepare lock it removes trees
 * no pod references, then images last used longer ago than the grace period that no pod
 * references, then runs store_gc_tmp().
 *
 * Pod references are read from <dir>/pods/<state>/<uuid>/: `stage1TreeStoreID`,
 * `appsinfo/<app>/treeStoreID`, and the image IDs in the `pod` manifest (rkt.md §3.5). A
 * referenced tree keeps all of its layers (its `layers` file).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "stage0/store/store.h"

/* What a gc run did, for the verb's messages. */
struct store_gc_report {
        char **removed_trees;  /* tree IDs */
        char **removed_images; /* image IDs */
        char **kept_images;    /* image IDs skipped because a pod references them */
        size_t removed_tmp;    /* temp files, orphan blobs/manifests/rows removed */
        char **errors;         /* one message per object that could not be removed */
};

void store_gc_report_free(struct store_gc_report *r);

/* Image IDs and tree IDs referenced by the pods under data dir `dir` (sorted, unique).
 * Pods that cannot be read are skipped (reported in *ret_errors when non-NULL). */
int store_pod_references(const char *dir, char ***ret_image_ids, char ***ret_tree_ids,
                         char ***ret_errors, struct ace_error **err);

/* `ace image gc`: grace_ns = images last used within this many ns are kept. */
int store_gc(struct store *s, int64_t grace_ns, struct store_gc_report *report,
             struct ace_error **err);

/* Crash cleanup only (see above); adds to report->removed_tmp / errors when non-NULL. */
int store_gc_tmp(struct store *s, struct store_gc_report *report, struct ace_error **err);
