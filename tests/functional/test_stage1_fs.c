/*
 * test_stage1_fs.c - an app's filesystem: volumes (empty shared between apps, host ro/rw,
 * missing and symlinked sources), readOnlyRootFS, /dev, hostile images (T-21), the
 * double-chroot escape (T-26), workingDirectory escapes (T-20).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/pod_fixture.h"
#include "tests/lib/test_image.h"

static struct pod_fixture *pf;
static struct test_image *img;
static char *hostdir;

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        pf = pf_new();
        img = timg_new("example.com/probe");
        hostdir = th_mkdtemp("ace-host");
}

static void teardown(void)
{
        pf_free(pf);
        timg_free(img);
        th_rm_rf(hostdir);
        free(hostdir);
}

TestSuite(stage1_fs, .init = setup, .fini = teardown, .timeout = 60);

#define APP(...) "{\"exec\": [" __VA_ARGS__ "], \"user\": \"0\", \"group\": \"0\"}"

Test(stage1_fs, empty_volume_is_shared_between_apps)
{
        pf_add_volume(pf, "{\"name\": \"shared\", \"kind\": \"empty\", \"mode\": \"0770\", "
                          "\"uid\": 1000, \"gid\": 100}");
        /* The reader waits for a second file, written after the first is complete: waiting
         * for the first could read it between its creation and its write. */
        pf_add_app(pf, "writer", img,
                   APP("\"/probe\", \"write\", \"/data/hello\", \"from-writer\", \"write\", "
                       "\"/data/done\", \"1\""),
                   "\"mounts\": [{\"volume\": \"shared\", \"path\": \"/data\"}]");
        pf_add_app(pf, "reader", img,
                   APP("\"/probe\", \"wait-file\", \"/mnt/x/done\", \"5000\", \"read\", "
                       "\"/mnt/x/hello\", \"stat\", \"/mnt/x\""),
                   "\"mounts\": [{\"volume\": \"shared\", \"path\": \"/mnt/x\"}]");
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *log = pf_read(pf, "logs/reader.log");
        _cleanup_free_ char *v = th_kv(log, "read");
        cr_assert_str_eq(v, "from-writer");
        _cleanup_free_ char *mode = th_kv(log, "stat.mode"), *uid = th_kv(log, "stat.uid"),
                            *gid = th_kv(log, "stat.gid");
        cr_assert_str_eq(mode, "0770");
        cr_assert_str_eq(uid, "1000");
        cr_assert_str_eq(gid, "100");
}

Test(stage1_fs, host_volume_read_write_and_read_only)
{
        _cleanup_free_ char *rw =
            xasprintf("{\"name\": \"rw\", \"kind\": \"host\", \"source\": \"%s\"}", hostdir);
        _cleanup_free_ char *ro = xasprintf(
            "{\"name\": \"ro\", \"kind\": \"host\", \"source\": \"%s\", \"readOnly\": true}",
            hostdir);
        pf_add_volume(pf, rw);
        pf_add_volume(pf, ro);
        pf_add_app(
            pf, "a", img,
            APP("\"/probe\", \"write\", \"/rw/from-app\", \"1\", \"write\", \"/ro/nope\", \"1\""),
            "\"mounts\": [{\"volume\": \"rw\", \"path\": \"/rw\"}, {\"volume\": \"ro\", \"path\": "
            "\"/ro\"}]");
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *w = th_kv_nth(pf->out, "write", 0), *e = th_kv(pf->out, "write.errno");
        cr_assert_str_eq(w, "ok");
        cr_assert_str_eq(e, "EROFS");
        _cleanup_free_ char *made = xasprintf("%s/from-app", hostdir),
                            *nope = xasprintf("%s/nope", hostdir);
        cr_assert(th_exists(made));
        cr_assert_not(th_exists(nope));
}

