/*
 * test_network_pure.c - the pure parts of pod networking: the --net list, network
 * definitions and their precedence, resolution order and interface names, the configuration a
 * CNI plugin gets, CNI results, the pod's ports and the tables.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "stage1/cni.h"
#include "stage1/netconf.h"
#include "stage1/ports.h"
#include "tests/lib/helpers.h"
#include "tests/lib/test_image.h"

/* ---- tables --------------------------------------------------------------------------------- */

Test(network_tables, builtins_sorted_and_parse)
{
        static const char *const expected[] = {"default", "default-restricted"};

        cr_assert_eq(n_net_builtins, ARRAY_SIZE(expected));
        for (size_t i = 0; i < n_net_builtins; i++) {
                _cleanup_json_ struct json_object *conf = NULL;
                cr_assert_str_eq(net_builtins[i].name, expected[i]);
                if (i)
                        cr_assert_lt(strcmp(net_builtins[i - 1].name, net_builtins[i].name), 0);
                cr_assert_eq(net_conf_parse(net_builtins[i].json, strlen(net_builtins[i].json),
                                            false, "builtin", &conf, NULL),
                             0);
                cr_assert_str_eq(json_object_get_string(json_object_object_get(conf, "name")),
                                 net_builtins[i].name);
        }
        /* rkt's addresses: default masquerades 172.16.28.0/24, restricted does not. */
        cr_assert(strstr(net_builtins[0].json, "\"172.16.28.0/24\"") &&
                  strstr(net_builtins[0].json, "\"ipMasq\": true"));
        cr_assert(strstr(net_builtins[1].json, "\"172.31.0.0/16\"") &&
                  strstr(net_builtins[1].json, "\"ipMasq\": false"));
}

Test(network_tables, netns_free_plugins_sorted)
{
        for (size_t i = 1; i < n_cni_netns_free_plugins; i++)
                cr_assert_lt(strcmp(cni_netns_free_plugins[i - 1], cni_netns_free_plugins[i]), 0);
        cr_assert(cni_plugin_netns_free("ptp") && cni_plugin_netns_free("portmap"));
        cr_assert_not(cni_plugin_netns_free("host-device"));
        cr_assert_not(cni_plugin_netns_free("something-else"));
}

/* ---- --net ----------------------------------------------------------------------------------- */

Test(net_list, kinds_and_arguments)
{
        struct net_list l;

        cr_assert_eq(net_list_parse("", &l, NULL), 0);
        cr_assert(l.kind == NET_KIND_CNI && l.n == 1 && !strcmp(l.items[0].name, "default"));
        net_list_done(&l);
        cr_assert_eq(net_list_parse("true", &l, NULL), 0);
        cr_assert_str_eq(l.items[0].name, "default");
        net_list_done(&l);
        cr_assert_eq(net_list_parse("none", &l, NULL), 0);
        cr_assert_eq(l.kind, NET_KIND_NONE);
        net_list_done(&l);
        cr_assert_eq(net_list_parse("host", &l, NULL), 0);
        cr_assert_eq(l.kind, NET_KIND_HOST);
        net_list_done(&l);
        cr_assert_eq(net_list_parse("a,b:IP=10.1.0.5;K=V,all", &l, NULL), 0);
        cr_assert(l.kind == NET_KIND_CNI && l.all && l.n == 3);
        cr_assert_str_eq(l.items[1].name, "b");
        cr_assert_str_eq(l.items[1].args, "IP=10.1.0.5;K=V");
        cr_assert_null(l.items[0].args);
        net_list_done(&l);
}

