/* run_args.c - parse the run entrypoint's arguments (run_args.h). */
#include "stage1/run_args.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "stage1/netconf.h"

/* The list is checked here (syntax, none/host alone); the names are resolved at setup. */
static int parse_net(const char *v, struct run_args *a, struct ace_error **err)
{
        struct net_list l;
        int r = net_list_parse(v, &l, err);

        if (r < 0)
                return ace_error_wrap(err, "failed to setup network");
        a->net = l.kind == NET_KIND_NONE   ? RUN_NET_NONE
                 : l.kind == NET_KIND_HOST ? RUN_NET_HOST
                                           : RUN_NET_CNI;
        a->net_list = v;
        net_list_done(&l);
        return 0;
}

static bool valid_hostname(const char *h)
{
        size_t n = strlen(h);

        if (n == 0 || n > 63 || h[0] == '-' || h[n - 1] == '-')
                return false;
        for (const char *p = h; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
                        return false;
        return true;
}

static int parse_ipc(const char *v, struct ace_error **err)
{
        if (strcmp(v, "auto") == 0 || strcmp(v, "private") == 0)
                return 0;
        return ace_error_make(err, ENOTSUP, "--ipc=%s is not supported (auto or private)", v);
}

int run_args_parse(int argc, char **argv, struct run_args *a, struct ace_error **err)
{
        enum {
                O_DEBUG = 1,
                O_NET,
                O_INTERACTIVE,
                O_MDS,
                O_LOCAL,
                O_HOST,
                O_DNS,
                O_NOCAPS,
                O_NOPATHS,
                O_NOSECCOMP,
                O_IPC,
                O_PRIVUSERS,
                O_MUTABLE,
                O_STRICT
        };
        static const struct option opts[] = {
            {"debug", optional_argument, NULL, O_DEBUG},
            {"net", required_argument, NULL, O_NET},
            {"interactive", optional_argument, NULL, O_INTERACTIVE},
            {"mds-token", required_argument, NULL, O_MDS},
            {"local-config", required_argument, NULL, O_LOCAL},
            {"hostname", required_argument, NULL, O_HOST},
            {"dns-conf-mode", required_argument, NULL, O_DNS},
            {"disable-capabilities-restriction", no_argument, NULL, O_NOCAPS},
            {"disable-paths", no_argument, NULL, O_NOPATHS},
            {"disable-seccomp", no_argument, NULL, O_NOSECCOMP},
            {"ipc", required_argument, NULL, O_IPC},
            {"private-users", required_argument, NULL, O_PRIVUSERS},
            {"mutable", no_argument, NULL, O_MUTABLE},
            {"strict-isolators", no_argument, NULL, O_STRICT},
            {},
        };
        bool have_net = false;
        int c, r;

        *a = (struct run_args){.net = RUN_NET_NONE};
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
                bool on = !optarg || strcmp(optarg, "true") == 0;
                switch (c) {
                case O_DEBUG:
                        a->debug = on;
                        break;
                case O_NET:
                        if ((r = parse_net(optarg, a, err)) < 0)
                                return r;
                        have_net = true;
                        break;
                case O_INTERACTIVE:
                        a->interactive = on;
                        break;
                case O_MDS:
                        a->mds_token = optarg;
                        break;
                case O_LOCAL:
                        a->local_config = optarg;
                        break;
                case O_HOST:
                        a->hostname = optarg;
                        break;
                case O_DNS:
                        a->dns_conf_mode = optarg;
                        break;
                case O_NOCAPS:
                        a->disable_caps = true;
                        break;
                case O_NOPATHS:
                        a->disable_paths = true;
                        break;
                case O_NOSECCOMP:
                        a->disable_seccomp = true;
                        break;
                case O_STRICT:
                        a->strict_isolators = true;
                        break;
                case O_IPC:
                        if ((r = parse_ipc(optarg, err)) < 0)
                                return r;
                        break;
                case O_PRIVUSERS:
                        return ace_error_make(err, ENOTSUP, "--private-users is not supported");
                case O_MUTABLE:
                        return ace_error_make(err, ENOTSUP, "--mutable is not supported");
                default:
                        return ace_error_make(err, EINVAL, "unknown or malformed option %s",
                                              argv[optind - 1]);
                }
        }
        if (!have_net)
                return ace_error_make(err, EINVAL, "--net is required");
        if (optind != argc - 1)
                return ace_error_make(err, EINVAL, "expected exactly one pod UUID argument");
        a->uuid = argv[optind];
        if (strlen(a->uuid) != 36 || strspn(a->uuid, "0123456789abcdef-") != 36)
                return ace_error_make(err, EINVAL, "bad pod UUID \"%s\"", a->uuid);
        if (a->hostname && !valid_hostname(a->hostname))
                return ace_error_make(err, EINVAL, "bad hostname \"%s\"", a->hostname);
        return 0;
}
