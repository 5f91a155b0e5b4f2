/*
 * mds_proto.h - the metadata service's registration protocol, spoken by stage0 (register,
 * unregister), stage1 (the pod's addresses once its networks exist, unregister when it ends)
 * and the service (stage0/mds/).
 *
 * Transport: a filesystem unix stream socket, /run/ace/metadata-svc.sock (mode 0600, and the
 * service checks SO_PEERCRED uid 0: only root registers pods; there is no abstract socket a
 * host-network pod could dial, T-30). ACE_METADATA_SOCKET overrides the path (a second
 * instance, tests). One request per connection: the client writes one JSON object and shuts
 * down its write side; the service answers one JSON object and closes.
 *
 *   {"op": "register", "uuid": U, "token": T, "manifest": {pod manifest},
 *    "apps": {"<app>": {image manifest}, ...}}                         -> {"ok": true}
 *   {"op": "set-ips", "uuid": U, "ips": ["172.16.28.5"]} or "any": true -> {"ok": true,
 *                                                                         "port": 18112}
 *   {"op": "unregister", "uuid": U}                                   -> {"ok": true}
 *   errors                                                            -> {"error": "..."}
 *
 * A registered pod's data is served only for requests that carry its token *and* come from
 * one of its addresses (set-ips; `any` for --net=host pods, which have no address of their
 * own), so a token alone, leaked to another pod, opens nothing.
 */
#pragma once

#include "common/error.h"
#include "common/json.h"

#define MDS_SOCKET_PATH "/run/ace/metadata-svc.sock"
#define MDS_DEFAULT_PORT 18112
#define MDS_TOKEN_BYTES 32 /* 256 bits, hex in URLs (appc: at least 128) */
#define MDS_REQUEST_MAX (16u << 20)
#define MDS_REPLY_MAX (64u << 10)

/* The socket path: ACE_METADATA_SOCKET or MDS_SOCKET_PATH. */
const char *mds_socket_path(void);

/* Sends one request and reads the reply. A reply with "error" becomes an error (EPROTO) with
 * its text; an unreachable service is ECONNREFUSED/ENOENT with a hint. *ret may be NULL. */
int mds_call(struct json_object *req, struct json_object **ret, struct ace_error **err);

/* A fresh token: MDS_TOKEN_BYTES from getrandom, hex. malloc'd. */
int mds_token_new(char **ret, struct ace_error **err);

/* set-ips for a pod (ips NULL-terminated; NULL with any=true); *ret_port: the public port. */
int mds_set_ips(const char *uuid, char *const *ips, bool any, int *ret_port,
                struct ace_error **err);
int mds_unregister(const char *uuid, struct ace_error **err);
