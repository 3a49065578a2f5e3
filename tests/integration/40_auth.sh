#!/usr/bin/env bash
# API tokens and roles. A missing, malformed, unknown, revoked or expired
# token gets 401, and each of the roles admin, ciso and auditor may do
# what docs/api.md lists. Tokens must appear neither in the daemon log
# nor in plain text in the database.

# shellcheck source=tests/lib/common.sh
source "${REPO_ROOT:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}/tests/lib/common.sh"

ISO=iso27001-2022

# Checks a 401: the problem and the WWW-Authenticate challenge.
check_unauthorized() {
	local name=$1 code=$2

	check_problem "$name" "$code" 401 unauthorized
	check_eq "$name: challenge" \
		"$(api_header WWW-Authenticate | cut -d' ' -f1)" Bearer
}

# Revokes the token named NAME with `ismsd token revoke`, prints its
# output and returns its exit status.
token_revoke() {
	isms_as_daemon_user "$ISMSD_BIN" token revoke --name "$1" \
		-f "$DAEMON_CONF" 2>&1
}

# Prints a new token in the documented format: "isms_" and 43 base64url
# characters. The daemon did not create it.
random_token() {
	printf 'isms_%s' "$(openssl rand -base64 48 | tr '+/' '-_' |
		tr -d '=\n' | cut -c1-43)"
}

# Stores TOKEN directly in api_token with role ROLE, name NAME and the
# expiry EXPIRES (an SQL expression), as `ismsd token create` would store
# it: only the SHA-256 digest of the token text.
token_insert() {
	local token=$1 role=$2 name=$3 expires=$4 digest

	digest=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
	test_psql -c "INSERT INTO api_token (name, role, secret_hash, expires_at)
		VALUES ('$name', '$role', '\\x$digest'::bytea, $expires)"
}

test_cluster_start
test_certs
daemon_start "token_cache_seconds = 0"

ADMIN_TOKEN=$(token admin auth-admin) || fatal "admin token created"
CISO_TOKEN=$(token ciso auth-ciso) || fatal "ciso token created"
AUDITOR_TOKEN=$(token auditor auth-auditor) || fatal "auditor token created"
REVOKED_TOKEN=$(token auditor auth-revoked) || fatal "token to revoke created"
DAYS_TOKEN=$(token ciso auth-days) || fatal "token with expiry created"
UNKNOWN_TOKEN=$(random_token)
EXPIRED_TOKEN=$(random_token)
FUTURE_TOKEN=$(random_token)

