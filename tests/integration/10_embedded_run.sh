#!/usr/bin/env bash
# The embedded default: deploy/dev/run.sh (what `make run` calls) sets up
# a cluster, certificates and an admin token, and prints a banner whose
# command works. It stops cleanly on SIGINT and reuses everything on the
# next run, also after a run that was killed and left PostgreSQL running.
set -uo pipefail
# shellcheck source=tests/lib/common.sh
source "$(dirname -- "$0")/../lib/common.sh"

test_stage_files || fatal "ismsd and ismsctl usable by user $ISMS_DAEMON_USER"
build_dir=$(dirname -- "$ISMSD_BIN")
var_dir=$TEST_DIR/var
run_pid=""
run_number=0
run_out=""
run_err=""
# run.sh waits up to 60 s for the daemon, and set-up takes time as well.
banner_timeout=$((ISMSD_READY_TIMEOUT * 3 + 30))

# Stops a run.sh that is still running when the script ends early.
# shellcheck disable=SC2317 # called from test_cleanup
test_on_exit() {
	if [[ -n $run_pid ]] && kill -0 "$run_pid" 2>/dev/null; then
		kill -TERM "$run_pid" 2>/dev/null
		wait_for_exit "$run_pid" 40
	fi
	isms_pg_stop "$var_dir/pg" 2>/dev/null || true
}

# Starts run.sh in the background from TEST_DIR, so that the banner shows
# paths relative to it. A background job of a script ignores SIGINT, so
# env --default-signal restores the default action, as in an interactive
# shell.
run_start() {
	local port=$1

	run_number=$((run_number + 1))
	run_out=$TEST_DIR/run$run_number.out
	run_err=$TEST_DIR/run$run_number.err
	(cd "$TEST_DIR" && exec env --default-signal=INT \
		"$REPO_ROOT/deploy/dev/run.sh" --build "$build_dir" \
		--var "$var_dir" --port "$port" --controls "$CONTROLS_DIR") \
		</dev/null >"$run_out" 2>"$run_err" &
	run_pid=$!
}

# Waits until the banner's command line appears, or ends the script.
run_wait_banner() {
	local i

	for ((i = 0; i < banner_timeout * 10; i++)); do
		grep -q '^  ISMS_URL=' "$run_out" 2>/dev/null && return 0
		if ! kill -0 "$run_pid" 2>/dev/null; then
			show_tail "$run_err"
			fatal "run $run_number prints the banner" \
				"deploy/dev/run.sh exited before printing the banner"
		fi
		sleep 0.1
	done
	show_tail "$run_err"
	fatal "run $run_number prints the banner" "no banner within $banner_timeout s"
}

# Stops run.sh with SIGNAL and checks that it and PostgreSQL stopped.
run_stop() {
	local signal=$1

	kill -"$signal" "$run_pid"
	wait_for_exit "$run_pid" 40
	run_pid=""
	check_eq "run $run_number exits 0 on SIG$signal" "$EXIT_STATUS" 0
	[[ $EXIT_STATUS == 0 ]] || show_tail "$run_err"
	check_cmd "run $run_number stops PostgreSQL" \
		test ! -e "$var_dir/pg/postmaster.pid"
	check_eq "run $run_number stops ismsd" \
		"$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			--cacert "$CA_FILE" "$BASE_URL/healthz")" 000
	check_no_sanitizer_report "run $run_number has no sanitizer report" \
		"$run_err"
}

# Prints the process ids of the children of PID.
child_pids() {
	local stat line state parent

	for stat in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$stat" || continue
		read -r state parent _ <<<"${line##*) }"
		[[ $parent == "$1" && $state != Z ]] && printf '%s\n' "${line%% *}"
	done
}

# Runs ismsctl with the settings that the banner prints, from TEST_DIR.
banner_ctl() {
	(cd "$TEST_DIR" && ISMS_URL=$BASE_URL ISMS_CACERT=var/dev/ca.pem \
		ISMS_TOKEN_FILE=var/dev/admin.token "$ISMSCTL_BIN" "$@")
}

CA_FILE=$var_dir/dev/ca.pem

# First run: everything is created.
port=$(free_port)
BASE_URL=https://127.0.0.1:$port
run_start "$port"
run_wait_banner
banner=$(cat "$run_out")
check_contains "banner shows the URL" "$banner" "https://127.0.0.1:$port"
check_contains "banner shows the CA path" "$banner" \
	"CA certificate: var/dev/ca.pem"
