/*
 * test_actool.c - actool against the reference actool (Debian's appc-spec, /usr/bin/actool) as
 * the oracle: what we build, it validates; what it builds, we read; and our verbs' outputs,
 * errors and exit codes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/hash.h"
#include "common/proc.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"

#define REF_ACTOOL "/usr/bin/actool"

static char *our_actool(void)
{
        const char *b = getenv("ACE_BUILD");
        return xasprintf("%s/actool", b ? b : "build");
}

struct run {
        int code;
        char *out, *err;
};

static void run_done(struct run *r)
{
        free(r->out);
        free(r->err);
}

/* Runs argv (NULL-terminated) with optional extra environment entries. */
static struct run runv(char **env_extra, char *const *argv)
{
        struct ace_error *e = NULL;
        struct proc_status st;
        struct run r = {0};
        _cleanup_strv_free_ char **env = NULL;
        extern char **environ;

        env = strv_copy(environ);
        for (char **x = env_extra; x && *x; x++)
                env = strv_push(env, *x);
        cr_assert_eq(proc_run_capture(argv, env, &r.out, &r.err, 64 << 20, &st, &e), 0, "%s: %s",
                     argv[0], ace_error_msg(e));
        r.code = proc_status_exit_code(&st);
        return r;
}

#define RUN(...) runv(NULL, (char *const[]){__VA_ARGS__, NULL})

static const char *manifest_json =
    "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/hello\","
    "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"},{\"name\":\"os\",\"value\":\"linux\"},"
    "{\"name\":\"arch\",\"value\":\"amd64\"}],"
    "\"app\":{\"exec\":[\"/bin/hello\"],\"user\":\"0\",\"group\":\"0\"}}";

/* A layout with a regular file, an executable, a symlink, a hard link and an empty dir. */
static char *make_layout(const char *parent, const char *manifest)
{
        char *dir = xasprintf("%s/layout", parent);
        char *p;

        cr_assert_eq(mkdir(dir, 0755), 0);
        p = xasprintf("%s/manifest", dir);
        th_write_file(p, manifest ? manifest : manifest_json, 0644);
        free(p);
        p = xasprintf("%s/rootfs", dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        free(p);
        p = xasprintf("%s/rootfs/bin", dir);
        cr_assert_eq(mkdir(p, 0755), 0);
        free(p);
        p = xasprintf("%s/rootfs/bin/hello", dir);
        th_write_file(p, "#!/bin/sh\necho hello\n", 0755);
        free(p);
        p = xasprintf("%s/rootfs/etc", dir);
        cr_assert_eq(mkdir(p, 0700), 0);
        free(p);
        p = xasprintf("%s/rootfs/etc/motd", dir);
        th_write_file(p, "welcome\n", 0640);
        char *l = xasprintf("%s/rootfs/etc/motd.link", dir);
        cr_assert_eq(link(p, l), 0);
        free(l);
        free(p);
        p = xasprintf("%s/rootfs/sh", dir);
        cr_assert_eq(symlink("bin/hello", p), 0);
        free(p);
        p = xasprintf("%s/rootfs/empty", dir);
        cr_assert_eq(mkdir(p, 0711), 0);
        free(p);
        return dir;
}

static char *sha512_of_decompressed(const char *aci)
{
        /* The image ID computed by hand: decompress with the system tools, hash. */
        _cleanup_free_ char *cmd =
            xasprintf("(gzip -dc %1$s 2>/dev/null || bzip2 -dc %1$s 2>/dev/null || xz -dc %1$s "
                      "2>/dev/null || zstd -dc %1$s 2>/dev/null || cat %1$s) | sha512sum",
                      aci);
        struct run r = RUN("/bin/sh", "-c", cmd);
        cr_assert_eq(r.code, 0);
        char *id = xasprintf("sha512-%.128s", r.out);
        run_done(&r);
        return id;
}

Test(actool, build_is_accepted_by_the_reference)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        static const char *comps[] = {"gzip", "bzip2", "xz", "none"};

        for (size_t i = 0; i < ARRAY_SIZE(comps); i++) {
                _cleanup_free_ char *aci = xasprintf("%s/hello-%s.aci", tmp, comps[i]);
                _cleanup_free_ char *flag = xasprintf("--compression=%s", comps[i]);
                struct run r = RUN(tool, "--debug", "build", flag, layout, aci);
                cr_assert_eq(r.code, 0, "build %s: %s", comps[i], r.err);
                run_done(&r);
                r = RUN(REF_ACTOOL, "--debug", "validate", aci);
                cr_expect_eq(r.code, 0, "reference rejects our %s ACI: %s", comps[i], r.err);
                cr_expect(strstr(r.err, "valid app container image"), "%s", r.err);
                run_done(&r);
                r = RUN(REF_ACTOOL, "cat-manifest", aci);
                cr_expect_eq(r.code, 0, "%s", r.err);
                cr_expect(strstr(r.out, "example.com/hello"));
                run_done(&r);
        }
        th_rm_rf(tmp);
}

Test(actool, zstd_build_validates_with_ours)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *aci = xasprintf("%s/z.aci", tmp);
        struct run r = RUN(tool, "build", "--compression=zstd", layout, aci);
        cr_assert_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        int fd = open(aci, O_RDONLY);
        unsigned char magic[4];
        cr_assert_eq(read(fd, magic, 4), 4);
        close(fd);
        cr_expect(magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd,
                  "zstd magic");
        r = RUN(tool, "--debug", "validate", aci);
        cr_expect_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        th_rm_rf(tmp);
}

