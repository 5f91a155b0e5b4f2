/*
 * test_stage1_identity.c - what an app is: user and groups from the image's own account
 * files, capabilities, environment, file descriptors, exec diagnostics.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "tests/lib/helpers.h"
#include "tests/lib/pod_fixture.h"
#include "tests/lib/test_image.h"

static struct pod_fixture *pf;
static struct test_image *img;

static void setup(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root");
        pf = pf_new();
        img = timg_new("example.com/probe");
}

static void teardown(void)
{
        pf_free(pf);
        timg_free(img);
}

TestSuite(stage1_identity, .init = setup, .fini = teardown, .timeout = 60);

static void run_as(const char *user, const char *group, const char *extra)
{
        _cleanup_free_ char *app =
            xasprintf("{\"exec\": [\"/probe\", \"id\", \"status\"], \"user\": \"%s\", "
                      "\"group\": \"%s\"%s%s}",
                      user, group, extra ? ", " : "", extra ? extra : "");
        pf_add_app(pf, "a", img, app, NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
}

static void expect(const char *key, const char *want)
{
        _cleanup_free_ char *v = th_kv(pf->out, key);
        cr_assert(v, "%s missing in %s", key, pf->out);
        cr_assert_str_eq(v, want, "%s", key);
}

Test(stage1_identity, user_and_group_by_name_with_exact_groups)
{
        run_as("user", "users", "\"supplementaryGIDs\": [4242]");
        expect("uid", "1000");
        expect("gid", "100");
        /* wheel(10) and audio(29) by membership, 4242 from the manifest; nothing of the host's. */
        expect("status.Groups", "10 29 4242");
        expect("status.CapEff", "0000000000000000");
        expect("status.CapPrm", "0000000000000000");
}

Test(stage1_identity, numeric_user_is_a_uid_even_if_named_like_one)
{
        /* T-32: /etc/passwd has a user *named* "1000" with uid 0. */
        run_as("1000", "1000", NULL);
        expect("uid", "1000");
        expect("gid", "1000");
}

Test(stage1_identity, user_from_path_owner)
{
        timg_write(img, "/srv/owned", "x", 0644);
        _cleanup_free_ char *p = xasprintf("%s/srv/owned", img->rootfs);
        cr_assert(chown(p, 1234, 5678) == 0);
        run_as("/srv/owned", "/srv/owned", NULL);
        expect("uid", "1234");
        expect("gid", "5678");
}

Test(stage1_identity, passwd_symlinked_to_host_shadow_resolves_inside_the_rootfs)
{
        timg_write(img, "/etc/shadow", "inside:x:4321:4321::/:/bin/sh\n", 0600);
        timg_symlink(img, "../../../../../../etc/shadow", "/etc/passwd");
        run_as("inside", "0", NULL);
        expect("uid", "4321");
}

Test(stage1_identity, unknown_user_is_a_clear_error)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"id\"], \"user\": \"ghost\", \"group\": \"0\"}", NULL);
        cr_assert_eq(pf_run(pf, NULL), 254);
        cr_assert(strstr(pf->err, "user \"ghost\" not found in the image's /etc/passwd"), "%s",
                  pf->err);
}

Test(stage1_identity, root_app_has_the_appc_default_capabilities)
{
        run_as("0", "0", NULL);
        expect("status.CapBnd", "00000000a80425fb");
        expect("status.CapEff", "00000000a80425fb");
        expect("status.CapInh", "0000000000000000");
        expect("status.CapAmb", "0000000000000000");
        expect("status.NoNewPrivs", "0");
}

Test(stage1_identity, capability_isolators_and_no_new_privileges)
{
        run_as("0", "0",
               "\"isolators\": [{\"name\": \"os/linux/capabilities-retain-set\", \"value\": "
               "{\"set\": [\"CAP_NET_BIND_SERVICE\", \"CAP_KILL\"]}},"
               " {\"name\": \"os/linux/no-new-privileges\", \"value\": true}]");
        expect("status.CapBnd", "0000000000000420");
        expect("status.NoNewPrivs", "1");
}

Test(stage1_identity, environment_is_exact)
{
        setenv("SECRET_CANARY", "leaked", 1);
        pf_add_app(pf, "web", img,
                   "{\"exec\": [\"/probe\", \"env\"], \"user\": \"0\", \"group\": \"0\","
                   " \"environment\": [{\"name\": \"FROM_IMAGE\", \"value\": \"1\"}, {\"name\": "
                   "\"container\", \"value\": \"evil\"},"
                   " {\"name\": \"PATH\", \"value\": \"/bin\"}]}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        unsetenv("SECRET_CANARY");
        cr_assert_null(strstr(pf->out, "SECRET_CANARY"));
        expect("env.count", "4");
        expect("env.FROM_IMAGE", "1");
        expect("env.PATH", "/bin");
        expect("env.AC_APP_NAME", "web");
        expect("env.container", "ace");
}

Test(stage1_identity, only_stdio_fds_reach_the_app)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"/probe\", \"fds\"], \"user\": \"0\", \"group\": \"0\"}", NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        expect("fds", "0,1,2");
        expect("fd.0", "/dev/null");
}

Test(stage1_identity, exec_of_a_missing_binary_is_127_with_a_diagnostic)
{
        pf_add_app(pf, "a", img, "{\"exec\": [\"/foo\"], \"user\": \"0\", \"group\": \"0\"}", NULL);
        cr_assert_eq(pf_run(pf, NULL), 127);
        cr_assert(strstr(pf->err, "ace-stage2: exec \"/foo\": No such file or directory"), "%s",
                  pf->err);
        _cleanup_free_ char *log = pf_read(pf, "logs/a.log");
        cr_assert(strstr(log, "exec \"/foo\""));
}

Test(stage1_identity, bad_interpreter_is_126)
{
        timg_write(img, "/script", "#!/nope/sh\necho hi\n", 0755);
        pf_add_app(pf, "a", img, "{\"exec\": [\"/script\"], \"user\": \"0\", \"group\": \"0\"}",
                   NULL);
        cr_assert_eq(pf_run(pf, NULL), 126);
        cr_assert(strstr(pf->err, "bad interpreter \"/nope/sh\""), "%s", pf->err);
}

Test(stage1_identity, exec_searches_the_apps_path)
{
        pf_add_app(pf, "a", img,
                   "{\"exec\": [\"echo\", \"via-path\"], \"user\": \"0\", \"group\": \"0\"}", NULL);
        cr_assert_eq(pf_run(pf, NULL), 0, "stderr: %s", pf->err);
        cr_assert(strstr(pf->out, "via-path\n"));
}
