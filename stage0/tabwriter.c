/*
 * tabwriter.c - Go's text/tabwriter column alignment (see tabwriter.h), for the flags rkt
 * used: left-aligned cells, no DiscardEmptyColumns, no Debug bars.
 */
#include "stage0/tabwriter.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

struct tw_line {
        char **cells; /* every cell of the line; all but the last were tab-terminated */
        size_t n;
};

struct tabwriter {
        size_t minwidth, tabwidth, padding;
        char padchar;
        char *text;
        size_t len, cap;
        /* formatting state */
        struct tw_line *lines;
        size_t n_lines;
        size_t *widths;
        size_t n_widths;
        char *out;
        size_t out_len, out_cap;
};

struct tabwriter *tabwriter_new(size_t minwidth, size_t tabwidth, size_t padding, char padchar)
{
        struct tabwriter *w = xcalloc(1, sizeof(*w));
        w->minwidth = minwidth;
        w->tabwidth = tabwidth;
        w->padding = padding;
        w->padchar = padchar;
        return w;
}

void tabwriter_printf(struct tabwriter *w, const char *fmt, ...)
{
        _cleanup_free_ char *s = NULL;
        va_list ap;
        size_t n;

        va_start(ap, fmt);
        s = xvasprintf(fmt, ap);
        va_end(ap);
        n = strlen(s);
        w->text = xgrow(w->text, &w->cap, w->len + n + 1, 1);
        memcpy(w->text + w->len, s, n + 1);
        w->len += n;
}

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t text_width(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                if (((unsigned char)*s & 0xc0) != 0x80)
                        n++;
        return n;
}

static void emit(struct tabwriter *w, const char *s, size_t n)
{
        w->out = xgrow(w->out, &w->out_cap, w->out_len + n + 1, 1);
        memcpy(w->out + w->out_len, s, n);
        w->out_len += n;
        w->out[w->out_len] = '\0';
}

static void emit_padding(struct tabwriter *w, size_t textw, size_t cellw)
{
        if (w->padchar == '\t') {
                if (w->tabwidth == 0)
                        return;
                /* The cell ends at the next tab stop at or after cellw. */
                cellw = (cellw + w->tabwidth - 1) / w->tabwidth * w->tabwidth;
                for (size_t n = (cellw - textw + w->tabwidth - 1) / w->tabwidth; n > 0; n--)
                        emit(w, "\t", 1);
                return;
        }
        for (size_t n = cellw - textw; n > 0; n--)
                emit(w, &w->padchar, 1);
}

static void write_lines(struct tabwriter *w, size_t line0, size_t line1)
{
        for (size_t i = line0; i < line1; i++) {
                struct tw_line *l = &w->lines[i];
                for (size_t j = 0; j < l->n; j++) {
                        size_t tw = text_width(l->cells[j]);
                        emit(w, l->cells[j], strlen(l->cells[j]));
                        if (j < w->n_widths && j + 1 < l->n)
                                emit_padding(w, tw, w->widths[j]);
                }
                if (i + 1 < w->n_lines)
                        emit(w, "\n", 1);
        }
}

/* Go's format(): lay out the columns of lines [line0, line1) from column n_widths on. */
static void format(struct tabwriter *w, size_t line0, size_t line1)
{
        size_t column = w->n_widths;

        for (size_t this = line0; this < line1; this ++) {
                if (column + 1 >= w->lines[this].n)
                        continue; /* no cell in this column (the last cell does not count) */
                write_lines(w, line0, this);
                line0 = this;
                size_t width = w->minwidth;
                for (; this < line1; this ++) {
                        struct tw_line *l = &w->lines[this];
                        if (column + 1 >= l->n)
                                break;
                        size_t cw = text_width(l->cells[column]) + w->padding;
                        if (cw > width)
                                width = cw;
                }
                w->widths = xrealloc(w->widths, (w->n_widths + 1) * sizeof(size_t));
                w->widths[w->n_widths++] = width;
                format(w, line0, this);
                w->n_widths--;
                /* As in Go, the loop's increment skips the line that ended the block: it has
                 * no cell in this column anyway. */
                line0 = this;
        }
        write_lines(w, line0, line1);
}

static void split(struct tabwriter *w)
{
        char *p = w->text ? w->text : (char *)"";
        size_t cap = 0;

        for (;;) {
                char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                struct tw_line l = {0};
                size_t ccap = 0;
                const char *c = p, *end = p + len;

                if (!nl && len == 0)
                        break; /* nothing after the last newline */
                for (;;) {
                        const char *tab = memchr(c, '\t', (size_t)(end - c));
                        const char *stop = tab ? tab : end;
                        l.cells = xgrow(l.cells, &ccap, l.n + 1, sizeof(char *));
                        l.cells[l.n++] = xstrndup(c, (size_t)(stop - c));
                        if (!tab)
                                break;
                        c = tab + 1;
                }
                w->lines = xgrow(w->lines, &cap, w->n_lines + 1, sizeof(*w->lines));
                w->lines[w->n_lines++] = l;
                if (!nl)
                        break;
                p = nl + 1;
        }
}

char *tabwriter_finish(struct tabwriter *w)
{
        bool trailing_nl = w->len > 0 && w->text[w->len - 1] == '\n';
        char *out;

        split(w);
        emit(w, "", 0);
        format(w, 0, w->n_lines);
        if (trailing_nl)
                emit(w, "\n", 1);
        out = w->out;
        for (size_t i = 0; i < w->n_lines; i++) {
                for (size_t j = 0; j < w->lines[i].n; j++)
                        free(w->lines[i].cells[j]);
                free(w->lines[i].cells);
        }
        free(w->lines);
        free(w->widths);
        free(w->text);
        free(w);
        return out;
}
