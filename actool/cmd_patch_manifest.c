/*
 * cmd_patch_manifest.c - `actool patch-manifest [edits] IN.aci [OUT.aci]`: copy an ACI with its
 * manifest changed. The flags and their syntax are the reference's (reference/appc.md §9):
 *
 *   --name --exec ("a b c", split on spaces) --user --group --supplementary-groups=1,2
 *   --capability=CAP_A,... (retain set) | --revoke-capability=... (remove set)
 *   --mounts=name,path=/p,readOnly=true[:...]          (appended)
 *   --ports=name,protocol=tcp,port=N[,count=N][,socketActivated=true][:...]   (appended)
 *   --isolators=resource/cpu,request=50m,limit=100m[:os/linux/no-new-privileges,true]  (appended)
 *   --seccomp-mode=remove|retain[,errno=EPERM] --seccomp-set=a,b  (replace seccomp isolators)
 *   --manifest=FILE (replace the whole manifest; incompatible with the edits)
 *
 * Every entry but the manifest is copied unchanged (common/tar tar_rewrite_aci), so ownership,
 * devices and xattrs survive without extracting anything. Unlike the reference, the patched
 * manifest (and a --manifest file) must validate before anything is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actool/actool.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/xalloc.h"

struct patch_opts {
        char *manifest, *name, *exec, *user, *group, *supp_groups, *capability, *revoke_capability,
            *mounts, *ports, *isolators, *seccomp_mode, *seccomp_set, *compression;
        bool no_compression, overwrite, replace;
};

#define STR_OPT(n, field, h)                                                                       \
        {                                                                                          \
                .name = n, .type = CLI_STRING, .offset = offsetof(struct patch_opts, field),       \
                .help = h                                                                          \
        }

static const struct cli_option patch_options[] = {
    STR_OPT("capability", capability, "Set the capability remain set"),
    {.name = "compression",
     .type = CLI_STRING,
     .offset = offsetof(struct patch_opts, compression),
     .defval = "gzip",
     .help = "Compression of the produced ACI: none, gzip, bzip2, xz or zstd"},
    STR_OPT("exec", exec, "Replace the command line to launch the executable"),
    STR_OPT("group", group, "Replace group"),
    STR_OPT("isolators", isolators, "Replace isolators"),
    STR_OPT("manifest", manifest,
            "Replace image manifest with this file. Incompatible with other replace "
            "options."),
    STR_OPT("mounts", mounts, "Replace mount points"),
    STR_OPT("name", name, "Replace name"),
    {.name = "no-compression",
     .type = CLI_BOOL,
     .offset = offsetof(struct patch_opts, no_compression),
     .help = "Do not gzip-compress the produced ACI"},
    {.name = "overwrite",
     .type = CLI_BOOL,
     .offset = offsetof(struct patch_opts, overwrite),
     .help = "Overwrite target file if it already exists"},
    STR_OPT("ports", ports, "Replace ports"),
    {.name = "replace",
     .type = CLI_BOOL,
     .offset = offsetof(struct patch_opts, replace),
     .help = "Replace the input file"},
    STR_OPT("revoke-capability", revoke_capability, "Set the capability remove set"),
    STR_OPT("seccomp-mode", seccomp_mode, "Enable and configure seccomp isolator"),
    STR_OPT("seccomp-set", seccomp_set, "Set of syscalls for seccomp isolator enforcing"),
    STR_OPT("supplementary-groups", supp_groups,
            "Replace supplementary groups, expects a comma-separated list."),
    {.name = "supplementary-gids",
     .type = CLI_STRING,
     .offset = offsetof(struct patch_opts, supp_groups),
     .flags = CLI_HIDDEN},
    STR_OPT("user", user, "Replace user"),
    CLI_END,
};

static void patch_opts_free(void *p)
{
        struct patch_opts *o = p;
        char **fields[] = {&o->manifest,    &o->name,        &o->exec,       &o->user,
                           &o->group,       &o->supp_groups, &o->capability, &o->revoke_capability,
                           &o->mounts,      &o->ports,       &o->isolators,  &o->seccomp_mode,
                           &o->seccomp_set, &o->compression};
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
                free(*fields[i]);
}

static bool any_edit(const struct patch_opts *o)
{
        return o->name || o->exec || o->user || o->group || o->supp_groups || o->capability ||
               o->revoke_capability || o->mounts || o->ports || o->isolators || o->seccomp_mode ||
               o->seccomp_set;
}

/* "k=v" fields of one comma-separated item, as a JSON object with typed values. */
static int parse_kv_fields(char **fields, const char *what, const char *item,
                           struct json_object *obj, struct ace_error **err)
{
        for (char **f = fields; *f; f++) {
                char *eq = strchr(*f, '=');
                if (!eq)
                        return ace_error_make(err, EINVAL,
                                              "cannot parse %s \"%s\": %s is not "
                                              "key=value",
                                              what, item, *f);
                *eq = '\0';
                const char *k = *f, *v = eq + 1;
                struct json_object *jv;
                if (strcmp(k, "readOnly") == 0 || strcmp(k, "socketActivated") == 0) {
                        bool b;
                        if (cli_parse_bool(v, &b, err) < 0)
                                return ace_error_wrap(err, "cannot parse %s \"%s\"", what, item);
                        jv = json_object_new_boolean(b);
                } else if (strcmp(k, "port") == 0 || strcmp(k, "count") == 0) {
                        char *end;
                        long long n = strtoll(v, &end, 10);
                        if (!*v || *end)
                                return ace_error_make(err, EINVAL,
                                                      "cannot parse %s \"%s\": %s "
                                                      "is not a number",
                                                      what, item, k);
                        jv = json_object_new_int64(n);
                } else {
                        jv = json_object_new_string(v);
                }
                json_object_object_add(obj, k, jv);
        }
        return 0;
}