Test(net_list, errors)
{
        static const struct {
                const char *in, *msg;
        } cases[] = {
            {"none,default", "cannot be combined"},
            {"default,host", "cannot be combined"},
            {"a,a", "more than once"},
            {"a,,b", "empty network name"},
            {"a b", "bad network name"},
            {"-x", "bad network name"},
            {"all:K=V", "takes no arguments"},
            {"host:K=V", "takes no arguments"},
            {"a:", "empty arguments"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_error_ struct ace_error *err = NULL;
                struct net_list l;
                cr_assert_lt(net_list_parse(cases[i].in, &l, &err), 0, "%s", cases[i].in);
                cr_assert(strstr(ace_error_msg(err), cases[i].msg), "%s: %s", cases[i].in,
                          ace_error_msg(err));
        }
}

/* ---- configurations ---------------------------------------------------------------------------
 */

static int parse(const char *text, bool list, struct json_object **o, struct ace_error **err)
{
        return net_conf_parse(text, strlen(text), list, "t.conf", o, err);
}

Test(net_conf, conf_becomes_a_list_of_one)
{
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *plugins;

        cr_assert_eq(
            parse("{\"name\": \"n1\", \"type\": \"ptp\", \"ipMasq\": true}", false, &o, NULL), 0);
        cr_assert_str_eq(json_object_get_string(json_object_object_get(o, "cniVersion")), "0.1.0");
        plugins = json_object_object_get(o, "plugins");
        cr_assert_eq(json_object_array_length(plugins), 1);
        cr_assert(json_object_get_boolean(
            json_object_object_get(json_object_array_get_idx(plugins, 0), "ipMasq")));
        cr_assert(cni_conf_ipmasq(o));
}

Test(net_conf, errors)
{
        static const struct {
                const char *text;
                bool list;
                const char *msg;
        } cases[] = {
            {"{\"type\": \"ptp\"}", false, "name"},
            {"{\"name\": \"a b\", \"type\": \"ptp\"}", false, "name"},
            {"{\"name\": \"n\"}", false, "type"},
            {"{\"name\": \"n\", \"type\": \"../bin/sh\"}", false, "type"},
            {"{\"name\": \"n\", \"type\": \"ptp\", \"cniVersion\": \"1\"}", false, "N.N.N"},
            {"{\"name\": \"n\", \"plugins\": []}", true, "cniVersion"},
            {"{\"name\": \"n\", \"cniVersion\": \"0.4.0\", \"plugins\": []}", true, "non-empty"},
            {"{\"name\": \"n\", \"cniVersion\": \"0.2.0\", \"plugins\": [{\"type\": \"a\"}, "
             "{\"type\": \"b\"}]}",
             true, "0.3.0"},
            {"[1]", false, "object"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_error_ struct ace_error *err = NULL;
                struct json_object *o = NULL;
                cr_assert_lt(parse(cases[i].text, cases[i].list, &o, &err), 0, "case %zu", i);
                cr_assert(strstr(ace_error_msg(err), cases[i].msg) &&
                              strstr(ace_error_msg(err), "t.conf"),
                          "case %zu: %s", i, ace_error_msg(err));
        }
}

Test(net_conf, version_compare)
{
        cr_assert_lt(net_version_cmp("0.2.0", "0.3.0"), 0);
        cr_assert_gt(net_version_cmp("1.0.0", "0.4.0"), 0);
        cr_assert_eq(net_version_cmp("0.4.0", "0.4.0"), 0);
        cr_assert_lt(net_version_cmp("0.10.0", "0.9.0") * -1, 0);
        cr_assert_lt(net_version_cmp(NULL, "0.1.0"), 0);
}

/* ---- definitions and resolution ---------------------------------------------------------------
 */

static void write_conf(const char *dir, const char *file, const char *text)
{
        _cleanup_free_ char *d = xasprintf("%s/net.d", dir), *p = xasprintf("%s/%s", d, file);
        mkdir(d, 0755);
        th_write_file(p, text, 0644);
}

Test(net_defs, precedence_and_order)
{
        _cleanup_free_ char *sys = th_mkdtemp("ace-netsys"), *loc = th_mkdtemp("ace-netloc");
        const char *dirs[] = {sys, NULL, loc};
        struct net_defs d;

        write_conf(sys, "50-a.conf", "{\"name\": \"a\", \"type\": \"bridge\"}");
        write_conf(sys, "90-default.conf", "{\"name\": \"default\", \"type\": \"macvlan\"}");
        write_conf(loc, "10-a.conf", "{\"name\": \"a\", \"type\": \"ptp\"}");
        write_conf(loc, "20-a-again.conf", "{\"name\": \"a\", \"type\": \"ipvlan\"}");
        write_conf(loc, "30-b.conflist",
                   "{\"name\": \"b\", \"cniVersion\": \"0.4.0\", "
                   "\"plugins\": [{\"type\": \"ptp\"}, {\"type\": \"portmap\"}]}");
        write_conf(loc, "README", "not a network");
        write_conf(loc, ".hidden.conf", "{broken");
        cr_assert_eq(net_defs_load(dirs, ARRAY_SIZE(dirs), &d, NULL), 0);
        /* local's first file wins over its later one and over the system dir. */
        const struct net_def *a = net_defs_find(&d, "a");
        cr_assert(a && strstr(a->source, "10-a.conf"));
        const struct net_def *def = net_defs_find(&d, "default");
        cr_assert(def && strstr(def->source, "90-default.conf"), "a file overrides a builtin");
        cr_assert(net_defs_find(&d, "default-restricted"));
        cr_assert_eq(json_object_array_length(
                         json_object_object_get(net_defs_find(&d, "b")->conf, "plugins")),
                     2);

        /* Resolution: --net order names the interfaces; args go to their network. */
        struct net_list l;
        struct net_attach *att = NULL;
        size_t n = 0;
        cr_assert_eq(net_list_parse("b,a:IP=10.9.0.3,default-restricted", &l, NULL), 0);
        cr_assert_eq(net_resolve(&l, &d, &att, &n, NULL), 0);
        cr_assert_eq(n, 3);
        cr_assert_str_eq(att[0].def->name, "b");
        cr_assert_str_eq(att[0].ifname, "eth0");
        cr_assert_str_eq(att[1].def->name, "a");
        cr_assert_str_eq(att[1].ifname, "eth1");
        cr_assert_str_eq(att[1].args, "IP=10.9.0.3");
        cr_assert_str_eq(att[2].ifname, "eth2");
        free(att);
        net_list_done(&l);

        /* all: files by name, then the built-ins not overridden. */
        cr_assert_eq(net_list_parse("all", &l, NULL), 0);
        cr_assert_eq(net_resolve(&l, &d, &att, &n, NULL), 0);
        cr_assert_eq(n, 4);
        cr_assert_str_eq(att[3].def->name, "default-restricted");
        free(att);
        net_list_done(&l);

        /* Unknown names: all of them in one message. */
        _cleanup_error_ struct ace_error *err = NULL;
        cr_assert_eq(net_list_parse("x,a,y", &l, NULL), 0);
        cr_assert_lt(net_resolve(&l, &d, &att, &n, &err), 0);
        cr_assert(strstr(ace_error_msg(err), "\"x\", \"y\""), "%s", ace_error_msg(err));
        net_list_done(&l);
        net_defs_done(&d);
        th_rm_rf(sys);
        th_rm_rf(loc);
}

Test(net_defs, broken_file_is_named)
{
        _cleanup_free_ char *loc = th_mkdtemp("ace-netloc");
        _cleanup_error_ struct ace_error *err = NULL;
        const char *dirs[] = {loc};
        struct net_defs d;

        write_conf(loc, "10-bad.conf", "{\"name\": \"bad\",");
        cr_assert_lt(net_defs_load(dirs, 1, &d, &err), 0);
        cr_assert(strstr(ace_error_msg(err), "10-bad.conf"), "%s", ace_error_msg(err));
        th_rm_rf(loc);
}

/* ---- what a plugin gets, what it returns ----------------------------------------------------- */

static struct json_object *obj(const char *text)
{
        struct json_object *o = NULL;
        cr_assert_eq(json_parse_object(text, strlen(text), 64, &o, NULL), 0, "%s", text);
        return o;
}

Test(cni, plugin_conf_injection)
{
        _cleanup_json_ struct json_object *conf =
            obj("{\"cniVersion\": \"0.4.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"ptp\"}, "
                "{\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}]}");
        _cleanup_json_ struct json_object *pm = obj("{\"a\": [{\"hostPort\": 8080}]}");
        _cleanup_json_ struct json_object *prev = obj("{\"cniVersion\": \"0.4.0\", \"ips\": []}");
        struct cni_net net = {
            .conf = conf, .ifname = "eth0", .port_mappings = json_object_object_get(pm, "a")};
        _cleanup_json_ struct json_object *p0 = cni_plugin_conf(&net, 0, NULL);
        _cleanup_json_ struct json_object *p1 = cni_plugin_conf(&net, 1, prev);
        _cleanup_free_ char *t0 = json_to_text(p0, JSON_COMPACT);
        _cleanup_free_ char *t1 = json_to_text(p1, JSON_COMPACT);

        cr_assert(strstr(t0, "\"name\":\"n\"") && strstr(t0, "\"cniVersion\":\"0.4.0\""), "%s", t0);
        cr_assert_null(strstr(t0, "prevResult"));
        cr_assert_null(strstr(t0, "runtimeConfig"), "ptp declares no portMappings: %s", t0);
        cr_assert(strstr(t1, "\"prevResult\":{\"cniVersion\":\"0.4.0\"") &&
                      strstr(t1, "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080}]}"),
                  "%s", t1);
        /* The definition itself is untouched. */
        _cleanup_free_ char *tc = json_to_text(conf, JSON_COMPACT);
        cr_assert_null(strstr(tc, "runtimeConfig"));
}

Test(cni, result_ip4)
{
        struct cni_ip4 ip;
        _cleanup_json_ struct json_object *r040 =
            obj("{\"cniVersion\": \"0.4.0\", \"interfaces\": [{\"name\": \"veth1\"}, {\"name\": "
                "\"eth0\", \"sandbox\": \"/run/netns/x\"}], \"ips\": [{\"version\": \"6\", "
                "\"address\": \"fd00::2/64\"}, {\"version\": \"4\", \"interface\": 1, \"address\": "
                "\"172.16.28.7/24\", \"gateway\": \"172.16.28.1\"}], \"dns\": {}}");
        _cleanup_json_ struct json_object *r020 =
            obj("{\"cniVersion\": \"0.2.0\", \"ip4\": {\"ip\": \"10.1.0.5/16\"}, \"dns\": "
                "{\"nameservers\": [\"10.1.0.1\"]}}");
        _cleanup_json_ struct json_object *none = obj("{\"cniVersion\": \"1.0.0\", \"ips\": []}");
        _cleanup_json_ struct json_object *bad = obj("{\"ips\": [{\"address\": \"1.2.3.4/40\"}]}");

        cr_assert_eq(cni_result_ip4(r040, &ip, NULL), 0);
        cr_assert_str_eq(ip.address, "172.16.28.7");
        cr_assert_str_eq(ip.mask, "255.255.255.0");
        cr_assert_str_eq(ip.gateway, "172.16.28.1");
        cr_assert_null(cni_result_dns(r040), "an empty dns object says nothing");
        cr_assert_eq(cni_result_ip4(r020, &ip, NULL), 0);
        cr_assert_str_eq(ip.address, "10.1.0.5");
        cr_assert_str_eq(ip.mask, "255.255.0.0");
        cr_assert_str_eq(ip.gateway, "");
        cr_assert_not_null(cni_result_dns(r020));
        cr_assert_lt(cni_result_ip4(none, &ip, NULL), 0);
        cr_assert_lt(cni_result_ip4(bad, &ip, NULL), 0);
}

/* ---- ports ----------------------------------------------------------------------------------- */

#define IMG(ports)                                                                                 \
        "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", \"name\": \"example.com/x\", " \
        "\"app\": {\"exec\": [\"/x\"], \"user\": \"0\", \"group\": \"0\", \"ports\": " ports "}}"
#define POD(ports)                                                                                 \
        "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": [{\"name\": \"web\", " \
        "\"image\": {\"name\": \"example.com/x\", \"id\": \"sha512-" ID "\"}}, {\"name\": "        \
        "\"db\", \"image\": {\"id\": \"sha512-" ID "\"}, \"app\": {\"exec\": [\"/db\"], "          \
        "\"user\": \"0\", \"group\": \"0\", \"ports\": [{\"name\": \"pg\", \"protocol\": "         \
        "\"tcp\", \"port\": 5432}]}}], \"ports\": " ports "}"
#define ID                                                                                         \
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" \
        "0000000000000000000000000000000000000000"

Test(ports, exposed_ports_become_mappings)
{
        const char *images[] = {IMG("[{\"name\": \"http\", \"protocol\": \"tcp\", \"port\": 80, "
                                    "\"socketActivated\": true}, {\"name\": \"dns\", "
                                    "\"protocol\": \"udp\", \"port\": 53, \"count\": 2}]"),
                                NULL};
        struct pod_ports p;

        cr_assert_eq(pod_ports_from_texts(POD("[{\"name\": \"http\", \"hostPort\": 8080}, "
                                              "{\"name\": \"dns\", \"hostPort\": 5353, "
                                              "\"hostIP\": \"127.0.0.1\"}]"),
                                          images, 2, &p, NULL),
                     0);
        cr_assert_eq(p.n, 3);
        cr_assert(p.items[0].socket_activated && p.items[0].host_port == 8080);
        cr_assert_str_eq(p.items[2].app, "db");
        cr_assert_eq(p.items[2].host_port, 0);
        _cleanup_json_ struct json_object *m = pod_ports_mappings(&p);
        _cleanup_free_ char *t = json_to_text(m, JSON_COMPACT);
        cr_assert_str_eq(t, "[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
                            "{\"hostPort\":5353,\"containerPort\":53,\"protocol\":\"udp\","
                            "\"hostIP\":\"127.0.0.1\"},{\"hostPort\":5354,\"containerPort\":54,"
                            "\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"}]");
        pod_ports_done(&p);

        cr_assert_eq(pod_ports_from_texts(POD("[]"), images, 2, &p, NULL), 0);
        cr_assert_null(pod_ports_mappings(&p), "nothing exposed, no portmap");
        pod_ports_done(&p);
}

Test(ports, unknown_and_ambiguous_names)
{
        const char *images[] = {IMG("[{\"name\": \"pg\", \"protocol\": \"tcp\", \"port\": 1}]"),
                                NULL};
        _cleanup_error_ struct ace_error *e1 = NULL, *e2 = NULL;
        struct pod_ports p;

        cr_assert_lt(pod_ports_from_texts(POD("[{\"name\": \"nope\", \"hostPort\": 1}]"), images, 2,
                                          &p, &e1),
                     0);
        cr_assert(strstr(ace_error_msg(e1), "\"nope\" is not declared"), "%s", ace_error_msg(e1));
        cr_assert_lt(
            pod_ports_from_texts(POD("[{\"name\": \"pg\", \"hostPort\": 1}]"), images, 2, &p, &e2),
            0);
        cr_assert(strstr(ace_error_msg(e2), "both app web and app db"), "%s", ace_error_msg(e2));
}

/* ---- DNS ------------------------------------------------------------------------------------- */

#include "stage1/dns.h"

Test(dns, conf_mode)
{
        struct dns_conf_mode m;
        _cleanup_error_ struct ace_error *e1 = NULL, *e2 = NULL;

        cr_assert_eq(dns_conf_mode_parse(NULL, &m, NULL), 0);
        cr_assert(m.resolv == DNS_RESOLV_DEFAULT && m.hosts == DNS_HOSTS_DEFAULT);
        cr_assert_eq(dns_conf_mode_parse("resolv=stage0,hosts=host", &m, NULL), 0);
        cr_assert(m.resolv == DNS_RESOLV_STAGE0 && m.hosts == DNS_HOSTS_HOST);
        cr_assert_eq(dns_conf_mode_parse("hosts=stage0", &m, NULL), 0);
        cr_assert(m.resolv == DNS_RESOLV_DEFAULT && m.hosts == DNS_HOSTS_STAGE0);
        cr_assert_lt(dns_conf_mode_parse("resolv=bogus", &m, &e1), 0);
        cr_assert(strstr(ace_error_msg(e1), "bogus"));
        cr_assert_lt(dns_conf_mode_parse("hosts=none", &m, &e2), 0, "hosts has no none mode");
}

Test(dns, resolv_from_cni_and_fallback)
{
        _cleanup_json_ struct json_object *dns =
            obj("{\"nameservers\": [\"10.0.0.53\", \"10.0.0.54\"], \"search\": [\"a.example\", "
                "\"b.example\"], \"options\": [\"ndots:2\"], \"domain\": \"example\"}");
        _cleanup_free_ char *text = dns_resolv_from_cni(dns, "net1");
        _cleanup_free_ char *hosts = dns_hosts_fallback("ace-x", "172.16.28.9");
        _cleanup_free_ char *hosts2 = dns_hosts_fallback("h", NULL);

        cr_assert_str_eq(text, "# Generated by ace from the DNS of network net1\n"
                               "search a.example b.example\n"
                               "nameserver 10.0.0.53\n"
                               "nameserver 10.0.0.54\n"
                               "options ndots:2\n"
                               "domain example\n");
        cr_assert(strstr(hosts, "127.0.0.1\tlocalhost ") && strstr(hosts, "::1\tlocalhost ") &&
                  strstr(hosts, "172.16.28.9\tace-x\n"));
        cr_assert(strstr(hosts2, "127.0.1.1\th\n"));
}

Test(dns, prepare_modes)
{
        _cleanup_free_ char *dir = th_mkdtemp("ace-dns");
        _cleanup_json_ struct json_object *dns = obj("{\"nameservers\": [\"10.9.9.9\"]}");
        struct mount_etc_file f[2];
        size_t n;
        int podfd = open(dir, O_RDONLY | O_DIRECTORY);
        struct dns_inputs in = {.hostname = "ace-1",
                                .pod_ip = "10.1.1.2",
                                .cni_dns = dns,
                                .cni_dns_network = "default"};

        /* default: the CNI DNS becomes rkt-resolv.conf; hosts only where the app has none. */
        cr_assert_eq(dns_prepare(podfd, &in, f, &n, NULL), 0);
        cr_assert_eq(n, 2);
        cr_assert(!strcmp(f[0].target, "/etc/resolv.conf") && f[0].base == MSRC_POD &&
                  !strcmp(f[0].source, DNS_RESOLV_FILE) && !f[0].if_missing);
        cr_assert(!strcmp(f[1].target, "/etc/hosts") && f[1].if_missing &&
                  !strcmp(f[1].source, DNS_HOSTS_FALLBACK));
        _cleanup_free_ char *rp = xasprintf("%s/%s", dir, DNS_RESOLV_FILE);
        _cleanup_free_ char *resolv = th_read_file(rp);
        cr_assert(resolv && strstr(resolv, "nameserver 10.9.9.9\n"));
        /* No CNI DNS: the app keeps its resolv.conf. */
        in.cni_dns = NULL;
        cr_assert_eq(dns_prepare(podfd, &in, f, &n, NULL), 0);
        cr_assert_eq(n, 1);
        cr_assert_str_eq(f[0].target, "/etc/hosts");
        /* host networking: the host's files. */
        in.host_net = true;
        cr_assert_eq(dns_prepare(podfd, &in, f, &n, NULL), 0);
        cr_assert(n == 2 && f[0].base == MSRC_HOST && !strcmp(f[0].source, "/etc/resolv.conf") &&
                  f[1].base == MSRC_HOST && !f[1].if_missing);
        /* stage0 modes need stage0's files. */
        _cleanup_error_ struct ace_error *err = NULL;
        in.host_net = false;
        in.mode.hosts = DNS_HOSTS_STAGE0;
        cr_assert_lt(dns_prepare(podfd, &in, f, &n, &err), 0);
        cr_assert(strstr(ace_error_msg(err), "rkt-hosts"), "%s", ace_error_msg(err));
        _cleanup_free_ char *hp = xasprintf("%s/%s", dir, DNS_HOSTS_FILE);
        th_write_file(hp, "10.0.0.1 db\n", 0644);
        cr_assert_eq(dns_prepare(podfd, &in, f, &n, NULL), 0);
        cr_assert(!strcmp(f[n - 1].source, DNS_HOSTS_FILE) && !f[n - 1].if_missing);
        in.mode.resolv = DNS_RESOLV_NONE;
        cr_assert_eq(dns_prepare(podfd, &in, f, &n, NULL), 0);
        cr_assert_eq(n, 1);
        close(podfd);
        th_rm_rf(dir);
}

/* ---- socket activation: which app gets which socket -------------------------------------------
 */

#include <netinet/in.h>
#include <sys/socket.h>

#include "stage1/listen_fds.h"

static int tcp_socket(unsigned *port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
        socklen_t sl = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        getsockname(fd, (struct sockaddr *)&sa, &sl);
        *port = ntohs(sa.sin_port);
        return fd;
}

static void port(struct pod_ports *p, const char *app, unsigned n, bool activated, unsigned host)
{
        p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
        p->items[p->n++] = (struct pod_port){.app = xstrdup(app),
                                             .name = xstrdup("p"),
                                             .protocol = xstrdup("tcp"),
                                             .port = n,
                                             .count = 1,
                                             .socket_activated = activated,
                                             .host_port = host};
}

Test(listen_fds, one_activated_app_gets_everything)
{
        char *apps[] = {"a", "b"};
        struct pod_ports ports = {0};
        unsigned p1, p2;
        int f1 = tcp_socket(&p1), f2 = tcp_socket(&p2);
        struct listen_fds l = {.fds = xcalloc(2, sizeof(int)), .n = 2};
        int **fds;
        size_t *n;

        l.fds[0] = f1;
        l.fds[1] = f2;
        port(&ports, "a", 1, false, 0);
        port(&ports, "b", 80, true, 0);
        cr_assert_eq(listen_fds_assign(&l, &ports, apps, 2, &fds, &n, NULL), 0);
        cr_assert_eq(n[0], 0);
        cr_assert_eq(n[1], 2);
        cr_assert(fds[1][0] == f1 && fds[1][1] == f2, "in the order passed");
        close(f1);
        close(f2);
        free(fds[1]);
        free(fds);
        free(n);
        pod_ports_done(&ports);
}

Test(listen_fds, several_apps_match_by_port_and_strays_are_closed)
{
        char *apps[] = {"a", "b"};
        struct pod_ports ports = {0};
        unsigned pa, pb, px;
        int fa = tcp_socket(&pa), fb = tcp_socket(&pb), fx = tcp_socket(&px);
        struct listen_fds l = {.fds = xcalloc(3, sizeof(int)), .n = 3};
        int **fds;
        size_t *n;

        l.fds[0] = fx;
        l.fds[1] = fb;
        l.fds[2] = fa;
        port(&ports, "a", pa, true, 0);  /* the socket's port is the app's */
        port(&ports, "b", 80, true, pb); /* the socket's port is the exposed host port */
        cr_assert_eq(listen_fds_assign(&l, &ports, apps, 2, &fds, &n, NULL), 0);
        cr_assert(n[0] == 1 && fds[0][0] == fa);
        cr_assert(n[1] == 1 && fds[1][0] == fb);
        cr_assert_lt(fcntl(fx, F_GETFD), 0, "an unclaimed socket is closed");
        cr_assert_null(l.fds);
        close(fa);
        close(fb);
        free(fds[0]);
        free(fds[1]);
        free(fds);
        free(n);
        pod_ports_done(&ports);
}
