/*
 * cni.h - running CNI plugins as the CNI specification says: the plugin named by each
 * configuration's `type` is looked up in CNI_PATH and executed with CNI_COMMAND,
 * CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS and CNI_PATH in its environment, the
 * configuration on stdin and the result (or an error object) on stdout.
 *
 * A network is a configuration list (stage1/netconf.h). ADD runs its plugins in order, each
 * getting the list's name and cniVersion, the previous plugin's result as `prevResult`, and the
 * runtime values of the capabilities it declares (`portMappings` only); the last result is the
 * network's. DEL runs them in reverse, each with the cached ADD result as `prevResult` (from
 * cniVersion 0.4.0, as libcni), and goes on past a failing plugin so that one broken plugin
 * does not keep the others from releasing what they hold.
 *
 * Plugins run in the host's namespaces with a clean environment (PATH only: ptp and bridge
 * exec iptables for ipMasq) and all signals unblocked. stdin, stdout and stderr are memfds, so
 * no pipe can fill up and deadlock either side.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/json.h"

/* Where plugins are searched when nothing else is said: our own dir, Debian's, upstream's. */
#define CNI_DEFAULT_PATH ACE_LIBDIR "/plugins/net:/usr/lib/cni:/opt/cni/bin"
#define CNI_RESULT_MAX (1u << 20)

struct cni_runtime {
        const char *container_id; /* the pod UUID */
        const char *netns;        /* path of the network namespace (may no longer exist on DEL) */
        const char *cni_path;     /* ':'-separated plugin directories */
};

struct cni_net {
        struct json_object *conf;          /* normalised configuration list */
        const char *ifname;                /* eth<N> */
        const char *args;                  /* CNI_ARGS or NULL */
        struct json_object *port_mappings; /* runtimeConfig.portMappings (array) or NULL */
};

/* Finds `type` in the directories of cni_path; *ret is the absolute path. */
int cni_find_plugin(const char *cni_path, const char *type, char **ret, struct ace_error **err);

int cni_add(const struct cni_runtime *rt, const struct cni_net *net, struct json_object **ret,
            struct ace_error **err);
/* prev_result: the network's ADD result, or NULL when the ADD never completed. */
int cni_del(const struct cni_runtime *rt, const struct cni_net *net,
            struct json_object *prev_result, struct ace_error **err);

/* The plugin configuration that plugin i of the list gets on stdin (libcni's buildOneConfig);
 * exposed for unit tests. New reference. */
struct json_object *cni_plugin_conf(const struct cni_net *net, size_t i,
                                    struct json_object *prev_result);

/* The pod's first IPv4 address in a result (0.1.0/0.2.0 `ip4` or 0.3.0+ `ips`). */
struct cni_ip4 {
        char address[INET_ADDRSTRLEN];
        char mask[INET_ADDRSTRLEN];    /* dotted, from the prefix length */
        char gateway[INET_ADDRSTRLEN]; /* "" when the result has none */
        unsigned prefix;
};
int cni_result_ip4(struct json_object *result, struct cni_ip4 *ret, struct ace_error **err);
/* The result's "dns" object when it says anything (nameservers, search, domain or options),
 * else NULL. Borrowed. */
struct json_object *cni_result_dns(struct json_object *result);
/* Whether a plugin's DEL works without the namespace: deleting the namespace destroys its
 * interfaces and its host-side state is keyed by container ID or lease (a sorted table of
 * the Debian plugins this holds for; unknown plugins are assumed to need it). */
bool cni_plugin_netns_free(const char *type);
extern const char *const cni_netns_free_plugins[];
extern const size_t n_cni_netns_free_plugins;
/* Whether a plugin of the list masquerades (`ipMasq: true`). */
bool cni_conf_ipmasq(struct json_object *conf);
