/*
 * env.h - the exact environment of an app process (appc ace.md "Execution Environment").
 *
 * Built from nothing, never from stage1's own environment: PATH (appc default unless the app
 * sets one), the app's environment in manifest order (stage0 has already merged the image's
 * environment, --environment and --set-env into it), then AC_APP_NAME, AC_METADATA_URL (when the
 * pod is registered) and container=ace, which the app cannot override.
 */
#pragma once

#include "common/launch_spec.h"

#define APP_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define APP_CONTAINER_NAME "ace"

/* Returns a new "KEY=VALUE" vector. */
char **app_env_build(const struct launch_spec *spec);
