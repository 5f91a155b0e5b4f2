/* test_schema_isolators.c - the isolator registry, every isolator value, quantities and the
 * capability / errno / seccomp-group tables (schema/isolator.h). */
#include <criterion/criterion.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/capability.h>

#include "common/json.h"
#include "common/xalloc.h"
#include "schema/isolator.h"
#include "schema/types.h"

/* ---- quantities ------------------------------------------------------------------------------ */

static int64_t q_ok(const char *s, enum quantity_unit u)
{
        int64_t v = -1;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_expect_eq(quantity_parse(s, u, &v, &err), 0, "%s: %s", s, ace_error_msg(err));
        return v;
}

static void q_bad(const char *s, enum quantity_unit u, const char *msg)
{
        int64_t v = 42;
        _cleanup_error_ struct ace_error *err = NULL;

        cr_expect_eq(quantity_parse(s, u, &v, &err), -EINVAL, "%s accepted", s);
        cr_expect_eq(v, 42, "%s: result written on failure", s);
        cr_expect(err && strstr(err->msg, msg), "%s: %s", s, ace_error_msg(err));
}

Test(quantity, decimal_binary_and_plain)
{
        cr_expect_eq(q_ok("0", QUANTITY_BASE), 0);
        cr_expect_eq(q_ok("128974848", QUANTITY_BASE), 128974848);
        cr_expect_eq(q_ok("125952Ki", QUANTITY_BASE), 128974848);
        cr_expect_eq(q_ok("123Mi", QUANTITY_BASE), 128974848);
        cr_expect_eq(q_ok("1k", QUANTITY_BASE), 1000);
        cr_expect_eq(q_ok("1M", QUANTITY_BASE), 1000000);
        cr_expect_eq(q_ok("1G", QUANTITY_BASE), 1000000000);
        cr_expect_eq(q_ok("2T", QUANTITY_BASE), 2000000000000LL);
        cr_expect_eq(q_ok("1P", QUANTITY_BASE), 1000000000000000LL);
        cr_expect_eq(q_ok("1E", QUANTITY_BASE), 1000000000000000000LL);
        cr_expect_eq(q_ok("1Gi", QUANTITY_BASE), 1LL << 30);
        cr_expect_eq(q_ok("1Ti", QUANTITY_BASE), 1LL << 40);
        cr_expect_eq(q_ok("1Pi", QUANTITY_BASE), 1LL << 50);
        cr_expect_eq(q_ok("7Ei", QUANTITY_BASE), 7LL << 60);
        cr_expect_eq(q_ok("+5", QUANTITY_BASE), 5);
        cr_expect_eq(q_ok("007", QUANTITY_BASE), 7);
        cr_expect_eq(q_ok("9223372036854775807", QUANTITY_BASE), INT64_MAX);
}

Test(quantity, decimals_exponents_and_milli)
{
        cr_expect_eq(q_ok("1.5k", QUANTITY_BASE), 1500);
        cr_expect_eq(q_ok("0.5Ki", QUANTITY_BASE), 512);
        cr_expect_eq(q_ok("1.5Gi", QUANTITY_BASE), 3LL << 29);
        cr_expect_eq(q_ok("1e3", QUANTITY_BASE), 1000);
        cr_expect_eq(q_ok("1E3", QUANTITY_BASE), 1000);
        cr_expect_eq(q_ok("12e+2", QUANTITY_BASE), 1200);
        cr_expect_eq(q_ok("5000e-3", QUANTITY_BASE), 5);
        cr_expect_eq(q_ok("1000m", QUANTITY_BASE), 1);
        cr_expect_eq(q_ok("2000000000n", QUANTITY_BASE), 2);
        /* cpu: millicores */
        cr_expect_eq(q_ok("250m", QUANTITY_MILLI), 250);
        cr_expect_eq(q_ok("0.3", QUANTITY_MILLI), 300);
        cr_expect_eq(q_ok("1", QUANTITY_MILLI), 1000);
        cr_expect_eq(q_ok("2.5", QUANTITY_MILLI), 2500);
        cr_expect_eq(q_ok("500000u", QUANTITY_MILLI), 500);
        cr_expect_eq(q_ok("1e-3", QUANTITY_MILLI), 1);
        cr_expect_eq(q_ok("1k", QUANTITY_MILLI), 1000000);
}

