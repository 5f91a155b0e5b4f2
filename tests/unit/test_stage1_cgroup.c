/*
 * test_stage1_cgroup.c - the pure parts of stage1's cgroup code: finding the hierarchies and our
 * place in them (v1, hybrid, v2, bind-mounted subtrees), the files and values each backend writes
 * for a set of limits, the `cgroup` pod file, and the apps' mount plan (masked paths, cgroup
 * view). The kernel side is tested by tests/functional/test_isolation_cgroup*.c.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "stage1/cgroup.h"
#include "stage1/cgroup_internal.h"
#include "stage1/mount_plan.h"

/* This host's layout: v1 controllers (cpu and cpuacct apart) plus an empty cgroup2. */
static const char hybrid_mounts[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "42 31 0:39 / /sys/fs/cgroup/net\\040cls rw,relatime shared:9 - cgroup cgroup "
    "rw,net_cls,net_prio\n";
static const char hybrid_self[] =
    "9:name=systemd:/\n8:pids:/\n5:net_cls,net_prio:/n\n"
    "4:memory:/process_api/abc\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

static const struct cgroup_hierarchy *find(const struct cgroup_host *h, const char *controllers)
{
        for (size_t i = 0; i < h->n; i++)
                if (strcmp(h->h[i].controllers, controllers) == 0)
                        return &h->h[i];
        return NULL;
}

Test(cgroup_detect, hybrid_host_uses_v1_without_cpuset_and_named_hierarchies)
{
        struct cgroup_host h __attribute__((cleanup(cgroup_host_done))) = {0};
        const struct cgroup_hierarchy *mem, *net;

        cr_assert_eq(cgroup_host_from_texts(hybrid_mounts, hybrid_self, false, &h, NULL), 0);
        cr_assert_eq(h.ops, &cgroup_v1_ops);
        cr_assert_eq(h.n, 5, "cpu, cpuacct, memory, pids, net_cls+net_prio");
        cr_assert_null(find(&h, "cpuset"));
        cr_assert_null(find(&h, ""), "neither name=systemd nor cgroup2");
        mem = find(&h, "memory");
        cr_assert_not_null(mem);
        cr_assert_str_eq(mem->base, "/process_api/abc");
        cr_assert_eq(mem->id, 4);
        cr_assert_eq(mem->mask, CGROUP_MASK(CGROUP_MEMORY));
        cr_assert_eq(find(&h, "cpu")->mask, CGROUP_MASK(CGROUP_CPU));
        cr_assert_eq(find(&h, "cpuacct")->mask, 0);
        net = find(&h, "net_cls,net_prio");
        cr_assert_str_eq(net->mount, "/sys/fs/cgroup/net cls", "mountinfo escapes are decoded");
        _cleanup_free_ char *dir = cgroup_dir(mem, "ace-x/app-a");
        cr_assert_str_eq(dir, "/sys/fs/cgroup/memory/process_api/abc/ace-x/app-a");
        _cleanup_free_ char *root = cgroup_dir(find(&h, "pids"), "ace-x");
        cr_assert_str_eq(root, "/sys/fs/cgroup/pids/ace-x");
}

Test(cgroup_detect, all_mode_lists_v1_and_v2_without_choosing)
{
        struct cgroup_host h __attribute__((cleanup(cgroup_host_done))) = {0};

        cr_assert_eq(cgroup_host_from_texts(hybrid_mounts, hybrid_self, true, &h, NULL), 0);
        cr_assert_null(h.ops);
        cr_assert_eq(h.n, 6);
        const struct cgroup_hierarchy *v2 = find(&h, "");
        cr_assert_not_null(v2);
        cr_assert_eq(v2->id, 0);
        cr_assert_str_eq(v2->mount, "/sys/fs/cgroup/unified");
}

Test(cgroup_detect, unified_host_and_bind_mounted_subtrees)
{
        static const char mounts[] =
            "30 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        struct cgroup_host h __attribute__((cleanup(cgroup_host_done))) = {0};
        struct cgroup_host out __attribute__((cleanup(cgroup_host_done))) = {0};

        cr_assert_eq(cgroup_host_from_texts(mounts, "0::/kubepods/pod1/ctr\n", false, &h, NULL), 0);
        cr_assert_eq(h.ops, &cgroup_v2_ops);
        cr_assert_eq(h.n, 1);
        _cleanup_free_ char *dir = cgroup_dir(&h.h[0], "ace-x");
        cr_assert_str_eq(dir, "/sys/fs/cgroup/ctr/ace-x", "the mounted subtree's root is stripped");
        /* Our cgroup outside the mounted subtree: unusable, no hierarchy. */
        cr_assert_eq(cgroup_host_from_texts(mounts, "0::/elsewhere\n", false, &out, NULL), 0);
        cr_assert_eq(out.n, 0);
        cr_assert_null(out.ops);
}

Test(cgroup_detect, v1_controller_table_sorted)
{
        for (size_t i = 1; i < n_cgroup_v1_controllers; i++)
                cr_assert_lt(strcmp(cgroup_v1_controllers[i - 1], cgroup_v1_controllers[i]), 0);
}

static void assert_setting(const struct cgroup_setting *s, enum cgroup_controller c,
                           const char *file, const char *value)
{
        cr_assert_eq(s->controller, c, "%s", file);
        cr_assert_str_eq(s->file, file);
        cr_assert_str_eq(s->value, value, "%s", file);
}

static const struct pod_limits all_limits = {
    .has_memory = true,
    .memory = 67108864,
    .has_memory_request = true,
    .memory_request = 33554432,
    .has_cpu = true,
    .cpu_milli = 500,
    .has_cpu_shares = true,
    .cpu_shares = 512,
    .has_pids = true,
    .pids = 64,
};

Test(cgroup_settings, v1_files_and_values_in_order)
{
        struct cgroup_setting s[CGROUP_SETTINGS_MAX];
        size_t n = cgroup_v1_ops.settings(&all_limits, s);

        cr_assert_eq(n, 6);
        assert_setting(&s[0], CGROUP_MEMORY, "memory.limit_in_bytes", "67108864");
        assert_setting(&s[1], CGROUP_MEMORY, "memory.soft_limit_in_bytes", "33554432");
        assert_setting(&s[2], CGROUP_CPU, "cpu.cfs_period_us", "100000");
        assert_setting(&s[3], CGROUP_CPU, "cpu.cfs_quota_us", "50000");
        assert_setting(&s[4], CGROUP_CPU, "cpu.shares", "512");
        assert_setting(&s[5], CGROUP_PIDS, "pids.max", "64");
        struct pod_limits none = {0};
        cr_assert_eq(cgroup_v1_ops.settings(&none, s), 0);
}

Test(cgroup_settings, v2_files_and_values_in_order)
{
        struct cgroup_setting s[CGROUP_SETTINGS_MAX];
        size_t n = cgroup_v2_ops.settings(&all_limits, s);

        cr_assert_eq(n, 5);
        assert_setting(&s[0], CGROUP_MEMORY, "memory.max", "67108864");
        assert_setting(&s[1], CGROUP_MEMORY, "memory.low", "33554432");
        assert_setting(&s[2], CGROUP_CPU, "cpu.max", "50000 100000");
        assert_setting(&s[3], CGROUP_CPU, "cpu.weight", "20");
        assert_setting(&s[4], CGROUP_PIDS, "pids.max", "64");
}

Test(cgroup_settings, quota_and_weight_conversions)
{
        cr_assert_eq(cgroup_cpu_quota_us(1), 1000, "the kernel's minimum quota");
        cr_assert_eq(cgroup_cpu_quota_us(1000), 100000, "one core = the whole period");
        cr_assert_eq(cgroup_cpu_quota_us(2500), 250000);
        cr_assert_eq(cgroup_v2_weight(2), 1);
        cr_assert_eq(cgroup_v2_weight(1024), 39);
        cr_assert_eq(cgroup_v2_weight(262144), 10000);
        cr_assert_eq(cgroup_v2_weight(1), 1);
}

#define UUID "0b7a6b3e-5c0a-4f9e-9d8f-1a2b3c4d5e6f"

Test(cgroup_file, format_then_parse_round_trip)
{
        struct cgroup_host h __attribute__((cleanup(cgroup_host_done))) = {0};
        struct cgroup_host again __attribute__((cleanup(cgroup_host_done))) = {0};
        struct cgroup_pod cp __attribute__((cleanup(cgroup_pod_done))) = {0};
        struct cgroup_pod back __attribute__((cleanup(cgroup_pod_done))) = {0};

        cr_assert_eq(cgroup_host_from_texts(hybrid_mounts, hybrid_self, false, &cp.host, NULL), 0);
        cp.rel = cgroup_pod_name(UUID);
        _cleanup_free_ char *text = cgroup_pod_format(&cp);
        cr_assert(strstr(text, "4:memory:/process_api/abc/ace-" UUID "\n"), "%s", text);
        cr_assert(strstr(text, "8:pids:/ace-" UUID "\n"), "%s", text);
        /* Read back from a process elsewhere in the hierarchies (gc runs from anywhere). */
        cr_assert_eq(
            cgroup_host_from_texts(
                hybrid_mounts,
                "4:memory:/other\n8:pids:/x\n1:cpu:/\n2:cpuacct:/\n5:net_cls,net_prio:/\n0::/\n",
                true, &again, NULL),
            0);
        cr_assert_eq(cgroup_pod_parse(text, UUID, &again, &back, NULL), 0);
        cr_assert_eq(back.host.ops, &cgroup_v1_ops);
        cr_assert_eq(back.host.n, 5);
        const struct cgroup_hierarchy *mem = find(&back.host, "memory");
        _cleanup_free_ char *dir = cgroup_dir(mem, back.rel);
        cr_assert_str_eq(dir, "/sys/fs/cgroup/memory/process_api/abc/ace-" UUID);
        (void)h;
}

Test(cgroup_file, parse_refuses_other_paths_and_skips_unmounted_hierarchies)
{
        struct cgroup_host host __attribute__((cleanup(cgroup_host_done))) = {0};
        static const char *const bad[] = {
            "4:memory:/ace-00000000-0000-0000-0000-000000000000\n",
            "4:memory:/x/../ace-" UUID "\n",
            "4:memory:ace-" UUID "\n",
            "garbage\n",
        };

        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct cgroup_pod cp __attribute__((cleanup(cgroup_pod_done))) = {0};
                _cleanup_error_ struct ace_error *err = NULL;
                cgroup_host_done(&host);
                cr_assert_eq(cgroup_host_from_texts(hybrid_mounts, hybrid_self, true, &host, NULL),
                             0);
                cr_assert_lt(cgroup_pod_parse(bad[i], UUID, &host, &cp, &err), 0, "case %zu", i);
        }
        struct cgroup_pod cp __attribute__((cleanup(cgroup_pod_done))) = {0};
        cgroup_host_done(&host);
        cr_assert_eq(cgroup_host_from_texts(hybrid_mounts, hybrid_self, true, &host, NULL), 0);
        cr_assert_eq(
            cgroup_pod_parse("11:rdma:/ace-" UUID "\n0::/ace-" UUID "\n", UUID, &host, &cp, NULL),
            0);
        cr_assert_eq(cp.host.n, 1, "rdma is not mounted here: skipped");
        cr_assert_eq(cp.host.ops, &cgroup_v2_ops);
        _cleanup_free_ char *dir = cgroup_dir(&cp.host.h[0], cp.rel);
        cr_assert_str_eq(dir, "/sys/fs/cgroup/unified/ace-" UUID);
}

