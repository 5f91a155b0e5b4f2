/* test_stage2_user.c - users and groups from a rootfs' own /etc/passwd and /etc/group. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "stage2/user.h"
#include "tests/lib/helpers.h"
#include "tests/lib/test_image.h"

static char *root;
static int rootfd = -1;

static void put(const char *rel, const char *content)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        _cleanup_free_ char *dir = xasprintf("%s/etc", root);
        mkdir(dir, 0755);
        th_write_file(p, content, 0644);
}

static void setup(void)
{
        root = th_mkdtemp("ace-user");
        put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                          "user:x:1000:100:u:/home/user:/bin/sh\n"
                          "1000:x:0:0:trap:/:/bin/sh\n"
                          "broken line without fields\n"
                          "neg:x:-1:0::/:/bin/sh\n");
        put("etc/group", "root:x:0:\nwheel:x:10:root,user\naudio:x:29:user,other\nusers:x:100:\n"
                         "staff:x:50:userx\n");
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cr_assert(rootfd >= 0);
}

static void teardown(void)
{
        close(rootfd);
        th_rm_rf(root);
        free(root);
}

TestSuite(stage2_user, .init = setup, .fini = teardown);

Test(stage2_user, names_resolve_with_memberships)
{
        struct app_creds c = {0};
        gid_t supp[] = {29, 4242};

        cr_assert_eq(creds_resolve(rootfd, "user", "users", supp, 2, &c, NULL), 0);
        cr_assert_eq(c.uid, 1000);
        cr_assert_eq(c.gid, 100);
        cr_assert_eq(c.n_groups, 3, "wheel, audio (member and supplementary once), 4242");
        cr_assert_eq(c.groups[0], 10);
        cr_assert_eq(c.groups[1], 29);
        cr_assert_eq(c.groups[2], 4242);
        cr_assert_str_eq(c.home, "/home/user");
        creds_done(&c);
}

Test(stage2_user, digits_are_ids_not_names)
{
        struct app_creds c = {0};

        cr_assert_eq(creds_resolve(rootfd, "1000", "0", NULL, 0, &c, NULL), 0);
        cr_assert_eq(c.uid, 1000, "the user named \"1000\" (uid 0) must not win");
        cr_assert_str_eq(c.user_name, "user", "memberships follow the uid's own name");
        creds_done(&c);
}

Test(stage2_user, path_means_owner_in_the_rootfs)
{
        struct app_creds c = {0};
        _cleanup_free_ char *p = xasprintf("%s/owned", root);

        th_write_file(p, "", 0644);
        cr_assert(chown(p, 321, 654) == 0);
        cr_assert_eq(creds_resolve(rootfd, "/owned", "/owned", NULL, 0, &c, NULL), 0);
        cr_assert_eq(c.uid, 321);
        cr_assert_eq(c.gid, 654);
        creds_done(&c);
}

Test(stage2_user, unknown_names_are_errors)
{
        struct app_creds c = {0};
        _cleanup_error_ struct ace_error *err = NULL;

        cr_assert_eq(creds_resolve(rootfd, "ghost", "0", NULL, 0, &c, &err), -ENOENT);
        cr_assert_str_eq(err->msg, "user \"ghost\" not found in the image's /etc/passwd");
        ace_error_freep(&err);
        cr_assert_eq(creds_resolve(rootfd, "0", "ghosts", NULL, 0, &c, &err), -ENOENT);
        cr_assert(strstr(err->msg, "group \"ghosts\""));
        ace_error_freep(&err);
        cr_assert_eq(creds_resolve(rootfd, "neg", "0", NULL, 0, &c, &err), -ENOENT,
                     "a negative uid line does not parse");
}

Test(stage2_user, symlinked_passwd_resolves_inside_the_root)
{
        struct app_creds c = {0};
        _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", root);

        put("etc/shadow", "inside:x:77:77::/:/bin/sh\n");
        cr_assert(unlink(pw) == 0 && symlink("/../../../../etc/shadow", pw) == 0);
        cr_assert_eq(creds_resolve(rootfd, "inside", "0", NULL, 0, &c, NULL), 0);
        cr_assert_eq(c.uid, 77);
        creds_done(&c);
}

Test(stage2_user, missing_account_files_allow_numeric_ids)
{
        struct app_creds c = {0};
        _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", root),
                            *gr = xasprintf("%s/etc/group", root);

        unlink(pw);
        unlink(gr);
        cr_assert_eq(creds_resolve(rootfd, "5", "6", NULL, 0, &c, NULL), 0);
        cr_assert_eq(c.uid, 5);
        cr_assert_eq(c.n_groups, 0);
        cr_assert_null(c.user_name);
        creds_done(&c);
}

Test(stage2_user, parse_id_bounds)
{
        unsigned v;

        cr_assert_eq(parse_id("0", &v), 0);
        cr_assert_eq(parse_id("4294967294", &v), 0);
        cr_assert_eq(v, 4294967294u);
        cr_assert_eq(parse_id("4294967295", &v), -EINVAL, "(uid_t)-1 is never an id");
        cr_assert_eq(parse_id("", &v), -EINVAL);
        cr_assert_eq(parse_id("+1", &v), -EINVAL);
        cr_assert_eq(parse_id("1 ", &v), -EINVAL);
        cr_assert_eq(parse_id("99999999999", &v), -EINVAL);
}