Test(quantity, rejects)
{
        q_bad("", QUANTITY_BASE, "is empty");
        q_bad("1K", QUANTITY_BASE, "unknown suffix \"K\"");
        q_bad("1KiB", QUANTITY_BASE, "unknown suffix");
        q_bad("1 G", QUANTITY_BASE, "unknown suffix");
        q_bad("1e", QUANTITY_BASE, "unknown suffix");
        q_bad("1e1000", QUANTITY_BASE, "unknown suffix");
        q_bad("G", QUANTITY_BASE, "must start with a number");
        q_bad(".G", QUANTITY_BASE, "must start with a number");
        q_bad("1.2.3", QUANTITY_BASE, "unknown suffix");
        q_bad("-1", QUANTITY_BASE, "is negative");
        q_bad("0.5", QUANTITY_BASE, "not a whole number");
        q_bad("1m", QUANTITY_BASE, "not a whole number");
        q_bad("0.0001", QUANTITY_MILLI, "not a whole number");
        q_bad("1u", QUANTITY_MILLI, "not a whole number");
        q_bad("8Ei", QUANTITY_BASE, "too large");
        q_bad("9223372036854775808", QUANTITY_BASE, "too large");
        q_bad("9223372036854775807k", QUANTITY_BASE, "too large");
        q_bad("10E", QUANTITY_BASE, "too large");
        q_bad("9223372036854775807", QUANTITY_MILLI, "too large");
        q_bad("1234567890123456789012345678901234567", QUANTITY_BASE, "too many digits");
}

Test(quantity, format)
{
        _cleanup_free_ char *a = quantity_format(1073741824, QUANTITY_BASE);
        _cleanup_free_ char *b = quantity_format(1500, QUANTITY_MILLI);
        _cleanup_free_ char *c = quantity_format(2000, QUANTITY_MILLI);
        cr_expect_str_eq(a, "1073741824");
        cr_expect_str_eq(b, "1500m");
        cr_expect_str_eq(c, "2");
        int64_t v;
        cr_expect_eq(quantity_parse(b, QUANTITY_MILLI, &v, NULL), 0);
        cr_expect_eq(v, 1500);
}

/* ---- tables ---------------------------------------------------------------------------------- */

Test(tables, isolator_registry_complete_and_sorted)
{
        /* appc 0.8.11 spec/ace.md, plus apparmor-profile (HEAD) and ace/pids */
        const char *want[] = {"resource/cpu",
                              "resource/memory",
                              "resource/block-bandwidth",
                              "resource/block-iops",
                              "resource/network-bandwidth",
                              "os/linux/capabilities-retain-set",
                              "os/linux/capabilities-remove-set",
                              "os/linux/seccomp-retain-set",
                              "os/linux/seccomp-remove-set",
                              "os/linux/no-new-privileges",
                              "os/linux/oom-score-adj",
                              "os/linux/cpu-shares",
                              "os/linux/selinux-context",
                              "os/unix/sysctl",
                              "os/linux/apparmor-profile",
                              "ace/pids"};
        size_t n;
        const struct isolator_type *t = isolator_type_table(&n);

        cr_assert_eq(n, ARRAY_SIZE(want));
        for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
                const struct isolator_type *f = isolator_type_find(want[i]);
                cr_expect_not_null(f, "%s missing", want[i]);
                if (f)
                        cr_expect_str_eq(f->name, want[i]);
        }
        for (size_t i = 0; i < n; i++) {
                if (i)
                        cr_expect_lt(strcmp(t[i - 1].name, t[i].name), 0, "%s !< %s", t[i - 1].name,
                                     t[i].name);
                cr_expect(t[i].parse && t[i].emit && t[i].done && t[i].value_size > 0, "%s",
                          t[i].name);
                cr_expect(t[i].scope & ISOLATOR_SCOPE_BOTH, "%s", t[i].name);
                cr_expect(ac_identifier_valid(t[i].name), "%s", t[i].name);
                if (t[i].conflicts_with) {
                        const struct isolator_type *o = isolator_type_find(t[i].conflicts_with);
                        cr_expect(o && o->conflicts_with &&
                                      strcmp(o->conflicts_with, t[i].name) == 0,
                                  "conflict of %s is not symmetric", t[i].name);
                }
        }
        cr_expect_null(isolator_type_find("resource/disk"));
        cr_expect_null(isolator_type_find(""));
        cr_expect_null(isolator_type_find(NULL));
}

