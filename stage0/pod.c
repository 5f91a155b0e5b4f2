/*
 * pod.c - the pod state machine: state directories, lookup by UUID or prefix, the pod lock,
 * transitions by rename (see pod.h for the table and the cost model).
 */
#include "stage0/pod.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

struct pods {
        char *data_dir;
        int data_fd;
        int pods_fd;
        int state_fd[POD_DIR_MAX];
};

static const char *const dir_names[POD_DIR_MAX] = {
    [POD_DIR_EMBRYO] = "embryo",
    [POD_DIR_PREPARE] = "prepare",
    [POD_DIR_PREPARED] = "prepared",
    [POD_DIR_RUN] = "run",
    [POD_DIR_EXITED_GARBAGE] = "exited-garbage",
    [POD_DIR_GARBAGE] = "garbage",
};

static const char *const state_names[POD_STATE_MAX] = {
    [POD_STATE_EMBRYO] = "embryo",
    [POD_STATE_PREPARING] = "preparing",
    [POD_STATE_ABORTED_PREPARE] = "aborted prepare",
    [POD_STATE_PREPARED] = "prepared",
    [POD_STATE_RUNNING] = "running",
    [POD_STATE_EXITED] = "exited",
    [POD_STATE_EXITED_DELETING] = "exited deleting",
    [POD_STATE_EXITED_GARBAGE] = "exited garbage",
    [POD_STATE_DELETING] = "deleting",
    [POD_STATE_GARBAGE] = "garbage",
};

const char *pod_dir_name(enum pod_dir d)
{
        return d < POD_DIR_MAX ? dir_names[d] : "?";
}

const char *pod_state_to_string(enum pod_state s)
{
        return s < POD_STATE_MAX ? state_names[s] : "unknown";
}

enum pod_state pod_state_from(enum pod_dir d, bool locked)
{
        switch (d) {
        case POD_DIR_EMBRYO:
                return POD_STATE_EMBRYO;
        case POD_DIR_PREPARE:
                return locked ? POD_STATE_PREPARING : POD_STATE_ABORTED_PREPARE;
        case POD_DIR_PREPARED:
                return POD_STATE_PREPARED;
        case POD_DIR_RUN:
                return locked ? POD_STATE_RUNNING : POD_STATE_EXITED;
        case POD_DIR_EXITED_GARBAGE:
                return locked ? POD_STATE_EXITED_DELETING : POD_STATE_EXITED_GARBAGE;
        case POD_DIR_GARBAGE:
        default:
                return locked ? POD_STATE_DELETING : POD_STATE_GARBAGE;
        }
}

bool pod_state_finished(enum pod_state s)
{
        return s == POD_STATE_EXITED || s == POD_STATE_EXITED_GARBAGE ||
               s == POD_STATE_ABORTED_PREPARE || s == POD_STATE_GARBAGE;
}

/* ---- the pods/ tree ------------------------------------------------------------------------ */

static int open_dir_at(int dirfd, const char *name, bool create, struct ace_error **err,
                       const char *what)
{
        int fd;

        if (create && mkdirat(dirfd, name, 0750) < 0 && errno != EEXIST)
                return ace_error_errno(err, errno, "creating %s", what);
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && !(errno == ENOENT && !create))
                return ace_error_errno(err, errno, "opening %s", what);
        return fd < 0 ? -ENOENT : fd;
}

