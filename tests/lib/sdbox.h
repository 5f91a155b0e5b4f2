/*
 * sdbox.h - a real systemd for tests: systemd booted as PID 1 of private PID, mount, network,
 * UTS and IPC namespaces (`unshare -pfmnui --mount-proc`), in container mode, driven with
 * systemctl, systemd-run and journalctl through nsenter.
 *
 * What this machine has and the box works around (Documentation/using-ace-with-systemd.md,
 * "Testing"): no D-Bus (systemctl and systemd-run use systemd's private socket as root; the
 * box never needs logind), cgroup v1 hybrid (name=systemd + unified: the box moves itself into
 * its own subtree of both, so systemd manages only that), and a host whose /tmp, /var/tmp,
 * /var/log/journal and enabled units must not be touched: the box mounts tmpfs on /run, /tmp,
 * /var/tmp and /var/log/journal, hides /etc/systemd/system behind an empty directory, masks
 * every unit the vendor *.wants directories would pull in except journald's, and replaces
 * sysinit.target and basic.target by empty ones (so no local-fs, swap, tmpfiles: a first
 * attempt without this let systemd-tmpfiles clean the host's /tmp). Pods in the box see the
 * host filesystem otherwise, so test data lives under /var/lib/ace-test, not /tmp.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct sdbox {
        pid_t unshare_pid; /* our child: unshare */
        pid_t pid;         /* systemd, PID 1 of the box, as the host sees it */
        char *name;        /* cgroup subtree name */
        char *dir;         /* /var/lib/ace-test/sdbox-XXXXXX: boot script, data */
};

/* Boots a box; false (with the reason in *why, malloc'd) when this machine cannot. */
bool sdbox_start(struct sdbox *b, char **why);
/* `sh -c CMD` inside the box; stdout (heap), exit status in *status (may be NULL). */
char *sdbox_sh(struct sdbox *b, int *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Polls `sh -c CMD` in the box until its stdout contains want (or timeout): true if it did. */
bool sdbox_wait(struct sdbox *b, const char *want, int timeout_ms, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Halts the box, waits for it, removes its cgroups and directory. */
void sdbox_stop(struct sdbox *b);
