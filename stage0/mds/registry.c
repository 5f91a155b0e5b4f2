/* registry.c - registered pods of the metadata service (registry.h). */
#include "stage0/mds/registry.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"

struct mds_registry {
        pthread_mutex_t lock;
        struct mds_pod **pods;
        size_t n;
        int public_port;
};

struct mds_registry *mds_registry_new(int public_port)
{
        struct mds_registry *r = xcalloc(1, sizeof(*r));

        pthread_mutex_init(&r->lock, NULL);
        r->public_port = public_port;
        return r;
}

static void kv_free(struct mds_kv *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].name);
                free(kv[i].value);
        }
        free(kv);
}

void mds_pod_free(struct mds_pod *p)
{
        if (!p)
                return;
        free(p->token);
        strv_free(p->ips);
        free(p->manifest);
        kv_free(p->annotations, p->n_annotations);
        free(p->annotations_json);
        for (size_t i = 0; i < p->n_apps; i++) {
                struct mds_app *a = &p->apps[i];
                free(a->name);
                free(a->image_id);
                free(a->image_manifest);
                kv_free(a->annotations, a->n_annotations);
                free(a->annotations_json);
        }
        free(p->apps);
        free(p);
}

void mds_registry_free(struct mds_registry *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n; i++)
                mds_pod_free(r->pods[i]);
        free(r->pods);
        pthread_mutex_destroy(&r->lock);
        free(r);
}

bool mds_uuid_parse(const char *s, unsigned char out[16])
{
        size_t k = 0;

        if (strlen(s) != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                        if (s[i] != '-')
                                return false;
                        continue;
                }
                unsigned v;
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')) ||
                    sscanf(s + i, "%1x", &v) != 1)
                        return false;
                if (k % 2 == 0)
                        out[k / 2] = (unsigned char)(v << 4);
                else
                        out[k / 2] |= (unsigned char)v;
                k++;
        }
        return k == 32;
}

const char *mds_kv_get(const struct mds_kv *kv, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(kv[i].name, name) == 0)
                        return kv[i].value;
        return NULL;
}

const struct mds_app *mds_pod_app(const struct mds_pod *p, const char *name)
{
        for (size_t i = 0; i < p->n_apps; i++)
                if (strcmp(p->apps[i].name, name) == 0)
                        return &p->apps[i];
        return NULL;
}

/* ---- building a pod from a registration ------------------------------------------------------ */

static const char *jstr(struct json_object *o, const char *key)
{
        struct json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) ||
            !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* Adds or replaces name=value in a list (the pod's app annotations win over the image's). */
static void kv_set(struct mds_kv **kv, size_t *n, const char *name, const char *value)
{
        for (size_t i = 0; i < *n; i++)
                if (strcmp((*kv)[i].name, name) == 0) {
                        free((*kv)[i].value);
                        (*kv)[i].value = xstrdup(value);
                        return;
                }
        *kv = xrealloc(*kv, (*n + 1) * sizeof(**kv));
        (*kv)[(*n)++] = (struct mds_kv){xstrdup(name), xstrdup(value)};
}

static void kv_add_annotations(struct mds_kv **kv, size_t *n, struct json_object *owner)
{
        struct json_object *arr;

        if (!owner || !json_object_object_get_ex(owner, "annotations", &arr) ||
            !json_object_is_type(arr, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *e = json_object_array_get_idx(arr, i);
                const char *name = jstr(e, "name"), *value = jstr(e, "value");
                if (name && value)
                        kv_set(kv, n, name, value);
        }
}

static char *kv_json(const struct mds_kv *kv, size_t n)
{
        _cleanup_json_ struct json_object *arr = json_object_new_array();

        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(kv[i].name));
                json_object_object_add(o, "value", json_object_new_string(kv[i].value));
                json_object_array_add(arr, o);
        }
        return json_to_text(arr, JSON_COMPACT);
}

static int build_app(struct mds_app *a, struct json_object *ra, struct json_object *images,
                     struct ace_error **err)
{
        const char *name = jstr(ra, "name");
        struct json_object *image = NULL, *im = NULL;

