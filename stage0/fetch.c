/*
 * fetch.c - resolving image strings to stored images: the store, pull policies, discovery,
 * remote rows (ETag, max-age), trust-on-first-use of discovered keys, and dependencies
 * (see fetch.h). The bytes themselves move in fetch_io.c.
 */
#include "stage0/fetch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/kv.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "schema/image_manifest.h"
#include "schema/types.h"
#include "stage0/cli.h"
#include "stage0/config.h"
#include "stage0/store/store.h"
#include "stage0/trust.h"

#define MAX_DEPENDENCY_DEPTH 64

int fetcher_new(struct store *store, const struct fetch_options *o, struct fetcher **ret,
                struct ace_error **err)
{
        struct fetcher *f = xcalloc(1, sizeof(*f));
        struct http_options ho;
        int r;

        f->store = store;
        f->o = *o;
        ace_config_http_options(o->config, o->insecure, &ho);
        ho.progress = o->progress;
        r = http_client_new(&ho, &f->http, err);
        if (r >= 0)
                r = keystore_init(&f->ks, o->system_config, o->local_config, err);
        if (r < 0) {
                fetcher_free(f);
                return r;
        }
        f->tmp_dir = xasprintf("%s/tmp", o->data_dir ? o->data_dir : store_data_dir(store));
        *ret = f;
        return 0;
}

void fetcher_free(struct fetcher *f)
{
        if (!f)
                return;
        http_client_free(f->http);
        keystore_clear(&f->ks);
        free(f->tmp_dir);
        free(f);
}

/* Moves a held error into *err (which may be NULL) and returns its code. */
static int pass_error(struct ace_error **err, struct ace_error **held)
{
        int r = -(*held)->code;

        if (err) {
                ace_error_free(*err);
                *err = TAKE_PTR(*held);
        }
        return r;
}

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* rkt's useCached: a positive max-age that has not run out since the download. */
static bool remote_fresh(const struct store_remote *r)
{
        return r->cache_max_age > 0 &&
               now_ns() - r->download_time < r->cache_max_age * 1000000000LL;
}

/* <image minus .aci>.aci.asc, for a path or a URL (rkt's ascURLFromImgURL). */
static char *asc_location(const char *image)
{
        size_t l = strlen(image), q = strcspn(image, "?#");
        const char *rest = image + q;
        size_t base = q >= 4 && strncmp(image + q - 4, ".aci", 4) == 0 ? q - 4 : q;

        (void)l;
        return xasprintf("%.*s.aci.asc%s", (int)base, image, rest);
}

/* What to fetch from a remote URL and what the result must satisfy. */
struct remote_fetch {
        const char *url;
        const char *asc; /* signature URL, or a local file when asc_local */
        bool asc_local;
        bool verify;
        const char *expected_id;
        bool latest;
        const char *name;                /* requested name (discovery), or NULL for a URL */
        const struct discovery_app *app; /* requested labels (discovery) */
};

/* Trust-on-first-use (rkt nameFetcher.maybeFetchPubKeys): with no key for the name yet, the
 * name's ac-discovery-pubkeys are offered for review. Failures here are not fatal: the
 * signature check that follows decides. */
static void maybe_trust_keys(struct fetcher *f, const char *name)
{
        _cleanup_error_ struct ace_error *e = NULL;
        _cleanup_strv_free_ char **locs = NULL, **usable = NULL;
        struct trusted_key_list l;
        struct trust_options to = {
            .ks = &f->ks,
            .http = f->http,
            .trust_keys_from_https = f->o.trust_keys_from_https,
            .ui = {.out = f->o.ui.out,
                   .diag = f->o.ui.diag,
                   .review = f->o.ui.review_key,
                   .userdata = f->o.ui.userdata},
        };

        if (keystore_keys_for_name(&f->ks, name, &l, &e) < 0) {
                fetch_diag(f, "image: error checking for existing keys: %s", ace_error_msg(e));
                return;
        }
        if (l.n > 0) {
                trusted_key_list_clear(&l);
                fetch_diag(f, "image: keys already exist for prefix \"%s\", not fetching again",
                           name);
                return;
        }
        trusted_key_list_clear(&l);
        if (trust_discover_locations(&to, name, &locs, &e) < 0) {
                fetch_diag(f, "image: error determining key location: %s", ace_error_msg(e));
                return;
        }
        /* Keys over plain http only with --insecure-options=pubkey (and http). */
        usable = xcalloc(1, sizeof(char *));
        for (char **k = locs; *k; k++) {
                if (strncmp(*k, "http://", 7) == 0 && !(f->o.insecure & INSECURE_PUBKEY)) {
                        fetch_diag(f,
                                   "image: not fetching key %s over plain http (needs "
                                   "--insecure-options=pubkey,http)",
                                   *k);
                        continue;
                }
                usable = strv_push(usable, *k);
        }
        if (trust_add_keys(&to, usable, name, &e) < 0)
                fetch_diag(f, "image: error adding keys: %s", ace_error_msg(e));
}

