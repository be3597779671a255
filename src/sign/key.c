/*
 * key.c - cosign's encrypted private keys, PKIX public keys, signing and
 * verification (key.h).
 *
 * The encrypted key format is read from the file, never trusted: the PEM
 * block is found with explicit lengths (no NUL-terminated scanning), the
 * JSON is parsed with sc_json_parse's size and depth bounds, and the scrypt
 * cost is bounded before any memory is committed to it (N a power of two
 * in [2^10, SC_KEY_SCRYPT_NMAX], 1 <= r <= 32, 1 <= p <= 16, and
 * 128 * N * r <= 1 GiB, which admits cosign's N=2^16/2^17 at r=8 and
 * N=2^20 at r=8 but nothing more expensive).
 */
#include "sign/key.h"

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct sc_key {
	EVP_PKEY *pk;
	sc_key_type type;
	int priv;
};

#define LABEL_SIGSTORE "ENCRYPTED SIGSTORE PRIVATE KEY"
#define LABEL_COSIGN "ENCRYPTED COSIGN PRIVATE KEY"
#define LABEL_PUBLIC "PUBLIC KEY"

#define SCRYPT_NMIN (1u << 10)
#define SCRYPT_RMAX 32u
#define SCRYPT_PMAX 16u
#define SCRYPT_MEM_MAX (1ull << 30) /* 128 * N * r */
#define SALT_MIN 8u
#define SALT_MAX 128u
#define BOX_KEY_LEN 32u
#define PASS_MAX 1024u
#define RSA_BITS_MIN 2048
#define RSA_BITS_MAX 8192

/* ---- PEM ---------------------------------------------------------------- */

typedef struct pem_block {
	const char *label;
	size_t label_len;
	unsigned char *der; /* decoded body, malloc'd */
	size_t der_len;
} pem_block;

static int label_is(const pem_block *b, const char *s)
{
	return b->label_len == strlen(s) && memcmp(b->label, s, b->label_len) == 0;
}

/*
 * The first PEM block of s[0..len): "-----BEGIN L-----" at the start of a
 * line, a base64 body (line breaks and blanks anywhere, so sigstore-go's
 * one unwrapped line is as good as 64-column lines), "-----END L-----".
 * Text before and after the block is ignored, as Go's pem.Decode does.
 * Encapsulated headers ("Proc-Type: ...") fail as bad base64.
 */
static int pem_decode(pem_block *b, const char *s, size_t len, size_t der_max, const char *what)
{
	static const char begin[] = "-----BEGIN ", dashes[] = "-----";
	const char *p = s, *end = s + len, *lab, *body, *stop;
	char endmark[96], *clean;
	size_t n, i, o, ml;
	int rc;

	memset(b, 0, sizeof(*b));
	for (;;) {
		p = memmem(p, (size_t)(end - p), begin, sizeof(begin) - 1);
		if (!p)
			return sc_error_set(SC_EINPUT, "%s: no PEM block found", what);
		if (p == s || p[-1] == '\n')
			break;
		p++;
	}
	lab = p + sizeof(begin) - 1;
	p = memmem(lab, (size_t)(end - lab), dashes, sizeof(dashes) - 1);
	if (!p || p - lab > 64 || p == lab)
		return sc_error_set(SC_EINPUT, "%s: malformed PEM BEGIN line", what);
	for (i = 0; i < (size_t)(p - lab); i++)
		if (lab[i] < 0x20 || lab[i] > 0x7e || lab[i] == '-')
			return sc_error_set(SC_EINPUT, "%s: malformed PEM BEGIN line", what);
	b->label = lab;
	b->label_len = (size_t)(p - lab);
	body = p + sizeof(dashes) - 1;
	while (body < end && (*body == ' ' || *body == '\t' || *body == '\r'))
		body++;
	if (body >= end || *body != '\n')
		return sc_error_set(SC_EINPUT, "%s: malformed PEM BEGIN line", what);
	body++;
	ml = (size_t)snprintf(endmark, sizeof(endmark), "-----END %.*s-----", (int)b->label_len, b->label);
	stop = memmem(body, (size_t)(end - body), endmark, ml);
	if (!stop)
		return sc_error_set(SC_EINPUT, "%s: PEM block '%.*s' has no END line", what, (int)b->label_len,
				    b->label);
	n = (size_t)(stop - body);
	if (!(clean = sc_malloc(n + 1)))
		return SC_ENOMEM;
	for (i = 0, o = 0; i < n; i++)
		if (body[i] != '\n' && body[i] != '\r' && body[i] != ' ' && body[i] != '\t')
			clean[o++] = body[i];
	rc = sc_base64_decode(&b->der, &b->der_len, clean, o, der_max, 0, what);
	free(clean);
	return rc;
}

