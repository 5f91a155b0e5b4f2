/*
 * run_args.h - the `run` entrypoint's arguments (stage1 ABI, interface version 6):
 *
 *   init [--debug] --net=<list> [--interactive] [--mds-token=T] [--local-config=DIR]
 *        [--hostname=H] [--dns-conf-mode=resolv=M,hosts=M] [--disable-capabilities-restriction]
 *        [--disable-paths] [--disable-seccomp] [--ipc=MODE] [--private-users=S:C]
 *        [--strict-isolators] UUID
 *
 * --strict-isolators (ace's, not rkt's; stage0's flag of the same name passes it): refuse to run
 * a pod that has an isolator this stage1 cannot enforce on this host, instead of reporting it.
 *
 * Networks: `none` (own namespace, loopback only), `host` (the host's), or a list of CNI
 * networks (`default`, `a,b:IP=10.1.0.5`, `all`; stage1/netconf.h). --ipc accepts
 * auto/private (a private IPC namespace); `parent` is refused until it is implemented.
 */
#pragma once

#include <stdbool.h>

#include "common/error.h"

enum run_net { RUN_NET_NONE, RUN_NET_HOST, RUN_NET_CNI };

struct run_args {
        bool debug;
        enum run_net net;
        const char *net_list; /* the --net value as given */
        bool interactive;
        const char *mds_token;
        const char *local_config;
        const char *hostname; /* NULL: ace-<uuid> */
        const char *dns_conf_mode;
        bool disable_caps;
        bool disable_paths;
        bool disable_seccomp;
        bool strict_isolators;
        const char *uuid;
};

int run_args_parse(int argc, char **argv, struct run_args *ret, struct ace_error **err);
