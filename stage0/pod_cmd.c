/* pod_cmd.c - shared plumbing of the pod verbs (see pod_cmd.h). */
#include "stage0/pod_cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/config.h"

char *pod_cmd_data_dir(const struct ace_global *g)
{
        struct ace_config *cfg = NULL;
        char cwd[PATH_MAX], real[PATH_MAX];
        char *dir;

        /* paths.d "data" when --dir was not given; a broken config is fetch's to report, the
         * pod verbs fall back to --dir's default. */
        if (!g->dir_set && ace_config_load_global(g, &cfg, NULL) >= 0)
                dir = xstrdup(ace_config_data_dir(g, cfg));
        else
                dir = xstrdup(g->dir);
        if (cfg)
                ace_config_free(cfg);
        /* Absolute, symlinks resolved (rkt's calculateDataDir): pod files record paths. */
        if (realpath(dir, real)) {
                free(dir);
                return xstrdup(real);
        }
        if (dir[0] != '/' && getcwd(cwd, sizeof(cwd))) {
                char *abs = xasprintf("%s/%s", cwd, dir);
                free(dir);
                return abs;
        }
        return dir;
}

int pod_cmd_open_pods(const struct ace_global *g, bool create, struct pods **ret,
                      struct ace_error **err)
{
        _cleanup_free_ char *dir = pod_cmd_data_dir(g);
        return pods_open(dir, create, ret, err);
}

int pod_cmd_uuid_args(char **args, const char *uuid_file, bool many, char ***ret,
                      struct ace_error **err)
{
        size_t n = strv_length(args);
        char uuid[POD_UUID_LEN + 1];
        int r;

        if (uuid_file && *uuid_file) {
                if (n > 0)
                        return ace_error_make(err, EINVAL,
                                              "give either --uuid-file or UUID arguments, not "
                                              "both");
                r = pod_uuid_file_read(uuid_file, uuid, err);
                if (r < 0)
                        return ace_error_wrap(err, "unable to resolve UUID from file");
                *ret = strv_push(NULL, uuid);
                return 0;
        }
        if (n == 0)
                return ace_error_make(err, EINVAL, "a pod UUID (or --uuid-file) is required");
        if (n > 1 && !many)
                return ace_error_make(err, EINVAL, "exactly one pod UUID is expected, got %zu",
                                      n);
        *ret = strv_copy(args);
        return 0;
}
