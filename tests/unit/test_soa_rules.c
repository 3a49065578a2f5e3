/* SoA rules: PATCH parsing and the consistency of the resulting entry. */
#include <string.h>

#include "soa_rules.h"
#include "unit.h"

static const struct soa_values fresh = {
	.applicable = SOA_UNDECIDED,
	.status = "not_started",
};

/* Parses text and applies it to cur; returns 0 or the error status. */
static int
apply(const char *text, const struct soa_values *cur, int measure,
    struct soa_values *out, struct soa_error *err, json_t **keep)
{
	struct soa_patch patch;
	json_t *body = json_loads(text, 0, NULL);

	*keep = body;
	memset(err, 0, sizeof(*err));
	if (body == NULL)
		return -2;
	if (soa_patch_parse(body, &patch, err) < 0)
		return err->status;
	if (soa_patch_apply(cur, &patch, measure, out, err) < 0)
		return err->status;
	return 0;
}

static void
test_valid_updates(void)
{
	struct soa_values out;
	struct soa_error err;
	json_t *body;

	CHECK(apply("{\"status\":\"implemented\",\"justification\":\"ok\"}",
	    &fresh, 0, &out, &err, &body) == 0);
	CHECK_STR(out.status, "implemented");
	CHECK(out.applicable == 1);
	CHECK_STR(out.justification, "ok");
	json_decref(body);

	CHECK(apply("{\"applicable\":false,\"justification\":\"no OT\"}",
	    &fresh, 1, &out, &err, &body) == 0);
	CHECK(out.applicable == 0);
	CHECK_STR(out.status, "not_applicable");
	json_decref(body);

	CHECK(apply("{\"status\":\"not_applicable\",\"justification\":\"x\"}",
	    &fresh, 0, &out, &err, &body) == 0);
	CHECK(out.applicable == 0);
	json_decref(body);

	CHECK(apply("{\"owner\":null,\"evidence\":[\"a\",\"b\"],"
		    "\"reviewed_at\":\"2026-12-01T09:00:00+01:00\","
		    "\"next_review_at\":\"2027-12-01T08:00:00Z\"}",
	    &fresh, 0, &out, &err, &body) == 0);
	CHECK(json_array_size(out.evidence) == 2);
	CHECK(out.applicable == SOA_UNDECIDED);
	json_decref(body);
}

static void
test_reapplying_makes_applicable(void)
{
	struct soa_values cur = fresh, out;
	struct soa_error err;
	json_t *body;

	cur.applicable = 0;
	cur.status = "not_applicable";
	cur.justification = "no data centre";
	CHECK(apply("{\"applicable\":true}", &cur, 0, &out, &err, &body) ==
	    0);
	CHECK_STR(out.status, "not_started");
	json_decref(body);
	CHECK(apply("{\"status\":\"planned\"}", &cur, 0, &out, &err, &body) ==
	    0);
	CHECK(out.applicable == 1);
	json_decref(body);
}

static const struct {
	const char *body;
	int measure;
	int status;
	const char *type;
	const char *field;
} bad_cases[] = {
	{ "{}", 0, 422, "invalid-value", NULL },
	{ "{\"bogus\":1}", 0, 400, "unknown-field", "bogus" },
	{ "{\"status\":1}", 0, 400, "invalid-type", "status" },
	{ "{\"status\":null}", 0, 400, "invalid-type", "status" },
	{ "{\"status\":\"done\"}", 0, 422, "invalid-value", "status" },
	{ "{\"applicable\":\"no\"}", 0, 400, "invalid-type", "applicable" },
	{ "{\"owner\":[]}", 0, 400, "invalid-type", "owner" },
	{ "{\"owner\":\"a\\nb\"}", 0, 422, "invalid-value", "owner" },
	{ "{\"evidence\":\"x\"}", 0, 400, "invalid-type", "evidence" },
	{ "{\"evidence\":[1]}", 0, 400, "invalid-type", "evidence" },
	{ "{\"evidence\":[\"\"]}", 0, 422, "invalid-value", "evidence" },
	{ "{\"reviewed_at\":\"yesterday\"}", 0, 422, "invalid-value",
	    "reviewed_at" },
	{ "{\"reviewed_at\":\"2026-02-30T00:00:00Z\"}", 0, 422,
	    "invalid-value", "reviewed_at" },
	{ "{\"applicable\":false}", 0, 422, "rule-violation",
	    "justification" },
	{ "{\"applicable\":false,\"justification\":\"  \"}", 1, 422,
	    "invalid-value", "justification" },
	{ "{\"applicable\":false,\"status\":\"implemented\","
	  "\"justification\":\"x\"}",
	    0, 422, "rule-violation", "status" },
	{ "{\"applicable\":true,\"status\":\"not_applicable\","
	  "\"justification\":\"x\"}",
	    0, 422, "rule-violation", "status" },
	{ "{\"reviewed_at\":\"2026-12-01T00:00:00Z\","
	  "\"next_review_at\":\"2026-11-30T23:59:59Z\"}",
	    0, 422, "rule-violation", "next_review_at" },
	{ "{\"status\":\"implemented\",\"applicable\":null}", 0, 422,
	    "rule-violation", "applicable" },
	{ "{\"applicable\":false,\"justification\":\"\\u00a0\\u200b\"}", 1,
	    422, "invalid-value", "justification" },
	{ "{\"justification\":\"\\u2063\\u00ad\\u3164\\u2800\\u034f\"}", 1,
	    422, "invalid-value", "justification" },
	{ "{\"justification\":\"\\udb40\\udc41\"}", 1, 422, "invalid-value",
	    "justification" },
	{ "{\"justification\":\"ok \\u202e reversed\"}", 0, 422,
	    "invalid-value", "justification" },
	{ "{\"owner\":\"   \"}", 0, 422, "invalid-value", "owner" },
	{ "{\"evidence\":[\" javascript:alert(1)\"]}", 0, 422,
	    "invalid-value", "evidence" },
	{ "{\"evidence\":[\"\\u200b\"]}", 0, 422, "invalid-value",
	    "evidence" },
	{ "{\"reviewed_at\":\"2026-12-01T00:00:00.000001Z\","
	  "\"next_review_at\":\"2026-12-01T00:00:00Z\"}",
	    0, 422, "rule-violation", "next_review_at" },
	{ "{\"reviewed_at\":\"2026-12-01T00:00:00+23:59\"}", 0, 422,
	    "invalid-value", "reviewed_at" },
	{ "{\"reviewed_at\":\"9999-12-31T23:59:59-01:00\"}", 0, 422,
	    "invalid-value", "reviewed_at" },
	{ "{\"reviewed_at\":\"1970-01-01T00:00:00+01:00\"}", 0, 422,
	    "invalid-value", "reviewed_at" },
	{ "{\"applicable\":false,\"justification\":\"\"}", 0, 422,
	    "rule-violation", "justification" },
	{ "{\"owner\":\"a\\u0085b\"}", 0, 422, "invalid-value", "owner" },
	{ "{\"justification\":\"x\\u009b[2J\"}", 0, 422, "invalid-value",
	    "justification" },
	{ "{\"reviewed_at\":\"2026-12-30T23:59:60Z\"}", 0, 422,
	    "invalid-value", "reviewed_at" },
	{ "{\"evidence\":[\"javascript:alert(1)\"]}", 0, 422,
	    "invalid-value", "evidence" },
	{ "{\"evidence\":[\"data:text/html,x\"]}", 0, 422, "invalid-value",
	    "evidence" },
};