/* Makes the cached image of a remote row current again after a 304. */
static int refresh_remote(struct fetcher *f, const struct store_remote *rem,
                          const struct http_response *resp, struct ace_error **err)
{
        struct store_remote upd = *rem;

        upd.download_time = now_ns();
        upd.cache_max_age = resp->max_age;
        if (resp->etag)
                upd.etag = resp->etag;
        return store_put_remote(f->store, &upd, err);
}

/* Render at fetch time, as rkt did: the rootfs is extracted into the tree store while the
 * image streams into the store, so the first `ace run` of it extracts nothing. Only as root
 * (a tree keeps the image's owners); the store drops the extraction of an image that cannot
 * be rendered alone (dependencies, a pathWhitelist) and store_render() does that later. */
static bool render_in_pass(void)
{
        return geteuid() == 0;
}

static int fetch_remote_verified(struct fetcher *f, const struct remote_fetch *rf,
                                 const struct store_remote *rem, char **ret_id,
                                 struct ace_error **err)
{
        struct fetch_sig sig = {.location = xstrdup(rf->asc), .remote = !rf->asc_local};
        struct pgp_verify_result vr = {0};
        struct http_response resp = {0};
        _cleanup_strv_free_ char **keys = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *etag = rem ? rem->etag : NULL;
        int r;

        /* Keys for the requested name; for a bare URL any trusted key, and the signer is
         * checked against the manifest's name before the import is committed. */
        r = fetch_trusted_keys(f, rf->name, &keys, err);
        if (r >= 0)
                r = fetch_sig_get(f, &sig, err);
        if (r >= 0)
                r = fetch_spool_open(f, &fd, err);
        if (r >= 0 && !sig.deferred) {
                r = fetch_download_verify(f, rf->url, etag, fd, keys, &sig, &resp, &vr, err);
        } else if (r >= 0) {
                /* The signature comes after the image: download, ask again, then verify. */
                r = fetch_download(f, rf->url, etag, fd, &resp, err);
                if (r >= 0 && resp.status != 304)
                        r = fetch_sig_retry(f, &sig, err);
                if (r >= 0 && resp.status != 304)
                        r = fetch_verify(f, keys, fd, &sig, &vr, err);
        }
        if (r < 0)
                goto out;
        if (resp.status == 304) {
                log_debug("image: %s not modified, using the stored image", rf->url);
                r = refresh_remote(f, rem, &resp, err);
                if (r >= 0)
                        *ret_id = xstrdup(rem->blob_id);
                goto out;
        }
        struct store_remote remote = {
            .url = (char *)rf->url,
            .sig_url = sig.remote ? sig.location : NULL,
            .etag = resp.etag,
            .cache_max_age = resp.max_age,
            .download_time = now_ns(),
        };
        struct store_import_opts io = {
            .expected_id = rf->expected_id,
            .latest = rf->latest,
            .remote = &remote,
            .render = render_in_pass(),
        };
        struct fetch_checks checks = {
            .name = rf->name,
            .app = rf->app,
            .signer = rf->name ? NULL : vr.fingerprint,
        };
        r = fetch_import_fd(f, fd, &io, &checks, ret_id, err);
        if (r >= 0)
                fetch_report_verified(f, &vr);
out:
        http_response_clear(&resp);
        pgp_verify_result_clear(&vr);
        fetch_sig_clear(&sig);
        return r;
}

static int fetch_remote_unverified(struct fetcher *f, const struct remote_fetch *rf,
                                   const struct store_remote *rem, char **ret_id,
                                   struct ace_error **err)
{
        struct http_response resp = {0};
        struct store_remote remote = {.url = (char *)rf->url, .download_time = now_ns()};
        struct store_import_opts io = {
            .expected_id = rf->expected_id,
            .latest = rf->latest,
            .remote = &remote,
            .render = render_in_pass(),
        };
        struct fetch_checks checks = {.name = rf->name, .app = rf->app};
        int r;

