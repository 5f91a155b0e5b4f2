/*
 * ports.h - the pod's ports: every port its apps declare (app section of the pod manifest, else
 * the image manifest), joined with the pod manifest's `ports` (stage0 writes one per
 * `--port=NAME:[HOSTIP:]HOSTPORT`). Two uses: the portmap plugin's `portMappings`, and which
 * app gets the sockets a socket-activating caller passed in (stage1/listen_fds.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/json.h"

struct pod_port {
        char *app;      /* app name */
        char *name;     /* port name */
        char *protocol; /* "tcp", "udp", ... */
        unsigned port;  /* in the pod */
        unsigned count; /* >= 1: port .. port+count-1 */
        bool socket_activated;
        unsigned host_port; /* 0: not exposed */
        char *host_ip;      /* NULL: every host address */
};

struct pod_ports {
        struct pod_port *items;
        size_t n;
};

/* From the pod dir (`pod`, `appsinfo/<app>/manifest`). An exposed port whose name no app
 * declares, or that two apps declare, is an error. */
int pod_ports_load(int podfd, struct pod_ports *ret, struct ace_error **err);
/* Same from texts (unit tests): image manifests by app index, NULL where absent. */
int pod_ports_from_texts(const char *pod_manifest, const char *const *image_manifests,
                         size_t n_images, struct pod_ports *ret, struct ace_error **err);
void pod_ports_done(struct pod_ports *p);

/* The portMappings array for portmap ({hostPort, containerPort, protocol[, hostIP]} per
 * exposed port, one per port of a range), or NULL when nothing is exposed. New reference. */
struct json_object *pod_ports_mappings(const struct pod_ports *p);
