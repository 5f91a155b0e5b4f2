/*
 * store_import.c - benchmark driver for bench/store.sh: imports one ACI into a store (one
 * streaming pass) and renders it into the tree store, printing the time of each phase.
 * Built by the script against build/libace*.a (not part of `make`).
 *
 *   store_import DATA_DIR FILE.aci   ->   "import_ms render_ms total_ms"
 *
 * By default the import renders in the same pass (store_import_opts.render, what fetch
 * does), so the store_render() after it only finds the tree; with TWO_PASS=1 in the
 * environment the import only stores the blob and store_render() extracts it again.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "stage0/store/import.h"
#include "stage0/store/store.h"
#include "stage0/store/tree.h"

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
        struct store *s = NULL;
        struct ace_error *e = NULL;
        char *id = NULL, *tree = NULL, *path = NULL;
        double t0, t1, t2;
        struct store_import_opts opts = {.render = !getenv("TWO_PASS")};
        int fd;

        if (argc != 3) {
                fprintf(stderr, "usage: %s DATA_DIR FILE.aci\n", argv[0]);
                return 2;
        }
        t0 = now_ms();
        fd = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || store_open(argv[1], 0, &s, &e) < 0 ||
            store_import_fd(s, fd, &opts, &id, &e) < 0) {
                fprintf(stderr, "import: %s\n", e ? ace_error_msg(e) : "open failed");
                return 1;
        }
        t1 = now_ms();
        if (store_render(s, id, &tree, &path, &e) < 0) {
                fprintf(stderr, "render: %s\n", ace_error_msg(e));
                return 1;
        }
        t2 = now_ms();
        printf("%.1f %.1f %.1f\n", t1 - t0, t2 - t1, t2 - t0);
        store_close(s);
        return 0;
}
