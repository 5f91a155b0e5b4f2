/* mds_client.c - registering a pod with the metadata service (mds_client.h). */
#include "stage0/mds_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/mds_proto.h"
#include "common/xalloc.h"

static int read_json(struct pod *pod, const char *path, struct json_object **ret,
                     struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        if ((r = pod_read_file(pod, path, &buf, &len, err)) < 0)
                return r;
        if ((r = json_parse_object(buf, len, ACE_JSON_MAX_DEPTH, ret, err)) < 0)
                return ace_error_wrap(err, "%s", path);
        return 0;
}

int mds_register_pod(struct pod *pod, char **ret_token, struct ace_error **err)
{
        _cleanup_json_ struct json_object *req = json_object_new_object(), *manifest = NULL;
        struct json_object *apps = json_object_new_object(), *list;
        _cleanup_free_ char *token = NULL;
        int r;

        json_object_object_add(req, "apps", apps);
        if ((r = read_json(pod, "pod", &manifest, err)) < 0)
                return r;
        if (!json_object_object_get_ex(manifest, "apps", &list) ||
            !json_object_is_type(list, json_type_array))
                return ace_error_make(err, EINVAL, "pod manifest without apps");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *ra = json_object_array_get_idx(list, i), *name, *im = NULL;
                _cleanup_free_ char *path = NULL;
                if (!json_object_object_get_ex(ra, "name", &name))
                        return ace_error_make(err, EINVAL, "pod manifest app without a name");
                path = xasprintf("appsinfo/%s/manifest", json_object_get_string(name));
                if ((r = read_json(pod, path, &im, err)) < 0)
                        return r;
                json_object_object_add(apps, json_object_get_string(name), im);
        }
        if ((r = mds_token_new(&token, err)) < 0)
                return r;
        json_object_object_add(req, "op", json_object_new_string("register"));
        json_object_object_add(req, "uuid", json_object_new_string(pod->uuid));
        json_object_object_add(req, "token", json_object_new_string(token));
        json_object_object_add(req, "manifest", json_object_get(manifest));
        if ((r = mds_call(req, NULL, err)) < 0)
                return ace_error_wrap(err, "failed to register the pod with the metadata service");
        *ret_token = TAKE_PTR(token);
        return 0;
}
