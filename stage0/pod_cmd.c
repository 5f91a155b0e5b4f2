/* pod_cmd.c - shared plumbing of the pod verbs (see pod_cmd.h). */
#include "stage0/pod_cmd.h"

#include <errno.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/pod_manifest.h"
#include "common/log.h"
#include "stage0/config.h"
#include "stage0/run_args.h"

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
                return ace_error_make(err, EINVAL, "exactly one pod UUID is expected, got %zu", n);
        *ret = strv_copy(args);
        return 0;
}

int pod_cmd_find_pod(const struct ace_global *g, char **args, const char *uuid_file,
                     struct pods **ret_pods, struct pod **ret_pod, struct ace_error **err)
{
        _cleanup_strv_free_ char **uuids = NULL;
        int r;

        r = pod_cmd_uuid_args(args, uuid_file, false, &uuids, err);
        if (r >= 0)
                r = pod_cmd_open_pods(g, false, ret_pods, err);
        if (r >= 0)
                r = pod_lookup(*ret_pods, uuids[0], ret_pod, err);
        return r < 0 ? ace_error_wrap(err, "problem retrieving pod") : 0;
}

int pod_cmd_pick_app(struct pod *pod, const char *want, char **ret, struct ace_error **err)
{
        _cleanup_pod_manifest_ struct ace_pod_manifest *pm = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = pod_read_file(pod, "pod", &buf, &len, err);
        if (r >= 0)
                r = ace_pod_manifest_parse(buf, len, &pm, err);
        if (r < 0)
                return ace_error_wrap(err, "error reading pod manifest");
        if (want && !ace_pod_manifest_app(pm, want))
                return ace_error_make(err, ENOENT, "pod \"%s\" has no app \"%s\"", pod->uuid, want);
        if (!want && pm->apps.n == 0)
                return ace_error_make(err, ENOENT, "pod \"%s\" contains zero apps", pod->uuid);
        if (!want && pm->apps.n > 1) {
                _cleanup_strv_free_ char **names = NULL;
                for (size_t i = 0; i < pm->apps.n; i++)
                        names = strv_push(names, pm->apps.items[i].name);
                _cleanup_free_ char *list = strv_join(names, "\n\t");
                return ace_error_make(err, EINVAL,
                                      "pod contains multiple apps:\n\t%s\nspecify one with "
                                      "--app=NAME",
                                      list);
        }
        *ret = xstrdup(want ? want : pm->apps.items[0].name);
        return 0;
}

int pod_cmd_run_config(struct ace_global *g, char **args, bool is_prepare, struct run_config *c,
                       struct ace_error **err)
{
        int r;

        run_config_init(c, is_prepare);
        r = run_config_parse(c, g, (int)strv_length(args), args, err);
        log_set_level(g->debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
        return r < 0 ? r : run_config_check(c, err);
}

int pod_cmd_parse_format(const char *s, enum pod_cmd_format *ret, struct ace_error **err)
{
        if (!s || !*s)
                *ret = POD_CMD_FORMAT_TEXT;
        else if (strcmp(s, "json") == 0)
                *ret = POD_CMD_FORMAT_JSON;
        else if (strcmp(s, "json-pretty") == 0)
                *ret = POD_CMD_FORMAT_JSON_PRETTY;
        else
                return ace_error_make(err, EINVAL,
                                      "invalid format \"%s\" (want json or "
                                      "json-pretty)",
                                      s);
        return 0;
}

void pod_cmd_print_json(struct json_object *o, enum pod_cmd_format f)
{
        _cleanup_free_ char *text =
            json_to_text(o, f == POD_CMD_FORMAT_JSON_PRETTY ? JSON_PRETTY_TAB : JSON_COMPACT);
        printf("%s\n", text);
}
