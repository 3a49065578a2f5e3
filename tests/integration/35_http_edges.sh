#!/usr/bin/env bash
# HTTP edge cases and tamper evidence: HEAD, strict If-Match, Accept
# q-values, repeated query parameters and headers, replies on closing
# connections, SoA text rules that a first version let through, audit
# chain anchors, and the reply while the database is down.

# shellcheck source=tests/lib/common.sh
source "${REPO_ROOT:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}/tests/lib/common.sh"

ISO=iso27001-2022

# Sends PATCH /api/v1/soa/iso27001-2022/REF with the If-Match header
# value ETAG and the JSON BODY; prints the HTTP status.
patch_iso() {
	local ref=$1 etag=$2 body=$3

	api PATCH "/api/v1/soa/$ISO/$ref" -H "If-Match: $etag" \
		-H 'Content-Type: application/json' --data-binary "$body"
}

test_cluster_start
test_certs
daemon_start
API_TOKEN=$(token admin edges-admin) || fatal "admin token created"

# --- HEAD ---------------------------------------------------------------------

# Two HEAD requests on one keep-alive connection: a body after the first
# would corrupt the second.
out=$(curl -s -I --max-time 10 --cacert "$CA_FILE" "$BASE_URL/healthz" \
	"$BASE_URL/healthz" -w '%{http_code}\n' -o /dev/null 2>&1)
check_eq "HEAD twice on one connection" "$(tr -d '\r' <<<"$out" | grep -c '^200$')" 2
code=$(api HEAD "/api/v1/controls/$ISO/5.1")
check_status "HEAD control" "$code" 200
check_eq "HEAD control etag" "$(api_header ETag)" '"v1"'
check_eq "HEAD control no body" "$(wc -c <"$API_BODY")" 0

# --- If-Match -----------------------------------------------------------------

code=$(patch_iso 5.2 '*' '{"status":"planned"}')
check_problem "If-Match star" "$code" 428 precondition-required
code=$(patch_iso 5.2 'W/"v1"' '{"status":"planned"}')
check_problem "If-Match weak etag" "$code" 412 precondition-failed
for bad in 'v1' '""' '"v"' '"v+1"' '"v 1"' '"v-1"' '"v1", "v2"' '"v1x"'; do
	code=$(patch_iso 5.2 "$bad" '{"status":"planned"}')
	check_problem "If-Match $bad" "$code" 400 invalid-value If-Match
done
check_eq "If-Match rejects change nothing" \
	"$(api GET "/api/v1/soa/$ISO/5.2" >/dev/null; jq -r .version "$API_BODY")" 1

# --- Accept -------------------------------------------------------------------

code=$(api GET /api/v1/soa -H 'Accept: text/csv;q=0, application/json')
check_status "soa Accept csv q=0" "$code" 200
check_contains "soa Accept csv q=0 gives JSON" "$(api_header Content-Type)" \
	application/json
code=$(api GET /api/v1/soa -H 'Accept: text/*')
check_contains "soa Accept text/* gives CSV" "$(api_header Content-Type)" \
	text/csv
code=$(api GET /api/v1/soa -H 'Accept: application/json;q=0.5, text/csv')
check_contains "soa Accept CSV ranked higher" "$(api_header Content-Type)" \
	text/csv
code=$(api GET /api/v1/controls -H 'Accept: application/json;q=0')
check_problem "controls Accept json q=0" "$code" 406 not-acceptable

# --- Repeated parameters and headers ----------------------------------------

code=$(api GET "/api/v1/controls?limit=5&limit=500")
check_problem "repeated limit" "$code" 400 invalid-parameter limit
for bad in '%205' '%2B5' '5%20'; do
	code=$(api GET "/api/v1/controls?limit=$bad")
	check_problem "limit $bad" "$code" 400 invalid-parameter limit
done
code=$(api GET /api/v1/controls -H "Authorization: Bearer $API_TOKEN")
check_problem "two Authorization headers" "$code" 400 invalid-value \
	Authorization

# A query string that cannot be parsed must not silently drop its filters.
code=$(api GET "/api/v1/soa?framework=bio2&x" -H 'Accept: text/csv')
check_problem "query parameter without =" "$code" 400 invalid-parameter
code=$(api GET "/api/v1/controls?q=%ff")
check_problem "query value not UTF-8" "$code" 400 invalid-parameter q
for header in Content-Length If-Match Accept; do
	case $header in
	Content-Length) extra=(-H 'Content-Length: 2' -H 'Content-Length: 3') ;;
	If-Match) extra=(-H 'If-Match: "v9"' -H 'If-Match: "v1"') ;;
	Accept) extra=(-H 'Accept: text/csv' -H 'Accept: application/json') ;;
	esac
	code=$(api PATCH "/api/v1/soa/$ISO/5.9" -H 'Content-Type: application/json' \
		"${extra[@]}" --data-binary '{}')
	check_problem "two $header headers" "$code" 400 invalid-value "$header"
