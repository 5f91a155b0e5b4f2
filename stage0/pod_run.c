/* pod_run.c - exec'ing stage1 for a pod in run/ (see pod_run.h). */
#include "stage0/pod_run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/net_list.h"
#include "common/xalloc.h"
#include "stage0/mds_client.h"
#include "stage0/stage1.h"

/* rkt's default is the default network; a bare --net (parsed as "true") too. */
static const char *net_value(const char *net)
{
        return !net || !*net || strcmp(net, "true") == 0 ? "default" : net;
}

int pod_net_check(const char *net, bool ports, bool mds_register, struct ace_error **err)
{
        struct net_list l;
        int r = net_list_parse(net_value(net), &l, err);

        if (r < 0)
                return ace_error_wrap(err, "--net");
        if (ports && l.kind != NET_KIND_CNI)
                r = ace_error_make(err, EINVAL,
                                   "--port needs a pod network; it cannot be used "
                                   "with --net=none or --net=host");
        else if (mds_register && l.kind == NET_KIND_NONE)
                r = ace_error_make(err, EINVAL, "--mds-register cannot be used with --net=none");
        net_list_done(&l);
        return r;
}

int pod_run_exec(const struct ace_global *g, struct pod *pod, const struct pod_run_opts *o,
                 struct ace_error **err)
{
        struct stage1_info s1 = {0};
        _cleanup_free_ char *dns_mode = NULL, *hostname = NULL, *token = NULL;
        struct stage1_run_args a = {
            .debug = g->debug,
            .net = net_value(o->net),
            .interactive = o->interactive,
            .local_config = g->local_config,
            .hostname = o->hostname,
            .disable_capabilities = g->insecure & INSECURE_CAPABILITIES,
            .disable_paths = g->insecure & INSECURE_PATHS,
            .disable_seccomp = g->insecure & INSECURE_SECCOMP,
            .strict_isolators = o->strict_isolators,
        };
        int r;

        r = stage1_info_load(pod, &s1, err);
        if (r < 0)
                return r;
        /* The DNS material is the pod's, written before stage1 exists (stage1/dns.h). */
        hostname = o->hostname ? xstrdup(o->hostname) : xasprintf("ace-%s", pod->uuid);
        if (o->dns && (r = pod_dns_write(pod->fd, o->dns, hostname, &dns_mode, err)) < 0) {
                stage1_info_free(&s1);
                return r;
        }
        a.dns_conf_mode = dns_mode;
        /* Registered last, with the `mds-registered` marker that tells stage1 (when the pod
         * ends) and gc (after a crash or a failed exec) to unregister it. */
        if (o->mds_register &&
            ((r = mds_register_pod(pod, &token, err)) < 0 ||
             (r = fs_write_file_atomic_at(pod->fd, "mds-registered", "", 0, 0644, err)) < 0)) {
                stage1_info_free(&s1);
                return r;
        }
        a.mds_token = token;
        fflush(stdout);
        fflush(stderr);
        r = stage1_exec_run(pod, &s1, &a, err);
        stage1_info_free(&s1);
        return r;
}

void pod_run_fetch_diag(void *userdata, const char *line)
{
        (void)userdata;
        fprintf(stderr, "%s\n", line);
}
