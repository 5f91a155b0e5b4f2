/* netcheck.c - host network state for leak tests (netcheck.h). */
#include "tests/lib/netcheck.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/tu.h"

#define LOCK_PATH "/run/lock/ace-network-tests.lock"
#define CNI_IPAM_DIR "/var/lib/cni/networks"

int netcheck_lock(bool exclusive)
{
        int fd;

        (void)mkdir("/run/lock", 0755);
        fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        cr_assert(fd >= 0, "open %s", LOCK_PATH);
        cr_assert(flock(fd, exclusive ? LOCK_EX : LOCK_SH) == 0);
        return fd;
}

void netcheck_unlock(int fd)
{
        if (fd >= 0)
                close(fd);
}

static bool is_lease_name(const char *n)
{
        return n[0] != '.' && strcmp(n, "lock") != 0 && strncmp(n, "last_reserved_ip", 16) != 0;
}

/* Calls fn on every lease file below dir/<network>/. */
static void each_lease(const char *dir, void (*fn)(const char *path, void *ud), void *ud)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;

        while (d && (de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                _cleanup_closedir_ DIR *s = NULL;
                struct dirent *le;
                if (de->d_name[0] == '.')
                        continue;
                sub = xasprintf("%s/%s", dir, de->d_name);
                s = opendir(sub);
                while (s && (le = readdir(s))) {
                        _cleanup_free_ char *p = NULL;
                        if (!is_lease_name(le->d_name))
                                continue;
                        p = xasprintf("%s/%s", sub, le->d_name);
                        fn(p, ud);
                }
        }
}

struct count_ud {
        const char *uuid;
        size_t n;
};

static void count_uuid(const char *path, void *ud)
{
        struct count_ud *c = ud;
        _cleanup_free_ char *text = th_read_file(path);

        if (text && strstr(text, c->uuid))
                c->n++;
}

size_t netcheck_leases_of(const char *uuid)
{
        struct count_ud c = {.uuid = uuid};

        each_lease(CNI_IPAM_DIR, count_uuid, &c);
        return c.n;
}

size_t netcheck_nat_rules_of(const char *uuid)
{
        _cleanup_free_ char *out = tu_capture(NULL, "iptables-save -t nat 2>/dev/null");
        size_t n = 0;

        for (char *l = out; l && *l;) {
                char *nl = strchr(l, '\n');
                if (nl)
                        *nl = 0;
                if (strstr(l, uuid))
                        n++;
                l = nl ? nl + 1 : NULL;
        }
        return n;
}

static void append_path(const char *path, void *ud)
{
        char **s = ud;
        char *n = xasprintf("%s%s\n", *s ? *s : "", path);
        free(*s);
        *s = n;
}

void netcheck_snapshot_take(struct netcheck_snapshot *s, const char *extra_ipam_dir)
{
        _cleanup_free_ char *leases = NULL, *cmd = NULL;

        s->veths = tu_capture(NULL, "ip -o link show type veth | awk -F': ' '{print $2}' | "
                                    "cut -d@ -f1 | sort");
        s->netns = tu_capture(NULL, "ip netns list 2>/dev/null | awk '{print $1}' | "
                                    "grep '^ace-' | sort");
        each_lease(CNI_IPAM_DIR, append_path, &leases);
        if (extra_ipam_dir)
                each_lease(extra_ipam_dir, append_path, &leases);
        cmd = xasprintf("printf '%%s' '%s' | sort", leases ? leases : "");
        s->leases = tu_capture(NULL, "%s", cmd);
        s->nat = tu_capture(NULL, "iptables-save -t nat 2>/dev/null | grep -v '^#' | "
                                  "sed 's/\\[[0-9]*:[0-9]*\\]//' | sort");
}

void netcheck_snapshot_done(struct netcheck_snapshot *s)
{
        free(s->veths);
        free(s->netns);
        free(s->leases);
        free(s->nat);
        memset(s, 0, sizeof(*s));
}

static bool same(const struct netcheck_snapshot *a, const struct netcheck_snapshot *b)
{
        return !strcmp(a->veths, b->veths) && !strcmp(a->netns, b->netns) &&
               !strcmp(a->leases, b->leases) && !strcmp(a->nat, b->nat);
}

void netcheck_assert_same(const struct netcheck_snapshot *before, struct netcheck_snapshot *after,
                          const char *extra_ipam_dir)
{
        for (int i = 0; i < 50 && !same(before, after); i++) {
                usleep(100 * 1000);
                netcheck_snapshot_done(after);
                netcheck_snapshot_take(after, extra_ipam_dir);
        }
        cr_assert_str_eq(after->veths, before->veths, "veths leaked");
        cr_assert_str_eq(after->netns, before->netns, "network namespaces leaked");
        cr_assert_str_eq(after->leases, before->leases, "IPAM leases leaked");
        cr_assert_str_eq(after->nat, before->nat, "nat rules leaked");
}

bool netcheck_other_pods_running(void)
{
        _cleanup_free_ char *ns = tu_capture(NULL, "ls /run/netns 2>/dev/null | grep -c '^ace-' "
                                                   "|| true");
        _cleanup_free_ char *procs = tu_capture(NULL, "pgrep -fc 'rootfs/init --net=' || true");

        return atoi(ns) > 0 || atoi(procs) > 0;
}
