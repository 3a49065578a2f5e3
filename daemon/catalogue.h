/*
 * Catalogue files: parsing and validation (pure) and storing them in the
 * database (idempotent upsert that never touches SoA decisions).
 * The file format is described in controls/README.md.
 */
#ifndef ISMSD_CATALOGUE_H
#define ISMSD_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#define CATALOGUE_MAX_REF_PARTS 8

struct catalogue_control {
	char *ref;         /* "5.24" or "5.24.01" */
	char *title;       /* NULL when the file has none */
	char *theme;       /* NULL for an entry that takes its ISO theme */
	bool new_in_2022;
	char *status;      /* active, no_government_measure, moved, lapsed */
	char *iso_control; /* ISO ref of a BIO2 measure, else NULL */
	char *moved_to;    /* new ref of a moved measure, else NULL */
	char **categories;
	size_t ncategories;
};

struct catalogue {
	char *id;        /* framework id: "iso27001-2022", "bio2" */
	char *name;
	char *version;
	char *published; /* YYYY-MM-DD or NULL */
	char *maps_to;   /* framework whose controls iso_control names */
	char *source;
	struct catalogue_control *controls;
	size_t ncontrols;
};

/*
 * Parses and validates a catalogue document. On failure returns NULL and
 * writes a message naming the member (for example "controls[4].ref") to
 * err. Caller frees with catalogue_free().
 */
struct catalogue *catalogue_parse(const char *text, size_t len, char *err,
    size_t errlen);
/* Reads and parses the file at path. Every error message starts with path. */
struct catalogue *catalogue_read_file(const char *path, char *err,
    size_t errlen);
void catalogue_free(struct catalogue *cat);

/*
 * Splits a dotted ref into its numbers ("5.10" gives 5, 10). Returns the
 * number of parts, or -1 when ref is not digits separated by single dots
 * or has more than max parts.
 */
int catalogue_ref_parts(const char *ref, int *parts, size_t max);

/*
 * Compares two refs in catalogue order, the order of the sort_key column:
 * number by number, and a ref before its extensions (5.1 before 5.1.1).
 * Refs with equal numbers ("5.1", "5.01") compare by their text, and an
 * invalid ref sorts after every valid one. Returns <0, 0 or >0.
 */
int catalogue_ref_compare(const char *a, const char *b);

/*
 * Upserts the framework and its controls and mappings, and creates the
 * missing SoA entries (ISO controls and active measures). Existing SoA
 * entries are left as they are. Runs inside the caller's transaction.
 * Returns 0, or -1 with a message in err.
 */
int catalogue_store(PGconn *conn, const struct catalogue *cat, char *err,
    size_t errlen);

/*
 * Reads every *.json file in dir, orders them so that a framework named
 * by maps_to is stored before the frameworks that map to it, and stores
 * all of them in one transaction under an advisory lock. Every file is
 * parsed before the first write. A directory without *.json files is an
 * error. Returns 0, or -1 with a message in err; on failure nothing is
 * changed.
 */
int catalogue_load_dir(PGconn *conn, const char *dir, char *err,
    size_t errlen);

#endif