        json_object_object_get_ex(ra, "image", &image);
        if (!name || !jstr(image, "id"))
                return ace_error_make(err, EINVAL, "pod manifest app without name or image id");
        if (!json_object_object_get_ex(images, name, &im) ||
            !json_object_is_type(im, json_type_object))
                return ace_error_make(err, EINVAL, "no image manifest for app %s", name);
        a->name = xstrdup(name);
        a->image_id = xstrdup(jstr(image, "id"));
        a->image_manifest = json_to_text(im, JSON_COMPACT);
        kv_add_annotations(&a->annotations, &a->n_annotations, im);
        kv_add_annotations(&a->annotations, &a->n_annotations, ra);
        a->annotations_json = kv_json(a->annotations, a->n_annotations);
        return 0;
}

static bool token_valid(const char *t)
{
        size_t n = t ? strlen(t) : 0;

        /* At least 128 bits of hex (appc), and nothing that could not be a URL segment. */
        return n >= 32 && n <= 128 && strspn(t, "0123456789abcdef") == n;
}

static int build_pod(struct json_object *req, struct mds_pod **ret, struct ace_error **err)
{
        struct mds_pod *p = xcalloc(1, sizeof(*p));
        struct json_object *manifest = NULL, *images = NULL, *apps = NULL;
        const char *uuid = jstr(req, "uuid"), *token = jstr(req, "token");
        int r = 0;

        if (!uuid || !mds_uuid_parse(uuid, p->uuid_bytes))
                r = ace_error_make(err, EINVAL, "bad or missing uuid");
        else if (!token_valid(token))
                r = ace_error_make(err, EINVAL, "bad or missing token (32-128 hex digits)");
        else if (!json_object_object_get_ex(req, "manifest", &manifest) ||
                 !json_object_object_get_ex(manifest, "apps", &apps) ||
                 !json_object_is_type(apps, json_type_array) ||
                 !json_object_object_get_ex(req, "apps", &images))
                r = ace_error_make(err, EINVAL,
                                   "a pod manifest and the apps' image manifests "
                                   "are required");
        if (r < 0) {
                mds_pod_free(p);
                return r;
        }
        snprintf(p->uuid, sizeof(p->uuid), "%s", uuid);
        p->token = xstrdup(token);
        p->manifest = json_to_text(manifest, JSON_COMPACT);
        kv_add_annotations(&p->annotations, &p->n_annotations, manifest);
        p->annotations_json = kv_json(p->annotations, p->n_annotations);
        p->apps = xcalloc(json_object_array_length(apps) + 1, sizeof(*p->apps));
        for (size_t i = 0; i < json_object_array_length(apps); i++) {
                r = build_app(&p->apps[p->n_apps++], json_object_array_get_idx(apps, i), images,
                              err);
                if (r < 0) {
                        mds_pod_free(p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

/* ---- requests ------------------------------------------------------------------------------- */

static ssize_t find_uuid(struct mds_registry *r, const char *uuid)
{
        for (size_t i = 0; uuid && i < r->n; i++)
                if (strcmp(r->pods[i]->uuid, uuid) == 0)
                        return (ssize_t)i;
        return -1;
}

static ssize_t find_token(struct mds_registry *r, const char *token)
{
        size_t n = strlen(token);
        ssize_t found = -1;

        /* Constant time in the token's content: every pod is compared, fully. */
        for (size_t i = 0; i < r->n; i++) {
                const char *t = r->pods[i]->token;
                if (strlen(t) == n && CRYPTO_memcmp(t, token, n) == 0)
                        found = (ssize_t)i;
        }
        return found;
}

static int do_register(struct mds_registry *r, struct json_object *req, struct ace_error **err)
{
        struct mds_pod *p = NULL;
        int rc = build_pod(req, &p, err);

        if (rc < 0)
                return rc;
        if (find_uuid(r, p->uuid) >= 0 || find_token(r, p->token) >= 0) {
                mds_pod_free(p);
                return ace_error_make(err, EEXIST, "pod or token already registered");
        }
        r->pods = xrealloc(r->pods, (r->n + 1) * sizeof(*r->pods));
        r->pods[r->n++] = p;
        return 0;
}

static int do_set_ips(struct mds_registry *r, struct json_object *req, struct ace_error **err)
{
        ssize_t i = find_uuid(r, jstr(req, "uuid"));
        struct json_object *ips = NULL, *any = NULL;
        char **list = NULL;

        if (i < 0)
                return ace_error_make(err, ENOENT, "pod not registered");
        json_object_object_get_ex(req, "ips", &ips);
        for (size_t k = 0;
             ips && json_object_is_type(ips, json_type_array) && k < json_object_array_length(ips);
             k++)
                list = strv_push(list, json_object_get_string(json_object_array_get_idx(ips, k)));
        strv_free(r->pods[i]->ips);
        r->pods[i]->ips = list;
        r->pods[i]->any_ip =
            json_object_object_get_ex(req, "any", &any) && json_object_get_boolean(any);
        return 0;
}

void mds_registry_handle(struct mds_registry *r, struct json_object *req,
                         struct json_object **reply)
{
        _cleanup_error_ struct ace_error *err = NULL;
        const char *op = jstr(req, "op");
        ssize_t i;
        int rc = 0;

        *reply = json_object_new_object();
        pthread_mutex_lock(&r->lock);
        if (op && strcmp(op, "register") == 0) {
                rc = do_register(r, req, &err);
        } else if (op && strcmp(op, "set-ips") == 0) {
                rc = do_set_ips(r, req, &err);
                if (rc >= 0)
                        json_object_object_add(*reply, "port", json_object_new_int(r->public_port));
        } else if (op && strcmp(op, "unregister") == 0) {
                if ((i = find_uuid(r, jstr(req, "uuid"))) >= 0) {
                        mds_pod_free(r->pods[i]);
                        r->pods[i] = r->pods[--r->n];
                }
        } else {
                rc = ace_error_make(&err, EINVAL, "unknown op");
        }
        pthread_mutex_unlock(&r->lock);
        if (rc < 0)
                json_object_object_add(*reply, "error", json_object_new_string(ace_error_msg(err)));
        else
                json_object_object_add(*reply, "ok", json_object_new_boolean(1));
}

static struct mds_pod *pod_copy(const struct mds_pod *s)
{
        struct mds_pod *p = xcalloc(1, sizeof(*p));

        memcpy(p->uuid, s->uuid, sizeof(p->uuid));
        memcpy(p->uuid_bytes, s->uuid_bytes, sizeof(p->uuid_bytes));
        p->token = xstrdup(s->token);
        p->ips = strv_copy(s->ips);
        p->any_ip = s->any_ip;
        p->manifest = xstrdup(s->manifest);
        p->annotations_json = xstrdup(s->annotations_json);
        for (size_t i = 0; i < s->n_annotations; i++)
                kv_set(&p->annotations, &p->n_annotations, s->annotations[i].name,
                       s->annotations[i].value);
        p->apps = xcalloc(s->n_apps + 1, sizeof(*p->apps));
        for (size_t i = 0; i < s->n_apps; i++) {
                const struct mds_app *a = &s->apps[i];
                struct mds_app *b = &p->apps[p->n_apps++];
                b->name = xstrdup(a->name);
                b->image_id = xstrdup(a->image_id);
                b->image_manifest = xstrdup(a->image_manifest);
                b->annotations_json = xstrdup(a->annotations_json);
                for (size_t k = 0; k < a->n_annotations; k++)
                        kv_set(&b->annotations, &b->n_annotations, a->annotations[k].name,
                               a->annotations[k].value);
        }
        return p;
}

enum mds_auth mds_registry_lookup(struct mds_registry *r, const char *token, const char *peer,
                                  struct mds_pod **ret)
{
        enum mds_auth auth = MDS_AUTH_UNKNOWN_TOKEN;
        ssize_t i;

        pthread_mutex_lock(&r->lock);
        i = find_token(r, token);
        if (i >= 0) {
                const struct mds_pod *p = r->pods[i];
                auth = p->any_ip || strv_contains(p->ips, peer) ? MDS_AUTH_OK : MDS_AUTH_WRONG_PEER;
                if (auth == MDS_AUTH_OK)
                        *ret = pod_copy(p);
        }
        pthread_mutex_unlock(&r->lock);
        return auth;
}

size_t mds_registry_count(struct mds_registry *r)
{
        size_t n;

        pthread_mutex_lock(&r->lock);
        n = r->n;
        pthread_mutex_unlock(&r->lock);
        return n;
}
