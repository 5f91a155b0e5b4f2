/* network.c - a pod's CNI networks: setup, records, teardown (network.h). */
#include "stage1/network.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage1/cni.h"
#include "stage1/netconf.h"
#include "stage1/netns.h"
#include "stage1/podfiles.h"
#include "stage1/ports.h"

#define NET_DIR "net"
#define DEFAULT_LOCAL_CONFIG "/etc/ace"

void network_state_init(struct network_state *st)
{
        *st = (struct network_state){.netns_fd = -1};
}

void network_state_done(struct network_state *st)
{
        closep(&st->netns_fd);
        strv_free(st->pod_ips);
        json_object_put(st->dns);
        free(st->dns_network);
        network_state_init(st);
}

static const char *jstr(struct json_object *o, const char *key)
{
        struct json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static struct json_object *plugins_of(struct json_object *conf)
{
        struct json_object *p = NULL;

        json_object_object_get_ex(conf, "plugins", &p);
        return p;
}

/* ---- setup --------------------------------------------------------------------------------- */

struct planned {
        char *name, *ifname, *args, *source, *plugin_path;
        struct json_object *conf; /* our own copy: portmap may be appended */
        struct json_object *port_mappings;
        struct json_object *result;
};

struct plan {
        struct planned *nets;
        size_t n;
        size_t forward; /* index of the network ports and the metadata service go through */
        char *cni_path;
        char *netns;
};

static void plan_done(struct plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                struct planned *x = &p->nets[i];
                free(x->name);
                free(x->ifname);
                free(x->args);
                free(x->source);
                free(x->plugin_path);
                json_object_put(x->conf);
                json_object_put(x->port_mappings);
                json_object_put(x->result);
        }
        free(p->nets);
        free(p->cni_path);
        free(p->netns);
        *p = (struct plan){0};
}

static bool has_portmap(struct json_object *conf)
{
        struct json_object *plugins = plugins_of(conf);

        for (size_t i = 0; i < json_object_array_length(plugins); i++) {
                const char *t = jstr(json_object_array_get_idx(plugins, i), "type");
                if (t && strcmp(t, "portmap") == 0)
                        return true;
        }
        return false;
}

/* Ports go through the forwarding network (rkt: the first one that masquerades, else the last);
 * when its list has no portmap, one is chained at its end. */
static int plan_ports(int podfd, struct plan *p, struct ace_error **err)
{
        struct pod_ports ports = {0};
        struct planned *fwd = &p->nets[p->forward];
        struct json_object *mappings;
        int r;

        if ((r = pod_ports_load(podfd, &ports, err)) < 0)
                return r;
        mappings = pod_ports_mappings(&ports);
        pod_ports_done(&ports);
        if (!mappings)
                return 0;
        if (!has_portmap(fwd->conf)) {
                struct json_object *pm = json_object_new_object(), *caps = json_object_new_object();
                if (net_version_cmp(jstr(fwd->conf, "cniVersion"), "0.3.0") < 0) {
                        json_object_put(pm);
                        json_object_put(caps);
                        json_object_put(mappings);
                        return ace_error_make(err, EINVAL,
                                              "network \"%s\": forwarding ports chains the portmap "
                                              "plugin, which needs cniVersion 0.3.0 or later",
                                              fwd->name);
                }
                json_object_object_add(pm, "type", json_object_new_string("portmap"));
                json_object_object_add(caps, "portMappings", json_object_new_boolean(1));
                json_object_object_add(pm, "capabilities", caps);
                json_object_object_add(pm, "snat", json_object_new_boolean(1));
                json_object_array_add(plugins_of(fwd->conf), pm);
        }
        fwd->port_mappings = mappings;
        return 0;
}

static int plan_networks(const struct network_config *cfg, const struct net_list *l, struct plan *p,
                         struct ace_error **err)
{
        const char *local = cfg->local_config ? cfg->local_config : DEFAULT_LOCAL_CONFIG;
        const char *dirs[] = {cfg->system_config ? cfg->system_config : ACE_LIBDIR, local};
        struct net_defs defs = {0};
        _cleanup_free_ struct net_attach *att = NULL;
        size_t n = 0;
        int r;

