#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "http.h"
#include "log.h"
#include "migrate.h"
#include "tls.h"
#include "util.h"
#include "version.h"

#define PROBLEM_PREFIX "urn:ismsd:problem:"

/*
 * libevent 2.1 replies to a body over its own limit with an HTML 413 that
 * never reaches a handler. Its limit is set this far above ours, so that a body a
 * little over max_body_size still gets our problem+json 413 while a
 * client cannot make a worker buffer much more than max_body_size.
 */
#define HTTP_HARD_BODY_SLACK (64 * 1024)

struct worker {
	int id;
	pthread_t thread;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct event *stop_event;
	struct db db;
	struct token_cache tokens;
	const struct config *cfg;
	long connections;
	int fd;
};

struct server {
	struct config *cfg;
	const char *config_path;
	pthread_mutex_t ctx_lock;
	SSL_CTX *ctx; /* replaced on SIGHUP under ctx_lock */
	struct worker *workers;
	int nworkers;
};

static struct server server;
static int conn_index = -1; /* SSL ex_data slot: the owning worker */

static const struct route *const route_tables[] = {
	api_health_routes,
	api_controls_routes,
	api_soa_routes,
	api_audit_routes,
};

static const struct {
	int status;
	const char *title;
} status_titles[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 409, "Conflict" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 428, "Precondition Required" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

static const char *
status_title(int status)
{
	size_t i;

	for (i = 0; i < sizeof(status_titles) / sizeof(status_titles[0]); i++)
		if (status_titles[i].status == status)
			return status_titles[i].title;
	return "Error";
}

/* Short summaries of the problem types, used as the RFC 9457 title. */
static const struct {
	const char *type;
	const char *title;
} problem_titles[] = {
	{ "malformed-json", "Malformed JSON" },
	{ "unknown-field", "Unknown field" },
	{ "invalid-type", "Invalid type" },
	{ "invalid-parameter", "Invalid query parameter" },
	{ "invalid-value", "Invalid value" },
	{ "rule-violation", "Rule violation" },
	{ "unauthorized", "Authentication required" },
	{ "forbidden", "Permission denied" },
	{ "not-found", "Not found" },
	{ "method-not-allowed", "Method not allowed" },
	{ "not-acceptable", "Not acceptable" },
	{ "conflict", "Conflict" },
	{ "precondition-failed", "Precondition failed" },
	{ "payload-too-large", "Request body too large" },
	{ "unsupported-media-type", "Unsupported media type" },
	{ "precondition-required", "Precondition required" },
	{ "internal", "Internal error" },
	{ "unavailable", "Service unavailable" },
};

static const char *
problem_title(const char *type, int status)
{
	size_t i;

	for (i = 0; i < sizeof(problem_titles) / sizeof(problem_titles[0]);
	     i++)
		if (strcmp(problem_titles[i].type, type) == 0)
			return problem_titles[i].title;
	return status_title(status);
}

/* Connection accounting -------------------------------------------------- */

/* Runs when libevent frees a connection's SSL object. */
static void
conn_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct worker *w = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (w != NULL)
		w->connections--;
}

/* Fails the handshake of a connection accepted over max_connections. */
static int
conn_hello_cb(SSL *ssl, int *alert, void *arg)
{
	(void)arg;
	if (SSL_get_ex_data(ssl, conn_index) != NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	*alert = SSL_AD_INTERNAL_ERROR;
	return SSL_CLIENT_HELLO_ERROR;
}

static struct bufferevent *
conn_bev_cb(struct event_base *base, void *arg)
{
	struct worker *w = arg;
	SSL_CTX *ctx;
	SSL *ssl;

	pthread_mutex_lock(&server.ctx_lock);
	ctx = server.ctx;
	SSL_CTX_up_ref(ctx);
	pthread_mutex_unlock(&server.ctx_lock);
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx); /* the SSL object keeps its own reference */
	if (ssl == NULL) {
		log_error("creating a TLS session failed; closing the "
			  "connection");
		return NULL;
	}
	if (w->connections >= w->cfg->max_connections) {
		log_warn("worker %d: %ld connections open, the limit "
			 "max_connections; rejecting a new one",
		    w->id, w->connections);
	} else {
		SSL_set_ex_data(ssl, conn_index, w);
		w->connections++;
	}
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

/* Request helpers --------------------------------------------------------- */

static void
make_request_id(struct request *r)
{
	const char *client_id = request_header(r, "X-Request-Id");
	unsigned char raw[8];
	size_t i, len;

	if (client_id != NULL && (len = strlen(client_id)) >= 1 && len <= 64) {
		for (i = 0; i < len; i++) {
			char c = client_id[i];

			if (!isalnum((unsigned char)c) && c != '.' &&
			    c != '_' && c != '-')
				break;
		}
		if (i == len) {
			memcpy(r->request_id, client_id, len + 1);
			return;
		}
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		memset(raw, 0, sizeof(raw));
	hex_encode(raw, sizeof(raw), r->request_id);
}

const char *
request_header(struct request *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    name);
}

void
reply_header(struct request *r, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), name,
	    value);
}

