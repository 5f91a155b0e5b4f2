/*
 * tar_read.c - the ACI layout rules applied to every entry (shared by scan and extraction) and
 * the scan API tar_read_manifest() (see tar.h).
 *
 * Rules (appc aci.md, reliability.md 1b): names are normalised like Go's filepath.Clean and must
 * be `manifest` (regular file, bounded size), `rootfs` (directory) or under `rootfs/`; no
 * absolute names, no `..`, no duplicates (after normalisation), hard links only to an earlier
 * non-directory under rootfs/ and without payload, and the limits of struct tar_limits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/tar_internal.h"
#include "common/xalloc.h"

/* ---- set of entry names (open addressing, FNV-1a) ------------------------------------------ */

struct name_slot {
        char *name;
        mode_t type;
};

struct tar_name_set {
        struct name_slot *slots;
        size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

static struct name_slot *set_find(struct tar_name_set *set, const char *name)
{
        size_t mask = set->cap - 1;
        for (size_t i = fnv1a(name) & mask;; i = (i + 1) & mask)
                if (!set->slots[i].name || strcmp(set->slots[i].name, name) == 0)
                        return &set->slots[i];
}

static void set_grow(struct tar_name_set *set)
{
        struct tar_name_set bigger = {.cap = set->cap ? set->cap * 2 : 1024};

        bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
        for (size_t i = 0; i < set->cap; i++)
                if (set->slots[i].name)
                        *set_find(&bigger, set->slots[i].name) = set->slots[i];
        bigger.n = set->n;
        free(set->slots);
        *set = bigger;
}

/* ---- rules --------------------------------------------------------------------------------- */

void tar_rules_init(struct tar_rules *r, const struct tar_limits *limits)
{
        *r = (struct tar_rules){0};
        if (limits)
                r->limits = *limits;
        else
                tar_limits_default(&r->limits);
        r->names = xcalloc(1, sizeof(*r->names));
        set_grow(r->names);
}

void tar_rules_done(struct tar_rules *r)
{
        if (r->names) {
                for (size_t i = 0; i < r->names->cap; i++)
                        free(r->names->slots[i].name);
                free(r->names->slots);
                free(r->names);
        }
        r->names = NULL;
}

static mode_t entry_type(struct archive_entry *e)
{
        switch (archive_entry_filetype(e)) {
        case AE_IFREG:
                return S_IFREG;
        case AE_IFDIR:
                return S_IFDIR;
        case AE_IFLNK:
                return S_IFLNK;
        case AE_IFCHR:
                return S_IFCHR;
        case AE_IFBLK:
                return S_IFBLK;
        case AE_IFIFO:
                return S_IFIFO;
        default:
                return 0;
        }
}

static int check_name(struct tar_rules *r, const char *raw, const char *what, char **ret,
                      struct ace_error **err)
{
        _cleanup_free_ char *norm = NULL;
        int k;

        if (strlen(raw) > r->limits.max_path_len)
                return ace_error_make(err, ENAMETOOLONG, "entry %s: name longer than %llu bytes",
                                      what, (unsigned long long)r->limits.max_path_len);
        k = fs_path_normalize_relative(raw, &norm, err);
        if (k < 0)
                return k;
        if (fs_path_depth(norm) > r->limits.max_depth)
                return ace_error_make(err, ELOOP, "entry %s: path deeper than %llu components",
                                      what, (unsigned long long)r->limits.max_depth);
        for (const char *p = norm; *p;) {
                const char *e = strchrnul(p, '/');
                if (e - p > 255)
                        return ace_error_make(err, ENAMETOOLONG,
                                              "entry %s: a path component is longer than 255 bytes",
                                              what);
                p = *e ? e + 1 : e;
        }
        *ret = TAKE_PTR(norm);
        return 0;
}

static int check_hardlink(struct tar_rules *r, struct archive_entry *e, const char *name,
                          struct tar_entry_info *info, struct ace_error **err)
{
        const char *raw = archive_entry_hardlink(e);
        _cleanup_free_ char *target = NULL;
        int k;

