/* seccomp.c - build and load the app's seccomp filter with libseccomp (seccomp.h). */
#include "stage2/seccomp.h"

#include <errno.h>
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/isolator.h"
#include "stage2/seccomp_groups.h"

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
        *ctx = NULL;
}

static char **push_unique(char **v, const char *s)
{
        return strv_contains(v, s) ? v : strv_push(v, s);
}

int seccomp_expand(enum launch_seccomp_mode mode, char *const *set, char ***ret_names,
                   bool *ret_rules, struct ace_error **err)
{
        _cleanup_strv_free_ char **names = NULL;
        bool rules = false;

        for (size_t i = 0; set && set[i]; i++) {
                const struct seccomp_group *g;

                if (set[i][0] != '@') {
                        names = push_unique(names, set[i]);
                        continue;
                }
                g = seccomp_group_find(set[i]);
                if (!g)
                        return ace_error_make(err, EINVAL, "unknown seccomp group \"%s\"", set[i]);
                for (size_t k = 0; k < g->n; k++)
                        names = push_unique(names, g->syscalls[k]);
                rules |= g->argument_rules && mode == LAUNCH_SECCOMP_REMOVE;
        }
        if (names)
                strv_sort(names);
        *ret_names = TAKE_PTR(names);
        *ret_rules = rules;
        return 0;
}

/* Every ABI the native one can run: a filter for x86-64 alone would let `int $0x80` through. */
static int add_compat_arches(scmp_filter_ctx ctx, struct ace_error **err)
{
        static const uint32_t x86_64_compat[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
        static const uint32_t aarch64_compat[] = {SCMP_ARCH_ARM};
        const uint32_t *compat = NULL;
        size_t n = 0;
        int r;

        switch (seccomp_arch_native()) {
        case SCMP_ARCH_X86_64:
                compat = x86_64_compat;
                n = ARRAY_SIZE(x86_64_compat);
                break;
        case SCMP_ARCH_AARCH64:
                compat = aarch64_compat;
                n = ARRAY_SIZE(aarch64_compat);
                break;
        default:
                break;
        }
        for (size_t i = 0; i < n; i++)
                if ((r = seccomp_arch_add(ctx, compat[i])) < 0 && r != -EEXIST)
                        return ace_error_errno(err, -r, "seccomp: add architecture %#x", compat[i]);
        return 0;
}

static int block_action(const struct launch_spec *spec, uint32_t *ret, struct ace_error **err)
{
        const char *name = spec->seccomp_errno;
        int e;

        if (!name || !*name) {
                *ret = SCMP_ACT_KILL_PROCESS; /* appc: "termination via SIGSYS" */
                return 0;
        }
        e = errno_from_name(name);
        if (e <= 0)
                return ace_error_make(err, EINVAL, "seccomp: unknown errno name \"%s\"", name);
        *ret = SCMP_ACT_ERRNO((uint32_t)e);
        return 0;
}

/* A rule on a syscall some ABI of the filter lacks (a pseudo number) is not an error. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_args,
                    const struct scmp_arg_cmp *args, struct ace_error **err)
{
        int nr = seccomp_syscall_resolve_name(name);
        int r;

        if (nr == __NR_SCMP_ERROR)
                return -ENOENT;
        r = seccomp_rule_add_array(ctx, action, nr, n_args, args);
        if (r < 0 && nr < 0)
                return 0;
        if (r < 0)
                return ace_error_errno(err, -r, "seccomp: rule for %s", name);
        return 0;
}

/* @ace/default-blacklist's argument rules (seccomp_groups.h), for what the set does not already
 * block outright. */
static int add_argument_rules(scmp_filter_ctx ctx, uint32_t block, char *const *names,
                              struct ace_error **err)
{
        const struct scmp_arg_cmp newuser =
            SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
        const struct scmp_arg_cmp tiocsti = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
        const struct scmp_arg_cmp tioclinux = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
        int r = 0;

        if (!strv_contains(names, "clone") && r >= 0)
                r = add_rule(ctx, block, "clone", 1, &newuser, err);
        if (!strv_contains(names, "unshare") && r >= 0)
                r = add_rule(ctx, block, "unshare", 1, &newuser, err);
        if (!strv_contains(names, "clone3") && r >= 0)
                r = add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err);
        if (!strv_contains(names, "ioctl") && r >= 0)
                r = add_rule(ctx, block, "ioctl", 1, &tiocsti, err);
        if (!strv_contains(names, "ioctl") && r >= 0)
                r = add_rule(ctx, block, "ioctl", 1, &tioclinux, err);
        return r < 0 ? r : 0;
}

