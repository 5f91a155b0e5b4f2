/* test_pod_manifest_gen.c - the reified pod manifest generated from run/prepare flags:
 * names, exec and args, environment precedence, mounts and volumes, isolator flags. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "common/strv.h"
#include "schema/image_manifest.h"
#include "schema/pod_manifest.h"
#include "stage0/pod_manifest_gen.h"

#define IMG_A                                                                                      \
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/my_app\","  \
        "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"},{\"name\":\"os\",\"value\":"         \
        "\"linux\"},{\"name\":\"arch\",\"value\":\"amd64\"}],"                                     \
        "\"app\":{\"exec\":[\"/bin/app\",\"--image-arg\"],\"user\":\"0\",\"group\":\"0\","         \
        "\"environment\":[{\"name\":\"FOO\",\"value\":\"image\"},{\"name\":\"IMG\",\"value\":"     \
        "\"1\"}],\"mountPoints\":[{\"name\":\"data\",\"path\":\"/data\"},{\"name\":\"cache\","     \
        "\"path\":\"/cache\"}],\"isolators\":[{\"name\":\"os/linux/capabilities-remove-set\","     \
        "\"value\":{\"set\":[\"CAP_KILL\"]}}]}}"

#define IMG_NOAPP                                                                                  \
        "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/"           \
        "tools\",\"labels\":[{\"name\":\"os\",\"value\":\"linux\"},{\"name\":\"arch\",\"value\":"  \
        "\"amd64\"}]}"

#define ID_A                                                                                       \
        "sha512-"                                                                                  \
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"                         \
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B                                                                                       \
        "sha512-"                                                                                  \
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"                         \
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct fixture {
        struct run_config c;
        struct ace_global g;
        struct ace_image_manifest *m[4];
        struct gen_image images[4];
        struct ace_pod_manifest *pm;
        struct ace_error *err;
        char **env_file;
};

static struct ace_image_manifest *parse_image(const char *json)
{
        struct ace_image_manifest *m = NULL;
        struct ace_error *err = NULL;
        cr_assert_eq(ace_image_manifest_parse(json, strlen(json), &m, &err), 0, "%s",
                     ace_error_msg(err));
        return m;
}

/* Parses argv as `ace run` would, with image i's manifest given by manifests[i]. */
static int gen(struct fixture *f, const char *const *manifests, char *const *host_env, int argc,
               char **argv)
{
        run_config_init(&f->c, false);
        ace_global_init(&f->g);
        f->err = NULL;
        f->pm = NULL;
        cr_assert_eq(run_config_parse(&f->c, &f->g, argc, argv, &f->err), 0, "%s",
                     ace_error_msg(f->err));
        for (size_t i = 0; i < f->c.n_apps; i++) {
                f->m[i] = parse_image(manifests[i]);
                f->images[i] = (struct gen_image){.id = i % 2 ? ID_B : ID_A, .manifest = f->m[i]};
        }
        struct gen_input in = {.config = &f->c,
                               .images = f->images,
                               .host_env = host_env,
                               .env_file = f->env_file,
                               .uid = 1234,
                               .gid = 5678};
        return pod_manifest_generate(&in, &f->pm, &f->err);
}

static void done(struct fixture *f)
{
        for (size_t i = 0; i < f->c.n_apps; i++)
                ace_image_manifest_free(f->m[i]);
        ace_pod_manifest_free(f->pm);
        run_config_free(&f->c);
        ace_global_free(&f->g);
        ace_error_free(f->err);
        strv_free(f->env_file);
        f->env_file = NULL;
}

#define GEN(f, manifests, env, ...)                                                                \
        ({                                                                                         \
                char *argv_[] = {__VA_ARGS__};                                                     \
                gen(f, manifests, env, (int)(sizeof(argv_) / sizeof(argv_[0])), argv_);            \
        })

static const char *env_of(const struct ace_runtime_app *ra, const char *name)
{
        return ace_kv_get(&ra->app->environment, name);
}