/* ---- the apps' mount plan: masked paths and the cgroup view -----------------------------------
 */

static int index_of(const struct mount_plan *p, enum mount_op_kind k, const char *target)
{
        for (size_t i = 0; i < p->n_ops; i++)
                if (p->ops[i].kind == k && strcmp(p->ops[i].target, target) == 0)
                        return (int)i;
        return -1;
}

Test(mount_plan_isolation, masked_and_read_only_paths_follow_their_filesystem)
{
        struct pod_app app = {.name = (char *)"a"};
        struct mount_paths paths = {.pod_dir = "/p"};
        struct mount_plan p = {0};

        cr_assert_eq(mount_plan_app(&app, &paths, &p, NULL), 0);
        int proc = index_of(&p, MOP_PROC, "/proc"), sys = index_of(&p, MOP_SYSFS, "/sys");
        for (size_t i = 0; i < n_mount_masked_paths; i++) {
                const struct mount_masked_path *m = &mount_masked_paths[i];
                int at = index_of(&p, m->kind, m->path);
                cr_assert_geq(at, 0, "%s", m->path);
                cr_assert_gt(at, strncmp(m->path, "/proc/", 6) == 0 ? proc : sys, "%s", m->path);
                if (m->kind == MOP_MASK_FILE) {
                        cr_assert_eq(p.ops[at].source_base, MSRC_POD);
                        cr_assert_str_eq(p.ops[at].source, MOUNT_MASK_FILE);
                }
                if (i)
                        cr_assert_lt(strcmp(mount_masked_paths[i - 1].path, m->path), 0);
        }
        cr_assert_geq(index_of(&p, MOP_READONLY_BIND, "/proc/sys"), 0);
        cr_assert_geq(index_of(&p, MOP_READONLY_BIND, "/proc/sysrq-trigger"), 0);
        cr_assert_geq(index_of(&p, MOP_MASK_FILE, "/proc/kcore"), 0);
        cr_assert_geq(index_of(&p, MOP_MASK_DIR, "/sys/firmware"), 0);
        cr_assert(p.ops[sys].flags & MS_RDONLY);
        mount_plan_done(&p);

        paths.disable_paths = true;
        cr_assert_eq(mount_plan_app(&app, &paths, &p, NULL), 0);
        for (size_t i = 0; i < n_mount_masked_paths; i++)
                cr_assert_lt(index_of(&p, mount_masked_paths[i].kind, mount_masked_paths[i].path),
                             0);
        cr_assert_not(p.ops[index_of(&p, MOP_SYSFS, "/sys")].flags & MS_RDONLY,
                      "--disable-paths: sysfs read-write, as rkt's insecure paths");
        mount_plan_done(&p);
}

