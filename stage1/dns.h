/*
 * dns.h - each app's /etc/resolv.conf and /etc/hosts (reference/rkt.md §6, DNS).
 *
 * stage0 passes `--dns-conf-mode=resolv=M,hosts=M` (omitted when both are `default`) and, for
 * mode `stage0`, writes the material into the pod directory before exec'ing stage1:
 *   resolv=stage0 (--dns, --dns-search, --dns-opt, --dns-domain): stage1/rootfs/etc/rkt-resolv.conf
 *   hosts=stage0 (--hosts-entry):                                   stage1/rootfs/etc/rkt-hosts
 * stage1 binds it, read-only, over every app's file:
 *
 *   resolv  stage0   rkt-resolv.conf written by stage0
 *           host     the host's /etc/resolv.conf
 *           none     nothing: the app keeps its own
 *           default  the DNS of the first CNI result that has any (written by stage1 as
 *                    rkt-resolv.conf), else nothing; with --net=host, the host's
 *   hosts   stage0   rkt-hosts written by stage0 (localhost lines, the entries, the hostname)
 *           host     the host's /etc/hosts
 *           default  stage1/rootfs/etc/hosts-fallback (localhost, the pod's hostname), only for
 *                    apps whose image has no /etc/hosts; with --net=host, the host's
 */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "common/json.h"
#include "stage1/mount_plan.h"

enum dns_resolv_mode { DNS_RESOLV_DEFAULT, DNS_RESOLV_HOST, DNS_RESOLV_STAGE0, DNS_RESOLV_NONE };
enum dns_hosts_mode { DNS_HOSTS_DEFAULT, DNS_HOSTS_HOST, DNS_HOSTS_STAGE0 };

struct dns_conf_mode {
        enum dns_resolv_mode resolv;
        enum dns_hosts_mode hosts;
};

#define DNS_RESOLV_FILE "stage1/rootfs/etc/rkt-resolv.conf"
#define DNS_HOSTS_FILE "stage1/rootfs/etc/rkt-hosts"
#define DNS_HOSTS_FALLBACK "stage1/rootfs/etc/hosts-fallback"

/* "resolv=M,hosts=M" (either part may be missing); NULL gives both default. */
int dns_conf_mode_parse(const char *s, struct dns_conf_mode *ret, struct ace_error **err);

/* resolv.conf text from a CNI result's dns object. malloc'd. */
char *dns_resolv_from_cni(struct json_object *dns, const char *network);
/* The fallback hosts file: localhost (v4 and v6) and the hostname on pod_ip (or 127.0.1.1). */
char *dns_hosts_fallback(const char *hostname, const char *pod_ip);

struct dns_inputs {
        struct dns_conf_mode mode;
        bool host_net;
        const char *hostname;
        const char *pod_ip;          /* eth0's address, or NULL */
        struct json_object *cni_dns; /* or NULL */
        const char *cni_dns_network;
};

/* The files to bind (at most two, in *ret, *ret_n), after writing what stage1 writes. Checks
 * that stage0's material exists when a mode says stage0. */
int dns_prepare(int podfd, const struct dns_inputs *in, struct mount_etc_file ret[2], size_t *ret_n,
                struct ace_error **err);
