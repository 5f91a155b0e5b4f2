/* pod_net.c - the run entrypoint's networking and systemd steps (pod_net.h). */
#include "stage1/pod_net.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/dns.h"
#include "stage1/metadata.h"
#include "stage1/ports.h"
#include "stage1/ready.h"

int pod_net_take_sockets(struct pod_net *n, struct ace_error **err)
{
        return listen_fds_take(&n->listen, err);
}

static int assign_sockets(struct pod_net *n, const struct pod *pod, int podfd,
                          struct ace_error **err)
{
        _cleanup_strv_free_ char **names = NULL;
        struct pod_ports ports = {0};
        int r;

        if ((r = pod_ports_load(podfd, &ports, err)) < 0)
                return r;
        for (size_t i = 0; i < pod->n_apps; i++)
                names = strv_push(names, pod->apps[i].name);
        r = listen_fds_assign(&n->listen, &ports, names, pod->n_apps, &n->app_fds, &n->app_nfds,
                              err);
        n->n_apps = pod->n_apps;
        pod_ports_done(&ports);
        return r;
}

static int connect_metadata(struct pod_net *n, const struct run_args *a, struct pod *pod,
                            struct ace_error **err)
{
        _cleanup_free_ char *url = NULL;
        int r =
            metadata_connect(a->uuid, a->mds_token, a->net == RUN_NET_HOST, &n->state, &url, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < pod->n_apps; i++) {
                free(pod->apps[i].launch.metadata_url);
                pod->apps[i].launch.metadata_url = xstrdup(url);
        }
        return 0;
}

int pod_net_setup(struct pod_net *n, const struct run_args *a, struct pod *pod, int podfd,
                  struct ace_error **err)
{
        struct network_config cfg = {
            .uuid = a->uuid,
            .podfd = podfd,
            .net = a->net_list,
            .local_config = a->local_config,
        };
        _cleanup_free_ char *hostname = NULL;
        struct dns_inputs dns = {.host_net = a->net == RUN_NET_HOST};
        sigset_t mask;
        int r;

        if ((r = dns_conf_mode_parse(a->dns_conf_mode, &dns.mode, err)) < 0)
                return r;
        /* From the first thing there is to tear down, a stop request must not kill the relay
         * half-way: the signals it forwards to the pod are blocked now (run.c's relay reads
         * them once the pod exists), and the teardown then runs whatever happens. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if (a->net == RUN_NET_CNI && (r = network_setup(&cfg, &n->state, err)) < 0)
                return ace_error_wrap(err, "failed to setup network");
        hostname = a->hostname ? xstrdup(a->hostname) : xasprintf("ace-%s", a->uuid);
        dns.hostname = hostname;
        dns.pod_ip = n->state.first_ip;
        dns.cni_dns = n->state.dns;
        dns.cni_dns_network = n->state.dns_network;
        if ((r = dns_prepare(podfd, &dns, n->etc_files, &n->n_etc_files, err)) < 0)
                return r;
        if (n->listen.n && (r = assign_sockets(n, pod, podfd, err)) < 0)
                return r;
        if (a->mds_token && (r = connect_metadata(n, a, pod, err)) < 0)
                return r;
        return 0;
}

int pod_net_before_fork(struct pod_net *n, struct ace_error **err)
{
        int r;

        if ((r = ready_channel_open(n->ready, err)) < 0)
                return r;
        /* Once the pod's PID 1 is gone no process can be forked into its PID namespace, and
         * the teardown's CNI plugins must run: the relay comes back to its own. */
        n->host_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (n->host_pidns < 0)
                return ace_error_errno(err, errno, "open our PID namespace");
        return 0;
}

int pod_net_join(struct pod_net *n, struct ace_error **err)
{
        closep(&n->ready[0]);
        if (n->state.netns_fd >= 0 && setns(n->state.netns_fd, CLONE_NEWNET) < 0)
                return ace_error_errno(err, errno, "join the pod network namespace");
        closep(&n->state.netns_fd);
        return 0;
}

void pod_net_after_fork(struct pod_net *n)
{
        closep(&n->state.netns_fd);
        closep(&n->ready[1]);
}

bool pod_net_signal(struct pod_net *n, int sig)
{
        if (sig != ready_signal())
                return false;
        ready_notify(n->ready[0], &n->ready_sent);
        return true;
}

void pod_net_teardown(struct pod_net *n, const struct run_args *a, int podfd)
{
        _cleanup_error_ struct ace_error *err = NULL;

        network_state_done(&n->state);
        closep(&n->ready[0]);
        closep(&n->ready[1]);
        if (podfd >= 0 && a->uuid)
                metadata_disconnect(podfd, a->uuid);
        if (n->host_pidns >= 0 && setns(n->host_pidns, CLONE_NEWPID) < 0)
                log_error("cannot return to the host PID namespace: %m");
        closep(&n->host_pidns);
        /* A failure does not change the pod's status; what is left is recorded, gc retries. */
        if (a->net == RUN_NET_CNI && podfd >= 0 &&
            network_teardown(podfd, a->uuid, false, &err) < 0)
                log_error("network teardown: %s", ace_error_msg(err));
        for (size_t i = 0; n->app_fds && i < n->n_apps; i++)
                free(n->app_fds[i]);
        free(n->app_fds);
        free(n->app_nfds);
        n->app_fds = NULL;
        n->app_nfds = NULL;
}
