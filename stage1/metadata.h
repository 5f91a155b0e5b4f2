/*
 * metadata.h - stage1's side of the metadata service (common/mds_proto.h): stage0 registered
 * the pod and passed its token (--mds-token); once the pod's networks exist the relay tells the
 * service the pod's addresses (requests with the token are only answered from them; `any` for
 * --net=host) and learns the service's port, and every app gets
 *   AC_METADATA_URL=http://<host side of the forwarding network>:<port>/<token>
 * (127.0.0.1 with --net=host). When the pod ends the relay unregisters it; `gc` does it for a
 * pod whose relay was killed. Both only when stage0 left the `mds-registered` marker.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "stage1/network.h"

int metadata_connect(const char *uuid, const char *token, bool host_net,
                     const struct network_state *st, char **ret_url, struct ace_error **err);
/* Best effort; a no-op without the marker. */
void metadata_disconnect(int podfd, const char *uuid);
