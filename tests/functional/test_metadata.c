/*
 * test_metadata.c - `ace metadata-service` and `--mds-register` end to end: every endpoint
 * from inside running pods over their own network, with the spec's content types; wrong and
 * guessed tokens, another pod's token, verify with the wrong UUID (T-30); 413 on an oversize
 * body, a pod holding a thousand idle connections does not starve another (reliability §3b
 * item 15); the registration socket (0600, root only, no abstract sockets); the HMAC key file;
 * socket activation.
 *
 * Each test runs its own service: a private data dir, registration socket (ACE_METADATA_SOCKET,
 * inherited by ace run and stage1) and a free TCP port (stage1 learns it at registration).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

static char *dir, *sock, *aci, *aci_id;
static struct test_image *img;
static pid_t mds = -1;
static int port, lockfd = -1;

#define ANNOT                                                                                      \
        "\"annotations\": [{\"name\": \"example.com/img-only\", \"value\": \"i\"}, "               \
        "{\"name\": \"example.com/both\", \"value\": \"from-image\"}]"

static int free_port(void)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t sl = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
                  getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
        close(fd);
        return ntohs(sa.sin_port);
}

static pid_t start_mds(char *const *extra_env_fds)
{
        _cleanup_free_ char *port_arg = xasprintf("--listen-port=%d", port);
        char *argv[] = {"metadata-service", port_arg, NULL};
        pid_t pid;

        (void)extra_env_fds;
        pid = ace_spawn(dir, argv, NULL, NULL);
        cr_assert(pid > 0);
        cr_assert(th_wait_file(sock, 10000), "the metadata service never made %s", sock);
        return pid;
}

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        lockfd = netcheck_lock(false);
        dir = th_mkdtemp("ace-mds");
        sock = xasprintf("%s/mds.sock", dir);
        setenv("ACE_METADATA_SOCKET", sock, 1);
        port = free_port();
        img = timg_new("example.com/probe");
        _cleanup_free_ char *m = ft_manifest("example.com/probe", "1.0",
                                             "{\"exec\": [\"/probe\", \"print\", \"x\"], "
                                             "\"user\": \"0\", \"group\": \"0\"}",
                                             ANNOT);
        aci = xasprintf("%s/probe.aci", dir);
        aci_id = ft_write_aci(img->dir, m, aci);
        mds = start_mds(NULL);
}

static void teardown(void)
{
        struct ace_result r;

        if (mds > 0) {
                kill(mds, SIGTERM);
                waitpid(mds, NULL, 0);
        }
        ace_runf(dir, &r, "gc --grace-period=0s");
        ace_result_done(&r);
        th_rm_rf(dir);
        timg_free(img);
        free(dir);
        free(sock);
        free(aci);
        free(aci_id);
        netcheck_unlock(lockfd);
}

TestSuite(metadata, .init = setup, .fini = teardown, .timeout = 180);

/* `ace run --insecure-options=image --mds-register [pod flags] ACI --name=NAME --exec=/probe
 * -- ARGS` to completion. */
static void run_pod(struct ace_result *r, const char *flags, const char *name, const char *args)
{
        ace_runf(dir, r,
                 "run --insecure-options=image --mds-register %s %s --name=%s "
                 "--annotation=example.com/both=from-pod --exec=/probe -- %s",
                 flags, aci, name, args);
}

/* The n-th value of key in a probe's output (heap). */
static char *nth(const char *out, const char *key, int n)
{
        char *v = th_kv_nth(out, key, n);
        cr_assert(v, "no %s #%d in: %s", key, n, out);
        return v;
}

