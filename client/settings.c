#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ismsctl.h"
#include "message.h"

const struct option_spec settings_options[] = {
    {"url", '\0', true, OPT_URL},
    {"cacert", '\0', true, OPT_CACERT},
    {"token", '\0', true, OPT_TOKEN},
    {"token-file", '\0', true, OPT_TOKEN_FILE},
    {"json", '\0', false, OPT_JSON},
    {"help", 'h', false, OPT_HELP},
    {"version", '\0', false, OPT_VERSION},
    {NULL, '\0', false, 0},
};

void
settings_init(struct settings *settings)
{
	memset(settings, 0, sizeof(*settings));
}

/* Replaces *slot with a copy of value. Returns 0, or -1 when out of memory. */
static int
replace_string(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

static int
replace_secret(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return -1;
	settings_free_secret(*slot);
	*slot = copy;
	return 0;
}

/* Returns the variable's value, or NULL when it is unset or empty. */
static const char *
env_value(const char *name)
{
	const char *value = getenv(name);

	return value != NULL && value[0] != '\0' ? value : NULL;
}

int
settings_load_env(struct settings *settings)
{
	const char *url = env_value("ISMS_URL");
	const char *cacert = env_value("ISMS_CACERT");
	const char *token = env_value("ISMS_TOKEN");
	const char *token_file = env_value("ISMS_TOKEN_FILE");

	if (replace_string(
		&settings->url, url != NULL ? url : SETTINGS_DEFAULT_URL) != 0)
		return -1;
	if (cacert != NULL && replace_string(&settings->cacert, cacert) != 0)
		return -1;
	if (token != NULL) {
		if (replace_secret(&settings->token, token) != 0)
			return -1;
		settings->token_source = "ISMS_TOKEN";
	} else if (token_file != NULL) {
		if (replace_string(&settings->token_file, token_file) != 0)
			return -1;
	}
	return 0;
}

static int
apply_token(
    struct settings *settings, const char *value, char *err, size_t errlen)
{
	if (settings->token_file_flag) {
		snprintf(err, errlen,
		    "--token and --token-file cannot be used together");
		return -1;
	}
	if (replace_secret(&settings->token, value) != 0)
		goto nomem;
	free(settings->token_file);
	settings->token_file = NULL;
	settings->token_source = "--token";
	settings->token_flag = true;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
apply_token_file(
    struct settings *settings, const char *value, char *err, size_t errlen)
{
	if (settings->token_flag) {
		snprintf(err, errlen,
		    "--token and --token-file cannot be used together");
		return -1;
	}
	if (replace_string(&settings->token_file, value) != 0)
		goto nomem;
	settings_free_secret(settings->token);
	settings->token = NULL;
	settings->token_source = NULL;
	settings->token_file_flag = true;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
settings_apply_option(struct settings *settings, int id, const char *value,
    char *err, size_t errlen)
{
	const char *name = NULL;

	switch (id) {
	case OPT_URL:
		name = "--url";
		break;
	case OPT_CACERT:
		name = "--cacert";
		break;
	case OPT_TOKEN:
		name = "--token";
		break;
	case OPT_TOKEN_FILE:
		name = "--token-file";
		break;
	case OPT_JSON:
		settings->json = true;
		return 0;
	default:
		snprintf(
		    err, errlen, "option id %d is not a global option", id);
		return -1;
	}
	if (value == NULL || value[0] == '\0') {
		snprintf(err, errlen, "%s needs a non-empty value", name);
		return -1;
	}
	switch (id) {
	case OPT_URL:
		if (replace_string(&settings->url, value) != 0)
			break;
		return 0;
	case OPT_CACERT:
		if (replace_string(&settings->cacert, value) != 0)
			break;
		return 0;
	case OPT_TOKEN:
		return apply_token(settings, value, err, errlen);
	default:
		return apply_token_file(settings, value, err, errlen);
	}
	snprintf(err, errlen, "out of memory");
	return -1;
}

/*
 * Returns the end of the URL's authority (host, port and any userinfo):
 * the first '/', '?' or '#' after the scheme, or the end of the string.
 * start is set to the character after "://", or to url without a scheme.
 */
static const char *
find_authority(const char *url, const char **start)
{
	const char *scheme_end = strstr(url, "://");

	*start = scheme_end != NULL ? scheme_end + 3 : url;
	return *start + strcspn(*start, "/?#");
}

void
settings_redact_url(const char *url, char *out, size_t outlen)
{
	const char *start;
	const char *end = find_authority(url, &start);
	const char *at = NULL;
	const char *p;

	for (p = start; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		snprintf(out, outlen, "%s", url);
	else
		snprintf(out, outlen, "%.*s***%s", (int)(start - url), url, at);
}

int
settings_check_url(const char *url, char *err, size_t errlen)
{
	static const char scheme[] = "https://";
	char redacted[1024];
	const char *start;
	const char *end;
	const char *p;

	/* Messages hide the userinfo, which may contain a password. */
	settings_redact_url(url, redacted, sizeof(redacted));
	if (strncasecmp(url, scheme, strlen(scheme)) != 0 ||
	    url[strlen(scheme)] == '\0' || url[strlen(scheme)] == '/') {
		snprintf(err, errlen,
		    "invalid URL '%s': expected https://HOST[:PORT], for "
		    "example %s",
		    redacted, SETTINGS_DEFAULT_URL);
		return -1;
	}
	end = find_authority(url, &start);
	if (memchr(start, '@', (size_t)(end - start)) != NULL) {
		snprintf(err, errlen,
		    "invalid URL '%s': it must not contain a user name or "
		    "password. Remove the part before '@' and give the API "
		    "token with ISMS_TOKEN_FILE or --token-file",
		    redacted);
		return -1;
	}
	for (p = url; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || c == '?' || c == '#') {
			snprintf(err, errlen,
			    "invalid URL '%s': it must not contain "
			    "whitespace, control characters, '?' or '#'",
			    redacted);
			return -1;
		}
	}
	return 0;
}

/* Returns whether needle occurs in the len bytes at data. */
static bool
contains_bytes(const char *data, size_t len, const char *needle)
{
	size_t needle_len = strlen(needle);
	size_t i;

	for (i = 0; i + needle_len <= len; i++)
		if (memcmp(data + i, needle, needle_len) == 0)
			return true;
	return false;
}

/*
 * Reads the open file in chunks until the PEM certificate header appears.
 * Returns 1 when it does, 0 when the file ends first, or -1 with errno set.
 */
static int
find_pem_certificate(int fd)
{
	enum { CHUNK = 64 * 1024 };
	const size_t keep = strlen(PEM_CERTIFICATE_BEGIN) - 1;
	char buf[CHUNK];
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		len += (size_t)n;
		if (contains_bytes(buf, len, PEM_CERTIFICATE_BEGIN))
			return 1;
		/* A header may straddle two reads, so keep the tail. */
		if (len > keep) {
			memmove(buf, buf + len - keep, keep);
			len = keep;
		}
	}
}

int
settings_check_cacert(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int found;
	int fd;

	/* O_NONBLOCK keeps open() from waiting on a FIFO. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		snprintf(err, errlen,
		    "CA bundle %s not found. Pass the path of the PEM file "
		    "with the CA certificate that signed the server's "
		    "certificate",
		    path);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen,
		    "cannot read CA bundle %s: %s. Make the file readable for "
		    "this user, or pass a copy that this user can read",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read CA bundle %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
		    "CA bundle %s is %s. Pass the path of a PEM file that "
		    "contains the CA certificate",
		    path,
		    S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		close(fd);
		return -1;
	}
	found = find_pem_certificate(fd);
	if (found < 0) {
		snprintf(err, errlen, "cannot read CA bundle %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (found == 0) {
		snprintf(err, errlen,
		    "CA bundle %s contains no PEM certificate (no line "
		    "'" PEM_CERTIFICATE_BEGIN "'). Pass a PEM file, or "
		    "convert a DER certificate with: openssl x509 -inform DER "
		    "-in %s -out ca.pem",
		    path, path);
		return -1;
	}
	return 0;
}

/* True when token is printable ASCII without spaces, as HTTP needs. */
static bool
token_is_printable(const char *token, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)token[i] <= 0x20 ||
		    (unsigned char)token[i] >= 0x7f)
			return false;
	return true;
}

/*
 * Reads from fd until a newline arrives, the file ends or buf is full.
 * Returns the byte count, or -1 with errno set.
 */
static ssize_t
read_first_line(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len < size && memchr(buf, '\n', len) == NULL) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

int
settings_read_token_file(const char *path, char **token,
    bool *readable_by_others, char *err, size_t errlen)
{
	char buf[TOKEN_FILE_MAX_LINE + 1];
	struct stat st;
	const char *newline;
	ssize_t got;
	size_t len;
	int fd;
	int ret = -1;

	*token = NULL;
	*readable_by_others = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open token file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read token file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "token file %s is a directory", path);
		goto out;
	}
	*readable_by_others =
	    S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
	got = read_first_line(fd, buf, sizeof(buf));
	if (got < 0) {
		snprintf(err, errlen, "cannot read token file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	newline = memchr(buf, '\n', (size_t)got);
	if (newline == NULL && (size_t)got > TOKEN_FILE_MAX_LINE) {
		snprintf(err, errlen,
		    "the first line of token file %s is longer than %d bytes",
		    path, TOKEN_FILE_MAX_LINE);
		goto out;
	}
	len = newline != NULL ? (size_t)(newline - buf) : (size_t)got;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		snprintf(err, errlen,
		    "the first line of token file %s is empty", path);
		goto out;
	}
	if (!token_is_printable(buf, len)) {
		snprintf(err, errlen,
		    "the token in %s contains spaces or control characters",
		    path);
		goto out;
	}
	*token = strndup(buf, len);
	if (*token == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ret;
}

int
settings_resolve_token(struct settings *settings)
{
	char err[512];
	bool readable_by_others;

	if (settings->token == NULL && settings->token_file != NULL) {
		if (settings_read_token_file(settings->token_file,
			&settings->token, &readable_by_others, err,
			sizeof(err)) != 0) {
			msg_error("%s", err);
			return CTL_EXIT_USAGE;
		}
		settings->token_source = settings->token_file;
		if (readable_by_others)
			msg_warning("token file %s is readable by other "
				    "users. Restrict it with: chmod 600 %s",
			    settings->token_file, settings->token_file);
	}
	if (settings->token == NULL) {
		msg_error("no API token: set ISMS_TOKEN or ISMS_TOKEN_FILE, "
			  "or pass --token or --token-file");
		return CTL_EXIT_AUTH;
	}
	if (!token_is_printable(settings->token, strlen(settings->token))) {
		msg_error("the token from %s contains spaces or control "
			  "characters",
		    settings->token_source);
		return CTL_EXIT_USAGE;
	}
	return CTL_EXIT_OK;
}

void
settings_free_secret(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

void
settings_free(struct settings *settings)
{
	free(settings->url);
	free(settings->cacert);
	settings_free_secret(settings->token);
	free(settings->token_file);
	settings_init(settings);
}
