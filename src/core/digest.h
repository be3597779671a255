/*
 * digest.h - OCI content digests ("sha256:<64 lowercase hex>") and streaming
 * SHA-256 (OpenSSL EVP).
 *
 * Spec: https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 * Only sha256 is accepted for content addressing; sha512 digests are parsed
 * but reported as unsupported by sc_digest_parse().
 */
#ifndef SC_CORE_DIGEST_H
#define SC_CORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define SC_SHA256_LEN 32
/* "sha256:" + 64 hex + NUL */
#define SC_DIGEST_STRLEN 72

typedef struct sc_digest {
	uint8_t set; /* 0 = no digest */
	uint8_t bytes[SC_SHA256_LEN];
} sc_digest;

/* Parse "sha256:<64 lowercase hex>" strictly (no whitespace, no uppercase). */
int sc_digest_parse(sc_digest *out, const char *s);
/* Format as "sha256:<hex>" into out (at least SC_DIGEST_STRLEN bytes). */
char *sc_digest_fmt(const sc_digest *d, char out[SC_DIGEST_STRLEN]);
/* Lowercase hex only (65 bytes). */
char *sc_digest_hex(const sc_digest *d, char out[65]);
int sc_digest_eq(const sc_digest *a, const sc_digest *b);

typedef struct sc_sha256 sc_sha256;
sc_sha256 *sc_sha256_new(void);
void sc_sha256_update(sc_sha256 *h, const void *data, size_t len);
void sc_sha256_final(sc_sha256 *h, sc_digest *out); /* resets h for reuse */
void sc_sha256_free(sc_sha256 *h);
/* One-shot convenience. */
int sc_sha256_buf(sc_digest *out, const void *data, size_t len);

#endif