Test(metadata, every_endpoint_from_a_pod)
{
        struct ace_result r;
        _cleanup_free_ char *uuid_file = xasprintf("%s/uuid", dir);
        _cleanup_free_ char *flags = xasprintf("--uuid-file-save=%s", uuid_file);
        static const char *const paths[] = {
            "pod/annotations",
            "pod/manifest",
            "pod/uuid",
            "apps/web/annotations",
            "apps/web/image/manifest",
            "apps/web/image/id",
            "pod/annotations/coreos.com/rkt/stage1/mutable",
            "apps/web/annotations/example.com/both",
        };
        _cleanup_free_ char *args = xstrdup("getenv AC_METADATA_URL");

        for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
                char *a = xasprintf("%s http-get $MDS/acMetadata/v1/%s", args, paths[i]);
                free(args);
                args = a;
        }
        run_pod(&r, flags, "web", args);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        _cleanup_free_ char *uuid = th_read_file(uuid_file);
        uuid[strcspn(uuid, "\n")] = 0;
        _cleanup_free_ char *url = nth(r.out, "getenv.AC_METADATA_URL", 0);
        /* http://<host side>:<port>/<token>: a 256-bit token, not the UUID. */
        _cleanup_free_ char *prefix = xasprintf("http://172.16.28.1:%d/", port);
        cr_assert(!strncmp(url, prefix, strlen(prefix)), "%s", url);
        cr_assert_eq(strlen(url + strlen(prefix)), 64);
        cr_assert_null(strstr(url, uuid));
        for (int i = 0; i < (int)ARRAY_SIZE(paths); i++) {
                _cleanup_free_ char *st = nth(r.out, "http.status", i);
                cr_assert_str_eq(st, "200", "%s: %s", paths[i], r.out);
        }
        static const char *const ctypes[] = {
            "application/json", "application/json", "text/plain; charset=us-ascii",
            "application/json", "application/json", "text/plain; charset=us-ascii",
        };
        for (int i = 0; i < (int)ARRAY_SIZE(ctypes); i++) {
                _cleanup_free_ char *ct = nth(r.out, "http.content_type", i);
                cr_assert_str_eq(ct, ctypes[i], "%s", paths[i]);
        }
        _cleanup_free_ char *pod_ann = nth(r.out, "http.body", 0);
        _cleanup_free_ char *pod_manifest = nth(r.out, "http.body", 1);
        _cleanup_free_ char *pod_uuid = nth(r.out, "http.body", 2);
        _cleanup_free_ char *app_ann = nth(r.out, "http.body", 3);
        _cleanup_free_ char *im = nth(r.out, "http.body", 4);
        _cleanup_free_ char *id = nth(r.out, "http.body", 5);
        _cleanup_free_ char *mutable = nth(r.out, "http.body", 6);
        _cleanup_free_ char *both = nth(r.out, "http.body", 7);
        cr_assert_str_eq(pod_ann,
                         "[{\"name\":\"coreos.com/rkt/stage1/mutable\",\"value\":\"false\"}]");
        cr_assert(strstr(pod_manifest, "\"acKind\":\"PodManifest\"") &&
                      strstr(pod_manifest, aci_id),
                  "%s", pod_manifest);
        cr_assert_str_eq(pod_uuid, uuid, "the canonical UUID, no newline");
        /* Image annotations merged with the pod's app annotations, the pod's winning. */
        cr_assert_str_eq(app_ann, "[{\"name\":\"example.com/img-only\",\"value\":\"i\"},"
                                  "{\"name\":\"example.com/both\",\"value\":\"from-pod\"}]");
        cr_assert(strstr(im, "\"name\":\"example.com/probe\"") && strstr(im, "ImageManifest"), "%s",
                  im);
        cr_assert_str_eq(id, aci_id);
        cr_assert_str_eq(mutable, "false");
        cr_assert_str_eq(both, "from-pod");
        ace_result_done(&r);
}