/* Append PEM text (64-column lines, trailing newline) of der to out. */
static int pem_encode(sc_buf *out, const char *label, const void *der, size_t len)
{
	char *b64 = NULL;
	size_t n, i;
	int rc;

	if ((rc = sc_base64_encode(&b64, der, len)) != 0)
		return rc;
	n = strlen(b64);
	rc = sc_buf_printf(out, "-----BEGIN %s-----\n", label);
	for (i = 0; !rc && i < n; i += 64) {
		rc = sc_buf_append(out, b64 + i, n - i < 64 ? n - i : 64);
		if (!rc)
			rc = sc_buf_putc(out, '\n');
	}
	if (!rc)
		rc = sc_buf_printf(out, "-----END %s-----\n", label);
	free(b64);
	return rc;
}

/* ---- keys --------------------------------------------------------------- */

static int ossl_fail(int code, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char detail[160];

	if (e) {
		ERR_error_string_n(e, detail, sizeof(detail));
		ERR_clear_error();
		return sc_error_set(code, "%s (%s)", what, detail);
	}
	return sc_error_set(code, "%s", what);
}

/* Which of the supported key types pk is; SC_EUNSUPPORTED otherwise. */
static int classify(EVP_PKEY *pk, sc_key_type *t)
{
	char group[64];
	size_t glen = 0;
	int bits;

	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen)) {
			ERR_clear_error();
			return sc_error_set(SC_EUNSUPPORTED, "EC key without a named curve is not supported");
		}
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
			*t = SC_KEY_ECDSA_P256;
		else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
			*t = SC_KEY_ECDSA_P384;
		else if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
			*t = SC_KEY_ECDSA_P521;
		else
			return sc_error_set(SC_EUNSUPPORTED, "EC curve %s is not supported (P-256, P-384, P-521 are)",
					    group);
		return 0;
	case EVP_PKEY_ED25519:
		*t = SC_KEY_ED25519;
		return 0;
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(pk);
		if (bits < RSA_BITS_MIN || bits > RSA_BITS_MAX)
			return sc_error_set(SC_EUNSUPPORTED, "RSA key of %d bits is not supported (%d to %d bits are)",
					    bits, RSA_BITS_MIN, RSA_BITS_MAX);
		*t = SC_KEY_RSA;
		return 0;
	default:
		return sc_error_set(SC_EUNSUPPORTED, "key type %s is not supported (ECDSA, Ed25519, RSA are)",
				    OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
	}
}

/* Wrap pk (taken over in every case). */
static int key_wrap(sc_key **out, EVP_PKEY *pk, int priv)
{
	sc_key *k;
	sc_key_type t = SC_KEY_ECDSA_P256;
	int rc;

	*out = NULL;
	if ((rc = classify(pk, &t)) != 0) {
		EVP_PKEY_free(pk);
		return rc;
	}
	/* The key hint hashes the SPKI: always the uncompressed point, as Go writes it. */
	if (priv && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    !EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
					    OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED)) {
		EVP_PKEY_free(pk);
		return ossl_fail(SC_EINTERNAL, "cannot set the EC point format");
	}
	if (!(k = sc_calloc(1, sizeof(*k)))) {
		EVP_PKEY_free(pk);
		return SC_ENOMEM;
	}
	k->pk = pk;
	k->type = t;
	k->priv = priv;
	*out = k;
	return 0;
}

int sc_key_generate(sc_key **out)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	*out = NULL;
	if (!pk)
		return ossl_fail(SC_EINTERNAL, "cannot generate an ECDSA P-256 key");
	return key_wrap(out, pk, 1);
}

