/*
 * pod_prepare.h - building a pod directory from the command line (`ace run`, `ace prepare`):
 * the stage0 half of Documentation/stage1-abi.md.
 *
 * In order: create the pod (embryo -> prepare, locked; --uuid-file-save written at once),
 * take the store's prepare lock shared (so `image gc` cannot remove a tree the pod is being
 * set up from), resolve the stage1 and app images (fetching as the pull policy says), render
 * their trees, generate the reified pod manifest (or check --pod-manifest), then write the pod
 * files: pod, runtime-config, stage1TreeStoreID, stage1/manifest, appsinfo/<app>/{manifest,
 * treeStoreID}, and either the overlay upper/work directories + overlay-prepared, or copies of
 * the trees (--no-overlay, or no overlayfs). The pod stays locked in prepare/: the caller moves
 * it to prepared/ (prepare) or run/ (run).
 *
 * A failure leaves an unlocked pod in prepare/ ("aborted prepare") once the process exits,
 * which gc removes; nothing half-written is ever in prepared/ or run/.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "stage0/cli.h"
#include "stage0/pod.h"
#include "stage0/run_args.h"

struct pod_prepare_result {
        struct pod *pod; /* locked, in prepare/ */
        bool overlay;    /* the pod uses overlayfs */
};

struct fetch_ui;

/* `pods` must be open with create. The fetcher reports progress through `ui` (may be NULL).
 * With `sync`, the pod directory is synced to disk before returning (prepare: the pod must
 * survive a reboot in prepared/; run skips it, a crash kills the pod anyway). */
int pod_prepare(const struct ace_global *g, const struct run_config *c, struct pods *pods,
                const struct fetch_ui *ui, bool sync, struct pod_prepare_result *ret,
                struct ace_error **err);

/* Whether overlayfs can be used for a data directory (kernel support; not on overlayfs,
 * aufs or zfs, which cannot be an upper dir). */
bool pod_overlay_supported(const char *data_dir);