Test(actool, reference_built_images_read_by_ours)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *gz = xasprintf("%s/ref.aci", tmp),
                            *plain = xasprintf("%s/ref2.aci", tmp);

        struct run r = RUN(REF_ACTOOL, "build", layout, gz);
        cr_assert_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        r = RUN(REF_ACTOOL, "build", "--no-compression", layout, plain);
        cr_assert_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        char *acis[] = {gz, plain};
        for (size_t i = 0; i < 2; i++) {
                r = RUN(tool, "--debug", "validate", acis[i]);
                cr_expect_eq(r.code, 0, "%s", r.err);
                cr_expect(strstr(r.err, "valid app container image"));
                run_done(&r);
                r = RUN(tool, "cat-manifest", acis[i]);
                cr_expect_eq(r.code, 0, "%s", r.err);
                cr_expect(strstr(r.out, "\"name\":\"example.com/hello\""), "%s", r.out);
                run_done(&r);
                struct run ref = RUN(REF_ACTOOL, "cat-manifest", "--pretty-print", acis[i]);
                r = RUN(tool, "cat-manifest", "--pretty-print", acis[i]);
                cr_expect_eq(r.code, 0);
                cr_expect_str_eq(r.out, ref.out, "pretty output differs from the reference");
                run_done(&r);
                run_done(&ref);
        }
        th_rm_rf(tmp);
}

Test(actool, reproducible_builds_with_source_date_epoch)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *a = xasprintf("%s/a.aci", tmp), *b = xasprintf("%s/b.aci", tmp);
        _cleanup_free_ char *c = xasprintf("%s/c.aci", tmp);
        char *env[] = {"SOURCE_DATE_EPOCH=1700000000", NULL};

        struct run r = runv(env, (char *const[]){tool, "--debug", "build", layout, a, NULL});
        cr_assert_eq(r.code, 0, "%s", r.err);
        _cleanup_free_ char *id_a = xstrdup(strstr(r.err, "sha512-"));
        run_done(&r);
        sleep(1); /* a build that used the clock would now differ */
        r = runv(env, (char *const[]){tool, "--debug", "build", layout, b, NULL});
        cr_assert_eq(r.code, 0, "%s", r.err);
        _cleanup_free_ char *id_b = xstrdup(strstr(r.err, "sha512-"));
        run_done(&r);
        r = RUN(tool, "build", "--source-date-epoch=1700000000", layout, c);
        cr_assert_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        r = RUN("/usr/bin/cmp", a, b);
        cr_expect_eq(r.code, 0, "two builds with SOURCE_DATE_EPOCH differ");
        run_done(&r);
        r = RUN("/usr/bin/cmp", a, c);
        cr_expect_eq(r.code, 0, "--source-date-epoch and SOURCE_DATE_EPOCH differ");
        run_done(&r);
        cr_expect_str_eq(id_a, id_b);
        _cleanup_free_ char *hand = sha512_of_decompressed(a);
        id_a[strcspn(id_a, "\n")] = '\0';
        cr_expect_str_eq(id_a, hand, "the printed ID is the sha512 of the uncompressed tar");
        th_rm_rf(tmp);
}

