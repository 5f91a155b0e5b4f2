/* ace_cmd.c - running the real ace binary from functional tests (see ace_cmd.h). */
#include "tests/lib/ace_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/strv.h"
#include "common/tar.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

void ace_result_done(struct ace_result *r)
{
        free(r->out);
        free(r->err);
        r->out = r->err = NULL;
}

static char **full_argv(const char *dir, char *const *argv)
{
        char **v = strv_push_take(NULL, th_build_path("ace"));
        if (dir)
                v = strv_push_take(v, xasprintf("--dir=%s", dir));
        for (; argv && *argv; argv++)
                v = strv_push(v, *argv);
        return v;
}

static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
        *buf = xgrow(*buf, cap, *len + n + 1, 1);
        memcpy(*buf + *len, data, n);
        *len += n;
        (*buf)[*len] = '\0';
}

void ace_run(const char *dir, struct ace_result *r, char *const *argv)
{
        ace_run_stdin(dir, r, argv, NULL);
}

void ace_run_stdin(const char *dir, struct ace_result *r, char *const *argv, const char *stdin_path)
{
        char **v = full_argv(dir, argv);
        int out[2], err[2], st;
        struct timespec t0, t1;
        size_t olen = 0, ocap = 0, elen = 0, ecap = 0;

        *r = (struct ace_result){0};
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                abort();
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid_t pid = fork();
        if (pid == 0) {
                int null = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
                dup2(null, 0);
                dup2(out[1], 1);
                dup2(err[1], 2);
                execv(v[0], v);
                _exit(127);
        }
        close(out[1]);
        close(err[1]);
        append(&r->out, &olen, &ocap, "", 0);
        append(&r->err, &elen, &ecap, "", 0);
        struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
        while (p[0].fd >= 0 || p[1].fd >= 0) {
                char buf[65536];
                if (poll(p, 2, -1) < 0 && errno != EINTR)
                        abort();
                for (int i = 0; i < 2; i++) {
                        if (p[i].fd < 0 || !p[i].revents)
                                continue;
                        ssize_t n = read(p[i].fd, buf, sizeof(buf));
                        if (n <= 0) {
                                close(p[i].fd);
                                p[i].fd = -1;
                        } else if (i == 0) {
                                append(&r->out, &olen, &ocap, buf, (size_t)n);
                        } else {
                                append(&r->err, &elen, &ecap, buf, (size_t)n);
                        }
                }
        }
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        r->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        strv_free(v);
}

void ace_runf(const char *dir, struct ace_result *r, const char *fmt, ...)
{
        va_list ap;
        char *line;

        va_start(ap, fmt);
        line = xvasprintf(fmt, ap);
        va_end(ap);
        char **argv = strv_split(line, " ", false);
        ace_run(dir, r, argv);
        strv_free(argv);
        free(line);
}

pid_t ace_spawn(const char *dir, char *const *argv, char **ret_out_path, char **ret_err_path)
{
        static int seq;
        char **v = full_argv(dir, argv);
        char *o = xasprintf("%s/test-out.%d", dir, seq), *e = xasprintf("%s/test-err.%d", dir, seq);
        seq++;
        pid_t pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY);
                int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                dup2(null, 0);
                dup2(fo, 1);
                dup2(fe, 2);
                execv(v[0], v);
                _exit(127);
        }
        strv_free(v);
        if (ret_out_path)
                *ret_out_path = o;
        else
                free(o);
        if (ret_err_path)
                *ret_err_path = e;
        else
                free(e);
        return pid;
}

static int dcmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

double ft_median(double *v, size_t n)
{
        qsort(v, n, sizeof(double), dcmp);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

char *ft_manifest(const char *name, const char *version, const char *app_json, const char *extra)
{
        char *vlabel = version ? xasprintf("{\"name\": \"version\", \"value\": \"%s\"}, ", version)
                               : xstrdup("");
        char *m = xasprintf("{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", "
                            "\"name\": \"%s\", \"labels\": [%s{\"name\": \"os\", \"value\": "
                            "\"linux\"}, {\"name\": \"arch\", \"value\": \"amd64\"}]%s%s%s%s}",
                            name, vlabel, app_json ? ", \"app\": " : "", app_json ? app_json : "",
                            extra ? ", " : "", extra ? extra : "");
        free(vlabel);
        return m;
}

char *ft_write_aci(const char *layout_dir, const char *manifest, const char *out_path)
{
        struct tar_write_opts o;
        struct ace_error *err = NULL;
        char id[HASH_IMAGE_ID_SIZE];
        char *mpath = xasprintf("%s/manifest", layout_dir);
        th_write_file(mpath, manifest,
                      0644); /* the writer takes the entry's metadata from the file */
        free(mpath);
        int dfd = open(layout_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int ofd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (dfd < 0 || ofd < 0)
                abort();
        tar_write_opts_init(&o);
        o.manifest = manifest;
        o.manifest_len = strlen(manifest);
        o.owner_root = true;
        if (tar_write_aci(dfd, ofd, &o, id, &err) < 0) {
                fprintf(stderr, "tar_write_aci: %s\n", ace_error_msg(err));
                abort();
        }
        close(dfd);
        close(ofd);
        return xstrdup(id);
}