static void
parse_query(struct request *r)
{
	const struct evhttp_uri *uri;
	const char *q;

	if (r->query_parsed)
		return;
	r->query_parsed = 1;
	TAILQ_INIT(&r->query);
	uri = evhttp_request_get_evhttp_uri(r->req);
	q = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (q != NULL && evhttp_parse_query_str(q, &r->query) < 0) {
		evhttp_clear_headers(&r->query);
		r->query_invalid = 1;
	}
}

/* True when s is valid UTF-8 without control characters. */
static int
query_text_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		int n, i;

		if (*p < 0x20 || *p == 0x7f)
			return 0;
		n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1
		    : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0 || (n == 1 && *p < 0xc2))
			return 0;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n + 1;
	}
	return 1;
}

const char *
request_query(struct request *r, const char *name)
{
	parse_query(r);
	return evhttp_find_header(&r->query, name);
}

int
request_check_query(struct request *r, const char *const *allowed)
{
	struct evkeyval *kv;
	size_t i;

	parse_query(r);
	if (r->query_invalid) {
		reply_problem(r, 400, "invalid-parameter", NULL,
		    "the query string is malformed; write it as "
		    "name=value pairs joined by &");
		return -1;
	}
	TAILQ_FOREACH(kv, &r->query, next) {
		struct evkeyval *other;

		if (!query_text_valid(kv->key) || !query_text_valid(kv->value)) {
			char key[64];

			reply_problem(r, 400, "invalid-parameter",
			    log_escape(key, sizeof(key), kv->key),
			    "query parameter \"%s\" is not valid UTF-8 text "
			    "or contains control characters",
			    key);
			return -1;
		}

		for (other = TAILQ_NEXT(kv, next); other != NULL;
		     other = TAILQ_NEXT(other, next)) {
			if (strcmp(kv->key, other->key) == 0) {
				char key[64];

				reply_problem(r, 400, "invalid-parameter",
				    log_escape(key, sizeof(key), kv->key),
				    "query parameter \"%s\" is given more "
				    "than once; give it once",
				    key);
				return -1;
			}
		}
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(kv->key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			char key[64];

			reply_problem(r, 400, "invalid-parameter",
			    log_escape(key, sizeof(key), kv->key),
			    "unknown query parameter \"%s\"", key);
			return -1;
		}
	}
	return 0;
}

/* Reads the q parameter of one Accept element; 1000 when absent. */
static int
accept_q(const char *params, size_t len)
{
	const char *q = NULL, *p;
	int value = 0, digits = 0;

	for (p = params; p + 2 <= params + len; p++)
		if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=' &&
		    (p == params || p[-1] == ';' || p[-1] == ' ' ||
			p[-1] == '\t'))
			q = p + 2;
	if (q == NULL)
		return 1000;
	if (*q == '1')
		return 1000;
	if (*q != '0')
		return 0;
	if (q[1] == '.')
		for (p = q + 2; digits < 3 && *p >= '0' && *p <= '9'; p++) {
			value = value * 10 + (*p - '0');
			digits++;
		}
	while (digits++ < 3)
		value *= 10;
	return value;
}

