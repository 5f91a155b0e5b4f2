/*
 * pod_net.h - what the run entrypoint does for a pod's networking and for systemd, gathered in
 * one place so that run.c only calls it at the right moments:
 *
 *   pod_net_take_sockets   first thing: sockets passed by a socket-activating caller (fds 3..)
 *   pod_net_setup          in the relay, after the pod is loaded, before the launch specs:
 *                          CNI networks (network.h), resolv.conf/hosts (dns.h), which app gets
 *                          which socket (listen_fds.h), the metadata service (metadata.h)
 *   pod_net_before_fork    the readiness channel (ready.h), our PID namespace to come back to
 *   pod_net_join           in the pod's PID 1, before it unshares: join the network namespace
 *   pod_net_after_fork     in the relay: drop what only the pod needs
 *   pod_net_signal         in the relay's signal loop: the supervisor said "apps started"
 *   pod_net_teardown       in the relay, once the pod is gone: unregister, release networks
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "stage1/listen_fds.h"
#include "stage1/mount_plan.h"
#include "stage1/network.h"
#include "stage1/pod.h"
#include "stage1/run_args.h"

struct pod_net {
        struct network_state state;         /* CNI networks; state.netns_fd: the pod joins it */
        struct mount_etc_file etc_files[2]; /* resolv.conf, hosts for every app */
        size_t n_etc_files;
        struct listen_fds listen; /* sockets `ace run` was passed */
        int **app_fds;            /* ... per app */
        size_t *app_nfds;
        size_t n_apps;
        int ready[2]; /* supervisor -> relay: apps started */
        bool ready_sent;
        int host_pidns; /* the relay's PID namespace */
};

#define POD_NET_INIT                                                                               \
        {                                                                                          \
                .state = {.netns_fd = -1}, .ready = {-1, -1}, .host_pidns = -1                     \
        }

int pod_net_take_sockets(struct pod_net *n, struct ace_error **err);
/* Sets each app's launch.metadata_url when the pod is registered. */
int pod_net_setup(struct pod_net *n, const struct run_args *a, struct pod *pod, int podfd,
                  struct ace_error **err);
int pod_net_before_fork(struct pod_net *n, struct ace_error **err);
int pod_net_join(struct pod_net *n, struct ace_error **err);
void pod_net_after_fork(struct pod_net *n);
/* True when sig was the readiness signal (handled). */
bool pod_net_signal(struct pod_net *n, int sig);
void pod_net_teardown(struct pod_net *n, const struct run_args *a, int podfd);