        /* The remote row is written in the import's transaction; its ETag and max-age come
         * from the response, which is known once the body starts: a sink sees them set. */
        r = fetch_stream_import(f, rf->url, rem ? rem->etag : NULL, &io, &checks, ret_id, &resp,
                                err);
        if (r >= 0 && resp.status == 304) {
                log_debug("image: %s not modified, using the stored image", rf->url);
                r = refresh_remote(f, rem, &resp, err);
                if (r >= 0)
                        *ret_id = xstrdup(rem->blob_id);
        } else if (r >= 0 && (resp.etag || resp.max_age)) {
                /* Record the cache data the response carried. */
                remote.etag = resp.etag;
                remote.cache_max_age = resp.max_age;
                remote.blob_id = *ret_id;
                r = store_put_remote(f->store, &remote, err);
        }
        http_response_clear(&resp);
        return r;
}

static int fetch_remote(struct fetcher *f, const struct remote_fetch *rf, char **ret_id,
                        struct ace_error **err)
{
        _cleanup_error_ struct ace_error *e = NULL;
        struct store_remote *rem = NULL;
        int r;

        if (store_get_remote(f->store, rf->url, &rem, &e) < 0 && e->code != ENOENT)
                return pass_error(err, &e);
        if (rem && (!rem->blob_id || !store_has_image(f->store, rem->blob_id) ||
                    (rf->expected_id && strcmp(rem->blob_id, rf->expected_id) != 0))) {
                store_remote_free(rem);
                rem = NULL;
        }
        if (rem && (f->o.pull_policy != PULL_POLICY_UPDATE || remote_fresh(rem))) {
                log_debug("image: using image from local store for URL %s", rf->url);
                *ret_id = xstrdup(rem->blob_id);
                store_remote_free(rem);
                return 0;
        }
        if (f->o.pull_policy == PULL_POLICY_NEVER) {
                store_remote_free(rem);
                return ace_error_make(err, ENOENT,
                                      "unable to fetch image from URL \"%s\": it is not in the "
                                      "store and the pull policy is never",
                                      rf->url);
        }
        log_debug("image: remote fetching from URL \"%s\"", rf->url);
        if (f->o.insecure & INSECURE_TLS)
                fetch_diag(f, "image: warning: TLS verification has been disabled");
        /* Only when the user turned verification off: the default stage1 skips it silently. */
        if (!rf->verify && !f->quiet_unverified)
                fetch_diag(f, "image: warning: image signature verification has been disabled");
        r = rf->verify ? fetch_remote_verified(f, rf, rem, ret_id, err)
                       : fetch_remote_unverified(f, rf, rem, ret_id, err);
        store_remote_free(rem);
        return r;
}

static int fetch_path(struct fetcher *f, const char *image, const char *signature, bool verify,
                      const char *expected_id, char **ret_id, struct ace_error **err)
{
        const char *path = strncmp(image, "file://", 7) == 0 ? image + 7 : image;
        struct store_import_opts io = {.expected_id = expected_id, .render = render_in_pass()};
        struct pgp_verify_result vr = {0};
        struct fetch_sig sig = {0};
        _cleanup_strv_free_ char **keys = NULL;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        int r;

        if (fd < 0)
                return ace_error_errno(err, errno, "opening image file %s", path);
        log_debug("image: using image from file %s", path);
        if (!verify) {
                if (!f->quiet_unverified)
                        fetch_diag(f, "image: warning: image signature verification has been "
                                      "disabled");
                return fetch_import_fd(f, fd, &io, NULL, ret_id, err);
        }
        /* A local file is always read (any pull policy); its signature sits next to it. */
        sig.location = signature ? xstrdup(signature) : asc_location(path);
        r = fetch_sig_get(f, &sig, err);
        if (r >= 0)
                r = fetch_trusted_keys(f, NULL, &keys, err);
        if (r >= 0)
                r = fetch_verify(f, keys, fd, &sig, &vr, err);
        if (r >= 0) {
                struct fetch_checks checks = {.signer = vr.fingerprint};
                r = fetch_import_fd(f, fd, &io, &checks, ret_id, err);
                if (r >= 0)
                        fetch_report_verified(f, &vr);
        }
        pgp_verify_result_clear(&vr);
        fetch_sig_clear(&sig);
        return r;
}

static int fetch_url(struct fetcher *f, const char *url, const char *signature, bool verify,
                     const char *expected_id, char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *asc = signature ? xstrdup(signature) : asc_location(url);
        struct remote_fetch rf = {
            .url = url,
            .asc = asc,
            .asc_local = signature != NULL,
            .verify = verify,
            .expected_id = expected_id,
        };

        return fetch_remote(f, &rf, ret_id, err);
}