done
code=$(patch_iso 5.2 '"v01"' '{"status":"planned"}')
check_problem "If-Match with a leading zero" "$code" 400 invalid-value If-Match
code=$(api GET /api/v1/soa -H "Accept: text/csv;$(printf '\t')q=0.1, application/json;q=0.9")
check_contains "Accept q after a tab" "$(api_header Content-Type)" \
	application/json

# --- Replies on a connection that closes --------------------------------------

code=$(patch_iso 5.3 '"v1"' '{"status":"planned"}' -H 'Connection: close')
check_status "PATCH with Connection close gets its reply" "$code" 200
code=$(api GET "/api/v1/controls/$ISO/5.3" --http1.0)
check_status "HTTP/1.0 request gets its reply" "$code" 200

# --- SoA text rules -----------------------------------------------------------

code=$(patch_iso 5.4 '"v1"' '{"applicable":false,"justification":"\u00a0\u200b"}')
check_problem "invisible justification" "$code" 422 invalid-value \
	justification
code=$(patch_iso 5.4 '"v1"' '{"owner":"a\u009b2Jb"}')
check_problem "C1 control character in owner" "$code" 422 invalid-value owner
code=$(patch_iso 5.4 '"v1"' '{"reviewed_at":"2026-12-30T23:59:60Z"}')
check_problem "leap second on a day without one" "$code" 422 invalid-value \
	reviewed_at
code=$(patch_iso 5.4 '"v1"' '{"evidence":["javascript:alert(1)"]}')
check_problem "javascript evidence link" "$code" 422 invalid-value evidence
code=$(patch_iso 5.4 '"v1"' '{"evidence":[" javascript:alert(1)"]}')
check_problem "evidence link after a space" "$code" 422 invalid-value evidence
code=$(patch_iso 5.4 '"v1"' '{"justification":"ok \u202e reversed"}')
check_problem "bidi override in justification" "$code" 422 invalid-value \
	justification
code=$(patch_iso 5.4 '"v1"' '{"owner":"","evidence":["DMS-2026-0042"]}')
check_status "empty owner accepted" "$code" 200
check_json "empty owner stored as null" "$API_BODY" .owner null
code=$(patch_iso 5.4 '"v2"' '{"status":"implemented"}')
check_status "implemented" "$code" 200
code=$(patch_iso 5.4 '"v3"' '{"applicable":null}')
check_problem "undecided while implemented" "$code" 422 rule-violation \
	applicable

# --- Audit chain anchors ------------------------------------------------------

code=$(api GET /api/v1/audit/verify)
check_status "verify" "$code" 200
check_json "verify valid" "$API_BODY" .valid true
head_seq=$(jq -r .head_seq "$API_BODY")
head_hash=$(jq -r .head_hash "$API_BODY")
check_eq "verify head hash is 64 hex digits" \
	"$(grep -cE '^[0-9a-f]{64}$' <<<"$head_hash")" 1
code=$(api GET "/api/v1/audit/verify?anchor_seq=$head_seq&anchor_hash=$head_hash")
check_json "anchor holds" "$API_BODY" .anchor_valid true
wrong=$(printf '%064d' 0)
code=$(api GET "/api/v1/audit/verify?anchor_seq=$head_seq&anchor_hash=$wrong")
check_json "wrong anchor hash" "$API_BODY" .anchor_valid false
request_id=$(api_header X-Request-Id)
check_contains "anchor failure logged with request id" \
	"$(grep 'audit anchor record' "$DAEMON_LOG" | tail -n 1)" "$request_id"
code=$(api GET "/api/v1/audit/verify?anchor_seq=$head_seq")
check_problem "anchor without hash" "$code" 400 invalid-parameter anchor_hash

# A database superuser cuts the newest record off. The chain that is left
# is consistent, so only the anchor shows the cut.
test_psql -q -c "ALTER TABLE audit_log DISABLE TRIGGER USER" \
	-c "DELETE FROM audit_log WHERE seq = $head_seq" \
	-c "ALTER TABLE audit_log ENABLE TRIGGER USER" >/dev/null 2>&1
code=$(api GET "/api/v1/audit/verify?anchor_seq=$head_seq&anchor_hash=$head_hash")
check_json "cut chain still links" "$API_BODY" .valid true
check_json "cut chain fails its anchor" "$API_BODY" .anchor_valid false
output=$(ctl audit verify --anchor "$head_seq:$head_hash" 2>&1)
check_eq "ctl audit verify with a broken anchor exit status" "$?" 7

# --- Database down ------------------------------------------------------------

isms_pg_stop "$PG_DATA" >/dev/null 2>&1
code=$(api GET "/api/v1/controls/$ISO/5.1")
check_problem "database down" "$code" 503 unavailable
check_eq "database down Retry-After" "$(api_header Retry-After)" 5
isms_pg_start "$PG_DATA" "$PG_SOCKET_DIR" "$PG_LOG" >/dev/null 2>&1 ||
	fatal "cluster restarted"
code=$(api GET "/api/v1/controls/$ISO/5.1")
check_status "database back" "$code" 200

finish
