/* user.c - users and groups from the rootfs' /etc/passwd and /etc/group (user.h). */
#include "stage2/user.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#define ACCOUNT_FILE_MAX (4u << 20)

void creds_done(struct app_creds *c)
{
        free(c->groups);
        free(c->user_name);
        free(c->home);
        c->groups = NULL;
        c->user_name = c->home = NULL;
}

int parse_id(const char *s, unsigned *ret)
{
        unsigned long long v = 0;

        if (!*s || strlen(s) > 10)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(*p - '0');
        }
        /* (uid_t)-1 means "no change" to setresuid: never a valid id. */
        if (v >= 0xffffffffULL)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

/* Splits line into at most n ':'-separated fields in place; returns the field count. */
static size_t split_fields(char *line, char **fields, size_t n)
{
        size_t i = 0;

        fields[i++] = line;
        for (char *p = line; *p && i < n; p++)
                if (*p == ':') {
                        *p = 0;
                        fields[i++] = p + 1;
                }
        return i;
}

int passwd_find(const char *text, const char *name, uid_t uid, struct passwd_entry *ret,
                char **line)
{
        const char *p = text;

        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                _cleanup_free_ char *copy = xstrndup(p, len);
                char *f[7] = {0};
                unsigned id, gid;
                size_t nf;

                p = nl ? nl + 1 : NULL;
                nf = split_fields(copy, f, 7);
                if (nf < 4 || parse_id(f[2], &id) < 0 || parse_id(f[3], &gid) < 0)
                        continue;
                if (name ? strcmp(f[0], name) != 0 : id != uid)
                        continue;
                ret->name = f[0];
                ret->uid = id;
                ret->gid = gid;
                ret->home = nf >= 6 ? f[5] : NULL;
                *line = TAKE_PTR(copy);
                return 0;
        }
        return -ENOENT;
}

/* Finds a group by name; returns its gid or -ENOENT. */
static int group_find(const char *text, const char *name, gid_t *ret)
{
        const char *p = text;

        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                _cleanup_free_ char *copy = xstrndup(p, len);
                char *f[4];
                unsigned gid;

                p = nl ? nl + 1 : NULL;
                if (split_fields(copy, f, 4) < 3 || parse_id(f[2], &gid) < 0)
                        continue;
                if (strcmp(f[0], name) == 0) {
                        *ret = gid;
                        return 0;
                }
        }
        return -ENOENT;
}

static void add_gid(gid_t **v, size_t *n, gid_t g)
{
        for (size_t i = 0; i < *n; i++)
                if ((*v)[i] == g)
                        return;
        *v = xrealloc(*v, (*n + 1) * sizeof(gid_t));
        (*v)[(*n)++] = g;
}

/* Adds the gid of every group whose member list (4th field) names `user`. */
static void group_memberships(const char *text, const char *user, gid_t **v, size_t *n)
{
        const char *p = text;

        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                _cleanup_free_ char *copy = xstrndup(p, len);
                char *f[4], *save = NULL;
                unsigned gid;

                p = nl ? nl + 1 : NULL;
                if (split_fields(copy, f, 4) < 4 || parse_id(f[2], &gid) < 0)
                        continue;
                for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
                        if (strcmp(m, user) == 0) {
                                add_gid(v, n, gid);
                                break;
                        }
        }
}

static int cmp_gid(const void *a, const void *b)
{
        gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
        return x < y ? -1 : x > y;
}

/* Reads an account file; a missing file is an empty one (a numeric-only image needs none). */
static int read_accounts(int rootfd, const char *path, char **ret, struct ace_error **err)
{
        int r = fs_read_file_in_root(rootfd, path, ACCOUNT_FILE_MAX, ret, NULL, err);

        if (r == -ENOENT) {
                if (err)
                        ace_error_freep(err);
                *ret = xstrdup("");
                return 0;
        }
        return r;
}

static int owner_of(int rootfd, const char *path, bool want_gid, unsigned *ret,
                    struct ace_error **err)
{
        _cleanup_close_ int fd = fs_open_in_root(rootfd, path, O_PATH, 0, 0);
        struct stat st;

        if (fd < 0)
                return ace_error_errno(err, -fd, "%s %s", want_gid ? "group" : "user", path);
        if (fstat(fd, &st) < 0)
                return ace_error_errno(err, errno, "stat %s", path);
        *ret = want_gid ? st.st_gid : st.st_uid;
        return 0;
}

static int resolve_user(int rootfd, const char *passwd, const char *user, struct app_creds *c,
                        struct ace_error **err)
{
        struct passwd_entry pw;
        _cleanup_free_ char *line = NULL;
        unsigned id;
        int r;

        if (parse_id(user, &id) == 0) {
                c->uid = id;
        } else if (user[0] == '/') {
                if ((r = owner_of(rootfd, user, false, &id, err)) < 0)
                        return r;
                c->uid = id;
        } else if (passwd_find(passwd, user, 0, &pw, &line) == 0) {
                c->uid = pw.uid;
        } else {
                return ace_error_make(err, ENOENT,
                                      "user \"%s\" not found in the image's /etc/passwd", user);
        }
        /* The name (for group membership) and home of whatever uid we ended up with. */
        free(TAKE_PTR(line));
        if (passwd_find(passwd, NULL, c->uid, &pw, &line) == 0) {
                c->user_name = xstrdup(pw.name);
                c->home = pw.home && *pw.home ? xstrdup(pw.home) : NULL;
        }
        return 0;
}

static int resolve_group(int rootfd, const char *groups, const char *group, struct app_creds *c,
                         struct ace_error **err)
{
        unsigned id;
        int r;

        if (parse_id(group, &id) == 0) {
                c->gid = id;
        } else if (group[0] == '/') {
                if ((r = owner_of(rootfd, group, true, &id, err)) < 0)
                        return r;
                c->gid = id;
        } else if (group_find(groups, group, &c->gid) < 0) {
                return ace_error_make(err, ENOENT,
                                      "group \"%s\" not found in the image's /etc/group", group);
        }
        return 0;
}

int creds_resolve(int rootfd, const char *user, const char *group, const gid_t *supp, size_t n_supp,
                  struct app_creds *ret, struct ace_error **err)
{
        _cleanup_free_ char *passwd = NULL, *groups = NULL;
        struct app_creds c = {0};
        int r;

        if (!user || !*user)
                user = "0";
        if (!group || !*group)
                group = "0";
        if ((r = read_accounts(rootfd, "/etc/passwd", &passwd, err)) < 0 ||
            (r = read_accounts(rootfd, "/etc/group", &groups, err)) < 0)
                return r;
        if ((r = resolve_user(rootfd, passwd, user, &c, err)) < 0 ||
            (r = resolve_group(rootfd, groups, group, &c, err)) < 0) {
                creds_done(&c);
                return r;
        }
        if (c.user_name)
                group_memberships(groups, c.user_name, &c.groups, &c.n_groups);
        for (size_t i = 0; i < n_supp; i++)
                add_gid(&c.groups, &c.n_groups, supp[i]);
        if (c.n_groups)
                qsort(c.groups, c.n_groups, sizeof(gid_t), cmp_gid);
        *ret = c;
        return 0;
}