check_contains "banner shows the token path" "$banner" \
	"admin token:    var/dev/admin.token"
try_line=$(grep -m 1 '^  ISMS_URL=' "$run_out")
check_contains "banner command lists controls" "$try_line" "controls list"
check_contains "banner command uses the CA" "$try_line" \
	"ISMS_CACERT=var/dev/ca.pem"
check_contains "banner command uses the token file" "$try_line" \
	"ISMS_TOKEN_FILE=var/dev/admin.token"
check_contains "run 1 creates the admin token" "$(cat "$run_err")" \
	'created admin token "admin"'

check_mode "token file has mode 0600" "$var_dir/dev/admin.token" 600
check_mode "server key has mode 0600" "$var_dir/dev/server.key" 600
check_mode "socket directory has mode 0700" "$var_dir/run" 700
if ((EUID == 0)); then
	check_eq "cluster belongs to the daemon user" \
		"$(stat -c %U "$var_dir/pg")" "$ISMS_DAEMON_USER"
fi
token_first=$(head -n 1 "$var_dir/dev/admin.token")
check_cmd "token file holds a token" \
	grep -Eq '^isms_[A-Za-z0-9_-]{43}$' "$var_dir/dev/admin.token"
check_eq "PostgreSQL listens on no TCP address" \
	"$(isms_psql "$var_dir/run" ismsd -At -c 'SHOW listen_addresses')" ""

output=$(cd "$TEST_DIR" && bash -c "$try_line" 2>&1)
status=$?
check_eq "banner command exits 0" "$status" 0
check_contains "banner command lists control 5.24" "$output" "5.24"

check_cmd "soa set 5.1 in run 1" banner_ctl soa set 5.1 \
	--status implemented --justification "Policy approved"

run_stop INT

# Second run on another port: the data, certificates and token are
# reused, and the configuration follows the new port.
port=$(free_port)
BASE_URL=https://127.0.0.1:$port
run_start "$port"
run_wait_banner
check_contains "run 2 banner shows the new port" "$(cat "$run_out")" \
	"https://127.0.0.1:$port"
check_contains "run 2 configuration has the new port" \
	"$(cat "$var_dir/dev/ismsd.conf")" "listen_port = $port"
check_not_contains "run 2 creates no token" "$(cat "$run_err")" \
	"created admin token"
check_eq "run 2 keeps the token file" \
	"$(head -n 1 "$var_dir/dev/admin.token")" "$token_first"

API_TOKEN=$token_first
status=$(api GET /api/v1/soa/iso27001-2022/5.1)
check_status "run 2 admin token still works" "$status" 200
check_json "run 2 keeps the SoA status" "$API_BODY" .status implemented
check_json "run 2 keeps the justification" "$API_BODY" .justification \
	"Policy approved"
output=$(banner_ctl soa show 5.1 2>&1)
check_contains "run 2 soa show 5.1 via ismsctl" "$output" "implemented"

# A killed run leaves PostgreSQL running, which the next run must stop
# and restart. A deleted token file gets a new token under a new name.
daemon_children=$(child_pids "$run_pid")
kill -KILL "$run_pid"
wait "$run_pid" 2>/dev/null
run_pid=""
for pid in $daemon_children; do
	kill -KILL "$pid" 2>/dev/null
done
check_cmd "PostgreSQL survives a killed run" \
	test -e "$var_dir/pg/postmaster.pid"
rm -f -- "$var_dir/dev/admin.token"

port=$(free_port)
BASE_URL=https://127.0.0.1:$port
run_start "$port"
run_wait_banner
check_contains "run 3 stops the left-over PostgreSQL" "$(cat "$run_err")" \
	"PostgreSQL from an earlier run is still running"
check_contains "run 3 names the new token uniquely" "$(cat "$run_err")" \
	'created admin token "admin-'
check_mode "run 3 token file has mode 0600" "$var_dir/dev/admin.token" 600
API_TOKEN=$(head -n 1 "$var_dir/dev/admin.token")
check_ne "run 3 token is new" "$API_TOKEN" "$token_first"
status=$(api GET /api/v1/soa/iso27001-2022/5.1)
check_status "run 3 new admin token works" "$status" 200
check_json "run 3 keeps the SoA status" "$API_BODY" .status implemented

run_stop TERM
finish
