/* caps.c - capability sets and their application (caps.h); names and the appc default set come
 * from the schema's tables (schema/capabilities.c). */
#include "stage2/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "schema/isolator.h"

static int mask_of(char *const *set, uint64_t *ret, struct ace_error **err)
{
        uint64_t m = 0;

        for (size_t i = 0; set && set[i]; i++) {
                int v = capability_from_name(set[i]);
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
        size_t n_def;
        const char *const *def_set = capability_default_set(&n_def);
        int r;

        for (size_t i = 0; i < n_def; i++)
                def |= UINT64_C(1) << capability_from_name(def_set[i]);
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
                        return ace_error_errno(err, errno, "drop capability %d from bounding set",
                                               c);
        }
        return 0;
}

int caps_apply_final(bool is_root, struct ace_error **err)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct data[2] = {0};

        /* Ambient first: it can only hold what is also permitted and inheritable. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return ace_error_errno(err, errno, "clear ambient capabilities");
        if (syscall(SYS_capget, &hdr, data) < 0)
                return ace_error_errno(err, errno, "capget");
        /* Root keeps permitted and effective until execve, which makes them exactly the bounding
         * set (inheritable being empty): until then stage2 may still need CAP_SYS_ADMIN to load
         * the seccomp filter without no_new_privs. Anyone else has none. */
        if (!is_root)
                data[0].permitted = data[0].effective = data[1].permitted = data[1].effective = 0;
        data[0].inheritable = data[1].inheritable = 0;
        if (syscall(SYS_capset, &hdr, data) < 0)
                return ace_error_errno(err, errno, "capset");
        return 0;
}
