/*
 * pod_export.h - `ace export`: an exited pod's app, as it was when the pod ended, written as
 * an ACI with the app's image manifest.
 *
 * The app's root filesystem is, for an overlay pod, the rendered tree (overlay lower dir)
 * with the pod's upper dir applied on top - merged here in user space, without mounting
 * anything on the host: upper files and directories replace lower ones, whiteouts (0:0
 * character devices) delete, opaque directories (trusted.overlay.opaque=y) hide the lower
 * directory's content, and overlayfs' own trusted.overlay.* xattrs are dropped. For a
 * --no-overlay pod it is the copy in the pod directory. The merge happens in a scratch
 * directory under <data dir>/tmp that is removed afterwards; the ACI is written to a temporary
 * file next to the output and renamed into place.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "stage0/pod.h"

/*
 * Exports app `app` (NULL: the pod's only app) of an exited pod to `out` (must end in .aci;
 * an existing file is an error unless overwrite). The pod is held with a shared lock so gc
 * cannot delete it meanwhile. Returns the image ID of what was written in ret_id (optional,
 * heap).
 */
int pod_export(struct pod *pod, const char *app, const char *out, bool overwrite, char **ret_id,
               struct ace_error **err);

/*
 * Applies an overlayfs upper directory onto a merged tree (both directory fds), as the
 * kernel would show the union. Exposed for the unit tests.
 */
int overlay_merge(int upper_fd, int merged_fd, struct ace_error **err);