Test(actool, build_errors)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *out = xasprintf("%s/x.aci", tmp), *tar = xasprintf("%s/x.tar", tmp);
        struct run r;

        r = RUN(tool, "build", layout);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "Must provide directory and output file"), "%s", r.err);
        run_done(&r);
        r = RUN(tool, "build", layout, tar);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "Extension must be .aci"), "%s", r.err);
        run_done(&r);
        th_write_file(out, "x", 0644);
        r = RUN(tool, "build", layout, out);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "Target file exists (try --overwrite)"), "%s", r.err);
        run_done(&r);
        r = RUN(tool, "build", "--overwrite", layout, out);
        cr_expect_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        r = RUN(tool, "build", "--compression=lz4", layout, out);
        cr_expect_eq(r.code, 1);
        run_done(&r);
        r = RUN(tool, "build", "--bogus", layout, out);
        cr_expect_eq(r.code, 2, "an unknown flag is a usage error");
        run_done(&r);

        /* Bad layouts: each refused, and no output file appears. */
        static const char *bad[][2] = {
            {"rm -f %s/manifest", "no image manifest found in layout"},
            {"rm -rf %s/rootfs", "no rootfs found in layout"},
            {"mkdir %s/rootfs-extra", "unrecognized file path in layout"},
            {"echo '{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\"}' > %s/manifest",
             "image manifest validation failed"},
            {"rm -rf %1$s/rootfs && ln -s /etc %1$s/rootfs", "rootfs is not a directory"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                _cleanup_free_ char *sub = xasprintf("%s/bad%zu", tmp, i);
                cr_assert_eq(mkdir(sub, 0755), 0);
                _cleanup_free_ char *l = make_layout(sub, NULL);
                _cleanup_free_ char *cmd = xasprintf(bad[i][0], l);
                _cleanup_free_ char *o = xasprintf("%s/o.aci", sub);
                struct run s = RUN("/bin/sh", "-c", cmd);
                cr_assert_eq(s.code, 0);
                run_done(&s);
                r = RUN(tool, "build", l, o);
                cr_expect_eq(r.code, 1, "case %zu", i);
                cr_expect(strstr(r.err, "Layout failed validation") && strstr(r.err, bad[i][1]),
                          "case %zu: %s", i, r.err);
                cr_expect_neq(access(o, F_OK), 0, "case %zu left an output", i);
                run_done(&r);
        }
        th_rm_rf(tmp);
}

Test(actool, cli_usage_and_exit_codes)
{
        _cleanup_free_ char *tool = our_actool();
        struct run r;

        r = RUN(tool);
        cr_expect_eq(r.code, 0);
        cr_expect(strstr(r.out, "COMMANDS:"));
        run_done(&r);
        r = RUN(tool, "--help");
        cr_expect_eq(r.code, 0);
        run_done(&r);
        r = RUN(tool, "help", "build");
        cr_expect_eq(r.code, 0);
        cr_expect(strstr(r.out, "actool build"));
        run_done(&r);
        r = RUN(tool, "help", "bogus");
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "Unrecognized command: bogus"));
        run_done(&r);
        r = RUN(tool, "bogus");
        cr_expect_eq(r.code, 2);
        cr_expect(strstr(r.err, "unknown subcommand: \"bogus\""));
        run_done(&r);
        r = RUN(tool, "version");
        cr_expect_eq(r.code, 0);
        cr_expect(strstr(r.out, "actool version"));
        run_done(&r);
        r = RUN(tool, "validate", "--debug", "x");
        cr_expect_eq(r.code, 2, "global flags go before the verb, as in the reference");
        run_done(&r);
        r = RUN(tool, "validate", "--help");
        cr_expect_eq(r.code, 0);
        cr_expect(strstr(r.out, "--type"));
        run_done(&r);
}

