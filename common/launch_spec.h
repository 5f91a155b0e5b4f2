/*
 * launch_spec.h - the per-app launch description stage1 hands to stage2.
 *
 * stage1 resolves everything that needs the pod manifest (app section overrides, isolators,
 * insecure options) into one small JSON file per app, `appsinfo/<app>/launch.json`, and execs
 * stage2 with its path. stage2 reads it before it leaves the host filesystem, so it never needs
 * the pod manifest, and `enter` reuses the same file so an entered command gets exactly the
 * app's identity and isolation. Format (every key optional except app and exec):
 *
 *   {"app": "web", "exec": ["/bin/web", "-v"], "user": "1000", "group": "1000",
 *    "supplementaryGIDs": [10], "environment": [{"name": "K", "value": "V"}],
 *    "workingDirectory": "/srv", "metadataURL": "http://...",
 *    "capabilities": {"mode": "default|retain|remove|all", "set": ["CAP_NET_RAW"]},
 *    "seccomp": {"mode": "remove|retain", "errno": "EPERM", "set": ["reboot", "@ace/..."]},
 *    "noNewPrivileges": false, "oomScoreAdj": -500, "interactive": false}
 *
 * "seccomp" absent means no filter. Its set is what stage1 resolved from the app's isolator
 * (Documentation/isolators.md): syscall names and ace's @groups, which stage2 expands; "errno" ""
 * means blocked syscalls kill the app with SIGSYS.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

enum launch_caps_mode {
        LAUNCH_CAPS_DEFAULT, /* the appc default set */
        LAUNCH_CAPS_RETAIN,  /* exactly `set` */
        LAUNCH_CAPS_REMOVE,  /* default set minus `set` */
        LAUNCH_CAPS_ALL,     /* no restriction (--disable-capabilities-restriction) */
};

enum launch_seccomp_mode {
        LAUNCH_SECCOMP_NONE,   /* no filter (--disable-seccomp, retain @appc.io/all) */
        LAUNCH_SECCOMP_REMOVE, /* deny-list: `set` blocked, everything else allowed */
        LAUNCH_SECCOMP_RETAIN, /* allow-list: `set` (+ the exec/exit minimum) allowed */
};

/* The filter of an app without a seccomp isolator: stage1 writes this spec, and stage2 loads a
 * filter compiled from it at build time (stage2/seccomp.h) instead of building one per app. */
#define LAUNCH_SECCOMP_DEFAULT_ERRNO "EPERM"
#define LAUNCH_SECCOMP_DEFAULT_SET "@ace/default-blacklist"

struct launch_spec {
        char *app_name;
        char **exec; /* argv, at least one element */
        char *user;  /* name, number or /path in the rootfs; NULL = "0" */
        char *group; /* same; NULL = "0" */
        gid_t *supp_gids;
        size_t n_supp_gids;
        char **environment; /* "KEY=VALUE", the app's environment in order */
        char *working_dir;  /* NULL = "/" */
        char *metadata_url; /* NULL = not registered */
        enum launch_caps_mode caps_mode;
        char **caps_set; /* names, for RETAIN and REMOVE */
        enum launch_seccomp_mode seccomp_mode;
        char *seccomp_errno; /* errno name, or NULL/"" for SIGSYS */
        char **seccomp_set;  /* syscall names and @groups */
        bool no_new_privs;
        bool has_oom_score_adj;
        int oom_score_adj;
        bool interactive;
};

/* Parses a launch spec; *out is zeroed first and owns everything on success. */
int launch_spec_parse(const char *json, size_t len, struct launch_spec *out,
                      struct ace_error **err);
/* Serializes to a newly allocated JSON string. */
char *launch_spec_format(const struct launch_spec *spec);
void launch_spec_done(struct launch_spec *spec);
/* Sets spec's seccomp fields to the default filter (LAUNCH_SECCOMP_DEFAULT_*), freeing what
 * they held: what stage1 writes for an app without a seccomp isolator and what the build
 * compiles into stage2 (stage2/seccomp.h). */
void launch_spec_seccomp_default(struct launch_spec *spec);

const char *launch_caps_mode_to_string(enum launch_caps_mode mode);
int launch_caps_mode_from_string(const char *s, enum launch_caps_mode *ret);
const char *launch_seccomp_mode_to_string(enum launch_seccomp_mode mode);
int launch_seccomp_mode_from_string(const char *s, enum launch_seccomp_mode *ret);
