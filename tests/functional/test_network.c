/*
 * test_network.c - CNI networks through the real stage1 (pod fixture): the default network,
 * pods reaching each other and the host, named networks from a private config dir (bridge,
 * CNI_ARGS), records and teardown on exit, after kill -9 (gc), and no leaks after many pods.
 *
 * Host-level state is touched (veths, /run/netns, /var/lib/cni, iptables nat): every test takes
 * a shared lock, the leak test an exclusive one, so the leak snapshots see no other network test.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/netcheck.h"
#include "tests/lib/pod_fixture.h"
#include "tests/lib/test_image.h"
#include "tests/lib/tu.h"

static struct test_image *img;
static char *cfgdir; /* private --local-config */
static int lockfd = -1;

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        lockfd = netcheck_lock(false);
        img = timg_new("example.com/probe");
        cfgdir = th_mkdtemp("ace-netcfg");
}

static void teardown(void)
{
        timg_free(img);
        if (cfgdir)
                th_rm_rf(cfgdir);
        free(cfgdir);
        netcheck_unlock(lockfd);
}

TestSuite(network, .init = setup, .fini = teardown, .timeout = 120);

static char *local_config_arg(void)
{
        return xasprintf("--local-config=%s", cfgdir);
}

/* A pod running /probe with the given arguments (a JSON array tail). */
static struct pod_fixture *probe_pod(const char *exec_json)
{
        struct pod_fixture *pf = pf_new();
        _cleanup_free_ char *app = xasprintf("{\"exec\": [\"/probe\", %s], \"user\": \"0\", "
                                             "\"group\": \"0\"}",
                                             exec_json);
        pf_add_app(pf, "p", img, app, NULL);
        return pf;
}

Test(network, default_network_gives_eth0_and_records)
{
        _cleanup_free_ char *lc = local_config_arg();
        struct pod_fixture *pf = probe_pod("\"ip\"");
        const char *args[] = { "--net=default", lc, NULL };

        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *ip = th_kv(pf->out, "ip.eth0");
        cr_assert(ip && strncmp(ip, "172.16.28.", 10) == 0 && strstr(ip, "/24"), "out: %s",
                  pf->out);
        cr_assert(th_kv(pf->out, "ip.lo"), "loopback: %s", pf->out);
        /* net-info.json in rkt's format, for list/status. */
        _cleanup_free_ char *info = pf_read(pf, "net-info.json");
        cr_assert(info && strstr(info, "\"netName\":\"default\"") &&
                          strstr(info, "\"ifName\":\"eth0\"") &&
                          strstr(info, "\"mask\":\"255.255.255.0\"") &&
                          strstr(info, "\"pluginPath\":\"/usr/lib/cni/ptp\""),
                  "net-info.json: %s", info);
        /* Torn down on exit: no namespace, no records, no lease, no NAT chain. */
        _cleanup_free_ char *ns = xasprintf("/run/netns/ace-%s", pf->uuid);
        _cleanup_free_ char *netns_file = pf_path(pf, "netns"), *netdir = pf_path(pf, "net");
        cr_assert_not(th_exists(ns));
        cr_assert_not(th_exists(netns_file));
        cr_assert_not(th_exists(netdir), "stderr: %s", pf->err);
        cr_assert_eq(netcheck_leases_of(pf->uuid), 0);
        cr_assert_eq(netcheck_nat_rules_of(pf->uuid), 0);
        pf_free(pf);
}
