/* pod_dns.c - the DNS and hosts flags and the files they make (pod_dns.h). */
#include "stage0/pod_dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strv.h"
#include "common/xalloc.h"

#define RESOLV_FILE "stage1/rootfs/etc/rkt-resolv.conf"
#define HOSTS_FILE "stage1/rootfs/etc/rkt-hosts"

static bool valid_ip(const char *s)
{
        unsigned char buf[16];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Every comma-separated value of a repeatable flag. */
static char **values(char *const *flags)
{
        char **out = NULL;

        for (size_t i = 0; flags && flags[i]; i++) {
                _cleanup_strv_free_ char **parts = strv_split(flags[i], ",", true);
                for (size_t k = 0; parts && parts[k]; k++)
                        out = strv_push(out, parts[k]);
        }
        return out;
}

static bool one_line_word(const char *s)
{
        return *s && !strpbrk(s, " \t\n\r#;");
}

/* "host" or "none" alone, else IPs. Returns 1 for host, 2 for none, 0 for IPs or nothing. */
static int check_dns(const struct pod_dns_flags *f, struct ace_error **err)
{
        _cleanup_strv_free_ char **v = values(f->dns);
        size_t n = strv_length(v);

        for (size_t i = 0; i < n; i++) {
                if (strcmp(v[i], "host") == 0 || strcmp(v[i], "none") == 0) {
                        if (n > 1)
                                return ace_error_make(err, EINVAL,
                                                      "--dns=%s cannot be combined with other "
                                                      "--dns values",
                                                      v[i]);
                        return strcmp(v[i], "host") == 0 ? 1 : 2;
                }
                if (!valid_ip(v[i]))
                        return ace_error_make(err, EINVAL, "--dns: invalid IP address \"%s\"",
                                              v[i]);
        }
        return 0;
}

static int check_hosts(const struct pod_dns_flags *f, struct ace_error **err)
{
        _cleanup_strv_free_ char **v = values(f->hosts_entries);
        size_t n = strv_length(v);

        for (size_t i = 0; i < n; i++) {
                char *eq = strchr(v[i], '=');
                if (strcmp(v[i], "host") == 0) {
                        if (n > 1)
                                return ace_error_make(err, EINVAL,
                                                      "--hosts-entry=host cannot be combined with "
                                                      "other entries");
                        continue;
                }
                if (!eq)
                        return ace_error_make(err, EINVAL,
                                              "--hosts-entry: \"%s\" is not IP=HOSTNAME", v[i]);
                *eq = 0;
                if (!valid_ip(v[i]))
                        return ace_error_make(err, EINVAL,
                                              "--hosts-entry: invalid IP address \"%s\"", v[i]);
                if (!one_line_word(eq + 1))
                        return ace_error_make(err, EINVAL, "--hosts-entry: bad hostname \"%s\"",
                                              eq + 1);
        }
        return 0;
}

int pod_dns_check(const struct pod_dns_flags *f, struct ace_error **err)
{
        _cleanup_strv_free_ char **search = values(f->dns_search), **opts = values(f->dns_opt);
        int r = check_dns(f, err);

        if (r < 0)
                return r;
        if (r > 0 && (search || opts || f->dns_domain))
                return ace_error_make(err, EINVAL,
                                      "--dns-search, --dns-opt and --dns-domain cannot be used "
                                      "with --dns=host or --dns=none");
        for (size_t i = 0; search && search[i]; i++)
                if (!one_line_word(search[i]))
                        return ace_error_make(err, EINVAL, "--dns-search: bad domain \"%s\"",
                                              search[i]);
        for (size_t i = 0; opts && opts[i]; i++)
                if (!one_line_word(opts[i]))
                        return ace_error_make(err, EINVAL, "--dns-opt: bad option \"%s\"", opts[i]);
        if (f->dns_domain && !one_line_word(f->dns_domain))
                return ace_error_make(err, EINVAL, "--dns-domain: bad domain \"%s\"",
                                      f->dns_domain);
        return check_hosts(f, err);
}

static bool resolv_stage0(const struct pod_dns_flags *f)
{
        _cleanup_strv_free_ char **v = values(f->dns);

        if (v && (strcmp(v[0], "host") == 0 || strcmp(v[0], "none") == 0))
                return false;
        return v || f->dns_search || f->dns_opt || f->dns_domain;
}

static char *appendf(char *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *appendf(char *text, const char *fmt, ...)
{
        _cleanup_free_ char *line = NULL;
        va_list ap;
        char *t;

        va_start(ap, fmt);
        line = xvasprintf(fmt, ap);
        va_end(ap);
        t = xasprintf("%s%s", text, line);
        free(text);
        return t;
}

char *pod_dns_resolv_text(const struct pod_dns_flags *f)
{
        _cleanup_strv_free_ char **ns = values(f->dns), **search = values(f->dns_search),
                                 **opts = values(f->dns_opt);
        _cleanup_free_ char *s = NULL, *o = NULL;
        char *text;

        if (!resolv_stage0(f))
                return NULL;
        /* rkt's layout: a comment, search, the nameservers, options, domain. */
        text = xstrdup("# Generated by ace run\n");
        if (search) {
                s = strv_join(search, " ");
                text = appendf(text, "search %s\n", s);
        }
        for (size_t i = 0; ns && ns[i]; i++)
                text = appendf(text, "nameserver %s\n", ns[i]);
        if (opts) {
                o = strv_join(opts, " ");
                text = appendf(text, "options %s\n", o);
        }
        if (f->dns_domain)
                text = appendf(text, "domain %s\n", f->dns_domain);
        return text;
}

char *pod_dns_hosts_text(const struct pod_dns_flags *f, const char *hostname)
{
        _cleanup_strv_free_ char **v = values(f->hosts_entries);
        char *text;

        if (!v || strcmp(v[0], "host") == 0)
                return NULL;
        text = xasprintf("127.0.0.1\tlocalhost localhost.localdomain localhost4 "
                         "localhost4.localdomain4\n"
                         "::1\tlocalhost localhost.localdomain localhost6 "
                         "localhost6.localdomain6\n"
                         "127.0.1.1\t%s\n"
                         "# Added by ace run --hosts-entry\n",
                         hostname);
        /* One line per address, its names in the order given. */
        for (size_t i = 0; v[i]; i++) {
                char *eq = strchr(v[i], '=');
                bool seen = false;
                size_t iplen = (size_t)(eq - v[i]);
                for (size_t k = 0; k < i; k++)
                        seen |= strncmp(v[k], v[i], iplen + 1) == 0;
                if (seen)
                        continue;
                text = appendf(text, "%.*s", (int)iplen, v[i]);
                for (size_t k = i; v[k]; k++)
                        if (strncmp(v[k], v[i], iplen + 1) == 0)
                                text = appendf(text, " %s", v[k] + iplen + 1);
                text = appendf(text, "\n");
        }
        return text;
}

static int write_file(int podfd, const char *path, const char *text, struct ace_error **err)
{
        int r;

        if ((r = fs_mkdir_p_at(podfd, "stage1/rootfs/etc", 0755, 0, NULL, err)) < 0)
                return r;
        return fs_write_file_atomic_at(podfd, path, text, strlen(text), 0644, err);
}

int pod_dns_write(int podfd, const struct pod_dns_flags *f, const char *hostname, char **ret_mode,
                  struct ace_error **err)
{
        _cleanup_strv_free_ char **dns = values(f->dns), **hosts = values(f->hosts_entries);
        _cleanup_free_ char *resolv = pod_dns_resolv_text(f);
        _cleanup_free_ char *hosts_text = pod_dns_hosts_text(f, hostname);
        const char *rm = "default", *hm = "default";
        int r;

        if ((r = pod_dns_check(f, err)) < 0)
                return r;
        if (dns && strcmp(dns[0], "host") == 0)
                rm = "host";
        else if (dns && strcmp(dns[0], "none") == 0)
                rm = "none";
        else if (resolv) {
                rm = "stage0";
                if ((r = write_file(podfd, RESOLV_FILE, resolv, err)) < 0)
                        return r;
        }
        if (hosts && strcmp(hosts[0], "host") == 0)
                hm = "host";
        else if (hosts_text) {
                hm = "stage0";
                if ((r = write_file(podfd, HOSTS_FILE, hosts_text, err)) < 0)
                        return r;
        }
        *ret_mode = strcmp(rm, "default") == 0 && strcmp(hm, "default") == 0
                        ? NULL
                        : xasprintf("resolv=%s,hosts=%s", rm, hm);
        return 0;
}
