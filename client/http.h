/*
 * Requests to the ismsd API with the libcurl easy interface, one at a
 * time: TLS verification on, a 30 s timeout, the bearer token, and error
 * responses turned into messages and exit statuses.
 */
#ifndef ISMSCTL_HTTP_H
#define ISMSCTL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buffer.h"
#include "settings.h"

/* Whole-request timeout in seconds, connection and TLS handshake included. */
#define HTTP_TIMEOUT_SECONDS 30L

/*
 * Maximum response body size in bytes (256 MiB). Larger responses fail
 * with exit status 6. By estimate, a page of 1000 audit records whose
 * before and after states each have 50 evidence links of 2000 ASCII
 * characters takes about 200 MB, so such a page still fits.
 */
#define HTTP_MAX_BODY_MIB 256UL
#define HTTP_MAX_BODY (HTTP_MAX_BODY_MIB * 1024 * 1024)

struct http_client;

struct http_request {
	const char *method;   /* "GET" or "PATCH" */
	const char *path;     /* escaped path such as "/api/v1/soa" */
	const char *query;    /* escaped query without "?", or NULL */
	const char *accept;   /* NULL for application/json */
	const char *body;     /* JSON text to send, or NULL */
	const char *if_match; /* If-Match header value, or NULL */
	bool auth;	      /* send the bearer token */
};

/* Response body collected by http_body_write(). */
struct http_body {
	struct buffer buf;
	size_t max;	    /* maximum size in bytes */
	bool too_large;	    /* the server sent more than max bytes */
	bool out_of_memory; /* an append to buf failed */
};

struct http_response {
	long status;
	char *body; /* NUL-terminated, possibly empty */
	size_t body_len;
	char *content_type; /* NULL when the server sent none */
	char *etag;	    /* NULL when the server sent none */
	char *request_id;   /* X-Request-Id, or NULL */
};

/*
 * Creates a client for settings, which must outlive it. Returns
 * CTL_EXIT_OK, or CTL_EXIT_USAGE for an invalid URL or an unreadable CA
 * bundle and CTL_EXIT_SERVER when libcurl fails, with a message on stderr.
 */
int http_client_new(struct settings *settings, struct http_client **client);
void http_client_free(struct http_client *client);

/*
 * Appends "name=value" to query, with value percent-encoded and a "&"
 * before it unless query is empty. Returns 0, or -1 when memory runs out.
 */
int http_query_add(struct buffer *query, const char *name, const char *value);

/*
 * Returns prefix followed by "/" and the percent-encoded segment for each
 * non-NULL segment, for example "/api/v1/soa/bio2/5.24.01". Returns NULL
 * when memory runs out. The caller frees the path.
 */
char *http_path(const char *prefix, const char *segment1, const char *segment2);

/*
 * Sends the request and stores the response whatever its HTTP status.
 * Returns CTL_EXIT_OK, or the exit status with a message on stderr when
 * no token is available or the request fails before a response arrives.
 * Free resp with http_response_free() in every case.
 */
int http_send(struct http_client *client, const struct http_request *req,
    struct http_response *resp);

/*
 * Like http_send(), and also prints the server's error and returns its
 * exit status for a response that is not 2xx.
 */
int http_call(struct http_client *client, const struct http_request *req,
    struct http_response *resp);

/*
 * Prints the error of a response that is not 2xx on stderr: the problem's
 * detail and field, the request id and, for some statuses, what to do
 * next. http_call() does this by itself.
 */
void http_report_problem(const struct http_response *resp);

/*
 * Sends an authenticated GET and decodes the JSON body of a 2xx response
 * into *json. Returns CTL_EXIT_OK, or an exit status with a message on
 * stderr. The caller frees *json and resp.
 */
int http_get_json(struct http_client *client, const char *path,
    const char *query, struct http_response *resp, json_t **json);

/*
 * Decodes the JSON body of resp into *json. Returns CTL_EXIT_OK, or
 * CTL_EXIT_SERVER with a message naming what when the body is not JSON.
 */
int http_parse_json(
    const struct http_response *resp, const char *what, json_t **json);

/*
 * Appends size * nmemb bytes to the struct http_body at userdata. This is
 * the CURLOPT_WRITEFUNCTION callback. Returns the byte count, or 0, which
 * makes libcurl abort the transfer, when the body would grow beyond max
 * bytes or memory runs out.
 */
size_t http_body_write(char *data, size_t size, size_t nmemb, void *userdata);

void http_response_free(struct http_response *resp);

#endif
