/* ports.c - the pod's app ports and the exposed ones (ports.h). */
#include "stage1/ports.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"

void pod_ports_done(struct pod_ports *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->items[i].app);
                free(p->items[i].name);
                free(p->items[i].protocol);
                free(p->items[i].host_ip);
        }
        free(p->items);
        *p = (struct pod_ports){0};
}

static void add_app_ports(struct pod_ports *p, const char *app, const struct ace_app *a)
{
        for (size_t i = 0; a && i < a->ports.n; i++) {
                const struct ace_port *port = &a->ports.items[i];
                p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
                p->items[p->n++] = (struct pod_port){
                    .app = xstrdup(app),
                    .name = xstrdup(port->name),
                    .protocol = xstrdup(port->protocol),
                    .port = (unsigned)port->port,
                    .count = port->count ? (unsigned)port->count : 1,
                    .socket_activated = port->socket_activated,
                };
        }
}

static int expose(struct pod_ports *p, const struct ace_exposed_port *e, struct ace_error **err)
{
        struct pod_port *match = NULL;

        for (size_t i = 0; i < p->n; i++) {
                if (strcmp(p->items[i].name, e->name) != 0)
                        continue;
                if (match)
                        return ace_error_make(err, EINVAL,
                                              "port \"%s\" is declared by both app %s and app %s",
                                              e->name, match->app, p->items[i].app);
                match = &p->items[i];
        }
        if (!match)
                return ace_error_make(err, ENOENT, "port \"%s\" is not declared by any app",
                                      e->name);
        if (e->pod_port) {
                /* The pod manifest may say where in the pod the port really is. */
                match->port = (unsigned)e->pod_port->port;
                free(match->protocol);
                match->protocol = xstrdup(e->pod_port->protocol);
                match->count = e->pod_port->count ? (unsigned)e->pod_port->count : 1;
        }
        match->host_port = (unsigned)e->host_port;
        free(match->host_ip);
        match->host_ip = e->host_ip ? xstrdup(e->host_ip) : NULL;
        return 0;
}

static int build(const struct ace_pod_manifest *pm, struct ace_image_manifest *const *images,
                 size_t n_images, struct pod_ports *ret, struct ace_error **err)
{
        struct pod_ports p = {0};
        int r;

        for (size_t i = 0; i < pm->apps.n; i++) {
                const struct ace_runtime_app *ra = &pm->apps.items[i];
                const struct ace_app *a = ra->app;
                if (!a && i < n_images && images[i])
                        a = images[i]->app;
                add_app_ports(&p, ra->name, a);
        }
        for (size_t i = 0; i < pm->ports.n; i++)
                if ((r = expose(&p, &pm->ports.items[i], err)) < 0) {
                        pod_ports_done(&p);
                        return r;
                }
        *ret = p;
        return 0;
}

static void free_images(struct ace_image_manifest **images, size_t n)
{
        for (size_t i = 0; i < n; i++)
                ace_image_manifest_free(images[i]);
        free(images);
}

int pod_ports_from_texts(const char *pod_manifest, const char *const *image_manifests,
                         size_t n_images, struct pod_ports *ret, struct ace_error **err)
{
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = NULL;
        struct ace_image_manifest **images = xcalloc(n_images + 1, sizeof(*images));
        int r;

        r = ace_pod_manifest_parse(pod_manifest, strlen(pod_manifest), &pm, err);
        for (size_t i = 0; r >= 0 && i < n_images; i++)
                if (image_manifests[i])
                        r = ace_image_manifest_parse(image_manifests[i], strlen(image_manifests[i]),
                                                     &images[i], err);
        if (r >= 0)
                r = build(pm, images, n_images, ret, err);
        free_images(images, n_images);
        return r;
}

int pod_ports_load(int podfd, struct pod_ports *ret, struct ace_error **err)
{
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = NULL;
        _cleanup_free_ char *buf = NULL;
        struct ace_image_manifest **images = NULL;
        size_t len;
        int r;

        if ((r = fs_read_file_at(podfd, "pod", ACE_MANIFEST_MAX_SIZE, &buf, &len, err)) < 0 ||
            (r = ace_pod_manifest_parse(buf, len, &pm, err)) < 0)
                return ace_error_wrap(err, "pod manifest");
        images = xcalloc(pm->apps.n + 1, sizeof(*images));
        for (size_t i = 0; i < pm->apps.n; i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                if (pm->apps.items[i].app)
                        continue;
                path = xasprintf("appsinfo/%s/manifest", pm->apps.items[i].name);
                if ((r = fs_read_file_at(podfd, path, ACE_MANIFEST_MAX_SIZE, &text, &len, err)) <
                        0 ||
                    (r = ace_image_manifest_parse(text, len, &images[i], err)) < 0) {
                        ace_error_wrap(err, "%s", path);
                        break;
                }
        }
        if (r >= 0)
                r = build(pm, images, pm->apps.n, ret, err);
        free_images(images, pm->apps.n);
        return r;
}

struct json_object *pod_ports_mappings(const struct pod_ports *p)
{
        struct json_object *arr = NULL;

        for (size_t i = 0; i < p->n; i++) {
                const struct pod_port *port = &p->items[i];
                for (unsigned k = 0; port->host_port && k < port->count; k++) {
                        struct json_object *m = json_object_new_object();
                        json_object_object_add(m, "hostPort",
                                               json_object_new_int((int)(port->host_port + k)));
                        json_object_object_add(m, "containerPort",
                                               json_object_new_int((int)(port->port + k)));
                        json_object_object_add(m, "protocol",
                                               json_object_new_string(port->protocol));
                        if (port->host_ip)
                                json_object_object_add(m, "hostIP",
                                                       json_object_new_string(port->host_ip));
                        if (!arr)
                                arr = json_object_new_array();
                        json_object_array_add(arr, m);
                }
        }
        return arr;
}
