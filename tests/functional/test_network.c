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
        /* Each fixture has its own tree store: render the image into this one. */
        free(img->tree_id);
        img->tree_id = NULL;
        pf_add_app(pf, "p", img, app, NULL);
        return pf;
}

Test(network, default_network_gives_eth0_and_records)
{
        _cleanup_free_ char *lc = local_config_arg();
        struct pod_fixture *pf = probe_pod("\"ip\"");
        const char *args[] = {"--net=default", lc, NULL};

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

/* Polls the live stdout of a running pod for a line starting with prefix. */
static char *wait_output(struct pod_fixture *pf, const char *key, int timeout_ms)
{
        for (int waited = 0; waited < timeout_ms; waited += 20) {
                _cleanup_free_ char *out = pf_stdout_now(pf);
                char *v = out ? th_kv(out, key) : NULL;
                if (v)
                        return v;
                usleep(20 * 1000);
        }
        return NULL;
}

/* The pod's address on a network, from net-info.json. */
static char *pod_ip(struct pod_fixture *pf, const char *net)
{
        _cleanup_free_ char *info = pf_read(pf, "net-info.json");
        _cleanup_free_ char *needle = xasprintf("\"netName\":\"%s\"", net);
        char *p = info ? strstr(info, needle) : NULL, *ip;

        cr_assert(p, "no network %s in net-info.json: %s", net, info);
        ip = strstr(p, "\"ip\":\"");
        cr_assert(ip);
        ip += 6;
        return xstrndup(ip, strcspn(ip, "\""));
}

Test(network, pods_reach_each_other_and_the_host)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=default", lc, NULL};
        struct pod_fixture *a = probe_pod("\"serve-http\", \"7000\", \"2\"");
        pid_t host_server;

        pf_start(a, args);
        _cleanup_free_ char *listening = wait_output(a, "listening", 10000);
        cr_assert(listening, "pod a never listened");
        _cleanup_free_ char *ip_a = pod_ip(a, "default");

        /* A server on the host, reached from the pod through the gateway (the host side). */
        host_server = fork();
        if (host_server == 0) {
                _cleanup_free_ char *probe = th_build_path("tests/probe");
                int null = open("/dev/null", O_WRONLY);
                dup2(null, STDOUT_FILENO);
                execl(probe, probe, "serve-http", "7001", "1", NULL);
                _exit(127);
        }
        _cleanup_free_ char *exec =
            xasprintf("\"http-get-retry\", \"http://%s:7000/\", \"3000\", \"http-get-retry\", "
                      "\"http://172.16.28.1:7001/\", \"3000\"",
                      ip_a);
        struct pod_fixture *b = probe_pod(exec);
        cr_assert_eq(pf_run(b, args), 0, "stderr: %s", b->err);
        _cleanup_free_ char *body_a = th_kv_nth(b->out, "http.body", 0);
        _cleanup_free_ char *body_host = th_kv_nth(b->out, "http.body", 1);
        _cleanup_free_ char *want_a = xasprintf("hello from ace-%s", a->uuid);
        cr_assert(body_a && strstr(body_a, want_a), "pod b -> pod a: %s", b->out);
        cr_assert(body_host && strstr(body_host, "hello from "), "pod b -> host: %s", b->out);
        kill(host_server, SIGTERM);
        waitpid(host_server, NULL, 0);

        /* And the host reaches pod a by its address. */
        _cleanup_free_ char *url = xasprintf("http://%s:7000/", ip_a);
        _cleanup_free_ char *probe = th_build_path("tests/probe");
        _cleanup_free_ char *out = tu_capture(NULL, "%s http-get %s", probe, url);
        cr_assert(strstr(out, want_a), "host -> pod a: %s", out);
        cr_assert_eq(pf_wait(a), 0, "stderr: %s", a->err);
        pf_free(a);
        pf_free(b);
}