int
request_accept_quality(struct request *r, const char *type)
{
	const char *accept = request_header(r, "Accept"), *el, *end;
	size_t typelen = strlen(type), major = strcspn(type, "/");
	int best_spec = -1, best_q = 0;

	if (accept == NULL)
		return 1000;
	for (el = accept; *el != '\0'; el = *end != '\0' ? end + 1 : end) {
		size_t len, rangelen;
		int spec = -1;

		while (*el == ' ' || *el == '\t')
			el++;
		end = el + strcspn(el, ",");
		len = (size_t)(end - el);
		rangelen = strcspn(el, ";,");
		while (rangelen > 0 && el[rangelen - 1] == ' ')
			rangelen--;
		if (rangelen == 3 && strncmp(el, "*/*", 3) == 0)
			spec = 0;
		else if (rangelen == major + 2 &&
		    strncasecmp(el, type, major + 1) == 0 &&
		    el[major + 1] == '*')
			spec = 1;
		else if (rangelen == typelen && strncasecmp(el, type, typelen) == 0)
			spec = 2;
		if (spec > best_spec) {
			best_spec = spec;
			best_q = accept_q(el + rangelen, len - rangelen);
		}
	}
	return best_spec < 0 ? 0 : best_q;
}

int
request_accepts(struct request *r, const char *type)
{
	return request_accept_quality(r, type) > 0;
}

static int
content_type_is_json(const char *ct)
{
	size_t len;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	len = strcspn(ct, "; ");
	return (len == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (len == 28 &&
		strncasecmp(ct, "application/merge-patch+json", 28) == 0);
}

json_t *
request_json_body(struct request *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	size_t len = evbuffer_get_length(in);
	json_error_t error;
	const char *data;
	json_t *body;

	if (len > (size_t)r->cfg->max_body_size) {
		reply_problem(r, 413, "payload-too-large", NULL,
		    "the request body has %zu bytes; the limit is %ld", len,
		    r->cfg->max_body_size);
		return NULL;
	}
	if (!content_type_is_json(request_header(r, "Content-Type"))) {
		reply_problem(r, 415, "unsupported-media-type", NULL,
		    "send the body as Content-Type: application/json");
		return NULL;
	}
	data = (const char *)evbuffer_pullup(in, -1);
	body = json_loadb(data == NULL ? "" : data, len,
	    JSON_REJECT_DUPLICATES, &error);
	if (body == NULL) {
		reply_problem(r, 400, "malformed-json", NULL,
		    "the body is not valid JSON: %s at line %d, column %d",
		    error.text, error.line, error.column);
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		reply_problem(r, 400, "malformed-json", NULL,
		    "the body must be a JSON object");
		return NULL;
	}
	return body;
}

/* Replies ----------------------------------------------------------------- */

static void
log_access(struct request *r)
{
	char path[256];

	log_info("%s %s %d %zu %lldms req=%s actor=%s", r->method,
	    log_escape(path, sizeof(path), r->path), r->status, r->bytes,
	    (long long)(monotonic_ms() - r->start_ms), r->request_id,
	    r->actor);
}

void
reply_buffer(struct request *r, int status, const char *content_type,
    struct evbuffer *buf)
{
	reply_header(r, "Content-Type", content_type);
	reply_header(r, "X-Request-Id", r->request_id);
	reply_header(r, "Cache-Control", "no-store");
	r->status = status;
	r->bytes = evbuffer_get_length(buf);
	/*
	 * One contiguous body goes out in as few TLS records and send()
	 * calls as possible; libevent writes each buffer chunk separately.
	 */
	evbuffer_pullup(buf, -1);
	if (evhttp_request_get_command(r->req) == EVHTTP_REQ_HEAD) {
		char length[24];

		/* libevent would send the body even to a HEAD request. */
		snprintf(length, sizeof(length), "%zu", r->bytes);
		reply_header(r, "Content-Length", length);
		evbuffer_drain(buf, r->bytes);
	}
	evhttp_send_reply(r->req, status, status_title(status), buf);
	evbuffer_free(buf);
	log_access(r);
}

void
reply_raw(struct request *r, int status, const char *content_type,
    const char *data, size_t len)
{
	struct evbuffer *buf = evbuffer_new();

	if (buf == NULL)
		abort();
	evbuffer_add(buf, data, len);
	reply_buffer(r, status, content_type, buf);
}

void
reply_json(struct request *r, int status, json_t *body)
{
	char *text;

	text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (text == NULL) {
		reply_problem(r, 500, "internal", NULL,
		    "serialising the response failed");
		return;
	}
	reply_raw(r, status, "application/json", text, strlen(text));
	free(text);
}

void
reply_problem(struct request *r, int status, const char *type,
    const char *field, const char *fmt, ...)
{
	char detail[1024], typeuri[96];
	json_t *body;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(typeuri, sizeof(typeuri), PROBLEM_PREFIX "%s", type);
	body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", typeuri,
	    "title", problem_title(type, status), "status", status, "detail",
	    detail, "request_id", r->request_id);
	if (body != NULL && field != NULL)
		json_object_set_new(body, "field", json_string(field));
	if (status == 401)
		reply_header(r, "WWW-Authenticate", "Bearer realm=\"ismsd\"");
	if (status == 503)
		reply_header(r, "Retry-After", "5");
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (status >= 500)
		log_error("request %s: %s", r->request_id, detail);
	if (text == NULL) {
		reply_raw(r, status, "application/problem+json", "{}", 2);
		return;
	}
	reply_raw(r, status, "application/problem+json", text, strlen(text));
	free(text);
}

