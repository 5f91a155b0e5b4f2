/*
 * cmd_validate.c - `actool validate [--type=appimage|layout|manifest] FILE...`: check ACIs,
 * image layouts and manifests against the spec. Silent on success (with --debug: what each file
 * is), exit 1 if any file is invalid. Messages and stop/continue behaviour follow the
 * reference (reference/appc.md §9); where the reference is lax, we are as strict as the spec
 * (Documentation/actool.md lists the differences).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actool/actool.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/strv.h"
#include "schema/pod_manifest.h"

struct validate_opts {
        char *type;
};

static const struct cli_option validate_options[] = {
    {.name = "type",
     .type = CLI_STRING,
     .offset = offsetof(struct validate_opts, type),
     .defval = "",
     .help = "Type of file to validate. If unset, actool will try to detect the type. One "
             "of \"appimage,layout,manifest\""},
    CLI_END,
};

static void validate_opts_free(void *p)
{
        free(((struct validate_opts *)p)->type);
}

enum file_type { TYPE_UNKNOWN, TYPE_APPIMAGE, TYPE_LAYOUT, TYPE_MANIFEST };

/* Outcome of one file: keep going with the next file, or stop (the reference stops on
 * unreadable files and unparseable manifests). */
enum verdict { VALID, INVALID_CONTINUE, INVALID_STOP };

static bool looks_like_text(const unsigned char *p, size_t n)
{
        /* What Go's http.DetectContentType calls text/plain; charset=utf-8: no control bytes
         * other than whitespace, and valid UTF-8. */
        for (size_t i = 0; i < n; i++) {
                unsigned char c = p[i];
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f')
                        return false;
                if (c >= 0x80) {
                        size_t extra = (c & 0xe0) == 0xc0   ? 1
                                       : (c & 0xf0) == 0xe0 ? 2
                                       : (c & 0xf8) == 0xf0 ? 3
                                                            : 9;
                        if (extra == 9)
                                return false;
                        for (size_t k = 1; k <= extra; k++)
                                if (i + k < n && (p[i + k] & 0xc0) != 0x80)
                                        return false;
                        i += extra;
                }
        }
        return true;
}

/* Detects by content, never by name. An archive format we refuse (zip, cpio, iso...) is
 * named in *why. */
static enum file_type detect(int fd, struct ace_error **why)
{
        unsigned char head[TAR_DETECT_HEAD_SIZE];
        enum tar_compression c;
        ssize_t n = pread(fd, head, sizeof(head), 0);

        if (n <= 0)
                return TYPE_UNKNOWN;
        if (tar_detect_compression(head, (size_t)n, &c, why) == 0)
                return TYPE_APPIMAGE;
        if (looks_like_text(head, (size_t)(n > 512 ? 512 : n)))
                return TYPE_MANIFEST;
        return TYPE_UNKNOWN;
}

static enum verdict validate_manifest_file(const char *path, int fd, bool debug)
{
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ struct json_object *obj = NULL;
        enum ac_kind kind;
        const char *k;
        size_t len;

        if (fs_read_fd(fd, path, ACE_MANIFEST_MAX_SIZE, &buf, &len, &e) < 0) {
                actool_fail(NULL, "%s: error reading manifest: %s", path, ace_error_msg(e));
                return INVALID_STOP;
        }
        if (json_parse_object(buf, len, 0, &obj, &e) < 0) {
                actool_fail(NULL, "%s: error unmarshaling manifest: %s", path, ace_error_msg(e));
                return INVALID_STOP;
        }
        /* The reference panics without acKind; we say what is wrong. */
        kind = ace_manifest_kind(obj);
        if (kind == AC_KIND_INVALID) {
                actool_fail(NULL,
                            "%s: error unmarshaling manifest: missing or bad acKind (must be "
                            "\"ImageManifest\" or \"PodManifest\")",
                            path);
                return INVALID_STOP;
        }
        k = ac_kind_to_string(kind);
        if (kind == AC_KIND_IMAGE_MANIFEST) {
                _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
                if (ace_image_manifest_from_json(obj, &m, &e) < 0) {
                        actool_fail(NULL, "%s: invalid ImageManifest: %s", path, ace_error_msg(e));
                        return INVALID_CONTINUE;
                }
        } else {
                struct ace_pod_manifest *pm = NULL;
                if (ace_pod_manifest_from_json(obj, &pm, &e) < 0) {
                        actool_fail(NULL, "%s: invalid PodManifest: %s", path, ace_error_msg(e));
                        return INVALID_CONTINUE;
                }
                ace_pod_manifest_free(pm);
        }
        if (debug)
                fprintf(stderr, "%s: valid %s\n", path, k);
        return VALID;
}