/* Appends `--mounts` or `--ports` items ("name,k=v,...[:name2,...]") to the app's JSON array. */
static int append_items(struct json_object *app, const char *key, const char *spec,
                        const char *what, struct ace_error **err)
{
        _cleanup_strv_free_ char **items = strv_split(spec, ":", false);
        struct json_object *arr;

        if (!json_object_object_get_ex(app, key, &arr) ||
            !json_object_is_type(arr, json_type_array)) {
                arr = json_object_new_array();
                json_object_object_add(app, key, arr);
        }
        for (char **it = items; *it; it++) {
                _cleanup_strv_free_ char **fields = strv_split(*it, ",", false);
                struct json_object *obj = json_object_new_object();
                if (!fields[0]) {
                        json_object_put(obj);
                        return ace_error_make(err, EINVAL, "cannot parse %s \"%s\"", what, *it);
                }
                json_object_object_add(obj, "name", json_object_new_string(fields[0]));
                if (parse_kv_fields(fields + 1, what, *it, obj, err) < 0) {
                        json_object_put(obj);
                        return -EINVAL;
                }
                json_object_array_add(arr, obj);
        }
        return 0;
}

static struct json_object *isolators_array(struct json_object *app)
{
        struct json_object *arr;
        if (!json_object_object_get_ex(app, "isolators", &arr) ||
            !json_object_is_type(arr, json_type_array)) {
                arr = json_object_new_array();
                json_object_object_add(app, "isolators", arr);
        }
        return arr;
}

/* Drops every isolator whose name starts with prefix. */
static void remove_isolators(struct json_object *app, const char *prefix)
{
        struct json_object *arr = isolators_array(app), *keep = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *iso = json_object_array_get_idx(arr, i), *n;
                if (json_object_object_get_ex(iso, "name", &n) &&
                    strncmp(json_object_get_string(n), prefix, strlen(prefix)) == 0)
                        continue;
                json_object_array_add(keep, json_object_get(iso));
        }
        json_object_object_add(app, "isolators", keep);
}