/* SQLSTATE classes and codes that clients cause, and the reply to each. */
static const struct {
	const char *sqlstate;
	int status;
	const char *type;
} sqlstate_map[] = {
	{ "23505", 409, "conflict" },
	{ "23503", 422, "rule-violation" },
	{ "23514", 422, "rule-violation" },
	{ "23502", 422, "rule-violation" },
	{ "22", 422, "invalid-value" }, /* class 22: data exception */
	{ "40001", 503, "unavailable" },
	{ "40P01", 503, "unavailable" },
	{ "08", 503, "unavailable" },
	{ "57P", 503, "unavailable" },
};

void
reply_db_error(struct request *r, const PGresult *res, const char *step)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	size_t i;

	if (PQstatus(r->db->conn) != CONNECTION_OK) {
		reply_problem(r, 503, "unavailable", NULL,
		    "the database is unavailable; try again later");
		return;
	}
	for (i = 0; state != NULL && i < sizeof(sqlstate_map) /
	    sizeof(sqlstate_map[0]); i++) {
		const char *code = sqlstate_map[i].sqlstate;

		if (strncmp(state, code, strlen(code)) == 0) {
			/* The primary message only: DETAIL can show row data. */
			log_warn("request %s: %s failed: SQLSTATE %s: %s",
			    r->request_id, step, state,
			    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
			reply_problem(r, sqlstate_map[i].status,
			    sqlstate_map[i].type, NULL, "%s failed: %s", step,
			    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
			return;
		}
	}
	log_error("request %s: %s failed: %s", r->request_id, step,
	    PQresultErrorMessage(res));
	reply_problem(r, 500, "internal", NULL,
	    "%s failed; the server log has the details under request id %s",
	    step, r->request_id);
}

/* Routing ----------------------------------------------------------------- */

/*
 * Matches path against pattern and fills r->params. Returns 1 on a match.
 */
static int
route_match(const char *pattern, const char *path, struct request *r)
{
	int nparams = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t len = strcspn(path, "/");

			if (len == 0 || len >= sizeof(r->param_buf[0]) ||
			    nparams == 4)
				return 0;
			memcpy(r->param_buf[nparams], path, len);
			r->param_buf[nparams][len] = '\0';
			r->params[nparams] = r->param_buf[nparams];
			nparams++;
			pattern += 2;
			path += len;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

static const char *
method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	}
	return "UNKNOWN";
}

static const struct route *
route_find(struct request *r, enum evhttp_cmd_type cmd, char *allow,
    size_t allowlen)
{
	const struct route *route;
	size_t t;

	allow[0] = '\0';
	for (t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]); t++) {
		for (route = route_tables[t]; route->pattern != NULL;
		     route++) {
			if (!route_match(route->pattern, r->path, r))
				continue;
			/* HEAD is GET without the body (RFC 9110). */
			if (route->method == cmd ||
			    (cmd == EVHTTP_REQ_HEAD &&
				route->method == EVHTTP_REQ_GET))
				return route;
			if (allow[0] != '\0')
				strncat(allow, ", ", allowlen - strlen(allow) - 1);
			strncat(allow, route->method == EVHTTP_REQ_GET
				? "GET, HEAD" : method_name(route->method),
			    allowlen - strlen(allow) - 1);
		}
	}
	return NULL;
}

