/* sdbox.c - systemd as PID 1 of a private namespace set, for tests (sdbox.h). */
#include "tests/lib/sdbox.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/test_image.h"
#include "tests/lib/tu.h"

#define SDBOX_ROOT "/var/lib/ace-test"

/* Runs as the box's first process (sh), then becomes systemd. Every host-visible side effect
 * is shadowed first; see sdbox.h for why each line is there. */
static const char boot_script[] =
    "#!/bin/sh\n"
    "set -e\n"
    "NAME=\"$1\"\n"
    "umount -R -l /run/netns 2>/dev/null || true\n" /* other pods' namespaces: not ours */
    "mount -t tmpfs -o mode=755 tmpfs /run\n"
    "mount -t tmpfs -o mode=1777 tmpfs /tmp\n"
    "mount -t tmpfs -o mode=1777 tmpfs /var/tmp\n"
    "if [ -d /var/log/journal ]; then mount -t tmpfs -o mode=2755 tmpfs /var/log/journal; fi\n"
    "mkdir -p /run/systemd/system /run/acebox-empty\n"
    "mount --bind /run/acebox-empty /etc/systemd/system\n"
    "for w in /lib/systemd/system/*.wants/* /usr/lib/systemd/system/*.wants/*; do\n"
    "  [ -e \"$w\" ] || [ -L \"$w\" ] || continue\n"
    "  n=$(basename \"$w\")\n"
    "  case \"$n\" in\n"
    "  systemd-journald.service|systemd-journald.socket|systemd-journald-dev-log.socket) ;;\n"
    "  *) ln -sf /dev/null \"/run/systemd/system/$n\" ;;\n"
    "  esac\n"
    "done\n"
    "printf '[Unit]\\nDescription=System Initialization (ace test box)\\n' "
    "> /run/systemd/system/sysinit.target\n"
    "printf '[Unit]\\nDescription=Basic System (ace test box)\\n' "
    "> /run/systemd/system/basic.target\n"
    "printf '[Unit]\\nDescription=ace test box\\nWants=systemd-journald.socket "
    "systemd-journald.service\\n' > /run/systemd/system/acebox.target\n"
    "for h in systemd unified; do\n"
    "  if [ -d /sys/fs/cgroup/$h ]; then\n"
    "    mkdir -p /sys/fs/cgroup/$h/$NAME\n"
    "    echo $$ > /sys/fs/cgroup/$h/$NAME/cgroup.procs\n"
    "  fi\n"
    "done\n"
    "ip link set lo up\n"
    "export container=ace-test\n"
    "exec /lib/systemd/systemd --system --unit=acebox.target --log-level=info "
    "--show-status=no\n";

static pid_t child_of(pid_t parent)
{
        _cleanup_free_ char *p = xasprintf("/proc/%d/task/%d/children", (int)parent, (int)parent);
        _cleanup_free_ char *text = th_read_file(p);

        return text && *text ? (pid_t)atoi(text) : 0;
}

static char *vsh(struct sdbox *b, int *status, const char *fmt, va_list ap)
{
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        _cleanup_free_ char *q = NULL;
        size_t n = 0;

        /* Single-quote the command for the outer shell. */
        q = xmalloc(4 * strlen(cmd) + 3);
        q[n++] = '\'';
        for (const char *c = cmd; *c; c++) {
                if (*c == '\'') {
                        memcpy(q + n, "'\\''", 4);
                        n += 4;
                } else {
                        q[n++] = *c;
                }
        }
        q[n++] = '\'';
        q[n] = 0;
        return tu_capture(status, "timeout 60 nsenter -t %d -m -p -n -u -i -- sh -c %s 2>&1",
                          (int)b->pid, q);
}

char *sdbox_sh(struct sdbox *b, int *status, const char *fmt, ...)
{
        va_list ap;
        char *r;

        va_start(ap, fmt);
        r = vsh(b, status, fmt, ap);
        va_end(ap);
        return r;
}

bool sdbox_wait(struct sdbox *b, const char *want, int timeout_ms, const char *fmt, ...)
{
        for (int waited = 0; waited <= timeout_ms; waited += 100) {
                va_list ap;
                va_start(ap, fmt);
                _cleanup_free_ char *out = vsh(b, NULL, fmt, ap);
                va_end(ap);
                if (strstr(out, want))
                        return true;
                usleep(100 * 1000);
        }
        return false;
}

bool sdbox_start(struct sdbox *b, char **why)
{
        _cleanup_free_ char *script = NULL;
        char tmpl[] = SDBOX_ROOT "/sdbox-XXXXXX";

        *b = (struct sdbox){0};
        if (geteuid() != 0 || access("/lib/systemd/systemd", X_OK) < 0) {
                *why = xstrdup("needs root and /lib/systemd/systemd");
                return false;
        }
        (void)mkdir(SDBOX_ROOT, 0755);
        cr_assert(mkdtemp(tmpl), "mkdtemp %s", tmpl);
        b->dir = xstrdup(tmpl);
        b->name = xasprintf("ace-%s", strrchr(tmpl, '-') + 1);
        script = xasprintf("%s/boot.sh", b->dir);
        th_write_file(script, boot_script, 0755);
        b->unshare_pid = fork();
        cr_assert(b->unshare_pid >= 0);
        if (b->unshare_pid == 0) {
                _cleanup_free_ char *log = xasprintf("%s/boot.log", b->dir);
                freopen(log, "w", stdout);
                freopen(log, "a", stderr);
                execlp("unshare", "unshare", "--pid", "--fork", "--mount", "--mount-proc", "--net",
                       "--uts", "--ipc", "--propagation", "private", "sh", script, b->name, NULL);
                _exit(127);
        }
        for (int i = 0; i < 100 && !b->pid; i++) {
                b->pid = child_of(b->unshare_pid);
                if (!b->pid)
                        usleep(20 * 1000);
        }
        if (!b->pid || !sdbox_wait(b, "running", 20000, "systemctl is-system-running")) {
                _cleanup_free_ char *log = xasprintf("%s/boot.log", b->dir);
                _cleanup_free_ char *text = th_read_file(log);
                *why = xasprintf("systemd did not come up: %s", text ? text : "");
                sdbox_stop(b);
                return false;
        }
        return true;
}

static void rm_cgroup(const char *hier, const char *name)
{
        (void)tu_sh("[ -d /sys/fs/cgroup/%s/%s ] && find /sys/fs/cgroup/%s/%s -depth -type d "
                    "-exec rmdir {} \\; 2>/dev/null; true",
                    hier, name, hier, name);
}

void sdbox_stop(struct sdbox *b)
{
        int st;

        if (b->pid > 0) {
                /* SIGRTMIN+4: poweroff; in a container systemd then exits. */
                kill(b->pid, SIGRTMIN + 4);
                for (int i = 0; i < 150; i++) {
                        if (waitpid(b->unshare_pid, &st, WNOHANG) == b->unshare_pid) {
                                b->unshare_pid = 0;
                                break;
                        }
                        usleep(100 * 1000);
                }
                if (b->unshare_pid > 0)
                        kill(b->pid, SIGKILL); /* PID 1 gone: the kernel kills the box */
        }
        if (b->unshare_pid > 0)
                waitpid(b->unshare_pid, &st, 0);
        if (b->name) {
                rm_cgroup("systemd", b->name);
                rm_cgroup("unified", b->name);
        }
        if (b->dir)
                th_rm_rf(b->dir);
        free(b->dir);
        free(b->name);
        *b = (struct sdbox){0};
}
