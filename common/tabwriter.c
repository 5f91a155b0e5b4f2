/*
 * tabwriter.c - Go's text/tabwriter column algorithm (see tabwriter.h), so `ace image list`
 * and `ace list` line up byte for byte like rkt's outputs.
 */
#include "common/tabwriter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

struct cell {
        const char *text; /* points into the line copy */
        size_t size;      /* bytes */
        size_t width;     /* code points */
};

struct line {
        struct cell *cells;
        size_t n;
};

struct tabwriter {
        int minwidth, tabwidth, padding;
        char padchar;
        char *buf;
        size_t len, cap;
        /* formatting state */
        struct line *lines;
        size_t n_lines;
        size_t *widths;
        size_t n_widths;
        char *out;
        size_t out_len, out_cap;
};

struct tabwriter *tabwriter_new(int minwidth, int tabwidth, int padding, char padchar)
{
        struct tabwriter *tw = xcalloc(1, sizeof(*tw));
        tw->minwidth = minwidth;
        tw->tabwidth = tabwidth;
        tw->padding = padding;
        tw->padchar = padchar;
        return tw;
}

struct tabwriter *tabwriter_new_rkt(void)
{
        return tabwriter_new(0, 8, 1, '\t');
}

void tabwriter_free(struct tabwriter *tw)
{
        if (!tw)
                return;
        free(tw->buf);
        free(tw);
}

void tabwriter_write(struct tabwriter *tw, const char *text)
{
        size_t n = strlen(text);
        tw->buf = xgrow(tw->buf, &tw->cap, tw->len + n + 1, 1);
        memcpy(tw->buf + tw->len, text, n + 1);
        tw->len += n;
}

void tabwriter_printf(struct tabwriter *tw, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *s = xvasprintf(fmt, ap);
        va_end(ap);
        tabwriter_write(tw, s);
}

static size_t utf8_width(const char *s, size_t n)
{
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
                if (((unsigned char)s[i] & 0xc0) != 0x80)
                        w++;
        return w;
}

static void out_append(struct tabwriter *tw, const char *s, size_t n)
{
        tw->out = xgrow(tw->out, &tw->out_cap, tw->out_len + n + 1, 1);
        memcpy(tw->out + tw->out_len, s, n);
        tw->out_len += n;
        tw->out[tw->out_len] = '\0';
}

static void out_repeat(struct tabwriter *tw, char c, size_t n)
{
        for (size_t i = 0; i < n; i++)
                out_append(tw, &c, 1);
}

static void write_padding(struct tabwriter *tw, size_t textw, size_t cellw)
{
        if (tw->padchar == '\t') {
                size_t tab = (size_t)tw->tabwidth;
                if (tab == 0)
                        return;
                cellw = (cellw + tab - 1) / tab * tab;
                out_repeat(tw, '\t', (cellw - textw + tab - 1) / tab);
                return;
        }
        out_repeat(tw, tw->padchar, cellw - textw);
}

static void write_lines(struct tabwriter *tw, size_t line0, size_t line1)
{
        for (size_t i = line0; i < line1; i++) {
                const struct line *l = &tw->lines[i];
                for (size_t j = 0; j < l->n; j++) {
                        const struct cell *c = &l->cells[j];
                        if (c->size > 0)
                                out_append(tw, c->text, c->size);
                        if (j < tw->n_widths)
                                write_padding(tw, c->width, tw->widths[j]);
                }
                if (i + 1 < tw->n_lines)
                        out_append(tw, "\n", 1);
        }
}

/* Go's Writer.format: find each column block, fix its width, recurse for the columns to its
 * right, print lines outside blocks as they are. */
static void format_block(struct tabwriter *tw, size_t line0, size_t line1)
{
        size_t column = tw->n_widths;

        for (size_t this = line0; this < line1; this++) {
                if (column + 1 >= tw->lines[this].n)
                        continue;
                write_lines(tw, line0, this);
                line0 = this;
                size_t width = (size_t)tw->minwidth;
                for (; this < line1; this++) {
                        const struct line *l = &tw->lines[this];
                        if (column + 1 >= l->n)
                                break;
                        size_t w = l->cells[column].width + (size_t)tw->padding;
                        if (w > width)
                                width = w;
                }
                tw->widths = xrealloc(tw->widths, (tw->n_widths + 1) * sizeof(size_t));
                tw->widths[tw->n_widths++] = width;
                format_block(tw, line0, this);
                tw->n_widths--;
                /* As in Go, the loop increment then skips the line that ended the block:
                 * it has no cell in this column, so it cannot start another one. */
                line0 = this;
        }
        write_lines(tw, line0, line1);
}

static void split_lines(struct tabwriter *tw)
{
        size_t cap = 0;
        const char *p = tw->buf ? tw->buf : "";
        const char *end = p + tw->len;

        for (;;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end;
                struct line l = {0};
                size_t ccap = 0;
                const char *c = p;
                for (;;) {
                        const char *tab = memchr(c, '\t', (size_t)(le - c));
                        const char *ce = tab ? tab : le;
                        l.cells = xgrow(l.cells, &ccap, l.n + 1, sizeof(struct cell));
                        l.cells[l.n++] = (struct cell){c, (size_t)(ce - c), utf8_width(c, (size_t)(ce - c))};
                        if (!tab)
                                break;
                        c = tab + 1;
                }
                tw->lines = xgrow(tw->lines, &cap, tw->n_lines + 1, sizeof(struct line));
                tw->lines[tw->n_lines++] = l;
                if (!nl)
                        break;
                p = nl + 1;
        }
}

char *tabwriter_format(struct tabwriter *tw)
{
        char *res;

        tw->out = NULL;
        tw->out_len = tw->out_cap = 0;
        split_lines(tw);
        format_block(tw, 0, tw->n_lines);
        for (size_t i = 0; i < tw->n_lines; i++)
                free(tw->lines[i].cells);
        free(tw->lines);
        free(tw->widths);
        tw->lines = NULL;
        tw->widths = NULL;
        tw->n_lines = tw->n_widths = 0;
        res = tw->out ? tw->out : xstrdup("");
        tw->out = NULL;
        tw->len = 0;
        if (tw->buf)
                tw->buf[0] = '\0';
        return res;
}

int tabwriter_flush(struct tabwriter *tw, FILE *f)
{
        _cleanup_free_ char *s = tabwriter_format(tw);
        size_t n = strlen(s);
        if (n && fwrite(s, 1, n, f) != n)
                return -EIO;
        return fflush(f) == 0 ? 0 : -errno;
}