Test(mount_plan_isolation, cgroup_view_v1_and_v2)
{
        struct pod_app app = {.name = (char *)"web"};
        struct cgroup_view v1[] = {{(char *)"memory", (char *)"/sys/fs/cgroup/memory/u/ace-x"},
                                   {(char *)"pids", (char *)"/sys/fs/cgroup/pids/ace-x"}};
        struct cgroup_view v2[] = {{(char *)"", (char *)"/sys/fs/cgroup/ace-x"}};
        struct mount_paths paths = {.pod_dir = "/p", .cgroups = v1, .n_cgroups = 2};
        struct mount_plan p = {0};

        cr_assert_eq(mount_plan_app(&app, &paths, &p, NULL), 0);
        int tmpfs = index_of(&p, MOP_TMPFS, "/sys/fs/cgroup"),
            mem = index_of(&p, MOP_BIND, "/sys/fs/cgroup/memory");
        int ro = index_of(&p, MOP_READONLY, "/sys/fs/cgroup");
        cr_assert_gt(tmpfs, index_of(&p, MOP_SYSFS, "/sys"));
        cr_assert_gt(mem, tmpfs);
        cr_assert_gt(ro, index_of(&p, MOP_BIND, "/sys/fs/cgroup/pids"), "read-only once filled");
        cr_assert_str_eq(p.ops[mem].source, "/sys/fs/cgroup/memory/u/ace-x/app-web");
        cr_assert(p.ops[mem].read_only && !p.ops[mem].recursive);
        cr_assert_eq(p.ops[mem].source_base, MSRC_HOST);
        mount_plan_done(&p);

        paths.cgroups = v2;
        paths.n_cgroups = 1;
        cr_assert_eq(mount_plan_app(&app, &paths, &p, NULL), 0);
        int b = index_of(&p, MOP_BIND, "/sys/fs/cgroup");
        cr_assert_geq(b, 0);
        cr_assert_str_eq(p.ops[b].source, "/sys/fs/cgroup/ace-x/app-web");
        cr_assert(p.ops[b].read_only);
        cr_assert_lt(index_of(&p, MOP_TMPFS, "/sys/fs/cgroup"), 0);
        mount_plan_done(&p);
}