int pods_open(const char *data_dir, bool create, struct pods **ret, struct ace_error **err)
{
        struct pods *p = xcalloc(1, sizeof(*p));
        int r;

        p->data_fd = p->pods_fd = -EBADF;
        for (int d = 0; d < POD_DIR_MAX; d++)
                p->state_fd[d] = -EBADF;
        p->data_dir = xstrdup(data_dir);
        if (create && mkdir(data_dir, 0755) < 0 && errno != EEXIST) {
                r = ace_error_errno(err, errno, "creating data directory %s", data_dir);
                goto fail;
        }
        p->data_fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (p->data_fd < 0) {
                if (errno == ENOENT && !create)
                        goto out; /* no data dir yet: no pods */
                r = ace_error_errno(err, errno, "opening data directory %s", data_dir);
                goto fail;
        }
        r = open_dir_at(p->data_fd, "pods", create, err, "pods directory");
        if (r == -ENOENT)
                goto out;
        if (r < 0)
                goto fail;
        p->pods_fd = r;
        for (int d = 0; d < POD_DIR_MAX; d++) {
                /* The state directories are part of an existing pods/ tree: one missing (made
                 * by an older or foreign tool) is created when we may (errors ignored). */
                r = open_dir_at(p->pods_fd, dir_names[d], create, err, dir_names[d]);
                if (r == -ENOENT && mkdirat(p->pods_fd, dir_names[d], 0750) == 0)
                        r = open_dir_at(p->pods_fd, dir_names[d], false, err, dir_names[d]);
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        ace_error_wrap(err, "pods directory %s/pods", data_dir);
                        goto fail;
                }
                p->state_fd[d] = r;
        }
out:
        *ret = p;
        return 0;
fail:
        pods_close(p);
        return r;
}

void pods_close(struct pods *p)
{
        if (!p)
                return;
        for (int d = 0; d < POD_DIR_MAX; d++)
                closep(&p->state_fd[d]);
        closep(&p->pods_fd);
        closep(&p->data_fd);
        free(p->data_dir);
        free(p);
}

const char *pods_data_dir(const struct pods *p)
{
        return p->data_dir;
}

int pods_data_fd(const struct pods *p)
{
        return p->data_fd;
}

int pods_state_fd(const struct pods *p, enum pod_dir d)
{
        return d < POD_DIR_MAX ? p->state_fd[d] : -EBADF;
}

void pod_close(struct pod *pod)
{
        if (!pod)
                return;
        closep(&pod->fd);
        free(pod);
}

/* ---- UUIDs --------------------------------------------------------------------------------- */

bool pod_uuid_valid(const char *s)
{
        if (!s || strlen(s) != POD_UUID_LEN)
                return false;
        for (int i = 0; i < POD_UUID_LEN; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
                        return false;
        }
        return true;
}

static bool uuid_canonical(const char *s)
{
        if (!pod_uuid_valid(s))
                return false;
        for (const char *c = s; *c; c++)
                if (isupper((unsigned char)*c))
                        return false;
        return true;
}

/* ---- lookup -------------------------------------------------------------------------------- */

