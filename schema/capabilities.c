/*
 * capabilities.c - the Linux capability names an os/linux/capabilities-* isolator may list,
 * with their numbers from <linux/capability.h>, sorted by name for bsearch. The unit tests
 * check that every number 0..CAP_LAST_CAP has exactly one name and that the names agree with
 * libcap's.
 */
#include "schema/isolator.h"

#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

#define CAP(n)                                                                                     \
        {                                                                                          \
#n, n                                                                              \
        }

static const struct ace_name_number capabilities[] = {
    CAP(CAP_AUDIT_CONTROL),   CAP(CAP_AUDIT_READ),   CAP(CAP_AUDIT_WRITE),
    CAP(CAP_BLOCK_SUSPEND),   CAP(CAP_BPF),          CAP(CAP_CHECKPOINT_RESTORE),
    CAP(CAP_CHOWN),           CAP(CAP_DAC_OVERRIDE), CAP(CAP_DAC_READ_SEARCH),
    CAP(CAP_FOWNER),          CAP(CAP_FSETID),       CAP(CAP_IPC_LOCK),
    CAP(CAP_IPC_OWNER),       CAP(CAP_KILL),         CAP(CAP_LEASE),
    CAP(CAP_LINUX_IMMUTABLE), CAP(CAP_MAC_ADMIN),    CAP(CAP_MAC_OVERRIDE),
    CAP(CAP_MKNOD),           CAP(CAP_NET_ADMIN),    CAP(CAP_NET_BIND_SERVICE),
    CAP(CAP_NET_BROADCAST),   CAP(CAP_NET_RAW),      CAP(CAP_PERFMON),
    CAP(CAP_SETFCAP),         CAP(CAP_SETGID),       CAP(CAP_SETPCAP),
    CAP(CAP_SETUID),          CAP(CAP_SYSLOG),       CAP(CAP_SYS_ADMIN),
    CAP(CAP_SYS_BOOT),        CAP(CAP_SYS_CHROOT),   CAP(CAP_SYS_MODULE),
    CAP(CAP_SYS_NICE),        CAP(CAP_SYS_PACCT),    CAP(CAP_SYS_PTRACE),
    CAP(CAP_SYS_RAWIO),       CAP(CAP_SYS_RESOURCE), CAP(CAP_SYS_TIME),
    CAP(CAP_SYS_TTY_CONFIG),  CAP(CAP_WAKE_ALARM),
};

/* The appc default bounding set (spec/ace.md, os/linux/capabilities-remove-set). */
static const char *const default_set[] = {
    "CAP_AUDIT_WRITE", "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_KILL",        "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_NET_BIND_SERVICE", "CAP_SETUID",
    "CAP_SETGID",      "CAP_SETPCAP", "CAP_SETFCAP",      "CAP_SYS_CHROOT",
};

const struct ace_name_number *capability_table(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(capabilities);
        return capabilities;
}

static int cmp_name(const void *key, const void *elem)
{
        return strcmp(key, ((const struct ace_name_number *)elem)->name);
}

int capability_from_name(const char *name)
{
        const struct ace_name_number *e = bsearch(name, capabilities, ARRAY_SIZE(capabilities),
                                                  sizeof(capabilities[0]), cmp_name);
        return e ? e->number : -1;
}

const char *capability_to_name(int number)
{
        for (size_t i = 0; i < ARRAY_SIZE(capabilities); i++)
                if (capabilities[i].number == number)
                        return capabilities[i].name;
        return NULL;
}

const char *const *capability_default_set(size_t *ret_n)
{
        *ret_n = ARRAY_SIZE(default_set);
        return default_set;
}