static int
header_count(struct request *r, const char *name)
{
	struct evkeyvalq *headers = evhttp_request_get_input_headers(r->req);
	struct evkeyval *kv;
	int n = 0;

	TAILQ_FOREACH(kv, headers, next)
		if (strcasecmp(kv->key, name) == 0)
			n++;
	return n;
}

/*
 * Rejects a request that repeats a header whose second copy could change
 * its meaning (two different Content-Length values smuggle a request past
 * a proxy that reads the other one).
 */
static int
repeated_header(struct request *r)
{
	static const char *const single[] = { "Content-Length",
		"Authorization", "If-Match", "Accept", "Content-Type" };
	size_t i;

	for (i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
		if (header_count(r, single[i]) > 1) {
			reply_problem(r, 400, "invalid-value", single[i],
			    "send the %s header once", single[i]);
			return -1;
		}
	}
	return 0;
}

static int
authenticate(struct request *r, unsigned roles)
{
	const char *auth = request_header(r, "Authorization");
	int found;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
		reply_problem(r, 401, "unauthorized", NULL,
		    "send an API token as \"Authorization: Bearer TOKEN\"");
		return -1;
	}
	auth += 7;
	while (*auth == ' ')
		auth++;
	if (db_ensure(r->db) < 0) {
		reply_problem(r, 503, "unavailable", NULL,
		    "the database is unavailable; try again later");
		return -1;
	}
	found = token_authenticate(r->db, &r->worker->tokens, auth,
	    &r->principal);
	if (found < 0) {
		reply_problem(r, 503, "unavailable", NULL,
		    "checking the API token failed; try again later");
		return -1;
	}
	if (found == 0) {
		reply_problem(r, 401, "unauthorized", NULL,
		    "the API token is invalid, expired or revoked");
		return -1;
	}
	snprintf(r->actor, sizeof(r->actor), "token:%s", r->principal.name);
	if ((r->principal.role & roles) == 0) {
		reply_problem(r, 403, "forbidden", NULL,
		    "the role \"%s\" may not %s %s",
		    role_name(r->principal.role), r->method, r->path);
		return -1;
	}
	return 0;
}

static int
request_init(struct request *r, struct evhttp_request *req,
    struct worker *w)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	memset(r, 0, sizeof(*r));
	r->req = req;
	r->worker = w;
	r->db = &w->db;
	r->cfg = w->cfg;
	r->start_ms = monotonic_ms();
	r->method = method_name(evhttp_request_get_command(req));
	snprintf(r->actor, sizeof(r->actor), "-");
	make_request_id(r);
	if (path == NULL || path[0] == '\0')
		path = "/";
	if (strlen(path) >= sizeof(r->path)) {
		snprintf(r->path, sizeof(r->path), "%.*s...",
		    (int)sizeof(r->path) - 4, path);
		return -1;
	}
	memcpy(r->path, path, strlen(path) + 1);
	return 0;
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct worker *w = arg;
	const struct route *route;
	struct request r;
	char allow[64];

	if (request_init(&r, req, w) < 0) {
		reply_problem(&r, 404, "not-found", NULL, "no such resource");
		goto done;
	}
	route = route_find(&r, evhttp_request_get_command(req), allow,
	    sizeof(allow));
	if (route == NULL && allow[0] != '\0') {
		reply_header(&r, "Allow", allow);
		reply_problem(&r, 405, "method-not-allowed", NULL,
		    "%s is not allowed here; allowed: %s", r.method, allow);
		goto done;
	}
	if (route == NULL) {
		char path[128];

		reply_problem(&r, 404, "not-found", NULL,
		    "no such resource: %s",
		    log_escape(path, sizeof(path), r.path));
		goto done;
	}
	if (repeated_header(&r) < 0)
		goto done;
	if (route->roles != 0 && authenticate(&r, route->roles) < 0)
		goto done;
	if (!request_accepts(&r, "application/json") &&
	    !((route->flags & ROUTE_CSV) && request_accepts(&r, "text/csv"))) {
		reply_problem(&r, 406, "not-acceptable", NULL,
		    "this resource is available as application/json%s; "
		    "send a matching Accept header",
		    (route->flags & ROUTE_CSV) ? " or text/csv" : "");
		goto done;
	}
	route->handler(&r);
