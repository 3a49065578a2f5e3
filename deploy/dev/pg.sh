# shellcheck shell=bash
# Functions that create, start and stop a private PostgreSQL cluster for
# the embedded default (deploy/dev/run.sh) and the integration tests
# (tests/lib/common.sh). Source this file from bash. It sets no shell
# options and defines only names that start with isms_ or ISMS_.
#
# The cluster listens on no TCP port, only on a Unix socket in a directory
# of mode 0700, so only its owner (and root) can connect. Trust
# authentication is safe for that reason alone: never give such a cluster
# a TCP listen address.
#
# PostgreSQL refuses to run as root. When these functions run as root,
# the cluster and the daemon run as the system user "ismsd", which
# isms_daemon_user_setup creates.

# The PostgreSQL role that owns the cluster and that the daemon connects
# as. It is a database role name and does not depend on the system user.
ISMS_PG_ROLE=ismsd

# A Unix socket path (sun_path) is at most 107 bytes long on Linux.
# PostgreSQL's socket is the directory plus "/.s.PGSQL.5432" (14 bytes),
# so a directory of at most 88 bytes leaves a margin.
ISMS_SOCKET_DIR_MAX=88

if ((EUID == 0)); then
	ISMS_DAEMON_USER=ismsd
	# setpriv replaces itself with the command. runuser stays as the
	# parent and kills the command with SIGKILL two seconds after it
	# forwards a SIGTERM, which would cut a clean shutdown short.
	ISMS_AS_DAEMON_USER=(setpriv --reuid=ismsd --regid=ismsd
		--init-groups --)
else
	ISMS_DAEMON_USER=$(id -un)
	ISMS_AS_DAEMON_USER=()
fi

# Prints an error line, prefixed with the program name, to stderr.
isms_error() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# Runs a command as the daemon user, from the root directory so that a
# working directory the user cannot enter does no harm. Paths given to
# the command must be absolute.
isms_as_daemon_user() {
	(cd / && exec "${ISMS_AS_DAEMON_USER[@]}" "$@")
}

# Creates the system user "ismsd" when running as root and it does not
# exist yet. Does nothing for other users, who run everything as
# themselves.
isms_daemon_user_setup() {
	((EUID == 0)) || return 0
	id -u "$ISMS_DAEMON_USER" >/dev/null 2>&1 && return 0
	if ! useradd --system --user-group --no-create-home \
		--home-dir /nonexistent --shell /usr/sbin/nologin \
		"$ISMS_DAEMON_USER"; then
		isms_error "creating system user \"$ISMS_DAEMON_USER\" failed"
		return 1
	fi
}

# Checks that the daemon user can reach PATH: every directory on the way
# must be searchable by that user, and PATH, if it exists, readable. On
# failure, names the first directory that is not and prints HINT as the
# fix. Always succeeds for a user other than root, who runs everything as
# themselves.
isms_check_reachable() {
	local path=$1 hint=$2 prefix="" part
	local -a parts

	((EUID == 0)) || return 0
	IFS=/ read -r -a parts <<<"${path#/}"
	for part in "${parts[@]}"; do
		[[ -n $part ]] || continue
		prefix+=/$part
		[[ -e $prefix ]] || return 0
		[[ -d $prefix ]] || continue
		if ! isms_as_daemon_user test -x "$prefix"; then
			isms_error "user \"$ISMS_DAEMON_USER\" cannot enter directory \"$prefix\", so it cannot reach \"$path\""
			printf '%s\n' "$hint" >&2
			return 1
		fi
	done
	if [[ -e $path ]] && ! isms_as_daemon_user test -r "$path"; then
		isms_error "user \"$ISMS_DAEMON_USER\" cannot read \"$path\""
		printf '%s\n' "$hint" >&2
		return 1
	fi
}

