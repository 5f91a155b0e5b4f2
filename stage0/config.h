/*
 * config.h - ace's layered configuration (rkt.md §1.1, rkt's Documentation/configuration.md).
 *
 * Config directories are read in order system (--system-config, vendor, /usr/lib/ace) < local
 * (--local-config, admin, /etc/ace) < user (--user-config, optional). In each directory, the
 * subdirectories hold `*.json` files, each with a kind and a version (`rktKind`/`rktVersion`,
 * or `aceKind`/`aceVersion`):
 *   auth.d/   kind "auth" v1: {"domains": [...], "type": "basic"|"oauth",
 *                              "credentials": {"user","password"} | {"token"}}
 *             kind "dockerAuth" v1: {"registries": [...], "credentials": {"user","password"}}
 *   paths.d/  kind "paths" v1: {"data": "/abs", "stage1-images": "/abs"}
 *   stage1.d/ kind "stage1" v1: {"name": ..., "version": ..., "location": ...}
 *   http.d/   kind "http" v1 (ace's own): {"caBundles": ["/abs.pem"], "connectTimeout": "30s",
 *                              "stallTimeout": "60s", "stallMinBytesPerSecond": 1024,
 *                              "maxRedirects": 10}
 * Within one directory a domain, registry or setting given twice is an error; a later
 * directory overrides an earlier one per domain/registry/setting. CA bundles accumulate.
 * Files not ending in .json, and symlinks, are ignored (as rkt).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "discovery/http.h"

struct ace_global;

struct ace_docker_auth {
        char *registry;
        char *user;
        char *password;
};

struct ace_config {
        struct http_auth *auths; /* merged, sorted by domain */
        size_t n_auths;
        struct ace_docker_auth *docker_auths; /* merged, sorted by registry */
        size_t n_docker_auths;
        char *data_dir;          /* paths.d "data", or NULL */
        char *stage1_images_dir; /* paths.d "stage1-images", or NULL */
        char *stage1_name;       /* stage1.d, name and version come together */
        char *stage1_version;
        char *stage1_location;
        char **ca_bundles;          /* http.d caBundles of every layer, in order; strv */
        int64_t connect_timeout_ns; /* 0: default */
        int64_t stall_timeout_ns;   /* 0: default */
        long stall_min_bps;         /* 0: default */
        int max_redirects;          /* -1: default */
};

/* Reads and merges the given directories, lowest precedence first. Missing directories (and
 * NULL or empty entries) are skipped; a path that exists but is not a directory is an error. */
int ace_config_load(const char *const *dirs, size_t n_dirs, struct ace_config **ret,
                    struct ace_error **err);

/* ace_config_load() over the global flags' system, local and user directories. */
int ace_config_load_global(const struct ace_global *g, struct ace_config **ret,
                           struct ace_error **err);

void ace_config_free(struct ace_config *c);

/* `ace config` output: {"stage0": [auth entries (one per domain), dockerAuth entries (one per
 * registry), paths, stage1]} as rkt prints it; pretty = tab indentation. */
char *ace_config_to_json(const struct ace_config *c, bool pretty);

/* The data directory: --dir when given on the command line, else paths.d "data", else the
 * default (/var/lib/ace). */
const char *ace_config_data_dir(const struct ace_global *g, const struct ace_config *c);

/* HTTP client options from the config and the --insecure-options bits. The result points into
 * `c` (auths, CA bundles); it must not outlive it. */
void ace_config_http_options(const struct ace_config *c, unsigned insecure,
                             struct http_options *ret);

/* The i-th config subdirectory read ("auth.d", "http.d", ...; sorted), NULL past the end. */
const char *ace_config_subdir(size_t i);

/* Parses one auth.d file's JSON into entries (for unit tests and for the loader). */
int ace_config_parse_auth(const char *json, size_t len, struct http_auth **ret, size_t *ret_n,
                          struct ace_error **err);
