/*
 * run_args.c - rkt's `run`/`prepare` argument model: pod flags, images, per-app flags, app
 * arguments (see run_args.h).
 */
#include "stage0/run_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/isolator.h"
#include "stage0/app_isolators.h"
#include "stage0/pod_run.h"

#define POD_OPT(n, t, f, a, h)                                                                     \
        {                                                                                          \
                .name = n, .type = t, .offset = offsetof(struct run_config, f), .argname = a,      \
                .help = h                                                                          \
        }
#define APP_OPT(n, t, f, a, h)                                                                     \
        {                                                                                          \
                .name = n, .type = t, .offset = offsetof(struct run_app, f), .argname = a,         \
                .help = h                                                                          \
        }

#define O_INHERIT_ENV                                                                              \
        POD_OPT("inherit-env", CLI_BOOL, inherit_env, NULL,                                        \
                "inherit all environment variables not set by apps")
#define O_MOUNT                                                                                    \
        POD_OPT("mount", CLI_STRV, mounts, "volume=NAME,target=PATH",                              \
                "mount point binding a volume to a path within an app (before any image: "         \
                "every app)")
#define O_NO_OVERLAY                                                                               \
        POD_OPT("no-overlay", CLI_BOOL, no_overlay, NULL,                                          \
                "disable overlay filesystem: copy the image trees into the pod")
#define O_PIDS_LIMIT                                                                               \
        POD_OPT("pids-limit", CLI_STRING, pids_limit, "N",                                         \
                "the most processes the pod may have (isolator ace/pids)")
#define O_POD_MANIFEST                                                                             \
        POD_OPT("pod-manifest", CLI_STRING, pod_manifest, "FILE",                                  \
                "the path to the pod manifest; conflicts with images and app flags")
#define O_PORT                                                                                     \
        POD_OPT("port", CLI_STRV, ports, "NAME:[IP:]HOSTPORT",                                     \
                "ports to expose on the host (needs a pod network)")
#define O_PULL_POLICY                                                                              \
        POD_OPT("pull-policy", CLI_STRING, pull_policy, "POLICY",                                  \
                "when to fetch an image: new, update or never (default new)")
/* set-env ... volume: the tail both tables share, already in order. */
#define O_TAIL                                                                                     \
        POD_OPT("set-env", CLI_STRV, set_env, "NAME=VALUE",                                        \
                "an environment variable to set for all apps"),                                    \
            POD_OPT("set-env-file", CLI_STRV, set_env_file, "FILE",                                \
                    "a file of NAME=VALUE lines to set for all apps"),                             \
            POD_OPT("stage1-from-dir", CLI_STRING, stage1_from_dir, "NAME",                        \
                    "a stage1 image file name in the stage1 images directory"),                    \
            POD_OPT("stage1-hash", CLI_STRING, stage1_hash, "ID",                                  \
                    "a stage1 image ID in the store"),                                             \
            POD_OPT("stage1-name", CLI_STRING, stage1_name, "NAME",                                \
                    "a stage1 image name (from the store, else fetched)"),                         \
            POD_OPT("stage1-path", CLI_STRING, stage1_path, "PATH", "a stage1 image file"),        \
            POD_OPT("stage1-url", CLI_STRING, stage1_url, "URL", "a stage1 image URL")
#define O_VOLUME                                                                                   \
        POD_OPT("volume", CLI_STRV, volumes, "NAME,kind=host|empty,...",                           \
                "volumes to make available in the pod")

