#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ismsctl.h"
#include "message.h"
#include "problem.h"

/* CURLOPT_PROTOCOLS_STR needs libcurl 7.85.0, curl_easy_header() 7.83.0. */
#if LIBCURL_VERSION_NUM < 0x075500
#error "ismsctl needs libcurl 7.85.0 or later"
#endif

#define USER_AGENT "ismsctl/" ISMSCTL_VERSION

struct http_client {
	CURL *curl;
	struct settings *settings;
	char *base_url; /* settings->url without trailing slashes */
	char errbuf[CURL_ERROR_SIZE];
};

int
http_client_new(struct settings *settings, struct http_client **client)
{
	struct http_client *c;
	/* Room for the CA bundle message, which names the path twice. */
	char err[2 * 4096 + 512];
	size_t len;

	*client = NULL;
	if (settings_check_url(settings->url, err, sizeof(err)) != 0) {
		msg_error("%s (set by ISMS_URL or --url)", err);
		return CTL_EXIT_USAGE;
	}
	if (settings->cacert != NULL &&
	    settings_check_cacert(settings->cacert, err, sizeof(err)) != 0) {
		msg_error("%s (set by ISMS_CACERT or --cacert)", err);
		return CTL_EXIT_USAGE;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto nomem;
	c->settings = settings;
	c->base_url = strdup(settings->url);
	if (c->base_url == NULL)
		goto nomem;
	len = strlen(c->base_url);
	while (len > 0 && c->base_url[len - 1] == '/')
		c->base_url[--len] = '\0';
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		msg_error("libcurl could not create a request handle");
		http_client_free(c);
		return CTL_EXIT_SERVER;
	}
	*client = c;
	return CTL_EXIT_OK;
nomem:
	msg_error("out of memory");
	http_client_free(c);
	return CTL_EXIT_SERVER;
}

void
http_client_free(struct http_client *client)
{
	if (client == NULL)
		return;
	if (client->curl != NULL)
		curl_easy_cleanup(client->curl);
	free(client->base_url);
	free(client);
}

/*
 * Returns a malloc'd percent-encoded copy of text. curl_easy_escape()
 * ignores its handle argument since libcurl 7.82.0, so NULL is passed.
 */
static char *
escape(const char *text)
{
	char *escaped = curl_easy_escape(NULL, text, 0);
	char *copy;

	if (escaped == NULL)
		return NULL;
	copy = strdup(escaped);
	curl_free(escaped);
	return copy;
}

int
http_query_add(struct buffer *query, const char *name, const char *value)
{
	char *escaped = escape(value);
	int ret;

	if (escaped == NULL)
		return -1;
	ret = buffer_appendf(
	    query, "%s%s=%s", query->len > 0 ? "&" : "", name, escaped);
	free(escaped);
	return ret;
}

char *
http_path(const char *prefix, const char *segment1, const char *segment2)
{
	const char *segments[] = {segment1, segment2};
	struct buffer path;
	size_t i;

	buffer_init(&path);
	if (buffer_append_str(&path, prefix) != 0)
		goto fail;
	for (i = 0; i < sizeof(segments) / sizeof(segments[0]); i++) {
		char *escaped;
		int ret;

		if (segments[i] == NULL)
			continue;
		escaped = escape(segments[i]);
		if (escaped == NULL)
			goto fail;
		ret = buffer_appendf(&path, "/%s", escaped);
		free(escaped);
		if (ret != 0)
			goto fail;
	}
	return buffer_take(&path);
fail:
	buffer_free(&path);
	return NULL;
}

size_t
http_body_write(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct http_body *body = userdata;
	size_t len = size * nmemb;

	if (len > body->max - body->buf.len) {
		body->too_large = true;
		return 0;
	}
	if (buffer_append(&body->buf, data, len) != 0) {
		body->out_of_memory = true;
		return 0;
	}
	return len;
}

/*
 * Appends "Name: value" to the header list, or "Name:" for an empty
 * value, which makes curl leave out a header it would add by itself.
 * Returns 0, or -1 when memory runs out.
 */
static int
add_header(struct curl_slist **headers, const char *name, const char *value)
{
	struct buffer line;
	struct curl_slist *grown;

	buffer_init(&line);
	if (buffer_appendf(&line, "%s:%s%s", name, value[0] != '\0' ? " " : "",
		value) != 0)
		return -1;
	grown = curl_slist_append(*headers, line.data);
	explicit_bzero(line.data, line.len);
	buffer_free(&line);
	if (grown == NULL)
		return -1;
	*headers = grown;
	return 0;
}

