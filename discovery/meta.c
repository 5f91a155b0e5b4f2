/*
 * meta.c - extraction of appc discovery <meta> tags from an HTML page with libxml2's HTML
 * parser (never regexes over HTML).
 *
 * The reference (appc discovery.go) tokenizes the page and looks at every <meta> start tag
 * wherever it appears, reading the "name" and "content" attributes; content is trimmed and
 * split at the first space into a prefix and a URI (trimmed again). We do the same over
 * libxml2's lenient parse tree: every element named "meta" (HTML names are case-insensitive;
 * libxml2 lowercases them, we compare case-insensitively anyway), in document order. The
 * parse never fails on content: broken HTML yields whatever tags libxml2 recovers.
 */
#include "discovery/discovery.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/lazy_xml.h"
#include "common/xalloc.h"

/* A discovery page is small; anything larger is not worth parsing (and libxml2's int sizes). */
#define META_MAX_PAGE (8u << 20)

static const struct {
        const char *name;
        enum discovery_meta_kind kind;
} meta_names[] = {
    {"ac-discovery", DISCOVERY_META_ACI},
    {"ac-discovery-pubkeys", DISCOVERY_META_PUBKEYS},
};

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static char *trim_dup(const char *s, size_t len)
{
        while (len > 0 && is_space(*s)) {
                s++;
                len--;
        }
        while (len > 0 && is_space(s[len - 1]))
                len--;
        return xstrndup(s, len);
}

static char *attr_value(xmlNode *node, const char *name)
{
        for (xmlAttr *a = node->properties; a; a = a->next) {
                if (a->ns || !a->name || strcasecmp((const char *)a->name, name) != 0)
                        continue;
                xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
                char *r = xstrdup(v ? (const char *)v : "");
                xmlFree(v);
                return r;
        }
        return NULL;
}

static void add_meta(struct discovery_meta_list *l, xmlNode *node)
{
        _cleanup_free_ char *name = attr_value(node, "name");
        _cleanup_free_ char *content = attr_value(node, "content");
        _cleanup_free_ char *trimmed = NULL;
        const char *sp;
        size_t i;

        if (!name || !content)
                return;
        for (i = 0; i < ARRAY_SIZE(meta_names); i++)
                if (strcmp(name, meta_names[i].name) == 0)
                        break;
        if (i == ARRAY_SIZE(meta_names))
                return;
        trimmed = trim_dup(content, strlen(content));
        /* The reference splits at the first plain space only. */
        sp = strchr(trimmed, ' ');
        if (!sp || sp == trimmed)
                return;
        _cleanup_free_ char *uri = trim_dup(sp + 1, strlen(sp + 1));
        if (!*uri)
                return;
        l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
        l->items[l->n++] = (struct discovery_meta){
            .kind = meta_names[i].kind,
            .prefix = xstrndup(trimmed, (size_t)(sp - trimmed)),
            .uri = TAKE_PTR(uri),
        };
}

/* Depth-first, document order, without recursion (hostile pages may nest deeply), over every
 * top-level node of the document. */
static void walk(xmlNode *first, struct discovery_meta_list *l)
{
        xmlNode *n = first;

        while (n) {
                if (n->type == XML_ELEMENT_NODE && n->name &&
                    strcasecmp((const char *)n->name, "meta") == 0)
                        add_meta(l, n);
                if (n->children) {
                        n = n->children;
                        continue;
                }
                while (n && !n->next) {
                        n = n->parent;
                        if (n &&
                            (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE))
                                n = NULL;
                }
                if (n)
                        n = n->next;
        }
}

int discovery_meta_parse(const char *html, size_t len, struct discovery_meta_list *ret,
                         struct ace_error **err)
{
        struct discovery_meta_list l = {0};
        htmlDocPtr doc;

        *ret = l;
        if (len > META_MAX_PAGE)
                return ace_error_make(err, EFBIG, "discovery page too large (%zu bytes, limit %u)",
                                      len, META_MAX_PAGE);
        if (len == 0)
                return 0;
        doc = htmlReadMemory(html, (int)len, NULL, NULL,
                             HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
        if (!doc)
                return 0; /* nothing recoverable: no tags */
        walk(doc->children, &l);
        xmlFreeDoc(doc);
        *ret = l;
        return 0;
}

void discovery_meta_list_clear(struct discovery_meta_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].prefix);
                free(l->items[i].uri);
        }
        free(l->items);
        *l = (struct discovery_meta_list){0};
}
