/*
 * stage1 main - one static multicall binary for every stage1 entrypoint, dispatched on the
 * basename of argv[0] (/init, /enter, /stop, /gc in the stage1 image), or on the first argument
 * when called as ace-stage1 (`ace-stage1 run ...`, handy in a build tree).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "stage1/run.h"
#include "stage1/stage2_path.h"

struct entrypoint {
        const char *name;
        int (*main)(int argc, char **argv);
        bool sealed; /* re-exec from a sealed copy first: its processes reach the pod */
};

/* Sorted by name. */
static const struct entrypoint entrypoints[] = {
    {"enter", stage1_enter, true}, {"gc", stage1_gc, false},     {"init", stage1_run, true},
    {"run", stage1_run, true},     {"stop", stage1_stop, false},
};

static const struct entrypoint *find(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(entrypoints); i++)
                if (strcmp(entrypoints[i].name, name) == 0)
                        return &entrypoints[i];
        return NULL;
}

int main(int argc, char **argv)
{
        const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
        const struct entrypoint *ep;

        base = base ? base + 1 : argv[0] ? argv[0] : "";
        /* Nothing in a pod may ptrace us or open /proc/<pid>/{exe,root,fd} of a runtime
         * process that still sees the host (CVE-2019-5736, CVE-2016-9962). */
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        log_setup("ace-stage1", LOG_LEVEL_INFO);
        ep = find(base);
        if (!ep && argc > 1 && (ep = find(argv[1]))) {
                argv++;
                argc--;
        }
        if (!ep) {
                fprintf(stderr, "usage: ace-stage1 {run|init|enter|stop|gc} ARGS...\n");
                return 254;
        }
        if (ep->sealed) {
                _cleanup_error_ struct ace_error *err = NULL;
                /* argv as we got it (the multicall name included): the copy dispatches again. */
                if (stage1_reexec_sealed(ep == find(base) ? argv : argv - 1, &err) < 0) {
                        log_error_ace(err);
                        return 254;
                }
        }
        /* A sealed copy runs as "memfd:ace-stage1": name the process after its entrypoint. */
        (void)prctl(PR_SET_NAME, ep->name, 0, 0, 0);
        return ep->main(argc, argv);
}
