#!/usr/bin/env bash
# Restarts and start-up checks. SoA changes survive a restart, and a
# restart against the same database leaves the catalogue and the SoA as
# they were. A database with a newer schema is rejected. `ismsd -n` names
# the invalid setting and its line, and SIGTERM stops the daemon with
# status 0.

# shellcheck source=tests/lib/common.sh
source "${REPO_ROOT:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}/tests/lib/common.sh"

ISO=iso27001-2022

# Prints one line per table with its row count and a digest of all its
# rows, so that any changed, added or removed row changes the output.
# framework.loaded_at is left out: every start sets it.
snapshot() {
	test_psql -At <<'EOF'
SELECT 'control ' || count(*) || ' ' || md5(string_agg(c::text, E'\n' ORDER BY framework_id, ref)) FROM control c;
SELECT 'soa_entry ' || count(*) || ' ' || md5(string_agg(s::text, E'\n' ORDER BY framework_id, ref)) FROM soa_entry s;
SELECT 'control_mapping ' || count(*) || ' ' || md5(string_agg(m::text, E'\n' ORDER BY from_framework, from_ref, to_framework, to_ref)) FROM control_mapping m;
SELECT 'framework ' || count(*) || ' ' || md5(string_agg(concat_ws('|', id, name, version, published, maps_to, source), E'\n' ORDER BY id)) FROM framework;
SELECT 'schema_migrations ' || count(*) || ' ' || md5(string_agg(m::text, E'\n' ORDER BY version)) FROM schema_migrations m;
SELECT 'audit_log ' || count(*) || ' ' || md5(string_agg(encode(hash, 'hex'), E'\n' ORDER BY seq)) FROM audit_log;
EOF
}

# Prints the value of COLUMN ("count" or "digest") for TABLE from a
# snapshot text.
snapshot_field() {
	local text=$1 table=$2 column=$3

	awk -v table="$table" -v column="$column" '$1 == table {
		print (column == "count" ? $2 : $3) }' <<<"$text"
}

# Writes configuration file FILE: the running configuration with LINE
# inserted as line NUMBER. Prints nothing.
config_with_line() {
	local file=$1 number=$2 line=$3

	awk -v number="$number" -v line="$line" 'NR == number { print line }
		{ print } END { if (NR < number) print line }' "$DAEMON_CONF" >"$file"
	chmod 0644 "$file"
}

# Runs `ismsd -n -f FILE` as the daemon user and prints its output.
config_check() {
	isms_as_daemon_user "$ISMSD_BIN" -n -f "$1" 2>&1
}

test_cluster_start
test_certs
daemon_start
API_TOKEN=$(token ciso restart-ciso) || fatal "ciso token created"

# --- SoA changes survive a restart -----------------------------------------------