done:
	if (r.query_parsed)
		evhttp_clear_headers(&r.query);
}

/* Workers ----------------------------------------------------------------- */

static int
listen_socket(const struct config *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int sslen = sizeof(ss), fd, one = 1;
	char addr[300];

	snprintf(addr, sizeof(addr), "%s%s%s:%ld",
	    strchr(cfg->listen_address, ':') != NULL ? "[" : "",
	    cfg->listen_address,
	    strchr(cfg->listen_address, ':') != NULL ? "]" : "",
	    cfg->listen_port);
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss,
	    &sslen) < 0) {
		snprintf(err, errlen, "listen_address \"%s\" is not an IPv4 "
		    "or IPv6 address", cfg->listen_address);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		snprintf(err, errlen, "socket() failed: %s", strerror(errno));
		return -1;
	}
	/*
	 * Each worker has its own socket on the same port, and the kernel
	 * spreads new connections over them.
	 */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	/*
	 * Accepted sockets inherit TCP_NODELAY on Linux. Without it the last
	 * segment of a reply can wait for the client's delayed ACK.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sslen) < 0 ||
	    listen(fd, 1024) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
worker_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct timeval grace = { 0, 200000 };

	(void)fd;
	(void)what;
	if (w->bound != NULL) {
		evhttp_del_accept_socket(w->http, w->bound);
		w->bound = NULL;
	}
	/* Lets replies already queued reach their clients. */
	event_base_loopexit(w->base, &grace);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	event_base_dispatch(w->base);
	return NULL;
}

static int
worker_init(struct worker *w, int id, const struct config *cfg, char *err,
    size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->cfg = cfg;
	w->fd = -1;
	w->tokens.ttl_seconds = cfg->token_cache_seconds;
	if (db_open(&w->db, cfg->database, err, errlen) < 0)
		return -1;
	w->base = event_base_new();
	w->http = w->base != NULL ? evhttp_new(w->base) : NULL;
	w->stop_event = w->base != NULL ? event_new(w->base, -1, 0,
	    worker_stop_cb, w) : NULL;
	if (w->http == NULL || w->stop_event == NULL) {
		snprintf(err, errlen, "creating the event loop failed");
		return -1;
	}
	w->fd = listen_socket(cfg, err, errlen);
	if (w->fd < 0)
		return -1;
	w->bound = evhttp_accept_socket_with_handle(w->http, w->fd);
	if (w->bound == NULL) {
		snprintf(err, errlen, "accepting on the listening socket "
		    "failed");
		return -1;
	}
	evhttp_set_bevcb(w->http, conn_bev_cb, w);
	evhttp_set_gencb(w->http, request_cb, w);
	/*
	 * TODO: this is an idle timeout, so a client that trickles its
	 * headers keeps the connection; libevent 2.1 has no deadline for a
	 * whole request.
	 */
	evhttp_set_timeout(w->http, (int)cfg->request_timeout);
	evhttp_set_max_body_size(w->http,
	    (ev_ssize_t)cfg->max_body_size + HTTP_HARD_BODY_SLACK);
	/* Read and drop an oversized body so the client sees the 413. */
	evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(w->http, 64 * 1024);
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	return 0;
}

static void
worker_free(struct worker *w)
{
	if (w->http != NULL)
		evhttp_free(w->http); /* closes the bound socket */
	else if (w->fd >= 0)
		close(w->fd);
	if (w->stop_event != NULL)
		event_free(w->stop_event);
	if (w->base != NULL)
		event_base_free(w->base);
	db_close(&w->db);
}

/* Signals ----------------------------------------------------------------- */

