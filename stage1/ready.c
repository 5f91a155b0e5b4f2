/* ready.c - READY=1 for Type=notify units (ready.h). */
#include "stage1/ready.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/sd_notify.h"

int ready_signal(void)
{
        return SIGRTMIN + 1;
}

int ready_channel_open(int fds[2], struct ace_error **err)
{
        fds[0] = fds[1] = -1;
        if (!getenv("NOTIFY_SOCKET"))
                return 0;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return ace_error_errno(err, errno, "pipe");
        if (fcntl(fds[0], F_SETOWN, getpid()) < 0 || fcntl(fds[0], F_SETSIG, ready_signal()) < 0 ||
            fcntl(fds[0], F_SETFL, O_ASYNC | O_NONBLOCK) < 0) {
                close(fds[0]);
                close(fds[1]);
                fds[0] = fds[1] = -1;
                return ace_error_errno(err, errno, "set up the readiness pipe");
        }
        return 0;
}

void ready_notify(int fd, bool *sent)
{
        _cleanup_error_ struct ace_error *err = NULL;
        char buf[16];

        while (read(fd, buf, sizeof(buf)) > 0)
                ;
        if (*sent)
                return;
        *sent = true;
        if (sd_notify_send("READY=1", &err) < 0)
                log_warn("%s", ace_error_msg(err));
}