static void
test_rejections(void)
{
	struct soa_values out;
	struct soa_error err;
	json_t *body;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		int got = apply(bad_cases[i].body, &fresh,
		    bad_cases[i].measure, &out, &err, &body);

		if (got != bad_cases[i].status)
			fprintf(stderr, "case %zu (%s): status %d\n", i,
			    bad_cases[i].body, got);
		CHECK(got == bad_cases[i].status);
		CHECK_STR(err.type, bad_cases[i].type);
		if (bad_cases[i].field == NULL)
			CHECK(err.field == NULL);
		else
			CHECK_STR(err.field, bad_cases[i].field);
		json_decref(body);
	}
}

static void
test_undecided_after_work(void)
{
	struct soa_values cur = fresh, out;
	struct soa_error err;
	json_t *body;

	cur.applicable = 1;
	cur.status = "implemented";
	CHECK(apply("{\"applicable\":null}", &cur, 0, &out, &err, &body) ==
	    422);
	CHECK_STR(err.field, "applicable");
	json_decref(body);
	CHECK(apply("{\"applicable\":null,\"status\":\"not_started\"}", &cur,
	    0, &out, &err, &body) == 0);
	CHECK(out.applicable == SOA_UNDECIDED);
	json_decref(body);
}

static void
test_empty_text_is_null(void)
{
	struct soa_values out;
	struct soa_error err;
	json_t *body;

	CHECK(apply("{\"owner\":\"\",\"justification\":\"\"}", &fresh, 0,
	    &out, &err, &body) == 0);
	CHECK(out.owner == NULL);
	CHECK(out.justification == NULL);
	json_decref(body);
	CHECK(apply("{\"reviewed_at\":\"\"}", &fresh, 0, &out, &err, &body) ==
	    0);
	CHECK(out.reviewed_at == NULL);
	json_decref(body);
	CHECK(apply("{\"evidence\":[\"https://dms/x\",\"urn:isbn:1\","
		    "\"DMS-2026-0042\",\"HTTP://X\"]}",
	    &fresh, 0, &out, &err, &body) == 0);
	CHECK(json_array_size(out.evidence) == 4);
	json_decref(body);
}

static void
test_measure_wording(void)
{
	struct soa_values out;
	struct soa_error err;
	json_t *body;

	CHECK(apply("{\"applicable\":false}", &fresh, 1, &out, &err, &body) ==
	    422);
	CHECK(strstr(err.detail, "BIO2 government measure") != NULL);
	json_decref(body);
}

static void
test_rfc3339(void)
{
	int64_t t;

	CHECK(rfc3339_parse("1970-01-01T00:00:00Z", &t) == 0);
	CHECK(t == 0);
	CHECK(rfc3339_parse("2026-12-04T15:00:00.123+01:00", &t) == 0);
	CHECK(t == 1796392800);
	CHECK(rfc3339_parse("2024-02-29T00:00:00Z", &t) == 0);
	CHECK(rfc3339_parse("2026-02-29T00:00:00Z", &t) < 0);
	CHECK(rfc3339_parse("2026-12-04 15:00:00Z", &t) < 0);
	CHECK(rfc3339_parse("2026-12-04T15:00:00", &t) < 0);
	CHECK(rfc3339_parse("2026-12-04T15:00:00Zjunk", &t) < 0);
	CHECK(rfc3339_parse("2026-13-04T15:00:00Z", &t) < 0);
}

int
main(void)
{
	test_valid_updates();
	test_reapplying_makes_applicable();
	test_rejections();
	test_measure_wording();
	test_undecided_after_work();
	test_empty_text_is_null();
	test_rfc3339();
	return unit_finish();
}
