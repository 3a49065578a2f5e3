#!/usr/bin/env bash
# Catalogue API and `ismsctl controls`. Covers the 93 ISO/IEC 27001:2022
# Annex A controls and the 166 BIO2 measure ids, paging with limit and
# cursor, the list filters, catalogue order and one control with its
# measures. Also covers the errors for invalid query parameters, unknown
# controls, unknown routes and wrong methods.

# shellcheck source=tests/lib/common.sh
source "${REPO_ROOT:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}/tests/lib/common.sh"

ISO=iso27001-2022
ISO_FILE=$REPO_ROOT/controls/iso27001-2022.json
BIO2_FILE=$REPO_ROOT/controls/bio2.json

# Follows the next cursors of GET /api/v1/controls with the query
# parameters given as arguments ("name=value"). Appends every item to
# PAGES_FILE as one JSON line and sets PAGE_COUNT and PAGE_SIZES (the
# item count of each page). Returns 1 when a page is not 200.
collect_pages() {
	local code next="" guard param
	local -a query=()

	PAGE_COUNT=0
	PAGE_SIZES=""
	: >"$PAGES_FILE"
	for ((guard = 0; guard < 300; guard++)); do
		query=()
		for param in "$@"; do
			query+=(--data-urlencode "$param")
		done
		[[ -z $next ]] || query+=(--data-urlencode "cursor=$next")
		code=$(api GET /api/v1/controls -G "${query[@]}")
		if [[ $code != 200 ]]; then
			diag "page $((PAGE_COUNT + 1)) returned HTTP $code"
			show_tail "$API_BODY" 5
			return 1
		fi
		PAGE_COUNT=$((PAGE_COUNT + 1))
		PAGE_SIZES+="$(jq '.items | length' "$API_BODY") "
		jq -c '.items[]' "$API_BODY" >>"$PAGES_FILE"
		next=$(jq -r '.next // empty' "$API_BODY")
		[[ -n $next ]] || return 0
	done
	diag "more than 300 pages; the cursor does not advance"
	return 1
}

# Prints the refs of a catalogue file in numeric order (5.2 before 5.10),
# one a line. sort -V computes the order without the daemon.
file_refs_sorted() {
	jq -r '.controls[].ref' "$1" | sort -V
}

PAGES_FILE=$TEST_DIR/pages.jsonl

test_cluster_start
test_certs
daemon_start
API_TOKEN=$(token auditor catalogue-auditor) || fatal "auditor token created"
ADMIN_TOKEN=$(token admin catalogue-admin) || fatal "admin token created"

# --- Frameworks ---------------------------------------------------------

code=$(api GET /api/v1/frameworks)
check_status "frameworks list status" "$code" 200
check_json "frameworks list ids" "$API_BODY" '[.items[].id] | join(" ")' \
	"bio2 $ISO"
check_json "frameworks iso control count" "$API_BODY" \
	".items[] | select(.id == \"$ISO\") | .controls" 93
check_json "frameworks bio2 control count" "$API_BODY" \
	'.items[] | select(.id == "bio2") | .controls' 166
check_json "frameworks bio2 maps to iso" "$API_BODY" \
	'.items[] | select(.id == "bio2") | .maps_to' "$ISO"
check_json "frameworks iso maps to null" "$API_BODY" \
	".items[] | select(.id == \"$ISO\") | .maps_to" null

# --- ISO controls, paged through the API --------------------------------

if collect_pages "framework=$ISO" limit=10; then
	pass "iso pages all return 200"
else
	fail "iso pages all return 200"
fi
check_eq "iso paging page count" "$PAGE_COUNT" 10
check_eq "iso paging page sizes" "$PAGE_SIZES" "10 10 10 10 10 10 10 10 10 3 "
check_eq "iso paging item count" "$(wc -l <"$PAGES_FILE")" 93
check_eq "iso paging refs unique" \
	"$(jq -r .ref "$PAGES_FILE" | sort -u | wc -l)" 93
