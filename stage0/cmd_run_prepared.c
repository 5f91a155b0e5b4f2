/*
 * cmd_run_prepared.c - `ace run-prepared [--net=...] [--dns...] [--hosts-entry=...]
 * [--hostname=H] [--interactive] [--mds-register] [--strict-isolators] UUID`: lock a prepared
 * pod, move it to run/ and exec its stage1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "schema/pod_manifest.h"
#include "stage0/cli.h"
#include "stage0/pod_cmd.h"
#include "stage0/pod_prepare.h"
#include "stage0/pod_run.h"

struct rp_opts {
        char *net;
        char *hostname;
        bool interactive;
        bool strict_isolators;
        bool mds_register;
        struct pod_dns_flags dns;
};

static void rp_opts_free(void *p)
{
        struct rp_opts *o = p;
        free(o->net);
        free(o->hostname);
        strv_free(o->dns.dns);
        strv_free(o->dns.dns_search);
        strv_free(o->dns.dns_opt);
        free(o->dns.dns_domain);
        strv_free(o->dns.hosts_entries);
}

#define RP_OPT(n, t, f, a, h)                                                                      \
        {                                                                                          \
                .name = n, .type = t, .offset = offsetof(struct rp_opts, f), .argname = a,         \
                .help = h                                                                          \
        }

static const struct cli_option rp_options[] = {
    RP_OPT("dns", CLI_STRV, dns.dns, "IP[,IP]|host|none", "name servers for the pod's resolv.conf"),
    RP_OPT("dns-domain", CLI_STRING, dns.dns_domain, "DOMAIN", "resolv.conf domain"),
    RP_OPT("dns-opt", CLI_STRV, dns.dns_opt, "OPTION", "resolv.conf options"),
    RP_OPT("dns-search", CLI_STRV, dns.dns_search, "DOMAIN", "resolv.conf search domains"),
    {.name = "hostname",
     .type = CLI_STRING,
     .offset = offsetof(struct rp_opts, hostname),
     .argname = "NAME",
     .help = "pod hostname (default ace-<uuid>)"},
    RP_OPT("hosts-entry", CLI_STRV, dns.hosts_entries, "IP=HOST|host",
           "entries for the pod's /etc/hosts"),
    {.name = "interactive",
     .type = CLI_BOOL,
     .offset = offsetof(struct rp_opts, interactive),
     .help = "run the pod interactively (one app only)",
     .defval = "false"},
    RP_OPT("mds-register", CLI_BOOL, mds_register, NULL,
           "register the pod with the metadata service"),
    {.name = "net",
     .type = CLI_STRING,
     .offset = offsetof(struct rp_opts, net),
     .argname = "NET[:ARGS][,NET...]|host|none",
     .flags = CLI_OPTIONAL,
     .help = "the pod networks",
     .defval = "default"},
    {.name = "strict-isolators",
     .type = CLI_BOOL,
     .offset = offsetof(struct rp_opts, strict_isolators),
     .defval = "false",
     .help = "refuse to run when an isolator cannot be enforced on this host"},
    CLI_END,
};

/* Apps and exposed ports of the prepared pod manifest. */
static int manifest_counts(struct pod *pod, size_t *n_ports, struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        struct ace_pod_manifest *pm = NULL;
        size_t len;
        int r = pod_read_file(pod, "pod", &buf, &len, err);

        if (r >= 0)
                r = ace_pod_manifest_parse(buf, len, &pm, err);
        if (r < 0)
                return ace_error_wrap(err, "cannot read pod manifest");
        r = (int)pm->apps.n;
        *n_ports = pm->ports.n;
        ace_pod_manifest_free(pm);
        return r;
}

static int run_run_prepared(struct ace_global *g, void *opts, char **args)
{
        struct rp_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_pods_ struct pods *pods = NULL;
        _cleanup_pod_ struct pod *pod = NULL;
        size_t n_ports = 0;
        int n_apps;
        struct pod_run_opts ro = {.net = o->net,
                                  .hostname = o->hostname,
                                  .interactive = o->interactive,
                                  .strict_isolators = o->strict_isolators,
                                  .dns = &o->dns,
                                  .mds_register = o->mds_register};

        if (!args[0] || args[1]) {
                log_error("exactly one pod UUID is expected");
                return ACE_EXIT_FAILURE;
        }
        if (pod_dns_check(&o->dns, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (pod_cmd_open_pods(g, false, &pods, &e) < 0 || pod_lookup(pods, args[0], &pod, &e) < 0) {
                log_error("problem retrieving pod: %s", ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        /* Locked before the state check: two run-prepared of one pod, one wins. */
        if (pod_lock(pod, false, &e) < 0 || pod_refresh(pod, &e) < 0) {
                log_error("cannot run pod \"%s\": %s", pod->uuid, ace_error_msg(e));
                return ACE_EXIT_FAILURE;
        }
        if (pod->state != POD_STATE_PREPARED) {
                log_error("pod \"%s\" is not prepared", pod->uuid);
                return ACE_EXIT_FAILURE;
        }
        n_apps = manifest_counts(pod, &n_ports, &e);
        if (n_apps < 0 || pod_net_check(o->net, n_ports > 0, o->mds_register, &e) < 0) {
                log_error_ace(e);
                return ACE_EXIT_FAILURE;
        }
        if (o->interactive && n_apps != 1) {
                log_error("interactive option only supports pods with one app");
                return ACE_EXIT_FAILURE;
        }
        if (faccessat(pod->fd, "overlay-prepared", F_OK, 0) == 0 &&
            !pod_overlay_supported(pods_data_dir(pods))) {
                log_error("unable to run prepared overlay-enabled pod: overlay not supported");
                return ACE_EXIT_FAILURE;
        }
        if (pod_transition(pod, POD_DIR_RUN, &e) >= 0)
                pod_run_exec(g, pod, &ro, &e);
        log_error_ace(e);
        return ACE_EXIT_FAILURE;
}

const struct cli_command cmd_run_prepared = {
    .name = "run-prepared",
    .summary = "Run a prepared pod",
    .usage = "[--net=NET[:ARGS],...] [--dns=...] [--hosts-entry=...] [--hostname=NAME] "
             "[--interactive] [--mds-register] [--strict-isolators] UUID",
    .options = rp_options,
    .opts_size = sizeof(struct rp_opts),
    .opts_free = rp_opts_free,
    .run = run_run_prepared,
    .flags = CMD_ROOT,
};
