#include <stdio.h>
#include <string.h>

#include "api_util.h"
#include "catalogue.h"
#include "catalogue_cache.h"
#include "log.h"
#include "util.h"

int
framework_id_valid(const char *id)
{
	size_t i, len = strlen(id);

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++) {
		char c = id[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (i > 0 && (c == '.' || c == '-'));

		if (!ok)
			return 0;
	}
	return 1;
}

int
framework_param_valid(struct request *r, const char *id)
{
	char shown[72];

	if (framework_id_valid(id) && catalogue_cache_has_framework(id))
		return 1;
	reply_problem(r, 400, "invalid-parameter", "framework",
	    "framework \"%s\" is not loaded; use a framework id from GET "
	    "/api/v1/frameworks, such as iso27001-2022 or bio2",
	    log_escape(shown, sizeof(shown), id));
	return 0;
}

int
ref_sort_key(const char *ref, char *out, size_t outlen)
{
	int parts[CATALOGUE_MAX_REF_PARTS], n, i;
	size_t used = 0;

	n = catalogue_ref_parts(ref, parts, CATALOGUE_MAX_REF_PARTS);
	if (n < 0)
		return -1;
	used += (size_t)snprintf(out, outlen, "{");
	for (i = 0; i < n && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used, "%s%d",
		    i > 0 ? "," : "", parts[i]);
	if (used < outlen)
		snprintf(out + used, outlen - used, "}");
	return used + 1 < outlen ? 0 : -1;
}

int
page_limit(struct request *r, long *limit)
{
	const char *text = request_query(r, "limit");

	*limit = 100;
	if (text == NULL)
		return 0;
	if (parse_long(text, 1, 1000, limit) < 0) {
		reply_problem(r, 400, "invalid-parameter", "limit",
		    "limit must be a whole number from 1 to 1000");
		return -1;
	}
	return 0;
}

int
page_cursor(struct request *r, struct page_cursor *cursor)
{
	const char *text = request_query(r, "cursor");
	const char *tilde;
	int parts[CATALOGUE_MAX_REF_PARTS];
	size_t fwlen;

	memset(cursor, 0, sizeof(*cursor));
	if (text == NULL)
		return 0;
	tilde = strchr(text, '~');
	fwlen = tilde != NULL ? (size_t)(tilde - text) : 0;
	if (tilde == NULL || fwlen >= sizeof(cursor->framework) ||
	    strlen(tilde + 1) >= sizeof(cursor->ref))
		goto invalid;
	memcpy(cursor->framework, text, fwlen);
	cursor->framework[fwlen] = '\0';
	snprintf(cursor->ref, sizeof(cursor->ref), "%s", tilde + 1);
	if (!framework_id_valid(cursor->framework) ||
	    catalogue_ref_parts(cursor->ref, parts,
		CATALOGUE_MAX_REF_PARTS) < 0)
		goto invalid;
	cursor->present = 1;
	return 0;
invalid:
	reply_problem(r, 400, "invalid-parameter", "cursor",
	    "cursor is invalid; pass the \"next\" value of the previous page "
	    "unchanged");
	return -1;
}

int
control_path_valid(struct request *r)
{
	int parts[CATALOGUE_MAX_REF_PARTS];

	if (framework_id_valid(r->params[0]) &&
	    catalogue_ref_parts(r->params[1], parts,
		CATALOGUE_MAX_REF_PARTS) >= 0)
		return 0;
	reply_problem(r, 404, "not-found", NULL,
	    "no such control; refs look like 5.24 (ISO) or 5.24.01 (BIO2)");
	return -1;
}

void
reply_etag(struct request *r, const char *version)
{
	char etag[32];

	snprintf(etag, sizeof(etag), "\"v%s\"", version);
	reply_header(r, "ETag", etag);
}
