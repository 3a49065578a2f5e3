#!/usr/bin/env bash
# Measures ismsd's read throughput and latency with wrk against its own
# cluster and daemon, and PostgreSQL's select-only pgbench on the same
# cluster as the yardstick. Prints a table of figures and the machine,
# and never fails on speed. docs/benchmarks.md explains the figures.
#
# Environment:
#   BENCH_SECONDS       length of each run (default 10)
#   BENCH_CONNECTIONS   concurrent connections or clients (default 32)
#   BENCH_THREADS       wrk threads and pgbench worker threads (default 2)
set -uo pipefail

usage() {
	printf 'Usage: %s --build DIR\n' "${0##*/}"
}

build_dir=""
while (($# > 0)); do
	case $1 in
	--build)
		if (($# < 2)); then
			usage >&2
			exit 2
		fi
		build_dir=$2
		shift 2
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
done
if [[ -z $build_dir ]]; then
	usage >&2
	exit 2
fi
build_dir=$(realpath -m -- "$build_dir")
export ISMSD_BIN=$build_dir/ismsd ISMSCTL_BIN=$build_dir/ismsctl

# shellcheck source=tests/lib/common.sh
source "$(dirname -- "$0")/../lib/common.sh"

seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
bench_db=pgbench
endpoint_a=/api/v1/controls/iso27001-2022/5.24
endpoint_b="/api/v1/controls?framework=iso27001-2022&limit=100"

# Prints an error and ends the run. The EXIT trap stops what was started.
bench_fail() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	TEST_FINISHED=1
	exit 1
}

# Converts a wrk duration such as 812.00us, 1.25ms, 2.01s or 1.5m to
# milliseconds.
to_ms() {
	awk -v value="$1" 'BEGIN {
		n = value + 0; unit = value; sub(/^[0-9.]+/, "", unit)
		if (unit == "us") n /= 1000
		else if (unit == "s") n *= 1000
		else if (unit == "m") n *= 60000
		printf "%.2f", n }'
}

# Runs wrk against PATH and sets WRK_RPS, WRK_P50, WRK_P99 (ms) and
# WRK_ERRORS (non-2xx responses plus socket errors). The full output is
# kept in $TEST_DIR/wrk-NAME.txt.
run_wrk() {
	local name=$1 path=$2 out=$TEST_DIR/wrk-$1.txt

	if ! wrk --latency -c "$connections" -t "$threads" -d "${seconds}s" \
		-H "Authorization: Bearer $API_TOKEN" "$BASE_URL$path" \
		>"$out" 2>&1; then
		cat "$out" >&2
		bench_fail "wrk failed for $path"
	fi
	WRK_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	WRK_P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	WRK_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	WRK_ERRORS=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
		/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
		END { print n + 0 }' "$out")
}

# Prints the transactions per second of a pgbench output file.
pgbench_tps() {
	awk '/^tps = / { print $3; exit }' "$1"
}

# Prints the given percentile (0-100) in ms of the latencies (third
# column, microseconds) in pgbench's per-transaction logs.
pgbench_percentile() {
	local percentile=$1

	shift
	cat -- "$@" | awk '{ print $3 }' | sort -n |
		awk -v p="$percentile" '{ v[NR] = $1 }
			END { if (NR == 0) { print "-"; exit }
			      i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1
			      printf "%.2f", v[i] / 1000 }'
}

printf 'Setting up a cluster and ismsd (%s)...\n' "$build_dir"
test_cluster_start max_connections=200
test_certs
daemon_start "workers = 0" "log_level = info"
API_TOKEN=$(token admin bench) || bench_fail "ismsd token create failed"

# Both endpoints must work, or their figures would measure error pages.
for path in "$endpoint_a" "$endpoint_b"; do
	status=$(api GET "$path")
	[[ $status == 200 ]] || bench_fail "GET $path returned $status, expected 200"
done

printf 'Running wrk for %s s on %s...\n' "$seconds" "$endpoint_a"
run_wrk single "$endpoint_a"
a_rps=$WRK_RPS a_p50=$WRK_P50 a_p99=$WRK_P99 a_errors=$WRK_ERRORS
printf 'Running wrk for %s s on %s...\n' "$seconds" "$endpoint_b"
run_wrk list "$endpoint_b"
b_rps=$WRK_RPS b_p50=$WRK_P50 b_p99=$WRK_P99 b_errors=$WRK_ERRORS

# VmHWM is the peak resident set size since the daemon started.
peak_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null)
daemon_workers=$(grep -o 'with [0-9]* workers' "$DAEMON_LOG" | head -n 1)
daemon_stop_quietly

