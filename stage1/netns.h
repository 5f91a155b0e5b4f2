/*
 * netns.h - the pod's network namespace as a file: `/run/netns/ace-<uuid>`, a bind mount of the
 * namespace, as `ip netns` makes them.
 *
 * Why a bind mount in the host's mount namespace (the one documented exception to "stage1
 * mounts nothing on the host", Documentation/stage1-abi.md): CNI plugins take the namespace
 * as a path, and teardown must be able to reach it after the pod's processes are gone. A
 * namespace held only by the pod dies with it on `kill -9`; the kernel then destroys the veth,
 * but the plugins' host-side state that is keyed by what was inside (ptp's and bridge's ipMasq
 * chains are found through the container interface's addresses) could then never be removed.
 * With the mount, the relay (on pod exit) or `gc` (after a crash) runs the CNI DEL with the
 * namespace still there and then removes the mount. The path is recorded in the pod's `netns`
 * file before the namespace exists, so a crash at any point leaves something gc can find.
 *
 * /run/netns itself is made a shared mount (bound on itself first, as iproute2 does) so that
 * namespace mounts and their removal propagate to other mount namespaces; a pod's own mount
 * namespace detaches /run/netns entirely (netns_hide), so no pod holds another pod's namespace
 * alive.
 */
#pragma once

#include "common/error.h"

#define NETNS_RUN_DIR "/run/netns"

/* /run/netns/ace-<uuid>; malloc'd. */
char *netns_path(const char *uuid);

/* Creates a new network namespace pinned at path (which must not exist), brings its loopback
 * up and returns an O_CLOEXEC fd of it in *ret_fd. The caller stays in its own namespace. */
int netns_create(const char *path, int *ret_fd, struct ace_error **err);

/* Unmounts and removes path; a path that is missing or no longer mounted is fine. */
int netns_remove(const char *path, struct ace_error **err);

/* In a pod's fresh (private) mount namespace: drop its copies of every namespace mount. */
int netns_hide(struct ace_error **err);
