/*
 * Error responses: the exit status for an HTTP status, and the message
 * for an application/problem+json body (RFC 9457) as docs/api.md defines
 * it, with members detail, title, field and request_id.
 */
#ifndef ISMSCTL_PROBLEM_H
#define ISMSCTL_PROBLEM_H

#include <stddef.h>

/* Lines printed on stderr for an error response. Empty ones are unset. */
struct problem_report {
	char message[1024];  /* "<detail> (field: <field>)" */
	char request_id[80]; /* from the body, else from X-Request-Id */
	char hint[256];	     /* what the user can do next */
};

/*
 * Returns the exit status for an HTTP status. 2xx gives CTL_EXIT_OK.
 * 401 and 403 give CTL_EXIT_AUTH, 404 CTL_EXIT_NOT_FOUND, and 409, 412
 * and 428 CTL_EXIT_CONFLICT. 408, 429, 5xx and anything else outside 4xx
 * give CTL_EXIT_SERVER, and the other 4xx (400, 406, 413, 415, 422...)
 * CTL_EXIT_INVALID.
 */
int problem_exit_code(long status);

/*
 * Fills report from an error response. content_type and
 * header_request_id may be NULL, and body need not be NUL-terminated. A
 * body that is not a JSON object gives a generic message with the HTTP
 * status, so raw bodies never reach the terminal.
 */
void problem_describe(long status, const char *content_type, const char *body,
    size_t body_len, const char *header_request_id,
    struct problem_report *report);

/*
 * Returns the JSON document that --json prints for an error response: a
 * copy of body when it is a JSON object with a JSON media type, else
 * {"type":"about:blank","status":N,"detail":"..."}, a problem document
 * (RFC 9457) for the bare HTTP status. Returns NULL when memory runs out.
 * The caller frees the text.
 */
char *problem_json_text(
    long status, const char *content_type, const char *body, size_t body_len);

#endif