/* ---- the device policy ----------------------------------------------------------------------- */

Test(cgroup_devices, default_rules_sorted_and_formatted)
{
        char line[48];

        for (size_t i = 1; i < n_device_default_rules; i++) {
                const struct device_rule *a = &device_default_rules[i - 1],
                                         *b = &device_default_rules[i];
                cr_assert(a->type < b->type || (a->type == b->type &&
                                                (a->major < b->major ||
                                                 (a->major == b->major && a->minor < b->minor))),
                          "rule %zu out of order", i);
        }
        device_rule_format(&device_default_rules[0], line, sizeof(line));
        cr_assert_str_eq(line, "c 1:3 rwm");
        device_rule_format(&device_default_rules[n_device_default_rules - 1], line, sizeof(line));
        cr_assert_str_eq(line, "c 136:* rwm");
}

/* Runs the generated program on one access, as the kernel would (only the opcodes the builder
 * emits): a check of the jump arithmetic without loading anything. */
static int run_bpf(const struct bpf_insn *p, int n, unsigned type, unsigned access, unsigned major,
                   unsigned minor)
{
        uint64_t r[11] = {0};
        struct bpf_cgroup_dev_ctx ctx = {
            .access_type = access << 16 | type, .major = major, .minor = minor};

        for (int pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        r[i->dst_reg] = *(const uint32_t *)((const char *)&ctx + i->off);
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & (uint32_t)i->imm);
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        r[i->dst_reg] = (uint32_t)r[i->src_reg];
                        break;
                case BPF_ALU | BPF_MOV | BPF_K:
                        r[i->dst_reg] = (uint32_t)i->imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
                                pc += i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int)r[0];
                default:
                        cr_assert_fail("unexpected opcode %#x at %d", i->code, pc);
                }
        }
        cr_assert_fail("fell off the end");
        return -1;
}