/* Sorted by name: --help lists them in this order. */
const struct cli_option run_pod_options[] = {
    POD_OPT("dns", CLI_STRV, dns.dns, "IP[,IP]|host|none",
            "name servers for the pod's resolv.conf"),
    POD_OPT("dns-domain", CLI_STRING, dns.dns_domain, "DOMAIN", "resolv.conf domain"),
    POD_OPT("dns-opt", CLI_STRV, dns.dns_opt, "OPTION", "resolv.conf options"),
    POD_OPT("dns-search", CLI_STRV, dns.dns_search, "DOMAIN", "resolv.conf search domains"),
    POD_OPT("hostname", CLI_STRING, hostname, "NAME", "pod hostname (default ace-<uuid>)"),
    POD_OPT("hosts-entry", CLI_STRV, dns.hosts_entries, "IP=HOST|host",
            "entries for the pod's /etc/hosts"),
    O_INHERIT_ENV,
    POD_OPT("interactive", CLI_BOOL, interactive, NULL, "run the pod interactively (one app only)"),
    POD_OPT("mds-register", CLI_BOOL, mds_register, NULL,
            "register the pod with the metadata service"),
    O_MOUNT,
    {.name = "net",
     .type = CLI_STRING,
     .offset = offsetof(struct run_config, net),
     .argname = "NET[:ARGS][,NET...]|host|none",
     .help = "the pod networks (default, default-restricted, net.d names, all)",
     .flags = CLI_OPTIONAL,
     .defval = "default"},
    O_NO_OVERLAY,
    O_PIDS_LIMIT,
    O_POD_MANIFEST,
    O_PORT,
    O_PULL_POLICY,
    O_TAIL,
    POD_OPT("strict-isolators", CLI_BOOL, strict_isolators, NULL,
            "refuse to run when an isolator cannot be enforced on this host"),
    POD_OPT("uuid-file-save", CLI_STRING, uuid_file_save, "FILE", "write the pod UUID to FILE"),
    O_VOLUME,
    CLI_END,
};

const struct cli_option prepare_pod_options[] = {
    O_INHERIT_ENV,  O_MOUNT,
    O_NO_OVERLAY,   O_PIDS_LIMIT,
    O_POD_MANIFEST, O_PORT,
    O_PULL_POLICY,  POD_OPT("quiet", CLI_BOOL, quiet, NULL, "print only the UUID"),
    O_TAIL,         O_VOLUME,
    CLI_END,
};

const struct cli_option run_app_options[] = {
    APP_OPT("annotation", CLI_STRV, annotations, "K=V", "an app annotation"),
    APP_OPT("caps-remove", CLI_STRING, caps_remove, "CAP,...", "capabilities to remove"),
    APP_OPT("caps-retain", CLI_STRING, caps_retain, "CAP,...", "capabilities to retain"),
    APP_OPT("cpu", CLI_STRING, cpu, "QUANTITY", "cpu limit (e.g. 500m)"),
    APP_OPT("cpu-shares", CLI_STRING, cpu_shares, "N", "cpu shares"),
    APP_OPT("environment", CLI_STRV, environment, "NAME=VALUE", "an app environment variable"),
    APP_OPT("exec", CLI_STRING, exec, "PATH", "override the app's exec"),
    APP_OPT("group", CLI_STRING, group, "GROUP", "the app's group"),
    APP_OPT("memory", CLI_STRING, memory, "QUANTITY", "memory limit (e.g. 64Mi)"),
    APP_OPT("mount", CLI_STRV, mounts, "volume=NAME,target=PATH", "a mount for this app"),
    APP_OPT("name", CLI_STRING, name, "NAME", "the app's name"),
    APP_OPT("oom-score-adj", CLI_STRING, oom_score_adj, "N", "oom score adjustment"),
    APP_OPT("readonly-rootfs", CLI_STRING, readonly_rootfs, "BOOL",
            "mount the app's rootfs read-only"),
    APP_OPT("seccomp", CLI_STRING, seccomp, "mode=M,...", "seccomp filter override"),
    APP_OPT("signature", CLI_STRING, signature, "FILE", "a local signature for the image"),
    APP_OPT("supplementary-gids", CLI_STRING, supplementary_gids, "GID,...",
            "supplementary group IDs"),
    APP_OPT("user", CLI_STRING, user, "USER", "the app's user"),
    APP_OPT("user-annotation", CLI_STRV, user_annotations, "K=V", "a user annotation"),
    APP_OPT("user-label", CLI_STRV, user_labels, "K=V", "a user label"),
    APP_OPT("working-dir", CLI_STRING, working_dir, "DIR", "the app's working directory"),
    /* Deprecated spellings rkt still accepted. */
    {.name = "cap-remove",
     .type = CLI_STRING,
     .offset = offsetof(struct run_app, caps_remove),
     .flags = CLI_HIDDEN},
    {.name = "cap-retain",
     .type = CLI_STRING,
     .offset = offsetof(struct run_app, caps_retain),
     .flags = CLI_HIDDEN},
    CLI_END,
};