Test(actool, validate_files_layouts_and_manifests)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *aci = xasprintf("%s/h.aci", tmp), *man = xasprintf("%s/m.json", tmp);
        _cleanup_free_ char *pod = xasprintf("%s/pod.json", tmp), *bin = xasprintf("%s/junk", tmp);
        _cleanup_free_ char *bad = xasprintf("%s/bad.json", tmp);
        _cleanup_free_ char *syntax = xasprintf("%s/syntax.json", tmp);
        _cleanup_free_ char *missing = xasprintf("%s/missing", tmp);
        struct run r;

        r = RUN(tool, "build", layout, aci);
        cr_assert_eq(r.code, 0);
        run_done(&r);
        th_write_file(man, manifest_json, 0644);
        th_write_file(pod, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[]}",
                      0644);
        th_write_file(bin, "\x01\x02\x03\x04 not text", 0644);
        th_write_file(
            bad, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"BAD\"}", 0644);
        th_write_file(syntax, "{\"acKind\": ", 0644);

        r = RUN(tool, "--debug", "validate", aci, layout, man, pod);
        cr_expect_eq(r.code, 0, "%s", r.err);
        cr_expect(strstr(r.err, "valid app container image"));
        cr_expect(strstr(r.err, "valid image layout"));
        cr_expect(strstr(r.err, "valid ImageManifest"));
        cr_expect(strstr(r.err, "valid PodManifest"));
        run_done(&r);
        r = RUN(tool, "validate", aci, man);
        cr_expect_eq(r.code, 0);
        cr_expect_str_eq(r.err, "", "validate is silent on success");
        run_done(&r);
        r = RUN(tool, "validate");
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "must pass one or more files"));
        run_done(&r);
        r = RUN(tool, "validate", bin);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "unable to detect filetype (try --type)"));
        run_done(&r);
        r = RUN(tool, "validate", "--type=appimage", layout);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "is a directory (wrong --type?)"));
        run_done(&r);
        r = RUN(tool, "validate", "--type=layout", layout);
        cr_expect_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        r = RUN(tool, "validate", "--type=imagelayout", layout);
        cr_expect_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        /* An invalid manifest does not stop the run: the file after it is still checked. */
        r = RUN(tool, "--debug", "validate", bad, man);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "invalid ImageManifest"), "%s", r.err);
        cr_expect(strstr(r.err, "m.json: valid ImageManifest"), "%s", r.err);
        run_done(&r);
        /* A missing file or unparseable JSON stops it. */
        r = RUN(tool, "--debug", "validate", missing, man);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "unable to access"));
        cr_expect_null(strstr(r.err, "valid ImageManifest"));
        run_done(&r);
        r = RUN(tool, "--debug", "validate", syntax, man);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "error unmarshaling manifest"));
        cr_expect_null(strstr(r.err, "valid ImageManifest"));
        run_done(&r);
        th_rm_rf(tmp);
}

Test(actool, cat_manifest_prints_invalid_manifest_then_fails)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *aci = xasprintf("%s/h.aci", tmp), *bad = xasprintf("%s/bad.aci", tmp);
        _cleanup_free_ char *mpath = xasprintf("%s/manifest", layout);
        struct run r;

        r = RUN(tool, "build", layout, aci);
        cr_assert_eq(r.code, 0);
        run_done(&r);
        r = RUN(tool, "cat-manifest");
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "Must provide one file"));
        run_done(&r);
        /* The reference builds an invalid-manifest image if we patch the file after validation:
         * make one with tar directly. */
        th_write_file(
            mpath, "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"UP\"}", 0644);
        _cleanup_free_ char *cmd = xasprintf("tar -C %s -czf %s manifest rootfs", layout, bad);
        r = RUN("/bin/sh", "-c", cmd);
        cr_assert_eq(r.code, 0);
        run_done(&r);
        r = RUN(tool, "cat-manifest", bad);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.out, "\"name\":\"UP\""), "raw manifest printed first: %s", r.out);
        cr_expect(strstr(r.err, "Unable to read"));
        run_done(&r);
        th_rm_rf(tmp);
}