        if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
                return ace_error_make(err, EINVAL,
                                      "entry %s: hard link with a payload is not allowed", name);
        k = check_name(r, raw, name, &target, err);
        if (k < 0)
                return ace_error_wrap(err, "entry %s: hard link target", name);
        if (strncmp(target, "rootfs/", 7) != 0)
                return ace_error_make(
                    err, EINVAL, "entry %s: hard link target %s is outside rootfs/", name, target);
        struct name_slot *slot = set_find(r->names, target);
        if (!slot->name)
                return ace_error_make(err, EINVAL,
                                      "entry %s: hard link target %s is not an earlier entry", name,
                                      target);
        if (slot->type == S_IFDIR)
                return ace_error_make(err, EINVAL, "entry %s: hard link target %s is a directory",
                                      name, target);
        info->hardlink = slot->name;
        info->type = S_IFREG;
        return 0;
}

static int check_kind(struct tar_rules *r, const char *name, struct tar_entry_info *info,
                      struct archive_entry *e, struct ace_error **err)
{
        if (strcmp(name, "manifest") == 0) {
                if (info->type != S_IFREG || info->hardlink)
                        return ace_error_make(err, EINVAL,
                                              "entry manifest: the manifest must be a regular "
                                              "file");
                if (info->size > r->limits.max_manifest_size)
                        return ace_error_make(err, EFBIG,
                                              "entry manifest: larger than the limit of %llu bytes",
                                              (unsigned long long)r->limits.max_manifest_size);
                info->kind = TAR_ENTRY_MANIFEST;
                r->seen_manifest = true;
        } else if (strcmp(name, "rootfs") == 0) {
                if (info->type != S_IFDIR)
                        return ace_error_make(err, EINVAL,
                                              "entry rootfs: rootfs is not a directory");
                info->kind = TAR_ENTRY_ROOTFS;
                r->seen_rootfs = true;
        } else if (strncmp(name, "rootfs/", 7) == 0) {
                info->kind = TAR_ENTRY_ROOTFS_CHILD;
        } else {
                return ace_error_make(err, EINVAL,
                                      "entry %s: unrecognized file path in layout (only "
                                      "manifest and rootfs/ are allowed)",
                                      archive_entry_pathname(e));
        }
        return 0;
}

/* The nearest ancestor that is an entry of this archive must be a directory: a symlink (or
 * file) entry later used as a directory is refused, so no reader ever resolves a path through
 * a link the archive planted (rootfs/l -> / then rootfs/l/etc/x). */
static int check_ancestors(struct tar_rules *r, const char *name, struct ace_error **err)
{
        _cleanup_free_ char *p = xstrdup(name);
        char *slash;

        while ((slash = strrchr(p, '/'))) {
                *slash = '\0';
                struct name_slot *slot = set_find(r->names, p);
                if (!slot->name)
                        continue;
                if (slot->type != S_IFDIR)
                        return ace_error_make(
                            err, ENOTDIR, "entry %s: parent %s is a %s entry, not a directory",
                            name, p, slot->type == S_IFLNK ? "symlink" : "non-directory");
                break;
        }
        return 0;
}

int tar_rules_check(struct tar_rules *r, struct archive_entry *e, struct tar_entry_info *info,
                    struct ace_error **err)
{
        const char *raw = archive_entry_pathname(e);
        _cleanup_free_ char *name = NULL;
        int k;

