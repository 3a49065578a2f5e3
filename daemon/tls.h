/*
 * Server TLS context following the NCSC-NL TLS guidelines (version
 * 2025-05): TLS 1.2 and 1.3 only, and only the cipher suites, groups and
 * signature algorithms those guidelines rate Good or Sufficient.
 */
#ifndef ISMSD_TLS_H
#define ISMSD_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/* TLS 1.3 suites, Good first (NCSC-NL 2025-05). */
#define TLS_CIPHERSUITES_13                                                \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"             \
	"TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256"

/* TLS 1.2: ECDHE with AES-GCM, AES-CCM or ChaCha20-Poly1305 only. */
#define TLS_CIPHERS_12                                                     \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"     \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-CCM:"            \
	"ECDHE-ECDSA-AES128-CCM:ECDHE-RSA-AES256-GCM-SHA384:"              \
	"ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256"

/*
 * Sufficient groups. The Good hybrid X25519MLKEM768 needs OpenSSL 3.5;
 * Debian 12 ships 3.0.
 */
#define TLS_GROUPS "X25519:P-256:P-384:X448:P-521"

/*
 * Creates a server context with the certificate chain and key. Returns
 * NULL with a message in err when a file cannot be used or the key is
 * rated Insufficient. Caller frees with SSL_CTX_free().
 */
SSL_CTX *tls_server_ctx_new(const char *cert_file, const char *key_file,
    char *err, size_t errlen);

/*
 * Rates the certificate's public key per NCSC-NL 2025-05: returns
 * "sufficient", "phase_out" or "insufficient", and writes a description
 * ("ECDSA P-256", "RSA 2048") to desc.
 */
const char *tls_rate_key(EVP_PKEY *key, char *desc, size_t desclen);

#endif