void sc_key_free(sc_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

sc_key_type sc_key_get_type(const sc_key *k)
{
	return k->type;
}

const char *sc_key_type_name(sc_key_type t)
{
	switch (t) {
	case SC_KEY_ECDSA_P256: return "ecdsa-p256";
	case SC_KEY_ECDSA_P384: return "ecdsa-p384";
	case SC_KEY_ECDSA_P521: return "ecdsa-p521";
	case SC_KEY_ED25519: return "ed25519";
	case SC_KEY_RSA: return "rsa";
	}
	return "unknown";
}

int sc_key_is_private(const sc_key *k)
{
	return k->priv;
}

/* ---- scrypt + secretbox --------------------------------------------------- */

static int scrypt_check(unsigned long long n, unsigned long long r, unsigned long long p)
{
	if (n < 2 || (n & (n - 1)) != 0)
		return sc_error_set(SC_EINPUT, "encrypted key: scrypt N=%llu is not a power of two", n);
	if (n < SCRYPT_NMIN || n > SC_KEY_SCRYPT_NMAX)
		return sc_error_set(SC_ELIMIT, "encrypted key: scrypt N=%llu is outside [%u, %u]", n, SCRYPT_NMIN,
				    SC_KEY_SCRYPT_NMAX);
	if (r < 1 || r > SCRYPT_RMAX || p < 1 || p > SCRYPT_PMAX)
		return sc_error_set(SC_ELIMIT, "encrypted key: scrypt r=%llu p=%llu out of range (r 1-%u, p 1-%u)", r,
				    p, SCRYPT_RMAX, SCRYPT_PMAX);
	if (128ull * n * r > SCRYPT_MEM_MAX)
		return sc_error_set(SC_ELIMIT, "encrypted key: scrypt N=%llu r=%llu needs more than %llu MiB", n, r,
				    SCRYPT_MEM_MAX >> 20);
	return 0;
}

/* key = scrypt(pass, salt, N, r, p) (parameters already checked). */
static int scrypt_derive(unsigned char key[BOX_KEY_LEN], const char *pass, size_t pass_len,
			 const unsigned char *salt, size_t salt_len, uint64_t n, uint64_t r, uint64_t p)
{
	/* OpenSSL's own accounting: 128*r*(N+2) for V plus 128*r*p for B. */
	uint64_t maxmem = 128 * r * (n + 2 + p) + 4096;

	if (EVP_PBE_scrypt(pass_len ? pass : "", pass_len, salt, salt_len, n, r, p, maxmem, key, BOX_KEY_LEN) != 1) {
		OPENSSL_cleanse(key, BOX_KEY_LEN);
		return ossl_fail(SC_EINTERNAL, "scrypt key derivation failed");
	}
	return 0;
}

static int sodium_ready(void)
{
	if (sodium_init() < 0)
		return sc_error_set(SC_EINTERNAL, "libsodium cannot be initialised");
	return 0;
}

int sc_key_encrypt_pem(const sc_key *k, const char *pass, size_t pass_len, int legacy, sc_buf *out)
{
	const uint64_t n = legacy ? 32768 : 65536, r = 8, p = 1;
	unsigned char salt[32], nonce[crypto_secretbox_NONCEBYTES], key[BOX_KEY_LEN];
	unsigned char *der = NULL, *ct = NULL;
	char *salt64 = NULL, *nonce64 = NULL, *ct64 = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	size_t ct_len = 0, mark = out->len;
	sc_buf json;
	int der_len = 0, rc;

	sc_buf_init(&json, SC_KEY_FILE_MAX, "encrypted key");
	if (!k->priv)
		return sc_error_set(SC_EUSAGE, "cannot encrypt a public key");
	if ((rc = sodium_ready()) != 0)
		return rc;
	/* PKCS#8, as Go's x509.MarshalPKCS8PrivateKey (i2d_PrivateKey would write SEC1 for EC). */
	if (!(p8 = EVP_PKEY2PKCS8(k->pk)) || (der_len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der)) <= 0) {
		rc = ossl_fail(SC_EINTERNAL, "cannot encode the private key as PKCS#8");
		der_len = 0;
		goto out;
	}
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	if ((rc = scrypt_derive(key, pass, pass_len, salt, sizeof(salt), n, r, p)) != 0)
		goto out;
	ct_len = crypto_secretbox_MACBYTES + (size_t)der_len;
	if (!(ct = sc_malloc(ct_len))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if (crypto_secretbox_easy(ct, der, (unsigned long long)der_len, nonce, key) != 0) {
		rc = sc_error_set(SC_EINTERNAL, "secretbox encryption failed");
		goto out;
	}
	if ((rc = sc_base64_encode(&salt64, salt, sizeof(salt))) != 0 ||
	    (rc = sc_base64_encode(&nonce64, nonce, sizeof(nonce))) != 0 ||
	    (rc = sc_base64_encode(&ct64, ct, ct_len)) != 0)
		goto out;
	/* Field names and order as Go's encoding/json writes go-securesystemslib's struct. */
	if ((rc = sc_buf_printf(&json,
				"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":%llu,\"r\":%llu,\"p\":%llu},"
				"\"salt\":\"%s\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"%s\"},"
				"\"ciphertext\":\"%s\"}",
				(unsigned long long)n, (unsigned long long)r, (unsigned long long)p, salt64, nonce64,
				ct64)) != 0)
		goto out;
	rc = pem_encode(out, legacy ? LABEL_COSIGN : LABEL_SIGSTORE, json.data, json.len);
out:
	OPENSSL_cleanse(key, sizeof(key));
	if (der)
		OPENSSL_clear_free(der, (size_t)der_len);
	PKCS8_PRIV_KEY_INFO_free(p8); /* clears its key octets on free */
	free(ct);
	free(salt64);
	free(nonce64);
	free(ct64);
	sc_buf_release(&json);
	if (rc) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return rc;
}

/* A base64 string field of obj, decoded. */
static int b64_field(const json_t *obj, const char *name, unsigned char **out, size_t *len, const char *what)
{
	const char *s = NULL;
	int rc;

	if ((rc = sc_json_get_str(obj, name, 1, &s, what)) != 0)
		return rc;
	return sc_base64_decode(out, len, s, strlen(s), SC_KEY_FILE_MAX, 0, what);
}

/* A SEC1 ECPrivateKey starts SEQUENCE { INTEGER 1, OCTET STRING ...; PKCS#8 with INTEGER 0/1, SEQUENCE. */
static int looks_sec1(const unsigned char *d, size_t n)
{
	size_t i = 2;

	if (n < 8 || d[0] != 0x30)
		return 0;
	if (d[1] & 0x80)
		i += d[1] & 0x7f;
	return i + 4 < n && d[i] == 0x02 && d[i + 1] == 0x01 && d[i + 2] == 0x01 && d[i + 3] == 0x04;
}

/* Parse a PKCS#8 DER private key. */
static int parse_pkcs8(sc_key **out, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *pk;

	if (looks_sec1(der, len))
		return sc_error_set(SC_EINPUT, "encrypted key holds a SEC1 EC private key, not PKCS#8 "
					       "(cosign rejects it too; re-create the key)");
	if (len > LONG_MAX || !(p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len))) {
		ERR_clear_error();
		return sc_error_set(SC_EINPUT, "encrypted key: the decrypted key is not PKCS#8 DER");
	}
	if ((size_t)(p - der) != len) {
		PKCS8_PRIV_KEY_INFO_free(p8);
		return sc_error_set(SC_EINPUT, "encrypted key: trailing bytes after the PKCS#8 key");
	}
	pk = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (!pk) {
		ERR_clear_error();
		return sc_error_set(SC_EINPUT, "encrypted key: the PKCS#8 key cannot be used");
	}
	return key_wrap(out, pk, 1);
}

