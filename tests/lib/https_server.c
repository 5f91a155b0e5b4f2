/* https_server.c - nginx over TLS in a private network namespace for tests (see
 * https_server.h). */
#include "tests/lib/helpers.h"
#include "tests/lib/https_server.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/xalloc.h"
#include "discovery/http.h"
#include "tests/lib/tu.h"

static void loopback_up(void)
{
        struct ifreq ifr = {0};
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        cr_assert_geq(fd, 0);
        strcpy(ifr.ifr_name, "lo");
        cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0, "SIOCGIFFLAGS lo: %s", strerror(errno));
        ifr.ifr_flags |= IFF_UP;
        cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0, "SIOCSIFFLAGS lo: %s", strerror(errno));
        close(fd);
}

void https_server_netns(void)
{
        static const char hosts[] = "127.0.0.1 localhost example.test\n"
                                    "127.0.0.2 other.test\n";
        static const char *const proxies[] = {"http_proxy",  "https_proxy", "HTTP_PROXY",
                                              "HTTPS_PROXY", "all_proxy",   "ALL_PROXY",
                                              "no_proxy",    "NO_PROXY"};
        char path[] = "/tmp/ace-test-hosts-XXXXXX";
        int fd;

        cr_assert_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0, "unshare: %s (root needed)",
                     strerror(errno));
        /* Nothing mounted here may reach the host's mount namespace. */
        cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
        loopback_up();
        fd = mkstemp(path);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, hosts, sizeof(hosts) - 1), (ssize_t)(sizeof(hosts) - 1));
        close(fd);
        chmod(path, 0644);
        cr_assert_eq(mount(path, "/etc/hosts", NULL, MS_BIND, NULL), 0, "bind /etc/hosts: %s",
                     strerror(errno));
        unlink(path); /* the mount keeps the inode */
        for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
                unsetenv(proxies[i]);
}

static void make_certs(struct https_server *s)
{
        tu_run("cd '%s' && "
               "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
               "-keyout ca.key -out ca.pem -days 2 -subj /CN=ace-test-ca "
               "-addext basicConstraints=critical,CA:TRUE "
               "-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1 && "
               "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
               "-keyout server.key -out server.csr -subj /CN=example.test >/dev/null 2>&1 && "
               "printf 'subjectAltName=DNS:example.test,DNS:other.test,IP:127.0.0.1,"
               "IP:127.0.0.2\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' "
               "> ext.cnf && "
               "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
               "-out server.pem -days 2 -extfile ext.cnf >/dev/null 2>&1",
               s->dir);
}

/* Discovery: ?ac-discovery=1 on /PATH serves _discovery/PATH/index.html. */
#define DISCOVERY_REWRITE                                                                          \
        "    location / {\n"                                                                       \
        "      if ($args = \"ac-discovery=1\") { rewrite ^(.*?)/?$ /_discovery$1/index.html "      \
        "last; }\n"                                                                                \
        "    }\n"                                                                                  \
        "    location /_discovery/ { default_type text/html; }\n"

static void write_conf(struct https_server *s, const char *extra)
{
        char *conf =
            xasprintf("daemon off;\n"
                      "master_process off;\n"
                      "worker_processes 1;\n"
                      "error_log %1$s/error.log info;\n"
                      "pid %1$s/nginx.pid;\n"
                      "events { worker_connections 512; }\n"
                      "http {\n"
                      "  client_body_temp_path %1$s/tmp/body;\n"
                      "  proxy_temp_path %1$s/tmp/proxy;\n"
                      "  fastcgi_temp_path %1$s/tmp/fastcgi;\n"
                      "  uwsgi_temp_path %1$s/tmp/uwsgi;\n"
                      "  scgi_temp_path %1$s/tmp/scgi;\n"
                      "  types { text/html html; application/octet-stream aci; "
                      "text/plain asc; application/pgp-keys gpg; }\n"
                      "  default_type application/octet-stream;\n"
                      "  log_format ace '$remote_addr \"$request\" $status $body_bytes_sent "
                      "\"$http_authorization\" \"$http_if_none_match\" $host';\n"
                      "  ssl_certificate %1$s/server.pem;\n"
                      "  ssl_certificate_key %1$s/server.key;\n"
                      "  server {\n"
                      "    listen 127.0.0.1:443 ssl;\n"
                      "    server_name example.test;\n"
                      "    root %2$s;\n"
                      "    access_log %1$s/access.log ace;\n" DISCOVERY_REWRITE "%3$s\n"
                      "  }\n"
                      "  server {\n"
                      "    listen 127.0.0.2:443 ssl;\n"
                      "    server_name other.test;\n"
                      "    root %2$s;\n"
                      "    access_log %1$s/other.log ace;\n" DISCOVERY_REWRITE "  }\n"
                      "  server {\n"
                      "    listen 127.0.0.1:80;\n"
                      "    server_name example.test;\n"
                      "    root %2$s;\n"
                      "    access_log %1$s/http.log ace;\n" DISCOVERY_REWRITE "  }\n"
                      "}\n",
                      s->dir, s->docroot, extra ? extra : "");
        char *path = xasprintf("%s/nginx.conf", s->dir);
        th_write_file(path, conf, 0644);
        free(path);
        free(conf);
}

static bool port_open(const char *addr, int port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok;

        inet_pton(AF_INET, addr, &sa.sin_addr);
        ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        close(fd);
        return ok;
}

