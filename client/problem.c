#include "problem.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ismsctl.h"
#include "text.h"

int
problem_exit_code(long status)
{
	switch (status) {
	case 400:
	case 406:
	case 413:
	case 415:
	case 422:
		return CTL_EXIT_INVALID;
	case 401:
	case 403:
		return CTL_EXIT_AUTH;
	case 404:
		return CTL_EXIT_NOT_FOUND;
	case 409:
	case 412:
	case 428:
		return CTL_EXIT_CONFLICT;
	case 408: /* request timeout */
	case 429: /* too many requests */
		return CTL_EXIT_SERVER;
	default:
		break;
	}
	if (status >= 200 && status <= 299)
		return CTL_EXIT_OK;
	if (status >= 400 && status <= 499)
		return CTL_EXIT_INVALID;
	return CTL_EXIT_SERVER;
}

/* True for application/json and every application/...+json media type. */
static bool
is_json_media_type(const char *content_type)
{
	static const char prefix[] = "application/";
	size_t len;

	if (content_type == NULL ||
	    strncasecmp(content_type, prefix, strlen(prefix)) != 0)
		return false;
	len = strcspn(content_type, "; ");
	return len >= 4 && strncasecmp(content_type + len - 4, "json", 4) == 0;
}

/* Returns the member's string value, or NULL when it is not a string. */
static const char *
string_member(const json_t *object, const char *key)
{
	const json_t *value = json_object_get(object, key);
	const char *text = json_string_value(value);

	return text != NULL && text[0] != '\0' ? text : NULL;
}

/* Copies text into out with control characters replaced by spaces. */
static void
copy_clean(char *out, size_t outlen, const char *text)
{
	char *clean = text_clean(text);

	snprintf(out, outlen, "%s", clean != NULL ? clean : "");
	free(clean);
}

static void
describe_json(const json_t *problem, long status, const char *request_id,
    struct problem_report *report)
{
	const char *detail = string_member(problem, "detail");
	const char *field = string_member(problem, "field");
	const char *body_request_id = string_member(problem, "request_id");
	char detail_text[768];
	char field_text[128];

	if (detail == NULL)
		detail = string_member(problem, "title");
	if (detail == NULL)
		snprintf(detail_text, sizeof(detail_text),
		    "the server responded with HTTP %ld", status);
	else
		copy_clean(detail_text, sizeof(detail_text), detail);
	if (field != NULL) {
		copy_clean(field_text, sizeof(field_text), field);
		snprintf(report->message, sizeof(report->message),
		    "%s (field: %s)", detail_text, field_text);
	} else {
		snprintf(report->message, sizeof(report->message), "%s",
		    detail_text);
	}
	if (body_request_id != NULL)
		request_id = body_request_id;
	if (request_id != NULL)
		copy_clean(
		    report->request_id, sizeof(report->request_id), request_id);
}

static void
describe_hint(long status, struct problem_report *report)
{
	const char *hint = NULL;

	switch (status) {
	case 401:
		hint = "check the API token (ISMS_TOKEN, ISMS_TOKEN_FILE, "
		       "--token or --token-file)";
		break;
	case 403:
		hint = "the token's role does not allow this. Changing the "
		       "Statement of Applicability needs role admin or ciso";
		break;
	case 412:
		hint = "the entry changed after its ETag was read. Check it "
		       "with 'ismsctl soa show' and run the change again";
		break;
	default:
		break;
	}
	if (hint != NULL)
		snprintf(report->hint, sizeof(report->hint), "%s", hint);
}

void
problem_describe(long status, const char *content_type, const char *body,
    size_t body_len, const char *header_request_id,
    struct problem_report *report)
{
	json_t *problem = NULL;

	memset(report, 0, sizeof(*report));
	if (body != NULL && is_json_media_type(content_type))
		problem = json_loadb(body, body_len, 0, NULL);
	if (json_is_object(problem)) {
		describe_json(problem, status, header_request_id, report);
	} else {
		snprintf(report->message, sizeof(report->message),
		    "the server responded with HTTP %ld", status);
		if (header_request_id != NULL)
			copy_clean(report->request_id,
			    sizeof(report->request_id), header_request_id);
	}
	json_decref(problem);
	describe_hint(status, report);
}

char *
problem_json_text(
    long status, const char *content_type, const char *body, size_t body_len)
{
	json_t *problem = NULL;
	char detail[128];
	char *text;

	if (body != NULL && is_json_media_type(content_type))
		problem = json_loadb(body, body_len, 0, NULL);
	if (json_is_object(problem)) {
		json_decref(problem);
		return strndup(body, body_len);
	}
	json_decref(problem);
	snprintf(detail, sizeof(detail),
	    "the server responded with HTTP %ld and a body that is not a "
	    "JSON problem document",
	    status);
	problem = json_pack("{s:s,s:I,s:s}", "type", "about:blank", "status",
	    (json_int_t)status, "detail", detail);
	if (problem == NULL)
		return NULL;
	text = json_dumps(problem, JSON_COMPACT);
	json_decref(problem);
	return text;
}