int sc_key_decrypt_pem(sc_key **out, const char *pem, size_t len, const char *pass, size_t pass_len)
{
	static const char what[] = "encrypted key";
	unsigned char *salt = NULL, *nonce = NULL, *ct = NULL, *pt = NULL, key[BOX_KEY_LEN];
	size_t salt_len = 0, nonce_len = 0, ct_len = 0, pt_len = 0;
	unsigned long long n = 0, r = 0, p = 0;
	json_t *doc = NULL, *kdf = NULL, *params = NULL, *cipher = NULL;
	const char *name = NULL;
	pem_block b;
	int rc;

	*out = NULL;
	if (len > SC_KEY_FILE_MAX)
		return sc_error_set(SC_ELIMIT, "%s: %zu bytes, limit is %u", what, len, SC_KEY_FILE_MAX);
	if ((rc = pem_decode(&b, pem, len, SC_KEY_FILE_MAX, what)) != 0)
		return rc;
	if (!label_is(&b, LABEL_SIGSTORE) && !label_is(&b, LABEL_COSIGN)) {
		rc = label_is(&b, LABEL_PUBLIC) ? sc_error_set(SC_EINPUT, "this is a public key, not an encrypted "
									  "cosign private key")
						: sc_error_set(SC_EINPUT, "PEM block '%.*s' is not an encrypted cosign "
									  "private key",
							       (int)b.label_len, b.label);
		goto out;
	}
	if ((rc = sc_json_parse(&doc, (const char *)b.der, b.der_len, SC_KEY_FILE_MAX, 8, what)) != 0)
		goto out;
	if (!json_is_object(doc)) {
		rc = sc_error_set(SC_EINPUT, "%s: JSON is not an object", what);
		goto out;
	}
	if ((rc = sc_json_get_obj(doc, "kdf", 1, &kdf, what)) != 0 ||
	    (rc = sc_json_get_obj(doc, "cipher", 1, &cipher, what)) != 0 ||
	    (rc = sc_json_get_str(kdf, "name", 1, &name, what)) != 0)
		goto out;
	if (strcmp(name, "scrypt") != 0) {
		rc = sc_error_set(SC_EINPUT, "%s: kdf '%.40s' is not scrypt", what, name);
		goto out;
	}
	if ((rc = sc_json_get_str(cipher, "name", 1, &name, what)) != 0)
		goto out;
	if (strcmp(name, "nacl/secretbox") != 0) {
		rc = sc_error_set(SC_EINPUT, "%s: cipher '%.40s' is not nacl/secretbox", what, name);
		goto out;
	}
	if ((rc = sc_json_get_obj(kdf, "params", 1, &params, what)) != 0 ||
	    (rc = sc_json_get_u64(params, "N", 1, &n, what)) != 0 ||
	    (rc = sc_json_get_u64(params, "r", 1, &r, what)) != 0 ||
	    (rc = sc_json_get_u64(params, "p", 1, &p, what)) != 0 || (rc = scrypt_check(n, r, p)) != 0)
		goto out;
	if ((rc = b64_field(kdf, "salt", &salt, &salt_len, what)) != 0 ||
	    (rc = b64_field(cipher, "nonce", &nonce, &nonce_len, what)) != 0 ||
	    (rc = b64_field(doc, "ciphertext", &ct, &ct_len, what)) != 0)
		goto out;
	if (salt_len < SALT_MIN || salt_len > SALT_MAX) {
		rc = sc_error_set(SC_EINPUT, "%s: salt of %zu bytes (%u to %u expected)", what, salt_len, SALT_MIN,
				  SALT_MAX);
		goto out;
	}
	if (nonce_len != crypto_secretbox_NONCEBYTES) {
		rc = sc_error_set(SC_EINPUT, "%s: nonce of %zu bytes, not %u", what, nonce_len,
				  (unsigned)crypto_secretbox_NONCEBYTES);
		goto out;
	}
	if (ct_len <= crypto_secretbox_MACBYTES) {
		rc = sc_error_set(SC_EINPUT, "%s: ciphertext of %zu bytes is too short", what, ct_len);
		goto out;
	}
	if ((rc = sodium_ready()) != 0)
		goto out;
	if ((rc = scrypt_derive(key, pass, pass_len, salt, salt_len, n, r, p)) != 0)
		goto out;
	pt_len = ct_len - crypto_secretbox_MACBYTES;
	if (!(pt = sc_malloc(pt_len))) {
		rc = SC_ENOMEM;
		goto wipe;
	}
	if (crypto_secretbox_open_easy(pt, ct, ct_len, nonce, key) != 0) {
		rc = sc_error_set(SC_EINPUT, "wrong passphrase or corrupt key");
		goto wipe;
	}
	sodium_memzero(key, sizeof(key));
	rc = parse_pkcs8(out, pt, pt_len);
wipe:
	sodium_memzero(key, sizeof(key));
out:
	if (pt) {
		sodium_memzero(pt, pt_len);
		free(pt);
	}
	free(salt);
	free(nonce);
	free(ct);
	json_decref(doc);
	free(b.der);
	return rc;
}

