/* test_run_args.c - rkt's run/prepare argument model: images, per-app flags, app arguments. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "common/strv.h"
#include "stage0/run_args.h"

struct parsed {
        struct run_config c;
        struct ace_global g;
        struct ace_error *err;
        int r;
};

static void parse(struct parsed *p, bool prepare, int argc, char **argv)
{
        run_config_init(&p->c, prepare);
        ace_global_init(&p->g);
        p->err = NULL;
        p->r = run_config_parse(&p->c, &p->g, argc, argv, &p->err);
}

static void done(struct parsed *p)
{
        run_config_free(&p->c);
        ace_global_free(&p->g);
        ace_error_free(p->err);
}

#define PARSE(p, prep, ...)                                                                        \
        do {                                                                                       \
                char *argv_[] = {__VA_ARGS__};                                                     \
                parse(p, prep, (int)(sizeof(argv_) / sizeof(argv_[0])), argv_);                    \
        } while (0)

Test(run_config, per_app_flags_bind_to_latest_image)
{
        struct parsed p;
        PARSE(&p, false, "--volume=data,kind=empty", "--insecure-options=image", "a.aci",
              "--name=first", "--exec=/bin/sh", "--", "-c", "echo hi", "---", "b.aci",
              "--user=1000", "--environment=X=1", "--environment=Y=2", "--debug", "--set-env=Z=3",
              "c.aci", "--", "--name=literal");
        cr_assert_eq(p.r, 0, "%s", ace_error_msg(p.err));
        cr_assert_eq(p.c.n_apps, 3);
        cr_expect_str_eq(p.c.apps[0].image, "a.aci");
        cr_expect_str_eq(p.c.apps[0].name, "first");
        cr_expect_str_eq(p.c.apps[0].exec, "/bin/sh");
        cr_assert_eq(strv_length(p.c.apps[0].args), 2);
        cr_expect_str_eq(p.c.apps[0].args[1], "echo hi");
        cr_expect_str_eq(p.c.apps[1].image, "b.aci");
        cr_expect_null(p.c.apps[1].name);
        cr_expect_str_eq(p.c.apps[1].user, "1000");
        cr_expect_eq(strv_length(p.c.apps[1].environment), 2);
        cr_expect_not(p.c.apps[1].has_args);
        /* Global and pod flags between images (Nomad does this). */
        cr_expect(p.g.debug);
        cr_expect(p.g.insecure & INSECURE_IMAGE);
        cr_expect_str_eq(p.c.set_env[0], "Z=3");
        cr_expect_str_eq(p.c.volumes[0], "data,kind=empty");
        /* After `--` everything is an argument up to `---` or the end. */
        cr_expect(p.c.apps[2].has_args);
        cr_expect_str_eq(p.c.apps[2].args[0], "--name=literal");
        cr_expect_null(p.c.apps[2].name);
        done(&p);
}

Test(run_config, mount_position_sensitive)
{
        struct parsed p;
        PARSE(&p, false, "--volume=v,kind=empty", "--mount", "volume=v,target=/all", "a.aci",
              "--mount=volume=v,target=/only-a", "b.aci");
        cr_assert_eq(p.r, 0, "%s", ace_error_msg(p.err));
        cr_expect_eq(strv_length(p.c.mounts), 1);
        cr_expect_str_eq(p.c.mounts[0], "volume=v,target=/all");
        cr_expect_eq(strv_length(p.c.apps[0].mounts), 1);
        cr_expect_str_eq(p.c.apps[0].mounts[0], "volume=v,target=/only-a");
        cr_expect_null(p.c.apps[1].mounts);
        done(&p);
}

Test(run_config, errors)
{
        struct parsed p;

        PARSE(&p, false, "--name=x", "a.aci");
        cr_expect_eq(p.r, -EINVAL);
        cr_expect_str_eq(ace_error_msg(p.err), "--name must follow an image");
        done(&p);

        PARSE(&p, false, "--", "x");
        cr_expect_eq(p.r, -EINVAL);
        cr_expect_str_eq(ace_error_msg(p.err), "an image is required before any app arguments");
        done(&p);

        PARSE(&p, false, "a.aci", "--", "x", "---", "--", "y");
        cr_expect_eq(p.r, -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "already given"));
        done(&p);

        PARSE(&p, false, "a.aci", "--bogus");
        cr_expect_eq(p.r, -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "unknown flag: --bogus"));
        done(&p);

        /* run-only flags are unknown to prepare. */
        PARSE(&p, true, "--hostname=x", "a.aci");
        cr_expect_eq(p.r, -EINVAL);
        done(&p);
        PARSE(&p, true, "--quiet", "a.aci");
        cr_expect_eq(p.r, 0);
        cr_expect(p.c.quiet);
        done(&p);

        PARSE(&p, false, "a.aci", "--exec");
        cr_expect_eq(p.r, -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "needs an argument"));
        done(&p);
}

