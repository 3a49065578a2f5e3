#!/usr/bin/env bash
# Runs every test suite with the binaries of --build: the unit test
# binaries DIR/tests/test_*, then the integration scripts
# tests/integration/*.sh in name order. With --asan-build, it then runs
# all of them again with the sanitizer build. Each suite ends its output
# with "N passed, N failed".
# This script adds those up and ends with one such line for the whole run.
# A suite that ends without its count line (a crash, a timeout) counts as
# one failure, as does one that exits non-zero but counted no failure.
# Exits 0 only when nothing failed.
#
# Environment:
#   ISMSD_SUITE_TIMEOUT  seconds one suite may run before it is stopped
#                        (default 300)
set -uo pipefail

usage() {
	printf 'Usage: %s --build DIR [--asan-build DIR]\n' "${0##*/}"
}

build_dir=""
asan_dir=""
while (($# > 0)); do
	case $1 in
	--build | --asan-build)
		if (($# < 2)); then
			usage >&2
			exit 2
		fi
		if [[ $1 == --build ]]; then
			build_dir=$2
		else
			asan_dir=$2
		fi
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

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
export REPO_ROOT
cd -- "$REPO_ROOT" || exit 1
build_dir=$(realpath -m -- "$build_dir")
[[ -z $asan_dir ]] || asan_dir=$(realpath -m -- "$asan_dir")
suite_timeout=${ISMSD_SUITE_TIMEOUT:-300}

output_dir=$(mktemp -d) || exit 1
trap 'rm -rf -- "$output_dir"' EXIT

total_passed=0
total_failed=0
failed_suites=()
count_pattern='^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed(, [0-9]+ skipped)?$'

# Runs one suite, showing its output as it comes, and adds its counts.
run_suite() {
	local label=$1 output line passed=0 failed=0 status=0

	shift
	output=$output_dir/suite.out
	printf '\n=== %s ===\n' "$label"
	timeout -k 10 "$suite_timeout" "$@" 2>&1 </dev/null | tee "$output"
	status=${PIPESTATUS[0]}
	line=$(grep -E "$count_pattern" "$output" | tail -n 1)
	if [[ $line =~ $count_pattern ]]; then
		passed=${BASH_REMATCH[2]}
		failed=${BASH_REMATCH[3]}
	fi
	if [[ -z $line ]]; then
		failed=$((failed + 1))
		if ((status == 124 || status == 137)); then
			printf '*** %s: stopped after %s s without a count line\n' \
				"$label" "$suite_timeout"
		else
			printf '*** %s: ended (status %s) without a count line\n' \
				"$label" "$status"
		fi
	elif ((status != 0 && failed == 0)); then
		failed=1
		printf '*** %s: exited with status %s but counted no failure\n' \
			"$label" "$status"
	fi
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + failed))
	((failed == 0)) || failed_suites+=("$label: $failed failed")
}

# Runs the unit binaries and integration scripts of the build in DIR. TAG
# goes before each suite's name.
run_build() {
	local dir=$1 tag=$2 unit script found=0

	export ISMSD_BIN=$dir/ismsd ISMSCTL_BIN=$dir/ismsctl
	for unit in "$dir"/tests/test_*; do
		[[ -f $unit && -x $unit ]] || continue
		found=1
		run_suite "${tag}unit ${unit##*/}" "$unit"
	done
	if ((!found)); then
		printf '\n=== %sunit ===\nno unit test binaries in %s/tests\n' \
			"$tag" "$dir"
	fi
	for script in tests/integration/*.sh; do
		[[ -f $script ]] || continue
		run_suite "${tag}integration ${script##*/}" bash "$script"
	done
}

run_build "$build_dir" ""

if [[ -n $asan_dir ]]; then
	# Every sanitizer error aborts with a stack trace, so the suite
	# fails. The integration scripts also fail on a report in the
	# daemon's log.
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1:print_stacktrace=1:strict_string_checks=1:check_initialization_order=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-abort_on_error=1:halt_on_error=1:print_stacktrace=1}
	# The sanitizer build starts more slowly.
	export ISMSD_READY_TIMEOUT=${ISMSD_READY_TIMEOUT:-40}
	run_build "$asan_dir" "asan "
fi

printf '\n=== summary ===\n'
for line in "${failed_suites[@]}"; do
	printf 'FAILED %s\n' "$line"
done
printf '%s passed, %s failed\n' "$total_passed" "$total_failed"
((total_failed == 0))