/* ---- public keys ------------------------------------------------------------ */

int sc_key_public_pem(const sc_key *k, sc_buf *out)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k->pk, &der), rc;

	if (n <= 0)
		return ossl_fail(SC_EINTERNAL, "cannot encode the public key");
	rc = pem_encode(out, LABEL_PUBLIC, der, (size_t)n);
	OPENSSL_free(der);
	return rc;
}

/*
 * Go's x509 parses only uncompressed points (0x04 || X || Y): with the
 * canonical encoding already checked, the SPKI is then exactly 91, 120 or
 * 158 bytes for P-256, P-384, P-521 and the point starts 1 + 2 * |X|
 * bytes from its end.
 */
static int ec_point_uncompressed(EVP_PKEY *pk, const unsigned char *der, size_t len)
{
	sc_key_type t;
	size_t want, coord;

	if (classify(pk, &t) != 0)
		return 1; /* key_wrap reports the unsupported curve */
	switch (t) {
	case SC_KEY_ECDSA_P256: want = 91, coord = 32; break;
	case SC_KEY_ECDSA_P384: want = 120, coord = 48; break;
	case SC_KEY_ECDSA_P521: want = 158, coord = 66; break;
	default: return 1;
	}
	return len == want && der[len - 1 - 2 * coord] == 0x04;
}

