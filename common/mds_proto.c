/* mds_proto.c - the registration client (mds_proto.h). Pure libc + json-c: stage1 links it. */
#include "common/mds_proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

const char *mds_socket_path(void)
{
        const char *p = getenv("ACE_METADATA_SOCKET");

        return p && *p ? p : MDS_SOCKET_PATH;
}

static int connect_service(struct ace_error **err)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        const char *path = mds_socket_path();
        struct timeval tv = {.tv_sec = 10};
        _cleanup_close_ int fd = -EBADF;

        if (strlen(path) >= sizeof(sa.sun_path))
                return ace_error_make(err, ENAMETOOLONG, "socket path %s is too long", path);
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return ace_error_errno(err, errno, "socket");
        /* A stuck service must not hang a pod's start or exit forever. */
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return ace_error_errno(err, errno,
                                       "cannot reach the metadata service at %s (is `ace "
                                       "metadata-service` running?)",
                                       path);
        return TAKE_FD(fd);
}

int mds_call(struct json_object *req, struct json_object **ret, struct ace_error **err)
{
        _cleanup_free_ char *text = json_to_text(req, JSON_COMPACT), *reply = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        _cleanup_close_ int fd = connect_service(err);
        struct json_object *v;
        size_t len;
        int r;

        if (fd < 0)
                return fd;
        if ((r = fs_write_all(fd, text, strlen(text), err)) < 0)
                return ace_error_wrap(err, "metadata service request");
        (void)shutdown(fd, SHUT_WR);
        if ((r = fs_read_fd(fd, "metadata service reply", MDS_REPLY_MAX, &reply, &len, err)) < 0)
                return r;
        if ((r = json_parse_object(reply, len, ACE_JSON_MAX_DEPTH, &o, err)) < 0)
                return ace_error_wrap(err, "metadata service reply");
        if (json_object_object_get_ex(o, "error", &v))
                return ace_error_make(err, EPROTO, "metadata service: %s",
                                      json_object_get_string(v));
        if (ret)
                *ret = TAKE_PTR(o);
        return 0;
}

int mds_token_new(char **ret, struct ace_error **err)
{
        unsigned char b[MDS_TOKEN_BYTES];
        char *hex = xmalloc(2 * sizeof(b) + 1);

        if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
                free(hex);
                return ace_error_errno(err, errno, "getrandom");
        }
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(hex + 2 * i, 3, "%02x", b[i]);
        *ret = hex;
        return 0;
}

int mds_set_ips(const char *uuid, char *const *ips, bool any, int *ret_port, struct ace_error **err)
{
        _cleanup_json_ struct json_object *req = json_object_new_object(), *reply = NULL;
        struct json_object *arr = json_object_new_array(), *port;
        int r;

        json_object_object_add(req, "op", json_object_new_string("set-ips"));
        json_object_object_add(req, "uuid", json_object_new_string(uuid));
        for (size_t i = 0; ips && ips[i]; i++)
                json_object_array_add(arr, json_object_new_string(ips[i]));
        json_object_object_add(req, "ips", arr);
        if (any)
                json_object_object_add(req, "any", json_object_new_boolean(1));
        if ((r = mds_call(req, &reply, err)) < 0)
                return r;
        if (!json_object_object_get_ex(reply, "port", &port) || json_object_get_int(port) <= 0 ||
            json_object_get_int(port) > 65535)
                return ace_error_make(err, EPROTO, "metadata service: reply without a port");
        *ret_port = json_object_get_int(port);
        return 0;
}

int mds_unregister(const char *uuid, struct ace_error **err)
{
        _cleanup_json_ struct json_object *req = json_object_new_object();

        json_object_object_add(req, "op", json_object_new_string("unregister"));
        json_object_object_add(req, "uuid", json_object_new_string(uuid));
        return mds_call(req, NULL, err);
}