# Creates directory DIR (and its parents) with mode MODE, owned by the
# daemon user.
isms_make_owned_dir() {
	local dir=$1 mode=$2

	mkdir -p -- "$dir" || return 1
	chmod "$mode" -- "$dir" || return 1
	if ((EUID == 0)); then
		chown "$ISMS_DAEMON_USER:" -- "$dir" || return 1
	fi
}

# Sets ISMS_PG_BINDIR to the directory with the newest PostgreSQL server
# binaries: Debian keeps them in /usr/lib/postgresql/VERSION/bin, other
# systems in the directory that pg_config names or on PATH.
isms_pg_find_bindir() {
	local dir candidates

	[[ -n ${ISMS_PG_BINDIR:-} && -x ${ISMS_PG_BINDIR}/initdb ]] && return 0
	candidates=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t / -k 5 -V -r)
	if command -v pg_config >/dev/null; then
		candidates+=$'\n'$(pg_config --bindir 2>/dev/null)
	fi
	if command -v initdb >/dev/null; then
		candidates+=$'\n'$(dirname -- "$(command -v initdb)")
	fi
	while IFS= read -r dir; do
		if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then
			ISMS_PG_BINDIR=$dir
			return 0
		fi
	done <<<"$candidates"
	isms_error "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; run deploy/deps.sh"
	return 1
}

# Creates a cluster in DATADIR unless one is already there. With
# --no-sync, initdb does not wait for the files to reach the disk, which
# is faster and fine for a throwaway test cluster.
isms_pg_init() {
	local datadir=$1 output
	local -a options=(--auth=trust "--username=$ISMS_PG_ROLE" -E UTF8
		--no-instructions)

	shift
	[[ ${1:-} == --no-sync ]] && options+=(--no-sync)
	[[ -f $datadir/PG_VERSION ]] && return 0
	if [[ -d $datadir ]] && [[ -n $(ls -A -- "$datadir") ]]; then
		isms_error "directory \"$datadir\" is not empty but holds no PostgreSQL cluster; move it away or choose another directory"
		return 1
	fi
	isms_pg_find_bindir || return 1
	# C.UTF-8 gives lower() and ILIKE the case rules of all of Unicode,
	# but the plain C locale folds only ASCII letters.
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
		options+=(--locale=C.UTF-8)
	else
		options+=(--no-locale)
	fi
	isms_make_owned_dir "$datadir" 0700 || return 1
	if ! output=$(isms_as_daemon_user "$ISMS_PG_BINDIR/initdb" \
		-D "$datadir" "${options[@]}" 2>&1); then
		printf '%s\n' "$output" >&2
		isms_error "initdb failed for \"$datadir\""
		return 1
	fi
}

# Returns 0 when the postmaster of DATADIR is running.
isms_pg_is_running() {
	isms_pg_find_bindir || return 1
	isms_as_daemon_user "$ISMS_PG_BINDIR/pg_ctl" status -D "$1" \
		>/dev/null 2>&1
}

# Deals with a postmaster.pid left by an earlier run that did not stop
# PostgreSQL, for example because it was killed. A postmaster of this
# cluster that still runs is stopped, so that it restarts with the
# current settings. A file whose process id now belongs to another
# program is removed, because PostgreSQL would take that program for a
# running postmaster and refuse to start. A file whose process has gone
# is left alone: PostgreSQL replaces it by itself.
isms_pg_clear_stale() {
	local datadir=$1 pid cwd

	[[ -f $datadir/postmaster.pid ]] || return 0
	read -r pid <"$datadir/postmaster.pid" || return 0
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	[[ -d /proc/$pid ]] || return 0
	cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || cwd=""
	if [[ $cwd == "$(realpath -- "$datadir")" ]]; then
		printf '%s: PostgreSQL from an earlier run is still running (PID %s); stopping it\n' \
			"${0##*/}" "$pid" >&2
		isms_pg_stop "$datadir"
		return
	fi
	printf '%s: removing stale "%s/postmaster.pid": PID %s is not its PostgreSQL\n' \
		"${0##*/}" "$datadir" "$pid" >&2
	rm -f -- "$datadir/postmaster.pid"
}

