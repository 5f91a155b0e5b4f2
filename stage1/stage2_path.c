/* stage2_path.c - locate stage2 beside stage1 (stage2_path.h). */
#include "stage1/stage2_path.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

static bool running_sealed(const char *exe)
{
        return strncmp(exe, "/memfd:", 7) == 0;
}

static int self_exe(char self[PATH_MAX], struct ace_error **err)
{
        ssize_t n = readlink("/proc/self/exe", self, PATH_MAX - 1);

        if (n <= 0)
                return ace_error_errno(err, errno, "readlink /proc/self/exe");
        self[n] = 0;
        return 0;
}

int stage2_find(char **ret, struct ace_error **err)
{
        static const char *const names[] = {"stage2", "ace-stage2"};
        char self[PATH_MAX];
        char *slash;
        int r;

        if ((r = self_exe(self, err)) < 0)
                return r;
        if (running_sealed(self)) {
                const char *orig = getenv(STAGE1_PATH_ENV);
                if (!orig || orig[0] != '/' || strlen(orig) >= PATH_MAX)
                        return ace_error_make(err, EINVAL, "running sealed without %s",
                                              STAGE1_PATH_ENV);
                strcpy(self, orig);
        }
        slash = strrchr(self, '/');
        if (!slash)
                return ace_error_make(err, EINVAL, "odd /proc/self/exe %s", self);
        *slash = 0;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", self, names[i]);
                if (access(p, X_OK) == 0) {
                        *ret = TAKE_PTR(p);
                        return 0;
                }
        }
        return ace_error_make(err, ENOENT, "no stage2 binary next to %s/", self);
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

int binary_seal(const char *path, const char *name, struct ace_error **err)
{
        _cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC), fd = -EBADF;
        struct stat st;
        off_t off = 0;

        if (src < 0 || fstat(src, &st) < 0)
                return ace_error_errno(err, errno, "open %s", path);
        /* MFD_EXEC: with vm.memfd_noexec=1 (Linux 6.3+) a memfd is otherwise not executable;
         * older kernels do not know the flag and refuse it, and there every memfd is. */
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return ace_error_errno(err, errno, "memfd_create");
        while (off < st.st_size) {
                ssize_t n = sendfile(fd, src, &off, (size_t)(st.st_size - off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return ace_error_errno(err, n < 0 ? errno : EIO, "copy %s", path);
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
                return ace_error_errno(err, errno, "seal the copy of %s", path);
        return TAKE_FD(fd);
}

int stage1_reexec_sealed(char **argv, struct ace_error **err)
{
        extern char **environ;
        _cleanup_close_ int fd = -EBADF;
        char self[PATH_MAX];
        int r;

        if ((r = self_exe(self, err)) < 0)
                return r;
        if (running_sealed(self))
                return 0;
        if ((fd = binary_seal(self, "ace-stage1", err)) < 0)
                return fd;
        if (setenv(STAGE1_PATH_ENV, self, 1) < 0)
                return ace_error_errno(err, errno, "setenv");
        fexecve(fd, argv, environ);
        return ace_error_errno(err, errno, "re-execute %s from a sealed copy", self);
}
