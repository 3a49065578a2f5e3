#!/usr/bin/env bash
# TLS settings of the HTTPS listener, probed with openssl s_client. The
# listener must accept TLS 1.3 and 1.2 with ECDHE and AEAD suites and the
# X25519 and P-256 groups. It must reject TLS 1.1 and 1.0, CBC and static
# RSA suites, the ffdhe2048 group and client renegotiation, use no
# compression, and present an ECDSA P-256 certificate.

# shellcheck source=tests/lib/common.sh
source "${REPO_ROOT:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}/tests/lib/common.sh"

# Connects with openssl s_client and the options after INPUT, and sends
# INPUT (may be empty) on its standard input. Sets TLS_OUTPUT to its output
# and TLS_STATUS to its exit status, which is 124 when it timed out.
tls_probe() {
	local input=$1

	shift
	TLS_STATUS=0
	TLS_OUTPUT=$( (printf '%s' "$input"; [[ -z $input ]] || sleep 1) |
		timeout 10 openssl s_client -connect "127.0.0.1:$DAEMON_PORT" \
			-servername localhost -CAfile "$CA_FILE" "$@" 2>&1) ||
		TLS_STATUS=$?
}

# Checks that the handshake with the given s_client options succeeds,
# negotiates PROTOCOL and verifies the certificate against the test CA.
check_handshake() {
	local name=$1 protocol=$2

	shift 2
	tls_probe "" "$@"
	check_eq "$name: exit status" "$TLS_STATUS" 0
	check_contains "$name: protocol" "$TLS_OUTPUT" "New, $protocol, Cipher is"
	check_contains "$name: certificate verified" "$TLS_OUTPUT" \
		"Verify return code: 0 (ok)"
}

# Prints the number of bytes s_client wrote during the handshake, from
# its "SSL handshake has read R bytes and written W bytes" line.
handshake_bytes_written() {
	sed -n 's/^SSL handshake has read [0-9]* bytes and written \([0-9]*\) bytes$/\1/p' \
		<<<"$TLS_OUTPUT" | head -n 1
}

# Checks that the server rejects the handshake with the given options and
# sends a TLS alert containing ALERT. The client must have sent its
# hello, so that a local OpenSSL that cannot offer the options does not
# pass the check. A ClientHello takes more than 50 bytes, and a client
# that fails before sending one writes at most a 7-byte alert record.
check_rejected() {
	local name=$1 alert=$2 written

	shift 2
	tls_probe "" "$@"
	check_ne "$name: handshake fails" "$TLS_STATUS" 0
	check_ne "$name: no timeout" "$TLS_STATUS" 124
	written=$(handshake_bytes_written)
	if [[ $written =~ ^[0-9]+$ ]] && ((written > 50)); then
		pass "$name: client hello sent"
	else
		fail "$name: client hello sent" "s_client wrote \"$written\" bytes" \
			"${TLS_OUTPUT:0:400}"
	fi
	check_contains "$name: server alert" "$TLS_OUTPUT" "$alert"
	check_contains "$name: no cipher negotiated" "$TLS_OUTPUT" \
		"Cipher is (NONE)"
}

test_cluster_start
test_certs
daemon_start

# --- Protocol versions -------------------------------------------------------

check_handshake "TLS 1.3" TLSv1.3 -tls1_3
check_contains "TLS 1.3: AEAD suite" "$TLS_OUTPUT" "Cipher is TLS_AES_256_GCM_SHA384"
check_handshake "TLS 1.3 with TLS_AES_128_GCM_SHA256" TLSv1.3 -tls1_3 \
	-ciphersuites TLS_AES_128_GCM_SHA256
check_handshake "TLS 1.3 with TLS_CHACHA20_POLY1305_SHA256" TLSv1.3 -tls1_3 \
	-ciphersuites TLS_CHACHA20_POLY1305_SHA256
check_handshake "TLS 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256" TLSv1.2 -tls1_2 \
	-cipher ECDHE-ECDSA-AES128-GCM-SHA256
check_contains "TLS 1.2 negotiates requested suite" "$TLS_OUTPUT" \
	"Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"
check_handshake "TLS 1.2 with ECDHE-ECDSA-AES256-GCM-SHA384" TLSv1.2 -tls1_2 \
	-cipher ECDHE-ECDSA-AES256-GCM-SHA384
check_handshake "TLS 1.2 with ECDHE-ECDSA-CHACHA20-POLY1305" TLSv1.2 -tls1_2 \
	-cipher ECDHE-ECDSA-CHACHA20-POLY1305

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$CA_FILE" \
	--tlsv1.3 "$BASE_URL/healthz")
check_eq "curl over TLS 1.3" "$code" 200
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$CA_FILE" \
	--tlsv1.2 --tls-max 1.2 "$BASE_URL/healthz")