        if ((r = net_defs_load(dirs, ARRAY_SIZE(dirs), &defs, err)) < 0)
                return r;
        if ((r = net_resolve(l, &defs, &att, &n, err)) < 0 || n == 0) {
                net_defs_done(&defs);
                return r < 0 ? r : ace_error_make(err, ENOENT, "no network to join");
        }
        p->cni_path = xasprintf("%s/net.d:%s", local, CNI_DEFAULT_PATH);
        p->netns = netns_path(cfg->uuid);
        p->nets = xcalloc(n, sizeof(*p->nets));
        p->forward = n - 1;
        for (size_t i = 0; i < n; i++) {
                struct planned *x = &p->nets[p->n++];
                struct json_object *first;
                x->name = xstrdup(att[i].def->name);
                x->ifname = xstrdup(att[i].ifname);
                x->args = att[i].args ? xstrdup(att[i].args) : NULL;
                x->source = xstrdup(att[i].def->source);
                (void)json_object_deep_copy(att[i].def->conf, &x->conf, NULL);
                first = json_object_array_get_idx(plugins_of(x->conf), 0);
                if (cni_find_plugin(p->cni_path, jstr(first, "type"), &x->plugin_path, err) < 0) {
                        net_defs_done(&defs);
                        return ace_error_wrap(err, "network \"%s\"", x->name);
                }
        }
        for (size_t i = n; i-- > 0;)
                if (cni_conf_ipmasq(p->nets[i].conf))
                        p->forward = i; /* ends on the first one that masquerades */
        net_defs_done(&defs);
        return plan_ports(cfg->podfd, p, err);
}

static struct json_object *record_of(const struct plan *p, const struct planned *x)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "netName", json_object_new_string(x->name));
        json_object_object_add(o, "ifName", json_object_new_string(x->ifname));
        if (x->args)
                json_object_object_add(o, "args", json_object_new_string(x->args));
        json_object_object_add(o, "source", json_object_new_string(x->source));
        json_object_object_add(o, "pluginPath", json_object_new_string(x->plugin_path));
        json_object_object_add(o, "cniPath", json_object_new_string(p->cni_path));
        json_object_object_add(o, "netns", json_object_new_string(p->netns));
        json_object_object_add(o, "conf", json_object_get(x->conf));
        if (x->port_mappings)
                json_object_object_add(o, "portMappings", json_object_get(x->port_mappings));
        return o;
}

static int write_json(int podfd, const char *path, struct json_object *o, struct ace_error **err)
{
        _cleanup_free_ char *text = json_to_text(o, JSON_COMPACT);
        return podfile_write(podfd, path, text, err);
}

/* Everything teardown needs, on disk before the first thing it would have to undo exists. */
static int record(int podfd, const struct plan *p, struct ace_error **err)
{
        _cleanup_free_ char *ns = xasprintf("%s\n", p->netns);
        int r;

        if (mkdirat(podfd, NET_DIR, 0755) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "mkdir %s", NET_DIR);
        for (size_t i = 0; i < p->n; i++) {
                _cleanup_json_ struct json_object *o = record_of(p, &p->nets[i]);
                _cleanup_free_ char *path = xasprintf(NET_DIR "/%zu.json", i);
                if ((r = write_json(podfd, path, o, err)) < 0)
                        return r;
        }
        return podfile_write(podfd, "netns", ns, err);
}

static int write_net_info(int podfd, const struct plan *p, struct ace_error **err)
{
        _cleanup_json_ struct json_object *arr = json_object_new_array();

        for (size_t i = 0; i < p->n; i++) {
                const struct planned *x = &p->nets[i];
                struct json_object *o = json_object_new_object();
                struct cni_ip4 ip;
                int r = cni_result_ip4(x->result, &ip, err);

                if (r < 0) {
                        json_object_put(o);
                        return ace_error_wrap(err, "network \"%s\"", x->name);
                }
                json_object_object_add(o, "netName", json_object_new_string(x->name));
                json_object_object_add(o, "netConf",
                                       json_object_new_string(strcmp(x->source, "builtin") == 0
                                                                  ? "builtin"
                                                                  : x->source));
                json_object_object_add(o, "pluginPath", json_object_new_string(x->plugin_path));
                json_object_object_add(o, "ifName", json_object_new_string(x->ifname));
                json_object_object_add(o, "ip", json_object_new_string(ip.address));
                json_object_object_add(o, "args", json_object_new_string(x->args ? x->args : ""));
                json_object_object_add(o, "mask", json_object_new_string(ip.mask));
                json_object_array_add(arr, o);
        }
        return write_json(podfd, "net-info.json", arr, err);
}

static int add_all(int podfd, const char *uuid, struct plan *p, struct network_state *st,
                   struct ace_error **err)
{
        struct cni_runtime rt = {.container_id = uuid, .netns = p->netns, .cni_path = p->cni_path};
        int r;