justification="Kept across restarts"
output=$(ctl soa set 5.1 --status implemented --justification "$justification" \
	--owner CISO --evidence https://intranet.example/policy.pdf 2>&1)
check_eq "ctl soa set 5.1 exit status" "$?" 0
output=$(ctl soa set 5.01.01 --applicable no --justification "Out of scope" 2>&1)
check_eq "ctl soa set bio2 5.01.01 exit status" "$?" 0
code=$(api GET "/api/v1/soa/$ISO/5.1")
entry_before=$(jq -S . "$API_BODY")

snapshot_before=$(snapshot)
check_eq "snapshot has catalogue rows" \
	"$(snapshot_field "$snapshot_before" control count)" 259
check_eq "snapshot has soa entries" \
	"$(snapshot_field "$snapshot_before" soa_entry count)" 211

daemon_restart
check_contains "log shows SIGTERM" "$(cat "$DAEMON_LOG")" "received SIGTERM"
check_contains "log shows stop" "$(cat "$DAEMON_LOG")" "ismsd stopped"

code=$(api GET "/api/v1/soa/$ISO/5.1")
check_status "entry 5.1 after restart status" "$code" 200
check_json "entry 5.1 after restart status value" "$API_BODY" .status implemented
check_json "entry 5.1 after restart justification" "$API_BODY" .justification \
	"$justification"
check_json "entry 5.1 after restart evidence" "$API_BODY" '.evidence[0]' \
	https://intranet.example/policy.pdf
check_json "entry 5.1 after restart version" "$API_BODY" .version 2
check_eq "entry 5.1 after restart etag" "$(api_header ETag)" '"v2"'
check_eq "entry 5.1 after restart unchanged" "$(jq -S . "$API_BODY")" "$entry_before"
code=$(api GET /api/v1/soa/bio2/5.01.01)
check_json "measure 5.01.01 after restart status" "$API_BODY" .status not_applicable
output=$(ctl soa show 5.1 2>&1)
check_contains "ctl soa show after restart" "$output" "$justification"

# --- A restart leaves catalogue and SoA rows as they were -----------------

snapshot_after=$(snapshot)
for table in control soa_entry control_mapping framework schema_migrations audit_log; do
	check_eq "restart keeps $table count" \
		"$(snapshot_field "$snapshot_after" "$table" count)" \
		"$(snapshot_field "$snapshot_before" "$table" count)"
	check_eq "restart keeps $table rows" \
		"$(snapshot_field "$snapshot_after" "$table" digest)" \
		"$(snapshot_field "$snapshot_before" "$table" digest)"
done
check_eq "restart applies no migration again" \
	"$(grep -c 'applied migration' "$DAEMON_LOG")" \
	"$(test_psql -At -c 'SELECT count(*) FROM schema_migrations')"
check_eq "restart keeps soa versions" \
	"$(test_psql -At -c 'SELECT sum(version) FROM soa_entry')" 213

code=$(api GET /readyz)
check_status "readyz after restart" "$code" 200
check_json "readyz reports ready" "$API_BODY" .status ready
check_json "readyz reports schema version" "$API_BODY" .schema_version \
	"$(test_psql -At -c 'SELECT max(version) FROM schema_migrations')"

code=$(api GET /api/v1/frameworks)
check_json "restart keeps iso control count" "$API_BODY" \
	".items[] | select(.id == \"$ISO\") | .controls" 93
check_json "restart keeps bio2 control count" "$API_BODY" \
	'.items[] | select(.id == "bio2") | .controls' 166

daemon_restart
check_eq "second restart keeps soa entries" \
	"$(snapshot_field "$(snapshot)" soa_entry digest)" \
	"$(snapshot_field "$snapshot_before" soa_entry digest)"

# --- A schema newer than the daemon's migrations -----------------------------------

daemon_stop
latest=$(test_psql -At -c 'SELECT max(version) FROM schema_migrations')
test_psql -c "INSERT INTO schema_migrations (version, name)
	VALUES (999, 'added_by_a_newer_ismsd')" ||
	fatal "schema version 999 inserted"
snapshot_newer=$(snapshot)

newer_log=$TEST_DIR/newer-schema.log
(cd / && exec timeout 60 "${ISMS_AS_DAEMON_USER[@]}" "$ISMSD_BIN" -d \
	-f "$DAEMON_CONF") </dev/null >"$newer_log" 2>&1
status=$?
check_ne "newer schema exit status non-zero" "$status" 0
check_ne "newer schema exits before timeout" "$status" 124
check_contains "newer schema message names version" "$(cat "$newer_log")" \
	"version 999"
check_contains "newer schema message names known version" "$(cat "$newer_log")" \
	"($latest)"
check_contains "newer schema message advises upgrade" "$(cat "$newer_log")" \
	"upgrade ismsd"
check_not_contains "newer schema does not listen" "$(cat "$newer_log")" \
	"listening on"
check_eq "newer schema leaves database" "$(snapshot)" "$snapshot_newer"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$CA_FILE" \
	"$BASE_URL/healthz")
check_eq "newer schema nothing listening" "$code" 000

output=$(isms_as_daemon_user "$ISMSD_BIN" token create --role admin \
	--name restart-newer -f "$DAEMON_CONF" 2>&1)
check_ne "newer schema token create fails" "$?" 0

test_psql -c 'DELETE FROM schema_migrations WHERE version = 999' ||
	fatal "schema version 999 removed"
daemon_start
code=$(api GET "/api/v1/soa/$ISO/5.1")
check_status "start after removing version 999" "$code" 200
check_json "entry 5.1 after rejected start" "$API_BODY" .version 2

# --- ismsd -n -----------------------------------------------------------------------

output=$(config_check "$DAEMON_CONF")
check_eq "ismsd -n valid config exit status" "$?" 0
check_contains "ismsd -n valid config message" "$output" valid

bad=$TEST_DIR/bad.conf
while IFS='|' read -r name number line expected; do
	config_with_line "$bad" "$number" "$line"
	output=$(config_check "$bad")
	status=$?
	check_eq "ismsd -n $name exit status" "$status" 1
	check_contains "ismsd -n $name names line" "$output" "$bad line $number"
	check_contains "ismsd -n $name names setting" "$output" "$expected"
done <<'EOF'
port out of range|3|listen_port = 99999|listen_port
port not a number|2|listen_port = https|listen_port
workers negative|4|workers = -1|workers
body size too small|5|max_body_size = 10|max_body_size
timeout zero|6|request_timeout = 0|request_timeout
log level unknown|7|log_level = loud|log_level
log target unknown|8|log_target = file|log_target
unknown setting|1|listen_prot = 8443|listen_prot
missing equals sign|9|token_cache_seconds 10|token_cache_seconds
unbalanced quote|2|pid_file = "/run/ismsd.pid|pid_file
EOF

grep -v '^tls_cert_file' "$DAEMON_CONF" >"$bad"
output=$(config_check "$bad")
check_eq "ismsd -n missing tls_cert_file exit status" "$?" 1
check_contains "ismsd -n missing tls_cert_file named" "$output" tls_cert_file

sed "s|^tls_key_file.*|tls_key_file = $TEST_DIR/no-such.key|" "$DAEMON_CONF" >"$bad"
output=$(config_check "$bad")
check_eq "ismsd -n missing key file exit status" "$?" 1
check_contains "ismsd -n missing key file named" "$output" "$TEST_DIR/no-such.key"

output=$(config_check "$TEST_DIR/no-such.conf")
check_eq "ismsd -n missing file exit status" "$?" 1
check_contains "ismsd -n missing file named" "$output" "$TEST_DIR/no-such.conf"

check_eq "ismsd -n leaves daemon running" \
	"$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA_FILE" \
		"$BASE_URL/healthz")" 200

# --- SIGTERM --------------------------------------------------------------------------

# An idle TLS connection must not hold up the shutdown. The coprocess
# keeps its standard input open until it is killed.
# shellcheck disable=SC2034 # IDLE_CLIENT names the coprocess's pipes.
coproc IDLE_CLIENT {
	exec openssl s_client -connect "127.0.0.1:$DAEMON_PORT" -quiet \
		>/dev/null 2>&1
}
idle_pid=$IDLE_CLIENT_PID
sleep 0.5
started=$(date +%s%N)
daemon_stop
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
if ((elapsed_ms < 5000)); then
	pass "SIGTERM with idle connection stops within 5 s"
else
	fail "SIGTERM with idle connection stops within 5 s" "took $elapsed_ms ms"
fi
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null
check_eq "log shows stop after SIGTERM" \
	"$(grep -c 'ismsd stopped' "$DAEMON_LOG")" 4

finish
