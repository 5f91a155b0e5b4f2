/*
 * test_systemd.c - pods as systemd units, against a real systemd (tests/lib/sdbox.h): output
 * in the unit's journal, the unit's exit status is the pod's, `systemctl stop` stops the pod
 * gracefully and ExecStopPost=ace rm --uuid-file cleans up, Type=notify becomes active once
 * the apps are started, socket activation of an app through a .socket unit. Plus the same
 * protocols without systemd: READY=1 from the `ace run` PID, sockets passed with LISTEN_FDS.
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
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/ace_cmd.h"
#include "tests/lib/helpers.h"
#include "tests/lib/sdbox.h"
#include "tests/lib/test_image.h"
#include "tests/lib/tu.h"

static struct test_image *img;
static char *dir, *aci, *sock_aci, *ace;

/* An image running /probe ARGS; the socket image declares a socket-activated port. */
static void build_images(const char *where)
{
        _cleanup_free_ char *m = ft_manifest(
            "example.com/probe", "1.0",
            "{\"exec\": [\"/probe\", \"print\", \"x\"], \"user\": \"0\", \"group\": \"0\", "
            "\"eventHandlers\": [{\"name\": \"pre-start\", \"exec\": [\"/probe\", \"sleep\", "
            "\"1\"]}]}",
            NULL);
        _cleanup_free_ char *ms = ft_manifest(
            "example.com/sock", "1.0",
            "{\"exec\": [\"/probe\", \"listen-fds\", \"1\"], \"user\": \"0\", \"group\": \"0\", "
            "\"ports\": [{\"name\": \"http\", \"protocol\": \"tcp\", \"port\": 80, "
            "\"socketActivated\": true}]}",
            NULL);
        aci = xasprintf("%s/probe.aci", where);
        sock_aci = xasprintf("%s/sock.aci", where);
        free(ft_write_aci(img->dir, m, aci));
        free(ft_write_aci(img->dir, ms, sock_aci));
}

static void common_setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        img = timg_new("example.com/probe");
        ace = th_build_path("ace");
}

static void common_teardown(void)
{
        timg_free(img);
        free(aci);
        free(sock_aci);
        free(ace);
}

/* ---- without systemd --------------------------------------------------------------------- */

static void nobox_setup(void)
{
        common_setup();
        dir = th_mkdtemp("ace-sd");
        build_images(dir);
}

static void nobox_teardown(void)
{
        struct ace_result r;

        if (dir) {
                ace_runf(dir, &r, "gc --grace-period=0s");
                ace_result_done(&r);
                th_rm_rf(dir);
        }
        free(dir);
        common_teardown();
}

TestSuite(sd_protocols, .init = nobox_setup, .fini = nobox_teardown, .timeout = 120);

/* READY=1 arrives on NOTIFY_SOCKET from the `ace run` PID itself (systemd's NotifyAccess=main
 * would drop it from any other), after the pre-start handler and the app have started. */
Test(sd_protocols, ready_from_the_run_process)
{
        _cleanup_free_ char *path = xasprintf("%s/notify", dir);
        _cleanup_free_ char *uuid_file = xasprintf("%s/uuid", dir);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
        struct timespec t0, t1;
        pid_t pid;

        strcpy(sa.sun_path, path);
        cr_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid = fork();
        if (pid == 0) {
                _cleanup_free_ char *d = xasprintf("--dir=%s", dir);
                _cleanup_free_ char *u = xasprintf("--uuid-file-save=%s", uuid_file);
                setenv("NOTIFY_SOCKET", path, 1);
                int null = open("/dev/null", O_RDWR);
                dup2(null, 1);
                dup2(null, 2);
                execl(ace, ace, d, "run", "--insecure-options=image", "--net=none", u, aci,
                      "--exec=/probe", "--", "sleep", "30", NULL);
                _exit(127);
        }
        char buf[256] = "";
        char cbuf[CMSG_SPACE(sizeof(struct ucred))];
        struct iovec iov = {buf, sizeof(buf) - 1};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
        struct timeval tv = {.tv_sec = 30};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        ssize_t n = recvmsg(fd, &mh, 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cr_assert_gt(n, 0, "no notification");
        buf[n] = 0;
        cr_assert_str_eq(buf, "READY=1");
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        cr_assert(c && c->cmsg_type == SCM_CREDENTIALS);
        struct ucred cred;
        memcpy(&cred, CMSG_DATA(c), sizeof(cred));
        cr_assert_eq(cred.pid, pid, "sent by %d, the unit's main process is %d", cred.pid, pid);
        /* Not before the one-second pre-start handler, and the app has started. */
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        cr_assert_geq(secs, 1.0, "READY after %.2fs, before the pre-start handler ended", secs);
        _cleanup_free_ char *uuid = th_read_file(uuid_file);
        uuid[strcspn(uuid, "\n")] = 0;
        _cleanup_free_ char *started =
            xasprintf("%s/pods/run/%s/appsinfo/probe/started", dir, uuid);
        cr_assert(th_exists(started), "READY before the app started");
        kill(pid, SIGTERM);
        int st;
        waitpid(pid, &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "stopped pod status %d", st);
        close(fd);
}

/* What systemd does for a .socket unit, by hand: the socket at fd 3, LISTEN_FDS=1 and
 * LISTEN_PID = the process that execs ace. */
Test(sd_protocols, passed_socket_reaches_the_app)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
        socklen_t sl = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM, 0), port;
        pid_t pid;

        cr_assert(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 8) == 0);
        getsockname(fd, (struct sockaddr *)&sa, &sl);
        port = ntohs(sa.sin_port);
        pid = fork();
        if (pid == 0) {
                _cleanup_free_ char *d = xasprintf("--dir=%s", dir);
                char p[16];
                dup2(fd, 3);
                snprintf(p, sizeof(p), "%d", (int)getpid());
                setenv("LISTEN_PID", p, 1);
                setenv("LISTEN_FDS", "1", 1);
                int null = open("/dev/null", O_RDWR);
                dup2(null, 2);
                _cleanup_free_ char *out = xasprintf("%s/sock.out", dir);
                int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                dup2(o, 1);
                execl(ace, ace, d, "run", "--insecure-options=image", "--net=none", sock_aci, NULL);
                _exit(127);
        }
        close(fd);
        _cleanup_free_ char *probe = th_build_path("tests/probe");
        _cleanup_free_ char *got =
            tu_capture(NULL, "%s http-get-retry http://127.0.0.1:%d/ 10000", probe, port);
        cr_assert(strstr(got, "via socket activation"), "%s", got);
        int st;
        waitpid(pid, &st, 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        _cleanup_free_ char *outp = xasprintf("%s/sock.out", dir);
        _cleanup_free_ char *out = th_read_file(outp);
        cr_assert(strstr(out, "listen_fds=1\n") && strstr(out, "listen_pid_ok=1\n"), "%s", out);
        _cleanup_free_ char *want = xasprintf("listen_fd.3=port:%d,listening:1", port);
        cr_assert(strstr(out, want), "%s", out);
}

