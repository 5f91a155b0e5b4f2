/* cgroup_devices.c - the apps' device allow-list, as devices.allow lines and as a cgroup BPF
 * program (cgroup_devices.h). */
#include "stage1/cgroup_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

const struct device_rule device_default_rules[] = {
    {'c', 1, 3, "rwm"},    /* null */
    {'c', 1, 5, "rwm"},    /* zero */
    {'c', 1, 7, "rwm"},    /* full */
    {'c', 1, 8, "rwm"},    /* random */
    {'c', 1, 9, "rwm"},    /* urandom */
    {'c', 5, 0, "rwm"},    /* tty */
    {'c', 5, 1, "rwm"},    /* console */
    {'c', 5, 2, "rwm"},    /* ptmx */
    {'c', 10, 200, "rwm"}, /* net/tun */
    {'c', 136, -1, "rwm"}, /* pts/N */
};
const size_t n_device_default_rules = ARRAY_SIZE(device_default_rules);

void device_rule_format(const struct device_rule *r, char *buf, size_t size)
{
        char maj[12] = "*", min[12] = "*";

        if (r->major >= 0)
                snprintf(maj, sizeof(maj), "%d", r->major);
        if (r->minor >= 0)
                snprintf(min, sizeof(min), "%d", r->minor);
        snprintf(buf, size, "%c %s:%s %s", r->type, maj, min, r->access);
}

/* ---- the BPF program ------------------------------------------------------------------------- */

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
        return (struct bpf_insn){
            .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU_IMM(op, dst, imm) insn(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV_REG(dst, src) insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) insn(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static __u32 access_mask(const char *access)
{
        __u32 m = 0;

        for (const char *p = access; *p; p++)
                m |= *p == 'r'   ? BPF_DEVCG_ACC_READ
                     : *p == 'w' ? BPF_DEVCG_ACC_WRITE
                     : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
                                 : 0;
        return m;
}

/* Registers: r2 = device type, r3 = access, r4 = major, r5 = minor (from the context in r1).
 * Each rule is a block that falls through to "allow" when everything matches and otherwise
 * jumps over the rest of itself to the next rule; after the last rule: deny. */
int device_bpf_build(const struct device_rule *rules, size_t n, struct bpf_insn *insns, size_t max)
{
        size_t k = 0;

#define EMIT(i)                                                                                    \
        do {                                                                                       \
                if (k >= max)                                                                      \
                        return -E2BIG;                                                             \
                insns[k++] = (i);                                                                  \
        } while (0)
        EMIT(LDX_W(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
        EMIT(ALU_IMM(BPF_AND, BPF_REG_2, 0xffff));
        EMIT(LDX_W(BPF_REG_3, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
        EMIT(ALU_IMM(BPF_RSH, BPF_REG_3, 16));
        EMIT(LDX_W(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major)));
        EMIT(LDX_W(BPF_REG_5, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor)));
        for (size_t i = 0; i < n; i++) {
                const struct device_rule *r = &rules[i];
                /* block: type, [major], [minor], access (3 insns), allow (2 insns) */
                int len = 1 + (r->major >= 0) + (r->minor >= 0) + 3 + 2, at = 0;
                __u32 type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;

                /* A jump at position `at` of the block skips to the block's end. */
                EMIT(JNE_IMM(BPF_REG_2, (__s32)type, (__s16)(len - at - 1)));
                at++;
                if (r->major >= 0) {
                        EMIT(JNE_IMM(BPF_REG_4, r->major, (__s16)(len - at - 1)));
                        at++;
                }
                if (r->minor >= 0) {
                        EMIT(JNE_IMM(BPF_REG_5, r->minor, (__s16)(len - at - 1)));
                        at++;
                }
                /* Every requested access must be in the rule's. */
                EMIT(MOV_REG(BPF_REG_6, BPF_REG_3));
                EMIT(ALU_IMM(BPF_AND, BPF_REG_6, (__s32)~access_mask(r->access)));
                at += 2;
                EMIT(JNE_IMM(BPF_REG_6, 0, (__s16)(len - at - 1)));
                EMIT(MOV_IMM(BPF_REG_0, 1));
                EMIT(EXIT());
        }
        EMIT(MOV_IMM(BPF_REG_0, 0));
        EMIT(EXIT());
#undef EMIT
        return (int)k;
}

int device_bpf_attach(const char *dir, const struct device_rule *rules, size_t n,
                      struct ace_error **err)
{
        struct bpf_insn insns[256];
        int count = device_bpf_build(rules, n, insns, ARRAY_SIZE(insns));
        _cleanup_close_ int prog = -EBADF, cg = -EBADF;
        static char log[16384];
        union bpf_attr attr;

        if (count < 0)
                return ace_error_make(err, E2BIG, "device policy: too many rules");
        /* Without a verifier log first (a log that does not fit fails the load with ENOSPC);
         * with one only to explain a refusal. */
        for (int with_log = 0; prog < 0 && with_log < 2; with_log++) {
                memset(&attr, 0, sizeof(attr));
                attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
                attr.insns = (__u64)(unsigned long)insns;
                attr.insn_cnt = (__u32)count;
                attr.license = (__u64)(unsigned long)"GPL";
                if (with_log) {
                        log[0] = 0;
                        attr.log_buf = (__u64)(unsigned long)log;
                        attr.log_size = sizeof(log);
                        attr.log_level = 1;
                }
                prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
        }
        if (prog < 0) {
                log[strcspn(log, "\n")] = 0;
                return ace_error_errno(err, errno, "device policy: load BPF program%s%s",
                                       *log ? ": " : "", log);
        }
        cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg < 0)
                return ace_error_errno(err, errno, "open %s", dir);
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (__u32)cg;
        attr.attach_bpf_fd = (__u32)prog;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
                return ace_error_errno(err, errno, "device policy: attach to %s", dir);
        /* The cgroup holds the program now; our fds can go. */
        return 0;
}