Test(tables, isolator_scopes_and_multiplicity_follow_the_spec)
{
        struct {
                const char *name;
                unsigned scope;
                bool multiple;
        } want[] = {
            {"resource/cpu", ISOLATOR_SCOPE_BOTH, true},
            {"resource/memory", ISOLATOR_SCOPE_BOTH, true},
            {"os/linux/seccomp-retain-set", ISOLATOR_SCOPE_APP, false},
            {"os/linux/capabilities-retain-set", ISOLATOR_SCOPE_APP, true},
            {"os/linux/selinux-context", ISOLATOR_SCOPE_BOTH, false},
            {"os/linux/apparmor-profile", ISOLATOR_SCOPE_BOTH, false},
            {"os/unix/sysctl", ISOLATOR_SCOPE_POD, false},
            {"ace/pids", ISOLATOR_SCOPE_POD, false},
            {"os/linux/oom-score-adj", ISOLATOR_SCOPE_APP, false},
        };
        for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
                const struct isolator_type *t = isolator_type_find(want[i].name);
                cr_assert_not_null(t);
                cr_expect_eq(t->scope, want[i].scope, "%s", want[i].name);
                cr_expect_eq(t->multiple, want[i].multiple, "%s", want[i].name);
        }
}

Test(tables, capabilities_complete_sorted_and_match_libcap)
{
        size_t n;
        const struct ace_name_number *t = capability_table(&n);

        cr_assert_eq(n, CAP_LAST_CAP + 1);
        for (size_t i = 1; i < n; i++)
                cr_expect_lt(strcmp(t[i - 1].name, t[i].name), 0, "%s", t[i].name);
        for (int c = 0; c <= CAP_LAST_CAP; c++) {
                const char *name = capability_to_name(c);
                cr_assert_not_null(name, "capability %d has no name", c);
                cr_expect_eq(capability_from_name(name), c);
                char *lib = cap_to_name((cap_value_t)c);
                char upper[64];
                size_t k;
                for (k = 0; lib[k] && k < sizeof(upper) - 1; k++)
                        upper[k] = (char)(lib[k] >= 'a' && lib[k] <= 'z' ? lib[k] - 32 : lib[k]);
                upper[k] = '\0';
                cr_expect_str_eq(name, upper, "libcap names %d %s", c, lib);
                cap_free(lib);
        }
        cr_expect_eq(capability_from_name("cap_chown"), -1);
        cr_expect_eq(capability_from_name("CHOWN"), -1);
        size_t nd;
        const char *const *d = capability_default_set(&nd);
        cr_expect_eq(nd, 14);
        for (size_t i = 0; i < nd; i++)
                cr_expect_geq(capability_from_name(d[i]), 0, "%s", d[i]);
}

Test(tables, errnos_complete_sorted_and_match_glibc)
{
        size_t n, primaries = 0;
        const struct ace_name_number *t = errno_table(&n);

        for (size_t i = 1; i < n; i++)
                cr_expect_lt(strcmp(t[i - 1].name, t[i].name), 0, "%s", t[i].name);
        for (int e = 1; e < 4096; e++) {
                const char *g = strerrorname_np(e);
                if (!g) {
                        cr_expect_null(errno_to_name(e), "%d", e);
                        continue;
                }
                primaries++;
                cr_expect_str_eq(errno_to_name(e), g, "errno %d", e);
                cr_expect_eq(errno_from_name(g), e);
        }
        cr_expect_eq(n, primaries + 3, "primary names plus EWOULDBLOCK, EDEADLOCK, ENOTSUP");
        cr_expect_eq(errno_from_name("EWOULDBLOCK"), EAGAIN);
        cr_expect_eq(errno_from_name("ENOTSUP"), EOPNOTSUPP);
        cr_expect_eq(errno_from_name("EDEADLOCK"), EDEADLK);
        cr_expect_eq(errno_from_name("EFOO"), -1);
        cr_expect_eq(errno_from_name("eperm"), -1);
}

