/*
 * testhook.c - named pause points for crash tests (see internal.h): with ACE_TEST_PAUSE_AT
 * and ACE_TEST_PAUSE_FIFO set, the process announces the point on the fifo and waits for the
 * test to let it go (or to kill it with SIGKILL right there).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "stage0/store/internal.h"

void store_test_point(const char *name)
{
        const char *points = getenv("ACE_TEST_PAUSE_AT");
        const char *fifo = getenv("ACE_TEST_PAUSE_FIFO");
        _cleanup_strv_free_ char **list = NULL;
        char c;

        if (!points || !fifo)
                return;
        list = strv_split(points, ",", false);
        if (!strv_contains(list, name))
                return;
        /* Announce: blocks until the test opens the fifo for reading. */
        int fd = open(fifo, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        /* One write (atomic below PIPE_BUF): the test may close its end as soon as it has
         * the line, and a second write would then die of SIGPIPE. */
        char line[128];
        int n = snprintf(line, sizeof(line), "%s\n", name);
        (void)!write(fd, line, (size_t)n);
        close(fd);
        /* Wait for the go-ahead: a byte, or EOF when the test closes its end. */
        fd = open(fifo, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        while (read(fd, &c, 1) < 0 && errno == EINTR)
                ;
        close(fd);
}
