/*
 * mds.h - `ace metadata-service`: the appc App Container Metadata Service (appc ace.md,
 * reference/appc.md §8) on libmicrohttpd, and its registration socket (common/mds_proto.h).
 *
 * Pieces: registry.c (pods, tokens, addresses), hmac.c (the host key, sign/verify),
 * public.c (the HTTP API pods call), control.c (the root-only registration socket),
 * listen.c (sockets: systemd socket activation or our own), server.c (this file's entry).
 *
 * Abuse bounds (reliability.md §3b item 15): request bodies over MDS_BODY_MAX get 413; one
 * event-driven HTTP thread (epoll) serves every connection, idle ones are closed after
 * MDS_IDLE_TIMEOUT seconds, and one address may hold at most MDS_PER_IP_CONNECTIONS, so a pod
 * opening a thousand idle connections cannot starve another pod.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "stage0/mds/registry.h"

#define MDS_BODY_MAX (64u << 10)
#define MDS_IDLE_TIMEOUT 30
#define MDS_PER_IP_CONNECTIONS 64
#define MDS_MAX_CONNECTIONS 4096

struct mds_config {
        const char *data_dir;    /* the HMAC key lives under it */
        int port;                /* public TCP port when not socket-activated */
        const char *socket_path; /* registration socket when not socket-activated */
};

/* Runs until SIGTERM, SIGINT or SIGHUP; returns 0 then. */
int mds_serve(const struct mds_config *cfg, struct ace_error **err);

/* ---- listen.c ----------------------------------------------------------------------------- */

struct mds_listeners {
        int tcp, control;           /* listening sockets */
        int port;                   /* the public port, as bound */
        char *control_path_created; /* unlinked on close; NULL when socket-activated */
};

/* sd_listen_fds(3) semantics without libsystemd: LISTEN_PID must be ours, LISTEN_FDS sockets
 * start at fd 3; each is classified by family (AF_UNIX: registration, AF_INET*: public). What
 * was not passed is created. The LISTEN_* variables are removed from the environment. */
int mds_listeners_open(const struct mds_config *cfg, struct mds_listeners *ret,
                       struct ace_error **err);
void mds_listeners_close(struct mds_listeners *l);

/* ---- control.c ---------------------------------------------------------------------------- */

struct mds_control;
int mds_control_start(int fd, struct mds_registry *reg, struct mds_control **ret,
                      struct ace_error **err);
void mds_control_stop(struct mds_control *c);

/* ---- public.c ----------------------------------------------------------------------------- */

struct mds_public;
int mds_public_start(int fd, struct mds_registry *reg, const unsigned char *key,
                     struct mds_public **ret, struct ace_error **err);
void mds_public_stop(struct mds_public *p);

/* The routing of one request, without HTTP (unit-tested): status, content type and body for
 * method + path (after the token) + form fields. */
struct mds_response {
        unsigned status;
        const char *content_type;
        char *body;
};
void mds_route(const struct mds_pod *pod, const unsigned char *key, const char *method,
               const char *path, const char *form_body, struct mds_response *ret);
void mds_response_done(struct mds_response *r);
/* Value of a field of an application/x-www-form-urlencoded body (decoded); malloc'd or NULL. */
char *mds_form_value(const char *body, const char *name);