Test(tables, seccomp_groups_and_names)
{
        size_t n;
        const char *const *g = seccomp_group_table(&n);
        const char *want[] = {"@appc.io/all", "@appc.io/empty", "@ace/default-blacklist",
                              "@ace/default-whitelist"};

        for (size_t i = 1; i < n; i++)
                cr_expect_lt(strcmp(g[i - 1], g[i]), 0);
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                cr_expect(seccomp_entry_valid(want[i]), "%s", want[i]);
        cr_expect(seccomp_entry_valid("read"));
        cr_expect(seccomp_entry_valid("_llseek"));
        cr_expect(seccomp_entry_valid("clock_settime"));
        cr_expect(!seccomp_entry_valid("@appc.io/none"));
        cr_expect(!seccomp_entry_valid("@"));
        cr_expect(!seccomp_entry_valid(""));
        cr_expect(!seccomp_entry_valid("Read"));
        cr_expect(!seccomp_entry_valid("read write"));
        cr_expect(!seccomp_entry_valid("../x"));
        cr_expect(!seccomp_entry_valid(
            "a_name_that_is_much_too_long_to_be_a_syscall_name_of_any_kernel_at_all"));
}

/* ---- values ---------------------------------------------------------------------------------- */

static struct json_object *J(const char *s)
{
        struct json_object *o = NULL;
        _cleanup_error_ struct ace_error *err = NULL;
        cr_assert_eq(json_parse_text(s, strlen(s), 64, &o, &err), 0, "%s: %s", s,
                     ace_error_msg(err));
        return o;
}

/* Adds one isolator at app scope; returns 0 or the error message in *msg. */
static int add(struct ace_isolator_list *l, const char *name, const char *value, unsigned scope,
               char **msg)
{
        _cleanup_json_ struct json_object *v = J(value);
        _cleanup_error_ struct ace_error *err = NULL;
        int r = ace_isolators_add(l, name, v, scope, &err);
        if (msg)
                *msg = r < 0 ? xstrdup(err->msg) : NULL;
        return r;
}

static void ok(const char *name, const char *value)
{
        struct ace_isolator_list l = {0};
        char *msg = NULL;
        cr_expect_eq(add(&l, name, value, ISOLATOR_SCOPE_BOTH, &msg), 0, "%s %s: %s", name, value,
                     msg);
        free(msg);
        /* round trip: emit gives back the same JSON value */
        if (l.n == 1) {
                _cleanup_json_ struct json_object *e = ace_isolators_emit(&l, true);
                _cleanup_json_ struct json_object *in = J(value);
                struct json_object *v =
                    json_object_object_get(json_object_array_get_idx(e, 0), "value");
                _cleanup_free_ char *a = json_to_text(in, JSON_COMPACT);
                _cleanup_free_ char *b = json_to_text(v, JSON_COMPACT);
                /* equal modulo key order */
                cr_expect(json_object_equal(in, v), "%s does not round-trip: %s -> %s", name, a, b);
        }
        ace_isolators_clear(&l);
}

static void bad(const char *name, const char *value, const char *want)
{
        struct ace_isolator_list l = {0};
        char *msg = NULL;
        cr_expect_eq(add(&l, name, value, ISOLATOR_SCOPE_BOTH, &msg), -EINVAL, "%s %s accepted",
                     name, value);
        cr_expect(msg && strstr(msg, want), "%s %s: got '%s', want '%s'", name, value, msg, want);
        cr_expect_eq(l.n, 0);
        free(msg);
        ace_isolators_clear(&l);
}