static enum verdict validate_aci(const char *path, int fd, bool debug)
{
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_image_manifest_ struct ace_image_manifest *m = NULL;
        struct tar_result res = {0};
        struct tar_input in = tar_input_fd(fd);
        int r;

        r = tar_read_manifest(&in, NULL, &res, &e);
        if (r < 0) {
                actool_fail(NULL, "%s: error validating: %s", path, ace_error_msg(e));
                return INVALID_CONTINUE;
        }
        r = ace_image_manifest_parse(res.manifest, res.manifest_len, &m, &e);
        tar_result_done(&res);
        if (r < 0) {
                actool_fail(NULL, "%s: error validating: image manifest validation failed: %s",
                            path, ace_error_msg(e));
                return INVALID_CONTINUE;
        }
        if (debug)
                fprintf(stderr, "%s: valid app container image\n", path);
        return VALID;
}

static enum verdict validate_layout_dir(const char *path, int fd, bool debug)
{
        _cleanup_error_ struct ace_error *e = NULL;

        if (actool_validate_layout(fd, NULL, &e) < 0) {
                actool_fail(NULL, "%s: invalid image layout: %s", path, ace_error_msg(e));
                return INVALID_CONTINUE;
        }
        if (debug)
                fprintf(stderr, "%s: valid image layout\n", path);
        return VALID;
}

static int parse_type(const char *s, enum file_type *ret)
{
        if (!s || !*s)
                *ret = TYPE_UNKNOWN;
        else if (strcmp(s, "appimage") == 0)
                *ret = TYPE_APPIMAGE;
        else if (strcmp(s, "layout") == 0 || strcmp(s, "imagelayout") == 0)
                *ret = TYPE_LAYOUT;
        else if (strcmp(s, "manifest") == 0)
                *ret = TYPE_MANIFEST;
        else
                return -EINVAL;
        return 0;
}

static enum verdict validate_one(const char *path, enum file_type want, bool debug)
{
        _cleanup_close_ int fd = -EBADF;
        enum file_type t = want;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                actool_fail(NULL, "unable to access %s: stat %s: %s", path, path, strerror(errno));
                return INVALID_STOP;
        }
        if (S_ISDIR(st.st_mode)) {
                if (t != TYPE_UNKNOWN && t != TYPE_LAYOUT) {
                        actool_fail(NULL, "%s is a directory (wrong --type?)", path);
                        return INVALID_CONTINUE;
                }
                return validate_layout_dir(path, fd, debug);
        }
        if (t == TYPE_LAYOUT) {
                actool_fail(NULL, "%s: invalid image layout: not a directory", path);
                return INVALID_CONTINUE;
        }
        _cleanup_error_ struct ace_error *why = NULL;
        if (t == TYPE_UNKNOWN)
                t = detect(fd, &why);
        switch (t) {
        case TYPE_APPIMAGE:
                return validate_aci(path, fd, debug);
        case TYPE_MANIFEST:
                return validate_manifest_file(path, fd, debug);
        default:
                actool_fail(NULL, "%s: unable to detect filetype (try --type)%s%s", path,
                            why ? ": " : "", why ? ace_error_msg(why) : "");
                return INVALID_CONTINUE;
        }
}

static int run_validate(void *opts, char **args, bool debug)
{
        struct validate_opts *o = opts;
        enum file_type want;
        int code = 0;

        if (parse_type(o->type, &want) < 0)
                return actool_fail(NULL, "unknown type \"%s\" (want appimage, layout or manifest)",
                                   o->type);
        if (strv_length(args) == 0)
                return actool_fail(NULL, "must pass one or more files");
        for (char **a = args; *a; a++) {
                enum verdict v = validate_one(*a, want, debug);
                if (v == INVALID_STOP)
                        return ACTOOL_EXIT_FAILURE;
                if (v == INVALID_CONTINUE)
                        code = ACTOOL_EXIT_FAILURE;
        }
        return code;
}

const struct actool_command actool_validate = {
    .name = "validate",
    .summary = "Validate that one or more images or manifests meet the AppContainer "
               "specification",
    .usage = "[--type=TYPE] FILE...",
    .description = "Validate one or more AppContainer files",
    .options = validate_options,
    .opts_size = sizeof(struct validate_opts),
    .opts_free = validate_opts_free,
    .run = run_validate,
};
