/*
 * user.h - resolve an app's user, group and supplementary groups from the app rootfs' own
 * /etc/passwd and /etc/group, never through NSS (no code from the image is ever loaded).
 *
 * Rules (appc + rkt ParseUserGroup, hardened per T-32):
 *   - a string of digits is a numeric id, even if an entry is *named* "1000";
 *   - a string starting with '/' means the owner uid (gid) of that path in the rootfs;
 *   - anything else is a name looked up in /etc/passwd (/etc/group);
 *   - supplementary groups = groups of /etc/group that list the user's name as a member, plus
 *     supplementaryGIDs, sorted and unique (the primary gid is not added, as runc).
 * The files are opened inside the root (a symlink to /etc/shadow resolves to the rootfs' own
 * /etc/shadow) and capped at 4 MiB.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

struct app_creds {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary, sorted, unique */
        size_t n_groups;
        char *user_name; /* the passwd name of uid, or NULL */
        char *home;      /* passwd home of uid, or NULL */
};

/* One parsed passwd/group line; pointers into the caller's buffer. */
struct passwd_entry {
        const char *name;
        uid_t uid;
        gid_t gid;
        const char *home;
};

int creds_resolve(int rootfd, const char *user, const char *group, const gid_t *supp, size_t n_supp,
                  struct app_creds *ret, struct ace_error **err);
void creds_done(struct app_creds *c);

/* Parses a decimal id (no sign, no spaces, < 2^32-1); returns 0 or -EINVAL. */
int parse_id(const char *s, unsigned *ret);

/* Finds a passwd entry by name (name != NULL) or by uid in the text of /etc/passwd. Lines that do
 * not parse are skipped. Returns 0, or -ENOENT. `line` receives a copy owned by the caller. */
int passwd_find(const char *text, const char *name, uid_t uid, struct passwd_entry *ret,
                char **line);