Test(network, unknown_network_fails_cleanly)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=default,nosuchnet", lc, NULL};
        struct pod_fixture *pf = probe_pod("\"print\", \"ran\"");

        cr_assert_eq(pf_run(pf, args), 254);
        cr_assert(strstr(pf->err, "failed to setup network") && strstr(pf->err, "\"nosuchnet\""),
                  "stderr: %s", pf->err);
        cr_assert_null(strstr(pf->out, "ran"));
        _cleanup_free_ char *ns = xasprintf("/run/netns/ace-%s", pf->uuid);
        cr_assert_not(th_exists(ns));
        cr_assert_eq(netcheck_leases_of(pf->uuid), 0);
        pf_free(pf);
}

Test(network, failing_plugin_leaves_nothing)
{
        _cleanup_free_ char *lc = local_config_arg();
        _cleanup_free_ char *dir = xasprintf("%s/net.d", cfgdir);
        _cleanup_free_ char *conf = xasprintf("%s/10-broken.conflist", dir);
        _cleanup_free_ char *ipam = xasprintf("%s/ipam", cfgdir);
        _cleanup_free_ char *text =
            xasprintf("{\"cniVersion\": \"0.4.0\", \"name\": \"broken\", \"plugins\": ["
                      "{\"type\": \"ptp\", \"ipam\": {\"type\": \"host-local\", \"subnet\": "
                      "\"10.79.0.0/24\", \"dataDir\": \"%s\"}}, {\"type\": \"bandwidth\", "
                      "\"ingressRate\": -1}]}",
                      ipam);
        const char *args[] = {"--net=broken", lc, NULL};
        struct pod_fixture *pf = probe_pod("\"print\", \"ran\"");

        mkdir(dir, 0755);
        th_write_file(conf, text, 0644);
        cr_assert_eq(pf_run(pf, args), 254);
        cr_assert(strstr(pf->err, "failed to setup network") && strstr(pf->err, "bandwidth"),
                  "stderr: %s", pf->err);
        /* The ptp ADD that succeeded was undone: no lease in the private IPAM dir. */
        _cleanup_free_ char *leases =
            tu_capture(NULL, "ls %s/broken 2>/dev/null | grep -c '^10\\.' || true", ipam);
        cr_assert_eq(atoi(leases), 0, "leases: %s", leases);
        _cleanup_free_ char *ns = xasprintf("/run/netns/ace-%s", pf->uuid);
        cr_assert_not(th_exists(ns));
        pf_free(pf);
}