Test(isolator_values, resources)
{
        ok("resource/cpu", "{\"request\":\"250m\",\"limit\":\"500m\"}");
        ok("resource/cpu", "{\"limit\":1}");
        ok("resource/cpu", "{\"request\":\"0.5\",\"extra\":[1]}");
        ok("resource/memory", "{\"request\":\"1G\",\"limit\":\"2G\"}");
        ok("resource/memory", "{\"limit\":\"123Mi\",\"default\":false}");
        ok("resource/block-bandwidth", "{\"default\":true,\"limit\":\"2M\"}");
        ok("resource/block-iops", "{\"default\":true,\"limit\":\"1000\"}");
        ok("resource/network-bandwidth", "{\"default\":true,\"limit\":\"1G\"}");

        bad("resource/cpu", "{\"default\":true,\"limit\":\"1\"}", "default must be false");
        bad("resource/memory", "{}", "request or limit must be set");
        bad("resource/memory", "{\"request\":\"2G\",\"limit\":\"1G\"}",
            "request (2000000000) "
            "exceeds limit");
        bad("resource/memory", "{\"limit\":\"1K\"}",
            "resource/memory.value.limit: quantity \"1K\"");
        bad("resource/memory", "{\"limit\":\"0.5\"}", "not a whole number");
        bad("resource/memory", "{\"limit\":true}", "expected a quantity string, got boolean");
        bad("resource/memory", "[]", "expected a JSON object");
        bad("resource/cpu", "{\"limit\":\"-1\"}", "is negative");
        bad("resource/block-bandwidth", "{\"limit\":\"2M\"}", "default must be true");
        bad("resource/block-iops", "{\"default\":true,\"request\":\"1\",\"limit\":\"2\"}",
            "request not supported");
        bad("resource/network-bandwidth", "{\"default\":true}", "limit must be set");
}

Test(isolator_values, resource_values_are_exact)
{
        struct ace_isolator_list l = {0};
        cr_assert_eq(add(&l, "resource/cpu", "{\"request\":\"0.25\",\"limit\":\"1500m\"}",
                         ISOLATOR_SCOPE_APP, NULL),
                     0);
        cr_assert_eq(add(&l, "resource/memory", "{\"limit\":\"1Gi\"}", ISOLATOR_SCOPE_APP, NULL),
                     0);
        const struct isolator_resource *cpu = l.items[0].value;
        const struct isolator_resource *mem = ace_isolators_find(&l, "resource/memory")->value;
        cr_expect(cpu->has_request && cpu->has_limit);
        cr_expect_eq(cpu->request.value, 250);
        cr_expect_eq(cpu->limit.value, 1500);
        cr_expect(!mem->has_request);
        cr_expect_eq(mem->limit.value, 1LL << 30);
        ace_isolators_clear(&l);
}

Test(isolator_values, capabilities)
{
        ok("os/linux/capabilities-retain-set",
           "{\"set\":[\"CAP_NET_ADMIN\",\"CAP_NET_BIND_SERVICE\"]}");
        ok("os/linux/capabilities-remove-set", "{\"set\":[\"CAP_SYS_CHROOT\",\"CAP_MKNOD\"]}");
        bad("os/linux/capabilities-retain-set", "{\"set\":[]}", "set must be non-empty");
        bad("os/linux/capabilities-retain-set", "{}", "set must be non-empty");
        bad("os/linux/capabilities-remove-set", "{\"set\":[\"CAP_FOO\"]}",
            "os/linux/capabilities-remove-set.value.set[0]: unknown capability \"CAP_FOO\"");
        bad("os/linux/capabilities-remove-set", "{\"set\":[\"cap_chown\"]}", "unknown capability");
        bad("os/linux/capabilities-remove-set", "{\"set\":\"CAP_CHOWN\"}", "expected an array");
}