int sc_key_read_public(sc_key **out, const char *pem, size_t len)
{
	static const char what[] = "public key";
	const unsigned char *p;
	unsigned char *again = NULL;
	EVP_PKEY *pk = NULL;
	pem_block b;
	int rc, n;

	*out = NULL;
	if (len > SC_KEY_FILE_MAX)
		return sc_error_set(SC_ELIMIT, "%s: %zu bytes, limit is %u", what, len, SC_KEY_FILE_MAX);
	if ((rc = pem_decode(&b, pem, len, SC_KEY_FILE_MAX, what)) != 0)
		return rc;
	if (!label_is(&b, LABEL_PUBLIC)) {
		if (label_is(&b, LABEL_SIGSTORE) || label_is(&b, LABEL_COSIGN) ||
		    (b.label_len >= 11 && memcmp(b.label + b.label_len - 11, "PRIVATE KEY", 11) == 0))
			rc = sc_error_set(SC_EINPUT, "this is a private key; a public key (PEM 'PUBLIC KEY') is needed");
		else
			rc = sc_error_set(SC_EINPUT, "PEM block '%.*s' is not a PKIX public key ('PUBLIC KEY')",
					  (int)b.label_len, b.label);
		goto out;
	}
	p = b.der;
	if (b.der_len > LONG_MAX || !(pk = d2i_PUBKEY(NULL, &p, (long)b.der_len))) {
		ERR_clear_error();
		rc = sc_error_set(SC_EINPUT, "%s: not a valid PKIX SubjectPublicKeyInfo", what);
		goto out;
	}
	if ((size_t)(p - b.der) != b.der_len) {
		rc = sc_error_set(SC_EINPUT, "%s: trailing bytes after the SubjectPublicKeyInfo", what);
		goto out;
	}
	/*
	 * Canonical form only (what Go's x509 accepts and writes): named
	 * curve, uncompressed point, RSA with NULL parameters.  The key hint
	 * hashes these bytes, so they must be the ones every tool computes.
	 */
	if ((n = i2d_PUBKEY(pk, &again)) <= 0 || (size_t)n != b.der_len || memcmp(again, b.der, b.der_len) != 0) {
		ERR_clear_error();
		rc = sc_error_set(SC_EINPUT, "%s: SubjectPublicKeyInfo is not in canonical DER form", what);
		goto out;
	}
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC && !ec_point_uncompressed(pk, b.der, b.der_len)) {
		rc = sc_error_set(SC_EINPUT, "%s: compressed EC points are not accepted", what);
		goto out;
	}
	rc = key_wrap(out, pk, 0);
	pk = NULL;
out:
	EVP_PKEY_free(pk);
	OPENSSL_free(again);
	free(b.der);
	return rc;
}

/* ---- files ------------------------------------------------------------------ */

static int read_key_file(const char *path, char **data, size_t *len)
{
	int rc = sc_file_read_all(path, SC_KEY_FILE_MAX, data, len);

	return rc ? sc_error_prefix(rc, "key file") : 0;
}

int sc_key_load_public(sc_key **out, const char *path)
{
	char *data;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = read_key_file(path, &data, &len)) != 0)
		return rc;
	if ((rc = sc_key_read_public(out, data, len)) != 0)
		sc_error_prefix(rc, "%s", path);
	free(data);
	return rc;
}