void https_server_start(struct https_server *s, const char *extra)
{
        char *out;
        pid_t pid;

        *s = (struct https_server){0};
        s->dir = th_mkdtemp("ace-test-nginx");
        s->docroot = xasprintf("%s/www", s->dir);
        s->ca_cert = xasprintf("%s/ca.pem", s->dir);
        s->access_log = xasprintf("%s/access.log", s->dir);
        s->other_log = xasprintf("%s/other.log", s->dir);
        s->http_log = xasprintf("%s/http.log", s->dir);
        tu_run("mkdir -p '%1$s/www/_discovery' '%1$s/tmp' && chmod 755 '%1$s' '%1$s/www'", s->dir);
        make_certs(s);
        write_conf(s, extra);
        tu_run("nginx -t -q -c '%1$s/nginx.conf' -p '%1$s' -e '%1$s/error.log'", s->dir);
        out = xasprintf("%s/nginx.out", s->dir);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                char *conf = xasprintf("%s/nginx.conf", s->dir);
                char *err = xasprintf("%s/error.log", s->dir);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (fd >= 0) {
                        dup2(fd, STDOUT_FILENO);
                        dup2(fd, STDERR_FILENO);
                }
                execlp("nginx", "nginx", "-c", conf, "-p", s->dir, "-e", err, (char *)NULL);
                _exit(127);
        }
        free(out);
        s->pid = pid;
        /* Ready when all three listeners accept (bounded: 10 s). */
        for (int i = 0; i < 1000; i++) {
                int st;
                if (port_open("127.0.0.1", 443) && port_open("127.0.0.2", 443) &&
                    port_open("127.0.0.1", 80))
                        return;
                cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "nginx exited early, see %s", s->dir);
                usleep(10000);
        }
        cr_assert_fail("nginx did not start listening within 10 s (%s)", s->dir);
}

void https_server_stop(struct https_server *s)
{
        if (s->pid > 0) {
                int st;
                kill(s->pid, SIGTERM);
                waitpid(s->pid, &st, 0);
                s->pid = 0;
        }
        if (s->dir && !getenv("ACE_TEST_KEEP"))
                th_rm_rf(s->dir);
        free(s->dir);
        free(s->docroot);
        free(s->ca_cert);
        free(s->access_log);
        free(s->other_log);
        free(s->http_log);
        *s = (struct https_server){0};
}

void https_server_put(struct https_server *s, const char *relpath, const void *data, size_t len)
{
        char *p = xasprintf("%s/%s", s->docroot, relpath);
        th_mkdir_parents(p);
        th_write_data(p, data, len, 0644);
        tu_run("chmod -R a+rX '%s'", s->docroot);
        free(p);
}

void https_server_put_discovery(struct https_server *s, const char *prefix, const char *metas)
{
        const char *slash = strchr(prefix, '/');
        char *rel = xasprintf("_discovery%s/index.html", slash ? slash : "");
        char *html =
            xasprintf("<!DOCTYPE html>\n<html><head>\n%s\n</head><body></body></html>\n", metas);

        https_server_put(s, rel, html, strlen(html));
        free(rel);
        free(html);
}

void https_server_write_ace_config(struct https_server *s, const char *config_dir,
                                   const char *stall_timeout)
{
        char *path = xasprintf("%s/http.d/test-ca.json", config_dir);
        char *stall =
            stall_timeout ? xasprintf(",\"stallTimeout\":\"%s\"", stall_timeout) : xstrdup("");
        char *json = xasprintf("{\"aceKind\":\"http\",\"aceVersion\":\"v1\","
                               "\"caBundles\":[\"%s\"]%s}\n",
                               s->ca_cert, stall);
        th_mkdir_parents(path);
        th_write_file(path, json, 0644);
        free(path);
        free(stall);
        free(json);
}

void https_server_htpasswd(struct https_server *s, const char *user, const char *password)
{
        tu_run("printf '%%s:%%s\\n' '%s' \"$(openssl passwd -apr1 '%s')\" > '%s/htpasswd'", user,
               password, s->dir);
}

/* One request per listener for a unique marker path, then wait for it in that log: nginx is a
 * single process handling events in order, so earlier requests are logged by then. */
static void sync_logs(struct https_server *s)
{
        const char *urls[] = {"https://example.test", "https://other.test", "http://example.test"};
        const char *logs[] = {s->access_log, s->other_log, s->http_log};
        struct http_options o = {.insecure_tls = true, .allow_http = true, .max_redirects = 0};
        struct http_client *c = NULL;

        cr_assert_eq(http_client_new(&o, &c, NULL), 0);
        for (size_t i = 0; i < 3; i++) {
                char *marker = xasprintf("/__sync/%u", ++s->syncs);
                char *url = xasprintf("%s%s", urls[i], marker);
                struct http_response resp;
                (void)http_get(c, &(struct http_request){.url = url}, &resp, NULL);
                http_response_clear(&resp);
                for (int t = 0; t < 500 && tu_count_lines(logs[i], marker) == 0; t++)
                        usleep(10000);
                cr_assert_gt(tu_count_lines(logs[i], marker), 0, "nginx never logged %s", url);
                free(marker);
                free(url);
        }
        http_client_free(c);
}

size_t https_server_count(struct https_server *s, const char *log, const char *needle)
{
        char *buf, *line, *save = NULL;
        size_t n = 0;

        sync_logs(s);
        buf = th_read_file(log);
        if (!buf)
                return 0;
        for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (strstr(line, needle) && !strstr(line, "/__sync/"))
                        n++;
        free(buf);
        return n;
}