Test(actool, patch_manifest_edits_and_keeps_entries)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *aci = xasprintf("%s/h.aci", tmp), *out = xasprintf("%s/p.aci", tmp);
        struct run r;

        r = RUN(tool, "build", "--compression=xz", layout, aci);
        cr_assert_eq(r.code, 0);
        run_done(&r);
        r = RUN(tool, "patch-manifest", "--name=example.com/patched", "--exec=/bin/hello a b",
                "--user=1000", "--group=1000", "--supplementary-groups=5,6",
                "--capability=CAP_NET_ADMIN,CAP_CHOWN", "--mounts=data,path=/data,readOnly=true",
                "--ports=http,protocol=tcp,port=8080:dns,protocol=udp,port=53,count=2",
                "--isolators=resource/memory,limit=1G:os/linux/no-new-privileges,true",
                "--seccomp-mode=retain,errno=ENOTSUP", "--seccomp-set=read,write,@appc.io/all", aci,
                out);
        cr_assert_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        r = RUN(REF_ACTOOL, "validate", out);
        cr_expect_eq(r.code, 0, "reference rejects the patched image: %s", r.err);
        run_done(&r);
        r = RUN(tool, "cat-manifest", out);
        cr_assert_eq(r.code, 0, "%s", r.err);
        static const char *want[] = {
            "\"name\":\"example.com/patched\"",
            "\"exec\":[\"/bin/hello\",\"a\",\"b\"]",
            "\"user\":\"1000\"",
            "\"supplementaryGIDs\":[5,6]",
            "os/linux/capabilities-retain-set",
            "CAP_NET_ADMIN",
            "\"name\":\"data\",\"path\":\"/data\",\"readOnly\":true",
            "\"port\":8080",
            "\"protocol\":\"udp\"",
            "resource/memory",
            "os/linux/no-new-privileges",
            "os/linux/seccomp-retain-set",
            "ENOTSUP",
        };
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                cr_expect(strstr(r.out, want[i]), "missing %s in %s", want[i], r.out);
        run_done(&r);
        /* Every rootfs entry is carried over unchanged (names, modes, owners, link targets). */
        _cleanup_free_ char *c1 = xasprintf("bsdtar -tvf %s | grep rootfs | sed 's/  */ /g' | "
                                            "cut -d' ' -f1-5,9-",
                                            aci);
        _cleanup_free_ char *c2 = xasprintf("bsdtar -tvf %s | grep rootfs | sed 's/  */ /g' | "
                                            "cut -d' ' -f1-5,9-",
                                            out);
        struct run l1 = RUN("/bin/sh", "-c", c1), l2 = RUN("/bin/sh", "-c", c2);
        cr_expect_str_eq(l1.out, l2.out);
        cr_expect(strstr(l1.out, "motd.link link to rootfs/etc/motd"), "%s", l1.out);
        run_done(&l1);
        run_done(&l2);
        /* The output is gzip (default), the input was xz. */
        _cleanup_free_ char *gzip_t = xasprintf("gzip -t %s", out);
        r = RUN("/bin/sh", "-c", gzip_t);
        cr_expect_eq(r.code, 0);
        run_done(&r);
        th_rm_rf(tmp);
}