Test(run_config, stray_triple_dash_ignored_and_empty_args)
{
        struct parsed p;
        PARSE(&p, false, "---", "a.aci", "--");
        cr_assert_eq(p.r, 0, "%s", ace_error_msg(p.err));
        cr_assert_eq(p.c.n_apps, 1);
        cr_expect(p.c.apps[0].has_args);
        cr_expect_eq(strv_length(p.c.apps[0].args), 0);
        done(&p);
}

static int check(struct parsed *p)
{
        return run_config_check(&p->c, &p->err);
}

Test(run_config, config_checks)
{
        struct parsed p;

        PARSE(&p, false, "--pod-manifest=m.json", "a.aci");
        cr_assert_eq(p.r, 0);
        cr_expect_eq(check(&p), -EINVAL);
        cr_expect_str_eq(ace_error_msg(p.err), "conflicting flags set with --pod-manifest (see "
                                               "--help)");
        done(&p);

        static const char *conflicts[] = {"--volume=v,kind=empty", "--mount=volume=v,target=/x",
                                          "--inherit-env",         "--set-env=A=B",
                                          "--set-env-file=/f",     "--pull-policy=never",
                                          "--pull-policy=update"};
        for (size_t i = 0; i < sizeof(conflicts) / sizeof(conflicts[0]); i++) {
                PARSE(&p, false, "--pod-manifest=m.json", (char *)conflicts[i]);
                cr_assert_eq(p.r, 0);
                cr_expect_eq(check(&p), -EINVAL, "%s", conflicts[i]);
                done(&p);
        }
        PARSE(&p, false, "--pod-manifest=m.json", "--pull-policy=new", "--no-overlay");
        cr_expect_eq(check(&p), 0, "%s", ace_error_msg(p.err));
        done(&p);

        PARSE(&p, false, "--net=host");
        cr_expect_eq(check(&p), -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "at least one image"));
        done(&p);

        PARSE(&p, false, "--net=default,b:IP=10.1.0.5", "a.aci");
        cr_expect_eq(check(&p), 0, "%s", ace_error_msg(p.err));
        done(&p);
        PARSE(&p, false, "--net=host,default", "a.aci");
        cr_expect_eq(check(&p), -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "cannot be combined"));
        done(&p);
        PARSE(&p, false, "--net", "a.aci");
        cr_expect_str_eq(p.c.net, "true");
        cr_expect_eq(check(&p), 0, "bare --net is the default network");
        done(&p);
        PARSE(&p, false, "--net=host", "a.aci");
        cr_expect_eq(check(&p), 0);
        done(&p);

        PARSE(&p, false, "--interactive", "a.aci", "b.aci");
        cr_expect_eq(check(&p), -EINVAL);
        done(&p);
        PARSE(&p, false, "--stage1-path=/s.aci", "--stage1-name=x", "a.aci");
        cr_expect_eq(check(&p), -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "mutually exclusive"));
        done(&p);
        PARSE(&p, false, "--pull-policy=sometimes", "a.aci");
        cr_expect_eq(check(&p), -EINVAL);
        done(&p);
        PARSE(&p, false, "--port=http:8080", "a.aci");
        cr_expect_eq(check(&p), 0, "%s", ace_error_msg(p.err));
        done(&p);
        PARSE(&p, false, "--net=host", "--port=http:8080", "a.aci");
        cr_expect_eq(check(&p), -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "--port needs a pod network"));
        done(&p);
        PARSE(&p, false, "--net=none", "--mds-register", "a.aci");
        cr_expect_eq(check(&p), -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "--mds-register"));
        done(&p);
        PARSE(&p, false, "--dns=host", "--dns-search=example.com", "a.aci");
        cr_expect_eq(check(&p), -EINVAL);
        done(&p);
        PARSE(&p, false, "--dns=10.0.0.1,fd00::1", "--dns=8.8.8.8", "--dns-opt=ndots:2",
              "--hosts-entry=10.0.0.7=db,10.0.0.7=db2", "a.aci");
        cr_expect_eq(check(&p), 0, "%s", ace_error_msg(p.err));
        done(&p);
        PARSE(&p, false, "a.aci", "--caps-retain=CAP_CHOWN", "--cap-remove=CAP_KILL");
        cr_assert_eq(p.r, 0, "%s", ace_error_msg(p.err));
        cr_expect_eq(check(&p), -EINVAL);
        done(&p);
}

