/* caps.c - capability tables and application (caps.h). */
#include "stage2/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

const struct cap_name cap_names[] = {
        { "CAP_AUDIT_CONTROL", 30 },
        { "CAP_AUDIT_READ", 37 },
        { "CAP_AUDIT_WRITE", 29 },
        { "CAP_BLOCK_SUSPEND", 36 },
        { "CAP_BPF", 39 },
        { "CAP_CHECKPOINT_RESTORE", 40 },
        { "CAP_CHOWN", 0 },
        { "CAP_DAC_OVERRIDE", 1 },
        { "CAP_DAC_READ_SEARCH", 2 },
        { "CAP_FOWNER", 3 },
        { "CAP_FSETID", 4 },
        { "CAP_IPC_LOCK", 14 },
        { "CAP_IPC_OWNER", 15 },
        { "CAP_KILL", 5 },
        { "CAP_LEASE", 28 },
        { "CAP_LINUX_IMMUTABLE", 9 },
        { "CAP_MAC_ADMIN", 33 },
        { "CAP_MAC_OVERRIDE", 32 },
        { "CAP_MKNOD", 27 },
        { "CAP_NET_ADMIN", 12 },
        { "CAP_NET_BIND_SERVICE", 10 },
        { "CAP_NET_BROADCAST", 11 },
        { "CAP_NET_RAW", 13 },
        { "CAP_PERFMON", 38 },
        { "CAP_SETFCAP", 31 },
        { "CAP_SETGID", 6 },
        { "CAP_SETPCAP", 8 },
        { "CAP_SETUID", 7 },
        { "CAP_SYSLOG", 34 },
        { "CAP_SYS_ADMIN", 21 },
        { "CAP_SYS_BOOT", 22 },
        { "CAP_SYS_CHROOT", 18 },
        { "CAP_SYS_MODULE", 16 },
        { "CAP_SYS_NICE", 23 },
        { "CAP_SYS_PACCT", 20 },
        { "CAP_SYS_PTRACE", 19 },
        { "CAP_SYS_RAWIO", 17 },
        { "CAP_SYS_RESOURCE", 24 },
        { "CAP_SYS_TIME", 25 },
        { "CAP_SYS_TTY_CONFIG", 26 },
        { "CAP_WAKE_ALARM", 35 },
};
const unsigned n_cap_names = ARRAY_SIZE(cap_names);

const char *const cap_default_set[] = {
        "CAP_AUDIT_WRITE", "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",
        "CAP_FSETID",      "CAP_KILL",   "CAP_MKNOD",        "CAP_NET_BIND_SERVICE",
        "CAP_NET_RAW",     "CAP_SETFCAP", "CAP_SETGID",      "CAP_SETPCAP",
        "CAP_SETUID",      "CAP_SYS_CHROOT",
};
const unsigned n_cap_default_set = ARRAY_SIZE(cap_default_set);

static int cmp_name(const void *key, const void *elem)
{
        return strcmp(key, ((const struct cap_name *)elem)->name);
}

int cap_from_name(const char *name)
{
        const struct cap_name *c = bsearch(name, cap_names, n_cap_names, sizeof(cap_names[0]),
                                           cmp_name);
        return c ? c->value : -EINVAL;
}

static int mask_of(char *const *set, uint64_t *ret, struct ace_error **err)
{
        uint64_t m = 0;

        for (size_t i = 0; set && set[i]; i++) {
                int v = cap_from_name(set[i]);
                if (v < 0)
                        return ace_error_make(err, EINVAL, "unknown capability \"%s\"", set[i]);
                m |= UINT64_C(1) << v;
        }
        *ret = m;
        return 0;
}

int caps_bounding_mask(enum launch_caps_mode mode, char *const *set, uint64_t *ret,
                       struct ace_error **err)
{
        uint64_t def = 0, m = 0;
        int r;

        for (unsigned i = 0; i < n_cap_default_set; i++)
                def |= UINT64_C(1) << cap_from_name(cap_default_set[i]);
        switch (mode) {
        case LAUNCH_CAPS_DEFAULT:
                *ret = def;
                return 0;
        case LAUNCH_CAPS_ALL:
                *ret = ~UINT64_C(0);
                return 0;
        case LAUNCH_CAPS_RETAIN:
                if ((r = mask_of(set, &m, err)) < 0)
                        return r;
                *ret = m;
                return 0;
        case LAUNCH_CAPS_REMOVE:
                if ((r = mask_of(set, &m, err)) < 0)
                        return r;
                *ret = def & ~m;
                return 0;
        }
        return ace_error_make(err, EINVAL, "bad capability mode %d", (int)mode);
}

static int last_cap(void)
{
        /* Probe instead of reading /proc/sys/kernel/cap_last_cap: /proc is the app's by now. */
        int n = 0;
        while (n < 64 && prctl(PR_CAPBSET_READ, n, 0, 0, 0) >= 0)
                n++;
        return n - 1;
}

int caps_apply_bounding(uint64_t mask, struct ace_error **err)
{
        int last = last_cap();

        for (int c = 0; c <= last; c++) {
                if (mask & (UINT64_C(1) << c))
                        continue;
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return ace_error_errno(err, errno, "drop capability %d from bounding set", c);
        }
        return 0;
}

int caps_apply_final(uint64_t mask, bool is_root, struct ace_error **err)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[2] = { 0 };
        uint64_t keep = is_root ? mask : 0;

        /* Ambient first: it can only hold what is also permitted and inheritable. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return ace_error_errno(err, errno, "clear ambient capabilities");
        if (syscall(SYS_capget, &hdr, data) < 0)
                return ace_error_errno(err, errno, "capget");
        uint64_t perm = ((uint64_t)data[1].permitted << 32 | data[0].permitted) & keep;
        data[0].permitted = data[0].effective = (uint32_t)perm;
        data[1].permitted = data[1].effective = (uint32_t)(perm >> 32);
        data[0].inheritable = data[1].inheritable = 0;
        if (syscall(SYS_capset, &hdr, data) < 0)
                return ace_error_errno(err, errno, "capset");
        return 0;
}