Test(stage1_fs, mount_point_read_only_flag_applies)
{
        _cleanup_free_ char *rw =
            xasprintf("{\"name\": \"work\", \"kind\": \"host\", \"source\": \"%s\"}", hostdir);
        pf_add_volume(pf, rw);
        pf_add_app(
            pf, "a", img,
            "{\"exec\": [\"/probe\", \"write\", \"/work/x\", \"1\"], \"user\": \"0\", \"group\": "
            "\"0\","
            " \"mountPoints\": [{\"name\": \"work\", \"path\": \"/work\", \"readOnly\": true}]}",
            NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *e = th_kv(pf->out, "write.errno");
        cr_assert_str_eq(e, "EROFS");
}

Test(stage1_fs, missing_host_source_is_an_error)
{
        _cleanup_free_ char *vol = xasprintf(
            "{\"name\": \"v\", \"kind\": \"host\", \"source\": \"%s/does-not-exist\"}", hostdir);
        pf_add_volume(pf, vol);
        pf_add_app(pf, "a", img, APP("\"/probe\", \"print\", \"ran\""),
                   "\"mounts\": [{\"volume\": \"v\", \"path\": \"/v\"}]");
        cr_assert_eq(pf_run(pf, NULL), 254);
        cr_assert(strstr(pf->err, "does not exist"), "stderr: %s", pf->err);
        cr_assert_null(strstr(pf->out, "ran"));
}

Test(stage1_fs, symlinked_host_source_is_an_error)
{
        _cleanup_free_ char *target = xasprintf("%s/real", hostdir),
                            *link = xasprintf("%s/link", hostdir);
        cr_assert(mkdir(target, 0755) == 0 && symlink(target, link) == 0);
        _cleanup_free_ char *vol =
            xasprintf("{\"name\": \"v\", \"kind\": \"host\", \"source\": \"%s/sub\"}", link);
        _cleanup_free_ char *sub = xasprintf("%s/sub", target);
        cr_assert(mkdir(sub, 0755) == 0);
        pf_add_volume(pf, vol);
        pf_add_app(pf, "a", img, APP("\"/probe\", \"print\", \"ran\""),
                   "\"mounts\": [{\"volume\": \"v\", \"path\": \"/v\"}]");
        cr_assert_eq(pf_run(pf, NULL), 254);
        cr_assert(strstr(pf->err, "symlink"), "stderr: %s", pf->err);
}

Test(stage1_fs, overlapping_mounts_are_refused)
{
        pf_add_volume(pf, "{\"name\": \"a\", \"kind\": \"empty\"}");
        pf_add_volume(pf, "{\"name\": \"b\", \"kind\": \"empty\"}");
        pf_add_app(pf, "x", img, APP("\"/probe\", \"print\", \"ran\""),
                   "\"mounts\": [{\"volume\": \"a\", \"path\": \"/m\"}, {\"volume\": \"b\", "
                   "\"path\": \"/m/n\"}]");
        cr_assert_eq(pf_run(pf, NULL), 254);
        cr_assert(strstr(pf->err, "overlap"), "stderr: %s", pf->err);
}

Test(stage1_fs, volume_target_through_image_symlink_stays_in_the_rootfs)
{
        /* The image points /data at the host's / ; the mount must land inside the rootfs. */
        timg_symlink(img, "/", "/data");
        _cleanup_free_ char *vol =
            xasprintf("{\"name\": \"v\", \"kind\": \"host\", \"source\": \"%s\"}", hostdir);
        _cleanup_free_ char *marker = xasprintf("%s/marker", hostdir);
        th_write_file(marker, "m", 0644);
        pf_add_volume(pf, vol);
        pf_add_app(pf, "a", img, APP("\"/probe\", \"read\", \"/marker\", \"ls\", \"/\""),
                   "\"mounts\": [{\"volume\": \"v\", \"path\": \"/data/etc\"}]");
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        /* /data -> / resolved inside the rootfs: the volume is on the app's /etc. */
        cr_assert_eq(th_mounts_containing(hostdir), 0);
        _cleanup_free_ char *ls = th_kv(pf->out, "ls");
        cr_assert(ls && strstr(ls, "probe"), "the app root is intact: %s", ls);
}

Test(stage1_fs, read_only_rootfs_keeps_volumes_writable)
{
        pf_add_volume(pf, "{\"name\": \"scratch\", \"kind\": \"empty\"}");
        pf_add_app(pf, "a", img,
                   APP("\"/probe\", \"write\", \"/x\", \"1\", \"write\", \"/scratch/y\", \"1\", "
                       "\"write\", \"/dev/shm/z\", \"1\""),
                   "\"readOnlyRootFS\": true, \"mounts\": [{\"volume\": \"scratch\", \"path\": "
                   "\"/scratch\"}]");
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *e = th_kv(pf->out, "write.errno");
        cr_assert_str_eq(e, "EROFS");
        cr_assert_eq(th_count_prefix(pf->out, "write=ok"), 2, "%s", pf->out);
}

Test(stage1_fs, dev_proc_sys_are_fresh)
{
        pf_add_app(pf, "a", img,
                   APP("\"/probe\", \"ls\", \"/dev\", \"stat\", \"/dev/null\", \"write\", "
                       "\"/sys/kernel/x\", \"1\", \"pid\", \"read\", \"/proc/1/comm\", \"mounts\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *ls = th_kv(pf->out, "ls");
        static const char *const want[] = {"null", "zero", "full", "random", "urandom", "tty",
                                           "pts",  "ptmx", "shm",  "mqueue", "fd",      "stdin"};
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                cr_assert(strstr(ls, want[i]), "/dev lacks %s: %s", want[i], ls);
        cr_assert_null(strstr(ls, "sda"), "no host devices: %s", ls);
        _cleanup_free_ char *rdev = th_kv(pf->out, "stat.rdev"),
                            *mode = th_kv(pf->out, "stat.mode");
        cr_assert_str_eq(rdev, "1:3");
        cr_assert_str_eq(mode, "0666");
        _cleanup_free_ char *we = th_kv(pf->out, "write.errno");
        cr_assert_str_eq(we, "EROFS", "sysfs is read-only");
        _cleanup_free_ char *comm = th_kv(pf->out, "read");
        cr_assert_str_eq(comm, "init\\n", "PID 1 of the pod is its supervisor: %s", comm);
}

Test(stage1_fs, image_symlinks_at_proc_and_dev_are_replaced_not_followed)
{
        /* T-21: rootfs/proc -> /, rootfs/dev -> a canary directory on the host. */
        _cleanup_free_ char *canary = xasprintf("%s/canary", hostdir);
        cr_assert(mkdir(canary, 0755) == 0);
        _cleanup_free_ char *keep = xasprintf("%s/keep", canary);
        th_write_file(keep, "keep", 0644);
        timg_symlink(img, "/", "/proc");
        timg_symlink(img, canary, "/dev");
        timg_symlink(img, "..", "/sys");
        pf_add_app(pf, "a", img,
                   APP("\"/probe\", \"stat\", \"/proc/self/status\", \"stat\", \"/dev/null\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        DIR *d = opendir(canary);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        closedir(d);
        cr_assert_eq(n, 1, "the canary dir is unchanged");
        _cleanup_free_ char *t1 = th_kv_nth(pf->out, "stat.type", 0),
                            *t2 = th_kv_nth(pf->out, "stat.type", 1);
        cr_assert_str_eq(t1, "file");
        cr_assert_str_eq(t2, "char");
}

Test(stage1_fs, image_dev_null_symlink_is_masked)
{
        timg_symlink(img, "/proc/sysrq-trigger", "/dev/null");
        pf_add_app(pf, "a", img, APP("\"/probe\", \"stat\", \"/dev/null\""), NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *t = th_kv(pf->out, "stat.type");
        cr_assert_str_eq(t, "char");
}

Test(stage1_fs, double_chroot_escape_stays_in_the_app)
{
        /* T-26: the app has CAP_SYS_CHROOT (default set); after the escape it must still see
         * only its own tree, not stage1's or the other app's. */
        pf_add_app(pf, "other", img,
                   APP("\"/probe\", \"write\", \"/other-marker\", \"1\", \"sleep-ms\", \"500\""),
                   NULL);
        pf_add_app(pf, "a", img,
                   APP("\"/probe\", \"sleep-ms\", \"200\", \"chroot-escape\", \"ls\", \"/\", "
                       "\"stat\", \"/other-marker\", \"stat\", \"/opt/stage2\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *log = pf_read(pf, "logs/a.log");
        _cleanup_free_ char *esc = th_kv(log, "chroot_escape");
        cr_assert_str_eq(esc, "done", "%s", log);
        _cleanup_free_ char *e1 = th_kv_nth(log, "stat.errno", 0),
                            *e2 = th_kv_nth(log, "stat.errno", 1);
        cr_assert_str_eq(e1, "ENOENT");
        cr_assert_str_eq(e2, "ENOENT");
        _cleanup_free_ char *ls = th_kv(log, "ls");
        cr_assert(strstr(ls, "probe"), "still the app's root: %s", ls);
}

Test(stage1_fs, working_directory)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"cwd\"], \"user\": \"0\", \"group\": \"0\", "
                   "\"workingDirectory\": \"/home/user\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *cwd = th_kv(pf->out, "cwd");
        cr_assert_str_eq(cwd, "/home/user");
}

Test(stage1_fs, working_directory_through_proc_fd_is_refused)
{
        /* T-20 (CVE-2024-21626): cwd=/proc/self/fd/N must never land on a host directory. */
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"cwd\", \"ls\", \"..\"], \"user\": \"0\", \"group\": "
                   "\"0\", \"workingDirectory\": \"/proc/self/fd/3\"}",
                   NULL);
        cr_assert_neq(pf_run(pf, NULL), 0);
        cr_assert(strstr(pf->err, "working directory \"/proc/self/fd/3\""), "stderr: %s", pf->err);
        cr_assert_null(strstr(pf->out, "cwd="));
}

Test(stage1_fs, missing_working_directory_is_an_error)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"cwd\"], \"user\": \"0\", \"group\": \"0\", "
                   "\"workingDirectory\": \"/nope\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 254);
        cr_assert(strstr(pf->err, "working directory \"/nope\": No such file or directory"),
                  "stderr: %s", pf->err);
}

Test(stage1_fs, etc_mtab_link_added_when_missing)
{
        pf_add_app(pf, "a", img,
                   APP("\"/probe\", \"stat\", \"/etc/mtab\", \"read\", \"/etc/mtab\""), NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        _cleanup_free_ char *t = th_kv(pf->out, "stat.type"), *r = th_kv(pf->out, "read");
        cr_assert_str_eq(t, "symlink");
        cr_assert(r && strstr(r, "proc /proc proc"), "%s", r);
}

Test(stage1_fs, pod_pid1_is_not_inspectable_from_the_app)
{
        /* The supervisor still sees the host: /proc/1/{root,exe,environ} must stay closed to the
         * app (T-23, T-29). Two locks: the app lacks CAP_SYS_PTRACE and its permitted set is not
         * a superset of PID 1's (commoncap), and PID 1 is non-dumpable. With the default caps
         * the first alone already denies, so this test does not isolate the second. */
        setenv("SECRET_CANARY", "leaked", 1);
        pf_add_app(pf, "a", img,
                   APP("\"/probe\", \"ls\", \"/proc/1/root/\", \"read\", \"/proc/1/environ\", "
                       "\"stat\", \"/proc/1/exe/\""),
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        unsetenv("SECRET_CANARY");
        _cleanup_free_ char *ls = th_kv(pf->out, "ls.errno"), *rd = th_kv(pf->out, "read.errno"),
                            *st = th_kv(pf->out, "stat.errno");
        cr_assert_str_eq(ls, "EACCES", "%s", pf->out);
        cr_assert_str_eq(rd, "EACCES", "%s", pf->out);
        cr_assert_str_eq(st, "EACCES", "%s", pf->out);
        cr_assert_null(strstr(pf->out, "leaked"));
}