Test(pod_manifest_gen, names_exec_args_and_image)
{
        struct fixture f = {0};
        const char *ms[] = {IMG_A, IMG_A};
        int r = GEN(&f, ms, NULL, "a.aci", "--", "x", "y", "---", "b.aci", "--name=second",
                    "--exec=/bin/other", "--working-dir=/tmp", "--readonly-rootfs=true");
        cr_assert_eq(r, 0, "%s", ace_error_msg(f.err));
        cr_assert_eq(f.pm->apps.n, 2);
        const struct ace_runtime_app *a = &f.pm->apps.items[0], *b = &f.pm->apps.items[1];
        cr_expect_str_eq(a->name, "my-app", "sanitized last element of the image name");
        cr_expect_str_eq(a->image.id, ID_A);
        cr_expect_str_eq(a->image.name, "example.com/my_app");
        cr_expect_str_eq(ace_kv_get(&a->image.labels, "version"), "1.0");
        /* `-- args` are appended to the image's exec, arguments included (rkt). */
        cr_assert_eq(strv_length(a->app->exec), 4);
        cr_expect_str_eq(a->app->exec[1], "--image-arg");
        cr_expect_str_eq(a->app->exec[3], "y");
        cr_expect_str_eq(b->name, "second");
        cr_expect_eq(strv_length(b->app->exec), 1);
        cr_expect_str_eq(b->app->exec[0], "/bin/other");
        cr_expect_str_eq(b->app->working_directory, "/tmp");
        cr_expect(b->read_only_root_fs);
        cr_expect(!a->read_only_root_fs);
        cr_expect_str_eq(ace_kv_get(&f.pm->annotations, "coreos.com/rkt/stage1/mutable"), "false");
        done(&f);
}

Test(pod_manifest_gen, duplicate_names_and_missing_app)
{
        struct fixture f = {0};
        const char *ms[] = {IMG_A, IMG_A};
        cr_expect_eq(GEN(&f, ms, NULL, "a.aci", "b.aci"), -EEXIST);
        cr_expect(strstr(ace_error_msg(f.err), "multiple apps with name my-app"));
        done(&f);

        const char *no[] = {IMG_NOAPP};
        cr_expect_eq(GEN(&f, no, NULL, "tools.aci"), -EINVAL);
        cr_expect(strstr(ace_error_msg(f.err), "has no app section and --exec"), "%s",
                  ace_error_msg(f.err));
        done(&f);

        /* --exec synthesizes an app running as the caller. */
        cr_assert_eq(GEN(&f, no, NULL, "tools.aci", "--exec=/bin/true"), 0, "%s",
                     ace_error_msg(f.err));
        const struct ace_runtime_app *a = &f.pm->apps.items[0];
        cr_expect_str_eq(a->app->user, "1234");
        cr_expect_str_eq(a->app->group, "5678");
        cr_expect_str_eq(a->name, "tools");
        done(&f);

        cr_expect_lt(GEN(&f, ms, NULL, "a.aci", "--name=Bad_Name"), 0);
        done(&f);
}

Test(pod_manifest_gen, environment_precedence)
{
        struct fixture f = {0};
        const char *ms[] = {IMG_A};
        char *host[] = {"FOO=host", "HOSTONLY=h", "FILEVAR=host", NULL};

        f.env_file = strv_push(NULL, "FILEVAR=file");
        f.env_file = strv_push(f.env_file, "SETVAR=file");
        int r = GEN(&f, ms, host, "--inherit-env", "--set-env=SETVAR=set", "a.aci",
                    "--environment=FOO=env", "--environment=APPONLY=a");
        cr_assert_eq(r, 0, "%s", ace_error_msg(f.err));
        const struct ace_runtime_app *a = &f.pm->apps.items[0];
        cr_expect_str_eq(env_of(a, "FOO"), "env", "--environment overrides the image");
        cr_expect_str_eq(env_of(a, "IMG"), "1");
        cr_expect_str_eq(env_of(a, "HOSTONLY"), "h", "--inherit-env adds missing variables");
        cr_expect_str_eq(env_of(a, "FILEVAR"), "file", "--set-env-file beats inherited");
        cr_expect_str_eq(env_of(a, "SETVAR"), "set", "--set-env beats --set-env-file");
        cr_expect_str_eq(env_of(a, "APPONLY"), "a");
        done(&f);

        /* Without --inherit-env nothing of the host leaks. */
        cr_assert_eq(GEN(&f, ms, host, "a.aci"), 0);
        cr_expect_null(env_of(&f.pm->apps.items[0], "HOSTONLY"));
        cr_expect_str_eq(env_of(&f.pm->apps.items[0], "FOO"), "image");
        done(&f);

        cr_expect_eq(GEN(&f, ms, NULL, "--set-env=NOEQUALS", "a.aci"), -EINVAL);
        done(&f);
}