Test(network, named_bridge_network_with_cni_args)
{
        _cleanup_free_ char *lc = local_config_arg();
        _cleanup_free_ char *dir = xasprintf("%s/net.d", cfgdir);
        _cleanup_free_ char *conf = xasprintf("%s/20-acetestbr.conf", dir);
        _cleanup_free_ char *ipam = xasprintf("%s/ipam", cfgdir);
        _cleanup_free_ char *text =
            xasprintf("{\"cniVersion\": \"0.4.0\", \"name\": \"acetestbr\", \"type\": \"bridge\", "
                      "\"bridge\": \"acetestbr0\", \"isGateway\": true, \"ipam\": {\"type\": "
                      "\"host-local\", \"subnet\": \"10.78.0.0/24\", \"dataDir\": \"%s\"}}",
                      ipam);
        const char *args[] = {"--net=acetestbr:IP=10.78.0.42,default", lc, NULL};
        struct pod_fixture *pf =
            probe_pod("\"ip\", \"http-get-retry\", \"http://10.78.0.1:7002/\", \"3000\"");
        pid_t host_server;

        mkdir(dir, 0755);
        th_write_file(conf, text, 0644);
        host_server = fork();
        if (host_server == 0) {
                _cleanup_free_ char *probe = th_build_path("tests/probe");
                int null = open("/dev/null", O_WRONLY);
                dup2(null, STDOUT_FILENO);
                execl(probe, probe, "serve-http", "7002", "1", NULL);
                _exit(127);
        }
        int st = pf_run(pf, args);
        kill(host_server, SIGTERM);
        waitpid(host_server, NULL, 0);
        (void)tu_sh("ip link del acetestbr0 2>/dev/null");
        cr_assert_eq(st, 0, "stderr: %s", pf->err);
        /* eth0 is the first network given, with the address CNI_ARGS asked for. */
        _cleanup_free_ char *eth0 = th_kv(pf->out, "ip.eth0");
        _cleanup_free_ char *eth1 = th_kv(pf->out, "ip.eth1");
        cr_assert(eth0 && !strcmp(eth0, "10.78.0.42/24"), "out: %s", pf->out);
        cr_assert(eth1 && !strncmp(eth1, "172.16.28.", 10), "out: %s", pf->out);
        _cleanup_free_ char *body = th_kv(pf->out, "http.body");
        cr_assert(body && strstr(body, "hello from"), "the host over the bridge: %s", pf->out);
        _cleanup_free_ char *info = pf_read(pf, "net-info.json");
        cr_assert(info && strstr(info, "\"args\":\"IP=10.78.0.42\"") &&
                      strstr(info, "20-acetestbr.conf"),
                  "%s", info);
        _cleanup_free_ char *leases =
            tu_capture(NULL, "ls %s/acetestbr | grep -c '^10\\.' || true", ipam);
        cr_assert_eq(atoi(leases), 0, "lease released: %s", leases);
        pf_free(pf);
}

Test(network, kill9_then_gc_releases_everything)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=default", lc, NULL};
        struct pod_fixture *pf = probe_pod("\"sleep\", \"60\"");
        _cleanup_free_ char *ready = NULL, *ns = NULL;

        pf_start(pf, args);
        ready = pf_path(pf, "ready");
        cr_assert(th_wait_file(ready, 10000));
        kill(pf->pid, SIGKILL);
        pf_wait(pf);
        /* The namespace outlived the pod, so teardown can still find what was inside. */
        ns = xasprintf("/run/netns/ace-%s", pf->uuid);
        cr_assert(th_exists(ns));
        cr_assert_eq(netcheck_leases_of(pf->uuid), 1);
        cr_assert_gt(netcheck_nat_rules_of(pf->uuid), 0);
        const char *gc_args[] = {pf->uuid, NULL};
        _cleanup_free_ char *out = NULL, *err = NULL;
        cr_assert_eq(pf_entrypoint(pf, "gc", gc_args, &out, &err), 0, "gc: %s", err);
        cr_assert_not(th_exists(ns));
        cr_assert_eq(netcheck_leases_of(pf->uuid), 0);
        cr_assert_eq(netcheck_nat_rules_of(pf->uuid), 0);
        /* Idempotent. */
        cr_assert_eq(pf_entrypoint(pf, "gc", gc_args, NULL, NULL), 0);
        pf_free(pf);
}

/* Whether the host has an interface with this index (the pod's veth peer). */
static bool host_has_ifindex(int idx)
{
        _cleanup_free_ char *out = tu_capture(NULL, "ip -o link show | cut -d: -f1");
        char needle[32];

        snprintf(needle, sizeof(needle), "\n%d\n", idx);
        _cleanup_free_ char *wrapped = xasprintf("\n%s", out);
        return strstr(wrapped, needle) != NULL;
}

/*
 * 100 pods on the default network leave nothing: checked per pod (its netns, its lease, its
 * nat rules, and its host-side veth, found through eth0's peer index), which holds even while
 * other suites run pods of their own; and, under the exclusive network-test lock, the host
 * snapshots before and after (ip link veths, ip netns, IPAM leases, iptables-save -t nat)
 * must be equal unless another suite's pods are running (then the per-pod checks stand).
 */