static void add_isolator(struct json_object *app, const char *name, struct json_object *value)
{
        struct json_object *iso = json_object_new_object();
        json_object_object_add(iso, "name", json_object_new_string(name));
        json_object_object_add(iso, "value", value);
        json_object_array_add(isolators_array(app), iso);
}

static struct json_object *string_set(const char *csv)
{
        _cleanup_strv_free_ char **parts = strv_split(csv, ",", false);
        struct json_object *arr = json_object_new_array();
        for (char **p = parts; *p; p++)
                json_object_array_add(arr, json_object_new_string(*p));
        return arr;
}

/* --exec: the reference splits the command line on single spaces. */
static struct json_object *exec_array(const char *cmdline)
{
        _cleanup_strv_free_ char **parts = strv_split(cmdline, " ", false);
        struct json_object *arr = json_object_new_array();
        for (char **p = parts; *p; p++)
                json_object_array_add(arr, json_object_new_string(*p));
        return arr;
}

static int patch_isolators(struct json_object *app, const char *spec, struct ace_error **err)
{
        _cleanup_strv_free_ char **items = strv_split(spec, ":", false);

        for (char **it = items; *it; it++) {
                _cleanup_strv_free_ char **fields = strv_split(*it, ",", false);
                const char *name = fields[0] ? fields[0] : "";
                struct json_object *value;

                if (strncmp(name, "resource/", 9) == 0) {
                        value = json_object_new_object();
                        if (parse_kv_fields(fields + 1, "isolator", *it, value, err) < 0) {
                                json_object_put(value);
                                return -EINVAL;
                        }
                } else if (strcmp(name, "os/linux/no-new-privileges") == 0) {
                        bool b = true;
                        if (fields[1] && cli_parse_bool(fields[1], &b, err) < 0)
                                return ace_error_wrap(err, "isolator %s", name);
                        value = json_object_new_boolean(b);
                } else if (strcmp(name, "os/linux/oom-score-adj") == 0) {
                        char *end;
                        long v = fields[1] ? strtol(fields[1], &end, 10) : 0;
                        if (!fields[1] || *end)
                                return ace_error_make(err, EINVAL,
                                                      "isolator %s needs an integer value", name);
                        value = json_object_new_int64(v);
                } else {
                        return ace_error_make(err, EINVAL,
                                              "isolator %s is not supported for patching", name);
                }
                add_isolator(app, name, value);
        }
        return 0;
}

static int patch_seccomp(struct json_object *app, const struct patch_opts *o,
                         struct ace_error **err)
{
        _cleanup_strv_free_ char **mode = NULL;
        struct json_object *value;
        const char *kind;

        if (!o->seccomp_mode) {
                if (o->seccomp_set)
                        return ace_error_make(err, EINVAL,
                                              "--seccomp-set specified without --seccomp-mode");
                return 0;
        }
        mode = strv_split(o->seccomp_mode, ",", false);
        if (!mode[0] || (strcmp(mode[0], "remove") != 0 && strcmp(mode[0], "retain") != 0))
                return ace_error_make(err, EINVAL,
                                      "bad seccomp mode \"%s\" (want remove or retain)",
                                      o->seccomp_mode);
        kind = strcmp(mode[0], "remove") == 0 ? "os/linux/seccomp-remove-set"
                                              : "os/linux/seccomp-retain-set";
        remove_isolators(app, "os/linux/seccomp-");
        value = json_object_new_object();
        json_object_object_add(value, "set", string_set(o->seccomp_set ? o->seccomp_set : ""));
        for (char **m = mode + 1; *m; m++) {
                if (strncmp(*m, "errno=", 6) != 0) {
                        json_object_put(value);
                        return ace_error_make(err, EINVAL, "bad seccomp mode option \"%s\"", *m);
                }
                json_object_object_add(value, "errno", json_object_new_string(*m + 6));
        }
        add_isolator(app, kind, value);
        return 0;
}

