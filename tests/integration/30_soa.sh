#!/usr/bin/env bash
# Statement of Applicability. Changes made through `ismsctl soa set` and
# PATCH are read back through the entry, the list, `ismsctl soa show` and
# the CSV export. Also covers If-Match, request body errors, the
# applicability rules, the body size and media type limits, the audit
# records of every change with their hash chain, and two concurrent
# changes of one entry.

# shellcheck source=tests/lib/common.sh
source "${REPO_ROOT:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}/tests/lib/common.sh"

ISO=iso27001-2022
MAX_BODY_SIZE=2048
CSV_HEADER="framework,ref,iso_control,title,theme,applicable,justification,status,owner,evidence,reviewed_at,next_review_at,version,updated_at,updated_by"

# Sends PATCH /api/v1/soa/FRAMEWORK/REF with If-Match ETAG (none when
# empty) and the JSON BODY (or @FILE for the contents of FILE), and prints
# the HTTP status.
patch_soa() {
	local framework=$1 ref=$2 etag=$3 body=$4
	local -a if_match=()

	shift 4
	[[ -z $etag ]] || if_match=(-H "If-Match: $etag")
	api PATCH "/api/v1/soa/$framework/$ref" "${if_match[@]}" \
		-H 'Content-Type: application/json' --data-binary "$body" "$@"
}

# Prints the version of SoA entry FRAMEWORK/REF, or "HTTP nnn".
soa_version() {
	local code

	code=$(api GET "/api/v1/soa/$1/$2")
	if [[ $code != 200 ]]; then
		printf 'HTTP %s' "$code"
		return
	fi
	jq -r .version "$API_BODY"
}

# Prints the number of audit records for OBJECT, read with the admin
# token, or "HTTP nnn".
audit_count() {
	local code saved=$API_TOKEN

	API_TOKEN=$ADMIN_TOKEN
	code=$(api GET "/api/v1/audit?limit=1000" -G --data-urlencode "object=$1")
	API_TOKEN=$saved
	if [[ $code != 200 ]]; then
		printf 'HTTP %s' "$code"
		return
	fi
	jq '.items | length' "$API_BODY"
}

