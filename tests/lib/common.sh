# shellcheck shell=bash
# Helpers for the integration tests, sourced by each tests/integration/*.sh.
# A script gets a private temporary directory, starts its own PostgreSQL
# cluster, certificates and daemon with the real set-up code in
# deploy/dev, counts its checks, and ends with `finish`, which prints
# "N passed, N failed". Everything it started is stopped when it exits,
# also after a failure or a signal.
#
# Environment, set by tests/run.sh (the defaults suit a run from the
# repository):
#   ISMSD_BIN, ISMSCTL_BIN  the binaries under test (default: build/)
#   REPO_ROOT               the repository
#   ISMSD_TEST_KEEP=1       keep the temporary directory for inspection
#   ISMSD_READY_TIMEOUT     seconds to wait for /readyz (default 20)

REPO_ROOT=${REPO_ROOT:-$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)}
ISMSD_BIN=${ISMSD_BIN:-$REPO_ROOT/build/ismsd}
ISMSCTL_BIN=${ISMSCTL_BIN:-$REPO_ROOT/build/ismsctl}
ISMSD_READY_TIMEOUT=${ISMSD_READY_TIMEOUT:-20}
export REPO_ROOT ISMSD_BIN ISMSCTL_BIN

# shellcheck source=deploy/dev/pg.sh
source "$REPO_ROOT/deploy/dev/pg.sh"
# shellcheck source=deploy/dev/certs.sh
source "$REPO_ROOT/deploy/dev/certs.sh"

