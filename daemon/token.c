#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "log.h"
#include "token.h"
#include "util.h"

static const struct {
	const char *name;
	enum role role;
} role_names[] = {
	{ "admin", ROLE_ADMIN },
	{ "ciso", ROLE_CISO },
	{ "auditor", ROLE_AUDITOR },
};

enum role
role_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(role_names[i].name, name) == 0)
			return role_names[i].role;
	return 0;
}

const char *
role_name(enum role role)
{
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (role_names[i].role == role)
			return role_names[i].name;
	return "unknown";
}

int
token_generate(char out[TOKEN_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[33];
	size_t i, bit, o = strlen(TOKEN_PREFIX);

	if (RAND_bytes(raw, 32) != 1)
		return -1;
	raw[32] = 0;
	memcpy(out, TOKEN_PREFIX, o);
	/* base64url without padding: 256 bits give 43 characters. */
	for (bit = 0; bit < 256; bit += 6) {
		size_t byte = bit / 8, shift = bit % 8;
		unsigned v = ((unsigned)raw[byte] << 8 | raw[byte + 1]) >>
		    (10 - shift);

		out[o++] = alphabet[v & 0x3f];
	}
	out[o] = '\0';
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = 0;
	return o == TOKEN_LEN ? 0 : -1;
}

int
token_well_formed(const char *s)
{
	size_t i, plen = strlen(TOKEN_PREFIX);

	if (strlen(s) != TOKEN_LEN || strncmp(s, TOKEN_PREFIX, plen) != 0)
		return 0;
	for (i = plen; i < TOKEN_LEN; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

void
token_digest(const char *token, unsigned char out[TOKEN_DIGEST_LEN])
{
	SHA256((const unsigned char *)token, strlen(token), out);
}

int
token_create(PGconn *conn, const char *name, enum role role,
    long expires_days, char out[TOKEN_LEN + 1], char *err, size_t errlen)
{
	unsigned char digest[TOKEN_DIGEST_LEN];
	char hex[2 * TOKEN_DIGEST_LEN + 3], days[32];
	const char *params[4];
	PGresult *res;
	int rc = -1;

	if (token_generate(out) < 0) {
		snprintf(err, errlen, "generating random bytes failed");
		return -1;
	}
	token_digest(out, digest);
	hex[0] = '\\';
	hex[1] = 'x';
	hex_encode(digest, sizeof(digest), hex + 2);
	snprintf(days, sizeof(days), "%ld", expires_days);
	params[0] = name;
	params[1] = role_name(role);
	params[2] = hex;
	params[3] = days;
	res = PQexecParams(conn,
	    "INSERT INTO api_token (name, role, secret_hash, expires_at) "
	    "VALUES ($1, $2, $3::bytea, CASE WHEN $4::int > 0 "
	    "THEN now() + make_interval(days => $4::int) END)",
	    4, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		rc = 0;
	} else {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		if (state != NULL && strcmp(state, "23505") == 0)
			snprintf(err, errlen, "a token named \"%s\" already "
			    "exists; choose another --name", name);
		else if (state != NULL && strcmp(state, "23514") == 0)
			snprintf(err, errlen, "invalid token name \"%s\": use "
			    "1-64 letters, digits, '.', '_', '@' or '-'",
			    name);
		else
			snprintf(err, errlen, "storing the token failed: %s",
			    PQresultErrorMessage(res));
	}
	PQclear(res);
	return rc;
}

static struct token_cache_slot *
cache_slot(struct token_cache *cache, const unsigned char *digest)
{
	return &cache->slots[digest[0] % TOKEN_CACHE_SLOTS];
}

static const struct db_stmt stmt_token_lookup = {
	"token_lookup",
	"SELECT name, role, extract(epoch FROM expires_at)::bigint "
	"FROM api_token WHERE secret_hash = $1::bytea "
	"AND revoked_at IS NULL "
	"AND (expires_at IS NULL OR expires_at > now())",
	1,
};

int
token_authenticate(struct db *db, struct token_cache *cache,
    const char *token, struct principal *out)
{
	unsigned char digest[TOKEN_DIGEST_LEN];
	char hex[2 * TOKEN_DIGEST_LEN + 3];
	struct token_cache_slot *slot;
	const char *params[1];
	PGresult *res;
	time_t now = time(NULL);
	int rc;

	if (!token_well_formed(token))
		return 0;
	token_digest(token, digest);
	slot = cache_slot(cache, digest);
	if (slot->valid_until > now &&
	    memcmp(slot->digest, digest, sizeof(digest)) == 0) {
		*out = slot->principal;
		return 1;
	}
	hex[0] = '\\';
	hex[1] = 'x';
	hex_encode(digest, sizeof(digest), hex + 2);
	params[0] = hex;
	res = db_run(db, &stmt_token_lookup, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("token lookup failed: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	rc = PQntuples(res) == 1 ? 1 : 0;
	if (rc == 1) {
		snprintf(out->name, sizeof(out->name), "%s",
		    PQgetvalue(res, 0, 0));
		out->role = role_parse(PQgetvalue(res, 0, 1));
		if (cache->ttl_seconds > 0) {
			long expires = 0;
			time_t until = now + cache->ttl_seconds;

			if (!PQgetisnull(res, 0, 2) &&
			    parse_long(PQgetvalue(res, 0, 2), 0, 1L << 62,
				&expires) == 0 &&
			    (time_t)expires < until)
				until = (time_t)expires;
			memcpy(slot->digest, digest, sizeof(digest));
			slot->principal = *out;
			slot->valid_until = until;
		}
	}
	PQclear(res);
	return rc;
}