        for (size_t i = 0; i < p->n; i++) {
                struct planned *x = &p->nets[i];
                struct cni_net net = {.conf = x->conf,
                                      .ifname = x->ifname,
                                      .args = x->args,
                                      .port_mappings = x->port_mappings};
                _cleanup_free_ char *path = xasprintf(NET_DIR "/%zu.result", i);
                struct cni_ip4 ip;

                if ((r = cni_add(&rt, &net, &x->result, err)) < 0 ||
                    (r = write_json(podfd, path, x->result, err)) < 0 ||
                    (r = cni_result_ip4(x->result, &ip, err)) < 0)
                        return ace_error_wrap(err, "network \"%s\"", x->name);
                st->pod_ips = strv_push(st->pod_ips, ip.address);
                if (i == 0)
                        snprintf(st->first_ip, sizeof(st->first_ip), "%s", ip.address);
                if (i == p->forward)
                        snprintf(st->host_ip, sizeof(st->host_ip), "%s", ip.gateway);
                if (!st->dns && cni_result_dns(x->result)) {
                        st->dns = json_object_get(cni_result_dns(x->result));
                        st->dns_network = xstrdup(x->name);
                }
        }
        return 0;
}

int network_setup(const struct network_config *cfg, struct network_state *st,
                  struct ace_error **err)
{
        struct net_list l = {0};
        struct plan p = {0};
        int r;

        if ((r = net_list_parse(cfg->net, &l, err)) < 0)
                return r;
        if (l.kind != NET_KIND_CNI) {
                net_list_done(&l);
                return 0;
        }
        r = plan_networks(cfg, &l, &p, err);
        if (r >= 0)
                r = record(cfg->podfd, &p, err);
        if (r >= 0)
                r = netns_create(p.netns, &st->netns_fd, err);
        if (r >= 0)
                r = add_all(cfg->podfd, cfg->uuid, &p, st, err);
        if (r >= 0)
                r = write_net_info(cfg->podfd, &p, err);
        if (r < 0) {
                closep(&st->netns_fd);
                (void)network_teardown(cfg->podfd, cfg->uuid, false, NULL);
        }
        plan_done(&p);
        net_list_done(&l);
        return r;
}

/* ---- teardown ------------------------------------------------------------------------------ */

struct record {
        unsigned long idx;
        struct json_object *o;      /* net/<N>.json */
        struct json_object *result; /* net/<N>.result or NULL */
};

static void records_free(struct record *recs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                json_object_put(recs[i].o);
                json_object_put(recs[i].result);
        }
        free(recs);
}

static int read_json_at(int dirfd, const char *name, struct json_object **ret,
                        struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        if ((r = fs_read_file_at(dirfd, name, CNI_RESULT_MAX * 2, &buf, &len, err)) < 0)
                return r;
        return json_parse_object(buf, len, ACE_JSON_MAX_DEPTH, ret, err);
}

static int cmp_desc(const void *a, const void *b)
{
        const struct record *x = a, *y = b;
        return x->idx < y->idx ? 1 : x->idx > y->idx ? -1 : 0;
}

