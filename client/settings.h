/*
 * Connection settings: the daemon's URL, the CA bundle, the API token and
 * the output format. Environment variables are read first and the global
 * command-line options override them.
 */
#ifndef ISMSCTL_SETTINGS_H
#define ISMSCTL_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

#define SETTINGS_DEFAULT_URL "https://127.0.0.1:8443"

/* Maximum length in bytes of the first line of a token file. */
#define TOKEN_FILE_MAX_LINE 4096

struct settings {
	char *url;	  /* base URL of the daemon */
	char *cacert;	  /* CA bundle path, or NULL for the system store */
	char *token;	  /* API token once known, else NULL */
	char *token_file; /* file to read the token from, or NULL */
	const char *token_source; /* what set token, for messages */
	bool json;	      /* print the API's JSON body instead of tables */
	bool token_flag;      /* --token was given */
	bool token_file_flag; /* --token-file was given */
};

/* Ids of the options that every command accepts. */
enum {
	OPT_URL = 1000,
	OPT_CACERT,
	OPT_TOKEN,
	OPT_TOKEN_FILE,
	OPT_JSON,
	OPT_HELP,
	OPT_VERSION
};

/* The options above, for options_init(). */
extern const struct option_spec settings_options[];

/* Sets the defaults. settings_free() releases what the calls store. */
void settings_init(struct settings *settings);

/*
 * Reads ISMS_URL, ISMS_CACERT, ISMS_TOKEN and ISMS_TOKEN_FILE. An empty
 * variable counts as unset, and ISMS_TOKEN wins over ISMS_TOKEN_FILE.
 * Returns 0, or -1 when memory runs out.
 */
int settings_load_env(struct settings *settings);

/*
 * Applies the global option id (OPT_URL to OPT_JSON) with its value.
 * --token and --token-file override both token variables but cannot be
 * combined. Returns 0, or -1 with a message in err.
 */
int settings_apply_option(struct settings *settings, int id, const char *value,
    char *err, size_t errlen);

/* The line that starts each certificate in a PEM file (RFC 7468). */
#define PEM_CERTIFICATE_BEGIN "-----BEGIN CERTIFICATE-----"

/*
 * Checks that url is an https:// URL without userinfo (user name or
 * password), whitespace, control characters, query or fragment. Returns
 * 0, or -1 with a message in err that shows the URL without userinfo.
 */
int settings_check_url(const char *url, char *err, size_t errlen);

/*
 * Writes url to out with any userinfo before the host replaced by three
 * asterisks, so that a password in the URL never reaches a message.
 */
void settings_redact_url(const char *url, char *out, size_t outlen);

/*
 * Checks that the CA bundle at path exists, is a readable regular file
 * and contains PEM_CERTIFICATE_BEGIN. It does not parse the certificates,
 * so libcurl still rejects a damaged one at the first request. Returns 0,
 * or -1 with a message in err that names the file and the fix.
 */
int settings_check_cacert(const char *path, char *err, size_t errlen);

/*
 * Reads the token from the first line of the file at path, without its
 * line ending. Sets *readable_by_others when the file is a regular file
 * that its group or other users may read. Returns 0 with a token that the
 * caller frees with settings_free_secret(), or -1 with a message in err
 * that never contains the token.
 */
int settings_read_token_file(const char *path, char **token,
    bool *readable_by_others, char *err, size_t errlen);

/*
 * Makes sure settings->token is set, reading the token file if needed and
 * warning on stderr when that file is readable by others. Returns
 * CTL_EXIT_OK, CTL_EXIT_USAGE for a token or file that cannot be used, or
 * CTL_EXIT_AUTH when no token is configured, with a message on stderr.
 */
int settings_resolve_token(struct settings *settings);

/* Overwrites and frees a string that contains a secret. Accepts NULL. */
void settings_free_secret(char *secret);

void settings_free(struct settings *settings);

#endif
