#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

#define COLUMN_GAP 2
/* The flexible column keeps at least this many code points. */
#define FLEX_MIN_WIDTH 12

struct table {
	size_t ncols;
	const char *const *headers;
	size_t flex;
	size_t *limits; /* per column maximum width, 0 for none */
	char **cells;	/* nrows * ncols cleaned copies, row by row */
	size_t nrows;
	size_t cap; /* rows allocated in cells */
};

struct table *
table_new(size_t ncols, const char *const *headers, size_t flex)
{
	struct table *table = calloc(1, sizeof(*table));

	if (table == NULL)
		return NULL;
	table->limits = calloc(ncols, sizeof(*table->limits));
	if (table->limits == NULL) {
		free(table);
		return NULL;
	}
	table->ncols = ncols;
	table->headers = headers;
	table->flex = flex;
	return table;
}

void
table_limit_column(struct table *table, size_t col, size_t width)
{
	if (col < table->ncols)
		table->limits[col] = width;
}

int
table_add_row(struct table *table, const char *const *cells)
{
	char **row;
	size_t i;

	if (table->nrows == table->cap) {
		size_t cap = table->cap > 0 ? table->cap * 2 : 32;
		char **grown = reallocarray(
		    table->cells, cap * table->ncols, sizeof(*grown));

		if (grown == NULL)
			return -1;
		table->cells = grown;
		table->cap = cap;
	}
	row = table->cells + table->nrows * table->ncols;
	for (i = 0; i < table->ncols; i++) {
		row[i] = text_clean(cells[i] != NULL ? cells[i] : TABLE_NULL);
		if (row[i] == NULL) {
			while (i > 0)
				free(row[--i]);
			return -1;
		}
	}
	table->nrows++;
	return 0;
}

size_t
table_rows(const struct table *table)
{
	return table->nrows;
}

/* Computes each column's width, shrinking the flexible one to fit. */
static void
column_widths(const struct table *table, size_t max_width, size_t *widths)
{
	size_t total = 0;
	size_t col;
	size_t row;

	for (col = 0; col < table->ncols; col++) {
		widths[col] = text_width(table->headers[col]);
		for (row = 0; row < table->nrows; row++) {
			size_t w =
			    text_width(table->cells[row * table->ncols + col]);

			if (w > widths[col])
				widths[col] = w;
		}
		if (table->limits[col] > 0 && widths[col] > table->limits[col])
			widths[col] = table->limits[col];
		total += widths[col] + (col > 0 ? COLUMN_GAP : 0);
	}
	if (table->flex < table->ncols && total > max_width) {
		size_t flex = widths[table->flex];
		size_t minimum = text_width(table->headers[table->flex]);
		size_t shrunk;

		if (minimum < FLEX_MIN_WIDTH)
			minimum = FLEX_MIN_WIDTH;
		shrunk =
		    total - max_width < flex ? flex - (total - max_width) : 0;
		if (shrunk < minimum)
			shrunk = minimum;
		if (shrunk < flex)
			widths[table->flex] = shrunk;
	}
}

/* Prints one row. The last column gets no trailing padding. */
static int
print_row(
    FILE *out, const char *const *cells, size_t ncols, const size_t *widths)
{
	size_t col;

	for (col = 0; col < ncols; col++) {
		char *fitted = text_fit(cells[col], widths[col]);
		size_t pad;

		if (fitted == NULL)
			return -1;
		pad = widths[col] - text_width(fitted);
		if (col > 0)
			fprintf(out, "%*s", COLUMN_GAP, "");
		fputs(fitted, out);
		if (col + 1 < ncols)
			fprintf(out, "%*s", (int)pad, "");
		free(fitted);
	}
	fputc('\n', out);
	return 0;
}

int
table_print(const struct table *table, FILE *out, size_t max_width)
{
	size_t *widths = calloc(table->ncols, sizeof(*widths));
	size_t row;
	int ret = -1;

	if (widths == NULL)
		return -1;
	column_widths(table, max_width, widths);
	if (print_row(out, table->headers, table->ncols, widths) != 0)
		goto out;
	for (row = 0; row < table->nrows; row++) {
		const char *const *cells =
		    (const char *const *)table->cells + row * table->ncols;

		if (print_row(out, cells, table->ncols, widths) != 0)
			goto out;
	}
	ret = ferror(out) ? -1 : 0;
out:
	free(widths);
	return ret;
}

void
table_free(struct table *table)
{
	size_t i;

	if (table == NULL)
		return;
	for (i = 0; i < table->nrows * table->ncols; i++)
		free(table->cells[i]);
	free(table->cells);
	free(table->limits);
	free(table);
}