/* ---- with systemd -----------------------------------------------------------------------------
 */

static struct sdbox box;

static void box_setup(void)
{
        _cleanup_free_ char *why = NULL;

        common_setup();
        if (!sdbox_start(&box, &why))
                cr_skip_test("no systemd box: %s", why);
        dir = xasprintf("%s/data", box.dir);
        mkdir(dir, 0755);
        build_images(box.dir);
}

static void box_teardown(void)
{
        if (box.pid) {
                _cleanup_free_ char *out =
                    sdbox_sh(&box, NULL, "%s --dir=%s gc --grace-period=0s", ace, dir);
        }
        sdbox_stop(&box);
        free(dir);
        dir = NULL;
        common_teardown();
}

TestSuite(systemd, .init = box_setup, .fini = box_teardown, .timeout = 180);

static char *prop(const char *unit, const char *name)
{
        char *out = sdbox_sh(&box, NULL, "systemctl show -p %s --value %s", name, unit);
        out[strcspn(out, "\n")] = 0;
        return out;
}

static void write_unit(const char *name, const char *text)
{
        _cleanup_free_ char *out = sdbox_sh(&box, NULL,
                                            "cat > /run/systemd/system/%s <<'EOF'\n%sEOF\n"
                                            "systemctl daemon-reload",
                                            name, text);
}

Test(systemd, transient_unit_output_in_the_journal)
{
        _cleanup_free_ char *out =
            sdbox_sh(&box, NULL,
                     "systemd-run --slice=machine --unit=acepod1 %s --dir=%s run "
                     "--insecure-options=image --net=none %s --exec=/probe -- print hello-journal",
                     ace, dir, aci);
        cr_assert(strstr(out, "acepod1"), "%s", out);
        cr_assert(sdbox_wait(&box, "hello-journal", 20000, "journalctl -u acepod1 --no-pager"),
                  "app output not in the unit's journal");
        /* And the unit ends as a success (a transient unit is then unloaded). */
        if (!sdbox_wait(&box, "Deactivated successfully", 20000,
                        "journalctl -u acepod1 --no-pager")) {
                _cleanup_free_ char *j = sdbox_sh(&box, NULL,
                                                  "journalctl -u acepod1 --no-pager; "
                                                  "systemctl status acepod1 --no-pager");
                cr_assert_fail("the unit did not end successfully: %s", j);
        }
}

Test(systemd, unit_exit_status_is_the_pods)
{
        _cleanup_free_ char *out =
            sdbox_sh(&box, NULL,
                     "systemd-run --slice=machine --unit=acepod2 %s --dir=%s run "
                     "--insecure-options=image --net=none %s --exec=/probe -- exit 3",
                     ace, dir, aci);
        cr_assert(sdbox_wait(&box, "failed", 20000, "systemctl is-active acepod2"), "%s", out);
        _cleanup_free_ char *status = prop("acepod2", "ExecMainStatus");
        _cleanup_free_ char *result = prop("acepod2", "Result");
        cr_assert_str_eq(status, "3");
        cr_assert_str_eq(result, "exit-code");
}