Test(pod_manifest_gen, env_file_parsing)
{
        char **env = NULL;
        struct ace_error *err = NULL;
        cr_assert_eq(
            env_file_parse("# comment\n\n; also\nA=1\r\n  B=two words\nC=\n", "f", &env, &err), 0,
            "%s", ace_error_msg(err));
        cr_assert_eq(strv_length(env), 3);
        cr_expect_str_eq(env[0], "A=1");
        cr_expect_str_eq(env[1], "B=two words");
        cr_expect_str_eq(env[2], "C=");
        cr_expect_eq(env_file_parse("A=1\nnot a pair\n", "envs", &env, &err), -EINVAL);
        cr_expect(strstr(ace_error_msg(err), "envs:2"), "%s", ace_error_msg(err));
        strv_free(env);
        ace_error_free(err);
}

Test(pod_manifest_gen, volumes_mounts_and_implicit_volumes)
{
        struct fixture f = {0};
        const char *ms[] = {IMG_A, IMG_A};
        int r = GEN(&f, ms, NULL, "--volume=data,kind=host,source=/srv,readOnly=true",
                    "--volume=shared,kind=empty", "--mount=volume=shared,target=/shared", "a.aci",
                    "--mount=volume=data,target=/shared", "b.aci", "--name=b");
        cr_assert_eq(r, 0, "%s", ace_error_msg(f.err));
        const struct ace_runtime_app *a = &f.pm->apps.items[0], *b = &f.pm->apps.items[1];
        /* The per-app mount wins at the same path. */
        cr_assert_eq(a->mounts.n, 1);
        cr_expect_str_eq(a->mounts.items[0].volume, "data");
        cr_assert_eq(b->mounts.n, 1);
        cr_expect_str_eq(b->mounts.items[0].volume, "shared");
        /* "data" is given; "cache" gets an implicit empty volume. */
        const struct ace_volume *data = ace_pod_manifest_volume(f.pm, "data");
        const struct ace_volume *cache = ace_pod_manifest_volume(f.pm, "cache");
        cr_assert_not_null(data);
        cr_expect_eq(data->kind, ACE_VOLUME_HOST);
        cr_expect(data->read_only);
        cr_assert_not_null(cache);
        cr_expect_eq(cache->kind, ACE_VOLUME_EMPTY);
        cr_expect_eq(f.pm->volumes.n, 3);
        done(&f);

        cr_expect_eq(GEN(&f, ms, NULL, "a.aci", "--mount=volume=nope,target=/x"), -ENOENT);
        cr_expect(strstr(ace_error_msg(f.err), "dangling mount point"), "%s", ace_error_msg(f.err));
        done(&f);
        cr_expect_lt(GEN(&f, ms, NULL, "--volume=v,kind=weird", "a.aci"), 0);
        done(&f);
        cr_expect_lt(GEN(&f, ms, NULL, "--volume=v,kind=empty", "--volume=v,kind=empty", "a.aci"),
                     0);
        done(&f);
}