static void
reload(void)
{
	struct config cfg;
	SSL_CTX *ctx, *old;
	char err[512];

	config_init(&cfg);
	if (config_load(&cfg, server.config_path, err, sizeof(err)) < 0 ||
	    config_validate(&cfg, err, sizeof(err)) < 0) {
		log_error("reload failed, keeping the running configuration: "
			  "%s", err);
		config_free(&cfg);
		return;
	}
	ctx = tls_server_ctx_new(cfg.tls_cert_file, cfg.tls_key_file, err,
	    sizeof(err));
	if (ctx == NULL) {
		log_error("reload failed, keeping the old certificate: %s",
		    err);
		config_free(&cfg);
		return;
	}
	SSL_CTX_set_client_hello_cb(ctx, conn_hello_cb, NULL);
	pthread_mutex_lock(&server.ctx_lock);
	old = server.ctx;
	server.ctx = ctx;
	pthread_mutex_unlock(&server.ctx_lock);
	SSL_CTX_free(old);
	log_set_level(cfg.log_level);
	log_info("reloaded the TLS certificate and log level from %s "
		 "(other settings need a restart)", server.config_path);
	config_free(&cfg);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct event_base *base = arg;

	(void)what;
	if (sig == SIGHUP) {
		reload();
		return;
	}
	log_info("received %s, stopping", sig == SIGINT ? "SIGINT"
							 : "SIGTERM");
	event_base_loopbreak(base);
}

static int
server_prepare(struct config *cfg, char *err, size_t errlen)
{
	int i, n = (int)cfg->workers;

	if (evthread_use_pthreads() < 0) {
		snprintf(err, errlen, "enabling libevent threads failed");
		return -1;
	}
	conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_free_cb);
	server.ctx = tls_server_ctx_new(cfg->tls_cert_file, cfg->tls_key_file,
	    err, errlen);
	if (server.ctx == NULL)
		return -1;
	SSL_CTX_set_client_hello_cb(server.ctx, conn_hello_cb, NULL);
	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		n = cpus > 0 ? (int)cpus : 1;
	}
	server.workers = xcalloc((size_t)n, sizeof(struct worker));
	for (i = 0; i < n; i++) {
		server.nworkers = i + 1;
		if (worker_init(&server.workers[i], i, cfg, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static void
server_cleanup(void)
{
	int i;

	for (i = 0; i < server.nworkers; i++)
		worker_free(&server.workers[i]);
	free(server.workers);
	server.workers = NULL;
	server.nworkers = 0;
	SSL_CTX_free(server.ctx);
	server.ctx = NULL;
}

int
server_run(struct config *cfg, const char *config_path)
{
	struct event *sigint = NULL, *sigterm = NULL, *sighup = NULL;
	struct event_base *base = NULL;
	char err[512];
	int i, started = 0, rc = -1;

	server.cfg = cfg;
	server.config_path = config_path;
	pthread_mutex_init(&server.ctx_lock, NULL);
	if (server_prepare(cfg, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto done;
	}
	base = event_base_new();
	if (base == NULL)
		goto done;
	sigint = evsignal_new(base, SIGINT, signal_cb, base);
	sigterm = evsignal_new(base, SIGTERM, signal_cb, base);
	sighup = evsignal_new(base, SIGHUP, signal_cb, base);
	if (sigint == NULL || sigterm == NULL || sighup == NULL ||
	    evsignal_add(sigint, NULL) < 0 || evsignal_add(sigterm, NULL) < 0 ||
	    evsignal_add(sighup, NULL) < 0)
		goto done;
	for (i = 0; i < server.nworkers; i++) {
		if (pthread_create(&server.workers[i].thread, NULL, worker_main,
		    &server.workers[i]) != 0) {
			log_error("starting worker thread %d failed", i);
			goto stop;
		}
		started = i + 1;
	}
	log_info("ismsd %s listening on https://%s%s%s:%ld with %d workers, "
		 "schema version %d",
	    ISMSD_VERSION, strchr(cfg->listen_address, ':') ? "[" : "",
	    cfg->listen_address, strchr(cfg->listen_address, ':') ? "]" : "",
	    cfg->listen_port, server.nworkers, migrate_latest_version());
	event_base_dispatch(base);
	rc = 0;
stop:
	for (i = 0; i < started; i++)
		event_active(server.workers[i].stop_event, 0, 0);
	for (i = 0; i < started; i++)
		pthread_join(server.workers[i].thread, NULL);
	log_info("ismsd stopped");
done:
	if (sigint != NULL)
		event_free(sigint);
	if (sigterm != NULL)
		event_free(sigterm);
	if (sighup != NULL)
		event_free(sighup);
	if (base != NULL)
		event_base_free(base);
	server_cleanup();
	pthread_mutex_destroy(&server.ctx_lock);
	return rc;
}