void run_config_init(struct run_config *c, bool is_prepare)
{
        *c = (struct run_config){0};
        c->is_prepare = is_prepare;
}

static void run_app_free(struct run_app *a)
{
        free(a->image);
        free(a->name);
        free(a->exec);
        strv_free(a->args);
        free(a->user);
        free(a->group);
        free(a->supplementary_gids);
        free(a->working_dir);
        free(a->readonly_rootfs);
        strv_free(a->mounts);
        strv_free(a->environment);
        strv_free(a->annotations);
        strv_free(a->user_annotations);
        strv_free(a->user_labels);
        free(a->signature);
        free(a->memory);
        free(a->cpu);
        free(a->cpu_shares);
        free(a->caps_retain);
        free(a->caps_remove);
        free(a->seccomp);
        free(a->oom_score_adj);
}

void run_config_free(struct run_config *c)
{
        for (size_t i = 0; i < c->n_apps; i++)
                run_app_free(&c->apps[i]);
        free(c->apps);
        free(c->pod_manifest);
        free(c->uuid_file_save);
        free(c->hostname);
        free(c->net);
        strv_free(c->dns.dns);
        strv_free(c->dns.dns_search);
        strv_free(c->dns.dns_opt);
        free(c->dns.dns_domain);
        strv_free(c->dns.hosts_entries);
        strv_free(c->set_env);
        strv_free(c->set_env_file);
        strv_free(c->volumes);
        strv_free(c->mounts);
        strv_free(c->ports);
        free(c->stage1_path);
        free(c->stage1_name);
        free(c->stage1_url);
        free(c->stage1_hash);
        free(c->stage1_from_dir);
        free(c->pull_policy);
        free(c->pids_limit);
        *c = (struct run_config){0};
}

static bool is_app_option(const struct cli_option *o)
{
        for (const struct cli_option *a = run_app_options; a->name; a++)
                if (o == a)
                        return true;
        return false;
}

/* Collects `-- ARGS... [---]` for the latest app; *i points at the `--`. */
static int take_app_args(struct run_config *c, int argc, char **argv, int *i,
                         struct ace_error **err)
{
        struct run_app *app;

        if (c->n_apps == 0)
                return ace_error_make(err, EINVAL, "an image is required before any app arguments");
        app = &c->apps[c->n_apps - 1];
        if (app->has_args)
                return ace_error_make(err, EINVAL, "app arguments already given for image %s",
                                      app->image);
        app->has_args = true;
        app->args = xcalloc(1, sizeof(char *));
        for ((*i)++; *i < argc; (*i)++) {
                if (strcmp(argv[*i], "---") == 0) {
                        (*i)++;
                        break;
                }
                app->args = strv_push(app->args, argv[*i]);
        }
        return 0;
}

int run_config_parse(struct run_config *c, struct ace_global *g, int argc, char **argv,
                     struct ace_error **err)
{
        const struct cli_option *pod_opts = c->is_prepare ? prepare_pod_options : run_pod_options;
        struct run_app dummy = {0};
        int i = 0, r;