Test(metadata, tokens_methods_and_paths)
{
        struct ace_result r;
        _cleanup_free_ char *guess = xasprintf(
            "http-get http://172.16.28.1:%d/%s/acMetadata/v1/pod/uuid "
            "http-get http://172.16.28.1:%d/acMetadata/v1/pod/uuid "
            "http-get $MDS/acMetadata/v1/pod/nope http-get $MDS/acMetadata/v1/apps/other/image/id "
            "http-get $MDS/acMetadata/v1/pod/hmac/sign http-post $MDS/acMetadata/v1/pod/uuid x=1 "
            "http-get $MDS/other/v1/pod/uuid",
            port, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", port);

        run_pod(&r, "", "web", guess);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        static const char *const want[] = {"401", "401", "404", "404", "405", "405", "404"};
        for (int i = 0; i < (int)ARRAY_SIZE(want); i++) {
                _cleanup_free_ char *st = nth(r.out, "http.status", i);
                cr_assert_str_eq(st, want[i], "request %d: %s", i, r.out);
        }
        ace_result_done(&r);
}

Test(metadata, another_pods_token_and_identity)
{
        struct ace_result r;
        _cleanup_free_ char *out_a = NULL, *uuid_a_file = xasprintf("%s/uuid-a", dir);
        _cleanup_free_ char *uuid_a_flag = xasprintf("--uuid-file-save=%s", uuid_a_file);
        _cleanup_free_ char *a_args = xasprintf(
            "run --insecure-options=image --mds-register %s %s --name=alpha --exec=/probe -- "
            "getenv AC_METADATA_URL http-post $MDS/acMetadata/v1/pod/hmac/sign "
            "content=from-alpha sleep 60",
            uuid_a_flag, aci);
        _cleanup_strv_free_ char **argv = strv_split(a_args, " ", false);
        pid_t a = ace_spawn(dir, argv, &out_a, NULL);
        _cleanup_free_ char *url_a = NULL, *sig_a = NULL;

        for (int i = 0; i < 200 && !sig_a; i++) {
                _cleanup_free_ char *o = th_read_file(out_a);
                if (o && strstr(o, "http.body=")) {
                        url_a = nth(o, "getenv.AC_METADATA_URL", 0);
                        sig_a = nth(o, "http.body", 0);
                } else {
                        usleep(50 * 1000);
                }
        }
        cr_assert(sig_a, "pod alpha did not start");
        _cleanup_free_ char *uuid_a = th_read_file(uuid_a_file);
        uuid_a[strcspn(uuid_a, "\n")] = 0;
        /* Pod beta: alpha's token (its data, from the wrong address), its own token on alpha's
         * app, then verifies: alpha's signature under alpha's UUID is good, under its own UUID
         * it is not, a malformed UUID or signature is a bad request. */
        _cleanup_free_ char *b_args = xasprintf(
            "http-get %s/acMetadata/v1/pod/uuid http-get $MDS/acMetadata/v1/apps/alpha/image/id "
            "http-post $MDS/acMetadata/v1/pod/hmac/verify content=from-alpha&uuid=%s&signature=%s "
            "http-post $MDS/acMetadata/v1/pod/hmac/verify content=from-alphA&uuid=%s&signature=%s "
            "http-post $MDS/acMetadata/v1/pod/hmac/verify "
            "content=from-alpha&uuid=00000000-0000-0000-0000-000000000000&signature=%s "
            "http-post $MDS/acMetadata/v1/pod/hmac/verify "
            "content=from-alpha&uuid=not-a-uuid&signature=%s "
            "http-post $MDS/acMetadata/v1/pod/hmac/verify content=from-alpha&uid=%s&signature=AAAA",
            url_a, uuid_a, sig_a, uuid_a, sig_a, sig_a, sig_a, uuid_a);
        /* base64 has '+' and '/': the form needs '+' escaped. */
        for (char *p = b_args; (p = strchr(p, '+'));) {
                char *n = xasprintf("%.*s%%2B%s", (int)(p - b_args), b_args, p + 1);
                size_t off = (size_t)(p - b_args) + 3;
                free(b_args);
                b_args = n;
                p = b_args + off;
        }
        run_pod(&r, "", "beta", b_args);
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        static const char *const want[] = {"403", "404", "200", "403", "403", "400", "400"};
        for (int i = 0; i < (int)ARRAY_SIZE(want); i++) {
                _cleanup_free_ char *st = nth(r.out, "http.status", i);
                cr_assert_str_eq(st, want[i], "request %d: %s", i, r.out);
        }
        ace_result_done(&r);
        kill(a, SIGTERM);
        waitpid(a, NULL, 0);
        /* Once alpha is gone its token opens nothing. */
        _cleanup_free_ char *c_args = xasprintf("http-get %s/acMetadata/v1/pod/uuid", url_a);
        run_pod(&r, "", "gamma", c_args);
        _cleanup_free_ char *st = nth(r.out, "http.status", 0);
        cr_assert_str_eq(st, "401", "%s", r.out);
        ace_result_done(&r);
}

Test(metadata, oversize_body_and_idle_connections)
{
        struct ace_result r;
        _cleanup_free_ char *out_c = NULL;
        _cleanup_free_ char *c_args =
            xasprintf("run --insecure-options=image --mds-register %s --name=hog --exec=/probe -- "
                      "idle-conns 172.16.28.1 %d 1000 sleep 30",
                      aci, port);
        _cleanup_strv_free_ char **argv = strv_split(c_args, " ", false);
        pid_t c = ace_spawn(dir, argv, &out_c, NULL);
        bool hogging = false;

        for (int i = 0; i < 300 && !hogging; i++) {
                _cleanup_free_ char *o = th_read_file(out_c);
                hogging = o && strstr(o, "idle_conns=");
                if (!hogging)
                        usleep(50 * 1000);
        }
        cr_assert(hogging, "the hog pod never opened its connections");
        run_pod(
            &r, "", "web",
            "http-get $MDS/acMetadata/v1/pod/uuid http-post-size $MDS/acMetadata/v1/pod/hmac/sign "
            "104857600 http-get $MDS/acMetadata/v1/pod/uuid");
        cr_assert_eq(r.status, 0, "status %d, stderr: %s, out: %s", r.status, r.err, r.out);
        _cleanup_free_ char *s0 = nth(r.out, "http.status", 0), *s1 = nth(r.out, "http.status", 1);
        _cleanup_free_ char *s2 = nth(r.out, "http.status", 2), *ms = nth(r.out, "http.ms", 0);
        cr_assert_str_eq(s0, "200", "%s", r.out);
        cr_assert_str_eq(s1, "413", "%s", r.out);
        cr_assert_str_eq(s2, "200", "%s", r.out);
        cr_assert_lt(atoi(ms), 100, "served in %s ms next to 1000 idle connections", ms);
        ace_result_done(&r);
        kill(c, SIGTERM);
        waitpid(c, NULL, 0);
}

/* The inodes of the service's sockets (from /proc/PID/fd). */
static char *socket_inodes(pid_t pid)
{
        return tu_capture(
            NULL, "ls -l /proc/%d/fd | sed -n 's/.*socket:\\[\\([0-9]*\\)\\].*/\\1/p'", (int)pid);
}

Test(metadata, registration_socket_is_root_only)
{
        struct stat st;
        _cleanup_free_ char *key = xasprintf("%s/metadata-service/hmac-key", dir);

        cr_assert_eq(stat(sock, &st), 0);
        cr_assert(S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode);
        cr_assert_eq(stat(key, &st), 0);
        cr_assert(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600 && st.st_size == 64);
        /* No abstract socket: none of the service's sockets has an '@' name. */
        _cleanup_free_ char *inodes = socket_inodes(mds);
        cr_assert(inodes && *inodes);
        for (char *l = inodes; *l;) {
                char *nl = strchr(l, '\n');
                if (nl)
                        *nl = 0;
                _cleanup_free_ char *line =
                    tu_capture(NULL, "grep ' %s ' /proc/net/unix || true", l);
                cr_assert_null(strstr(line, " @"), "abstract socket: %s", line);
                l = nl ? nl + 1 : l + strlen(l);
        }
        /* Another user: the file mode stops it; with the mode opened, SO_PEERCRED does. The
         * test dir is made traversable so that only the socket's own mode counts. */
        chmod(dir, 0711);
        _cleanup_free_ char *probe = th_build_path("tests/probe");
        _cleanup_free_ char *denied =
            tu_capture(NULL,
                       "setpriv --reuid=65534 --regid=65534 --clear-groups %s unix-request %s "
                       "'{\"op\": \"unregister\", \"uuid\": \"x\"}'",
                       probe, sock);
        cr_assert(strstr(denied, "unix.errno=EACCES"), "%s", denied);
        chmod(sock, 0666);
        _cleanup_free_ char *refused =
            tu_capture(NULL,
                       "setpriv --reuid=65534 --regid=65534 --clear-groups %s unix-request %s "
                       "'{\"op\": \"unregister\", \"uuid\": \"x\"}'",
                       probe, sock);
        cr_assert(strstr(refused, "only root may register pods"), "[%s]", refused);
        /* And root gets an answer (the same request). */
        _cleanup_free_ char *ok = tu_capture(NULL,
                                             "%s unix-request %s '{\"op\": \"unregister\", "
                                             "\"uuid\": \"x\"}'",
                                             probe, sock);
        cr_assert(strstr(ok, "\"ok\":true"), "%s", ok);
}

Test(metadata, host_network_pod)
{
        struct ace_result r;

        /* --net=host: the URL is on 127.0.0.1 and the token alone admits (no pod address);
         * the registration socket is not in the app's filesystem. */
        run_pod(&r, "--net=host", "web",
                "getenv AC_METADATA_URL http-get $MDS/acMetadata/v1/apps/web/image/id "
                "stat /run/ace/metadata-svc.sock");
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        _cleanup_free_ char *url = nth(r.out, "getenv.AC_METADATA_URL", 0);
        _cleanup_free_ char *prefix = xasprintf("http://127.0.0.1:%d/", port);
        cr_assert(!strncmp(url, prefix, strlen(prefix)), "%s", url);
        _cleanup_free_ char *id = nth(r.out, "http.body", 0);
        cr_assert_str_eq(id, aci_id);
        cr_assert(strstr(r.out, "stat.errno=ENOENT"), "%s", r.out);
        ace_result_done(&r);
}

Test(metadata, register_needs_the_service)
{
        struct ace_result r;

        kill(mds, SIGTERM);
        waitpid(mds, NULL, 0);
        mds = -1;
        cr_assert_not(th_exists(sock), "the service removes its socket");
        run_pod(&r, "", "web", "print ran");
        cr_assert_eq(r.status, 254);
        cr_assert(strstr(r.err, "failed to register the pod with the metadata service"), "%s",
                  r.err);
        cr_assert_null(strstr(r.out, "ran"));
        ace_result_done(&r);
}

/* systemd passes the two sockets as fds 3 and 4 with LISTEN_FDS/LISTEN_PID. */
Test(metadata, socket_activation)
{
        struct sockaddr_un su = {.sun_family = AF_UNIX};
        struct sockaddr_in si = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_ANY)}};
        _cleanup_free_ char *asock = xasprintf("%s/activated.sock", dir);
        int u = socket(AF_UNIX, SOCK_STREAM, 0), t = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        int aport = free_port();
        struct ace_result r;
        pid_t pid;

        kill(mds, SIGTERM);
        waitpid(mds, NULL, 0);
        strcpy(su.sun_path, asock);
        si.sin_port = htons((uint16_t)aport);
        setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        cr_assert(bind(u, (struct sockaddr *)&su, sizeof(su)) == 0 && listen(u, 8) == 0);
        cr_assert(bind(t, (struct sockaddr *)&si, sizeof(si)) == 0 && listen(t, 8) == 0);
        chmod(asock, 0600);
        pid = fork();
        if (pid == 0) {
                _cleanup_free_ char *ace = th_build_path("ace"), *d = xasprintf("--dir=%s", dir);
                char pidstr[16];
                dup2(t, 3);
                dup2(u, 4);
                snprintf(pidstr, sizeof(pidstr), "%d", (int)getpid());
                setenv("LISTEN_PID", pidstr, 1);
                setenv("LISTEN_FDS", "2", 1);
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 2);
                execl(ace, ace, d, "metadata-service", "--listen-port=1", NULL);
                _exit(127);
        }
        close(u);
        close(t);
        mds = pid;
        setenv("ACE_METADATA_SOCKET", asock, 1);
        run_pod(&r, "", "web",
                "getenv AC_METADATA_URL http-get-retry $MDS/acMetadata/v1/pod/uuid 3000");
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        _cleanup_free_ char *url = nth(r.out, "getenv.AC_METADATA_URL", 0);
        _cleanup_free_ char *prefix = xasprintf("http://172.16.28.1:%d/", aport);
        cr_assert(!strncmp(url, prefix, strlen(prefix)), "the activated port: %s", url);
        _cleanup_free_ char *st = nth(r.out, "http.status", 0);
        cr_assert_str_eq(st, "200", "%s", r.out);
        ace_result_done(&r);
}