/* Finds which state directory (at or after `from`) holds the directory open as `fd`. */
static int locate(struct pods *p, const char *uuid, int fd, enum pod_dir from, enum pod_dir *ret)
{
        struct stat self, st;

        if (fstat(fd, &self) < 0)
                return -errno;
        for (int d = from; d < POD_DIR_MAX; d++) {
                if (p->state_fd[d] < 0)
                        continue;
                if (fstatat(p->state_fd[d], uuid, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (st.st_ino == self.st_ino && st.st_dev == self.st_dev) {
                        *ret = d;
                        return 0;
                }
        }
        return -ENOENT;
}

int pod_is_locked(struct pod *pod, struct ace_error **err)
{
        if (pod->locked)
                return 0; /* we hold it; probing on our own fd would convert our lock */
        if (flock(pod->fd, LOCK_SH | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return 1;
                return ace_error_errno(err, errno, "probing lock of pod %s", pod->uuid);
        }
        (void)flock(pod->fd, LOCK_UN);
        return 0;
}

int pod_refresh(struct pod *pod, struct ace_error **err)
{
        enum pod_dir d;
        int locked, r;

        locked = pod->locked ? 1 : pod_is_locked(pod, err);
        if (locked < 0)
                return locked;
        /* A pod only moves forward, so search from where it was seen last. A transition made
         * through this very handle updated pod->dir already. */
        r = locate(pod->pods, pod->uuid, pod->fd, pod->dir, &d);
        if (r < 0)
                return ace_error_make(err, ENOENT, "pod %s is gone", pod->uuid);
        pod->dir = d;
        pod->state = pod_state_from(d, locked);
        return 0;
}

int pod_open(struct pods *p, const char *uuid, struct pod **ret, struct ace_error **err)
{
        char lower[POD_UUID_LEN + 1];

        if (!pod_uuid_valid(uuid))
                return ace_error_make(err, EINVAL, "invalid pod UUID \"%s\"", uuid);
        for (int i = 0; i <= POD_UUID_LEN; i++)
                lower[i] = (char)tolower((unsigned char)uuid[i]);
        /* Retried because a pod can be renamed or deleted between open and refresh. */
        for (int attempt = 0; attempt < 3; attempt++) {
                for (int d = 0; d < POD_DIR_MAX; d++) {
                        _cleanup_pod_ struct pod *pod = NULL;
                        int fd;

                        if (p->state_fd[d] < 0)
                                continue;
                        fd = openat(p->state_fd[d], lower,
                                    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (fd < 0) {
                                if (errno == ENOENT)
                                        continue;
                                return ace_error_errno(err, errno, "opening pod %s", lower);
                        }
                        pod = xcalloc(1, sizeof(*pod));
                        pod->pods = p;
                        pod->fd = fd;
                        pod->dir = d;
                        memcpy(pod->uuid, lower, sizeof(lower));
                        if (pod_refresh(pod, NULL) == -ENOENT)
                                break; /* deleted under us: look again from the start */
                        *ret = TAKE_PTR(pod);
                        return 0;
                }
        }
        return ace_error_make(err, ENOENT, "no matches found for \"%s\"", uuid);
}

int pod_open_entry(struct pods *p, const struct pod_entry *e, struct pod **ret,
                   struct ace_error **err)
{
        _cleanup_pod_ struct pod *pod = NULL;
        int fd, r;

        if (e->dir >= POD_DIR_MAX || p->state_fd[e->dir] < 0 || !uuid_canonical(e->uuid))
                return -ENOENT;
        fd = openat(p->state_fd[e->dir], e->uuid, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return -ENOENT;
                return ace_error_errno(err, errno, "opening pod %s", e->uuid);
        }
        pod = xcalloc(1, sizeof(*pod));
        pod->pods = p;
        pod->fd = fd;
        pod->dir = e->dir;
        memcpy(pod->uuid, e->uuid, sizeof(pod->uuid));
        r = pod_refresh(pod, NULL);
        if (r < 0)
                return r == -ENOENT ? -ENOENT : ace_error_errno(err, -r, "pod %s", e->uuid);
        *ret = TAKE_PTR(pod);
        return 0;
}

static int read_names(int state_fd, enum pod_dir d, struct pod_entry **v, size_t *n, size_t *cap,
                      struct ace_error **err)
{
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        /* A fresh open file description: readdir must not share a position with state_fd. */
        int fd = openat(state_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return ace_error_errno(err, errno, "opening pods/%s", dir_names[d]);
        dir = fdopendir(fd);
        if (!dir) {
                int e = errno;
                close(fd);
                return ace_error_errno(err, e, "reading pods/%s", dir_names[d]);
        }
        while ((errno = 0, de = readdir(dir))) {
                if (!uuid_canonical(de->d_name))
                        continue;
                *v = xgrow(*v, cap, *n + 1, sizeof(**v));
                (*v)[*n].dir = d;
                memcpy((*v)[*n].uuid, de->d_name, POD_UUID_LEN + 1);
                (*n)++;
        }
        if (errno)
                return ace_error_errno(err, errno, "reading pods/%s", dir_names[d]);
        return 0;
}

static int entry_cmp(const void *a, const void *b)
{
        const struct pod_entry *x = a, *y = b;
        if (x->dir != y->dir)
                return x->dir < y->dir ? -1 : 1;
        return strcmp(x->uuid, y->uuid);
}

int pods_list(struct pods *p, unsigned dir_mask, struct pod_entry **ret, size_t *ret_n,
              struct ace_error **err)
{
        _cleanup_free_ struct pod_entry *v = NULL;
        size_t n = 0, cap = 0;

        for (int d = 0; d < POD_DIR_MAX; d++) {
                if (!(dir_mask & (1u << d)) || p->state_fd[d] < 0)
                        continue;
                int r = read_names(p->state_fd[d], d, &v, &n, &cap, err);
                if (r < 0)
                        return r;
        }
        if (n)
                qsort(v, n, sizeof(*v), entry_cmp);
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

/* Counts the pods of one state directory whose name starts with `prefix` (names only). The
 * first match is kept in match; a name equal to it (the same pod seen in two directories while
 * it moved) is not counted twice. */
static int scan_prefix(int state_fd, const char *prefix, size_t len, char match[POD_UUID_LEN + 1],
                       size_t *matches)
{
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        int fd = openat(state_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0 || !(dir = fdopendir(fd))) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return -e;
        }
        while ((errno = 0, de = readdir(dir))) {
                if (strncmp(de->d_name, prefix, len) != 0 || !uuid_canonical(de->d_name))
                        continue;
                if (*matches && strcmp(match, de->d_name) == 0)
                        continue;
                if (!*matches)
                        memcpy(match, de->d_name, POD_UUID_LEN + 1);
                (*matches)++;
        }
        return errno ? -errno : 0;
}

int pod_lookup(struct pods *p, const char *uuid_or_prefix, struct pod **ret, struct ace_error **err)
{
        _cleanup_free_ char *lower = NULL;
        char match[POD_UUID_LEN + 1] = "";
        size_t len, matches = 0;

        if (!uuid_or_prefix || !*uuid_or_prefix)
                return ace_error_make(err, EINVAL, "UUID cannot be empty");
        if (pod_uuid_valid(uuid_or_prefix))
                return pod_open(p, uuid_or_prefix, ret, err);
        len = strlen(uuid_or_prefix);
        lower = xstrdup(uuid_or_prefix);
        for (char *c = lower; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        for (int d = 0; d < POD_DIR_MAX && len <= POD_UUID_LEN; d++) {
                if (p->state_fd[d] < 0)
                        continue;
                int r = scan_prefix(p->state_fd[d], lower, len, match, &matches);
                if (r < 0)
                        return ace_error_errno(err, -r, "reading pods/%s", dir_names[d]);
        }
        if (matches == 0)
                return ace_error_make(err, ENOENT, "no matches found for \"%s\"", uuid_or_prefix);
        if (matches > 1)
                return ace_error_make(err, EEXIST, "ambiguous uuid, %zu matches", matches);
        return pod_open(p, match, ret, err);
}

/* ---- lock and transitions ------------------------------------------------------------------- */

int pod_lock(struct pod *pod, bool block, struct ace_error **err)
{
        if (pod->locked)
                return 0;
        if (TEMP_FAILURE_RETRY(flock(pod->fd, LOCK_EX | (block ? 0 : LOCK_NB))) < 0) {
                if (errno == EWOULDBLOCK)
                        return ace_error_make(err, EWOULDBLOCK,
                                              "pod %s is locked by another "
                                              "process",
                                              pod->uuid);
                return ace_error_errno(err, errno, "locking pod %s", pod->uuid);
        }
        pod->locked = true;
        return 0;
}

void pod_unlock(struct pod *pod)
{
        if (!pod->locked)
                return;
        (void)flock(pod->fd, LOCK_UN);
        pod->locked = false;
}

static bool transition_allowed(enum pod_dir from, enum pod_dir to)
{
        switch (from) {
        case POD_DIR_EMBRYO:
                return to == POD_DIR_PREPARE;
        case POD_DIR_PREPARE:
                return to == POD_DIR_PREPARED || to == POD_DIR_RUN || to == POD_DIR_GARBAGE;
        case POD_DIR_PREPARED:
                return to == POD_DIR_RUN || to == POD_DIR_GARBAGE;
        case POD_DIR_RUN:
                return to == POD_DIR_EXITED_GARBAGE;
        default:
                return false;
        }
}

static int transition(struct pod *pod, enum pod_dir to, bool sync, struct ace_error **err);

int pod_transition(struct pod *pod, enum pod_dir to, struct ace_error **err)
{
        return transition(pod, to, true, err);
}

int pod_transition_nosync(struct pod *pod, enum pod_dir to, struct ace_error **err)
{
        return transition(pod, to, false, err);
}

static int transition(struct pod *pod, enum pod_dir to, bool sync, struct ace_error **err)
{
        struct pods *p = pod->pods;
        enum pod_dir from = pod->dir;

        if (to >= POD_DIR_MAX || !transition_allowed(from, to))
                return ace_error_make(err, EINVAL, "pod %s: no transition from %s to %s", pod->uuid,
                                      pod_dir_name(from), pod_dir_name(to));
        if (p->state_fd[from] < 0 || p->state_fd[to] < 0)
                return ace_error_make(err, ENOENT, "pods/%s or pods/%s missing", pod_dir_name(from),
                                      pod_dir_name(to));
        /* RENAME_NOREPLACE: two racing movers have exactly one winner, the other gets ENOENT
         * (source gone) and must treat it as "somebody else did it". */
        if (renameat2(p->state_fd[from], pod->uuid, p->state_fd[to], pod->uuid, RENAME_NOREPLACE) <
            0)
                return ace_error_errno(err, errno, "moving pod %s from %s to %s", pod->uuid,
                                       pod_dir_name(from), pod_dir_name(to));
        pod->dir = to;
        /* Both directory entries changed; make the move durable before anyone acts on it. */
        if (sync && (fsync(p->state_fd[to]) < 0 || fsync(p->state_fd[from]) < 0))
                return ace_error_errno(err, errno, "syncing pods/%s", pod_dir_name(to));
        pod->state = pod_state_from(to, pod->locked);
        return 0;
}

int pod_create(struct pods *p, struct pod **ret, struct ace_error **err)
{
        _cleanup_pod_ struct pod *pod = NULL;
        int fd, r;

        if (p->state_fd[POD_DIR_EMBRYO] < 0 || p->state_fd[POD_DIR_PREPARE] < 0)
                return ace_error_make(err, ENOENT, "pods directory of %s not set up", p->data_dir);
        pod = xcalloc(1, sizeof(*pod));
        pod->pods = p;
        pod->fd = -EBADF;
        pod->dir = POD_DIR_EMBRYO;
        r = pod_uuid_generate(pod->uuid, err);
        if (r < 0)
                return r;
        if (mkdirat(p->state_fd[POD_DIR_EMBRYO], pod->uuid, 0750) < 0)
                return ace_error_errno(err, errno, "creating pod %s", pod->uuid);
        pod->fd = openat(p->state_fd[POD_DIR_EMBRYO], pod->uuid,
                         O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (pod->fd < 0)
                return ace_error_errno(err, errno, "opening pod %s", pod->uuid);
        r = pod_lock(pod, false, err);
        if (r < 0)
                return r;
        /* pod-created's mtime is the creation time (list's CREATED). */
        fd = openat(pod->fd, "pod-created", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (fd < 0)
                return ace_error_errno(err, errno, "creating pod-created of pod %s", pod->uuid);
        close(fd);
        /* No fsync: after a crash a pod in embryo/ or prepare/ is garbage either way. */
        r = pod_transition_nosync(pod, POD_DIR_PREPARE, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pod);
        return 0;
}

char *pod_path(const struct pod *pod)
{
        return xasprintf("%s/pods/%s/%s", pod->pods->data_dir, pod_dir_name(pod->dir), pod->uuid);
}