int sc_key_load_private(sc_key **out, const char *path)
{
	char *data, *pass = NULL;
	size_t len, pass_len = 0;
	pem_block b;
	int rc;

	*out = NULL;
	if ((rc = read_key_file(path, &data, &len)) != 0)
		return rc;
	/* Look at the label first: no passphrase prompt for a file that cannot be used. */
	if ((rc = pem_decode(&b, data, len, SC_KEY_FILE_MAX, path)) != 0)
		goto out;
	free(b.der);
	if (label_is(&b, LABEL_PUBLIC)) {
		rc = sc_error_set(SC_EINPUT, "%s is a public key; signing needs the private key", path);
		goto out;
	}
	if (!label_is(&b, LABEL_SIGSTORE) && !label_is(&b, LABEL_COSIGN)) {
		rc = sc_error_set(SC_EINPUT, "%s: PEM block '%.*s' is not an encrypted cosign private key", path,
				  (int)b.label_len, b.label);
		goto out;
	}
	if ((rc = sc_key_passphrase(&pass, &pass_len, 0)) != 0)
		goto out;
	if ((rc = sc_key_decrypt_pem(out, data, len, pass, pass_len)) != 0)
		sc_error_prefix(rc, "%s", path);
	sc_key_passphrase_free(pass, pass_len);
out:
	free(data);
	return rc;
}

/* ---- sign / verify ---------------------------------------------------------- */

static const EVP_MD *key_md(sc_key_type t)
{
	switch (t) {
	case SC_KEY_ECDSA_P256: return EVP_sha256();
	/* cosign and containers/image verify every ECDSA curve with SHA-256
	 * (sigstore's LoadVerifier(pub, crypto.SHA256)), whatever the curve. */
	case SC_KEY_ECDSA_P384: return EVP_sha256();
	case SC_KEY_ECDSA_P521: return EVP_sha256();
	case SC_KEY_ED25519: return NULL; /* pure Ed25519 */
	case SC_KEY_RSA: return EVP_sha256();
	}
	return NULL;
}

int sc_key_sign(const sc_key *k, const void *msg, size_t len, sc_buf *sig)
{
	EVP_MD_CTX *ctx;
	unsigned char *s = NULL;
	size_t n = 0;
	int rc;

	if (!k->priv)
		return sc_error_set(SC_EUSAGE, "signing needs a private key");
	if (!(ctx = EVP_MD_CTX_new()))
		return sc_error_set(SC_ENOMEM, "out of memory");
	if (EVP_DigestSignInit(ctx, NULL, key_md(k->type), NULL, k->pk) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, msg, len) != 1) {
		rc = ossl_fail(SC_EINTERNAL, "cannot start signing");
		goto out;
	}
	if (!(s = sc_malloc(n))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if (EVP_DigestSign(ctx, s, &n, msg, len) != 1) {
		rc = ossl_fail(SC_EINTERNAL, "signing failed");
		goto out;
	}
	rc = sc_buf_append(sig, s, n);
out:
	free(s);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* 1 valid, 0 not, negative on an internal error (message set). */
static int verify_once(const sc_key *k, int pss, const void *msg, size_t len, const void *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int r;

	if (!ctx)
		return sc_error_set(SC_ENOMEM, "out of memory");
	if (EVP_DigestVerifyInit(ctx, &pctx, key_md(k->type), NULL, k->pk) != 1 ||
	    (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1))) {
		EVP_MD_CTX_free(ctx);
		return ossl_fail(SC_EINTERNAL, "cannot start verification");
	}
	r = EVP_DigestVerify(ctx, sig, sig_len, msg, len) == 1;
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return r;
}

/* Strict DER: parses completely and re-encodes to the same bytes. */
static int ecdsa_der_ok(const unsigned char *sig, size_t len)
{
	const unsigned char *p = sig;
	unsigned char *again = NULL;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	int n, ok;

	if (!s) {
		ERR_clear_error();
		return 0;
	}
	ok = (size_t)(p - sig) == len && (n = i2d_ECDSA_SIG(s, &again)) > 0 && (size_t)n == len &&
	     memcmp(again, sig, len) == 0;
	OPENSSL_free(again);
	ECDSA_SIG_free(s);
	ERR_clear_error();
	return ok;
}

