/*
 * seal-cost.c - what the CVE-2019-5736 defence costs per exec: fork + execve of a binary, versus
 * fork + copy into a sealed memfd + fexecve of the copy (stage1/stage2_path.c binary_seal does
 * the same: memfd_create, sendfile, F_ADD_SEALS). The binary is run without arguments (ace-stage1
 * prints its usage and exits), so the difference is the copy, the seals and the memfd exec.
 *
 *   cc -O2 -o seal-cost bench/seal-cost.c && ./seal-cost build/stage1/ace-stage1 [ROUNDS]
 *
 * Prints the median and min..max wall time per round of each variant, alternating them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int sealed_copy(const char *path)
{
        int src = open(path, O_RDONLY | O_CLOEXEC), fd;
        struct stat st;
        off_t off = 0;

        if (src < 0 || fstat(src, &st) < 0)
                return -1;
        fd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x0010U /* MFD_EXEC */);
        if (fd < 0)
                fd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        while (fd >= 0 && off < st.st_size)
                if (sendfile(fd, src, &off, (size_t)(st.st_size - off)) <= 0)
                        return -1;
        close(src);
        if (fd < 0 ||
            fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
                return -1;
        return fd;
}

static double one(const char *path, int sealed)
{
        double t0 = now_us();
        pid_t pid = fork();

        if (pid == 0) {
                char *argv[] = {(char *)"ace-stage1", NULL}, *envp[] = {NULL};
                int devnull = open("/dev/null", O_WRONLY);
                dup2(devnull, 2);
                if (sealed) {
                        int fd = sealed_copy(path);
                        if (fd >= 0)
                                fexecve(fd, argv, envp);
                } else {
                        execve(path, argv, envp);
                }
                _exit(127);
        }
        waitpid(pid, NULL, 0);
        return now_us() - t0;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
        int rounds = argc > 2 ? atoi(argv[2]) : 200;
        double *t[2];

        if (argc < 2) {
                fprintf(stderr, "usage: seal-cost BINARY [ROUNDS]\n");
                return 2;
        }
        t[0] = calloc((size_t)rounds, sizeof(double));
        t[1] = calloc((size_t)rounds, sizeof(double));
        for (int i = 0; i < 10; i++)
                one(argv[1], i & 1);
        for (int i = 0; i < rounds; i++) {
                t[0][i] = one(argv[1], 0);
                t[1][i] = one(argv[1], 1);
        }
        for (int v = 0; v < 2; v++) {
                qsort(t[v], (size_t)rounds, sizeof(double), cmp);
                printf("%-22s median %7.0f us   %6.0f .. %6.0f us   n=%d\n",
                       v ? "sealed memfd + fexecve" : "execve", t[v][rounds / 2], t[v][0],
                       t[v][rounds - 1], rounds);
        }
        return 0;
}
