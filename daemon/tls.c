#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "log.h"
#include "tls.h"

/* Signature algorithms with SHA-2 hashes only; SHA-1 is Insufficient. */
#define TLS_SIGALGS                                                        \
	"ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:"            \
	"rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"     \
	"rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"        \
	"RSA+SHA256:RSA+SHA384:RSA+SHA512"

static void
openssl_error(char *err, size_t errlen, const char *what, const char *file)
{
	unsigned long code = ERR_get_error();
	char reason[256] = "unknown error";

	if (code != 0)
		ERR_error_string_n(code, reason, sizeof(reason));
	ERR_clear_error();
	if (file != NULL)
		snprintf(err, errlen, "%s %s failed: %s", what, file, reason);
	else
		snprintf(err, errlen, "%s failed: %s", what, reason);
}

const char *
tls_rate_key(EVP_PKEY *key, char *desc, size_t desclen)
{
	char curve[64] = "";
	size_t curvelen = 0;
	int bits = EVP_PKEY_get_bits(key);

	if (EVP_PKEY_is_a(key, "RSA")) {
		snprintf(desc, desclen, "RSA %d", bits);
		if (bits >= 3072)
			return "sufficient";
		return bits >= 2048 ? "phase_out" : "insufficient";
	}
	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) {
		snprintf(desc, desclen, "%s", EVP_PKEY_get0_type_name(key));
		return "sufficient";
	}
	if (EVP_PKEY_is_a(key, "EC")) {
		EVP_PKEY_get_utf8_string_param(key, "group", curve,
		    sizeof(curve), &curvelen);
		snprintf(desc, desclen, "ECDSA %s", curve);
		if (strcmp(curve, "prime256v1") == 0 ||
		    strcmp(curve, "secp384r1") == 0 ||
		    strcmp(curve, "secp521r1") == 0 ||
		    strncmp(curve, "brainpoolP", 10) == 0)
			return "sufficient";
		return strcmp(curve, "secp224r1") == 0 ? "phase_out"
						       : "insufficient";
	}
	snprintf(desc, desclen, "%s", EVP_PKEY_get0_type_name(key));
	return "insufficient";
}

static int
check_certificate_key(SSL_CTX *ctx, const char *cert_file, char *err,
    size_t errlen)
{
	X509 *cert = SSL_CTX_get0_certificate(ctx);
	EVP_PKEY *key;
	const char *rating;
	char desc[96];

	if (cert == NULL || (key = X509_get0_pubkey(cert)) == NULL) {
		snprintf(err, errlen, "%s contains no usable certificate",
		    cert_file);
		return -1;
	}
	rating = tls_rate_key(key, desc, sizeof(desc));
	if (strcmp(rating, "insufficient") == 0) {
		snprintf(err, errlen,
		    "certificate key in %s (%s) is rated Insufficient by the "
		    "NCSC-NL TLS guidelines; use ECDSA P-256 or stronger, or "
		    "RSA of at least 3072 bits",
		    cert_file, desc);
		return -1;
	}
	if (strcmp(rating, "phase_out") == 0)
		log_warn("certificate key in %s (%s) is rated Phase out by "
			 "the NCSC-NL TLS guidelines; replace it with ECDSA "
			 "P-256 or RSA of at least 3072 bits",
		    cert_file, desc);
	return 0;
}

SSL_CTX *
tls_server_ctx_new(const char *cert_file, const char *key_file, char *err,
    size_t errlen)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		openssl_error(err, errlen, "creating the TLS context", NULL);
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, TLS_CIPHERSUITES_13) ||
	    !SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_12) ||
	    !SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) ||
	    !SSL_CTX_set1_sigalgs_list(ctx, TLS_SIGALGS)) {
		openssl_error(err, errlen, "configuring TLS parameters", NULL);
		goto fail;
	}
	/*
	 * No compression (CRIME), no renegotiation, the server's suite order
	 * wins, and no 0-RTT data (replayable).
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_max_early_data(ctx, 0);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		openssl_error(err, errlen, "loading certificate", cert_file);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) !=
	    1) {
		openssl_error(err, errlen, "loading private key", key_file);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "private key %s does not match the "
		    "certificate in %s", key_file, cert_file);
		ERR_clear_error();
		goto fail;
	}
	if (check_certificate_key(ctx, cert_file, err, errlen) < 0)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