static void stop_cleanly(const char *unit, const char *kill_mode)
{
        _cleanup_free_ char *uuid_file = xasprintf("%s/%s.uuid", dir, unit);
        _cleanup_free_ char *name = xasprintf("%s.service", unit);
        _cleanup_free_ char *text =
            xasprintf("[Unit]\nDescription=ace pod\n[Service]\nSlice=machine.slice\n"
                      "ExecStart=%s --dir=%s run --insecure-options=image --net=none "
                      "--uuid-file-save=%s %s --exec=/probe -- sleep 600\n"
                      "ExecStopPost=%s --dir=%s rm --uuid-file=%s\n%s",
                      ace, dir, uuid_file, aci, ace, dir, uuid_file, kill_mode);

        write_unit(name, text);
        _cleanup_free_ char *out = sdbox_sh(&box, NULL, "systemctl start %s", unit);
        cr_assert(sdbox_wait(&box, "state=running", 20000, "%s --dir=%s status --uuid-file=%s", ace,
                             dir, uuid_file),
                  "pod never ran: %s", out);
        _cleanup_free_ char *uuid = th_read_file(uuid_file);
        uuid[strcspn(uuid, "\n")] = 0;
        _cleanup_free_ char *stop = sdbox_sh(&box, NULL, "systemctl stop %s", unit);
        _cleanup_free_ char *state = prop(unit, "ActiveState");
        _cleanup_free_ char *result = prop(unit, "Result");
        _cleanup_free_ char *status = prop(unit, "ExecMainStatus");
        cr_assert_str_eq(state, "inactive", "%s", stop);
        cr_assert_str_eq(result, "success", "ExecMainStatus=%s", status);
        /* ExecStopPost removed the pod; nothing of it is left running. */
        _cleanup_free_ char *list =
            sdbox_sh(&box, NULL, "%s --dir=%s list --full --no-legend", ace, dir);
        cr_assert_null(strstr(list, uuid), "%s", list);
        _cleanup_free_ char *procs = sdbox_sh(&box, NULL, "pgrep -f '[/]probe sleep 600' || true");
        cr_assert_str_eq(procs, "");
}

Test(systemd, stop_with_kill_mode_mixed_and_rm_in_exec_stop_post)
{
        stop_cleanly("acepod3", "KillMode=mixed\n");
}

Test(systemd, stop_with_the_default_kill_mode)
{
        stop_cleanly("acepod4", "");
}

Test(systemd, type_notify_is_active_once_apps_started)
{
        _cleanup_free_ char *uuid_file = xasprintf("%s/acepod5.uuid", dir);
        _cleanup_free_ char *text =
            xasprintf("[Service]\nType=notify\nSlice=machine.slice\nKillMode=mixed\n"
                      "ExecStart=%s --dir=%s run --insecure-options=image --net=none "
                      "--uuid-file-save=%s %s --exec=/probe -- sleep 600\n",
                      ace, dir, uuid_file, aci);
        struct timespec t0, t1;

        write_unit("acepod5.service", text);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        _cleanup_free_ char *out = sdbox_sh(&box, NULL,
                                            "systemctl start acepod5; "
                                            "systemctl is-active acepod5");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cr_assert(strstr(out, "active"), "%s", out);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        cr_assert_geq(secs, 1.0, "active after %.2fs: before the 1s pre-start handler", secs);
        _cleanup_free_ char *uuid = th_read_file(uuid_file);
        uuid[strcspn(uuid, "\n")] = 0;
        _cleanup_free_ char *started =
            xasprintf("%s/pods/run/%s/appsinfo/probe/started", dir, uuid);
        cr_assert(th_exists(started));
        _cleanup_free_ char *stop = sdbox_sh(&box, NULL, "systemctl stop acepod5");
        _cleanup_free_ char *result = prop("acepod5", "Result");
        cr_assert_str_eq(result, "success", "%s", stop);
}

Test(systemd, socket_activated_app)
{
        _cleanup_free_ char *svc =
            xasprintf("[Service]\nSlice=machine.slice\nKillMode=mixed\n"
                      "ExecStart=%s --dir=%s run --insecure-options=image --net=none %s\n",
                      ace, dir, sock_aci);
        _cleanup_free_ char *probe = th_build_path("tests/probe");

        write_unit("acesock.service", svc);
        write_unit("acesock.socket", "[Socket]\nListenStream=127.0.0.1:18099\n");
        _cleanup_free_ char *start = sdbox_sh(&box, NULL, "systemctl start acesock.socket");
        _cleanup_free_ char *got = sdbox_sh(&box, NULL,
                                            "%s http-get-retry http://127.0.0.1:18099/ "
                                            "10000",
                                            probe);
        if (!strstr(got, "via socket activation")) {
                _cleanup_free_ char *j = sdbox_sh(&box, NULL, "journalctl --no-pager | tail -30");
                cr_assert_fail("%s %s %s", start, got, j);
        }
        _cleanup_free_ char *j = sdbox_sh(&box, NULL, "journalctl -u acesock.service --no-pager");
        cr_assert(strstr(j, "listen_fds=1") && strstr(j, "listen_pid_ok=1"), "%s", j);
}
