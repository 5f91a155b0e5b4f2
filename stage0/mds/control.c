/*
 * control.c - the registration socket (common/mds_proto.h): one thread accepting on the unix
 * socket, one request per connection, only from uid 0 (SO_PEERCRED; the socket file is 0600
 * too, so this is the second lock). A client that stalls is cut off after a few seconds.
 */
#include "stage0/mds/mds.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/mds_proto.h"
#include "common/xalloc.h"

struct mds_control {
        int fd;
        int stop[2];
        struct mds_registry *reg;
        pthread_t thread;
};

/* Closing with unread request bytes would reset the connection and lose the reply: finish
 * our side, then let the peer finish its own (bounded by the socket timeout). */
static void reply_and_close(int fd, struct json_object *reply)
{
        _cleanup_free_ char *text = json_to_text(reply, JSON_COMPACT);
        char sink[4096];

        (void)fs_write_all(fd, text, strlen(text), NULL);
        (void)shutdown(fd, SHUT_WR);
        for (size_t total = 0; total < MDS_REQUEST_MAX;) {
                ssize_t n = read(fd, sink, sizeof(sink));
                if (n <= 0)
                        break;
                total += (size_t)n;
        }
        close(fd);
}

static void serve_one(struct mds_control *c, int fd)
{
        _cleanup_json_ struct json_object *req = NULL, *reply = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        _cleanup_free_ char *buf = NULL;
        struct timeval tv = {.tv_sec = 5};
        struct ucred cred;
        socklen_t len = sizeof(cred);
        size_t n;

        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
                log_warn("registration attempt from uid %d refused", (int)cred.uid);
                reply = json_object_new_object();
                json_object_object_add(reply, "error",
                                       json_object_new_string("only root may register pods"));
                reply_and_close(fd, reply);
                return;
        }
        if (fs_read_fd(fd, "registration request", MDS_REQUEST_MAX, &buf, &n, &err) < 0 ||
            json_parse_object(buf, n, ACE_JSON_MAX_DEPTH, &req, &err) < 0) {
                reply = json_object_new_object();
                json_object_object_add(reply, "error", json_object_new_string(ace_error_msg(err)));
                reply_and_close(fd, reply);
                return;
        }
        mds_registry_handle(c->reg, req, &reply);
        log_debug("registration request: %s", json_object_to_json_string(reply));
        reply_and_close(fd, reply);
}

static void *control_main(void *arg)
{
        struct mds_control *c = arg;
        struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN},
                              {.fd = c->stop[0], .events = POLLIN}};

        for (;;) {
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[1].revents)
                        break;
                int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd >= 0)
                        serve_one(c, fd);
        }
        return NULL;
}

int mds_control_start(int fd, struct mds_registry *reg, struct mds_control **ret,
                      struct ace_error **err)
{
        struct mds_control *c = xcalloc(1, sizeof(*c));
        int r;

        c->fd = fd;
        c->reg = reg;
        if (pipe2(c->stop, O_CLOEXEC) < 0) {
                free(c);
                return ace_error_errno(err, errno, "pipe");
        }
        if ((r = pthread_create(&c->thread, NULL, control_main, c)) != 0) {
                close(c->stop[0]);
                close(c->stop[1]);
                free(c);
                return ace_error_errno(err, r, "start the registration thread");
        }
        *ret = c;
        return 0;
}

void mds_control_stop(struct mds_control *c)
{
        if (!c)
                return;
        (void)!write(c->stop[1], "x", 1);
        pthread_join(c->thread, NULL);
        close(c->stop[0]);
        close(c->stop[1]);
        free(c);
}