Test(network, hundred_pods_leak_nothing, .timeout = 600)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=default", lc, NULL};
        struct netcheck_snapshot before, after;
        char *uuids[100];
        int peers[100], lock;

        netcheck_unlock(lockfd);
        lockfd = -1;
        lock = netcheck_lock(true);
        netcheck_snapshot_take(&before, NULL);
        for (int i = 0; i < 100; i++) {
                struct pod_fixture *pf =
                    probe_pod("\"ip\", \"read\", \"/sys/class/net/eth0/iflink\"");
                int st = pf_run(pf, args);
                cr_assert_eq(st, 0, "pod %d: %s", i, pf->err);
                _cleanup_free_ char *peer = th_kv(pf->out, "read");
                cr_assert(peer, "pod %d: %s", i, pf->out);
                peers[i] = atoi(peer);
                uuids[i] = xstrdup(pf->uuid);
                pf_free(pf);
        }
        for (int i = 0; i < 100; i++) {
                _cleanup_free_ char *ns = xasprintf("/run/netns/ace-%s", uuids[i]);
                bool gone = false;
                for (int t = 0; t < 50 && !gone; t++) {
                        gone = !host_has_ifindex(peers[i]);
                        if (!gone)
                                usleep(100 * 1000);
                }
                cr_assert(gone, "pod %d: host veth %d still there", i, peers[i]);
                cr_assert_not(th_exists(ns), "pod %d: %s", i, ns);
                cr_assert_eq(netcheck_leases_of(uuids[i]), 0, "pod %d: lease", i);
                cr_assert_eq(netcheck_nat_rules_of(uuids[i]), 0, "pod %d: nat rules", i);
                free(uuids[i]);
        }
        netcheck_snapshot_take(&after, NULL);
        if (netcheck_other_pods_running())
                /* (not cr_log_warn: Criterion then exits 1 although every test passed) */
                fprintf(stderr, "network: other pods are running: whole-host snapshot "
                                "comparison skipped\n");
        else
                netcheck_assert_same(&before, &after, NULL);
        netcheck_snapshot_done(&before);
        netcheck_snapshot_done(&after);
        netcheck_unlock(lock);
}

/* ---- resolv.conf and hosts ---------------------------------------------------------------------
 */

static void write_dns_net(void)
{
        _cleanup_free_ char *dir = xasprintf("%s/net.d", cfgdir);
        _cleanup_free_ char *conf = xasprintf("%s/30-dnsnet.conf", dir);
        _cleanup_free_ char *text = xasprintf(
            "{\"cniVersion\": \"0.4.0\", \"name\": \"dnsnet\", \"type\": \"ptp\", "
            "\"dns\": {\"nameservers\": [\"10.77.5.53\"], \"search\": [\"pods.example\"]}, "
            "\"ipam\": {\"type\": \"host-local\", \"subnet\": \"10.77.5.0/24\", "
            "\"dataDir\": \"%s/ipam\"}}",
            cfgdir);
        mkdir(dir, 0755);
        th_write_file(conf, text, 0644);
}

Test(network, dns_from_cni_and_hosts_fallback)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=dnsnet", lc, "--hostname=dnspod", NULL};
        struct pod_fixture *pf = probe_pod("\"read\", \"/etc/resolv.conf\", \"read\", "
                                           "\"/etc/hosts\", \"write\", \"/etc/hosts\", \"x\"");

        write_dns_net();
        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *resolv = th_kv_nth(pf->out, "read", 0);
        _cleanup_free_ char *hosts = th_kv_nth(pf->out, "read", 1);
        cr_assert(resolv && strstr(resolv, "search pods.example\\nnameserver 10.77.5.53\\n"),
                  "resolv.conf: %s", pf->out);
        cr_assert(hosts && strstr(hosts, "127.0.0.1?localhost") && strstr(hosts, "?dnspod\\n") &&
                      strstr(hosts, "10.77.5."),
                  "hosts: %s", pf->out);
        /* Bound read-only: an app cannot rewrite the pod's material. */
        _cleanup_free_ char *w = th_kv(pf->out, "write.errno");
        cr_assert(w && !strcmp(w, "EROFS"), "out: %s", pf->out);
        pf_free(pf);
}