Test(isolator_values, seccomp)
{
        ok("os/linux/seccomp-remove-set",
           "{\"errno\":\"ENOTSUP\",\"set\":[\"clock_adjtime\",\"clock_settime\",\"reboot\"]}");
        ok("os/linux/seccomp-retain-set", "{\"errno\":\"\",\"set\":[\"accept\",\"@appc.io/all\"]}");
        ok("os/linux/seccomp-retain-set", "{\"set\":[\"@ace/default-whitelist\"]}");
        bad("os/linux/seccomp-remove-set", "{\"set\":[]}", "set must be non-empty");
        bad("os/linux/seccomp-remove-set", "{\"set\":[\"@nope/x\"]}", "unknown seccomp group");
        bad("os/linux/seccomp-remove-set", "{\"set\":[\"Reboot\"]}", "invalid syscall name");
        ok("os/linux/seccomp-remove-set", "{\"set\":[\"reboot\"],\"errno\":\"EFOO\"}");
        bad("os/linux/seccomp-remove-set", "{\"set\":[\"reboot\"],\"errno\":\"eperm\"}",
            "value.errno: errno must be an upper-case errno name like EPERM, got \"eperm\"");
        bad("os/linux/seccomp-remove-set", "{\"set\":[\"reboot\"],\"errno\":\"PERM\"}",
            "errno must be an upper-case errno name");

        struct ace_isolator_list l = {0};
        cr_assert_eq(add(&l, "os/linux/seccomp-remove-set",
                         "{\"set\":[\"reboot\"],\"errno\":\"EPERM\"}", ISOLATOR_SCOPE_APP, NULL),
                     0);
        cr_expect_eq(((struct isolator_seccomp *)l.items[0].value)->errno_value, EPERM);
        cr_assert_eq(add(&l, "os/linux/seccomp-retain-set",
                         "{\"set\":[\"read\"],\"errno\":\"EACCESS\"}", ISOLATOR_SCOPE_APP, NULL),
                     0);
        cr_expect_eq(((struct isolator_seccomp *)l.items[1].value)->errno_value, -1,
                     "well-formed but unknown errno names are kept for stage1 to judge");
        ace_isolators_clear(&l);
}

Test(isolator_values, scalars)
{
        ok("os/linux/no-new-privileges", "true");
        ok("os/linux/no-new-privileges", "false");
        ok("os/linux/oom-score-adj", "-1000");
        ok("os/linux/oom-score-adj", "1000");
        ok("os/linux/cpu-shares", "2");
        ok("os/linux/cpu-shares", "262144");
        bad("os/linux/no-new-privileges", "\"true\"", "expected true or false");
        bad("os/linux/no-new-privileges", "1", "expected true or false");
        bad("os/linux/oom-score-adj", "1001", "must be between -1000 and 1000, got 1001");
        bad("os/linux/oom-score-adj", "-1001", "must be between -1000 and 1000");
        bad("os/linux/oom-score-adj", "1.5", "expected an integer, got 1.5");
        bad("os/linux/oom-score-adj", "\"5\"", "expected an integer");
        bad("os/linux/cpu-shares", "1", "must be between 2 and 262144, got 1");
        bad("os/linux/cpu-shares", "262145", "must be between 2 and 262144");
        bad("os/linux/cpu-shares", "2147483648", "must be between 2 and 262144, got 2147483648");
}