        while (i < argc) {
                const struct cli_option *o = NULL;

                if (strcmp(argv[i], "--") == 0) {
                        r = take_app_args(c, argc, argv, &i, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (strcmp(argv[i], "---") == 0) { /* stray end-of-args marker: ignored */
                        i++;
                        continue;
                }
                /* With an app, per-app flags bind to it (so --mount is per-app); before any
                 * image the pod table comes first (a --mount for every app) and a per-app
                 * flag lands in a dummy, to be refused below. */
                struct run_app *app = c->n_apps ? &c->apps[c->n_apps - 1] : &dummy;
                const struct cli_optset with_app[] = {
                    {run_app_options, app}, {pod_opts, c}, {cli_global_options, g}};
                const struct cli_optset no_app[] = {
                    {pod_opts, c}, {cli_global_options, g}, {run_app_options, &dummy}};
                r = cli_parse_flag(c->n_apps ? with_app : no_app, 3, argc, argv, &i, &o, err);
                if (r == -EAGAIN) /* --help after an image: not a flag of ours */
                        return ace_error_make(err, EINVAL, "unknown flag: %s", argv[i]);
                if (r < 0) {
                        run_app_free(&dummy);
                        return r;
                }
                if (r > 0) {
                        if (!c->n_apps && is_app_option(o)) {
                                run_app_free(&dummy);
                                return ace_error_make(err, EINVAL, "--%s must follow an image",
                                                      o->name);
                        }
                        continue;
                }
                c->apps = xgrow(c->apps, &c->apps_cap, c->n_apps + 1, sizeof(*c->apps));
                c->apps[c->n_apps] = (struct run_app){.image = xstrdup(argv[i])};
                c->n_apps++;
                i++;
        }
        return 0;
}

static bool policy_valid(const char *p)
{
        return !strcmp(p, "new") || !strcmp(p, "update") || !strcmp(p, "never");
}

/* --pids-limit: a positive decimal integer (the ace/pids isolator's "limit"). */
static bool pids_limit_valid(const char *s)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        return *s >= '0' && *s <= '9' && !*end && !errno && v >= 1;
}

int run_config_check(const struct run_config *c, struct ace_error **err)
{
        int stage1_flags = !!c->stage1_path + !!c->stage1_name + !!c->stage1_url +
                           !!c->stage1_hash + !!c->stage1_from_dir;

        if (c->pull_policy && !policy_valid(c->pull_policy))
                return ace_error_make(err, EINVAL,
                                      "invalid pull policy \"%s\" (want new, update or never)",
                                      c->pull_policy);
        if (c->pids_limit && !pids_limit_valid(c->pids_limit))
                return ace_error_make(err, EINVAL,
                                      "invalid --pids-limit \"%s\": want a positive integer",
                                      c->pids_limit);
        if (c->pod_manifest) {
                bool pull = c->pull_policy && strcmp(c->pull_policy, "new") != 0;
                if (c->n_apps || c->volumes || c->mounts || c->ports || pull || c->inherit_env ||
                    c->set_env || c->set_env_file || c->pids_limit)
                        return ace_error_make(err, EINVAL,
                                              "conflicting flags set with --pod-manifest (see "
                                              "--help)");
        } else if (c->n_apps == 0) {
                return ace_error_make(err, EINVAL,
                                      "must provide at least one image or "
                                      "--pod-manifest");
        }
        if (stage1_flags > 1)
                return ace_error_make(err, EINVAL,
                                      "--stage1-path, --stage1-name, --stage1-url, --stage1-hash "
                                      "and --stage1-from-dir are mutually exclusive");
        if (!c->is_prepare) {
                int r = pod_net_check(c->net, c->ports != NULL, c->mds_register, err);
                if (r >= 0)
                        r = pod_dns_check(&c->dns, err);
                if (r < 0)
                        return r;
        }
        if (c->interactive && c->n_apps > 1)
                return ace_error_make(err, EINVAL, "--interactive can only be used with one app");
        for (size_t i = 0; i < c->n_apps; i++) {
                if (c->apps[i].caps_retain && c->apps[i].caps_remove)
                        return ace_error_make(err, EINVAL,
                                              "--caps-retain and --caps-remove cannot both be "
                                              "given for image %s",
                                              c->apps[i].image);
                /* Isolator values are checked now, as rkt did while parsing: a bad one must
                 * not leave an aborted pod behind. */
                struct ace_isolator_list scratch = {0};
                int r = app_isolators_apply(&c->apps[i], &scratch, err);
                ace_isolators_clear(&scratch);
                if (r < 0)
                        return ace_error_wrap(err, "image %s", c->apps[i].image);
        }
        return 0;
}
