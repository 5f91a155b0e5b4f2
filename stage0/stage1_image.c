/* stage1_image.c - choosing and importing the stage1 image of a pod (see stage1_image.h). */
#include "stage0/stage1_image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "stage0/config.h"
#include "stage0/fetch.h"
#include "stage0/lazy_fetcher.h"
#include "stage0/store/store.h"

#define STAGE1_FILE "stage1.aci"

const char *stage1_images_dir(const struct ace_config *cfg)
{
        return cfg && cfg->stage1_images_dir ? cfg->stage1_images_dir : ACE_LIBDIR;
}

static char *absolute(const char *p)
{
        char cwd[PATH_MAX];
        if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
                return xstrdup(p);
        return xasprintf("%s/%s", cwd, p);
}

static bool trusted_location(const char *abs, const struct ace_config *cfg)
{
        const char *dir = stage1_images_dir(cfg);
        size_t n = strlen(dir);

        return strcmp(abs, ACE_LIBDIR "/" STAGE1_FILE) == 0 ||
               (strncmp(abs, dir, n) == 0 && abs[n] == '/');
}

static int fetch(struct lazy_fetcher *f, const char *image, bool skip_verify, char **ret_id,
                 struct ace_error **err)
{
        struct fetch_request req = {.image = image, .skip_verify = skip_verify};
        int r = lazy_fetcher_fetch(f, &req, ret_id, err);
        return r < 0 ? ace_error_wrap(err, "failed to fetch stage1 image %s", image) : 0;
}

/*
 * A trusted stage1 file: reuse the ID recorded for this exact file (same device, inode, size
 * and mtime) when that image is still stored; else import it and record it.
 */
static int from_trusted_file(struct store *s, struct lazy_fetcher *f, const char *path,
                             char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *url = xasprintf("file://%s", path), *tag = NULL;
        struct store_remote *rem = NULL;
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return ace_error_errno(err, errno, "stage1 image %s", path);
        tag = xasprintf("%llx-%llx-%llx-%lld.%09ld", (unsigned long long)st.st_dev,
                        (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
                        (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        if (store_get_remote(s, url, &rem, NULL) == 0) {
                bool hit = rem->etag && strcmp(rem->etag, tag) == 0 && rem->blob_id &&
                           store_has_image(s, rem->blob_id);
                if (hit)
                        *ret_id = xstrdup(rem->blob_id);
                store_remote_free(rem);
                if (hit)
                        return 0;
        }
        r = fetch(f, path, true, ret_id, err);
        if (r < 0)
                return r;
        struct store_remote put = {.url = url, .etag = tag, .blob_id = *ret_id};
        (void)store_put_remote(s, &put, NULL); /* only a cache: failing to record is harmless */
        return 0;
}

static int from_flags(struct store *s, struct lazy_fetcher *f, const struct run_config *c,
                      const struct ace_config *cfg, char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *abs = NULL;

        if (c->stage1_hash) {
                int r = store_find_by_id_prefix(s, c->stage1_hash, ret_id, err);
                return r < 0 ? ace_error_wrap(err, "stage1 image %s", c->stage1_hash) : 0;
        }
        if (c->stage1_name)
                return fetch(f, c->stage1_name, false, ret_id, err);
        if (c->stage1_url)
                return fetch(f, c->stage1_url, false, ret_id, err);
        abs = c->stage1_from_dir ? xasprintf("%s/%s", stage1_images_dir(cfg), c->stage1_from_dir)
                                 : absolute(c->stage1_path);
        if (c->stage1_from_dir && strchr(c->stage1_from_dir, '/'))
                return ace_error_make(err, EINVAL, "--stage1-from-dir wants a file name, got %s",
                                      c->stage1_from_dir);
        if (trusted_location(abs, cfg))
                return from_trusted_file(s, f, abs, ret_id, err);
        return fetch(f, abs, false, ret_id, err);
}

/* stage1 next to the running ace binary (build/ace -> build/stage1.aci). */
static char *next_to_binary(void)
{
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        char *slash;

        if (n <= 0)
                return NULL;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (!slash)
                return NULL;
        *slash = '\0';
        return xasprintf("%s/%s", exe, STAGE1_FILE);
}

int stage1_image_resolve(struct store *s, struct lazy_fetcher *f, const struct run_config *c,
                         const struct ace_config *cfg, char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *fallback = NULL;
        const char *loc = ACE_LIBDIR "/" STAGE1_FILE;

        if (c->stage1_path || c->stage1_name || c->stage1_url || c->stage1_hash ||
            c->stage1_from_dir)
                return from_flags(s, f, c, cfg, ret_id, err);
        if (cfg && cfg->stage1_name && cfg->stage1_version) {
                _cleanup_free_ char *ref =
                    xasprintf("%s:%s", cfg->stage1_name, cfg->stage1_version);
                if (store_resolve(s, ref, ret_id, NULL) == 0)
                        return 0;
        }
        if (cfg && cfg->stage1_location) {
                if (cfg->stage1_location[0] != '/')
                        return fetch(f, cfg->stage1_location, false, ret_id, err);
                loc = cfg->stage1_location;
        }
        if (access(loc, R_OK) == 0)
                return from_trusted_file(s, f, loc, ret_id, err);
        fallback = next_to_binary();
        if (fallback && access(fallback, R_OK) == 0)
                return from_trusted_file(s, f, fallback, ret_id, err);
        return ace_error_make(err, ENOENT,
                              "no stage1 image: neither %s nor %s exists; use --stage1-path or "
                              "--stage1-name",
                              loc, fallback ? fallback : STAGE1_FILE " next to ace");
}