static int patch_app(struct json_object *app, const struct patch_opts *o, struct ace_error **err)
{
        if (o->exec)
                json_object_object_add(app, "exec", exec_array(o->exec));
        if (o->user)
                json_object_object_add(app, "user", json_object_new_string(o->user));
        if (o->group)
                json_object_object_add(app, "group", json_object_new_string(o->group));
        if (o->supp_groups) {
                _cleanup_strv_free_ char **parts = strv_split(o->supp_groups, ",", false);
                struct json_object *arr = json_object_new_array();
                json_object_object_add(app, "supplementaryGIDs", arr);
                for (char **p = parts; *p; p++) {
                        char *end;
                        long v = strtol(*p, &end, 10);
                        if (*end || v < 0)
                                return ace_error_make(err, EINVAL, "bad supplementary group \"%s\"",
                                                      *p);
                        json_object_array_add(arr, json_object_new_int64(v));
                }
        }
        if (o->capability || o->revoke_capability) {
                if (o->capability && o->revoke_capability)
                        return ace_error_make(err, EINVAL,
                                              "conflicting capabilities isolators provided");
                remove_isolators(app, "os/linux/capabilities-");
                struct json_object *v = json_object_new_object();
                json_object_object_add(
                    v, "set", string_set(o->capability ? o->capability : o->revoke_capability));
                add_isolator(app,
                             o->capability ? "os/linux/capabilities-retain-set"
                                           : "os/linux/capabilities-remove-set",
                             v);
        }
        if (o->mounts && append_items(app, "mountPoints", o->mounts, "mount", err) < 0)
                return -EINVAL;
        if (o->ports && append_items(app, "ports", o->ports, "port", err) < 0)
                return -EINVAL;
        if (o->isolators && patch_isolators(app, o->isolators, err) < 0)
                return -EINVAL;
        return patch_seccomp(app, o, err);
}

/* Applies the edits to the manifest JSON (unknown keys are left alone). */
static int patch_json(struct json_object *m, const struct patch_opts *o, struct ace_error **err)
{
        struct json_object *app;

        if (o->name)
                json_object_object_add(m, "name", json_object_new_string(o->name));
        if (!json_object_object_get_ex(m, "app", &app) ||
            !json_object_is_type(app, json_type_object)) {
                if (!o->exec)
                        return ace_error_make(err, EINVAL,
                                              "no app in the supplied manifest and "
                                              "no exec command provided");
                app = json_object_new_object();
                json_object_object_add(app, "user", json_object_new_string("0"));
                json_object_object_add(app, "group", json_object_new_string("0"));
                json_object_object_add(m, "app", app);
        }
        return patch_app(app, o, err);
}

/* The new manifest, validated and serialised: from --manifest FILE or by patching `raw`. */
static int new_manifest(const struct patch_opts *o, const char *raw, size_t raw_len, char **ret,
                        struct ace_error **err)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ struct json_object *obj = NULL;
        _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
        size_t len;
        int r;

        if (o->manifest) {
                r = fs_read_file_at(AT_FDCWD, o->manifest, ACE_MANIFEST_MAX_SIZE, &buf, &len, err);
                if (r < 0)
                        return r;
                raw = buf;
                raw_len = len;
        }
        r = json_parse_object(raw, raw_len, 0, &obj, err);
        if (r < 0)
                return r;
        if (!o->manifest && (r = patch_json(obj, o, err)) < 0)
                return r;
        r = ace_image_manifest_from_json(obj, &m, err);
        if (r < 0)
                return ace_error_wrap(err, "patched manifest is invalid");
        *ret = ace_image_manifest_to_json(m, false);
        return 0;
}

struct rewrite_ctx {
        int in_fd;
        struct tar_write_opts wopts;
        char image_id[HASH_IMAGE_ID_SIZE];
};

static int rewrite(int fd, void *userdata, struct ace_error **err)
{
        struct rewrite_ctx *c = userdata;
        struct tar_input in = tar_input_fd(c->in_fd);

        if (lseek(c->in_fd, 0, SEEK_SET) < 0)
                return ace_error_errno(err, errno, "rewinding the input");
        return tar_rewrite_aci(&in, fd, &c->wopts, c->image_id, err);
}

