/*
 * Command-line option parser for long options ("--name VALUE" or
 * "--name=VALUE") and single-letter ones ("-h"). Options and operands may
 * be mixed, and "--" makes every later argument an operand. Unlike
 * getopt_long() it keeps no global state, so tests can run it repeatedly.
 */
#ifndef ISMSCTL_OPTIONS_H
#define ISMSCTL_OPTIONS_H

#include <stdbool.h>

/* Values that options_next() returns besides an option id (always >= 0). */
enum {
	OPTIONS_END = -1,     /* no arguments left */
	OPTIONS_OPERAND = -2, /* an operand, in value */
	OPTIONS_ERROR = -3    /* an unknown option or a missing value */
};

/* One option. A table of them ends with an entry whose name is NULL. */
struct option_spec {
	const char *name; /* long name without the leading "--" */
	char letter;	  /* single-letter name, or '\0' for none */
	bool takes_value;
	int id;
};

struct option_parser {
	int argc;
	char **argv;
	int index;			   /* next argument to read */
	const struct option_spec *command; /* searched first, may be NULL */
	const struct option_spec *global;  /* may be NULL */
	bool operands_only;		   /* set after "--" */
	const char *value;  /* the option's value or the operand */
	const char *option; /* the argument that named the option */
	char error[160];
};

/* Prepares to parse argv[0] to argv[argc - 1]. */
void options_init(struct option_parser *parser, int argc, char **argv,
    const struct option_spec *command, const struct option_spec *global);

/*
 * Reads the next argument. Returns the option's id with its value (NULL
 * for an option that takes none), OPTIONS_OPERAND with the operand in
 * value, OPTIONS_END, or OPTIONS_ERROR with a message in error.
 */
int options_next(struct option_parser *parser);

#endif