Test(actool, patch_manifest_errors)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        _cleanup_free_ char *aci = xasprintf("%s/h.aci", tmp), *out = xasprintf("%s/p.aci", tmp);
        _cleanup_free_ char *newm = xasprintf("%s/new.json", tmp);
        struct stat before, after;
        struct run r;

        r = RUN(tool, "build", layout, aci);
        cr_assert_eq(r.code, 0);
        run_done(&r);
        cr_assert_eq(stat(aci, &before), 0);
        static const struct {
                const char *args[4];
                const char *msg;
        } cases[] = {
            {{"--name=x", NULL}, "Must provide input and output files (or use --replace)"},
            {{"--replace", "--overwrite", NULL}, "Cannot use both --replace and --overwrite"},
            {{"--manifest=/dev/null", "--name=a", NULL}, "--manifest is incompatible"},
            {{"--capability=CAP_CHOWN", "--revoke-capability=CAP_KILL", NULL},
             "conflicting capabilities isolators provided"},
            {{"--isolators=os/linux/cpu-shares,5", NULL}, "is not supported for patching"},
            {{"--seccomp-set=read", NULL}, "--seccomp-set specified without --seccomp-mode"},
            {{"--ports=http,protocol=tcp,port=0", NULL}, "port must be in 1-65535 range"},
            {{"--name=Not_Valid", NULL}, "patched manifest is invalid"},
            {{"--capability=CAP_BOGUS", NULL}, "CAP_BOGUS"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_strv_free_ char **argv = strv_push(NULL, tool);
                argv = strv_push(argv, "patch-manifest");
                for (size_t k = 0; cases[i].args[k]; k++)
                        argv = strv_push(argv, cases[i].args[k]);
                argv = strv_push(argv, aci);
                if (i != 0 && i != 1)
                        argv = strv_push(argv, out);
                r = runv(NULL, argv);
                cr_expect_eq(r.code, 1, "case %zu: %s", i, r.err);
                cr_expect(strstr(r.err, cases[i].msg), "case %zu: %s", i, r.err);
                cr_expect_neq(access(out, F_OK), 0, "case %zu wrote an output", i);
                run_done(&r);
        }
        /* --manifest replaces the whole manifest, validated; --replace rewrites in place. */
        th_write_file(
            newm,
            "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/new\"}",
            0644);
        _cleanup_free_ char *mflag = xasprintf("--manifest=%s", newm);
        r = RUN(tool, "patch-manifest", mflag, "--replace", aci);
        cr_expect_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        r = RUN(tool, "cat-manifest", aci);
        cr_expect(strstr(r.out, "example.com/new"), "%s", r.out);
        cr_expect_null(strstr(r.out, "\"app\""));
        run_done(&r);
        cr_assert_eq(stat(aci, &after), 0);
        cr_expect_neq(before.st_ino, after.st_ino, "--replace writes a new file and renames it");
        /* No app and no --exec: refused. With --exec: an app is made. */
        r = RUN(tool, "patch-manifest", "--user=5", aci, out);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "no app in the supplied manifest and no exec command provided"));
        run_done(&r);
        r = RUN(tool, "patch-manifest", "--exec=/bin/hello", aci, out);
        cr_expect_eq(r.code, 0, "%s", r.err);
        run_done(&r);
        r = RUN(tool, "patch-manifest", "--exec=/bin/hello", aci, out);
        cr_expect_eq(r.code, 1);
        cr_expect(strstr(r.err, "Output file exists (try --overwrite)"));
        run_done(&r);
        th_rm_rf(tmp);
}

/* Reads known-differences.txt: the corpus files where we are deliberately stricter or laxer. */
static char **known_differences(const char *dir)
{
        _cleanup_free_ char *p = xasprintf("%s/known-differences.txt", dir);
        _cleanup_free_ char *text = th_read_file(p);
        _cleanup_strv_free_ char **lines = strv_split(text ? text : "", "\n", false);
        char **names = xcalloc(1, sizeof(char *));

        for (char **l = lines; *l; l++)
                if (**l != '#')
                        names = strv_push_take(names, xstrndup(*l, strcspn(*l, " ")));
        return names;
}

/* Over the manifest corpus, our `actool validate` and the reference's agree file by file
 * (run live: the reference is installed by `make deps`), except for the listed differences. */