int sc_key_verify(const sc_key *k, const void *msg, size_t len, const void *sig, size_t sig_len)
{
	const char *tn = sc_key_type_name(k->type);
	int r;

	if (sig_len == 0)
		return sc_error_set(SC_ECHECK, "signature is empty");
	if (sig_len > SC_KEY_SIG_MAX)
		return sc_error_set(SC_ECHECK, "signature of %zu bytes is longer than %u bytes", sig_len,
				    SC_KEY_SIG_MAX);
	switch (k->type) {
	case SC_KEY_ECDSA_P256:
	case SC_KEY_ECDSA_P384:
	case SC_KEY_ECDSA_P521:
		if (!ecdsa_der_ok(sig, sig_len))
			return sc_error_set(SC_ECHECK, "signature is not a valid ASN.1 ECDSA signature");
		break;
	case SC_KEY_ED25519:
		if (sig_len != 64)
			return sc_error_set(SC_ECHECK, "signature of %zu bytes is not a 64-byte Ed25519 signature",
					    sig_len);
		break;
	case SC_KEY_RSA:
		if (sig_len != (size_t)EVP_PKEY_get_size(k->pk))
			return sc_error_set(SC_ECHECK, "signature of %zu bytes does not fit the %d-bit rsa key",
					    sig_len, EVP_PKEY_get_bits(k->pk));
		break;
	}
	if ((r = verify_once(k, 0, msg, len, sig, sig_len)) == 0 && k->type == SC_KEY_RSA)
		r = verify_once(k, 1, msg, len, sig, sig_len);
	if (r < 0)
		return r;
	if (r == 0)
		return sc_error_set(SC_ECHECK, "signature does not verify with the %s key", tn);
	return 0;
}

int sc_key_hint(const sc_key *k, char out[45])
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *b64 = NULL;
	int n = i2d_PUBKEY(k->pk, &der), rc;

	out[0] = '\0';
	if (n <= 0)
		return ossl_fail(SC_EINTERNAL, "cannot encode the public key");
	if (EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		OPENSSL_free(der);
		return ossl_fail(SC_EINTERNAL, "sha256 failed");
	}
	OPENSSL_free(der);
	if ((rc = sc_base64_encode(&b64, md, mdlen)) != 0)
		return rc;
	memcpy(out, b64, 45); /* 44 characters and the NUL */
	free(b64);
	return 0;
}

/* ---- passphrase -------------------------------------------------------------- */

static void tty_write(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* One line from the terminal with echo off into buf (cap bytes with the NUL). */
static int tty_prompt(int fd, const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct termios old, quiet;
	size_t n = 0;
	int too_long = 0, eof = 0, rc = 0;
	char c;

	if (tcgetattr(fd, &old) != 0)
		return sc_error_set(SC_EUSAGE, "no passphrase: set SCUTE_PASSWORD or run on a terminal");
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	tty_write(fd, prompt);
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		return sc_error_set_errno(SC_EIO, errno, "cannot turn terminal echo off");
	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = sc_error_set_errno(SC_EIO, errno, "reading the passphrase failed");
			break;
		}
		if (r == 0) {
			eof = 1;
			break;
		}
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
		else
			too_long = 1;
	}
	c = 0;
	tcsetattr(fd, TCSAFLUSH, &old);
	tty_write(fd, "\n");
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (!rc && too_long)
		rc = sc_error_set(SC_ELIMIT, "passphrase longer than %zu bytes", cap - 1);
	else if (!rc && eof && n == 0)
		rc = sc_error_set(SC_EUSAGE, "no passphrase entered");
	if (rc)
		sodium_memzero(buf, cap);
	*len = n;
	return rc;
}

int sc_key_passphrase(char **out, size_t *len, int confirm)
{
	const char *env = getenv("SCUTE_PASSWORD");
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int fd, rc;

	*out = NULL;
	*len = 0;
	if (!env)
		env = getenv("COSIGN_PASSWORD");
	if (env) {
		if (!(a = sc_strdup(env)))
			return SC_ENOMEM;
		*out = a;
		*len = strlen(a);
		return 0;
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return sc_error_set(SC_EUSAGE, "no passphrase: set SCUTE_PASSWORD or run on a terminal");
	if (!(a = sc_malloc(PASS_MAX)) || (confirm && !(b = sc_malloc(PASS_MAX)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if ((rc = tty_prompt(fd, "Enter password for private key: ", a, PASS_MAX, &na)) != 0)
		goto out;
	if (confirm) {
		if ((rc = tty_prompt(fd, "Enter password for private key again: ", b, PASS_MAX, &nb)) != 0)
			goto out;
		if (na != nb || sodium_memcmp(a, b, na) != 0) {
			rc = sc_error_set(SC_EUSAGE, "passphrases do not match");
			goto out;
		}
	}
out:
	close(fd);
	if (b) {
		sodium_memzero(b, PASS_MAX);
		free(b);
	}
	if (rc) {
		if (a)
			sodium_memzero(a, PASS_MAX);
		free(a);
		return rc;
	}
	*out = a;
	*len = na;
	return 0;
}

void sc_key_passphrase_free(char *p, size_t len)
{
	if (!p)
		return;
	sodium_memzero(p, len + 1);
	free(p);
}