        *info = (struct tar_entry_info){0};
        if (!raw)
                return ace_error_make(err, EINVAL, "entry %llu has no name",
                                      (unsigned long long)r->entries + 1);
        if (++r->entries > r->limits.max_entries)
                return ace_error_make(err, EFBIG, "entry %s: more than %llu entries", raw,
                                      (unsigned long long)r->limits.max_entries);
        k = check_name(r, raw, raw, &name, err);
        if (k < 0)
                return k;
        info->type = entry_type(e);
        info->size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0
                         ? (uint64_t)archive_entry_size(e)
                         : 0;
        if (archive_entry_hardlink(e)) {
                if ((k = check_hardlink(r, e, name, info, err)) < 0)
                        return k;
        } else if (!info->type) {
                return ace_error_make(err, EINVAL, "entry %s: unsupported file type 0%o", name,
                                      (unsigned)archive_entry_filetype(e));
        }
        if (info->type == S_IFLNK) {
                const char *t = archive_entry_symlink(e);
                if (!t || !*t)
                        return ace_error_make(err, EINVAL, "entry %s: symlink with an empty target",
                                              name);
                if (strlen(t) > r->limits.max_path_len)
                        return ace_error_make(err, ENAMETOOLONG,
                                              "entry %s: symlink target longer than %llu bytes",
                                              name, (unsigned long long)r->limits.max_path_len);
        }
        if ((k = check_kind(r, name, info, e, err)) < 0)
                return k;
        r->total_size += info->size;
        if (info->size > r->limits.max_total_size || r->total_size > r->limits.max_total_size)
                return ace_error_make(err, EFBIG,
                                      "entry %s: archive contents larger than the limit of %llu "
                                      "bytes",
                                      name, (unsigned long long)r->limits.max_total_size);
        if ((k = check_ancestors(r, name, err)) < 0)
                return k;
        if (r->names->n * 2 >= r->names->cap)
                set_grow(r->names);
        struct name_slot *slot = set_find(r->names, name);
        if (slot->name)
                return ace_error_make(err, EEXIST, "entry %s: duplicate entry in archive", name);
        slot->type = info->type;
        slot->name = TAKE_PTR(name);
        r->names->n++;
        info->name = slot->name;
        return 0;
}

int tar_rules_finish(struct tar_rules *r, struct ace_error **err)
{
        if (!r->seen_manifest)
                return ace_error_make(err, EINVAL, "no image manifest found in layout");
        if (!r->seen_rootfs)
                return ace_error_make(err, EINVAL, "no rootfs found in layout");
        return 0;
}

int tar_read_entry_data(struct tar_stream *s, uint64_t size, const char *name, char **ret,
                        size_t *ret_len, struct ace_error **err)
{
        _cleanup_free_ char *buf = xmalloc(size + 1);
        size_t len = 0;

        for (;;) {
                la_ssize_t n = archive_read_data(s->tar, buf + len, size + 1 - len);
                if (n < 0)
                        return tar_stream_error(s, s->tar, name, err);
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > size)
                        return ace_error_make(err, EFBIG, "entry %s: more data than its size",
                                              name);
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* ---- scan ---------------------------------------------------------------------------------- */

void tar_read_opts_init(struct tar_read_opts *o)
{
        *o = (struct tar_read_opts){0};
        tar_limits_default(&o->limits);
}

void tar_result_done(struct tar_result *r)
{
        free(r->manifest);
        *r = (struct tar_result){0};
}

int tar_read_manifest(const struct tar_input *in, const struct tar_read_opts *opts,
                      struct tar_result *res, struct ace_error **err)
{
        struct tar_read_opts defaults;
        struct tar_stream s;
        struct tar_rules rules;
        struct tar_result out = {0};
        int r;

        if (!opts) {
                tar_read_opts_init(&defaults);
                opts = &defaults;
        }
        *res = (struct tar_result){0};
        tar_rules_init(&rules, &opts->limits);
        r = tar_stream_open(&s, in, opts->limits.max_stream_size, opts->tee, opts->tee_userdata,
                            err);
        for (; r >= 0;) {
                struct archive_entry *e;
                struct tar_entry_info info;
                int h = archive_read_next_header(s.tar, &e);
                if (h == ARCHIVE_EOF)
                        break;
                if (h != ARCHIVE_OK && h != ARCHIVE_WARN) {
                        /* ARCHIVE_RETRY ("damaged tar archive") included: libarchive would
                         * resynchronise on a later header, which is how parsers disagree. */
                        r = tar_stream_error(&s, s.tar, "reading tar", err);
                        break;
                }
                r = tar_rules_check(&rules, e, &info, err);
                if (r >= 0 && info.kind == TAR_ENTRY_MANIFEST)
                        r = tar_read_entry_data(&s, info.size, "manifest", &out.manifest,
                                                &out.manifest_len, err);
                else if (r >= 0 && TAR_LA_FAILED(archive_read_data_skip(s.tar)))
                        r = tar_stream_error(&s, s.tar, info.name, err);
        }
        if (r >= 0)
                r = tar_rules_finish(&rules, err);
        if (r >= 0)
                r = tar_stream_finish(&s, out.image_id, err);
        tar_result_take(r, &out, &s, &rules, res);
        tar_stream_close(&s);
        tar_rules_done(&rules);
        return r;
}

void tar_result_take(int r, struct tar_result *out, const struct tar_stream *s,
                     const struct tar_rules *rules, struct tar_result *res)
{
        if (r < 0) {
                free(out->manifest);
                return;
        }
        out->compression = s->compression;
        out->stream_size = s->stream_size;
        out->entries = rules->entries;
        out->total_size = rules->total_size;
        *res = *out;
}
