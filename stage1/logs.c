/* logs.c - bounded per-app log files (logs.h). */
#include "stage1/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

static int open_log(struct log_sink *s, struct ace_error **err)
{
        struct stat st;

        s->fd =
            openat(s->podfd, s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (s->fd < 0)
                return ace_error_errno(err, errno, "open %s", s->path);
        s->size = fstat(s->fd, &st) == 0 ? (size_t)st.st_size : 0;
        return 0;
}

int log_sink_open(struct log_sink *s, int podfd, const char *app, size_t max,
                  struct ace_error **err)
{
        *s = (struct log_sink){.podfd = podfd, .fd = -EBADF, .max = max};
        if (mkdirat(podfd, "logs", 0750) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir logs");
        s->path = xasprintf("logs/%s.log", app);
        s->path1 = xasprintf("logs/%s.log.1", app);
        return open_log(s, err);
}

static void write_all(int fd, const char *buf, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, buf, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                buf += w;
                n -= (size_t)w;
        }
}

void log_sink_write(struct log_sink *s, int out_fd, const char *buf, size_t n)
{
        if (out_fd >= 0)
                write_all(out_fd, buf, n);
        /* The live file never exceeds max: a chunk that would cross the bound is split, the
         * full file becomes .1 (replacing the previous .1) and writing goes on in a new one. */
        while (n > 0 && s->fd >= 0) {
                size_t room = s->size < s->max ? s->max - s->size : 0, part;

                if (room == 0) {
                        closep(&s->fd);
                        (void)renameat(s->podfd, s->path, s->podfd, s->path1);
                        if (open_log(s, NULL) < 0)
                                return;
                        continue;
                }
                part = n < room ? n : room;
                write_all(s->fd, buf, part);
                s->size += part;
                buf += part;
                n -= part;
        }
}

void log_sink_close(struct log_sink *s)
{
        closep(&s->fd);
        free(s->path);
        free(s->path1);
        s->path = s->path1 = NULL;
}
