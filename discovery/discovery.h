/*
 * discovery.h - appc image discovery (appc-spec/discovery.md): meta tags, URL templates,
 * endpoint and public-key discovery.
 *
 * For an app `example.com/a/b` with labels, the discovery URL of each prefix
 * (`example.com/a/b`, `example.com/a`, `example.com`) is fetched in turn as
 * `https://{prefix}?ac-discovery=1` (plain http afterwards only when the HTTP client allows
 * it); the HTML is parsed with libxml2's HTML parser and its
 *   <meta name="ac-discovery" content="PREFIX URL-TEMPLATE">
 *   <meta name="ac-discovery-pubkeys" content="PREFIX URL">
 * tags whose PREFIX is a string prefix of the app name (the reference's rule; the page's host
 * is authoritative for every name under it) are collected. Templates are rendered with {name},
 * {version} (default "latest"), {os}, {arch}, any other label and {ext} (aci / aci.asc); a
 * template with a variable left unrendered is skipped. The walk stops at the first prefix that
 * yields what is looked for (endpoints, or public keys: two independent walks as in the
 * reference); failed fetches are recorded as attempts for diagnostics.
 *
 * The pure parts (meta parsing, template rendering, prefix matching) do no I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct http_client;

#define DISCOVERY_DEFAULT_VERSION "latest"

/* An app to discover: an AC identifier and labels ("version", "os", "arch", ...). */
struct discovery_app {
        char *name;
        char **labels; /* "name=value" entries, strv; the value may be empty */
};

/* Parses an app string `name[:version][,label=value...]` (appc discovery/parse.go: at most one
 * ':', only before the first ','; the version becomes label "version"). */
int discovery_app_parse(const char *s, struct discovery_app *ret, struct ace_error **err);
void discovery_app_clear(struct discovery_app *a);
/* Value of a label or NULL. */
const char *discovery_app_label(const struct discovery_app *a, const char *label);
/* Sets (replaces) a label. */
void discovery_app_set_label(struct discovery_app *a, const char *label, const char *value);
/* "name,label=value,..." with labels sorted, for messages and dedup. */
char *discovery_app_to_string(const struct discovery_app *a);

enum discovery_meta_kind {
        DISCOVERY_META_ACI,     /* ac-discovery */
        DISCOVERY_META_PUBKEYS, /* ac-discovery-pubkeys */
};

struct discovery_meta {
        enum discovery_meta_kind kind;
        char *prefix;
        char *uri; /* a template for DISCOVERY_META_ACI, a URL for DISCOVERY_META_PUBKEYS */
};

struct discovery_meta_list {
        struct discovery_meta *items;
        size_t n;
};

/* Extracts the ac-discovery* meta tags of an HTML page, in document order. Element and
 * attribute names are matched case-insensitively (HTML); tags without a "prefix uri" content,
 * and other meta names, are ignored. Broken HTML is parsed leniently; never fails on content. */
int discovery_meta_parse(const char *html, size_t len, struct discovery_meta_list *ret,
                         struct ace_error **err);
void discovery_meta_list_clear(struct discovery_meta_list *l);

/* Whether a meta PREFIX applies to an app name (string prefix, as the reference). */
bool discovery_prefix_matches(const char *prefix, const char *name);

/* Renders a URL template for `app` and `ext` ("aci" or "aci.asc"). Returns 1 and *ret when
 * every {variable} was substituted, 0 (and *ret NULL) when one is left (the template is then
 * skipped, per the reference), < 0 on error. {version} defaults to "latest". */
int discovery_template_render(const char *tmpl, const struct discovery_app *app, const char *ext,
                              char **ret, struct ace_error **err);

/* The discovery prefixes of a name, longest first: a.com/b/c, a.com/b, a.com. */
char **discovery_prefixes(const char *name);

/* The discovery URL of a prefix: "<scheme>://<host>[:port]/<path>?ac-discovery=1". */
char *discovery_url(const char *scheme, const char *prefix, unsigned port);

struct discovery_endpoint {
        char *aci;
        char *asc;
};

struct discovery_attempt {
        char *prefix;
        char *error;
};

struct discovery_result {
        struct discovery_endpoint *endpoints;
        size_t n_endpoints;
        char **pubkeys; /* strv, may be NULL */
        struct discovery_attempt *attempts;
        size_t n_attempts;
};

void discovery_result_clear(struct discovery_result *r);

/* Adds what `metas` (one page) offers for `app` to `acc`: endpoints from ac-discovery tags
 * (rendered, skipped when a variable is unknown) and pubkey URLs. */
int discovery_collect(const struct discovery_meta_list *metas, const struct discovery_app *app,
                      struct discovery_result *acc, struct ace_error **err);

struct discovery_options {
        struct http_client *http; /* plain http fallback iff the client allows http */
        unsigned port;            /* 0: the scheme's default */
};

/* Walks the prefixes until ACI endpoints are found. Fails with "discovery failed" (ENOENT)
 * when none are; ret->attempts lists the prefixes whose page could not be fetched. */
int discovery_find_endpoints(const struct discovery_options *o, const struct discovery_app *app,
                             struct discovery_result *ret, struct ace_error **err);

/* Same walk for ac-discovery-pubkeys. */
int discovery_find_pubkeys(const struct discovery_options *o, const struct discovery_app *app,
                           struct discovery_result *ret, struct ace_error **err);
