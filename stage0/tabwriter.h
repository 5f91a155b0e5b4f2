/*
 * tabwriter.h - Go's text/tabwriter (the elastic tabstops rkt's tables are printed with), so
 * `ace list` lines up exactly like `rkt list`: cells are tab-terminated, a column block is a
 * run of consecutive lines that have a cell in that column, its width is the widest cell plus
 * padding (at least minwidth), and with padchar '\t' the padding is written as tabs, the
 * width rounded up to a multiple of tabwidth. The last cell of a line is not part of a column.
 *
 * rkt's settings (getTabOutWithWriter): minwidth 0, tabwidth 8, padding 1, padchar '\t'.
 */
#pragma once

#include <stddef.h>

struct tabwriter;

struct tabwriter *tabwriter_new(size_t minwidth, size_t tabwidth, size_t padding, char padchar);
/* Appends text (may hold several lines and cells). */
void tabwriter_printf(struct tabwriter *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Formats everything written so far and frees the writer; the result is heap-allocated. */
char *tabwriter_finish(struct tabwriter *w);