/* Frees the header list after overwriting it, as it contains the token. */
static void
free_headers(struct curl_slist *headers)
{
	struct curl_slist *node;

	for (node = headers; node != NULL; node = node->next)
		explicit_bzero(node->data, strlen(node->data));
	curl_slist_free_all(headers);
}

static int
build_headers(const struct http_client *client, const struct http_request *req,
    struct curl_slist **headers)
{
	*headers = NULL;
	if (add_header(headers, "Accept",
		req->accept != NULL ? req->accept : "application/json") != 0)
		return -1;
	if (req->auth) {
		struct buffer bearer;
		int ret;

		buffer_init(&bearer);
		ret = buffer_appendf(
		    &bearer, "Bearer %s", client->settings->token);
		if (ret == 0)
			ret = add_header(headers, "Authorization", bearer.data);
		if (bearer.data != NULL)
			explicit_bzero(bearer.data, bearer.len);
		buffer_free(&bearer);
		if (ret != 0)
			return -1;
	}
	if (req->body != NULL &&
	    (add_header(headers, "Content-Type", "application/json") != 0 ||
		/* An empty Expect stops curl from waiting for 100 Continue. */
		add_header(headers, "Expect", "") != 0))
		return -1;
	if (req->if_match != NULL &&
	    add_header(headers, "If-Match", req->if_match) != 0)
		return -1;
	return 0;
}

static CURLcode
set_options(struct http_client *client, const struct http_request *req,
    const char *url, struct curl_slist *headers, struct http_body *sink)
{
	CURL *curl = client->curl;
	CURLcode code;

	code = curl_easy_setopt(curl, CURLOPT_URL, url);
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (code == CURLE_OK && client->settings->cacert != NULL)
		code = curl_easy_setopt(
		    curl, CURLOPT_CAINFO, client->settings->cacert);
	if (code == CURLE_OK)
		code = curl_easy_setopt(
		    curl, CURLOPT_TIMEOUT, HTTP_TIMEOUT_SECONDS);
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	if (code == CURLE_OK)
		code =
		    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, client->errbuf);
	/* Fails early when Content-Length announces too large a body. */
	if (code == CURLE_OK)
		code = curl_easy_setopt(
		    curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
	if (code == CURLE_OK)
		code = curl_easy_setopt(
		    curl, CURLOPT_WRITEFUNCTION, http_body_write);
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
	if (code != CURLE_OK)
		return code;
	if (strcmp(req->method, "GET") == 0)
		return curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	code = curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body != NULL ? strlen(req->body) : 0));
	if (code == CURLE_OK)
		code = curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
		    req->body != NULL ? req->body : "");
	return code;
}

/* Returns a copy of the last value of the response header, or NULL. */
static char *
copy_header(CURL *curl, const char *name)
{
	struct curl_header *header;

	if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &header) !=
	    CURLHE_OK)
		return NULL;
	return strdup(header->value);
}

static int
store_response(struct http_client *client, struct http_body *sink,
    struct http_response *resp)
{
	const char *content_type = NULL;

	if (curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE,
		&resp->status) != CURLE_OK ||
	    curl_easy_getinfo(
		client->curl, CURLINFO_CONTENT_TYPE, &content_type) != CURLE_OK)
		return -1;
	if (content_type != NULL) {
		resp->content_type = strdup(content_type);
		if (resp->content_type == NULL)
			return -1;
	}
	resp->etag = copy_header(client->curl, "ETag");
	resp->request_id = copy_header(client->curl, "X-Request-Id");
	resp->body_len = sink->buf.len;
	resp->body = buffer_take(&sink->buf);
	return resp->body != NULL ? 0 : -1;
}

