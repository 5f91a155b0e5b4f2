/*
 * network.h - a pod's CNI networks, from setup to teardown, with what is on disk in between.
 *
 * Setup runs in the run entrypoint's relay (host namespaces) before the pod's PID 1 exists:
 *   1. resolve --net against the definitions (stage1/netconf.h) and compute port mappings;
 *   2. record, before anything is created: `netns` (the namespace path) and `net/<N>.json`
 *      for every network (name, interface, CNI_ARGS, the exact configuration, CNI_PATH);
 *   3. create the namespace (stage1/netns.h), loopback up;
 *   4. CNI ADD each network in order, saving `net/<N>.result`;
 *   5. `net-info.json` in rkt's format (netName, netConf, pluginPath, ifName, ip, args, mask),
 *      which `ace list` and `ace status` show.
 * A failure tears down what was made and the pod does not start ("failed to setup network").
 *
 * Teardown works from the records alone, so the relay (when the pod exits, is stopped, or
 * fails) and `gc` (after the relay was killed) do the same thing, and a second run does
 * nothing. Networks whose plugins need the namespace to clean up (ipMasq chains are found
 * through the container interface; unknown plugins are assumed to) get their CNI DEL first,
 * then the namespace is removed, then the others get theirs: for those the kernel destroys the
 * veth asynchronously with the namespace, which saves the ~30 ms a synchronous veth deletion
 * waits for RCU (reference/perf.md §2), and their DEL only releases the IPAM lease.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/json.h"

struct network_config {
        const char *uuid;
        int podfd;
        const char *net;           /* the --net value */
        const char *local_config;  /* NULL: /etc/ace */
        const char *system_config; /* NULL: ACE_LIBDIR */
};

struct network_state {
        int netns_fd;                   /* the pod joins it; -1 when no CNI network */
        char host_ip[INET_ADDRSTRLEN];  /* host side of the forwarding network ("" if none) */
        char **pod_ips;                 /* every network's IPv4 address */
        struct json_object *dns;        /* first CNI result with DNS, or NULL */
        char *dns_network;              /* the network it came from */
        char first_ip[INET_ADDRSTRLEN]; /* eth0's address */
};

void network_state_init(struct network_state *st);
void network_state_done(struct network_state *st);

/* Steps 1-5 above. On failure nothing is left behind (best effort) and the error says what. */
int network_setup(const struct network_config *cfg, struct network_state *st,
                  struct ace_error **err);

/* Idempotent teardown from the pod dir's records; returns the first error (and logs the
 * others) and goes on with every step, except that a failed DEL of a network that needs the
 * namespace keeps the namespace for a retry -- unless last_chance (gc: the pod directory,
 * and with it the records, is about to go). */
int network_teardown(int podfd, const char *uuid, bool last_chance, struct ace_error **err);
