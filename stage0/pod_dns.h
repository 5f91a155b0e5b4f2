/*
 * pod_dns.h - stage0's side of a pod's DNS (reference/rkt.md §6, stage1/dns.h): the `--dns`,
 * `--dns-search`, `--dns-opt`, `--dns-domain` and `--hosts-entry` flags of `run` and
 * `run-prepared`, checked with rkt's rules, turned into the files stage1 binds over the apps'
 * /etc/resolv.conf and /etc/hosts, and into the `--dns-conf-mode` argument of stage1.
 *
 *   --dns=IP[,IP]... (repeatable)  resolv=stage0: nameservers
 *   --dns=host | --dns=none        resolv=host | resolv=none (must stand alone)
 *   --dns-search, --dns-opt (repeatable), --dns-domain
 *                                  resolv=stage0 (not with --dns=host/none)
 *   --hosts-entry=IP=HOST[,IP=HOST]... (repeatable)
 *                                  hosts=stage0
 *   --hosts-entry=host             hosts=host (must stand alone)
 */
#pragma once

#include "common/error.h"

struct pod_dns_flags {
        char **dns;
        char **dns_search;
        char **dns_opt;
        char *dns_domain;
        char **hosts_entries;
};

/* The flag rules; errors name the flag and the value. */
int pod_dns_check(const struct pod_dns_flags *f, struct ace_error **err);

/* Writes what the modes need into the pod directory (stage1/rootfs/etc/rkt-resolv.conf,
 * stage1/rootfs/etc/rkt-hosts) and sets *ret_mode to stage1's --dns-conf-mode value, or NULL
 * when both modes are `default` (rkt then omits the argument). hostname: the pod's (for the
 * hosts file). */
int pod_dns_write(int podfd, const struct pod_dns_flags *f, const char *hostname, char **ret_mode,
                  struct ace_error **err);

/* The two texts, for unit tests (NULL when that mode is not stage0). */
char *pod_dns_resolv_text(const struct pod_dns_flags *f);
char *pod_dns_hosts_text(const struct pod_dns_flags *f, const char *hostname);