static int add_set(scmp_filter_ctx ctx, uint32_t action, char *const *names, char ***unknown,
                   struct ace_error **err)
{
        for (size_t i = 0; names && names[i]; i++) {
                int r = add_rule(ctx, action, names[i], 0, NULL, err);
                if (r == -ENOENT)
                        *unknown = strv_push(*unknown, names[i]);
                else if (r < 0)
                        return r;
        }
        return 0;
}

int seccomp_build(const struct launch_spec *spec, scmp_filter_ctx *ret, char ***ret_unknown,
                  struct ace_error **err)
{
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        _cleanup_strv_free_ char **names = NULL, **unknown = NULL;
        bool retain = spec->seccomp_mode == LAUNCH_SECCOMP_RETAIN, rules = false;
        uint32_t block = SCMP_ACT_KILL_PROCESS;
        int r;

        *ret = NULL;
        if (spec->seccomp_mode == LAUNCH_SECCOMP_NONE)
                return 0;
        if ((r = block_action(spec, &block, err)) < 0 ||
            (r = seccomp_expand(spec->seccomp_mode, spec->seccomp_set, &names, &rules, err)) < 0)
                return r;
        if (retain)
                for (size_t i = 0; i < n_seccomp_lifecycle; i++)
                        names = push_unique(names, seccomp_lifecycle[i]);
        ctx = seccomp_init(retain ? block : SCMP_ACT_ALLOW);
        if (!ctx)
                return ace_error_make(err, ENOMEM, "seccomp: cannot create a filter");
        /* no_new_privs is stage2's decision, not a side effect of loading. */
        if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
            (r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
                return ace_error_errno(err, -r, "seccomp: filter attributes");
        if ((r = add_compat_arches(ctx, err)) < 0 ||
            (r = add_set(ctx, retain ? SCMP_ACT_ALLOW : block, names, &unknown, err)) < 0)
                return r;
        if (rules && (r = add_argument_rules(ctx, block, names, err)) < 0)
                return r;
        /* An allow-list with clone but without clone3: glibc tries clone3 first and falls back
         * to clone only on ENOSYS. */
        if (retain && strv_contains(names, "clone") && !strv_contains(names, "clone3") &&
            block != SCMP_ACT_ERRNO(ENOSYS) &&
            (r = add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err)) < 0)
                return r;
        if (ret_unknown)
                *ret_unknown = TAKE_PTR(unknown);
        *ret = TAKE_PTR(ctx);
        return 0;
}

int seccomp_install(scmp_filter_ctx ctx, struct ace_error **err)
{
        int r = seccomp_load(ctx);

        seccomp_release(ctx);
        if (r < 0)
                return ace_error_errno(err, -r, "load the seccomp filter");
        return 0;
}

int seccomp_export(scmp_filter_ctx ctx, unsigned char **ret, size_t *ret_len,
                   struct ace_error **err)
{
        _cleanup_close_ int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        _cleanup_free_ unsigned char *buf = NULL;
        struct stat st;
        int r;

        if (fd < 0)
                return ace_error_errno(err, errno, "seccomp: memfd_create");
        if ((r = seccomp_export_bpf(ctx, fd)) < 0)
                return ace_error_errno(err, -r, "seccomp: export the filter");
        if (fstat(fd, &st) < 0)
                return ace_error_errno(err, errno, "seccomp: stat the exported filter");
        buf = xmalloc((size_t)st.st_size + 1);
        if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
                return ace_error_errno(err, errno ? errno : EIO,
                                       "seccomp: read the exported filter");
        *ret = TAKE_PTR(buf);
        *ret_len = (size_t)st.st_size;
        return 0;
}

bool seccomp_spec_is_default(const struct launch_spec *spec)
{
        return spec->seccomp_mode == LAUNCH_SECCOMP_REMOVE && spec->seccomp_errno &&
               strcmp(spec->seccomp_errno, LAUNCH_SECCOMP_DEFAULT_ERRNO) == 0 &&
               spec->seccomp_set && spec->seccomp_set[0] &&
               strcmp(spec->seccomp_set[0], LAUNCH_SECCOMP_DEFAULT_SET) == 0 &&
               !spec->seccomp_set[1];
}
