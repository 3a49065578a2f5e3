#!/usr/bin/env bash
# ismsd catalogue import-text: measure texts from a Markdown file reach the
# API and ismsctl after a restart, the import is audited, and bad files
# change nothing.

# shellcheck source=tests/lib/common.sh
source "${REPO_ROOT:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}/tests/lib/common.sh"

# Runs "ismsd catalogue import-text" with the given arguments as the user
# that runs the daemon; output goes to IMPORT_OUT.
import_text() {
	isms_as_daemon_user "$ISMSD_BIN" catalogue import-text "$@" \
		-f "$DAEMON_CONF" >"$IMPORT_OUT" 2>&1
}

# Writes stdin to FILE, readable by the daemon's user.
write_file() {
	cat >"$1" && chmod 0644 "$1"
}

IMPORT_OUT=$TEST_DIR/import.out
test_cluster_start
test_certs
daemon_start
API_TOKEN=$(token admin import-admin) || fatal "admin token created"

write_file "$TEST_DIR/measures.md" <<'MD'
# DEEL 2 MAATREGELEN
Introduction.

## 5.01.01
Het informatiebeveiligingsbeleid is vastgesteld.<br><br>
Tweede alinea.
### Toelichting
Een subkop hoort bij de tekst.

## 5.01.02
Jaarlijkse beoordeling.
## 9.99.99
Geen maatregel in de catalogus.
MD
import_text --framework bio2 "$TEST_DIR/measures.md"
check_eq "import exit status" "$?" 0
check_contains "import stored two texts" "$(cat "$IMPORT_OUT")" \
	"stored 2 measure texts"
check_contains "import names the unknown heading" "$(cat "$IMPORT_OUT")" \
	"9.99.99"

daemon_restart
code=$(api GET /api/v1/controls/bio2/5.01.01)
check_status "imported measure status" "$code" 200
check_json "imported measure title" "$API_BODY" .title \
	"Het informatiebeveiligingsbeleid is vastgesteld."
check_json "imported text keeps the subheading" "$API_BODY" \
	'.text | contains("### Toelichting\nEen subkop")' true
check_json "imported text line breaks" "$API_BODY" \
	'.text | contains("vastgesteld.\n\nTweede")' true
output=$(ctl controls show 5.01.01 2>&1)
check_contains "ctl controls show prints the text" "$output" "Tweede alinea."
code=$(api GET "/api/v1/audit?action=catalogue.import_text")
check_json "import audited" "$API_BODY" '.items | length' 1
check_json "import audit counts" "$API_BODY" '.items[0].after.updated' 2

# Bad files and arguments change nothing.
before=$(test_psql -At -c "SELECT md5(string_agg(coalesce(body, ''), '|' ORDER BY ref)) FROM control")
printf '## 5.01.01\ntext\0more\n## 5.01.02\nx\n' >"$TEST_DIR/nul.md"
chmod 0644 "$TEST_DIR/nul.md"
import_text --framework bio2 "$TEST_DIR/nul.md"
check_eq "NUL byte exit status" "$?" 1
check_contains "NUL byte message" "$(cat "$IMPORT_OUT")" "NUL"
write_file "$TEST_DIR/twice.md" <<'MD'
## 5.01.01
eerste
## 5.01.01
tweede
MD
import_text --framework bio2 "$TEST_DIR/twice.md"
check_eq "repeated heading exit status" "$?" 1
check_contains "repeated heading message" "$(cat "$IMPORT_OUT")" \
	"more than once"
import_text --framework nist "$TEST_DIR/measures.md"
check_eq "unknown framework exit status" "$?" 1
check_contains "unknown framework message" "$(cat "$IMPORT_OUT")" \
	"not loaded"
import_text --framework BIO2 "$TEST_DIR/measures.md"
check_eq "upper-case framework exit status" "$?" 2
write_file "$TEST_DIR/empty.md" </dev/null
import_text --framework bio2 "$TEST_DIR/empty.md"
check_eq "empty file exit status" "$?" 1
import_text --framework bio2 "$TEST_DIR"
check_eq "directory exit status" "$?" 1
after=$(test_psql -At -c "SELECT md5(string_agg(coalesce(body, ''), '|' ORDER BY ref)) FROM control")
check_eq "failed imports change nothing" "$after" "$before"

# Loading the catalogue files again keeps the imported texts.
daemon_restart
code=$(api GET /api/v1/controls/bio2/5.01.02)
check_json "text kept after catalogue reload" "$API_BODY" .text \
	"Jaarlijkse beoordeling."

finish