Test(pod_manifest_gen, isolator_flags)
{
        struct fixture f = {0};
        const char *ms[] = {IMG_A};
        int r = GEN(&f, ms, NULL, "a.aci", "--memory=64Mi", "--cpu=500m", "--cpu-shares=512",
                    "--oom-score-adj=-100", "--caps-retain=CAP_NET_BIND_SERVICE,CAP_CHOWN",
                    "--seccomp=mode=remove,errno=ENOSYS,reboot,@appc.io/empty");
        cr_assert_eq(r, 0, "%s", ace_error_msg(f.err));
        const struct ace_isolator_list *l = &f.pm->apps.items[0].app->isolators;
        cr_expect_not_null(ace_isolators_find(l, "resource/memory"));
        cr_expect_not_null(ace_isolators_find(l, "resource/cpu"));
        cr_expect_not_null(ace_isolators_find(l, "os/linux/cpu-shares"));
        cr_expect_not_null(ace_isolators_find(l, "os/linux/oom-score-adj"));
        cr_expect_not_null(ace_isolators_find(l, "os/linux/capabilities-retain-set"));
        cr_expect_null(ace_isolators_find(l, "os/linux/capabilities-remove-set"),
                       "--caps-retain replaces the image's capability isolators");
        cr_expect_not_null(ace_isolators_find(l, "os/linux/seccomp-remove-set"));
        done(&f);

        static const char *bad[] = {"--memory=1k",
                                    "--memory=lots",
                                    "--cpu-shares=1",
                                    "--oom-score-adj=5000",
                                    "--caps-retain=CAP_NOPE",
                                    "--seccomp=reboot",
                                    "--seccomp=mode=maybe,reboot"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cr_expect_lt(GEN(&f, ms, NULL, "a.aci", (char *)bad[i]), 0, "%s accepted", bad[i]);
                done(&f);
        }
}

Test(pod_manifest_gen, pids_limit_is_the_pods_ace_pids)
{
        struct fixture f = {0};
        const char *ms[] = {IMG_A};
        int r = GEN(&f, ms, NULL, "--pids-limit=64", "a.aci");

        cr_assert_eq(r, 0, "%s", ace_error_msg(f.err));
        const struct ace_isolator *iso = ace_isolators_find(&f.pm->isolators, "ace/pids");
        cr_assert_not_null(iso, "no pod-level ace/pids");
        cr_expect_eq(((const struct isolator_pids *)iso->value)->limit, 64);
        cr_expect_null(ace_isolators_find(&f.pm->apps.items[0].app->isolators, "ace/pids"),
                       "ace/pids is pod-level only");
        done(&f);

        r = GEN(&f, ms, NULL, "a.aci");
        cr_assert_eq(r, 0, "%s", ace_error_msg(f.err));
        cr_expect_null(ace_isolators_find(&f.pm->isolators, "ace/pids"));
        done(&f);
}

Test(pod_manifest_gen, user_annotations_labels_gids)
{
        struct fixture f = {0};
        const char *ms[] = {IMG_A};
        int r = GEN(&f, ms, NULL, "a.aci", "--user-annotation=owner=me", "--user-label=tier=web",
                    "--annotation=example.com/note=x", "--supplementary-gids=10,29", "--user=1000",
                    "--group=100");
        cr_assert_eq(r, 0, "%s", ace_error_msg(f.err));
        const struct ace_runtime_app *a = &f.pm->apps.items[0];
        cr_expect_str_eq(ace_kv_get(&a->app->user_annotations, "owner"), "me");
        cr_expect_str_eq(ace_kv_get(&a->app->user_labels, "tier"), "web");
        cr_expect_str_eq(ace_kv_get(&a->annotations, "example.com/note"), "x");
        cr_assert_eq(a->app->supplementary_gids.n, 2);
        cr_expect_eq(a->app->supplementary_gids.items[1], 29);
        cr_expect_str_eq(a->app->user, "1000");
        cr_expect_str_eq(a->app->group, "100");
        /* The result round-trips through the schema. */
        char *json = ace_pod_manifest_to_json(f.pm, false);
        struct ace_pod_manifest *again = NULL;
        cr_expect_eq(ace_pod_manifest_parse(json, strlen(json), &again, NULL), 0, "%s", json);
        ace_pod_manifest_free(again);
        free(json);
        done(&f);

        cr_expect_lt(GEN(&f, ms, NULL, "a.aci", "--supplementary-gids=1,x"), 0);
        done(&f);
}
