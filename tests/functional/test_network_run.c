/*
 * test_network_run.c - networking through `ace run`/`prepare`/`run-prepared` (stage0 flags to
 * stage1 and back): the default network without --net, `ace status`/`ace list` networks (rkt's
 * net-info.json fields), a forwarded port answering from the host, the --dns flags and
 * --hosts-entry, named networks from --local-config, and the flag rules.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "tests/lib/ace_cmd.h"
#include "tests/lib/helpers.h"
#include "tests/lib/netcheck.h"
#include "tests/lib/test_image.h"
#include "tests/lib/tu.h"

static char *dir, *aci, *cfg;
static struct test_image *img;
static int lockfd = -1;
static pid_t running[4];
static size_t n_running;

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        lockfd = netcheck_lock(false);
        dir = th_mkdtemp("ace-netrun");
        cfg = xasprintf("%s/config", dir);
        mkdir(cfg, 0755);
        img = timg_new("example.com/web");
        _cleanup_free_ char *m =
            ft_manifest("example.com/web", "1.0",
                        "{\"exec\": [\"/probe\", \"ip\"], \"user\": \"0\", \"group\": \"0\", "
                        "\"ports\": [{\"name\": \"http\", \"protocol\": \"tcp\", \"port\": 80}]}",
                        NULL);
        aci = xasprintf("%s/web.aci", dir);
        free(ft_write_aci(img->dir, m, aci));
}

static void teardown(void)
{
        struct ace_result r;

        /* Pods a failed test left running: stop them (their relay tears the network down)
         * before their directories go. */
        for (size_t i = 0; i < n_running; i++) {
                kill(running[i], SIGTERM);
                waitpid(running[i], NULL, 0);
        }
        ace_runf(dir, &r, "gc --grace-period=0s");
        ace_result_done(&r);
        th_rm_rf(dir);
        timg_free(img);
        free(dir);
        free(aci);
        free(cfg);
        netcheck_unlock(lockfd);
}

TestSuite(network_run, .init = setup, .fini = teardown, .timeout = 180);

/* `ace run --insecure-options=image FLAGS ACI --exec=/probe -- ARGS` in the background. */
static pid_t spawn(const char *flags, const char *args, char **ret_out)
{
        _cleanup_free_ char *cmd = xasprintf("--local-config=%s run --insecure-options=image %s %s "
                                             "--exec=/probe -- %s",
                                             cfg, flags, aci, args);
        _cleanup_strv_free_ char **argv = strv_split(cmd, " ", false);
        pid_t pid = ace_spawn(dir, argv, ret_out, NULL);

        cr_assert(n_running < ARRAY_SIZE(running));
        running[n_running++] = pid;
        return pid;
}

static void finish(pid_t pid)
{
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        for (size_t i = 0; i < n_running; i++)
                if (running[i] == pid)
                        running[i] = running[--n_running];
}

static bool wait_for(const char *path, const char *needle, int ms)
{
        for (int t = 0; t < ms; t += 50) {
                _cleanup_free_ char *text = th_read_file(path);
                if (text && strstr(text, needle))
                        return true;
                usleep(50 * 1000);
        }
        return false;
}

