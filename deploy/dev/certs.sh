# shellcheck shell=bash
# Functions that create a development certificate authority and a server
# certificate for localhost, for the embedded default (deploy/dev/run.sh)
# and the integration tests (tests/lib/common.sh). Source this file from
# bash after deploy/dev/pg.sh, which sets ISMS_DAEMON_USER.
#
# The CA may only sign names for this machine (a name constraint), so a
# copy of its key that leaks, or a CA certificate that someone adds to a
# browser's trust store, cannot vouch for any other host.

# Validity in days: ten years for the CA, two years for the server
# certificate, which is renewed when less than 30 days remain.
ISMS_CA_DAYS=3650
ISMS_SERVER_DAYS=730
ISMS_SERVER_RENEW_SECONDS=$((30 * 24 * 3600))

# Writes a new ECDSA P-256 private key to FILE with mode 0600.
isms_certs_new_key() {
	(umask 077 && openssl genpkey -algorithm EC \
		-pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

# Creates the CA key DIR/ca.key and the self-signed certificate
# DIR/ca.pem.
isms_certs_new_ca() {
	local dir=$1

	isms_certs_new_key "$dir/ca.key" || return 1
	openssl req -new -x509 -key "$dir/ca.key" -sha256 \
		-days "$ISMS_CA_DAYS" -set_serial "0x$(openssl rand -hex 16)" \
		-subj "/O=ismsd development/CN=ismsd development CA ${HOSTNAME:-localhost}" \
		-addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" \
		-addext "nameConstraints=critical,permitted;DNS:localhost,permitted;IP:127.0.0.0/255.0.0.0,permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" \
		-out "$dir/ca.pem" 2>/dev/null
}

# Creates the server key DIR/server.key and DIR/server.pem, signed by the
# CA in DIR, for localhost, 127.0.0.1 and ::1.
isms_certs_new_server() {
	local dir=$1 status

	isms_certs_new_key "$dir/server.key" || return 1
	openssl req -new -key "$dir/server.key" -subj "/CN=localhost" \
		-out "$dir/server.csr" 2>/dev/null || return 1
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" \
		-CAkey "$dir/ca.key" -sha256 -days "$ISMS_SERVER_DAYS" \
		-set_serial "0x$(openssl rand -hex 16)" \
		-extfile <(printf '%s\n' \
			"basicConstraints = critical, CA:FALSE" \
			"keyUsage = critical, digitalSignature" \
			"extendedKeyUsage = serverAuth" \
			"subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1" \
			"subjectKeyIdentifier = hash" \
			"authorityKeyIdentifier = keyid") \
		-out "$dir/server.pem" 2>/dev/null
	status=$?
	rm -f -- "$dir/server.csr"
	return "$status"
}

# Returns 0 when DIR/server.pem exists, was signed by DIR/ca.pem and stays
# valid for more than ISMS_SERVER_RENEW_SECONDS.
isms_certs_server_is_current() {
	local dir=$1

	[[ -s $dir/server.pem && -s $dir/server.key ]] || return 1
	openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" \
		>/dev/null 2>&1 || return 1
	openssl x509 -in "$dir/server.pem" -noout \
		-checkend "$ISMS_SERVER_RENEW_SECONDS" >/dev/null 2>&1
}

# Creates, in DIR, whatever is missing of ca.key, ca.pem, server.key and
# server.pem, and renews the server certificate when it expires within 30
# days or no longer matches the CA. DIR gets mode 0700 and the keys 0600.
# All belong to the daemon user, which reads the server key.
isms_certs_create() {
	local dir=$1 file

	if ! command -v openssl >/dev/null; then
		isms_error "openssl not found; run deploy/deps.sh"
		return 1
	fi
	mkdir -p -- "$dir" || return 1
	chmod 0700 -- "$dir" || return 1
	if [[ ! -s $dir/ca.pem || ! -s $dir/ca.key ]]; then
		if ! isms_certs_new_ca "$dir"; then
			isms_error "creating the development CA in \"$dir\" failed"
			return 1
		fi
	fi
	if ! isms_certs_server_is_current "$dir"; then
		if ! isms_certs_new_server "$dir"; then
			isms_error "creating the server certificate in \"$dir\" failed"
			return 1
		fi
	fi
	chmod 0600 -- "$dir/ca.key" "$dir/server.key" || return 1
	chmod 0644 -- "$dir/ca.pem" "$dir/server.pem" || return 1
	if ((EUID == 0)); then
		for file in "$dir" "$dir"/ca.key "$dir"/ca.pem "$dir"/server.key \
			"$dir"/server.pem; do
			chown "$ISMS_DAEMON_USER:" -- "$file" || return 1
		done
	fi
}
