/*
 * keystore.c - rkt's trust store layout with whole-component prefix matching (see keystore.h).
 *
 * The keys for an image name are gathered in rkt's layer order (system root.d, local root.d,
 * then for each ancestor prefix of the name, shortest first, the system and the local
 * prefix.d directory) into a map keyed by fingerprint: a later file replaces an earlier one,
 * an empty file removes it. Key contents are not parsed here: the verifier imports exactly
 * these files and then requires the signer's fingerprint to be one of their names, so a file
 * whose content is another key than its name says can never make a signature pass.
 */
#include "stage0/keystore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "stage0/pgp.h"

#define TRUSTED_KEY_MAX (1u << 20)

int keystore_init(struct keystore *ks, const char *system_config, const char *local_config,
                  struct ace_error **err)
{
        *ks = (struct keystore){0};
        if (!local_config || !*local_config)
                return ace_error_make(err, EINVAL, "no local configuration directory for keys");
        if (system_config && *system_config)
                ks->system_dir = xasprintf("%s/trustedkeys", system_config);
        ks->local_dir = xasprintf("%s/trustedkeys", local_config);
        return 0;
}

void keystore_clear(struct keystore *ks)
{
        free(ks->system_dir);
        free(ks->local_dir);
        *ks = (struct keystore){0};
}

bool trust_prefix_matches(const char *prefix, const char *name)
{
        size_t l = strlen(prefix);

        if (l == 0 || strncmp(prefix, name, l) != 0)
                return false;
        return name[l] == '\0' || name[l] == '/';
}

static bool is_alnum_lower(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int trust_prefix_validate(const char *prefix, struct ace_error **err)
{
        const char *p = prefix;

        if (!prefix || !*prefix)
                return ace_error_make(err, EINVAL, "empty prefix");
        if (strstr(prefix, "://"))
                return ace_error_make(err, EINVAL, "--prefix must not contain a URL scheme");
        /* The AC Identifier grammar ^[a-z0-9]+([-._~/][a-z0-9]+)*$ : it also rules out empty,
         * "." and ".." path components, so a prefix is always a safe relative path. */
        while (*p) {
                if (!is_alnum_lower(*p))
                        goto bad;
                while (is_alnum_lower(*p))
                        p++;
                if (!*p)
                        break;
                if (!strchr("-._~/", *p) || !is_alnum_lower(p[1]))
                        goto bad;
                p++;
        }
        return 0;
bad:
        return ace_error_make(err, EINVAL,
                              "invalid prefix \"%s\": not an AC identifier (lowercase letters, "
                              "digits and -._~/ between them)",
                              prefix);
}

static bool is_fingerprint(const char *s)
{
        size_t i;

        for (i = 0; s[i]; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return i == 40;
}

void trusted_key_list_clear(struct trusted_key_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].fingerprint);
                free(l->items[i].path);
                free(l->items[i].prefix);
        }
        free(l->items);
        *l = (struct trusted_key_list){0};
}

static void list_remove(struct trusted_key_list *l, size_t i)
{
        free(l->items[i].fingerprint);
        free(l->items[i].path);
        free(l->items[i].prefix);
        memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof(l->items[0]));
        l->n--;
}

