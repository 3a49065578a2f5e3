/*
 * The HTTPS server: worker threads, routing, authentication, and the
 * helpers every handler uses to read a request and send the reply.
 */
#ifndef ISMSD_HTTP_H
#define ISMSD_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "config.h"
#include "db.h"
#include "token.h"

struct worker;

struct request {
	struct evhttp_request *req;
	struct worker *worker;
	struct db *db;
	const struct config *cfg;
	const char *method;
	char path[512];
	struct evkeyvalq query;
	int query_parsed;
	int query_invalid; /* the query string could not be parsed */
	const char *params[4]; /* path segments matched by "{}" */
	char param_buf[4][128];
	char request_id[65];
	struct principal principal;
	char actor[TOKEN_NAME_MAX + 8]; /* "token:NAME" or "-" */
	int64_t start_ms;
	int status;
	size_t bytes;
};

typedef void (*route_handler)(struct request *r);

/*
 * One API route. pattern segments "{}" match any one non-empty segment
 * and land in request.params in order. roles is the set of roles that may
 * call it; 0 means no authentication.
 */
struct route {
	enum evhttp_cmd_type method;
	const char *pattern;
	unsigned roles;
	route_handler handler;
	unsigned flags; /* ROUTE_* */
};

/* The route can also reply with text/csv. */
#define ROUTE_CSV 1u

/* Route tables, one per resource module. */
extern const struct route api_health_routes[];
extern const struct route api_controls_routes[];
extern const struct route api_soa_routes[];
extern const struct route api_audit_routes[];

/*
 * Starts the workers and runs until SIGINT or SIGTERM. SIGHUP reloads the
 * TLS certificate and key (keeping the old ones when the new ones fail)
 * and the log level. Returns 0 on a clean stop, -1 when start-up failed.
 */
int server_run(struct config *cfg, const char *config_path);

/* Replies; each sends the response and writes the access log line. */

/* Sends a JSON body. Takes ownership of body. */
void reply_json(struct request *r, int status, json_t *body);
/* Sends the buffer's content. Takes ownership of buf. */
void reply_buffer(struct request *r, int status, const char *content_type,
    struct evbuffer *buf);
/* Sends len bytes of already serialised content. */
void reply_raw(struct request *r, int status, const char *content_type,
    const char *data, size_t len);
/*
 * Sends an application/problem+json error. type is the part after
 * "urn:ismsd:problem:"; field may be NULL.
 */
void reply_problem(struct request *r, int status, const char *type,
    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Replies to a failed database result: 503 for a lost connection, else the
 * SQLSTATE mapped to a status. Does not clear res. */
void reply_db_error(struct request *r, const PGresult *res,
    const char *step);

void reply_header(struct request *r, const char *name, const char *value);

/* Returns a request header or NULL. */
const char *request_header(struct request *r, const char *name);

/* Returns a query parameter or NULL. */
const char *request_query(struct request *r, const char *name);

/*
 * Rejects (400 invalid-parameter) any query parameter not in allowed (a
 * NULL-terminated list). Returns 0 when all are known.
 */
int request_check_query(struct request *r, const char *const *allowed);

/*
 * Parses a JSON object body. On failure sends 413, 415 or 400 and returns
 * NULL. Caller frees the result with json_decref().
 */
json_t *request_json_body(struct request *r);

/*
 * Returns the quality (0-1000) that the Accept header gives type, from the
 * most specific matching media range; 1000 without an Accept header.
 */
int request_accept_quality(struct request *r, const char *type);

/* True when the Accept header allows type at a quality above zero. */
int request_accepts(struct request *r, const char *type);

#endif
