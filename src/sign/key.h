/*
 * key.h - signing keys in cosign's formats.
 *
 * Private keys are stored as cosign does (sigstore/cosign pkg/cosign/keys.go,
 * sigstore/sigstore pkg/encrypted): a PEM block labelled
 * "ENCRYPTED SIGSTORE PRIVATE KEY" (or the legacy "ENCRYPTED COSIGN PRIVATE
 * KEY") whose body is the JSON
 *
 *   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},
 *    "cipher":{"name":"nacl/secretbox","nonce":B64},
 *    "ciphertext":B64}
 *
 * The secretbox key is scrypt(passphrase, salt, N, r, p, 32 bytes) (OpenSSL's
 * EVP_PBE_scrypt); the plaintext is a PKCS#8 DER private key (libsodium's
 * crypto_secretbox_open_easy).  A SEC1 "EC PRIVATE KEY" plaintext is
 * rejected, as cosign rejects it.  Public keys are PKIX
 * ("PUBLIC KEY") PEM; sigstore-go's one-line unwrapped PEM is accepted too.
 *
 * Signing: ECDSA P-256 with SHA-256 (ASN.1 DER signature), cosign's
 * default.  Verification also handles ECDSA P-384 and P-521 (SHA-256 too,
 * as cosign's and containers/image's verifiers hash), Ed25519 (pure) and RSA (PKCS#1 v1.5 or PSS, SHA-256), the key
 * types cosign's LoadPublicKey accepts.
 *
 * Private key material (the decrypted PKCS#8, the derived key, the
 * passphrase) is wiped with OPENSSL_cleanse / sodium_memzero as soon as it
 * is no longer needed and is never put into an error message.
 */
#ifndef SC_SIGN_KEY_H
#define SC_SIGN_KEY_H

#include "core/buf.h"

#include <stddef.h>

/* Upper bounds for hostile key files. */
#define SC_KEY_FILE_MAX (64u * 1024)   /* PEM file */
#define SC_KEY_SIG_MAX 1024            /* a DER/raw signature */
#define SC_KEY_SCRYPT_NMAX (1u << 20)  /* largest scrypt N read (cosign writes 32768/65536) */
/*
 * Also bounded when reading: N >= 2^10, 1 <= r <= 32, 1 <= p <= 16 and
 * 128 * N * r <= 1 GiB (scrypt's memory), so N = 2^20 only with r <= 8.
 * go-securesystemslib itself reads only (2^15|2^16|2^17, 8, 1).
 */

typedef enum sc_key_type {
	SC_KEY_ECDSA_P256,
	SC_KEY_ECDSA_P384,
	SC_KEY_ECDSA_P521,
	SC_KEY_ED25519,
	SC_KEY_RSA,
} sc_key_type;

typedef struct sc_key sc_key; /* an EVP_PKEY, public or private */

/* A new ECDSA P-256 private key. */
int sc_key_generate(sc_key **out);

/*
 * Encrypt k (which must hold a private key; else SC_EUSAGE) as cosign's
 * encrypted key file (PEM text, 64-column lines, trailing newline),
 * appended to out.  legacy: label "ENCRYPTED COSIGN PRIVATE KEY" with
 * N=32768 (older cosign and containers/image); otherwise "ENCRYPTED
 * SIGSTORE PRIVATE KEY" with N=65536, r=8, p=1: cosign >= 2.2 calls
 * go-securesystemslib's encrypted.Encrypt, whose default is its "Standard"
 * strength 2^16 (Legacy 2^15, OWASP 2^17); cosign 2.0.1-2.1 wrote the
 * SIGSTORE label with go-tuf's N=32768.  Salt 32 bytes, nonce 24.
 */
int sc_key_encrypt_pem(const sc_key *k, const char *pass, size_t pass_len, int legacy, sc_buf *out);
/* The PKIX "PUBLIC KEY" PEM of k (public part of a private key too). */
int sc_key_public_pem(const sc_key *k, sc_buf *out);