/* Finds an entry by fingerprint and (when match_prefix) by scope. */
static ssize_t list_find(const struct trusted_key_list *l, const char *fpr, bool match_prefix,
                         const char *prefix)
{
        for (size_t i = 0; i < l->n; i++) {
                if (strcmp(l->items[i].fingerprint, fpr) != 0)
                        continue;
                if (match_prefix && (!l->items[i].prefix != !prefix ||
                                     (prefix && strcmp(l->items[i].prefix, prefix) != 0)))
                        continue;
                return (ssize_t)i;
        }
        return -1;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * Applies the key files of one directory to the list: a non-empty file adds or replaces its
 * fingerprint, an empty one removes it. `scoped` limits replacing and masking to entries of the
 * same prefix (listing); otherwise any entry with the fingerprint is affected (keyring load).
 * Subdirectories are skipped; a missing directory is fine.
 */
static int apply_dir(struct trusted_key_list *l, const char *dir, const char *prefix, bool system,
                     bool scoped, struct ace_error **err)
{
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent **ents = NULL;
        int n, r = 0;

        if (dfd < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                return ace_error_errno(err, errno, "opening trust store directory %s", dir);
        }
        n = scandirat(dfd, ".", &ents, NULL, cmp_names);
        if (n < 0)
                return ace_error_errno(err, errno, "reading trust store directory %s", dir);
        for (int i = 0; i < n && r >= 0; i++) {
                const char *name = ents[i]->d_name;
                struct stat st;
                ssize_t at;

                if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (!is_fingerprint(name)) {
                        r = ace_error_make(err, EINVAL,
                                           "unexpected file %s/%s in the trust store (key files "
                                           "are named by their 40-hex fingerprint)",
                                           dir, name);
                        break;
                }
                at = list_find(l, name, scoped, prefix);
                if (st.st_size == 0) {
                        /* A mask: un-trust this fingerprint from the layers before. */
                        if (at >= 0)
                                list_remove(l, (size_t)at);
                        continue;
                }
                if (at < 0) {
                        l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
                        at = (ssize_t)l->n++;
                } else {
                        free(l->items[at].fingerprint);
                        free(l->items[at].path);
                        free(l->items[at].prefix);
                }
                l->items[at] = (struct trusted_key){
                    .fingerprint = xstrdup(name),
                    .path = xasprintf("%s/%s", dir, name),
                    .prefix = prefix ? xstrdup(prefix) : NULL,
                    .system = system,
                };
        }
        for (int i = 0; i < n; i++)
                free(ents[i]);
        free(ents);
        return r;
}

int keystore_keys_for_name(const struct keystore *ks, const char *name,
                           struct trusted_key_list *ret, struct ace_error **err)
{
        struct trusted_key_list l = {0};
        _cleanup_strv_free_ char **parts = NULL;
        const char *layers[] = {ks->system_dir, ks->local_dir};
        int r;

        *ret = l;
        r = trust_prefix_validate(name, err);
        if (r < 0)
                return ace_error_wrap(err, "image name");
        for (size_t i = 0; i < ARRAY_SIZE(layers); i++) {
                _cleanup_free_ char *d = NULL;
                if (!layers[i])
                        continue;
                d = xasprintf("%s/root.d", layers[i]);
                r = apply_dir(&l, d, NULL, i == 0, false, err);
                if (r < 0)
                        goto fail;
        }
        /* Every ancestor prefix by whole components: a.test, a.test/app, a.test/app/x. */
        parts = strv_split(name, "/", false);
        for (size_t depth = 1; depth <= strv_length(parts); depth++) {
                char *saved = parts[depth];
                _cleanup_free_ char *prefix = NULL;

                parts[depth] = NULL;
                prefix = strv_join(parts, "/");
                parts[depth] = saved;
                for (size_t i = 0; i < ARRAY_SIZE(layers); i++) {
                        _cleanup_free_ char *d = NULL;
                        if (!layers[i])
                                continue;
                        d = xasprintf("%s/prefix.d/%s", layers[i], prefix);
                        r = apply_dir(&l, d, prefix, i == 0, false, err);
                        if (r < 0)
                                goto fail;
                }
        }
        *ret = l;
        return 0;
fail:
        trusted_key_list_clear(&l);
        return r;
}

/* Walks prefix.d/<prefix>/... of one layer, depth first, applying each directory. */
static int list_prefixes(struct trusted_key_list *l, const char *base, const char *prefix,
                         bool system, unsigned depth, struct ace_error **err)
{
        _cleanup_free_ char *dir = prefix ? xasprintf("%s/%s", base, prefix) : xstrdup(base);
        _cleanup_close_ int dfd = -EBADF;
        struct dirent **ents = NULL;
        int n, r = 0;

        if (depth > 64)
                return ace_error_make(err, ELOOP, "trust store too deep at %s", dir);
        if (prefix) {
                r = apply_dir(l, dir, prefix, system, true, err);
                if (r < 0)
                        return r;
        }
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : ace_error_errno(err, errno, "opening %s", dir);
        n = scandirat(dfd, ".", &ents, NULL, cmp_names);
        if (n < 0)
                return ace_error_errno(err, errno, "reading %s", dir);
        for (int i = 0; i < n && r >= 0; i++) {
                struct stat st;
                const char *name = ents[i]->d_name;
                if (name[0] == '.' || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISDIR(st.st_mode))
                        continue;
                _cleanup_free_ char *sub =
                    prefix ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
                r = list_prefixes(l, base, sub, system, depth + 1, err);
        }
        for (int i = 0; i < n; i++)
                free(ents[i]);
        free(ents);
        return r;
}

static int cmp_keys(const void *a, const void *b)
{
        const struct trusted_key *x = a, *y = b;
        int c;

        if (!x->prefix != !y->prefix)
                return x->prefix ? 1 : -1;
        c = x->prefix ? strcmp(x->prefix, y->prefix) : 0;
        return c ? c : strcmp(x->fingerprint, y->fingerprint);
}

int keystore_list(const struct keystore *ks, struct trusted_key_list *ret, struct ace_error **err)
{
        struct trusted_key_list l = {0};
        const char *layers[] = {ks->system_dir, ks->local_dir};
        int r = 0;

        *ret = l;
        for (size_t i = 0; i < ARRAY_SIZE(layers) && r >= 0; i++) {
                _cleanup_free_ char *d = NULL;
                if (!layers[i])
                        continue;
                d = xasprintf("%s/root.d", layers[i]);
                r = apply_dir(&l, d, NULL, i == 0, true, err);
        }
        for (size_t i = 0; i < ARRAY_SIZE(layers) && r >= 0; i++) {
                _cleanup_free_ char *d = NULL;
                if (!layers[i])
                        continue;
                d = xasprintf("%s/prefix.d", layers[i]);
                r = list_prefixes(&l, d, NULL, i == 0, 0, err);
        }
        if (r < 0) {
                trusted_key_list_clear(&l);
                return r;
        }
        if (l.n)
                qsort(l.items, l.n, sizeof(l.items[0]), cmp_keys);
        *ret = l;
        return 0;
}

int keystore_store(const struct keystore *ks, const char *prefix, const char *armored, size_t len,
                   char **ret_path, struct ace_error **err)
{
        _cleanup_free_ char *sub = NULL, *cfg = NULL;
        _cleanup_close_ int cfgfd = -EBADF, dfd = -EBADF;
        struct pgp_key_info info;
        size_t l;
        int r;

        if (prefix) {
                r = trust_prefix_validate(prefix, err);
                if (r < 0)
                        return r;
        }
        if (len > TRUSTED_KEY_MAX)
                return ace_error_make(err, EFBIG, "key larger than %u bytes", TRUSTED_KEY_MAX);
        r = pgp_key_inspect(armored, len, &info, err);
        if (r < 0)
                return r;
        /* The local config dir itself (e.g. /etc/ace) may not exist yet on a fresh machine. */
        l = strlen(ks->local_dir) - strlen("/trustedkeys");
        cfg = xstrndup(ks->local_dir, l);
        if (mkdir(cfg, 0755) < 0 && errno != EEXIST) {
                r = ace_error_errno(err, errno, "creating %s", cfg);
                goto out;
        }
        cfgfd = open(cfg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cfgfd < 0) {
                r = ace_error_errno(err, errno, "opening %s", cfg);
                goto out;
        }
        sub = prefix ? xasprintf("trustedkeys/prefix.d/%s", prefix) : xstrdup("trustedkeys/root.d");
        r = fs_mkdir_p_at(cfgfd, sub, 0755, 0, &dfd, err);
        if (r < 0)
                goto out;
        r = fs_write_file_atomic_at(dfd, info.fingerprint, armored, len, 0644, err);
        if (r < 0)
                goto out;
        *ret_path = xasprintf("%s/%s/%s", cfg, sub, info.fingerprint);
        r = 0;
out:
        pgp_key_info_clear(&info);
        return r;
}