Test(isolator_values, selinux_apparmor_sysctl_pids)
{
        ok("os/linux/selinux-context", "{\"user\":\"system_u\",\"role\":\"system_r\",\"type\":"
                                       "\"dhcpc_t\",\"level\":\"s0:c1\"}");
        bad("os/linux/selinux-context",
            "{\"user\":\"u:x\",\"role\":\"r\",\"type\":\"t\",\"level\":\"s0\"}",
            "invalid user value \"u:x\"");
        bad("os/linux/selinux-context", "{\"user\":\"u\",\"type\":\"t\",\"level\":\"s0\"}",
            "invalid role value \"\"");
        bad("os/linux/selinux-context", "{\"user\":\"u\",\"role\":\"r\",\"type\":\"t\"}",
            "invalid level value");
        ok("os/linux/apparmor-profile", "{\"profile\":\"rkt-default\"}");
        bad("os/linux/apparmor-profile", "{\"profile\":\"\"}", "profile must be set");
        bad("os/linux/apparmor-profile", "{}", "profile must be set");
        ok("os/unix/sysctl", "{\"net.ipv4.ip_forward\":\"1\",\"kernel.shm_rmid_forced\":\"0\"}");
        ok("os/unix/sysctl", "{\"net/ipv4/conf/eth0.100/forwarding\":\"1\"}");
        ok("os/unix/sysctl", "{}");
        bad("os/unix/sysctl", "{\"net..x\":\"1\"}", "invalid sysctl name \"net..x\"");
        bad("os/unix/sysctl", "{\"../../etc/passwd\":\"1\"}", "invalid sysctl name");
        bad("os/unix/sysctl", "{\"/abs\":\"1\"}", "invalid sysctl name");
        bad("os/unix/sysctl", "{\"a b\":\"1\"}", "invalid sysctl name");
        bad("os/unix/sysctl", "{\"x\":1}", "expected a string");
        bad("os/unix/sysctl", "[]", "expected an object");
        ok("ace/pids", "{\"limit\":100}");
        bad("ace/pids", "{\"limit\":0}", "limit must be at least 1");
        bad("ace/pids", "{}", "limit: required field is missing");
        bad("ace/pids", "{\"limit\":\"100\"}", "expected an integer");
}

Test(isolator_values, names_and_missing_values)
{
        bad("Resource/CPU", "{}", "invalid AC Identifier");
        struct ace_isolator_list l = {0};
        char *msg = NULL;
        cr_expect_eq(add(&l, "example.com/custom", "{\"x\":1}", ISOLATOR_SCOPE_APP, &msg), -EINVAL);
        cr_expect_str_eq(msg, "unknown isolator example.com/custom");
        free(msg);
        cr_expect_eq(add(&l, "example.com/custom", "{\"x\":1}", ISOLATOR_SCOPE_POD, NULL), 0,
                     "pod level keeps unknown isolators");
        cr_expect_null(l.items[0].type);
        cr_expect_not_null(l.items[0].raw);
        _cleanup_error_ struct ace_error *err = NULL;
        cr_expect_eq(ace_isolators_add(&l, "resource/cpu", NULL, ISOLATOR_SCOPE_APP, &err),
                     -EINVAL);
        cr_expect(strstr(err->msg, "value is required"), "%s", err->msg);
        ace_isolators_clear(&l);
}

/* ---- lists ----------------------------------------------------------------------------------- */

static int list_check(const char *json, enum isolator_scope scope, char **msg)
{
        _cleanup_json_ struct json_object *o = J(json);
        _cleanup_error_ struct ace_error *err = NULL;
        struct ace_isolator_list l = {0};
        int r = ace_isolators_parse(o, &l, "isolators", &err);
        if (r >= 0)
                r = ace_isolators_validate(&l, scope, "isolators", &err);
        *msg = r < 0 ? xstrdup(err->msg) : NULL;
        ace_isolators_clear(&l);
        return r;
}

static void list_ok(const char *json, enum isolator_scope scope)
{
        char *msg;
        cr_expect_eq(list_check(json, scope, &msg), 0, "%s: %s", json, msg);
        free(msg);
}

static void list_bad(const char *json, enum isolator_scope scope, const char *want)
{
        char *msg;
        cr_expect_eq(list_check(json, scope, &msg), -EINVAL, "%s accepted", json);
        cr_expect(msg && strstr(msg, want), "%s: got '%s'", json, msg);
        free(msg);
}