Test(cgroup_devices, bpf_program_allows_exactly_the_rules)
{
        struct bpf_insn p[256];
        int n = device_bpf_build(device_default_rules, n_device_default_rules, p, 256);
        const unsigned C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
        const unsigned R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

        cr_assert_gt(n, 0);
        cr_assert_eq(run_bpf(p, n, C, R | W, 1, 3), 1, "null rw");
        cr_assert_eq(run_bpf(p, n, C, M, 1, 9), 1, "mknod urandom");
        cr_assert_eq(run_bpf(p, n, C, R, 136, 42), 1, "any pty");
        cr_assert_eq(run_bpf(p, n, C, R, 5, 2), 1, "ptmx");
        cr_assert_eq(run_bpf(p, n, C, R, 1, 1), 0, "/dev/mem");
        cr_assert_eq(run_bpf(p, n, C, M, 10, 232), 0, "kvm");
        cr_assert_eq(run_bpf(p, n, B, R, 1, 3), 0, "a block device with null's numbers");
        cr_assert_eq(run_bpf(p, n, B, M, 8, 0), 0, "sda");
        struct device_rule ro = {'c', 4, 1, "r"};
        n = device_bpf_build(&ro, 1, p, 256);
        cr_assert_eq(run_bpf(p, n, C, R, 4, 1), 1);
        cr_assert_eq(run_bpf(p, n, C, R | W, 4, 1), 0, "write not in the rule");
        cr_assert_eq(device_bpf_build(device_default_rules, n_device_default_rules, p, 8), -E2BIG);
}