static void app_labels_to_kv(const struct discovery_app *app, struct ace_kv_list *kv)
{
        *kv = (struct ace_kv_list){0};
        for (char **l = app->labels; l && *l; l++) {
                _cleanup_free_ char *k = xstrdup(*l);
                char *eq = strchr(k, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                ace_kv_set(kv, k, eq + 1);
        }
}

/* The labels of a name are checked (known os/arch pairs, no "name" label...) before use. */
static int validate_labels(const struct discovery_app *app, const char *desc,
                           struct ace_error **err)
{
        struct ace_kv_list kv = {0};
        int r;

        app_labels_to_kv(app, &kv);
        r = ace_labels_validate(&kv, "labels", err);
        ace_kv_list_clear(&kv);
        return r < 0 ? ace_error_wrap(err, "invalid appc image string %s", desc) : 0;
}

/* The store lookup of a name (policies new and never). 1: found, 0: not stored, < 0: error. */
static int find_in_store(struct fetcher *f, const struct discovery_app *app, const char *desc,
                         char **ret_id, struct ace_error **err)
{
        _cleanup_error_ struct ace_error *e = NULL;
        struct ace_kv_list kv = {0};
        int r;

        app_labels_to_kv(app, &kv);
        r = store_find_by_name(f->store, app->name, &kv, STORE_FIND_HOST_OSARCH, ret_id, &e);
        ace_kv_list_clear(&kv);
        if (r >= 0) {
                log_debug("image: using image from local store for image name %s", desc);
                return 1;
        }
        return e->code == ENOENT ? 0 : pass_error(err, &e);
}

/* Discovery of the app's endpoints: a copy of the first http(s) one in *ret. */
static int discover_endpoint(struct fetcher *f, const struct discovery_app *app,
                             struct discovery_endpoint *ret, struct ace_error **err)
{
        struct discovery_options dopt = {.http = f->http};
        struct discovery_result dr = {0};
        int r;

        log_debug("image: searching for app image %s", app->name);
        r = discovery_find_endpoints(&dopt, app, &dr, err);
        for (size_t i = 0; i < dr.n_attempts; i++)
                log_debug("meta tag 'ac-discovery' not found on %s: %s", dr.attempts[i].prefix,
                          dr.attempts[i].error);
        if (r < 0) {
                discovery_result_clear(&dr);
                return ace_error_wrap(err, "discovery failed for \"%s\"", app->name);
        }
        /* The first endpoint we can fetch over http(s) (rkt uses the first one). */
        for (size_t i = 0; i < dr.n_endpoints && !ret->aci; i++)
                if (strncmp(dr.endpoints[i].aci, "https://", 8) == 0 ||
                    strncmp(dr.endpoints[i].aci, "http://", 7) == 0) {
                        ret->aci = xstrdup(dr.endpoints[i].aci);
                        ret->asc = xstrdup(dr.endpoints[i].asc);
                }
        discovery_result_clear(&dr);
        if (!ret->aci)
                return ace_error_make(
                    err, ENOENT, "discovery failed for \"%s\": no http(s) endpoint", app->name);
        return 0;
}

/* Fetches an appc name (with labels) through the store or discovery. For a dependency with an
 * imageID, expected_id is set and the store lookup by name is skipped (the ID decides). */
static int fetch_app(struct fetcher *f, struct discovery_app *app, const char *signature,
                     bool verify, const char *expected_id, char **ret_id, struct ace_error **err)
{
        _cleanup_free_ char *desc = NULL;
        struct discovery_endpoint ep = {0};
        bool latest = !discovery_app_label(app, "version");
        int r;

        /* rkt's setAppDefaults: the host's os and arch unless given. */
        if (!discovery_app_label(app, "os"))
                discovery_app_set_label(app, "os", store_host_os());
        if (!discovery_app_label(app, "arch"))
                discovery_app_set_label(app, "arch", store_host_arch());
        desc = discovery_app_to_string(app);
        r = validate_labels(app, desc, err);
        if (r < 0)
                return r;
        if (f->o.pull_policy != PULL_POLICY_UPDATE && !expected_id) {
                r = find_in_store(f, app, desc, ret_id, err);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        if (f->o.pull_policy == PULL_POLICY_NEVER)
                return ace_error_make(err, ENOENT,
                                      "unable to fetch image from image name %s: it is not in the "
                                      "store and the pull policy is never",
                                      desc);
        r = discover_endpoint(f, app, &ep, err);
        if (r < 0)
                return r;
        if (verify && !signature)
                maybe_trust_keys(f, app->name);
        struct remote_fetch rf = {
            .url = ep.aci,
            .asc = signature ? signature : ep.asc,
            .asc_local = signature != NULL,
            .verify = verify,
            .expected_id = expected_id,
            .latest = latest,
            .name = app->name,
            .app = app,
        };
        r = fetch_remote(f, &rf, ret_id, err);
        free(ep.aci);
        free(ep.asc);
        return r;
}

static int fetch_one(struct fetcher *f, const struct fetch_request *req, bool verify, char **ret_id,
                     struct ace_error **err);

/* Fetches the dependencies of a stored image, recursively (rkt fetchImageDeps). */
static int fetch_deps(struct fetcher *f, const char *id, bool verify, struct ace_error **err)
{
        struct ace_image_manifest *m = NULL;
        int r;

        if (f->depth >= MAX_DEPENDENCY_DEPTH)
                return ace_error_make(err, ELOOP,
                                      "dependencies nested deeper than %d levels (a cycle?)",
                                      MAX_DEPENDENCY_DEPTH);
        r = store_get_manifest(f->store, id, &m, err);
        if (r < 0)
                return r;
        f->depth++;
        for (size_t i = 0; i < m->dependencies.n && r >= 0; i++) {
                const struct ace_dependency *d = &m->dependencies.items[i];
                struct discovery_app app = {.name = xstrdup(d->image_name)};
                _cleanup_free_ char *dep_id = NULL;

                for (size_t j = 0; j < d->labels.n; j++)
                        discovery_app_set_label(&app, d->labels.items[j].name,
                                                d->labels.items[j].value);
                if (d->image_id && store_has_image(f->store, d->image_id)) {
                        dep_id = xstrdup(d->image_id);
                        r = 0;
                } else {
                        r = fetch_app(f, &app, NULL, verify, d->image_id, &dep_id, err);
                }
                if (r >= 0)
                        r = fetch_deps(f, dep_id, verify, err);
                if (r < 0)
                        ace_error_wrap(err, "dependency %s of image %s", d->image_name, m->name);
                discovery_app_clear(&app);
        }
        f->depth--;
        ace_image_manifest_free(m);
        return r;
}

static int fetch_one(struct fetcher *f, const struct fetch_request *req, bool verify, char **ret_id,
                     struct ace_error **err)
{
        struct discovery_app app;
        int r;

        switch (image_string_classify(req->image)) {
        case IMAGE_KIND_ID:
                return store_find_by_id_prefix(f->store, req->image, ret_id, err);
        case IMAGE_KIND_PATH:
                return fetch_path(f, req->image, req->signature, verify, req->expected_id, ret_id,
                                  err);
        case IMAGE_KIND_URL:
                return fetch_url(f, req->image, req->signature, verify, req->expected_id, ret_id,
                                 err);
        case IMAGE_KIND_NAME:
                r = discovery_app_parse(req->image, &app, err);
                if (r < 0)
                        return ace_error_wrap(err, "invalid appc image string \"%s\"", req->image);
                r = fetch_app(f, &app, req->signature, verify, req->expected_id, ret_id, err);
                discovery_app_clear(&app);
                return r;
        case IMAGE_KIND_DOCKER:
                return ace_error_make(err, EPROTONOSUPPORT, "docker images are not supported: %s",
                                      req->image);
        case IMAGE_KIND_INVALID:
        default:
                return ace_error_make(err, EINVAL, "invalid image string \"%s\"", req->image);
        }
}

int fetcher_fetch(struct fetcher *f, const struct fetch_request *req, char **ret_id,
                  struct ace_error **err)
{
        bool verify = !(f->o.insecure & INSECURE_IMAGE) && !req->skip_verify;
        _cleanup_free_ char *id = NULL;
        int r;

        *ret_id = NULL;
        f->quiet_unverified = req->skip_verify;
        r = fetch_one(f, req, verify, &id, err);
        if (r < 0)
                return r;
        if (req->expected_id && strcmp(id, req->expected_id) != 0)
                return ace_error_make(err, EBADMSG, "image %s is %s, expected %s", req->image, id,
                                      req->expected_id);
        if (!f->o.no_deps) {
                r = fetch_deps(f, id, verify, err);
                if (r < 0)
                        return r;
        }
        *ret_id = TAKE_PTR(id);
        return 0;
}