Test(network, image_hosts_file_wins_over_the_fallback)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=default", lc, NULL};
        struct pod_fixture *pf;

        timg_write(img, "/etc/hosts", "10.1.2.3 mine\n", 0644);
        timg_symlink(img, "../run/resolv.conf", "/etc/resolv.conf");
        pf = probe_pod("\"read\", \"/etc/hosts\", \"stat\", \"/etc/resolv.conf\"");
        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *hosts = th_kv(pf->out, "read");
        cr_assert(hosts && !strcmp(hosts, "10.1.2.3 mine\\n"), "out: %s", pf->out);
        /* The default network has no DNS: the image's resolv.conf (a dangling link) stays. */
        cr_assert(strstr(pf->out, "stat.errno=ENOENT") || strstr(pf->out, "stat.type=symlink"),
                  "out: %s", pf->out);
        pf_free(pf);
}

Test(network, stage0_material_is_bound_over_the_app_files)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=none", lc, "--dns-conf-mode=resolv=stage0,hosts=stage0", NULL};
        struct pod_fixture *pf;
        _cleanup_free_ char *etc = NULL, *rp = NULL, *hp = NULL;

        timg_write(img, "/etc/hosts", "10.1.2.3 mine\n", 0644);
        timg_write(img, "/etc/resolv.conf", "nameserver 9.9.9.9\n", 0644);
        pf = probe_pod("\"read\", \"/etc/resolv.conf\", \"read\", \"/etc/hosts\"");
        etc = pf_path(pf, "stage1/rootfs/etc");
        tu_run("mkdir -p %s", etc);
        rp = pf_path(pf, "stage1/rootfs/etc/rkt-resolv.conf");
        hp = pf_path(pf, "stage1/rootfs/etc/rkt-hosts");
        th_write_file(rp, "# Generated by ace run\nnameserver 10.0.0.1\n", 0644);
        th_write_file(hp, "127.0.0.1 localhost\n10.0.0.7 db\n", 0644);
        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *resolv = th_kv_nth(pf->out, "read", 0);
        _cleanup_free_ char *hosts = th_kv_nth(pf->out, "read", 1);
        cr_assert(resolv && strstr(resolv, "nameserver 10.0.0.1"), "out: %s", pf->out);
        cr_assert(hosts && strstr(hosts, "10.0.0.7 db"), "out: %s", pf->out);
        pf_free(pf);
}

Test(network, stage0_mode_without_material_fails)
{
        _cleanup_free_ char *lc = local_config_arg();
        const char *args[] = {"--net=none", lc, "--dns-conf-mode=resolv=stage0", NULL};
        struct pod_fixture *pf = probe_pod("\"print\", \"ran\"");

        cr_assert_eq(pf_run(pf, args), 254);
        cr_assert(strstr(pf->err, "rkt-resolv.conf"), "stderr: %s", pf->err);
        pf_free(pf);
}

Test(network, host_network_gets_the_host_files)
{
        const char *args[] = {"--net=host", NULL};
        struct pod_fixture *pf = probe_pod("\"read\", \"/etc/resolv.conf\", \"read\", "
                                           "\"/etc/hosts\"");
        _cleanup_free_ char *host_hosts = th_read_file("/etc/hosts");

        cr_assert_eq(pf_run(pf, args), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *hosts = th_kv_nth(pf->out, "read", 1);
        cr_assert(hosts, "out: %s", pf->out);
        /* Compare the first host line (the probe escapes the rest). */
        char first[64] = "";
        sscanf(host_hosts, "%63[^\n\t]", first);
        cr_assert(strstr(hosts, first), "app: %s, host: %s", hosts, host_hosts);
        pf_free(pf);
}
