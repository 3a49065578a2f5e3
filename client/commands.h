/*
 * Command groups run by main(), and the parsing steps that the unit tests
 * call directly. Every run function gets argv with the group name first
 * and returns an exit status from enum ctl_exit.
 */
#ifndef ISMSCTL_COMMANDS_H
#define ISMSCTL_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buffer.h"
#include "command.h"
#include "settings.h"
#include "values.h"

int cmd_frameworks(struct settings *settings, int argc, char **argv);
int cmd_controls(struct settings *settings, int argc, char **argv);
int cmd_soa(struct settings *settings, int argc, char **argv);
int cmd_audit(struct settings *settings, int argc, char **argv);
int cmd_health(struct settings *settings, int argc, char **argv);

/* Arguments of "controls list". Empty strings are filters not given. */
struct controls_list_args {
	const char *framework; /* NULL for every framework */
	char theme[VALUE_ENUM_SIZE];
	char status[VALUE_ENUM_SIZE];
	char catalogue_status[VALUE_ENUM_SIZE];
	char applicable[VALUE_ENUM_SIZE];
	const char *query; /* substring of ref or title, or NULL */
	long limit;	   /* page size, 0 for the server's default */
	bool all;	   /* follow the next cursors */
};

/*
 * Parses "controls list" arguments, with "list" in argv[0]. Returns 0, or -1
 * when the command must stop with cmd->exit_code (after --help or a usage
 * error, which it prints).
 */
int controls_list_parse(struct command *cmd, int argc, char **argv,
    struct controls_list_args *args);

/*
 * Appends the query parameters of args and, unless NULL, cursor to query.
 * Returns 0, or -1 when memory runs out.
 */
int controls_list_query(const struct controls_list_args *args,
    const char *cursor, struct buffer *query);

/* Arguments of "audit list". NULL strings are options not given. */
struct audit_list_args {
	const char *object;
	const char *action;
	const char *cursor; /* start after this cursor, NULL for the newest */
	long limit;	    /* page size, 0 for the server's default */
	bool all;	    /* follow the next cursors */
};

/*
 * Parses "audit list" arguments, with "list" in argv[0]. Returns 0, or -1
 * as controls_list_parse() does.
 */
int audit_list_parse(
    struct command *cmd, int argc, char **argv, struct audit_list_args *args);

/*
 * Appends the query parameters of args and, unless NULL, cursor to query.
 * args->cursor is ignored, so the caller passes the cursor of the page it
 * wants. Returns 0, or -1 when memory runs out.
 */
int audit_list_query(const struct audit_list_args *args, const char *cursor,
    struct buffer *query);

/* Arguments of "audit verify". */
struct audit_verify_args {
	bool anchored; /* --anchor was given */
	struct value_anchor anchor;
};

/*
 * Parses "audit verify" arguments, with "verify" in argv[0]. Returns 0, or
 * -1 as controls_list_parse() does.
 */
int audit_verify_parse(
    struct command *cmd, int argc, char **argv, struct audit_verify_args *args);

/*
 * Appends anchor_seq and anchor_hash to query when args has an anchor.
 * Returns 0, or -1 when memory runs out.
 */
int audit_verify_query(
    const struct audit_verify_args *args, struct buffer *query);

/*
 * Returns the exit status for a verify response: CTL_EXIT_OK,
 * CTL_EXIT_AUDIT_INVALID when "valid" or "anchor_valid" is false, or
 * CTL_EXIT_SERVER with a message on stderr when "valid" is not a boolean,
 * or "anchor_valid" is not one although args has an anchor.
 */
int audit_verify_exit_code(
    const json_t *result, const struct audit_verify_args *args);

/*
 * Prints the verify result to out as one line about the hash chain and,
 * with an anchor, one about the anchor. Returns the exit status, as
 * audit_verify_exit_code() does.
 */
int audit_print_verify(
    FILE *out, const json_t *result, const struct audit_verify_args *args);

/* Arguments of "soa set". NULL strings are members not given. */
struct soa_set_args {
	const char *ref;
	const char *framework; /* from --framework or inferred from ref */
	char status[VALUE_ENUM_SIZE]; /* normalised, empty when not given */
	const char *justification;    /* "" clears it */
	int applicable;		      /* -1 not given, 0 no, 1 yes */
	const char *owner;	      /* "" clears it */
	const char **evidence;	      /* --evidence values in order */
	size_t nevidence;
	bool clear_evidence;
	const char *reviewed_at;	/* "" clears it */
	const char *next_review_at;	/* "" clears it */
	char if_match[VALUE_ENUM_SIZE]; /* quoted ETag, empty to read it */
};

/*
 * Parses "soa set" arguments, with "set" in argv[0]. Returns 0, or -1 as
 * controls_list_parse() does. Free args with soa_set_args_free() in both
 * cases.
 */
int soa_set_parse(
    struct command *cmd, int argc, char **argv, struct soa_set_args *args);
void soa_set_args_free(struct soa_set_args *args);

/*
 * Returns the PATCH body with only the members given in args. Empty
 * strings become null, and so does evidence with clear_evidence. Returns
 * NULL when memory runs out.
 */
json_t *soa_set_body(const struct soa_set_args *args);

/*
 * Prints an SoA entry as a label and value block under the heading line,
 * with its ETag when etag is not NULL. Returns 0, or -1 when memory runs
 * out.
 */
int soa_print_entry(
    FILE *out, const json_t *entry, const char *heading, const char *etag);

#endif