printf 'Running pgbench -S for %s s on the same cluster...\n' "$seconds"
isms_pg_create_database "$PG_SOCKET_DIR" "$bench_db" ||
	bench_fail "creating database $bench_db failed"
isms_make_owned_dir "$TEST_DIR/pgbench" 0700
pgbench=$ISMS_PG_BINDIR/pgbench
isms_as_daemon_user "$pgbench" -i -s 10 -q -h "$PG_SOCKET_DIR" -U ismsd \
	"$bench_db" >"$TEST_DIR/pgbench-init.txt" 2>&1 ||
	bench_fail "pgbench -i failed: $(tail -n 5 "$TEST_DIR/pgbench-init.txt")"
# One transaction in ten goes to the log for the percentiles.
isms_as_daemon_user "$pgbench" -S -c "$connections" -j "$threads" \
	-T "$seconds" -h "$PG_SOCKET_DIR" -U ismsd --log --sampling-rate=0.1 \
	--log-prefix="$TEST_DIR/pgbench/log" "$bench_db" \
	>"$TEST_DIR/pgbench.txt" 2>&1 ||
	bench_fail "pgbench -S failed: $(tail -n 5 "$TEST_DIR/pgbench.txt")"
pg_tps=$(awk -v n="$(pgbench_tps "$TEST_DIR/pgbench.txt")" \
	'BEGIN { printf "%.1f", n }')
pg_p50=$(pgbench_percentile 50 "$TEST_DIR"/pgbench/log*)
pg_p99=$(pgbench_percentile 99 "$TEST_DIR"/pgbench/log*)

ratio=$(awk -v a="$a_rps" -v b="$pg_tps" 'BEGIN {
	if (b > 0) printf "%.3f", a / b; else print "-" }')

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)

printf '\n'
printf 'ismsd read benchmark: wrk --latency -c %s -t %s -d %ss over TLS with keep-alive\n' \
	"$connections" "$threads" "$seconds"
printf '%-66s %10s %8s %8s %7s\n' endpoint requests/s "p50 ms" "p99 ms" errors
printf '%-66s %10s %8s %8s %7s\n' "(a) GET $endpoint_a" "$a_rps" "$a_p50" \
	"$a_p99" "$a_errors"
printf '%-66s %10s %8s %8s %7s\n' "(b) GET $endpoint_b" "$b_rps" "$b_p50" \
	"$b_p99" "$b_errors"
printf '%-66s %10s %8s %8s %7s\n' \
	"pgbench -S -c $connections -j $threads (tps)" "$pg_tps" "$pg_p50" \
	"$pg_p99" -
printf '\n'
printf '(a) / pgbench -S:      %s\n' "$ratio"
printf 'ismsd peak RSS:        %s MiB (VmHWM, %s)\n' \
	"$(awk -v k="${peak_kb:-0}" 'BEGIN { printf "%.1f", k / 1024 }')" \
	"${daemon_workers:-workers unknown}"
printf 'ismsd:                 %s (%s)\n' \
	"$("$ISMSD_BIN" --version 2>&1 | head -n 1)" "$build_dir"
printf 'PostgreSQL:            %s\n' \
	"$("$ISMS_PG_BINDIR/postgres" --version)"
printf 'machine:               %s, %s cores, %s, %s\n' "${cpu:-unknown CPU}" \
	"$(nproc)" "$memory" "$(uname -sr)"
if ((a_errors + b_errors > 0)); then
	printf '\nwarning: %s requests failed, so the figures above are not valid:\n' \
		"$((a_errors + b_errors))"
	cat -- "$TEST_DIR"/wrk-*.txt
fi

TEST_FINISHED=1
exit 0
