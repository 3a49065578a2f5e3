/* CSV field quoting and API token format and digests. */
#include <string.h>

#include <event2/buffer.h>

#include "csv.h"
#include "token.h"
#include "unit.h"

static void
field(const char *value, const char *expected)
{
	struct evbuffer *buf = evbuffer_new();
	char out[256];
	size_t len;

	csv_field(buf, value, 1);
	len = evbuffer_get_length(buf);
	evbuffer_remove(buf, out, len);
	out[len] = '\0';
	CHECK_STR(out, expected);
	evbuffer_free(buf);
}

static void
test_csv(void)
{
	struct evbuffer *buf = evbuffer_new();
	char out[64];
	size_t len;

	field("plain", "plain");
	field(NULL, "");
	field("a,b", "\"a,b\"");
	field("say \"hi\"", "\"say \"\"hi\"\"\"");
	field("two\nlines", "\"two\nlines\"");
	field("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
	field("+31 20", "'+31 20");
	field("-1", "'-1");
	field("@SUM(A1)", "'@SUM(A1)");
	csv_field(buf, "a", 1);
	csv_field(buf, NULL, 0);
	csv_field(buf, "c", 0);
	csv_end_row(buf);
	len = evbuffer_get_length(buf);
	evbuffer_remove(buf, out, len);
	out[len] = '\0';
	CHECK_STR(out, "a,,c\r\n");
	evbuffer_free(buf);
}

static void
test_tokens(void)
{
	char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];
	unsigned char da[TOKEN_DIGEST_LEN], db[TOKEN_DIGEST_LEN];

	CHECK(token_generate(a) == 0);
	CHECK(token_generate(b) == 0);
	CHECK(strlen(a) == TOKEN_LEN);
	CHECK(strncmp(a, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0);
	CHECK(strcmp(a, b) != 0);
	CHECK(token_well_formed(a));
	CHECK(!token_well_formed("isms_short"));
	CHECK(!token_well_formed("xxxx_T89E7FplS3WQE2ecEtIbCThD1qzGwiVfX4LSbIncabU"));
	CHECK(!token_well_formed("isms_T89E7FplS3WQE2ecEtIbCThD1qzGwiVfX4LSbInca+U"));
	CHECK(token_well_formed("isms_T89E7FplS3WQE2ecEtIbCThD1qzGwiVfX4LSbIncabU"));
	token_digest(a, da);
	token_digest(b, db);
	CHECK(memcmp(da, db, sizeof(da)) != 0);
	CHECK(role_parse("ciso") == ROLE_CISO);
	CHECK(role_parse("root") == 0);
	CHECK_STR(role_name(ROLE_AUDITOR), "auditor");
}

int
main(void)
{
	test_csv();
	test_tokens();
	return unit_finish();
}