#define NNP "{\"name\":\"os/linux/no-new-privileges\",\"value\":true}"
#define RETAIN "{\"name\":\"os/linux/seccomp-retain-set\",\"value\":{\"set\":[\"read\"]}}"
#define REMOVE "{\"name\":\"os/linux/seccomp-remove-set\",\"value\":{\"set\":[\"reboot\"]}}"
#define CAPRET "{\"name\":\"os/linux/capabilities-retain-set\",\"value\":{\"set\":[\"CAP_KILL\"]}}"
#define CAPREM "{\"name\":\"os/linux/capabilities-remove-set\",\"value\":{\"set\":[\"CAP_KILL\"]}}"
#define MEM "{\"name\":\"resource/memory\",\"value\":{\"limit\":\"1G\"}}"
#define SYSCTL "{\"name\":\"os/unix/sysctl\",\"value\":{\"a.b\":\"1\"}}"
#define UNKNOWN "{\"name\":\"example.com/x\",\"value\":1}"

Test(isolator_lists, rules)
{
        list_ok("[" NNP "," NNP "," MEM "," MEM "," CAPRET "," CAPRET "," RETAIN "]",
                ISOLATOR_SCOPE_APP);
        list_bad("[" RETAIN "," RETAIN "]", ISOLATOR_SCOPE_APP,
                 "isolators[1]: isolators set contains too many instances of type "
                 "os/linux/seccomp-retain-set");
        list_bad("[" RETAIN "," REMOVE "]", ISOLATOR_SCOPE_APP,
                 "isolators set contains incompatible types: os/linux/seccomp-retain-set and "
                 "os/linux/seccomp-remove-set");
        list_bad("[" CAPREM "," CAPRET "]", ISOLATOR_SCOPE_APP, "incompatible types");
        list_bad("[" UNKNOWN "]", ISOLATOR_SCOPE_APP,
                 "isolators[0]: unknown isolator \"example.com/x\"");
        list_ok("[" UNKNOWN "," MEM "," SYSCTL "]", ISOLATOR_SCOPE_POD);
        list_bad("[" SYSCTL "]", ISOLATOR_SCOPE_APP,
                 "isolator \"os/unix/sysctl\" cannot be used in an app");
        list_bad("[" CAPRET "]", ISOLATOR_SCOPE_POD, "cannot be used in a pod");
        list_bad("[" SYSCTL "," SYSCTL "]", ISOLATOR_SCOPE_POD, "too many instances");
        list_bad("[{\"name\":\"os/linux/no-new-privileges\"}]", ISOLATOR_SCOPE_APP,
                 "isolators[0].value: required field is missing");
        list_bad("[{\"name\":\"os/linux/no-new-privileges\",\"value\":null}]", ISOLATOR_SCOPE_APP,
                 "isolators[0].value: required field is missing");
        list_bad("[{\"value\":true}]", ISOLATOR_SCOPE_APP,
                 "isolators[0].name: required field is missing");
        list_bad("[1]", ISOLATOR_SCOPE_APP, "isolators[0]: expected a JSON object for isolator");
        list_bad("{}", ISOLATOR_SCOPE_APP, "isolators: expected an array");
}

Test(isolator_lists, round_trip_copy_find_remove)
{
        const char *in = "[" MEM "," UNKNOWN ",{\"name\":\"os/linux/cpu-shares\",\"value\":512,"
                         "\"comment\":\"kept\"}]";
        _cleanup_json_ struct json_object *o = J(in);
        struct ace_isolator_list l = {0}, c = {0};

        cr_assert_eq(ace_isolators_parse(o, &l, "isolators", NULL), 0);
        ace_isolators_copy(&c, &l);
        ace_isolators_clear(&l);
        _cleanup_json_ struct json_object *e = ace_isolators_emit(&c, false);
        _cleanup_free_ char *a = json_to_text(o, JSON_COMPACT);
        _cleanup_free_ char *b = json_to_text(e, JSON_COMPACT);
        cr_expect_str_eq(b, a);
        cr_expect_eq(
            ((struct isolator_int *)ace_isolators_find(&c, "os/linux/cpu-shares")->value)->value,
            512);
        cr_expect_eq(ace_isolators_remove(&c, "resource/memory"), 1);
        cr_expect_null(ace_isolators_find(&c, "resource/memory"));
        cr_expect_eq(c.n, 2);
        ace_isolators_clear(&c);
        cr_expect_null(ace_isolators_emit(&c, false));
}