Test(actool, corpus_verdicts_match_the_reference)
{
        _cleanup_free_ char *tool = our_actool();
        const char *src = getenv("ACE_SRC");
        _cleanup_free_ char *dir = xasprintf("%s/tests/fixtures/manifests", src ? src : ".");
        _cleanup_strv_free_ char **known = known_differences(dir);
        _cleanup_free_ char *cmd = xasprintf("cd %s && ls valid/*.json invalid/*.json", dir);
        struct run ls = RUN("/bin/sh", "-c", cmd);
        _cleanup_strv_free_ char **files = strv_split(ls.out, "\n", false);
        size_t compared = 0, differ = 0;

        run_done(&ls);
        cr_assert_geq(strv_length(files), 60, "the corpus has at least 60 manifests");
        for (char **f = files; *f; f++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, *f);
                struct run ours = RUN(tool, "validate", "--type=manifest", path);
                struct run ref = RUN(REF_ACTOOL, "validate", "--type=manifest", path);
                /* The reference panics (exit 2) on some invalid input: still "invalid". */
                bool ours_ok = ours.code == 0, ref_ok = ref.code == 0;
                cr_expect(ours.code == 0 || ours.code == 1, "%s: exit %d", *f, ours.code);
                if (strv_contains(known, *f)) {
                        cr_expect_neq(ours_ok, ref_ok,
                                      "%s is listed as a known difference but "
                                      "the verdicts agree",
                                      *f);
                        differ++;
                } else {
                        cr_expect_eq(ours_ok, ref_ok, "%s: ours %s, reference %s (%s)", *f,
                                     ours_ok ? "valid" : "invalid", ref_ok ? "valid" : "invalid",
                                     ours_ok ? ref.err : ours.err);
                }
                /* The directory says what the file is meant to be. */
                cr_expect_eq(ours_ok, strncmp(*f, "valid/", 6) == 0, "%s: ours %s", *f,
                             ours_ok ? "valid" : "invalid");
                compared++;
                run_done(&ours);
                run_done(&ref);
        }
        cr_expect_geq(compared, 60);
        cr_log_info("corpus: %zu files, %zu known differences", compared, differ);
}

/* Hostile archives through the binary: refused with a message naming the entry, nothing
 * written anywhere (validate and cat-manifest only read; patch-manifest must not produce an
 * output). The archive module's own tests cover extraction. */
Test(actool, hostile_archives_are_refused)
{
        _cleanup_free_ char *tmp = th_mkdtemp("ace-test-actool"), *tool = our_actool();
        _cleanup_free_ char *layout = make_layout(tmp, NULL);
        static const struct {
                const char *shell;
                const char *msg;
        } cases[] = {
            /* traversal through a name that leaves the tree */
            {"cd %1$s && tar -czf %2$s manifest rootfs --transform "
             "'s,rootfs/sh,rootfs/../../evil,'",
             ".."},
            /* absolute name */
            {"cd %1$s && tar -czPf %2$s manifest rootfs /etc/hostname", "absolute"},
            /* an extra top-level entry */
            {"cd %1$s && mkdir -p evil && tar -czf %2$s manifest rootfs evil", "evil"},
            /* a duplicate entry */
            {"cd %1$s && tar -czf %2$s manifest rootfs rootfs/etc/motd", "duplicate"},
            /* a zip named .aci */
            {"cd %1$s && bsdtar --format zip -cf %2$s manifest rootfs", "zip"},
            /* a cpio named .aci */
            {"cd %1$s && find manifest rootfs | bsdtar --format newc -cf %2$s -T -", "cpio"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *aci = xasprintf("%s/bad%zu.aci", tmp, i);
                _cleanup_free_ char *out = xasprintf("%s/out%zu.aci", tmp, i);
                _cleanup_free_ char *cmd = xasprintf(cases[i].shell, layout, aci);
                struct run mk = RUN("/bin/sh", "-c", cmd);
                cr_assert_eq(mk.code, 0, "case %zu: %s", i, mk.err);
                run_done(&mk);
                struct run r = RUN(tool, "validate", aci);
                cr_expect_eq(r.code, 1, "case %zu accepted", i);
                cr_expect(strcasestr(r.err, cases[i].msg), "case %zu: %s", i, r.err);
                run_done(&r);
                r = RUN(tool, "cat-manifest", aci);
                cr_expect_eq(r.code, 1, "case %zu: cat-manifest accepted", i);
                cr_expect_str_eq(r.out, "", "case %zu: printed from a hostile archive", i);
                run_done(&r);
                r = RUN(tool, "patch-manifest", "--name=example.com/x", aci, out);
                cr_expect_eq(r.code, 1, "case %zu: patch-manifest accepted", i);
                cr_expect_neq(access(out, F_OK), 0, "case %zu: output written", i);
                run_done(&r);
        }
        th_rm_rf(tmp);
}