token_pattern='^isms_[A-Za-z0-9_-]{43}$'
for pair in admin:$ADMIN_TOKEN ciso:$CISO_TOKEN auditor:$AUDITOR_TOKEN; do
	if [[ ${pair#*:} =~ $token_pattern ]]; then
		pass "token create prints ${pair%%:*} token in format"
	else
		fail "token create prints ${pair%%:*} token in format" "got \"${pair#*:}\""
	fi
done
check_ne "token create prints distinct tokens" "$ADMIN_TOKEN" "$CISO_TOKEN"

output=$(isms_as_daemon_user "$ISMSD_BIN" token create --role admin \
	--name auth-admin -f "$DAEMON_CONF" 2>&1)
check_ne "token create duplicate name fails" "$?" 0
output=$(isms_as_daemon_user "$ISMSD_BIN" token create --role root \
	--name auth-root -f "$DAEMON_CONF" 2>&1)
check_eq "token create unknown role exit status" "$?" 2

# --- Requests without a valid token ------------------------------------------

API_TOKEN=""
code=$(api GET /healthz)
check_status "healthz without token" "$code" 200
code=$(api GET /readyz)
check_status "readyz without token" "$code" 200

for path in /api/v1/frameworks /api/v1/controls "/api/v1/controls/$ISO/5.1" \
	/api/v1/soa "/api/v1/soa/$ISO/5.1" /api/v1/audit /api/v1/audit/verify; do
	code=$(api GET "$path")
	check_unauthorized "GET $path without token" "$code"
done
code=$(api PATCH "/api/v1/soa/$ISO/5.1" -H 'If-Match: "v1"' \
	-H 'Content-Type: application/json' --data-binary '{"status":"planned"}')
check_unauthorized "PATCH without token" "$code"

while IFS='|' read -r name header; do
	code=$(api GET /api/v1/controls -H "Authorization: $header")
	check_unauthorized "$name" "$code"
done <<EOF
empty bearer|Bearer
short token|Bearer isms_abc
no prefix|Bearer ${ADMIN_TOKEN#isms_}
wrong prefix|Bearer ISMS_${ADMIN_TOKEN#isms_}
one character too many|Bearer ${ADMIN_TOKEN}A
invalid character|Bearer ${ADMIN_TOKEN:0:47}!
basic scheme|Basic $(printf 'admin:%s' "$ADMIN_TOKEN" | base64 -w0)
token without scheme|$ADMIN_TOKEN
unknown well-formed token|Bearer $UNKNOWN_TOKEN
EOF

output=$(ctl soa list 2>&1)
check_eq "ctl without token exit status" "$?" 3

# --- Roles ------------------------------------------------------------------------

# Reads the ETag of SoA entry REF with the admin token, then sends PATCH
# with BODY and API_TOKEN, and prints the HTTP status of the PATCH.
patch_current() {
	local ref=$1 body=$2 saved=$API_TOKEN etag

	API_TOKEN=$ADMIN_TOKEN
	api GET "/api/v1/soa/$ISO/$ref" >/dev/null
	etag=$(api_header ETag)
	API_TOKEN=$saved
	api PATCH "/api/v1/soa/$ISO/$ref" -H "If-Match: $etag" \
		-H 'Content-Type: application/json' --data-binary "$body"
}

read_paths=(/api/v1/frameworks /api/v1/controls "/api/v1/controls/$ISO/5.24"
	/api/v1/soa "/api/v1/soa/$ISO/5.1")

API_TOKEN=$AUDITOR_TOKEN
for path in "${read_paths[@]}" /api/v1/audit /api/v1/audit/verify; do
	code=$(api GET "$path")
	check_status "auditor GET $path" "$code" 200
done
code=$(patch_current 5.1 '{"status":"planned"}')
check_problem "auditor PATCH" "$code" 403 forbidden
output=$(ctl soa set 5.1 --status planned 2>&1)
check_eq "ctl soa set as auditor exit status" "$?" 3
output=$(ctl audit verify 2>&1)
check_eq "ctl audit verify as auditor exit status" "$?" 0

API_TOKEN=$ADMIN_TOKEN
code=$(api GET "/api/v1/soa/$ISO/5.1")
check_json "auditor PATCH leaves entry" "$API_BODY" .version 1

API_TOKEN=$CISO_TOKEN
for path in "${read_paths[@]}"; do
	code=$(api GET "$path")
	check_status "ciso GET $path" "$code" 200
done
code=$(patch_current 5.1 '{"status":"planned"}')
check_status "ciso PATCH" "$code" 200
check_json "ciso PATCH applied" "$API_BODY" .status planned
check_json "ciso PATCH recorded as updater" "$API_BODY" '.updated_by | contains("auth-ciso")' true
# The CISO reads the change history of the ISMS too.
code=$(api GET /api/v1/audit)
check_status "ciso GET /api/v1/audit" "$code" 200
code=$(api GET /api/v1/audit/verify)
check_status "ciso GET /api/v1/audit/verify" "$code" 200
output=$(ctl audit list 2>&1)
check_eq "ctl audit list as ciso exit status" "$?" 0
output=$(ctl soa set 5.2 --status partial 2>&1)
check_eq "ctl soa set as ciso exit status" "$?" 0

API_TOKEN=$ADMIN_TOKEN
for path in "${read_paths[@]}" /api/v1/audit /api/v1/audit/verify; do
	code=$(api GET "$path")
	check_status "admin GET $path" "$code" 200
done
code=$(patch_current 5.1 '{"status":"implemented"}')
check_status "admin PATCH" "$code" 200
check_json "admin PATCH applied" "$API_BODY" .status implemented

code=$(api GET "/api/v1/audit?object=soa/$ISO/5.1")
check_json "audit names ciso and admin as actors" "$API_BODY" \
	'[.items[].actor] | join(" ")' "token:auth-admin token:auth-ciso"
code=$(api GET "/api/v1/audit?action=token.create")
check_json "audit records token creation" "$API_BODY" \
	'[.items[].object] | index("token/auth-ciso") != null' true

# --- Revoked token ---------------------------------------------------------------

API_TOKEN=$REVOKED_TOKEN
code=$(api GET /api/v1/controls)
check_status "token works before revoke" "$code" 200
output=$(token_revoke auth-revoked)
check_eq "token revoke exit status" "$?" 0
# Several requests, so that both workers see the revoked token.
for attempt in 1 2 3 4; do
	code=$(api GET /api/v1/controls)
	check_unauthorized "revoked token attempt $attempt" "$code"
done
output=$(ctl controls list 2>&1)
check_eq "ctl with revoked token exit status" "$?" 3
output=$(token_revoke auth-revoked)
check_ne "token revoke twice fails" "$?" 0
output=$(token_revoke no-such-token)
check_ne "token revoke unknown name fails" "$?" 0
API_TOKEN=$ADMIN_TOKEN
code=$(api GET /api/v1/controls)
check_status "other tokens work after revoke" "$code" 200

# --- Expired token ----------------------------------------------------------------

output=$(token_insert "$EXPIRED_TOKEN" admin auth-expired "now() - interval '1 minute'" 2>&1)
check_eq "expired token inserted" "$?" 0
output=$(token_insert "$FUTURE_TOKEN" admin auth-future "now() + interval '1 day'" 2>&1)
check_eq "unexpired token inserted" "$?" 0

API_TOKEN=$FUTURE_TOKEN
code=$(api GET /api/v1/controls)
check_status "inserted unexpired token works" "$code" 200
API_TOKEN=$EXPIRED_TOKEN
for attempt in 1 2; do
	code=$(api GET /api/v1/controls)
	check_unauthorized "expired token attempt $attempt" "$code"
done

# A token that expires while the daemon runs stops working.
test_psql -c "UPDATE api_token SET expires_at = now() - interval '1 second'
	WHERE name = 'auth-future'"
API_TOKEN=$FUTURE_TOKEN
code=$(api GET /api/v1/controls)
check_unauthorized "token past its new expiry" "$code"

DAYS_TOKEN_EXPIRY=$(test_psql -At -c "SELECT expires_at IS NULL FROM api_token
	WHERE name = 'auth-days'")
check_eq "token without --expires-days never expires" "$DAYS_TOKEN_EXPIRY" t
EXPIRING_TOKEN=$(isms_as_daemon_user "$ISMSD_BIN" token create --role auditor \
	--name auth-expiring --expires-days 2 -f "$DAEMON_CONF" 2>>"$DAEMON_LOG")
check_eq "token create --expires-days exit status" "$?" 0
check_eq "token create --expires-days stores expiry" \
	"$(test_psql -At -c "SELECT expires_at BETWEEN now() + interval '47 hours'
		AND now() + interval '49 hours' FROM api_token WHERE name = 'auth-expiring'")" t
API_TOKEN=$EXPIRING_TOKEN
code=$(api GET /api/v1/controls)
check_status "token with future expiry works" "$code" 200

# --- Tokens are not stored or logged in plain text --------------------------------

all_tokens=("$ADMIN_TOKEN" "$CISO_TOKEN" "$AUDITOR_TOKEN" "$REVOKED_TOKEN"
	"$DAYS_TOKEN" "$EXPIRING_TOKEN" "$UNKNOWN_TOKEN" "$EXPIRED_TOKEN"
	"$FUTURE_TOKEN")
check_contains "daemon log has access lines" "$(cat "$DAEMON_LOG")" \
	"actor=token:auth-admin"
leaks=0
for secret in "${all_tokens[@]}"; do
	# The part after the prefix is the secret, so search for it alone too.
	if grep -qF -e "$secret" -e "${secret#isms_}" "$DAEMON_LOG"; then
		leaks=$((leaks + 1))
	fi
done
check_eq "daemon log contains no token" "$leaks" 0

dump=$TEST_DIR/database.sql
isms_as_daemon_user "$ISMS_PG_BINDIR/pg_dump" -h "$PG_SOCKET_DIR" \
	-U "$ISMS_PG_ROLE" "$DATABASE_NAME" >"$dump" 2>"$TEST_DIR/pg_dump.err"
check_eq "database dump exit status" "$?" 0
check_contains "database dump has api_token rows" "$(cat "$dump")" auth-admin
leaks=0
for secret in "${all_tokens[@]}"; do
	grep -qF -e "${secret#isms_}" "$dump" && leaks=$((leaks + 1))
done
check_eq "database contains no plain token" "$leaks" 0

check_eq "api_token stores SHA-256 digests" \
	"$(test_psql -At -c "SELECT count(*) FROM api_token
		WHERE secret_hash = sha256(convert_to('$ADMIN_TOKEN', 'UTF8'))
		AND name = 'auth-admin'")" 1
check_eq "api_token digests are 32 bytes" \
	"$(test_psql -At -c 'SELECT DISTINCT length(secret_hash) FROM api_token')" 32

finish
