/* RFC 4180 CSV output for spreadsheet users. */
#ifndef ISMSD_CSV_H
#define ISMSD_CSV_H

#include <event2/buffer.h>

/*
 * Appends one field, quoted when it contains a comma, quote or line break.
 * A field that starts with =, +, -, @, tab or CR gets a leading apostrophe so that
 * a spreadsheet shows it as text instead of running it as a formula.
 * first is true for the first field of a row; NULL appends an empty field.
 */
void csv_field(struct evbuffer *buf, const char *value, int first);

/* Ends a row with CRLF, as RFC 4180 specifies. */
void csv_end_row(struct evbuffer *buf);

#endif