check_eq "curl over TLS 1.2" "$code" 200

# SECLEVEL=0 lets the local OpenSSL offer the old versions, so that the
# rejection comes from the server.
check_rejected "TLS 1.1" "alert protocol version" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
check_rejected "TLS 1.0" "alert protocol version" -tls1 -cipher 'DEFAULT:@SECLEVEL=0'

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	"http://127.0.0.1:$DAEMON_PORT/healthz")
check_eq "plain HTTP gets no HTTP response" "$code" 000

# --- TLS 1.2 cipher suites ------------------------------------------------------

check_rejected "TLS 1.2 CBC ECDHE-ECDSA-AES128-SHA256" "alert handshake failure" \
	-tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0'
check_rejected "TLS 1.2 CBC ECDHE-ECDSA-AES256-SHA384" "alert handshake failure" \
	-tls1_2 -cipher 'ECDHE-ECDSA-AES256-SHA384:@SECLEVEL=0'
check_rejected "TLS 1.2 CBC ECDHE-ECDSA-AES128-SHA" "alert handshake failure" \
	-tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0'
check_rejected "TLS 1.2 static RSA AES128-GCM-SHA256" "alert handshake failure" \
	-tls1_2 -cipher 'AES128-GCM-SHA256:@SECLEVEL=0'
check_rejected "TLS 1.2 static RSA AES256-GCM-SHA384" "alert handshake failure" \
	-tls1_2 -cipher 'AES256-GCM-SHA384:@SECLEVEL=0'
check_rejected "TLS 1.2 SHA-1 signatures" "alert handshake failure" \
	-tls1_2 -sigalgs ECDSA+SHA1 -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0'

# --- Key exchange groups -----------------------------------------------------------

check_handshake "TLS 1.3 group X25519" TLSv1.3 -tls1_3 -groups X25519
check_contains "TLS 1.3 group X25519: key" "$TLS_OUTPUT" "Server Temp Key: X25519"
check_handshake "TLS 1.3 group P-256" TLSv1.3 -tls1_3 -groups P-256
check_contains "TLS 1.3 group P-256: key" "$TLS_OUTPUT" \
	"Server Temp Key: ECDH, prime256v1"
check_handshake "TLS 1.2 group P-256" TLSv1.2 -tls1_2 -groups P-256
check_contains "TLS 1.2 group P-256: key" "$TLS_OUTPUT" \
	"Server Temp Key: ECDH, prime256v1"
check_rejected "TLS 1.3 group ffdhe2048" "alert handshake failure" \
	-tls1_3 -groups ffdhe2048
check_rejected "TLS 1.2 group ffdhe2048" "alert handshake failure" \
	-tls1_2 -groups ffdhe2048

# --- Compression and renegotiation --------------------------------------------------

check_handshake "TLS 1.2 default handshake" TLSv1.2 -tls1_2
check_contains "TLS 1.2 no compression" "$TLS_OUTPUT" "Compression: NONE"
check_contains "TLS 1.2 secure renegotiation shown" "$TLS_OUTPUT" \
	"Secure Renegotiation IS supported"
check_handshake "TLS 1.3 default handshake" TLSv1.3 -tls1_3
check_contains "TLS 1.3 no compression" "$TLS_OUTPUT" "Compression: NONE"

# "R" on standard input makes s_client start a renegotiation.
tls_probe $'R\n' -tls1_2
check_contains "renegotiation attempted" "$TLS_OUTPUT" RENEGOTIATING
check_contains "client renegotiation rejected" "$TLS_OUTPUT" "no renegotiation"
check_ne "client renegotiation ends connection" "$TLS_STATUS" 0

# --- Certificate ----------------------------------------------------------------------

tls_probe "" -tls1_3 -showcerts
check_contains "handshake signature ECDSA" "$TLS_OUTPUT" "Peer signature type: ECDSA"
leaf=$TEST_DIR/leaf.pem
sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p;/-----END CERTIFICATE-----/q' \
	<<<"$TLS_OUTPUT" >"$leaf"
cert_text=$(openssl x509 -in "$leaf" -noout -text 2>&1)
check_contains "certificate key is EC" "$cert_text" \
	"Public Key Algorithm: id-ecPublicKey"
check_contains "certificate curve is P-256" "$cert_text" "NIST CURVE: P-256"
check_contains "certificate key is 256 bit" "$cert_text" "Public-Key: (256 bit)"
check_contains "certificate names localhost" "$cert_text" "DNS:localhost"
check_contains "certificate names 127.0.0.1" "$cert_text" "IP Address:127.0.0.1"
check_eq "certificate is the configured one" \
	"$(openssl x509 -in "$leaf" -noout -fingerprint -sha256 2>&1)" \
	"$(openssl x509 -in "$CERT_DIR/server.pem" -noout -fingerprint -sha256 2>&1)"

finish
