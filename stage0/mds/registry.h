/*
 * registry.h - the metadata service's registered pods (common/mds_proto.h for the protocol).
 *
 * The registration thread changes it and the HTTP thread reads it, under one mutex. What a
 * request needs is precomputed at registration (the JSON bodies, the merged app annotations)
 * and handed out as a private copy, so no JSON object is ever shared between the threads.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/json.h"

struct mds_kv {
        char *name, *value;
};

struct mds_app {
        char *name;
        char *image_id;
        char *image_manifest;       /* JSON text as registered */
        struct mds_kv *annotations; /* image annotations overridden by the pod's app ones */
        size_t n_annotations;
        char *annotations_json;
};

struct mds_pod {
        char uuid[37];
        unsigned char uuid_bytes[16];
        char *token;
        char **ips;
        bool any_ip;
        char *manifest; /* JSON text */
        struct mds_kv *annotations;
        size_t n_annotations;
        char *annotations_json;
        struct mds_app *apps;
        size_t n_apps;
};

struct mds_registry;

struct mds_registry *mds_registry_new(int public_port);
void mds_registry_free(struct mds_registry *r);

/* One registration request (an op of common/mds_proto.h); *reply is the answer to send. */
void mds_registry_handle(struct mds_registry *r, struct json_object *req,
                         struct json_object **reply);

enum mds_auth {
        MDS_AUTH_OK,
        MDS_AUTH_UNKNOWN_TOKEN, /* 401 */
        MDS_AUTH_WRONG_PEER,    /* 403: right token, not from one of the pod's addresses */
};

/* The pod a request's token names, if the peer may use it; *ret is a private copy. */
enum mds_auth mds_registry_lookup(struct mds_registry *r, const char *token, const char *peer,
                                  struct mds_pod **ret);
void mds_pod_free(struct mds_pod *p);
const struct mds_app *mds_pod_app(const struct mds_pod *p, const char *name);
const char *mds_kv_get(const struct mds_kv *kv, size_t n, const char *name);
size_t mds_registry_count(struct mds_registry *r);

/* Canonical UUID text to its 16 bytes (the HMAC input); false when malformed. */
bool mds_uuid_parse(const char *s, unsigned char out[16]);