static int run_patch_manifest(void *opts, char **args, bool debug)
{
        struct patch_opts *o = opts;
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *manifest = NULL;
        struct rewrite_ctx c = {0};
        struct tar_result res = {0};
        struct tar_input in;
        const char *inpath, *out;
        size_t nargs = strv_length(args);
        int r;

        if (nargs < 1 || nargs > 2 || (nargs == 1 && !o->replace) || (nargs == 2 && o->replace))
                return actool_fail("patch-manifest",
                                   "Must provide input and output files (or use --replace)");
        if (o->replace && o->overwrite)
                return actool_fail("patch-manifest", "Cannot use both --replace and --overwrite");
        if (o->manifest && any_edit(o))
                return actool_fail("patch-manifest",
                                   "--manifest is incompatible with other manifest editing "
                                   "options");
        inpath = args[0];
        out = o->replace ? inpath : args[1];
        if (!o->replace && !o->overwrite && access(out, F_OK) == 0)
                return actool_fail("patch-manifest", "Output file exists (try --overwrite)");
        tar_write_opts_init(&c.wopts);
        if (actool_pick_compression(o->compression, o->no_compression, &c.wopts.compression, &e) <
            0)
                return actool_fail("patch-manifest", "%s", ace_error_msg(e));

        fd = open(inpath, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return actool_fail("patch-manifest", "Cannot open %s: %s", inpath, strerror(errno));
        in = tar_input_fd(fd);
        if (tar_read_manifest(&in, NULL, &res, &e) < 0)
                return actool_fail("patch-manifest", "Unable to read %s: %s", inpath,
                                   ace_error_msg(e));
        r = new_manifest(o, res.manifest, res.manifest_len, &manifest, &e);
        tar_result_done(&res);
        if (r < 0)
                return actool_fail("patch-manifest", "Unable to read %s: %s", inpath,
                                   ace_error_msg(e));
        c.in_fd = fd;
        c.wopts.manifest = manifest;
        c.wopts.manifest_len = strlen(manifest);
        if (actool_write_output(out, o->overwrite || o->replace, rewrite, &c, &e) < 0)
                return actool_fail("patch-manifest", "Unable to write %s: %s", out,
                                   ace_error_msg(e));
        if (debug)
                fprintf(stderr, "%s: %s\n", out, c.image_id);
        return 0;
}

const struct actool_command actool_patch_manifest = {
    .name = "patch-manifest",
    .summary = "Copy an ACI and patch its manifest",
    .usage = "\n\t\t  [--manifest=MANIFEST_FILE]\n\t\t  [--name=example.com/app]\n"
             "\t\t  [--exec=\"/app --debug\"]\n\t\t  [--user=uid] [--group=gid]\n"
             "\t\t  [--capability=CAP_SYS_ADMIN,CAP_NET_ADMIN]\n"
             "\t\t  [--revoke-capability=CAP_SYS_CHROOT,CAP_MKNOD]\n"
             "\t\t  [--mounts=work,path=/opt,readOnly=true[:work2,...]]\n"
             "\t\t  [--ports=query,protocol=tcp,port=8080[:query2,...]]\n"
             "\t\t  [--supplementary-groups=gid1,gid2,...]\n"
             "\t\t  [--isolators=resource/cpu,request=50m,limit=100m[:resource/memory,...]]\n"
             "\t\t  [--seccomp-mode=remove|retain[,errno=EPERM]]\n"
             "\t\t  [--seccomp-set=syscall1,syscall2,...]]\n"
             "\t\t  [--compression=gzip|bzip2|xz|zstd|none] [--no-compression]\n"
             "\t\t  [--replace | --overwrite]\n\t\t  INPUT_ACI_FILE\n\t\t  [OUTPUT_ACI_FILE]",
    .description = "Copy an ACI and patch its manifest.",
    .options = patch_options,
    .opts_size = sizeof(struct patch_opts),
    .opts_free = patch_opts_free,
    .run = run_patch_manifest,
};
