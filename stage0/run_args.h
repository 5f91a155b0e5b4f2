/*
 * run_args.h - rkt's argument model for `run` and `prepare` (reference/rkt.md §2.1):
 *
 *   ace [global flags] run [pod flags] IMAGE [per-app flags] [-- ARGS... [---]] IMAGE ...
 *
 * Any token that is not a flag starts a new app; per-app flags bind to the most recent image
 * (before any image they are an error, "--X must follow an image"); pod flags and global
 * flags are accepted anywhere between images (Nomad puts --insecure-options and --debug after
 * the image). `--` starts the app's argument list, which runs up to a lone `---` or the end.
 * `--mount` before any image applies to every app, after an image to that app only.
 *
 * Values are kept as given (strings); turning them into a pod manifest is pod_manifest_gen's
 * job, so this module stays a pure parser with unit tests.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "stage0/cli.h"
#include "stage0/pod_dns.h"

/* One IMAGE on the command line and the per-app flags that followed it. */
struct run_app {
        char *image;              /* the image string as given */
        char *name;               /* --name */
        char *exec;               /* --exec */
        char **args;              /* after `--` (NULL when no `--` was given) */
        bool has_args;            /* a `--` list was given (possibly empty) */
        char *user;               /* --user */
        char *group;              /* --group */
        char *supplementary_gids; /* --supplementary-gids=1,2,3 */
        char *working_dir;        /* --working-dir */
        char *readonly_rootfs;    /* --readonly-rootfs=BOOL (NULL: image/default) */
        char **mounts;            /* --mount volume=NAME,target=PATH (this app only) */
        char **environment;       /* --environment=K=V */
        char **annotations;       /* --annotation=K=V (RuntimeApp annotations) */
        char **user_annotations;  /* --user-annotation=K=V */
        char **user_labels;       /* --user-label=K=V */
        char *signature;          /* --signature=FILE */
        /* Isolator flags (the isolation issue gives them their meaning in the manifest). */
        char *memory;        /* --memory=QUANTITY */
        char *cpu;           /* --cpu=QUANTITY */
        char *cpu_shares;    /* --cpu-shares=N */
        char *caps_retain;   /* --caps-retain=CAP,... */
        char *caps_remove;   /* --caps-remove=CAP,... */
        char *seccomp;       /* --seccomp=mode=...,... */
        char *oom_score_adj; /* --oom-score-adj=N */
};

/* What `run` and `prepare` accept at pod level. */
struct run_config {
        bool is_prepare;          /* `prepare`: no --net/--hostname/--interactive/... */
        char *pod_manifest;       /* --pod-manifest=FILE */
        char *uuid_file_save;     /* --uuid-file-save=FILE */
        char *hostname;           /* --hostname (default ace-<uuid>) */
        char *net;                /* --net (default "default", as rkt; bare --net = "default") */
        struct pod_dns_flags dns; /* --dns, --dns-search, --dns-opt, --dns-domain, --hosts-entry */
        bool mds_register;        /* --mds-register */
        bool interactive;         /* --interactive */
        bool inherit_env;         /* --inherit-env */
        char **set_env;           /* --set-env=K=V */
        char **set_env_file;      /* --set-env-file=FILE */
        char **volumes;           /* --volume NAME,kind=...,... */
        char **mounts;            /* --mount before any image: every app */
        char **ports;             /* --port=NAME:[HOSTIP:]HOSTPORT (not with --net=none/host) */
        bool no_overlay;          /* --no-overlay */
        char *stage1_path;        /* --stage1-path */
        char *stage1_name;        /* --stage1-name */
        char *stage1_url;         /* --stage1-url */
        char *stage1_hash;        /* --stage1-hash */
        char *stage1_from_dir;    /* --stage1-from-dir */
        char *pull_policy;        /* --pull-policy=new|update|never */
        char *pids_limit;         /* --pids-limit=N: the pod's ace/pids isolator */
        bool strict_isolators;    /* --strict-isolators (run): refuse what cannot be enforced */
        bool quiet;               /* prepare --quiet */
        struct run_app *apps;
        size_t n_apps;
        size_t apps_cap;
};

void run_config_init(struct run_config *c, bool is_prepare);
void run_config_free(struct run_config *c);

/*
 * Parses argv (everything after the verb) into *c, with the global flags going to *g.
 * Errors are usage errors: the message names the flag or token.
 */
int run_config_parse(struct run_config *c, struct ace_global *g, int argc, char **argv,
                     struct ace_error **err);

/*
 * Checks what parsing alone cannot: --pod-manifest conflicts, an image or a pod manifest
 * present, --net values, --port and --mds-register need a pod network, the DNS flags' rules
 * (stage0/pod_dns.h), --interactive with one app, stage1 flags exclusive, --pull-policy values,
 * --pids-limit a positive integer.
 */
int run_config_check(const struct run_config *c, struct ace_error **err);

/* The option tables, for `--help` and the documentation test. */
extern const struct cli_option run_pod_options[];
extern const struct cli_option prepare_pod_options[];
extern const struct cli_option run_app_options[];
