/* env.c - app environment (env.h). */
#include "stage2/env.h"

#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"

char **app_env_build(const struct launch_spec *spec)
{
        char **env = NULL;

        env = strv_env_set(env, "PATH", APP_DEFAULT_PATH);
        for (size_t i = 0; spec->environment && spec->environment[i]; i++) {
                const char *kv = spec->environment[i];
                const char *eq = strchr(kv, '=');
                _cleanup_free_ char *key = eq ? strndup(kv, (size_t)(eq - kv)) : NULL;

                if (key)
                        env = strv_env_set(env, key, eq + 1);
        }
        env = strv_env_set(env, "AC_APP_NAME", spec->app_name);
        if (spec->metadata_url)
                env = strv_env_set(env, "AC_METADATA_URL", spec->metadata_url);
        env = strv_env_set(env, "container", APP_CONTAINER_NAME);
        return env;
}
