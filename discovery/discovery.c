/*
 * discovery.c - the network half of appc discovery: fetch the discovery page of each prefix of
 * the name (https first, then plain http only when the client allows it, as the reference's
 * httpsOrHTTP), parse its meta tags and stop at the first prefix that gives what is looked for.
 * A prefix whose page cannot be fetched (transport error, non-200) is recorded as an attempt
 * and the walk moves to the parent; a page without matching tags simply moves on.
 */
#include "discovery/discovery.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "discovery/http.h"

/* Discovery pages are small HTML documents. */
#define DISCOVERY_MAX_PAGE (1u << 20)

static int fetch_page_scheme(const struct discovery_options *o, const char *scheme,
                             const char *prefix, char **ret, size_t *ret_len,
                             struct ace_error **err)
{
        _cleanup_free_ char *url = discovery_url(scheme, prefix, o->port);
        struct http_response resp;
        int r;

        r = http_get_buffer(o->http, url, DISCOVERY_MAX_PAGE, ret, ret_len, &resp, err);
        if (r < 0 && resp.status > 0) {
                /* The reference's wording for a non-200 discovery page. */
                r = ace_error_make(err, resp.status >= 400 && resp.status < 500 ? ENOENT : EIO,
                                   "expected a 200 OK got %ld", resp.status);
        }
        http_response_clear(&resp);
        return r;
}

static int fetch_page(const struct discovery_options *o, const char *prefix, char **ret,
                      size_t *ret_len, struct ace_error **err)
{
        int r = fetch_page_scheme(o, "https", prefix, ret, ret_len, err);

        if (r >= 0 || !http_client_allows_http(o->http))
                return r;
        log_debug("discovery of %s over https failed (%s), trying http", prefix,
                  ace_error_msg(err ? *err : NULL));
        return fetch_page_scheme(o, "http", prefix, ret, ret_len, err);
}

static void add_attempt(struct discovery_result *r, const char *prefix, const char *msg)
{
        r->attempts = xrealloc(r->attempts, (r->n_attempts + 1) * sizeof(*r->attempts));
        r->attempts[r->n_attempts++] = (struct discovery_attempt){
            .prefix = xstrdup(prefix),
            .error = xstrdup(msg),
        };
}

static int walk(const struct discovery_options *o, const struct discovery_app *app, bool want_keys,
                struct discovery_result *ret, struct ace_error **err)
{
        _cleanup_strv_free_ char **prefixes = discovery_prefixes(app->name);
        struct discovery_result acc = {0};

        *ret = (struct discovery_result){0};
        for (char **p = prefixes; *p; p++) {
                _cleanup_error_ struct ace_error *e = NULL;
                _cleanup_free_ char *page = NULL;
                struct discovery_meta_list metas = {0};
                size_t len = 0;
                int r;

                r = fetch_page(o, *p, &page, &len, &e);
                if (r < 0) {
                        add_attempt(ret, *p, ace_error_msg(e));
                        continue;
                }
                r = discovery_meta_parse(page, len, &metas, err);
                if (r >= 0)
                        r = discovery_collect(&metas, app, &acc, err);
                discovery_meta_list_clear(&metas);
                if (r < 0) {
                        discovery_result_clear(&acc);
                        return r;
                }
                if (want_keys ? strv_length(acc.pubkeys) > 0 : acc.n_endpoints > 0) {
                        /* Keep the attempts of the walk, take this page's findings. */
                        ret->endpoints = TAKE_PTR(acc.endpoints);
                        ret->n_endpoints = acc.n_endpoints;
                        ret->pubkeys = TAKE_PTR(acc.pubkeys);
                        acc.n_endpoints = 0;
                        discovery_result_clear(&acc);
                        return 0;
                }
                discovery_result_clear(&acc);
        }
        return ace_error_make(err, ENOENT, "discovery failed");
}

int discovery_find_endpoints(const struct discovery_options *o, const struct discovery_app *app,
                             struct discovery_result *ret, struct ace_error **err)
{
        return walk(o, app, false, ret, err);
}

int discovery_find_pubkeys(const struct discovery_options *o, const struct discovery_app *app,
                           struct discovery_result *ret, struct ace_error **err)
{
        return walk(o, app, true, ret, err);
}