check_eq "iso paging only iso items" \
	"$(jq -r .framework "$PAGES_FILE" | sort -u)" "$ISO"
iso_refs=$(jq -r .ref "$PAGES_FILE")
check_eq "iso paging numeric order" "$iso_refs" "$(file_refs_sorted "$ISO_FILE")"
pos_5_2=$(grep -nx '5\.2' <<<"$iso_refs" | cut -d: -f1)
pos_5_10=$(grep -nx '5\.10' <<<"$iso_refs" | cut -d: -f1)
if [[ -n $pos_5_2 && -n $pos_5_10 ]] && ((pos_5_2 < pos_5_10)); then
	pass "iso order 5.2 before 5.10"
else
	fail "iso order 5.2 before 5.10" "5.2 at line '$pos_5_2', 5.10 at line '$pos_5_10'"
fi
pos_8_9=$(grep -nx '8\.9' <<<"$iso_refs" | cut -d: -f1)
pos_8_10=$(grep -nx '8\.10' <<<"$iso_refs" | cut -d: -f1)
if [[ -n $pos_8_9 && -n $pos_8_10 ]] && ((pos_8_9 < pos_8_10)); then
	pass "iso order 8.9 before 8.10"
else
	fail "iso order 8.9 before 8.10" "8.9 at line '$pos_8_9', 8.10 at line '$pos_8_10'"
fi

code=$(api GET "/api/v1/controls?framework=$ISO&limit=1000")
check_status "iso one large page status" "$code" 200
check_json "iso one large page items" "$API_BODY" '.items | length' 93
check_json "iso one large page next null" "$API_BODY" .next null

code=$(api GET "/api/v1/controls?framework=$ISO&limit=93")
check_json "iso exact page size next null" "$API_BODY" .next null

code=$(api GET "/api/v1/controls?framework=$ISO&limit=92")
check_json "iso page one short has next" "$API_BODY" '.next != null' true

code=$(api GET /api/v1/controls)
check_status "all frameworks default page status" "$code" 200
check_json "all frameworks default limit 100" "$API_BODY" '.items | length' 100
check_json "all frameworks default page has next" "$API_BODY" \
	'.next | type' string
check_json "all frameworks bio2 first" "$API_BODY" '.items[0].framework' bio2

if collect_pages limit=100; then
	pass "all frameworks pages return 200"
else
	fail "all frameworks pages return 200"
fi
check_eq "all frameworks item count" "$(wc -l <"$PAGES_FILE")" 259
check_eq "all frameworks page sizes" "$PAGE_SIZES" "100 100 59 "
check_eq "all frameworks catalogue order" \
	"$(jq -r '"\(.framework) \(.ref)"' "$PAGES_FILE")" \
	"$(file_refs_sorted "$BIO2_FILE" | sed 's/^/bio2 /'; file_refs_sorted "$ISO_FILE" | sed "s/^/$ISO /")"

# --- ISO controls per theme ---------------------------------------------