TESTS_PASSED=0
TESTS_FAILED=0
TEST_FINISHED=0
TEST_NAME=${0##*/}

# A short path under /tmp keeps the PostgreSQL socket path within the
# Unix limit.
TEST_DIR=$(mktemp -d /tmp/ismsd-test.XXXXXX) || exit 1
if ((EUID == 0)); then
	isms_daemon_user_setup || exit 1
	chown "$ISMS_DAEMON_USER:" "$TEST_DIR" || exit 1
fi

PG_DATA=$TEST_DIR/pg
PG_SOCKET_DIR=$TEST_DIR/run
PG_LOG=$TEST_DIR/postgresql.log
PG_STARTED=0
DATABASE_NAME=ismsd
CERT_DIR=$TEST_DIR/certs
CA_FILE=$CERT_DIR/ca.pem
DAEMON_CONF=$TEST_DIR/ismsd.conf
DAEMON_LOG=$TEST_DIR/ismsd.log
DAEMON_PID=""
DAEMON_PORT=""
BASE_URL=""
API_TOKEN=""
API_BODY=$TEST_DIR/response.body
API_HEADERS=$TEST_DIR/response.headers
# Catalogue directory that the daemon loads. It is a copy when the daemon
# user cannot read the repository (see test_stage_files).
CONTROLS_DIR=$REPO_ROOT/controls

# Prints the last lines of FILE, indented, as diagnostics.
show_tail() {
	local file=$1 lines=${2:-30}

	[[ -s $file ]] || return 0
	printf '#   --- last lines of %s ---\n' "$file"
	# A JSON body is often one long line without a final newline.
	tail -n "$lines" -- "$file" | awk '{ print "#   " substr($0, 1, 800) }'
}

# Prints each argument as one diagnostic line.
diag() {
	local line

	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

pass() {
	TESTS_PASSED=$((TESTS_PASSED + 1))
	printf 'ok - %s\n' "$1"
}

# Counts a failed check NAME and prints further arguments as reasons.
fail() {
	TESTS_FAILED=$((TESTS_FAILED + 1))
	printf 'not ok - %s\n' "$1"
	shift
	diag "$@"
}

check_eq() {
	local name=$1 got=$2 expected=$3

	if [[ $got == "$expected" ]]; then
		pass "$name"
	else
		fail "$name" "got:      \"$got\"" "expected: \"$expected\""
	fi
}

check_ne() {
	local name=$1 got=$2 unexpected=$3

	if [[ $got != "$unexpected" ]]; then
		pass "$name"
	else
		fail "$name" "got \"$got\", which it must not be"
	fi
}

# Passes when TEXT contains the fixed string NEEDLE.
check_contains() {
	local name=$1 text=$2 needle=$3

	if [[ $text == *"$needle"* ]]; then
		pass "$name"
	else
		fail "$name" "missing: \"$needle\"" "in: \"${text:0:600}\""
	fi
}

check_not_contains() {
	local name=$1 text=$2 needle=$3

	if [[ $text != *"$needle"* ]]; then
		pass "$name"
	else
		fail "$name" "unexpected: \"$needle\"" "in: \"${text:0:600}\""
	fi
}

# Compares an HTTP status code and shows the response body on a mismatch.
check_status() {
	local name=$1 got=$2 expected=$3

	if [[ $got == "$expected" ]]; then
		pass "$name"
	else
		fail "$name" "HTTP status $got, expected $expected"
		show_tail "$API_BODY" 10
	fi
}

# Evaluates the jq filter FILTER on the JSON in FILE and compares its raw
# output (strings without quotes, other values as JSON) with EXPECTED.
check_json() {
	local name=$1 file=$2 filter=$3 expected=$4 got

	if ! got=$(jq -r "$filter" <"$file" 2>&1); then
		fail "$name" "jq filter $filter failed: $got"
		show_tail "$file" 10
		return
	fi
	if [[ $got == "$expected" ]]; then
		pass "$name"
	else
		fail "$name" "$filter is \"$got\", expected \"$expected\""
	fi
}

# Passes when the permission bits of FILE, in octal, are MODE (e.g. 600).
check_mode() {
	local name=$1 file=$2 expected=$3 got

	got=$(stat -c %a -- "$file" 2>&1) || got="(no file: $got)"
	check_eq "$name" "$got" "$expected"
}

# Runs a command and passes when it exits 0. Otherwise shows its output.
check_cmd() {
	local name=$1 output status=0

	shift
	output=$("$@" 2>&1) || status=$?
	if ((status == 0)); then
		pass "$name"
	else
		fail "$name" "command exited with status $status: $*"
		printf '%s\n' "$output" | tail -n 15 | sed 's/^/#   /'
	fi
}

# Fails when FILE contains an AddressSanitizer, LeakSanitizer or
# UndefinedBehaviorSanitizer report.
check_no_sanitizer_report() {
	local name=$1 file=$2 report

	report=$(grep -n -m 5 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer' \
		-- "$file" 2>/dev/null)
	if [[ -z $report ]]; then
		pass "$name"
	else
		fail "$name" "sanitizer report in $file:"
		show_tail "$file" 60
	fi
}

# Counts a failed check and ends the script at once, for a step that the
# remaining checks depend on.
fatal() {
	fail "$@"
	finish
}

# Prints the count line and exits: 0 when every check passed, 1 otherwise.
finish() {
	TEST_FINISHED=1
	daemon_stop_quietly
	if [[ -s $DAEMON_LOG ]]; then
		check_no_sanitizer_report "no sanitizer report from ismsd" \
			"$DAEMON_LOG"
	fi
	printf '%s passed, %s failed\n' "$TESTS_PASSED" "$TESTS_FAILED"
	((TESTS_FAILED == 0)) && exit 0
	exit 1
}

# Stops what the script started and removes the temporary directory. A
# script that starts more than the daemon and the cluster defines
# test_on_exit to stop it, and that function runs first.
# shellcheck disable=SC2317 # called through trap
test_cleanup() {
	local status=$?

	trap - EXIT INT TERM HUP
	if declare -F test_on_exit >/dev/null; then
		test_on_exit
	fi
	if ((!TEST_FINISHED)); then
		printf '# %s ended before finish (status %s)\n' "$TEST_NAME" \
			"$status"
		show_tail "$DAEMON_LOG" 20
		((status != 0)) || status=1
	fi
	daemon_stop_quietly
	if ((PG_STARTED)); then
		isms_pg_stop "$PG_DATA" || true
	fi
	if [[ ${ISMSD_TEST_KEEP:-0} == 1 ]]; then
		printf '# kept %s\n' "$TEST_DIR"
	else
		rm -rf -- "$TEST_DIR"
	fi
	exit "$status"
}
trap test_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Makes the daemon binary and the catalogues reachable for the daemon
# user. When root runs the tests, the daemon runs as "ismsd", which cannot
# enter a repository under a private directory such as /root. In that
# case the binaries and catalogues are copied into the temporary directory.
test_stage_files() {
	if [[ ! -x $ISMSD_BIN || ! -x $ISMSCTL_BIN ]]; then
		diag "$ISMSD_BIN or $ISMSCTL_BIN not found; build them with make"
		return 1
	fi
	((EUID == 0)) || return 0
	if isms_as_daemon_user test -x "$ISMSD_BIN" &&
		isms_as_daemon_user test -r "$REPO_ROOT/controls"; then
		return 0
	fi
	diag "user $ISMS_DAEMON_USER cannot reach $REPO_ROOT; using copies in $TEST_DIR"
	mkdir -p "$TEST_DIR/bin" || return 1
	cp -- "$ISMSD_BIN" "$ISMSCTL_BIN" "$TEST_DIR/bin/" || return 1
	cp -R -- "$REPO_ROOT/controls" "$TEST_DIR/controls" || return 1
	chmod -R a+rX -- "$TEST_DIR/bin" "$TEST_DIR/controls" || return 1
	ISMSD_BIN=$TEST_DIR/bin/${ISMSD_BIN##*/}
	ISMSCTL_BIN=$TEST_DIR/bin/${ISMSCTL_BIN##*/}
	CONTROLS_DIR=$TEST_DIR/controls
}

# Creates and starts a new cluster with an empty database "ismsd". The
# daemon applies the migrations. Arguments are PostgreSQL settings such as
# max_connections=200.
test_cluster_start() {
	isms_pg_init "$PG_DATA" --no-sync || fatal "cluster created"
	PG_STARTED=1
	isms_pg_start "$PG_DATA" "$PG_SOCKET_DIR" "$PG_LOG" "$@" ||
		fatal "cluster started"
	isms_pg_create_database "$PG_SOCKET_DIR" "$DATABASE_NAME" ||
		fatal "database created"
}

# Runs psql on the test database with the given arguments.
test_psql() {
	isms_psql "$PG_SOCKET_DIR" "$DATABASE_NAME" "$@"
}

test_certs() {
	isms_certs_create "$CERT_DIR" || fatal "certificates created"
}

# Prints a TCP port on 127.0.0.1 that no socket uses at the moment. It
# is drawn below Linux's default ephemeral range (32768-60999), where
# outgoing connections take their ports.
free_port() {
	local port used tries

	used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null)
	for ((tries = 0; tries < 100; tries++)); do
		port=$((10000 + RANDOM % 22000))
		if ! grep -qix "$(printf '%04X' "$port")" <<<"$used"; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	printf '%s\n' "$port"
}

# Writes the daemon configuration. Each argument is one "key = value"
# line, which replaces the default line with the same key.
daemon_config() {
	local line key existing i
	local -a lines=(
		"listen_address = 127.0.0.1"
		"listen_port = $DAEMON_PORT"
		"workers = 2"
		"tls_cert_file = $CERT_DIR/server.pem"
		"tls_key_file = $CERT_DIR/server.key"
		"database = $(isms_pg_conninfo "$PG_SOCKET_DIR" "$DATABASE_NAME")"
		"controls_dir = $CONTROLS_DIR"
		"log_level = debug"
		"log_target = stderr"
	)

	[[ -n $DAEMON_PORT ]] || DAEMON_PORT=$(free_port)
	lines[1]="listen_port = $DAEMON_PORT"
	for line in "$@"; do
		key=${line%%=*}
		key=${key//[[:space:]]/}
		for i in "${!lines[@]}"; do
			existing=${lines[i]%%=*}
			existing=${existing//[[:space:]]/}
			[[ $existing != "$key" ]] || unset 'lines[i]'
		done
		lines+=("$line")
	done
	printf '%s\n' "${lines[@]}" >"$DAEMON_CONF"
	chmod 0644 "$DAEMON_CONF"
	BASE_URL=https://127.0.0.1:$DAEMON_PORT
}

# Starts the daemon in the background with the given configuration lines
# and waits until /readyz returns 200. Ends the script with the log tail
# when it does not. Sets DAEMON_PID and BASE_URL.
daemon_start() {
	local i code

	test_stage_files || fatal "ismsd and ismsctl usable by user $ISMS_DAEMON_USER"
	if (($# > 0)) || [[ ! -s $DAEMON_CONF ]]; then
		daemon_config "$@"
	fi
	printf '# starting ismsd on %s\n' "$BASE_URL" >>"$DAEMON_LOG"
	(cd / && exec setsid "${ISMS_AS_DAEMON_USER[@]}" "$ISMSD_BIN" -d \
		-f "$DAEMON_CONF") </dev/null >>"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	for ((i = 0; i < ISMSD_READY_TIMEOUT * 10; i++)); do
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			wait "$DAEMON_PID"
			code=$?
			DAEMON_PID=""
			show_tail "$DAEMON_LOG"
			fatal "ismsd starts" "ismsd exited with status $code before it was ready"
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			--cacert "$CA_FILE" "$BASE_URL/readyz" 2>/dev/null)
		[[ $code == 200 ]] && return 0
		sleep 0.1
	done
	show_tail "$DAEMON_LOG"
	fatal "ismsd starts" "no 200 from $BASE_URL/readyz within $ISMSD_READY_TIMEOUT s (last status $code)"
}

# Prints the state letter of process PID (R, S, Z, ...), or nothing
# when there is no such process.
process_state() {
	local line

	read -r line 2>/dev/null <"/proc/$1/stat" || return 0
	# The command name in brackets may contain spaces, so the state is
	# the first field after the closing bracket.
	line=${line##*) }
	printf '%s\n' "${line%% *}"
}

# Waits up to SECONDS for PID, a child of this shell, to exit. Sets
# EXIT_STATUS to its exit status, or to "timeout" after killing it.
wait_for_exit() {
	local pid=$1 seconds=$2 i state

	EXIT_STATUS=0
	for ((i = 0; i < seconds * 10; i++)); do
		state=$(process_state "$pid")
		[[ -z $state || $state == Z ]] && break
		sleep 0.1
	done
	state=$(process_state "$pid")
	if [[ -n $state && $state != Z ]]; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		EXIT_STATUS=timeout
		return
	fi
	wait "$pid" 2>/dev/null || EXIT_STATUS=$?
}

# Stops the daemon with SIGTERM and checks that it exits 0 within 20 s and
# left no sanitizer report in its log.
daemon_stop() {
	[[ -n $DAEMON_PID ]] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait_for_exit "$DAEMON_PID" 20
	DAEMON_PID=""
	check_eq "ismsd stops cleanly on SIGTERM" "$EXIT_STATUS" 0
	[[ $EXIT_STATUS == 0 ]] || show_tail "$DAEMON_LOG"
}

# Stops the daemon, if it runs, without counting a check.
daemon_stop_quietly() {
	[[ -n $DAEMON_PID ]] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait_for_exit "$DAEMON_PID" 20
	DAEMON_PID=""
}

# Stops the daemon and starts it again, with new configuration lines if
# any are given.
daemon_restart() {
	daemon_stop
	daemon_start "$@"
}

# Creates an API token with role ROLE and name NAME and prints it.
token() {
	local role=$1 name=$2

	[[ -s $DAEMON_CONF ]] || daemon_config
	isms_as_daemon_user "$ISMSD_BIN" token create --role "$role" \
		--name "$name" -f "$DAEMON_CONF" 2>>"$DAEMON_LOG"
}

# Sends METHOD PATH to the daemon with curl and the token in API_TOKEN
# (none when empty), writes the body to API_BODY and the headers to
# API_HEADERS, and prints the HTTP status code (000 when no response
# came). Further arguments go to curl, e.g. -H 'If-Match: "v1"' or
# --data-binary @file.
api() {
	local method=$1 path=$2
	local -a auth=()

	shift 2
	[[ -n $API_TOKEN ]] && auth=(-H "Authorization: Bearer $API_TOKEN")
	: >"$API_BODY"
	: >"$API_HEADERS"
	curl -s --max-time 20 --cacert "$CA_FILE" -X "$method" "${auth[@]}" \
		-o "$API_BODY" -D "$API_HEADERS" -w '%{http_code}' "$@" \
		"$BASE_URL$path"
}

# Prints the value of response header NAME from the last api call.
api_header() {
	local name=$1

	tr -d '\r' <"$API_HEADERS" |
		awk -v name="$name" '
			tolower($0) ~ "^" tolower(name) ":" {
				sub(/^[^:]*:[ \t]*/, ""); print; exit }'
}

# Checks that the last api call returned an RFC 9457 problem with HTTP
# status EXPECTED, problem type TYPE (after urn:ismsd:problem:) and, when
# FIELD is not empty, that field. CODE is the status that api printed.
check_problem() {
	local name=$1 code=$2 expected=$3 type=$4 field=${5:-}

	check_status "$name: status" "$code" "$expected"
	check_contains "$name: content type" "$(api_header Content-Type)" \
		application/problem+json
	check_json "$name: problem type" "$API_BODY" .type \
		"urn:ismsd:problem:$type"
	if [[ -n $field ]]; then
		check_json "$name: field" "$API_BODY" .field "$field"
	fi
}

# Runs ismsctl against the daemon with the CA file and API_TOKEN.
ctl() {
	ISMS_URL=$BASE_URL ISMS_CACERT=$CA_FILE ISMS_TOKEN=$API_TOKEN \
		"$ISMSCTL_BIN" "$@"
}
