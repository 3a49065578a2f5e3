/* API tokens: generation, storage as SHA-256 digests, and lookup. */
#ifndef ISMSD_TOKEN_H
#define ISMSD_TOKEN_H

#include <stddef.h>
#include <time.h>

#include <libpq-fe.h>

#include "db.h"

#define TOKEN_PREFIX "isms_"
/* "isms_" and 43 base64url characters: 256 random bits. */
#define TOKEN_LEN 48
#define TOKEN_DIGEST_LEN 32
#define TOKEN_NAME_MAX 64

enum role {
	ROLE_ADMIN = 1 << 0,
	ROLE_CISO = 1 << 1,
	ROLE_AUDITOR = 1 << 2,
};

#define ROLES_READ (ROLE_ADMIN | ROLE_CISO | ROLE_AUDITOR)

struct principal {
	char name[TOKEN_NAME_MAX + 1];
	enum role role;
};

/* Returns the role for "admin", "ciso" or "auditor", or 0. */
enum role role_parse(const char *name);
const char *role_name(enum role role);

/* Writes a new random token of TOKEN_LEN characters and a NUL to out. */
int token_generate(char out[TOKEN_LEN + 1]);

/* True when s has the token format; checked before any database work. */
int token_well_formed(const char *s);

void token_digest(const char *token, unsigned char out[TOKEN_DIGEST_LEN]);

/*
 * Stores a new token and writes it to out. expires_days 0 means no
 * expiry. Returns 0, or -1 with a message in err.
 */
int token_create(PGconn *conn, const char *name, enum role role,
    long expires_days, char out[TOKEN_LEN + 1], char *err, size_t errlen);

/* Cache of verified tokens, one per worker, so it needs no lock. */
#define TOKEN_CACHE_SLOTS 64

struct token_cache_slot {
	unsigned char digest[TOKEN_DIGEST_LEN];
	struct principal principal;
	time_t valid_until; /* 0: empty slot */
};

struct token_cache {
	struct token_cache_slot slots[TOKEN_CACHE_SLOTS];
	long ttl_seconds;
};

/*
 * Resolves a token to its principal through the cache and the database.
 * Returns 1 when found and valid, 0 when unknown, expired or revoked, and
 * -1 on a database error.
 */
int token_authenticate(struct db *db, struct token_cache *cache,
    const char *token, struct principal *out);

#endif