/*
 * Decrypt a cosign encrypted key file.  Errors (SC_EINPUT unless noted):
 * more than SC_KEY_FILE_MAX bytes (SC_ELIMIT), not PEM / unknown label,
 * bad JSON, kdf not scrypt, N not a power of two, N outside
 * [2^10, SC_KEY_SCRYPT_NMAX] or r, p, memory out of the bounds above
 * (SC_ELIMIT), cipher not nacl/secretbox, bad sizes (nonce 24 bytes, salt
 * 8-128), "wrong passphrase or corrupt key" (secretbox authentication
 * failed), plaintext not PKCS#8 (SEC1 named), key type not supported
 * (SC_EUNSUPPORTED).  pass may be NULL when pass_len is 0.
 */
int sc_key_decrypt_pem(sc_key **out, const char *pem, size_t len, const char *pass, size_t pass_len);
/*
 * Parse a PKIX public key PEM (the first block; text around it ignored;
 * lines of any length).  The DER must be canonical, as Go's x509 writes
 * it (named curve, uncompressed point), because the key hint hashes it.
 * Supported: ECDSA P-256/384/521, Ed25519, RSA 2048-8192 bits; others
 * SC_EUNSUPPORTED.  A private key PEM is refused with a message saying so.
 */
int sc_key_read_public(sc_key **out, const char *pem, size_t len);
/* Read a file (at most SC_KEY_FILE_MAX bytes) and parse it as a public key;
 * a private key file (encrypted) is refused with a message saying so. */
int sc_key_load_public(sc_key **out, const char *path);

sc_key_type sc_key_get_type(const sc_key *k);
const char *sc_key_type_name(sc_key_type t); /* "ecdsa-p256", "ed25519", "rsa-3072"-style is not needed: "rsa" */
int sc_key_is_private(const sc_key *k);

/*
 * Sign msg: ECDSA keys with SHA-256 on every curve (DER signature),
 * Ed25519 raw 64 bytes, RSA PKCS#1 v1.5 SHA-256.  sig gets the bytes
 * appended.  A public key: SC_EUSAGE.
 */
int sc_key_sign(const sc_key *k, const void *msg, size_t len, sc_buf *sig);
/*
 * Verify sig over msg.  0 when valid; SC_ECHECK with a one-line message
 * ("signature does not verify with the ecdsa-p256 key", "signature is not
 * a valid ASN.1 ECDSA signature" (strict DER), "signature is empty", ...)
 * when not; other codes for errors.  RSA: PKCS#1 v1.5, then PSS (salt
 * length auto-detected), both SHA-256.
 */
int sc_key_verify(const sc_key *k, const void *msg, size_t len, const void *sig, size_t sig_len);

/* Sigstore's key hint / cosign's key id: base64(sha256(SPKI DER)), 44 chars + NUL. */
int sc_key_hint(const sc_key *k, char out[45]);

void sc_key_free(sc_key *k); /* accepts NULL */

/*
 * The passphrase: $SCUTE_PASSWORD, else $COSIGN_PASSWORD (cosign's name),
 * else a prompt on /dev/tty with echo off (twice when confirm, which must
 * match).  No terminal and no variable: SC_EUSAGE "no passphrase: set
 * SCUTE_PASSWORD or run on a terminal".  *out is malloc'd, NUL-terminated;
 * free it with sc_key_passphrase_free (wipes).
 */
int sc_key_passphrase(char **out, size_t *len, int confirm);
void sc_key_passphrase_free(char *p, size_t len);

/*
 * Load a private key file: read (bounded), get the passphrase
 * (sc_key_passphrase, no confirm), decrypt, wipe.  A public key file is
 * refused ("KEY is a public key; signing needs the private key").
 */
int sc_key_load_private(sc_key **out, const char *path);

#endif