Test(run_config, pids_limit_and_strict_isolators)
{
        struct parsed p;

        static const char *bad[] = {"--pids-limit=0", "--pids-limit=-5", "--pids-limit=12abc",
                                    "--pids-limit=", "--pids-limit=99999999999999999999"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                PARSE(&p, false, (char *)bad[i], "a.aci");
                cr_assert_eq(p.r, 0, "%s", ace_error_msg(p.err));
                cr_expect_eq(check(&p), -EINVAL, "%s accepted", bad[i]);
                cr_expect(strstr(ace_error_msg(p.err), "invalid --pids-limit"), "%s",
                          ace_error_msg(p.err));
                done(&p);
        }
        PARSE(&p, true, "--pids-limit=100", "a.aci");
        cr_expect_eq(check(&p), 0, "%s", ace_error_msg(p.err));
        cr_expect_str_eq(p.c.pids_limit, "100");
        done(&p);
        /* It goes into the pod manifest: not with a user-given one. */
        PARSE(&p, false, "--pod-manifest=m.json", "--pids-limit=5");
        cr_expect_eq(check(&p), -EINVAL);
        done(&p);

        /* --strict-isolators: a run flag (also after the image), not a prepare flag. */
        PARSE(&p, false, "a.aci", "--strict-isolators");
        cr_assert_eq(p.r, 0, "%s", ace_error_msg(p.err));
        cr_expect(p.c.strict_isolators);
        done(&p);
        PARSE(&p, true, "--strict-isolators", "a.aci");
        cr_expect_lt(p.r, 0, "prepare accepted --strict-isolators");
        done(&p);

        /* Isolator flag values are checked with the rest, before any pod exists. */
        PARSE(&p, false, "a.aci", "--seccomp=mode=remove,errno=ENOPE,uname");
        cr_assert_eq(p.r, 0);
        cr_expect_eq(check(&p), -EINVAL);
        cr_expect(strstr(ace_error_msg(p.err), "unknown errno ENOPE"), "%s", ace_error_msg(p.err));
        done(&p);
        PARSE(&p, false, "a.aci", "--memory=4095");
        cr_expect_eq(check(&p), -EINVAL);
        done(&p);
}

static void expect_sorted(const struct cli_option *opts, const char *what)
{
        const char *prev = "";
        for (const struct cli_option *o = opts; o->name; o++) {
                if (o->flags & CLI_HIDDEN)
                        continue;
                cr_expect_lt(strcmp(prev, o->name), 0, "%s: %s after %s", what, o->name, prev);
                prev = o->name;
        }
}

Test(run_config, tables_sorted_and_complete)
{
        /* Every per-app flag of the issue is in the table. */
        static const char *const want[] = {"name",
                                           "exec",
                                           "user",
                                           "group",
                                           "supplementary-gids",
                                           "working-dir",
                                           "readonly-rootfs",
                                           "mount",
                                           "environment",
                                           "user-annotation",
                                           "user-label",
                                           "memory",
                                           "cpu",
                                           "cpu-shares",
                                           "caps-retain",
                                           "caps-remove",
                                           "seccomp",
                                           "oom-score-adj",
                                           "signature",
                                           "annotation"};
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                bool found = false;
                for (const struct cli_option *o = run_app_options; o->name; o++)
                        found |= strcmp(o->name, want[i]) == 0;
                cr_expect(found, "per-app flag --%s missing", want[i]);
        }
        expect_sorted(run_app_options, "app options");
        expect_sorted(prepare_pod_options, "prepare options");
        expect_sorted(run_pod_options, "run options");
}
