/*
 * Plain-text tables: a header row, columns separated by two spaces and
 * padded to the widest cell. One column can be marked as flexible, and it
 * is cut with "..." so that rows fit the maximum line width.
 */
#ifndef ISMSCTL_TABLE_H
#define ISMSCTL_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* Maximum line width of the tables that the commands print. */
#define TABLE_WIDTH 100

/* Text that a table shows for a missing or null value. */
#define TABLE_NULL "-"

struct table;

/*
 * Creates a table with ncols columns. headers must stay valid until
 * table_free(). flex is the column that shrinks to fit, or ncols for none.
 * Returns NULL when memory runs out.
 */
struct table *table_new(size_t ncols, const char *const *headers, size_t flex);

/* Cuts the cells of column col to at most width code points. */
void table_limit_column(struct table *table, size_t col, size_t width);

/*
 * Adds a row of ncols cells. A NULL cell shows TABLE_NULL. Cells are
 * copied with control characters replaced. Returns 0, or -1 when memory
 * runs out.
 */
int table_add_row(struct table *table, const char *const *cells);

size_t table_rows(const struct table *table);

/*
 * Prints the header and the rows so that each line is at most max_width
 * code points wide, unless the columns other than the flexible one are
 * already wider. Returns 0, or -1 when memory runs out or writing fails.
 */
int table_print(const struct table *table, FILE *out, size_t max_width);

void table_free(struct table *table);

#endif