for pair in organizational:37 people:8 physical:14 technological:34; do
	theme=${pair%%:*}
	count=${pair##*:}
	code=$(api GET "/api/v1/controls?framework=$ISO&theme=$theme&limit=1000")
	check_status "theme $theme status" "$code" 200
	check_json "theme $theme count" "$API_BODY" '.items | length' "$count"
	check_json "theme $theme only matching" "$API_BODY" \
		"[.items[].theme] | unique | join(\" \")" "$theme"
done

# --- ismsctl controls list ----------------------------------------------

output=$(ctl controls list --all 2>&1)
status=$?
check_eq "ctl controls list --all exit status" "$status" 0
check_eq "ctl controls list --all rows" \
	"$(grep -cE '^[0-9]+\.[0-9]+ ' <<<"$output")" 93
check_eq "ctl controls list --all refs in order" \
	"$(grep -oE '^[0-9]+\.[0-9]+ ' <<<"$output" | tr -d ' ')" \
	"$(file_refs_sorted "$ISO_FILE")"
check_contains "ctl controls list --all shows title" \
	"$(grep -E '^5\.1 ' <<<"$output")" "Policies for information security"

ctl controls list --all --json --limit 10 >"$TEST_DIR/ctl.json" 2>"$TEST_DIR/ctl.err"
check_eq "ctl controls list --all --json exit status" "$?" 0
check_json "ctl controls list --all --json items" "$TEST_DIR/ctl.json" \
	'.items | length' 93
check_json "ctl controls list --all --json refs unique" "$TEST_DIR/ctl.json" \
	'[.items[].ref] | unique | length' 93

output=$(ctl controls list --framework bio2 --all --json 2>&1)
check_eq "ctl controls list bio2 --all items" \
	"$(jq '.items | length' <<<"$output" 2>&1)" 166

output=$(ctl controls list --theme people --all 2>&1)
check_eq "ctl controls list --theme people rows" \
	"$(grep -cE '^[0-9]+\.[0-9]+ ' <<<"$output")" 8

# --- BIO2 measure ids and their statuses --------------------------------

code=$(api GET '/api/v1/controls?framework=bio2&limit=1000')
check_status "bio2 list status" "$code" 200
check_json "bio2 list count" "$API_BODY" '.items | length' 166
check_eq "bio2 ids and statuses match catalogue" \
	"$(jq -r '.items[] | "\(.ref) \(.catalogue_status)"' "$API_BODY")" \
	"$(jq -r '.controls[] | "\(.ref) \(.status // "active")"' "$BIO2_FILE" | sort -V)"
check_json "bio2 active count" "$API_BODY" \
	'[.items[] | select(.catalogue_status == "active")] | length' 118
check_json "bio2 no_government_measure count" "$API_BODY" \
	'[.items[] | select(.catalogue_status == "no_government_measure")] | length' 39
check_json "bio2 moved count" "$API_BODY" \
	'[.items[] | select(.catalogue_status == "moved")] | length' 5
check_json "bio2 lapsed count" "$API_BODY" \
	'[.items[] | select(.catalogue_status == "lapsed")] | length' 4
check_json "bio2 active measures have soa" "$API_BODY" \
	'[.items[] | select(.catalogue_status == "active" and .soa == null)] | length' 0
check_json "bio2 inactive measures have no soa" "$API_BODY" \
	'[.items[] | select(.catalogue_status != "active" and .soa != null)] | length' 0
check_json "bio2 every measure names iso control" "$API_BODY" \
	'[.items[] | select(.iso_control == null)] | length' 0
check_json "bio2 moved 5.26.01 keeps moved_to" "$API_BODY" \
	'.items[] | select(.ref == "5.26.01") | .moved_to' 5.25.02

# --- One ISO control with its BIO2 measures ------------------------------

expected_measures="5.24.01 5.24.02 5.24.03 5.24.04 5.24.05 5.24.06 5.24.07 5.24.08"
code=$(api GET "/api/v1/controls/$ISO/5.24")
check_status "control 5.24 status" "$code" 200
check_json "control 5.24 ref" "$API_BODY" .ref 5.24
check_json "control 5.24 title" "$API_BODY" .title \
	"Information security incident management planning and preparation"
check_json "control 5.24 theme" "$API_BODY" .theme organizational
check_json "control 5.24 measure ids" "$API_BODY" \
	'[.measures[].ref] | join(" ")' "$expected_measures"
check_json "control 5.24 measures point back" "$API_BODY" \
	'[.measures[].iso_control] | unique | join(" ")' 5.24
check_json "control 5.24 measures are bio2" "$API_BODY" \
	'[.measures[].framework] | unique | join(" ")' bio2
check_json "control 5.24 moved measure 5.24.06" "$API_BODY" \
	'.measures[] | select(.ref == "5.24.06") | "\(.catalogue_status) \(.moved_to) \(.soa)"' \
	"moved 5.21.05 null"
check_json "control 5.24 soa entry present" "$API_BODY" '.soa.ref' 5.24
check_json "control 5.24 soa version 1" "$API_BODY" '.soa.version' 1
check_json "control 5.24 has no iso member" "$API_BODY" 'has("iso")' false
check_eq "control 5.24 etag" "$(api_header ETag)" '"v1"'

output=$(ctl controls show 5.24 2>&1)
check_eq "ctl controls show 5.24 exit status" "$?" 0
check_eq "ctl controls show 5.24 measure ids" \
	"$(grep -oE '^5\.24\.[0-9]+' <<<"$output" | tr '\n' ' ' | sed 's/ $//')" \
	"$expected_measures"
check_contains "ctl controls show 5.24 title" "$output" \
	"Information security incident management planning and preparation"

# --- One BIO2 measure with its ISO control -------------------------------

code=$(api GET /api/v1/controls/bio2/5.24.01)
check_status "measure 5.24.01 status" "$code" 200
check_json "measure 5.24.01 iso_control" "$API_BODY" .iso_control 5.24
check_json "measure 5.24.01 iso item ref" "$API_BODY" .iso.ref 5.24
check_json "measure 5.24.01 iso item framework" "$API_BODY" .iso.framework "$ISO"
check_json "measure 5.24.01 iso item title" "$API_BODY" .iso.title \
	"Information security incident management planning and preparation"
check_json "measure 5.24.01 has no measures member" "$API_BODY" \
	'has("measures")' false
check_json "measure 5.24.01 categories" "$API_BODY" '.categories | join(" ")' \
	"basishygiëne ketenhygiëne"

code=$(api GET /api/v1/controls/bio2/5.24.06)
check_status "moved measure 5.24.06 status" "$code" 200
check_json "moved measure 5.24.06 soa null" "$API_BODY" .soa null
check_json "moved measure 5.24.06 iso item" "$API_BODY" .iso.ref 5.24
check_eq "moved measure 5.24.06 no etag" "$(api_header ETag)" ""

output=$(ctl controls show 5.24.01 2>&1)
check_eq "ctl controls show 5.24.01 exit status" "$?" 0
check_contains "ctl controls show 5.24.01 framework" "$output" bio2
check_eq "ctl controls show 5.24.01 iso control row" \
	"$(grep -cE '^5\.24 ' <<<"$output")" 1

# --- Filters --------------------------------------------------------------

# SoA decisions for the status and applicable filters.
API_TOKEN_SAVED=$API_TOKEN
API_TOKEN=$ADMIN_TOKEN
code=$(api PATCH "/api/v1/soa/$ISO/5.10" -H 'Content-Type: application/json' \
	-H 'If-Match: "v1"' --data-binary '{"status":"implemented"}')
check_status "seed 5.10 implemented" "$code" 200
code=$(api PATCH "/api/v1/soa/$ISO/7.4" -H 'Content-Type: application/json' \
	-H 'If-Match: "v1"' \
	--data-binary '{"applicable":false,"justification":"No premises of our own"}')
check_status "seed 7.4 not applicable" "$code" 200
code=$(api PATCH /api/v1/soa/bio2/5.01.01 -H 'Content-Type: application/json' \
	-H 'If-Match: "v1"' --data-binary '{"status":"planned"}')
check_status "seed bio2 5.01.01 planned" "$code" 200
API_TOKEN=$API_TOKEN_SAVED

# Prints "ref ref ..." of GET /api/v1/controls with QUERY and limit=1000.
refs_of() {
	local code

	code=$(api GET "/api/v1/controls?$1&limit=1000")
	if [[ $code != 200 ]]; then
		printf 'HTTP %s' "$code"
		return
	fi
	jq -r '[.items[].ref] | join(" ")' "$API_BODY"
}

check_eq "filter framework bio2 count" \
	"$(refs_of framework=bio2 | wc -w)" 166
check_eq "filter status implemented" "$(refs_of status=implemented)" 5.10
check_eq "filter status planned" "$(refs_of status=planned)" 5.01.01
check_eq "filter status not_applicable" "$(refs_of status=not_applicable)" 7.4
check_eq "filter status not_started iso count" \
	"$(refs_of "framework=$ISO&status=not_started" | wc -w)" 91
check_eq "filter status partial empty" "$(refs_of status=partial)" ""
check_eq "filter applicable yes" "$(refs_of applicable=yes)" "5.01.01 5.10"
check_eq "filter applicable no" "$(refs_of applicable=no)" 7.4
check_eq "filter applicable undecided iso count" \
	"$(refs_of "framework=$ISO&applicable=undecided" | wc -w)" 91
check_eq "filter applicable undecided bio2 count" \
	"$(refs_of "framework=bio2&applicable=undecided" | wc -w)" 117
check_eq "filter catalogue_status moved" \
	"$(refs_of catalogue_status=moved)" \
	"5.04.02 5.04.03 5.24.06 5.25.01 5.26.01"
check_eq "filter catalogue_status lapsed" \
	"$(refs_of catalogue_status=lapsed)" "5.21.01 5.35.01 7.01.01 8.24.03"
check_eq "filter catalogue_status active bio2 count" \
	"$(refs_of "framework=bio2&catalogue_status=active" | wc -w)" 118
check_eq "filter catalogue_status no_government_measure count" \
	"$(refs_of "framework=bio2&catalogue_status=no_government_measure" | wc -w)" 39
check_eq "filter theme people iso" "$(refs_of "framework=$ISO&theme=people")" \
	"6.1 6.2 6.3 6.4 6.5 6.6 6.7 6.8"
check_eq "filter q title case-insensitive" \
	"$(refs_of "framework=$ISO&q=INCIDENTS")" "5.26 5.27"
check_eq "filter q title substring" "$(refs_of "framework=$ISO&q=incident")" \
	"5.24 5.26 5.27"
check_eq "filter q ref across frameworks" "$(refs_of q=5.24)" \
	"$expected_measures 5.24"
check_eq "filter q no match" "$(refs_of q=no-such-control-text)" ""
check_eq "filter combined theme and status" \
	"$(refs_of "framework=$ISO&theme=physical&status=not_applicable")" 7.4
check_eq "filter combined q and catalogue_status" \
	"$(refs_of "framework=bio2&q=5.24&catalogue_status=active" | wc -w)" 7
code=$(api GET "/api/v1/controls?framework=nist")
check_problem "filter unknown framework" "$code" 400 invalid-parameter \
	framework

# Paging keeps the filter: three pages of the 8 measures of 5.24.
if collect_pages framework=bio2 q=5.24. limit=3; then
	pass "filtered pages return 200"
else
	fail "filtered pages return 200"
fi
check_eq "filtered paging page sizes" "$PAGE_SIZES" "3 3 2 "
check_eq "filtered paging refs" \
	"$(jq -r .ref "$PAGES_FILE" | tr '\n' ' ' | sed 's/ $//')" "$expected_measures"

# --- Invalid query parameters ---------------------------------------------

while IFS='|' read -r query field; do
	code=$(api GET "/api/v1/controls?$query")
	check_problem "controls ?$query rejected" "$code" 400 invalid-parameter "$field"
done <<'EOF'
limit=0|limit
limit=1001|limit
limit=-5|limit
limit=ten|limit
limit=|limit
limit=10abc|limit
cursor=garbage|cursor
cursor=iso27001-2022~|cursor
cursor=iso27001-2022~5.x|cursor
cursor=ISO~5.1|cursor
theme=Organizational|theme
theme=space|theme
status=done|status
status=not%20started|status
catalogue_status=retired|catalogue_status
applicable=maybe|applicable
applicable=true|applicable
framework=ISO%2027001|framework
sort=ref|sort
EOF

long_q=$(printf 'a%.0s' {1..201})
code=$(api GET "/api/v1/controls?q=$long_q")
check_problem "controls q over 200 characters rejected" "$code" 400 \
	invalid-parameter q

code=$(api GET "/api/v1/controls?q=$(printf 'a%.0s' {1..200})")
check_status "controls q of 200 characters accepted" "$code" 200

output=$(ctl controls list --limit 0 2>&1)
check_eq "ctl controls list --limit 0 exit status" "$?" 2

# --- Content negotiation ---------------------------------------------------

for accept in application/json 'application/*' '*/*' \
	'text/html, application/json;q=0.9'; do
	code=$(api GET /api/v1/controls -H "Accept: $accept")
	check_status "controls Accept $accept" "$code" 200
done
code=$(api GET /api/v1/controls -H 'Accept: application/xml')
check_problem "controls Accept application/xml" "$code" 406 not-acceptable
code=$(api GET "/api/v1/controls/$ISO/5.1" -H 'Accept: text/csv')
check_problem "control Accept text/csv" "$code" 406 not-acceptable

# --- Request ids -----------------------------------------------------------

code=$(api GET /api/v1/frameworks)
check_eq "request id made by daemon" \
	"$(api_header X-Request-Id | grep -cE '^[A-Za-z0-9._-]{1,64}$')" 1
code=$(api GET /api/v1/frameworks -H 'X-Request-Id: catalogue-test.1_A')
check_eq "request id from client echoed" "$(api_header X-Request-Id)" \
	catalogue-test.1_A
code=$(api GET /api/v1/controls/$ISO/9.99 -H 'X-Request-Id: catalogue-missing')
check_eq "request id on error response" "$(api_header X-Request-Id)" \
	catalogue-missing
check_json "request id in problem body" "$API_BODY" .request_id catalogue-missing
code=$(api GET /api/v1/frameworks -H 'X-Request-Id: bad id with spaces')
check_ne "request id with spaces replaced" "$(api_header X-Request-Id)" \
	"bad id with spaces"
long_id=$(printf 'r%.0s' {1..65})
code=$(api GET /api/v1/frameworks -H "X-Request-Id: $long_id")
check_eq "request id over 64 characters replaced" \
	"$(api_header X-Request-Id | grep -cE '^[A-Za-z0-9._-]{1,64}$')" 1

# --- Unknown controls, routes and methods ---------------------------------

for path in "/api/v1/controls/$ISO/9.99" "/api/v1/controls/$ISO/5.24.01" \
	/api/v1/controls/bio2/5.24.99 /api/v1/controls/nist/5.1 \
	"/api/v1/controls/$ISO/abc" "/api/v1/controls/$ISO/5..1"; do
	code=$(api GET "$path")
	check_problem "GET ${path#/api/v1} not found" "$code" 404 not-found
done

output=$(ctl controls show 9.99 2>&1)
check_eq "ctl controls show 9.99 exit status" "$?" 4

for path in /api/v1/nothing /api/v1 /api/v2/controls "/api/v1/controls/$ISO" \
	"/api/v1/controls/$ISO/5.1/extra" /api/v1/controls/; do
	code=$(api GET "$path")
	check_problem "GET $path unknown route" "$code" 404 not-found
done

while IFS='|' read -r method path allow; do
	code=$(api "$method" "$path")
	check_problem "$method $path method not allowed" "$code" 405 \
		method-not-allowed
	check_eq "$method $path Allow header" "$(api_header Allow)" "$allow"
done <<EOF
POST|/api/v1/controls|GET, HEAD
DELETE|/api/v1/controls|GET, HEAD
PUT|/api/v1/controls/$ISO/5.1|GET, HEAD
PATCH|/api/v1/controls/$ISO/5.1|GET, HEAD
POST|/api/v1/frameworks|GET, HEAD
DELETE|/api/v1/soa/$ISO/5.1|GET, HEAD, PATCH
EOF

finish