# Starts the cluster in DATADIR with its Unix socket in SOCKETDIR (mode
# 0700, created if needed) and its log in LOGFILE, and waits until it
# accepts connections. Further arguments are "name=value" server settings,
# such as max_connections=200.
isms_pg_start() {
	local datadir=$1 socketdir=$2 logfile=$3 setting options

	shift 3
	isms_pg_find_bindir || return 1
	if ((${#socketdir} > ISMS_SOCKET_DIR_MAX)); then
		isms_error "socket directory \"$socketdir\" is longer than $ISMS_SOCKET_DIR_MAX bytes, too long for a Unix socket path; choose a shorter directory"
		return 1
	fi
	if [[ $datadir$socketdir$logfile == *[\'\\]* ]]; then
		isms_error "paths with a quote or backslash are not supported: \"$datadir\", \"$socketdir\", \"$logfile\""
		return 1
	fi
	isms_make_owned_dir "$socketdir" 0700 || return 1
	touch -- "$logfile" || return 1
	if ((EUID == 0)); then
		chown "$ISMS_DAEMON_USER:" -- "$logfile" || return 1
	fi
	isms_pg_clear_stale "$datadir" || return 1

	options="-c listen_addresses='' -k '$socketdir'"
	options+=" -c unix_socket_permissions=0700"
	for setting in "$@"; do
		options+=" -c '$setting'"
	done
	# pg_ctl puts the postmaster in a session of its own, so a Ctrl-C on
	# the terminal reaches the caller, which stops PostgreSQL last.
	if ! isms_as_daemon_user "$ISMS_PG_BINDIR/pg_ctl" start -D "$datadir" \
		-l "$logfile" -w -t 60 -o "$options" >/dev/null; then
		tail -n 20 -- "$logfile" >&2
		isms_error "PostgreSQL in \"$datadir\" did not start; its log is \"$logfile\""
		return 1
	fi
}

# Stops the cluster in DATADIR if it runs: fast shutdown, which rolls back
# open transactions and waits for the postmaster to exit.
isms_pg_stop() {
	local datadir=$1

	isms_pg_is_running "$datadir" || return 0
	if ! isms_as_daemon_user "$ISMS_PG_BINDIR/pg_ctl" stop -D "$datadir" \
		-m fast -w -t 60 >/dev/null; then
		isms_error "stopping PostgreSQL in \"$datadir\" failed"
		return 1
	fi
}

# Runs psql against database DBNAME through SOCKETDIR, without reading
# ~/.psqlrc, stopping at the first error. Further arguments go to psql.
isms_psql() {
	local socketdir=$1 dbname=$2

	shift 2
	isms_pg_find_bindir || return 1
	isms_as_daemon_user "$ISMS_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 \
		-h "$socketdir" -U "$ISMS_PG_ROLE" -d "$dbname" "$@"
}

# Creates database DBNAME in the cluster behind SOCKETDIR unless it
# exists.
isms_pg_create_database() {
	local socketdir=$1 dbname=$2 found

	if [[ ! $dbname =~ ^[a-z_][a-z0-9_]*$ ]]; then
		isms_error "invalid database name \"$dbname\""
		return 1
	fi
	found=$(isms_psql "$socketdir" postgres -At -c \
		"SELECT 1 FROM pg_database WHERE datname = '$dbname'") || return 1
	[[ $found == 1 ]] && return 0
	if ! isms_psql "$socketdir" postgres -c "CREATE DATABASE $dbname"; then
		isms_error "creating database \"$dbname\" failed"
		return 1
	fi
}

# Prints the libpq connection string for DBNAME through SOCKETDIR.
isms_pg_conninfo() {
	printf 'host=%s dbname=%s user=%s\n' "$1" "$2" "$ISMS_PG_ROLE"
}
