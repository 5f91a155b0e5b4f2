/*
 * tabwriter.h - column alignment identical to Go's text/tabwriter (flags 0), which rkt's list
 * outputs use as NewWriter(out, 0, 8, 1, '\t', 0): cells end at '\t', lines at '\n'; a column
 * block (consecutive lines having that column) is as wide as its widest cell + padding, and
 * with padchar '\t' cells are padded with tabs to the next multiple of tabwidth. The text
 * after a line's last tab is not part of any column. Widths count UTF-8 code points.
 */
#pragma once

#include <stdio.h>

struct tabwriter;

struct tabwriter *tabwriter_new(int minwidth, int tabwidth, int padding, char padchar);
/* rkt's table writer: tabwriter_new(0, 8, 1, '\t'). */
struct tabwriter *tabwriter_new_rkt(void);
void tabwriter_free(struct tabwriter *tw);
static inline void tabwriter_freep(struct tabwriter **tw)
{
        tabwriter_free(*tw);
        *tw = NULL;
}
#define _cleanup_tabwriter_ __attribute__((cleanup(tabwriter_freep)))

void tabwriter_write(struct tabwriter *tw, const char *text);
void tabwriter_printf(struct tabwriter *tw, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Formats everything written so far and returns it (a new string); the writer is empty
 * afterwards. */
char *tabwriter_format(struct tabwriter *tw);
/* tabwriter_format() written to f. Returns 0 or -errno. */
int tabwriter_flush(struct tabwriter *tw, FILE *f);