/* The records in net/, last network first (teardown order). */
static int load_records(int podfd, struct record **ret, size_t *ret_n, struct ace_error **err)
{
        _cleanup_close_ int dfd = openat(podfd, NET_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_closedir_ DIR *d = NULL;
        struct record *recs = NULL;
        struct dirent *de;
        size_t n = 0;

        *ret = NULL;
        *ret_n = 0;
        if (dfd < 0)
                return errno == ENOENT ? 0 : ace_error_errno(err, errno, "open %s", NET_DIR);
        d = fdopendir(dup(dfd));
        if (!d)
                return ace_error_errno(err, errno, "read %s", NET_DIR);
        while ((de = readdir(d))) {
                char *end, result[64];
                unsigned long idx = strtoul(de->d_name, &end, 10);
                struct record rec = {.idx = idx};

                if (end == de->d_name || strcmp(end, ".json") != 0)
                        continue;
                if (read_json_at(dfd, de->d_name, &rec.o, err) < 0) {
                        records_free(recs, n);
                        return ace_error_wrap(err, "%s/%s", NET_DIR, de->d_name);
                }
                snprintf(result, sizeof(result), "%lu.result", idx);
                (void)read_json_at(dfd, result, &rec.result, NULL);
                recs = xrealloc(recs, (n + 1) * sizeof(*recs));
                recs[n++] = rec;
        }
        qsort(recs, n, sizeof(*recs), cmp_desc);
        *ret = recs;
        *ret_n = n;
        return 0;
}

static bool needs_netns(struct json_object *conf)
{
        struct json_object *plugins = plugins_of(conf);

        if (!plugins || cni_conf_ipmasq(conf))
                return true;
        for (size_t i = 0; i < json_object_array_length(plugins); i++) {
                const char *t = jstr(json_object_array_get_idx(plugins, i), "type");
                if (!t || !cni_plugin_netns_free(t))
                        return true;
        }
        return false;
}

/* Keeps the first error for the caller and logs the rest. */
static void note(int r, struct ace_error **first_err, int *first, struct ace_error **e)
{
        if (r >= 0)
                return;
        if (!*first) {
                *first = r;
                if (first_err)
                        *first_err = TAKE_PTR(*e);
                return;
        }
        log_warn("%s", *e ? ace_error_msg(*e) : "network teardown step failed");
}

static int del_one(int podfd, const char *uuid, const struct record *rec, struct ace_error **err)
{
        struct json_object *conf = NULL, *pm = NULL;
        const char *name = jstr(rec->o, "netName");
        struct cni_runtime rt = {.container_id = uuid,
                                 .netns = jstr(rec->o, "netns"),
                                 .cni_path = jstr(rec->o, "cniPath")};
        struct cni_net net = {.ifname = jstr(rec->o, "ifName"), .args = jstr(rec->o, "args")};
        char path[64];
        int r;

        if (!json_object_object_get_ex(rec->o, "conf", &conf) || !plugins_of(conf) || !rt.netns ||
            !rt.cni_path || !net.ifname)
                return ace_error_make(err, EINVAL, "%s/%lu.json is incomplete", NET_DIR, rec->idx);
        if (json_object_object_get_ex(rec->o, "portMappings", &pm))
                net.port_mappings = pm;
        net.conf = conf;
        if ((r = cni_del(&rt, &net, rec->result, err)) < 0)
                return ace_error_wrap(err, "network \"%s\" teardown", name ? name : "?");
        snprintf(path, sizeof(path), NET_DIR "/%lu.result", rec->idx);
        (void)unlinkat(podfd, path, 0);
        snprintf(path, sizeof(path), NET_DIR "/%lu.json", rec->idx);
        (void)unlinkat(podfd, path, 0);
        return 0;
}

static char *read_netns_file(int podfd)
{
        char *buf = NULL;
        size_t len;

        if (fs_read_file_at(podfd, "netns", 4096, &buf, &len, NULL) < 0)
                return NULL;
        buf[strcspn(buf, "\n")] = 0;
        /* Only ever a namespace of ours: the file is in the pod dir, but be strict anyway. */
        if (strncmp(buf, NETNS_RUN_DIR "/ace-", strlen(NETNS_RUN_DIR "/ace-")) != 0 ||
            strstr(buf, "/..")) {
                free(buf);
                return NULL;
        }
        return buf;
}

int network_teardown(int podfd, const char *uuid, bool last_chance, struct ace_error **err)
{
        _cleanup_free_ char *ns = read_netns_file(podfd);
        struct record *recs = NULL;
        size_t n = 0;
        int first = 0, r;

        r = load_records(podfd, &recs, &n, err);
        if (r < 0)
                return r;
        /* 1: what needs the namespace, while it is still there. */
        for (size_t i = 0; i < n; i++) {
                _cleanup_error_ struct ace_error *e = NULL;
                struct json_object *conf = NULL;
                json_object_object_get_ex(recs[i].o, "conf", &conf);
                if (needs_netns(conf))
                        note(del_one(podfd, uuid, &recs[i], &e), err, &first, &e);
        }
        /* 2: the namespace; the kernel destroys what is left in it. Not after a failed DEL of
         * step 1, unless this is the last chance: the retry needs it (rkt leaked ipMasq
         * chains by removing it regardless). */
        if (ns && (!first || last_chance)) {
                _cleanup_error_ struct ace_error *e = NULL;
                r = netns_remove(ns, &e);
                note(r, err, &first, &e);
                if (r >= 0)
                        (void)unlinkat(podfd, "netns", 0);
        }
        /* 3: the rest only releases leases and host-side rules. */
        for (size_t i = 0; i < n; i++) {
                _cleanup_error_ struct ace_error *e = NULL;
                struct json_object *conf = NULL;
                json_object_object_get_ex(recs[i].o, "conf", &conf);
                if (!needs_netns(conf))
                        note(del_one(podfd, uuid, &recs[i], &e), err, &first, &e);
        }
        (void)unlinkat(podfd, NET_DIR, AT_REMOVEDIR);
        records_free(recs, n);
        return first;
}
