/*
 * ace_cmd.h - functional-test helpers that drive the real binaries: run `build/ace` (found
 * through $ACE_BUILD) with arguments, capture its stdout, stderr and exit status; make a
 * private data directory per test. Paths, temp dirs and files: helpers.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ace_result {
        int status;  /* exit code, or 128 + signal */
        char *out;   /* stdout, NUL terminated */
        char *err;   /* stderr */
        double secs; /* wall time */
};

void ace_result_done(struct ace_result *r);

/*
 * Runs `ace --dir=<dir> ARGS...` (argv NULL-terminated) to completion with stdin from
 * /dev/null. dir may be NULL (no --dir). Output is captured without a size limit.
 */
void ace_run(const char *dir, struct ace_result *r, char *const *argv);
/* Same with stdin read from a file (NULL: /dev/null). */
void ace_run_stdin(const char *dir, struct ace_result *r, char *const *argv,
                   const char *stdin_path);
/* Same with a printf-built argument list split on single spaces (no quoting). */
void ace_runf(const char *dir, struct ace_result *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Starts `ace --dir=<dir> ARGS...` in the background with stdout and stderr going to files
 * in the data dir (<dir>/test-out.N, test-err.N); returns its pid. */
pid_t ace_spawn(const char *dir, char *const *argv, char **ret_out_path, char **ret_err_path);

/* Median of n doubles (sorts in place). */
double ft_median(double *v, size_t n);

/* An image manifest for tests: name, os/arch labels for this host (plus a version label
 * when version != NULL), an optional app section (JSON text) and optional extra members. */
char *ft_manifest(const char *name, const char *version, const char *app_json, const char *extra);
/* Writes an ACI (gzip) from a layout directory holding rootfs/ and the given manifest text;
 * returns its image ID (heap). Aborts the test on failure. */
char *ft_write_aci(const char *layout_dir, const char *manifest, const char *out_path);