# Prints a cell of the CSV file FILE: COLUMN of the row whose ref is REF,
# parsed with Python's csv module (RFC 4180 quoting).
csv_cell() {
	python3 - "$1" "$2" "$3" <<'EOF'
import csv, sys
path, ref, column = sys.argv[1:4]
with open(path, newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row["ref"] == ref:
            sys.stdout.write(row[column])
            sys.exit(0)
sys.stdout.write("(no row " + ref + ")")
EOF
}

# Prints the number of data rows (records after the header) of FILE.
csv_data_rows() {
	python3 - "$1" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
print(len(rows) - 1)
EOF
}

# Prints the Unix time of an RFC 3339 time, so that 2026-12-01T00:00:00Z
# and 2026-12-01T00:00:00+00:00 compare equal.
epoch_of() {
	date -u -d "$1" +%s 2>/dev/null || printf 'invalid time "%s"' "$1"
}

test_cluster_start
test_certs
daemon_start "max_body_size = $MAX_BODY_SIZE"
CISO_TOKEN=$(token ciso soa-ciso) || fatal "ciso token created"
ADMIN_TOKEN=$(token admin soa-admin) || fatal "admin token created"
API_TOKEN=$CISO_TOKEN

# --- A change through ismsctl, read back every way ------------------------

justification="Policy approved by the board"
output=$(ctl soa set 5.1 --status implemented --justification "$justification" \
	--owner CISO 2>&1)
check_eq "ctl soa set 5.1 exit status" "$?" 0
check_contains "ctl soa set 5.1 prints new etag" "$output" '"v2"'

code=$(api GET "/api/v1/soa/$ISO/5.1")
check_status "soa entry 5.1 status" "$code" 200
check_json "soa entry 5.1 status value" "$API_BODY" .status implemented
check_json "soa entry 5.1 applicable" "$API_BODY" .applicable true
check_json "soa entry 5.1 justification" "$API_BODY" .justification "$justification"
check_json "soa entry 5.1 owner" "$API_BODY" .owner CISO
check_json "soa entry 5.1 version" "$API_BODY" .version 2
check_json "soa entry 5.1 framework" "$API_BODY" .framework "$ISO"
check_json "soa entry 5.1 title" "$API_BODY" .title "Policies for information security"
check_json "soa entry 5.1 evidence empty" "$API_BODY" '.evidence | length' 0
check_contains "soa entry 5.1 updated_by names token" \
	"$(jq -r .updated_by "$API_BODY")" soa-ciso
check_eq "soa entry 5.1 etag" "$(api_header ETag)" '"v2"'
check_contains "soa entry 5.1 content type" "$(api_header Content-Type)" \
	application/json

output=$(ctl soa show 5.1 2>&1)
check_eq "ctl soa show 5.1 exit status" "$?" 0
check_contains "ctl soa show 5.1 status" "$output" implemented
check_contains "ctl soa show 5.1 justification" "$output" "$justification"
check_contains "ctl soa show 5.1 etag" "$output" '"v2"'

code=$(api GET "/api/v1/soa?framework=$ISO")
check_status "soa list status" "$code" 200
check_json "soa list framework" "$API_BODY" .framework "$ISO"
check_json "soa list entries" "$API_BODY" '.items | length' 93
check_json "soa list next null" "$API_BODY" .next null
check_json "soa list 5.1 changed" "$API_BODY" \
	'.items[] | select(.ref == "5.1") | "\(.status) \(.version) \(.justification)"' \
	"implemented 2 $justification"
check_json "soa list others unchanged" "$API_BODY" \
	'[.items[] | select(.ref != "5.1" and .version != 1)] | length' 0
check_json "soa list numeric order" "$API_BODY" \
	'[.items[].ref] | index("5.2") < index("5.10")' true

code=$(api GET /api/v1/soa)
check_json "soa list default framework" "$API_BODY" .framework "$ISO"
check_json "soa list default entries" "$API_BODY" '.items | length' 93

code=$(api GET /api/v1/soa?framework=bio2)
check_status "soa list bio2 status" "$code" 200
check_json "soa list bio2 active measures only" "$API_BODY" '.items | length' 118
check_json "soa list bio2 without moved 5.24.06" "$API_BODY" \
	'[.items[] | select(.ref == "5.24.06")] | length' 0

code=$(api GET /api/v1/soa?framework=nist)
check_problem "soa list unknown framework" "$code" 400 invalid-parameter \
	framework

code=$(api GET /api/v1/soa -H 'Accept: application/xml')
check_problem "soa list Accept application/xml" "$code" 406 not-acceptable

code=$(api GET "/api/v1/soa/$ISO/5.1" -H 'Accept: application/xml')
check_problem "soa entry Accept application/xml" "$code" 406 not-acceptable

# --- CSV export -----------------------------------------------------------

# Justifications that need quoting or the formula guard.
quoted=$'Joint, "central" team\nsecond line'
output=$(ctl soa set 5.2 --status planned --justification "$quoted" 2>&1)
check_eq "ctl soa set quoted justification" "$?" 0
output=$(ctl soa set 5.3 --status partial --justification "=SUM(A1:A9)" \
	--owner "@security" 2>&1)
check_eq "ctl soa set formula justification" "$?" 0
output=$(ctl soa set 5.4 --status partial --justification "+31 70 000 0000" \
	--owner "-team" 2>&1)
check_eq "ctl soa set plus and minus values" "$?" 0
output=$(ctl soa set 5.5 --evidence https://intranet.example/a.pdf \
	--evidence https://intranet.example/b.pdf 2>&1)
check_eq "ctl soa set two evidence links" "$?" 0

csv=$TEST_DIR/soa.csv
ctl soa export --csv >"$csv" 2>"$TEST_DIR/export.err"
check_eq "ctl soa export --csv exit status" "$?" 0
check_eq "csv header" "$(head -n 1 "$csv" | tr -d '\r')" "$CSV_HEADER"
check_eq "csv header ends with CRLF" "$(head -n 1 "$csv" | tail -c 2 | od -An -c | tr -d ' ')" '\r\n'
check_eq "csv data rows" "$(csv_data_rows "$csv")" 93
check_eq "csv 5.1 status" "$(csv_cell "$csv" 5.1 status)" implemented
check_eq "csv 5.1 applicable" "$(csv_cell "$csv" 5.1 applicable)" yes
check_eq "csv 5.1 justification" "$(csv_cell "$csv" 5.1 justification)" "$justification"
check_eq "csv 5.1 owner" "$(csv_cell "$csv" 5.1 owner)" CISO
check_eq "csv 5.1 version" "$(csv_cell "$csv" 5.1 version)" 2
check_eq "csv 5.1 framework" "$(csv_cell "$csv" 5.1 framework)" "$ISO"
check_eq "csv 5.1 title" "$(csv_cell "$csv" 5.1 title)" "Policies for information security"
check_eq "csv 5.6 applicable empty" "$(csv_cell "$csv" 5.6 applicable)" ""
check_eq "csv 5.6 status not_started" "$(csv_cell "$csv" 5.6 status)" not_started
check_eq "csv quoted justification round trip" \
	"$(csv_cell "$csv" 5.2 justification)" "$quoted"
check_contains "csv quotes doubled" "$(cat "$csv")" '"Joint, ""central"" team'
check_eq "csv formula guard equals" "$(csv_cell "$csv" 5.3 justification)" \
	"'=SUM(A1:A9)"
check_eq "csv formula guard at sign" "$(csv_cell "$csv" 5.3 owner)" "'@security"
check_eq "csv formula guard plus" "$(csv_cell "$csv" 5.4 justification)" \
	"'+31 70 000 0000"
check_eq "csv formula guard minus" "$(csv_cell "$csv" 5.4 owner)" "'-team"
check_eq "csv evidence joined" "$(csv_cell "$csv" 5.5 evidence)" \
	"https://intranet.example/a.pdf"$'\n'"https://intranet.example/b.pdf"

code=$(api GET "/api/v1/soa/$ISO/5.3")
check_json "json keeps formula text" "$API_BODY" .justification "=SUM(A1:A9)"

code=$(api GET "/api/v1/soa?framework=$ISO" -H 'Accept: text/csv')
check_status "soa csv through api status" "$code" 200
check_contains "soa csv through api content type" "$(api_header Content-Type)" text/csv
check_eq "soa csv through api matches ismsctl" "$(cat "$API_BODY")" "$(cat "$csv")"

code=$(api GET /api/v1/soa?framework=bio2 -H 'Accept: text/csv')
check_eq "soa csv bio2 data rows" "$(csv_data_rows "$API_BODY")" 118

# --- If-Match ---------------------------------------------------------------

code=$(patch_soa "$ISO" 5.1 '"v1"' '{"status":"partial"}')
check_problem "stale If-Match" "$code" 412 precondition-failed
check_eq "stale If-Match returns current etag" "$(api_header ETag)" '"v2"'
check_eq "stale If-Match leaves entry" "$(soa_version "$ISO" 5.1)" 2

output=$(ctl soa set 5.1 --status partial --if-match '"v1"' 2>&1)
check_eq "ctl soa set stale --if-match exit status" "$?" 5
check_eq "ctl soa set stale --if-match leaves entry" "$(soa_version "$ISO" 5.1)" 2

code=$(patch_soa "$ISO" 5.1 "" '{"status":"partial"}')
check_problem "missing If-Match" "$code" 428 precondition-required
check_eq "missing If-Match leaves entry" "$(soa_version "$ISO" 5.1)" 2

output=$(ctl soa set 5.1 --owner "Chief information security officer" --if-match '"v2"' 2>&1)
check_eq "ctl soa set current --if-match exit status" "$?" 0
check_eq "ctl soa set current --if-match applied" "$(soa_version "$ISO" 5.1)" 3

code=$(patch_soa "$ISO" 5.1 '"v3"' '{"evidence":["https://intranet.example/policy.pdf"],"reviewed_at":"2026-12-01T00:00:00Z","next_review_at":"2027-12-01T00:00:00Z"}' \
	-H 'X-Request-Id: soa-test-evidence')
check_status "patch evidence and review dates" "$code" 200
check_eq "patch returns new etag" "$(api_header ETag)" '"v4"'
check_json "patch returns new version" "$API_BODY" .version 4
check_json "patch keeps members left out" "$API_BODY" .justification "$justification"
check_json "patch sets evidence" "$API_BODY" '.evidence | join(" ")' \
	https://intranet.example/policy.pdf
check_eq "patch sets reviewed_at" "$(epoch_of "$(jq -r .reviewed_at "$API_BODY")")" \
	"$(epoch_of 2026-12-01T00:00:00Z)"
check_eq "patch sets next_review_at" "$(epoch_of "$(jq -r .next_review_at "$API_BODY")")" \
	"$(epoch_of 2027-12-01T00:00:00Z)"
check_eq "patch echoes request id" "$(api_header X-Request-Id)" soa-test-evidence

code=$(patch_soa "$ISO" 5.1 '"v4"' '{"owner":null,"evidence":null}')
check_status "patch null clears members" "$code" 200
check_json "patch null clears owner" "$API_BODY" .owner null
check_json "patch null clears evidence" "$API_BODY" '.evidence | length' 0

# --- Invalid bodies ----------------------------------------------------------

version_before=$(soa_version "$ISO" 5.6)
while IFS='|' read -r name body expected type field; do
	code=$(patch_soa "$ISO" 5.6 '"v1"' "$body")
	check_problem "$name" "$code" "$expected" "$type" "$field"
done <<'EOF'
body truncated JSON|{"status":|400|malformed-json|
body not JSON|status=planned|400|malformed-json|
body JSON array|["planned"]|400|malformed-json|
body unknown member|{"status":"planned","colour":"red"}|400|unknown-field|colour
body applicable string|{"applicable":"yes"}|400|invalid-type|applicable
body status number|{"status":3}|400|invalid-type|status
body owner number|{"owner":5}|400|invalid-type|owner
body justification object|{"justification":{"text":"x"}}|400|invalid-type|justification
body evidence string|{"evidence":"https://intranet.example/a"}|400|invalid-type|evidence
body evidence item number|{"evidence":[1]}|400|invalid-type|evidence
body reviewed_at number|{"reviewed_at":20261201}|400|invalid-type|reviewed_at
body status unknown value|{"status":"done"}|422|invalid-value|status
body status wrong case|{"status":"Implemented"}|422|invalid-value|status
body reviewed_at not a time|{"reviewed_at":"yesterday"}|422|invalid-value|reviewed_at
body next_review_at no zone|{"next_review_at":"2027-01-01T00:00:00"}|422|invalid-value|next_review_at
body evidence empty item|{"evidence":[""]}|422|invalid-value|evidence
EOF

long_owner=$(printf 'o%.0s' {1..201})
code=$(patch_soa "$ISO" 5.6 '"v1"' "{\"owner\":\"$long_owner\"}")
check_problem "body owner over 200 characters" "$code" 422 invalid-value owner
code=$(patch_soa "$ISO" 5.6 '"v1"' "{\"evidence\":[$(printf '"https://e.example/%s",' {1..50})\"https://e.example/51\"]}")
check_problem "body evidence over 50 items" "$code" 422 invalid-value evidence
check_eq "invalid bodies leave entry" "$(soa_version "$ISO" 5.6)" "$version_before"
check_eq "invalid bodies write no audit record" "$(audit_count "soa/$ISO/5.6")" 0

# --- Applicability rules ---------------------------------------------------

code=$(patch_soa "$ISO" 5.7 '"v1"' '{"applicable":false}')
check_problem "iso not applicable without justification" "$code" 422 \
	rule-violation justification
code=$(patch_soa "$ISO" 5.7 '"v1"' '{"status":"not_applicable"}')
check_problem "iso status not_applicable without justification" "$code" 422 \
	rule-violation justification
code=$(patch_soa "$ISO" 5.7 '"v1"' '{"applicable":false,"justification":"   "}')
check_problem "iso not applicable with blank justification" "$code" 422 \
	invalid-value justification
code=$(patch_soa bio2 5.01.02 '"v1"' '{"applicable":false}')
check_problem "bio2 not applicable without justification" "$code" 422 \
	rule-violation justification
code=$(patch_soa bio2 5.01.02 '"v1"' '{"status":"not_applicable","justification":""}')
check_problem "bio2 not applicable with empty justification" "$code" 422 \
	rule-violation justification
output=$(ctl soa set 5.7 --applicable no 2>&1)
check_eq "ctl soa set --applicable no without justification" "$?" 1
check_contains "ctl names justification" "$output" justification

code=$(patch_soa "$ISO" 5.7 '"v1"' '{"applicable":false,"status":"implemented","justification":"Not needed"}')
check_problem "applicable false with status implemented" "$code" 422 \
	rule-violation status
code=$(patch_soa "$ISO" 5.7 '"v1"' '{"applicable":true,"status":"not_applicable","justification":"Not needed"}')
check_problem "applicable true with status not_applicable" "$code" 422 \
	rule-violation status
check_eq "rejected rules leave entry" "$(soa_version "$ISO" 5.7)" 1

code=$(patch_soa "$ISO" 5.7 '"v1"' '{"applicable":false,"justification":"No threat intelligence function"}')
check_status "iso not applicable with justification" "$code" 200
check_json "applicable false sets status" "$API_BODY" .status not_applicable
code=$(patch_soa "$ISO" 5.7 '"v2"' '{"justification":null}')
check_problem "clearing justification of excluded control" "$code" 422 \
	rule-violation justification
code=$(patch_soa "$ISO" 5.7 '"v2"' '{"status":"planned"}')
check_status "status planned on excluded control" "$code" 200
check_json "status planned marks applicable" "$API_BODY" .applicable true

code=$(patch_soa "$ISO" 5.8 '"v1"' '{"status":"not_applicable","justification":"Covered by the supplier"}')
check_status "status not_applicable with justification" "$code" 200
check_json "status not_applicable sets applicable false" "$API_BODY" .applicable false

code=$(patch_soa bio2 5.01.02 '"v1"' '{"applicable":false,"justification":"No such system in scope"}')
check_status "bio2 not applicable with justification" "$code" 200
check_json "bio2 not applicable status" "$API_BODY" .status not_applicable

code=$(patch_soa "$ISO" 5.9 '"v1"' '{"status":"implemented"}')
check_status "status implemented alone" "$code" 200
check_json "status implemented marks applicable" "$API_BODY" .applicable true

# --- Measures without an SoA entry ----------------------------------------

code=$(patch_soa bio2 5.24.06 '"v1"' '{"status":"planned"}')
check_problem "moved measure 5.24.06 patch" "$code" 422 rule-violation
code=$(patch_soa bio2 5.21.01 '"v1"' '{"status":"planned"}')
check_problem "lapsed measure 5.21.01 patch" "$code" 422 rule-violation
code=$(patch_soa bio2 5.03.01 '"v1"' '{"status":"planned"}')
check_problem "no_government_measure 5.03.01 patch" "$code" 422 rule-violation
code=$(api GET /api/v1/soa/bio2/5.24.06)
check_problem "moved measure 5.24.06 entry" "$code" 404 not-found
code=$(patch_soa bio2 5.99.01 '"v1"' '{"status":"planned"}')
check_problem "unknown measure 5.99.01 patch" "$code" 404 not-found
code=$(patch_soa "$ISO" 9.1 '"v1"' '{"status":"planned"}')
check_problem "unknown control 9.1 patch" "$code" 404 not-found
output=$(ctl soa set 5.24.06 --status planned 2>&1)
check_ne "ctl soa set moved measure fails" "$?" 0

# --- Review dates ---------------------------------------------------------------

code=$(patch_soa "$ISO" 5.11 '"v1"' '{"reviewed_at":"2026-12-01T00:00:00Z","next_review_at":"2026-11-30T23:59:59Z"}')
check_problem "next_review_at before reviewed_at" "$code" 422 rule-violation next_review_at
code=$(patch_soa "$ISO" 5.11 '"v1"' '{"reviewed_at":"2026-12-01T00:00:00Z","next_review_at":"2026-12-01T00:00:00Z"}')
check_status "next_review_at equal to reviewed_at" "$code" 200
code=$(patch_soa "$ISO" 5.11 '"v2"' '{"next_review_at":"2026-06-01T00:00:00Z"}')
check_problem "next_review_at before stored reviewed_at" "$code" 422 \
	rule-violation next_review_at
code=$(patch_soa "$ISO" 5.11 '"v2"' '{"reviewed_at":"2027-01-01T00:00:00+01:00"}')
check_problem "reviewed_at moved after next_review_at" "$code" 422 \
	rule-violation next_review_at
code=$(patch_soa "$ISO" 5.11 '"v2"' '{"next_review_at":"2026-12-01T00:30:00+01:00"}')
check_problem "next_review_at earlier in another offset" "$code" 422 \
	rule-violation next_review_at

# --- Body size and media type ------------------------------------------------

# Writes a PATCH body of about SIZE bytes, a justification of x
# characters, to BODY_FILE.
write_body() {
	{
		printf '{"justification":"'
		head -c "$1" /dev/zero | tr '\0' x
		printf '"}'
	} >"$BODY_FILE"
}

BODY_FILE=$TEST_DIR/body.json

write_body $((MAX_BODY_SIZE + 100))
code=$(patch_soa "$ISO" 5.12 '"v1"' "@$BODY_FILE")
check_problem "body over max_body_size" "$code" 413 payload-too-large

write_body $((MAX_BODY_SIZE * 8))
code=$(patch_soa "$ISO" 5.12 '"v1"' "@$BODY_FILE")
check_problem "body eight times max_body_size" "$code" 413 payload-too-large

# NOTE: a body more than 64 KiB over max_body_size gets libevent's own 413
# with an HTML body, not application/problem+json (a known limitation in
# README.md), so only the status is checked here.
write_body $((MAX_BODY_SIZE + 100 * 1024))
code=$(patch_soa "$ISO" 5.12 '"v1"' "@$BODY_FILE")
check_status "body 100 KiB over max_body_size" "$code" 413

write_body $((MAX_BODY_SIZE - 100))
code=$(patch_soa "$ISO" 5.12 '"v1"' "@$BODY_FILE")
check_status "body under max_body_size" "$code" 200

code=$(api PATCH "/api/v1/soa/$ISO/5.13" -H 'If-Match: "v1"' -H 'Content-Type:' \
	--data-binary '{"status":"planned"}')
check_problem "body without Content-Type" "$code" 415 unsupported-media-type
code=$(api PATCH "/api/v1/soa/$ISO/5.13" -H 'If-Match: "v1"' \
	-H 'Content-Type: text/plain' --data-binary '{"status":"planned"}')
check_problem "body as text/plain" "$code" 415 unsupported-media-type
code=$(api PATCH "/api/v1/soa/$ISO/5.13" -H 'If-Match: "v1"' \
	--data-binary '{"status":"planned"}')
check_problem "body as form data" "$code" 415 unsupported-media-type
check_eq "rejected media types leave entry" "$(soa_version "$ISO" 5.13)" 1
code=$(api PATCH "/api/v1/soa/$ISO/5.13" -H 'If-Match: "v1"' \
	-H 'Content-Type: application/json; charset=utf-8' --data-binary '{"status":"planned"}')
check_status "body as application/json with charset" "$code" 200

# --- Audit records ---------------------------------------------------------------

API_TOKEN=$ADMIN_TOKEN
code=$(api GET "/api/v1/audit?object=soa/$ISO/5.1")
check_status "audit for 5.1 status" "$code" 200
# 5.1 changed four times: ismsctl set, ismsctl owner, evidence, clearing.
check_json "audit for 5.1 records" "$API_BODY" '.items | length' 4
check_json "audit for 5.1 only that object" "$API_BODY" \
	'[.items[].object] | unique | join(" ")' "soa/$ISO/5.1"
check_json "audit for 5.1 action" "$API_BODY" \
	'[.items[].action] | unique | join(" ")' soa.update
check_json "audit for 5.1 newest first" "$API_BODY" \
	'[.items[].seq] | . == (sort | reverse)' true
check_json "audit for 5.1 actor" "$API_BODY" \
	'[.items[].actor] | unique | join(" ")' token:soa-ciso
check_json "audit first change before status" "$API_BODY" \
	'.items[-1].before.status' not_started
check_json "audit first change before version" "$API_BODY" \
	'.items[-1].before.version' 1
check_json "audit first change after status" "$API_BODY" \
	'.items[-1].after.status' implemented
check_json "audit first change after justification" "$API_BODY" \
	'.items[-1].after.justification' "$justification"
check_json "audit first change after version" "$API_BODY" \
	'.items[-1].after.version' 2
check_json "audit owner change before owner" "$API_BODY" \
	'.items[-2].before.owner' CISO
check_json "audit owner change after owner" "$API_BODY" \
	'.items[-2].after.owner' "Chief information security officer"
check_json "audit evidence change request id" "$API_BODY" \
	'.items[-3].request_id' soa-test-evidence
check_json "audit latest change after version" "$API_BODY" \
	'.items[0].after.version' 5
check_json "audit records carry hashes" "$API_BODY" \
	'[.items[].hash | test("^[0-9a-f]{64}$")] | all' true

all_seqs=$(jq -r '[.items[].seq] | join(" ")' "$API_BODY")
paged_seqs=""
next=""
for ((page = 0; page < 10; page++)); do
	cursor_arg=()
	[[ -z $next ]] || cursor_arg=(--data-urlencode "cursor=$next")
	code=$(api GET /api/v1/audit -G --data-urlencode "object=soa/$ISO/5.1" \
		--data-urlencode limit=1 "${cursor_arg[@]}")
	[[ $code == 200 ]] || break
	paged_seqs+="$(jq -r '.items[].seq' "$API_BODY") "
	next=$(jq -r '.next // empty' "$API_BODY")
	[[ -n $next ]] || break
done
check_eq "audit paging with limit 1" "${paged_seqs% }" "$all_seqs"
code=$(api GET "/api/v1/audit?limit=0")
check_problem "audit limit 0 rejected" "$code" 400 invalid-parameter limit
code=$(api GET "/api/v1/audit?cursor=latest")
check_problem "audit cursor text rejected" "$code" 400 invalid-parameter cursor

code=$(api GET /api/v1/audit/verify)
check_status "audit verify status" "$code" 200
check_json "audit verify valid" "$API_BODY" .valid true
records=$(jq -r .records "$API_BODY")
changes=$(test_psql -At -c "SELECT count(*) FROM audit_log WHERE action = 'soa.update'")
check_eq "audit record per accepted change" "$changes" \
	"$(test_psql -At -c "SELECT coalesce(sum(version - 1), 0) FROM soa_entry")"
check_eq "audit verify counts every record" "$records" \
	"$(test_psql -At -c 'SELECT count(*) FROM audit_log')"

output=$(test_psql -c "UPDATE audit_log SET actor = 'someone-else'" 2>&1)
check_ne "audit update rejected by database" "$?" 0
check_contains "audit update error message" "$output" "cannot be changed"
output=$(test_psql -c "DELETE FROM audit_log" 2>&1)
check_ne "audit delete rejected by database" "$?" 0
output=$(test_psql -c "TRUNCATE audit_log" 2>&1)
check_ne "audit truncate rejected by database" "$?" 0
check_eq "audit records unchanged after attempts" \
	"$(test_psql -At -c "SELECT count(*) FROM audit_log WHERE actor = 'someone-else'")" 0
code=$(api GET /api/v1/audit/verify)
check_json "audit verify valid after attempts" "$API_BODY" .valid true

output=$(ctl audit verify 2>&1)
check_eq "ctl audit verify exit status" "$?" 0

# --- Concurrent changes -------------------------------------------------------------

# Sends one PATCH with If-Match "v1" and writes its HTTP status to FILE.
concurrent_patch() {
	local ref=$1 status=$2 file=$3

	curl -s --max-time 20 --cacert "$CA_FILE" -X PATCH \
		-H "Authorization: Bearer $CISO_TOKEN" -H 'If-Match: "v1"' \
		-H 'Content-Type: application/json' \
		--data-binary "{\"status\":\"$status\"}" -o /dev/null \
		-w '%{http_code}\n' "$BASE_URL/api/v1/soa/$ISO/$ref" >"$file"
}

for ref in 8.1 8.2 8.3 8.4 8.5; do
	concurrent_patch "$ref" planned "$TEST_DIR/concurrent.a" &
	first=$!
	concurrent_patch "$ref" implemented "$TEST_DIR/concurrent.b" &
	second=$!
	wait "$first" "$second"
	codes=$(sort "$TEST_DIR/concurrent.a" "$TEST_DIR/concurrent.b" | paste -sd ' ')
	check_eq "concurrent patches $ref one wins" "$codes" "200 412"
	check_eq "concurrent patches $ref version" "$(soa_version "$ISO" "$ref")" 2
	check_eq "concurrent patches $ref audit records" \
		"$(audit_count "soa/$ISO/$ref")" 1
done

code=$(api GET /api/v1/audit/verify)
check_json "audit verify valid after concurrent changes" "$API_BODY" .valid true

finish
