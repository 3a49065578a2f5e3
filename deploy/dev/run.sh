#!/usr/bin/env bash
# Runs ismsd with everything it needs on this machine (the embedded
# default behind `make run`): a private PostgreSQL cluster reached only
# through a Unix socket, a development CA and server certificate, and an
# admin token. All state lives under the --var directory and is reused by
# the next run, so nothing is initialised twice. The daemon runs in the
# foreground. SIGINT (Ctrl-C), SIGTERM or SIGHUP stops the daemon and then
# PostgreSQL, and the script exits 0.
#
# Layout of the --var directory:
#   pg/                 PostgreSQL cluster
#   run/                its Unix socket (mode 0700)
#   dev/ca.pem, ca.key  development CA
#   dev/server.pem, server.key
#   dev/ismsd.conf      daemon configuration, rewritten at every start
#   dev/admin.token     admin API token (mode 0600), created once
#   log/postgresql.log  PostgreSQL's log (the daemon logs to stderr)
set -euo pipefail

usage() {
	cat <<EOF
Usage: ${0##*/} --build DIR --var DIR --port N [--controls DIR]

  --build DIR     directory with the ismsd and ismsctl binaries
  --var DIR       directory for the cluster, certificates, token and logs
  --port N        TCP port for HTTPS on 127.0.0.1 (1-65535)
  --controls DIR  catalogue directory (default: the repository's controls/)
EOF
}

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=deploy/dev/pg.sh
source "$repo_root/deploy/dev/pg.sh"
# shellcheck source=deploy/dev/certs.sh
source "$repo_root/deploy/dev/certs.sh"

die() {
	isms_error "$@"
	exit 1
}

build_dir=""
var_dir=""
port=""
controls_dir="$repo_root/controls"
while (($# > 0)); do
	case $1 in
	--build | --var | --port | --controls)
		(($# >= 2)) || die "option $1 needs a value"
		case $1 in
		--build) build_dir=$2 ;;
		--var) var_dir=$2 ;;
		--port) port=$2 ;;
		--controls) controls_dir=$2 ;;
		esac
		shift 2
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		usage >&2
		die "unknown argument \"$1\""
		;;
	esac
done
[[ -n $build_dir && -n $var_dir && -n $port ]] || {
	usage >&2
	exit 2
}
if [[ ! $port =~ ^[0-9]{1,5}$ ]] || ((port < 1 || port > 65535)); then
	die "invalid port \"$port\": expected a number from 1 to 65535"
fi

build_dir=$(realpath -m -- "$build_dir")
var_dir=$(realpath -m -- "$var_dir")
controls_dir=$(realpath -m -- "$controls_dir")
ismsd=$build_dir/ismsd
ismsctl=$build_dir/ismsctl
[[ -x $ismsd && -x $ismsctl ]] ||
	die "\"$ismsd\" or \"$ismsctl\" not found; build them with make"
[[ -d $controls_dir ]] || die "catalogue directory \"$controls_dir\" not found"
# The paths go unquoted into the configuration file and the libpq
# connection string.
for path in "$build_dir" "$var_dir" "$controls_dir"; do
	[[ $path != *[[:space:]\'\"\\]* ]] ||
		die "path \"$path\" contains a space, quote or backslash; choose another directory"
done

conf=$var_dir/dev/ismsd.conf
token_file=$var_dir/dev/admin.token
ca_file=$var_dir/dev/ca.pem
socket_dir=$var_dir/run
url=https://127.0.0.1:$port
daemon_pid=""
pg_started=0
stop_requested=0
temporary_socket_dir=0

# Stops the daemon (if it still runs) and PostgreSQL on every exit, also
# after an error.
# shellcheck disable=SC2317 # called through trap
cleanup() {
	local status=$? waited=0

	trap - INT TERM HUP
	if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null || true
		while kill -0 "$daemon_pid" 2>/dev/null && ((waited < 300)); do
			sleep 0.1
			waited=$((waited + 1))
		done
		if kill -0 "$daemon_pid" 2>/dev/null; then
			isms_error "ismsd (PID $daemon_pid) did not stop within 30 s; killing it"
			kill -KILL "$daemon_pid" 2>/dev/null || true
		fi
	fi
	if ((pg_started)); then
		isms_pg_stop "$var_dir/pg" || status=1
	fi
	if ((temporary_socket_dir)); then
		rm -rf -- "$socket_dir"
	fi
	exit "$status"
}
trap cleanup EXIT

# A stop signal before the daemon runs ends the script at once. Once the
# daemon runs, it is asked to stop and the main loop below waits for it.
# shellcheck disable=SC2317 # called through trap
on_stop_signal() {
	stop_requested=$((stop_requested + 1))
	if [[ -z $daemon_pid ]]; then
		isms_error "interrupted"
		exit 1
	fi
	if ((stop_requested > 1)); then
		kill -KILL "$daemon_pid" 2>/dev/null || true
	else
		kill -TERM "$daemon_pid" 2>/dev/null || true
	fi
}
trap on_stop_signal INT TERM HUP

isms_daemon_user_setup || exit 1
hint="PostgreSQL and ismsd run as user \"$ISMS_DAEMON_USER\" when started by root. Use a var directory that every user can enter, for example: make run VARDIR=/var/tmp/ismsd"
isms_check_reachable "$var_dir/pg" "$hint" || exit 1
hint="PostgreSQL and ismsd run as user \"$ISMS_DAEMON_USER\" when started by root. Put the repository in a directory that every user can enter (such as /srv or /opt), or run make run as an ordinary user."
isms_check_reachable "$ismsd" "$hint" || exit 1
isms_check_reachable "$controls_dir" "$hint" || exit 1

# Creates the var directory for the daemon user. An existing one keeps its
# owner and mode, because it may be a shared directory such as /var/tmp.
if [[ ! -d $var_dir ]]; then
	mkdir -p -- "$var_dir"
	isms_make_owned_dir "$var_dir" 0700
fi

# Two runs on one var directory would share one cluster and token, so a
# lock is held until this script exits. PostgreSQL and the daemon start
# with the lock's descriptor closed, so a PostgreSQL left running by a
# killed run does not hold the lock.
exec 9>>"$var_dir/.run.lock"
flock -n 9 || die "another deploy/dev/run.sh is using \"$var_dir\""

isms_make_owned_dir "$var_dir/log" 0700
isms_certs_create "$var_dir/dev" 9>&- || exit 1
isms_pg_init "$var_dir/pg" 9>&- || exit 1

if ((${#socket_dir} > ISMS_SOCKET_DIR_MAX)); then
	# The var path is too long for a Unix socket path: use a short
	# directory of its own for this run.
	socket_dir=$(mktemp -d /tmp/ismsd-pg.XXXXXX)
	temporary_socket_dir=1
fi
pg_started=1
isms_pg_start "$var_dir/pg" "$socket_dir" "$var_dir/log/postgresql.log" \
	9>&- || exit 1
isms_pg_create_database "$socket_dir" ismsd || exit 1

# Rewritten at every start so that a new port or path takes effect.
(
	umask 022
	cat >"$conf.tmp" <<EOF
# Written by deploy/dev/run.sh at every start, so changes here are lost.
listen_address = 127.0.0.1
listen_port = $port
tls_cert_file = $var_dir/dev/server.pem
tls_key_file = $var_dir/dev/server.key
database = $(isms_pg_conninfo "$socket_dir" ismsd)
controls_dir = $controls_dir
log_level = info
log_target = stderr
EOF
)
((EUID != 0)) || chown "$ISMS_DAEMON_USER:" -- "$conf.tmp"
mv -f -- "$conf.tmp" "$conf"
isms_as_daemon_user "$ismsd" -n -f "$conf" >/dev/null 9>&- ||
	die "ismsd rejected the configuration \"$conf\""

# Returns 0 when the database already has an API token named NAME.
token_name_exists() {
	local found

	found=$(isms_psql "$socket_dir" ismsd -At -c \
		"SELECT to_regclass('public.api_token') IS NOT NULL") || return 1
	[[ $found == t ]] || return 1
	found=$(isms_psql "$socket_dir" ismsd -At -c \
		"SELECT count(*) FROM api_token WHERE name = '$1'") || return 1
	[[ $found != 0 ]]
}

# Creates the admin token file unless it exists. When the token file of
# a var directory was deleted, a token named "admin" is still in the
# database, so the new token gets a name with the time in it.
if [[ ! -s $token_file ]]; then
	token_name="admin"
	if token_name_exists admin; then
		token_name=admin-$(date -u +%Y%m%d%H%M%S)
	fi
	token=$(isms_as_daemon_user "$ismsd" token create --role admin \
		--name "$token_name" -f "$conf" 9>&-) ||
		die "ismsd token create failed"
	[[ $token =~ ^isms_[A-Za-z0-9_-]{43}$ ]] ||
		die "ismsd token create printed no token of the form isms_ and 43 base64url characters"
	(umask 077 && printf '%s\n' "$token" >"$token_file.tmp")
	((EUID != 0)) || chown "$ISMS_DAEMON_USER:" -- "$token_file.tmp"
	mv -f -- "$token_file.tmp" "$token_file"
	unset token
	printf '%s: created admin token "%s" in %s\n' "${0##*/}" "$token_name" \
		"$token_file" >&2
fi

# The daemon gets a session of its own, so a Ctrl-C on the terminal
# reaches only this script, which then stops the daemon and PostgreSQL in
# that order.
(cd / && exec setsid "${ISMS_AS_DAEMON_USER[@]}" "$ismsd" -d -f "$conf") \
	</dev/null 9>&- &
daemon_pid=$!

# Waits up to 60 s for /readyz, which returns 200 once the daemon has
# applied the migrations and loaded the catalogues.
ready=0
for ((i = 0; i < 300; i++)); do
	kill -0 "$daemon_pid" 2>/dev/null || break
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
		--cacert "$ca_file" "$url/readyz" 2>/dev/null) || true
	if [[ $code == 200 ]]; then
		ready=1
		break
	fi
	sleep 0.2
done

# Prints PATH relative to the current directory when it lies inside it.
relative() {
	if [[ $1 == "$PWD"/* ]]; then
		printf '%s\n' "${1#"$PWD"/}"
	else
		printf '%s\n' "$1"
	fi
}

if ((ready)); then
	cat <<EOF

ismsd is running at $url (Ctrl-C stops it)
  CA certificate: $(relative "$ca_file")
  admin token:    $(relative "$token_file")
Try:
  ISMS_URL=$url ISMS_CACERT=$(relative "$ca_file") ISMS_TOKEN_FILE=$(relative "$token_file") $(relative "$ismsctl") controls list

EOF
elif ((stop_requested == 0)) && kill -0 "$daemon_pid" 2>/dev/null; then
	isms_error "ismsd did not become ready at $url/readyz within 60 s; stopping it"
	exit 1
fi

# Waits for the daemon to exit. A trapped signal interrupts `wait` with a
# status above 128, and the next `wait` collects the daemon's own status.
while :; do
	signals_seen=$stop_requested
	status=0
	wait "$daemon_pid" || status=$?
	if ((stop_requested != signals_seen)); then
		continue
	fi
	break
done
daemon_pid=""

if ((status != 0)); then
	isms_error "ismsd exited with status $status"
	exit "$status"
fi
exit 0