Test(network_run, default_network_and_status)
{
        _cleanup_free_ char *out = NULL, *uuid_file = xasprintf("%s/uuid", dir);
        _cleanup_free_ char *flags = xasprintf("--uuid-file-save=%s", uuid_file);
        pid_t pid = spawn(flags, "ip print up sleep 60", &out);
        struct ace_result r;

        cr_assert(wait_for(out, "up\n", 20000), "pod did not start");
        _cleanup_free_ char *text = th_read_file(out);
        _cleanup_free_ char *eth0 = th_kv(text, "ip.eth0");
        cr_assert(eth0 && !strncmp(eth0, "172.16.28.", 10), "no --net: the default network: %s",
                  text);
        ace_runf(dir, &r, "status --uuid-file=%s", uuid_file);
        _cleanup_free_ char *ip = xstrndup(eth0, strcspn(eth0, "/"));
        _cleanup_free_ char *want = xasprintf("networks=default:ip4=%s\n", ip);
        cr_assert(strstr(r.out, want), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "status --format=json --uuid-file=%s", uuid_file);
        _cleanup_free_ char *jip = xasprintf("\"ip\":\"%s\"", ip);
        cr_assert(strstr(r.out, "\"networks\":[{\"netName\":\"default\",\"netConf\":\"builtin\","
                                "\"pluginPath\":\"/usr/lib/cni/ptp\",\"ifName\":\"eth0\"") &&
                      strstr(r.out, jip) && strstr(r.out, "\"mask\":\"255.255.255.0\""),
                  "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r, "list --no-legend");
        _cleanup_free_ char *col = xasprintf("default:ip4=%s", ip);
        cr_assert(strstr(r.out, col), "%s", r.out);
        ace_result_done(&r);
        finish(pid);
        /* The exited pod still shows its network; the namespace is gone. */
        _cleanup_free_ char *uuid = th_read_file(uuid_file);
        uuid[strcspn(uuid, "\n")] = 0;
        _cleanup_free_ char *ns = xasprintf("/run/netns/ace-%s", uuid);
        cr_assert_not(th_exists(ns));
        ace_runf(dir, &r, "status --uuid-file=%s", uuid_file);
        cr_assert(strstr(r.out, want) && strstr(r.out, "state=exited"), "%s", r.out);
        ace_result_done(&r);
}

/* The host's first global IPv4 address (not loopback). */
static char *host_address(void)
{
        char *a = tu_capture(NULL, "ip -4 -o addr show scope global | awk '{print $4}' | "
                                   "cut -d/ -f1 | head -1");
        a[strcspn(a, "\n")] = 0;
        return a;
}

Test(network_run, forwarded_port_answers_from_the_host)
{
        _cleanup_free_ char *out = NULL, *probe = th_build_path("tests/probe");
        _cleanup_free_ char *host = host_address();
        pid_t pid = spawn("--port=http:18731", "serve-http 80 2", &out);

        cr_assert(wait_for(out, "listening=80", 20000), "pod did not listen");
        _cleanup_free_ char *lo =
            tu_capture(NULL, "%s http-get-retry http://127.0.0.1:18731/ 5000", probe);
        cr_assert(strstr(lo, "hello from ace-"), "via 127.0.0.1: %s", lo);
        if (*host) {
                _cleanup_free_ char *g =
                    tu_capture(NULL, "%s http-get-retry http://%s:18731/ 5000", probe, host);
                cr_assert(strstr(g, "hello from ace-"), "via %s: %s", host, g);
        }
        int st;
        waitpid(pid, &st, 0);
        finish(pid);
        /* The forwarding rules went with the pod. */
        _cleanup_free_ char *nat = tu_capture(NULL, "iptables-save -t nat | grep -c 'dport 18731' "
                                                    "|| true");
        cr_assert_eq(atoi(nat), 0, "nat rules for the port remain");
}

Test(network_run, dns_and_hosts_flags)
{
        struct ace_result r;

        ace_runf(dir, &r,
                 "run --insecure-options=image --net=none --dns=10.1.1.1,10.1.1.2 "
                 "--dns-search=pods.example --dns-opt=ndots:3 --hosts-entry=10.0.0.7=db "
                 "--hostname=dnspod %s --exec=/probe -- read /etc/resolv.conf read /etc/hosts",
                 aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        _cleanup_free_ char *resolv = th_kv_nth(r.out, "read", 0);
        _cleanup_free_ char *hosts = th_kv_nth(r.out, "read", 1);
        cr_assert(resolv && strstr(resolv, "search pods.example\\nnameserver 10.1.1.1\\n"
                                           "nameserver 10.1.1.2\\noptions ndots:3\\n"),
                  "%s", r.out);
        cr_assert(hosts && strstr(hosts, "10.0.0.7 db") && strstr(hosts, "?dnspod"), "%s", r.out);
        ace_result_done(&r);
        ace_runf(dir, &r,
                 "run --insecure-options=image --net=none --dns=host %s --exec=/probe "
                 "-- read /etc/resolv.conf",
                 aci);
        _cleanup_free_ char *host_resolv = th_read_file("/etc/resolv.conf");
        cr_assert_eq(r.status, 0, "%s", r.err);
        if (host_resolv && *host_resolv) {
                char first[64] = "";
                sscanf(host_resolv, "%63[^\n]", first);
                cr_assert(strstr(r.out, first), "%s vs %s", r.out, first);
        }
        ace_result_done(&r);
        ace_runf(dir, &r, "run --insecure-options=image --dns=none --dns-domain=x %s", aci);
        cr_assert_eq(r.status, 254);
        cr_assert(strstr(r.err, "--dns=host or --dns=none"), "%s", r.err);
        ace_result_done(&r);
}

Test(network_run, named_network_from_local_config_and_run_prepared)
{
        _cleanup_free_ char *netd = xasprintf("%s/net.d", cfg);
        _cleanup_free_ char *conf = xasprintf("%s/10-acetestpriv.conf", netd);
        _cleanup_free_ char *text =
            xasprintf("{\"cniVersion\": \"0.4.0\", \"name\": \"acetestpriv\", \"type\": \"ptp\", "
                      "\"ipam\": {\"type\": \"host-local\", \"subnet\": \"10.76.3.0/24\", "
                      "\"dataDir\": \"%s/ipam\"}}",
                      dir);
        struct ace_result r;

        mkdir(netd, 0755);
        th_write_file(conf, text, 0644);
        ace_runf(dir, &r,
                 "--local-config=%s run --insecure-options=image --net=acetestpriv "
                 "%s --exec=/probe -- ip",
                 cfg, aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        _cleanup_free_ char *eth0 = th_kv(r.out, "ip.eth0");
        cr_assert(eth0 && !strncmp(eth0, "10.76.3.", 8), "%s", r.out);
        ace_result_done(&r);
        /* prepare records the port; run-prepared takes the network and DNS flags. */
        ace_runf(dir, &r,
                 "prepare --quiet --insecure-options=image --port=http:18732 %s "
                 "--exec=/probe -- ip read /etc/resolv.conf",
                 aci);
        cr_assert_eq(r.status, 0, "%s", r.err);
        _cleanup_free_ char *uuid = xstrndup(r.out, strcspn(r.out, "\n"));
        ace_result_done(&r);
        ace_runf(dir, &r, "--local-config=%s run-prepared --net=none %s", cfg, uuid);
        cr_assert_eq(r.status, 254);
        cr_assert(strstr(r.err, "--port needs a pod network"), "%s", r.err);
        ace_result_done(&r);
        ace_runf(dir, &r, "--local-config=%s run-prepared --net=acetestpriv --dns=10.9.9.9 %s", cfg,
                 uuid);
        cr_assert_eq(r.status, 0, "%s", r.err);
        _cleanup_free_ char *e = th_kv(r.out, "ip.eth0");
        cr_assert(e && !strncmp(e, "10.76.3.", 8), "%s", r.out);
        cr_assert(strstr(r.out, "nameserver 10.9.9.9"), "%s", r.out);
        ace_result_done(&r);
}

Test(network_run, flag_rules)
{
        static const struct {
                const char *flags, *msg;
        } cases[] = {
            {"--net=host --port=http:1", "--port needs a pod network"},
            {"--net=none --mds-register", "--mds-register cannot be used with --net=none"},
            {"--net=default,default", "more than once"},
            {"--port=nope:1", "no app has a port named \"nope\""},
            {"--port=http:99999", "bad host port"},
            {"--port=http:1.2.3:80", "bad host IP"},
            {"--dns=not-an-ip", "invalid IP address"},
            {"--hosts-entry=db", "IP=HOSTNAME"},
            {"--net=nosuchnet", "networks not found: \"nosuchnet\""},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct ace_result r;
                ace_runf(dir, &r, "--local-config=%s run --insecure-options=image %s %s", cfg,
                         cases[i].flags, aci);
                cr_expect_eq(r.status, 254, "%s", cases[i].flags);
                cr_expect(strstr(r.err, cases[i].msg), "%s: %s", cases[i].flags, r.err);
                ace_result_done(&r);
        }
}

/* rkt #3114/#3317: kill -9 of the run process, then `ace gc`: nothing of the network is left. */
Test(network_run, kill9_then_ace_gc)
{
        _cleanup_free_ char *out = NULL, *uuid_file = xasprintf("%s/uuid", dir);
        _cleanup_free_ char *flags = xasprintf("--uuid-file-save=%s", uuid_file);
        pid_t pid = spawn(flags, "print up sleep 60", &out);
        struct ace_result r;

        cr_assert(wait_for(out, "up\n", 20000), "pod did not start");
        _cleanup_free_ char *uuid = th_read_file(uuid_file);
        uuid[strcspn(uuid, "\n")] = 0;
        _cleanup_free_ char *ns = xasprintf("/run/netns/ace-%s", uuid);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        finish(pid);
        cr_assert(th_exists(ns), "the namespace outlives the killed pod, for gc");
        cr_assert_eq(netcheck_leases_of(uuid), 1);
        ace_runf(dir, &r, "gc --grace-period=0s");
        cr_assert_eq(r.status, 0, "%s", r.err);
        ace_result_done(&r);
        cr_assert_not(th_exists(ns));
        cr_assert_eq(netcheck_leases_of(uuid), 0);
        cr_assert_eq(netcheck_nat_rules_of(uuid), 0);
}