static void
report_transfer_error(const struct http_client *client, const char *url,
    CURLcode code, const struct http_body *sink)
{
	char detail[CURL_ERROR_SIZE];
	size_t len;

	snprintf(detail, sizeof(detail), "%s",
	    client->errbuf[0] != '\0' ? client->errbuf
				      : curl_easy_strerror(code));
	len = strlen(detail);
	while (len > 0 && (detail[len - 1] == '\n' || detail[len - 1] == ' '))
		detail[--len] = '\0';
	if (sink->too_large || code == CURLE_FILESIZE_EXCEEDED) {
		msg_error("request to %s failed: the response is larger than "
			  "%lu MiB, the maximum that ismsctl accepts. Fetch "
			  "lists in smaller pages with --limit",
		    url, HTTP_MAX_BODY_MIB);
		return;
	}
	if (sink->out_of_memory) {
		msg_error("request to %s failed: out of memory while "
			  "receiving the response",
		    url);
		return;
	}
	msg_error("request to %s failed: %s", url, detail);
	msg_error("check the URL (ISMS_URL or --url) and, for certificate "
		  "errors, the CA bundle (ISMS_CACERT or --cacert)");
}

int
http_send(struct http_client *client, const struct http_request *req,
    struct http_response *resp)
{
	struct curl_slist *headers = NULL;
	struct http_body sink = {.max = HTTP_MAX_BODY};
	struct buffer url;
	CURLcode code;
	int ret = CTL_EXIT_SERVER;

	memset(resp, 0, sizeof(*resp));
	buffer_init(&url);
	buffer_init(&sink.buf);
	if (req->auth) {
		ret = settings_resolve_token(client->settings);
		if (ret != CTL_EXIT_OK)
			return ret;
		ret = CTL_EXIT_SERVER;
	}
	if (buffer_appendf(&url, "%s%s%s%s", client->base_url, req->path,
		req->query != NULL && req->query[0] != '\0' ? "?" : "",
		req->query != NULL ? req->query : "") != 0 ||
	    build_headers(client, req, &headers) != 0) {
		msg_error("out of memory");
		goto out;
	}
	curl_easy_reset(client->curl);
	client->errbuf[0] = '\0';
	code = set_options(client, req, url.data, headers, &sink);
	if (code != CURLE_OK) {
		msg_error("cannot set up the request to %s: %s", url.data,
		    curl_easy_strerror(code));
		goto out;
	}
	code = curl_easy_perform(client->curl);
	if (code != CURLE_OK) {
		report_transfer_error(client, url.data, code, &sink);
		goto out;
	}
	if (store_response(client, &sink, resp) != 0) {
		msg_error("cannot store the response from %s: out of memory",
		    url.data);
		goto out;
	}
	ret = CTL_EXIT_OK;
out:
	/* The handle keeps a pointer to the list, which is freed here. */
	if (curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, NULL) !=
	    CURLE_OK)
		msg_warning("cannot clear the request headers");
	free_headers(headers);
	buffer_free(&sink.buf);
	buffer_free(&url);
	return ret;
}

void
http_report_problem(const struct http_response *resp)
{
	struct problem_report report;

	problem_describe(resp->status, resp->content_type, resp->body,
	    resp->body_len, resp->request_id, &report);
	msg_error("%s", report.message);
	if (report.request_id[0] != '\0')
		msg_error("request id %s", report.request_id);
	if (report.hint[0] != '\0')
		msg_error("%s", report.hint);
}

int
http_call(struct http_client *client, const struct http_request *req,
    struct http_response *resp)
{
	int ret = http_send(client, req, resp);

	if (ret != CTL_EXIT_OK)
		return ret;
	ret = problem_exit_code(resp->status);
	if (ret != CTL_EXIT_OK)
		http_report_problem(resp);
	return ret;
}

int
http_parse_json(
    const struct http_response *resp, const char *what, json_t **json)
{
	json_error_t error;

	*json = json_loadb(resp->body, resp->body_len, 0, &error);
	if (*json == NULL) {
		msg_error("the server's response to %s is not valid JSON: %s "
			  "(line %d)",
		    what, error.text, error.line);
		return CTL_EXIT_SERVER;
	}
	return CTL_EXIT_OK;
}

int
http_get_json(struct http_client *client, const char *path, const char *query,
    struct http_response *resp, json_t **json)
{
	struct http_request req = {
	    .method = "GET",
	    .path = path,
	    .query = query,
	    .auth = true,
	};
	int ret;

	*json = NULL;
	ret = http_call(client, &req, resp);
	if (ret != CTL_EXIT_OK)
		return ret;
	return http_parse_json(resp, path, json);
}

void
http_response_free(struct http_response *resp)
{
	free(resp->body);
	free(resp->content_type);
	free(resp->etag);
	free(resp->request_id);
	memset(resp, 0, sizeof(*resp));
}
