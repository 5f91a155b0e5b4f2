/* stage2_path.c - locate stage2 beside stage1 (stage2_path.h). */
#include "stage1/stage2_path.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

int stage2_find(char **ret, struct ace_error **err)
{
        static const char *const names[] = { "stage2", "ace-stage2" };
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        char *slash;

        if (n <= 0)
                return ace_error_errno(err, errno, "readlink /proc/self/exe");
        self[n] = 0;
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
