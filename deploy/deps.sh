#!/usr/bin/env bash
# Checks that everything needed to build, run, test and benchmark ismsd is
# installed: the libraries (through pkg-config), the compiler and build
# tools, the PostgreSQL server binaries, and the commands the scripts use.
# Prints nothing when all is there. When something is missing and the
# script runs as root on a Debian-based system, it installs the packages
# with apt-get. Otherwise it prints the apt-get command that installs them
# and exits 1.
set -euo pipefail

# Debian 12 package names for what is missing, and a description of each
# missing item for the messages.
missing_packages=()
missing_items=()

add_missing() {
	local item=$1 package

	shift
	missing_items+=("$item")
	for package in "$@"; do
		[[ " ${missing_packages[*]} " == *" $package "* ]] ||
			missing_packages+=("$package")
	done
}

check_command() {
	local name=$1

	shift
	command -v "$name" >/dev/null 2>&1 || add_missing "command $name" "$@"
}

check_module() {
	local module=$1

	shift
	if ! command -v pkg-config >/dev/null 2>&1 ||
		! pkg-config --exists "$module" 2>/dev/null; then
		add_missing "pkg-config module $module" "$@"
	fi
}

# Debian keeps the PostgreSQL server binaries in
# /usr/lib/postgresql/VERSION/bin, outside PATH.
check_postgres_binary() {
	local name=$1 dir

	shift
	for dir in /usr/lib/postgresql/*/bin; do
		[[ -x $dir/$name ]] && return 0
	done
	command -v "$name" >/dev/null 2>&1 ||
		add_missing "PostgreSQL program $name" "$@"
}

check_all() {
	missing_packages=()
	missing_items=()

	check_command cc build-essential
	check_command make build-essential
	check_command pkg-config pkg-config
	check_module libevent libevent-dev
	check_module libevent_openssl libevent-dev
	check_module libevent_pthreads libevent-dev
	check_module libpq libpq-dev
	check_module openssl libssl-dev
	check_module jansson libjansson-dev
	check_module libcurl libcurl4-openssl-dev
	check_postgres_binary initdb postgresql
	check_postgres_binary pg_ctl postgresql
	check_postgres_binary postgres postgresql
	check_postgres_binary psql postgresql
	check_postgres_binary pgbench postgresql postgresql-contrib
	check_command openssl openssl
	check_command curl curl
	# The tests read JSON with jq and CSV with python3, make check runs
	# cppcheck, and the benchmark needs wrk.
	check_command jq jq
	check_command python3 python3
	check_command cppcheck cppcheck
	check_command wrk wrk
	# setpriv, setsid and flock run PostgreSQL and the daemon as the
	# "ismsd" user, and timeout bounds each test suite.
	check_command setpriv util-linux
	check_command setsid util-linux
	check_command flock util-linux
	check_command timeout coreutils
	# libcurl verifies webhook servers against the system's CA list.
	[[ -f /etc/ssl/certs/ca-certificates.crt ]] ||
		add_missing "CA certificate list /etc/ssl/certs/ca-certificates.crt" \
			ca-certificates
}

report_missing() {
	local item

	printf '%s: missing:\n' "${0##*/}" >&2
	for item in "${missing_items[@]}"; do
		printf '  %s\n' "$item" >&2
	done
}

check_all
((${#missing_items[@]} == 0)) && exit 0

report_missing
if ((EUID != 0)) || ! command -v apt-get >/dev/null 2>&1; then
	printf 'Install them with:\n  sudo apt-get install -y --no-install-recommends %s\n' \
		"${missing_packages[*]}" >&2
	exit 1
fi

printf '%s: installing %s\n' "${0##*/}" "${missing_packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -q update
apt-get -q install -y --no-install-recommends "${missing_packages[@]}"

check_all
if ((${#missing_items[@]} > 0)); then
	report_missing
	printf '%s: still missing after apt-get install %s\n' "${0##*/}" \
		"${missing_packages[*]}" >&2
	exit 1
fi
