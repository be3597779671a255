/*
 * test_key.c - cosign encrypted private keys, PKIX public keys, signing and
 * verification (src/sign/key.c), against cosign's and containers/image's
 * own vectors in ../shared/data/sigstore when present.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "signtest.h"

#include "core/base64.h"
#include "core/buf.h"
#include "core/error.h"
#include "sign/key.h"

#include <fcntl.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define LABEL_SIGSTORE "ENCRYPTED SIGSTORE PRIVATE KEY"
#define LABEL_COSIGN "ENCRYPTED COSIGN PRIVATE KEY"

static const char msg[] = "a message to sign";

/* ---- helpers ---------------------------------------------------------------- */

/* The vector's bytes, or skip() with a reason when the shared vectors are absent. */
#define VECTOR(var, len, name)                                                                  \
	do {                                                                                    \
		char *vp_ = shared_path(name);                                                  \
		if (!vp_) {                                                                     \
			print_message("skipped: ../shared/data/sigstore/%s not present\n", name); \
			skip();                                                                 \
		}                                                                               \
		var = (char *)slurp(vp_, &(len));                                               \
		free(vp_);                                                                      \
		assert_non_null(var);                                                           \
	} while (0)

static void pem_wrap(sc_buf *out, const char *label, const void *data, size_t len)
{
	char *b64;
	size_t n, i;

	assert_int_equal(sc_base64_encode(&b64, data, len), 0);
	n = strlen(b64);
	assert_int_equal(sc_buf_printf(out, "-----BEGIN %s-----\n", label), 0);
	for (i = 0; i < n; i += 64) {
		assert_int_equal(sc_buf_append(out, b64 + i, n - i < 64 ? n - i : 64), 0);
		assert_int_equal(sc_buf_putc(out, '\n'), 0);
	}
	assert_int_equal(sc_buf_printf(out, "-----END %s-----\n", label), 0);
	free(b64);
}

/* The JSON inside an encrypted key PEM. */
static json_t *pem_json(const char *pem)
{
	const char *b = strstr(pem, "-----\n"), *e = strstr(pem, "\n-----END");
	char *clean = malloc(strlen(pem));
	unsigned char *raw;
	size_t n = 0, rawlen;
	json_t *j;

	assert_non_null(b);
	assert_non_null(e);
	for (b += 6; b < e; b++)
		if (*b != '\n')
			clean[n++] = *b;
	assert_int_equal(sc_base64_decode(&raw, &rawlen, clean, n, 1 << 20, 0, "test"), 0);
	j = json_loadb((const char *)raw, rawlen, 0, NULL);
	assert_non_null(j);
	free(clean);
	free(raw);
	return j;
}

/* An encrypted key file built field by field (cheap N), to test every check. */
typedef struct enc_spec {
	const char *label, *kdf, *cipher;
	unsigned long long n, r, p;
	size_t salt_len, nonce_len;
	int tamper; /* flip a ciphertext bit */
	int truncate_ct; /* ciphertext of 16 bytes */
} enc_spec;

static const enc_spec DEF = { LABEL_SIGSTORE, "scrypt", "nacl/secretbox", 1024, 8, 1, 32, 24, 0, 0 };

static char *make_enc(const enc_spec *s, const void *pt, size_t pt_len, const char *pass)
{
	unsigned char salt[256], nonce[64], key[32], *ct;
	char *salt64, *nonce64, *ct64, *json, *out;
	size_t ct_len = crypto_secretbox_MACBYTES + pt_len;
	sc_buf b;
	int ok_params = s->n >= 2 && (s->n & (s->n - 1)) == 0 && s->n <= 65536 && s->r >= 1 && s->r <= 32 &&
			s->p >= 1 && s->p <= 16;

	assert_true(sodium_init() >= 0);
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	if (ok_params && s->salt_len)
		assert_int_equal(EVP_PBE_scrypt(pass, strlen(pass), salt, s->salt_len, s->n, s->r, s->p, 256u << 20,
						key, 32),
				 1);
	else
		randombytes_buf(key, sizeof(key));
	ct = malloc(ct_len);
	assert_int_equal(crypto_secretbox_easy(ct, pt, pt_len, nonce, key), 0);
	if (s->tamper)
		ct[ct_len / 2] ^= 0x20;
	if (s->truncate_ct)
		ct_len = 16;
	assert_int_equal(sc_base64_encode(&salt64, salt, s->salt_len), 0);
	assert_int_equal(sc_base64_encode(&nonce64, nonce, s->nonce_len), 0);
	assert_int_equal(sc_base64_encode(&ct64, ct, ct_len), 0);
	assert_true(asprintf(&json,
			     "{\"kdf\":{\"name\":\"%s\",\"params\":{\"N\":%llu,\"r\":%llu,\"p\":%llu},\"salt\":\"%s\"},"
			     "\"cipher\":{\"name\":\"%s\",\"nonce\":\"%s\"},\"ciphertext\":\"%s\"}",
			     s->kdf, s->n, s->r, s->p, salt64, s->cipher, nonce64, ct64) > 0);
	sc_buf_init(&b, 1 << 20, "test");
	pem_wrap(&b, s->label, json, strlen(json));
	out = sc_buf_detach(&b, NULL);
	free(salt64);
	free(nonce64);
	free(ct64);
	free(json);
	free(ct);
	return out;
}

static unsigned char *pkcs8_of(EVP_PKEY *pk, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pk);
	unsigned char *der = NULL, *copy;
	int n;

	assert_non_null(p8);
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	assert_true(n > 0);
	copy = malloc((size_t)n);
	memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	*len = (size_t)n;
	return copy;
}

/* An sc_key holding the private key pk (through an encrypted file with a cheap N). */
static sc_key *private_of(EVP_PKEY *pk)
{
	size_t len;
	unsigned char *der = pkcs8_of(pk, &len);
	char *pem = make_enc(&DEF, der, len, "pw");
	sc_key *k = NULL;

	if (sc_key_decrypt_pem(&k, pem, strlen(pem), "pw", 2) != 0)
		fail_msg("%s", sc_error_msg());
	free(der);
	free(pem);
	return k;
}

/* An sc_key holding the public part of pk, through its PEM. */
static sc_key *public_of(EVP_PKEY *pk)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	sc_key *k = NULL;

	assert_int_equal(PEM_write_bio_PUBKEY(bio, pk), 1);
	n = BIO_get_mem_data(bio, &data);
	if (sc_key_read_public(&k, data, (size_t)n) != 0)
		fail_msg("%s", sc_error_msg());
	BIO_free(bio);
	return k;
}

static void sign_with(EVP_PKEY *pk, const EVP_MD *md, int pss, unsigned char *sig, size_t *sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	assert_int_equal(EVP_DigestSignInit(ctx, &pctx, md, NULL, pk), 1);
	if (pss) {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
	}
	assert_int_equal(EVP_DigestSign(ctx, sig, sig_len, (const unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(ctx);
}

static void decrypt_fails(const char *pem, const char *pass, int code, const char *want)
{
	sc_key *k = (sc_key *)1;
	int rc = sc_key_decrypt_pem(&k, pem, strlen(pem), pass, strlen(pass));

	if (rc != code)
		fail_msg("rc %d (want %d): %s", rc, code, sc_error_msg());
	assert_null(k);
	if (!strstr(sc_error_msg(), want))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), want);
}

static void spec_fails(const enc_spec *s, int code, const char *want)
{
	static const unsigned char junk[40] = { 1, 2, 3 };
	char *pem = make_enc(s, junk, sizeof(junk), "pw");

	decrypt_fails(pem, "pw", code, want);
	free(pem);
}

/* ---- generated keys --------------------------------------------------------------- */

static void test_roundtrip(void **state)
{
	sc_key *k = NULL, *k2 = NULL, *pub = NULL;
	sc_buf pem, pubpem, sig;
	char h1[45], h2[45], h3[45];
	json_t *j;

	(void)state;
	sc_buf_init(&pem, 1 << 20, "pem");
	sc_buf_init(&pubpem, 1 << 20, "pub");
	sc_buf_init(&sig, 4096, "sig");
	assert_int_equal(sc_key_generate(&k), 0);
	assert_int_equal(sc_key_get_type(k), SC_KEY_ECDSA_P256);
	assert_true(sc_key_is_private(k));
	assert_int_equal(sc_key_encrypt_pem(k, "s3cret", 6, 0, &pem), 0);
	assert_true(strncmp(pem.data, "-----BEGIN " LABEL_SIGSTORE "-----\n", 42) == 0);
	assert_non_null(strstr(pem.data, "\n-----END " LABEL_SIGSTORE "-----\n"));
	assert_int_equal(pem.data[pem.len - 1], '\n');
	for (const char *l = pem.data; *l; l = strchr(l, '\n') + 1)
		assert_true(strchr(l, '\n') - l <= 64);
	/* go-securesystemslib's field names and order, N=65536 (its Standard strength). */
	j = pem_json(pem.data);
	{
		char *dump = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

		static const char head[] = "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":65536,\"r\":8,\"p\":1},"
					   "\"salt\":\"";

		assert_true(strncmp(dump, head, sizeof(head) - 1) == 0);
		assert_non_null(strstr(dump, "},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\""));
		assert_non_null(strstr(dump, "\"},\"ciphertext\":\""));
		free(dump);
	}
	json_decref(j);

	if (sc_key_decrypt_pem(&k2, pem.data, pem.len, "s3cret", 6) != 0)
		fail_msg("%s", sc_error_msg());
	assert_true(sc_key_is_private(k2));
	assert_int_equal(sc_key_public_pem(k, &pubpem), 0);
	assert_true(strncmp(pubpem.data, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
	assert_int_equal(sc_key_read_public(&pub, pubpem.data, pubpem.len), 0);
	assert_false(sc_key_is_private(pub));
	assert_int_equal(sc_key_sign(k2, msg, strlen(msg), &sig), 0);
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig.data, sig.len), 0);
	assert_int_equal(sc_key_verify(k, msg, strlen(msg), sig.data, sig.len), 0);
	assert_int_equal(sc_key_verify(pub, "other", 5, sig.data, sig.len), SC_ECHECK);
	assert_string_equal(sc_error_msg(), "signature does not verify with the ecdsa-p256 key");
	assert_int_equal(sc_key_hint(k, h1), 0);
	assert_int_equal(sc_key_hint(k2, h2), 0);
	assert_int_equal(sc_key_hint(pub, h3), 0);
	assert_int_equal(strlen(h1), 44);
	assert_string_equal(h1, h2);
	assert_string_equal(h1, h3);
	/* A public key cannot sign or be encrypted. */
	assert_int_equal(sc_key_sign(pub, msg, 1, &sig), SC_EUSAGE);
	assert_int_equal(sc_key_encrypt_pem(pub, "x", 1, 0, &pem), SC_EUSAGE);
	sc_key_free(k);
	sc_key_free(k2);
	sc_key_free(pub);
	sc_key_free(NULL);
	sc_buf_release(&pem);
	sc_buf_release(&pubpem);
	sc_buf_release(&sig);
}

static void test_legacy_label(void **state)
{
	sc_key *k = NULL, *k2 = NULL;
	sc_buf pem, sig;
	json_t *j, *params;

	(void)state;
	sc_buf_init(&pem, 1 << 20, "pem");
	sc_buf_init(&sig, 4096, "sig");
	assert_int_equal(sc_key_generate(&k), 0);
	assert_int_equal(sc_key_encrypt_pem(k, "", 0, 1, &pem), 0);
	assert_true(strncmp(pem.data, "-----BEGIN " LABEL_COSIGN "-----\n", 40) == 0);
	j = pem_json(pem.data);
	params = json_object_get(json_object_get(j, "kdf"), "params");
	assert_int_equal(json_integer_value(json_object_get(params, "N")), 32768);
	assert_int_equal(json_integer_value(json_object_get(params, "r")), 8);
	assert_int_equal(json_integer_value(json_object_get(params, "p")), 1);
	json_decref(j);
	/* The empty passphrase is a passphrase. */
	if (sc_key_decrypt_pem(&k2, pem.data, pem.len, NULL, 0) != 0)
		fail_msg("%s", sc_error_msg());
	assert_int_equal(sc_key_sign(k2, msg, strlen(msg), &sig), 0);
	assert_int_equal(sc_key_verify(k, msg, strlen(msg), sig.data, sig.len), 0);
	sc_key_free(k2);
	k2 = NULL;
	decrypt_fails(pem.data, "x", SC_EINPUT, "wrong passphrase or corrupt key");
	sc_key_free(k);
	sc_buf_release(&pem);
	sc_buf_release(&sig);
}

static void test_wrong_passphrase(void **state)
{
	static const unsigned char junk[40] = { 0 };
	char *pem = make_enc(&DEF, junk, sizeof(junk), "right");

	(void)state;
	decrypt_fails(pem, "wrong", SC_EINPUT, "wrong passphrase or corrupt key");
	/* The right one gets past the box: the plaintext is then not PKCS#8. */
	decrypt_fails(pem, "right", SC_EINPUT, "not PKCS#8");
	free(pem);
}

static void test_tampered(void **state)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	enc_spec s = DEF;
	size_t len;
	unsigned char *der = pkcs8_of(pk, &len);
	char *pem;
	sc_key *k = NULL;

	(void)state;
	pem = make_enc(&s, der, len, "pw");
	assert_int_equal(sc_key_decrypt_pem(&k, pem, strlen(pem), "pw", 2), 0);
	sc_key_free(k);
	free(pem);
	s.tamper = 1;
	pem = make_enc(&s, der, len, "pw");
	decrypt_fails(pem, "pw", SC_EINPUT, "wrong passphrase or corrupt key");
	free(pem);
	s = DEF;
	s.truncate_ct = 1;
	pem = make_enc(&s, der, len, "pw");
	decrypt_fails(pem, "pw", SC_EINPUT, "too short");
	free(pem);
	free(der);
	EVP_PKEY_free(pk);
}

static void test_params(void **state)
{
	enc_spec s;

	(void)state;
	s = DEF, s.n = 1u << 21;
	spec_fails(&s, SC_ELIMIT, "scrypt N=2097152 is outside");
	s = DEF, s.n = 512;
	spec_fails(&s, SC_ELIMIT, "outside");
	s = DEF, s.n = 3000;
	spec_fails(&s, SC_EINPUT, "not a power of two");
	s = DEF, s.n = 0;
	spec_fails(&s, SC_EINPUT, "not a power of two");
	s = DEF, s.r = 0;
	spec_fails(&s, SC_ELIMIT, "out of range");
	s = DEF, s.r = 1000;
	spec_fails(&s, SC_ELIMIT, "out of range");
	s = DEF, s.p = 17;
	spec_fails(&s, SC_ELIMIT, "out of range");
	s = DEF, s.n = 1u << 20, s.r = 16;
	spec_fails(&s, SC_ELIMIT, "MiB");
	s = DEF, s.kdf = "argon2id";
	spec_fails(&s, SC_EINPUT, "kdf 'argon2id' is not scrypt");
	s = DEF, s.cipher = "aes-gcm";
	spec_fails(&s, SC_EINPUT, "cipher 'aes-gcm' is not nacl/secretbox");
	s = DEF, s.nonce_len = 12;
	spec_fails(&s, SC_EINPUT, "nonce of 12 bytes");
	s = DEF, s.salt_len = 0;
	spec_fails(&s, SC_EINPUT, "salt of 0 bytes");
	s = DEF, s.label = "PRIVATE KEY";
	spec_fails(&s, SC_EINPUT, "is not an encrypted cosign private key");
	s = DEF, s.label = "PUBLIC KEY";
	spec_fails(&s, SC_EINPUT, "this is a public key");
}

static void test_malformed(void **state)
{
	static const char *bad_json[] = {
		"[]", "{}", "{\"kdf\":1}", "not json",
		"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":-1,\"r\":8,\"p\":1},\"salt\":\"AAAA\"},"
		"\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAA\"},\"ciphertext\":\"AAAA\"}",
		"{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":1024,\"r\":8,\"p\":1},\"salt\":\"!!\"},"
		"\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"AAAA\"},\"ciphertext\":\"AAAA\"}",
	};
	sc_buf b;
	size_t i;

	(void)state;
	decrypt_fails("", "x", SC_EINPUT, "no PEM block");
	decrypt_fails("hello", "x", SC_EINPUT, "no PEM block");
	decrypt_fails("-----BEGIN " LABEL_SIGSTORE "-----\nAAAA\n", "x", SC_EINPUT, "no END line");
	decrypt_fails("-----BEGIN " LABEL_SIGSTORE "-----\nA*AA\n-----END " LABEL_SIGSTORE "-----\n", "x",
		      SC_EINPUT, "");
	decrypt_fails("x-----BEGIN " LABEL_SIGSTORE "-----\n", "x", SC_EINPUT, "no PEM block");
	sc_buf_init(&b, 1 << 20, "t");
	for (i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		sc_buf_reset(&b);
		pem_wrap(&b, LABEL_COSIGN, bad_json[i], strlen(bad_json[i]));
		decrypt_fails(b.data, "x", SC_EINPUT, "encrypted key");
	}
	/* Over the file bound. */
	sc_buf_reset(&b);
	for (i = 0; i < SC_KEY_FILE_MAX / 64 + 2; i++)
		assert_int_equal(sc_buf_puts(&b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"), 0);
	decrypt_fails(b.data, "x", SC_ELIMIT, "limit");
	sc_buf_release(&b);
}

/* ---- cosign's vectors ---------------------------------------------------------------- */

static void vector_pair(const char *keyname, const char *pubname)
{
	char *pem, *pubpem, h1[45], h2[45];
	size_t len, publen;
	sc_key *k = NULL, *pub = NULL;
	sc_buf sig;

	VECTOR(pem, len, keyname);
	VECTOR(pubpem, publen, pubname);
	if (sc_key_decrypt_pem(&k, pem, len, "hello", 5) != 0)
		fail_msg("%s: %s", keyname, sc_error_msg());
	assert_int_equal(sc_key_get_type(k), SC_KEY_ECDSA_P256);
	assert_int_equal(sc_key_read_public(&pub, pubpem, publen), 0);
	sc_buf_init(&sig, 4096, "sig");
	assert_int_equal(sc_key_sign(k, msg, strlen(msg), &sig), 0);
	if (sc_key_verify(pub, msg, strlen(msg), sig.data, sig.len) != 0)
		fail_msg("%s: %s", pubname, sc_error_msg());
	assert_int_equal(sc_key_hint(k, h1), 0);
	assert_int_equal(sc_key_hint(pub, h2), 0);
	assert_string_equal(h1, h2);
	decrypt_fails(pem, "hellO", SC_EINPUT, "wrong passphrase or corrupt key");
	sc_buf_release(&sig);
	sc_key_free(k);
	sc_key_free(pub);
	free(pem);
	free(pubpem);
}

static void test_vector_sigstore_label(void **state)
{
	(void)state;
	vector_pair("cosign-pemsigstorekey.key", "cosign-pemsigstorekey.pub");
}

static void test_vector_cosign_label(void **state)
{
	(void)state;
	vector_pair("cosign-pemcosignkey.key", "cosign-pemcosignkey.pub");
}

static void test_vector_sec1_rejected(void **state)
{
	char *pem;
	size_t len;

	(void)state;
	VECTOR(pem, len, "cosign-pemcosigneckey.key");
	decrypt_fails(pem, "hello", SC_EINPUT, "SEC1 EC private key, not PKCS#8");
	free(pem);
}

static void test_vector_public_keys(void **state)
{
	static const char *names[] = { "ci-cosign.pub", "ci-cosign2.pub", "conf-key.pub",
				       "cosign-pemcosigneckey.pub", "cosign-pemcosignkey.pub",
				       "cosign-pemsigstorekey.pub", "sgo-public-key-validity.pem",
				       "sgo-publish_key.pub" };
	size_t i, len;
	char *pem, hint[45];
	sc_key *k = NULL;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		VECTOR(pem, len, names[i]);
		if (sc_key_read_public(&k, pem, len) != 0)
			fail_msg("%s: %s", names[i], sc_error_msg());
		assert_int_equal(sc_key_get_type(k), SC_KEY_ECDSA_P256);
		assert_int_equal(sc_key_hint(k, hint), 0);
		/* Values computed with python3-cryptography: base64(sha256(SPKI DER)). */
		if (strcmp(names[i], "ci-cosign.pub") == 0)
			assert_string_equal(hint, "yHp5AY80bMAkgkSLdylrC+oUPvLMq5mwR3b7D2OPMB8=");
		if (strcmp(names[i], "sgo-publish_key.pub") == 0)
			assert_string_equal(hint, "HpCKVUWf5t2sHMvBN+qGMe6DcDL+wqLMxSizjYHxcQg=");
		sc_key_free(k);
		k = NULL;
		free(pem);
	}
}

/* containers/image's dir: signature: "\0sigstore-json\n" + JSON. */
static void read_dir_signature(const char *name, unsigned char **payload, size_t *plen, unsigned char **sig,
			       size_t *slen)
{
	static const char magic[] = "\0sigstore-json\n";
	char *data;
	size_t len;
	json_t *j;
	const char *p, *s;

	VECTOR(data, len, name);
	assert_true(len > sizeof(magic) - 1);
	assert_memory_equal(data, magic, sizeof(magic) - 1);
	j = json_loadb(data + sizeof(magic) - 1, len - (sizeof(magic) - 1), 0, NULL);
	assert_non_null(j);
	p = json_string_value(json_object_get(j, "payload"));
	s = json_string_value(json_object_get(json_object_get(j, "annotations"),
					      "dev.cosignproject.cosign/signature"));
	assert_non_null(p);
	assert_non_null(s);
	assert_int_equal(sc_base64_decode(payload, plen, p, strlen(p), 1 << 20, 0, "payload"), 0);
	assert_int_equal(sc_base64_decode(sig, slen, s, strlen(s), 4096, 0, "sig"), 0);
	json_decref(j);
	free(data);
}

static void test_vector_ci_signature(void **state)
{
	unsigned char *payload, *sig;
	size_t plen, slen;
	char *pem, *pem2;
	size_t len, len2;
	sc_key *k = NULL, *k2 = NULL;

	(void)state;
	VECTOR(pem, len, "ci-cosign.pub");
	VECTOR(pem2, len2, "ci-cosign2.pub");
	read_dir_signature("ci-dir-img-cosign-valid/signature-1", &payload, &plen, &sig, &slen);
	assert_int_equal(sc_key_read_public(&k, pem, len), 0);
	assert_int_equal(sc_key_read_public(&k2, pem2, len2), 0);
	if (sc_key_verify(k, payload, plen, sig, slen) != 0)
		fail_msg("%s", sc_error_msg());
	assert_int_equal(sc_key_verify(k2, payload, plen, sig, slen), SC_ECHECK);
	assert_string_equal(sc_error_msg(), "signature does not verify with the ecdsa-p256 key");
	payload[10] ^= 1;
	assert_int_equal(sc_key_verify(k, payload, plen, sig, slen), SC_ECHECK);
	payload[10] ^= 1;
	/* Not DER any more: a trailing byte, a truncated one, garbage. */
	{
		unsigned char longer[SC_KEY_SIG_MAX];

		memcpy(longer, sig, slen);
		longer[slen] = 0;
		assert_int_equal(sc_key_verify(k, payload, plen, longer, slen + 1), SC_ECHECK);
		assert_string_equal(sc_error_msg(), "signature is not a valid ASN.1 ECDSA signature");
		assert_int_equal(sc_key_verify(k, payload, plen, sig, slen - 1), SC_ECHECK);
		assert_string_equal(sc_error_msg(), "signature is not a valid ASN.1 ECDSA signature");
		assert_int_equal(sc_key_verify(k, payload, plen, "hello", 5), SC_ECHECK);
		assert_int_equal(sc_key_verify(k, payload, plen, "", 0), SC_ECHECK);
		assert_string_equal(sc_error_msg(), "signature is empty");
	}
	free(payload);
	free(sig);
	sc_key_free(k);
	sc_key_free(k2);
	free(pem);
	free(pem2);
}

/* ---- other key types ------------------------------------------------------------------- */

static void test_p384_rejects_p256_signature(void **state)
{
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	sc_key *pub384 = public_of(p384), *priv384 = private_of(p384), *k = NULL;
	sc_buf sig;

	(void)state;
	sc_buf_init(&sig, 4096, "sig");
	assert_int_equal(sc_key_get_type(pub384), SC_KEY_ECDSA_P384);
	assert_int_equal(sc_key_generate(&k), 0);
	assert_int_equal(sc_key_sign(k, msg, strlen(msg), &sig), 0);
	assert_int_equal(sc_key_verify(pub384, msg, strlen(msg), sig.data, sig.len), SC_ECHECK);
	assert_string_equal(sc_error_msg(), "signature does not verify with the ecdsa-p384 key");
	/* Its own signatures (SHA-256, as cosign hashes every curve) verify. */
	sc_buf_reset(&sig);
	assert_int_equal(sc_key_sign(priv384, msg, strlen(msg), &sig), 0);
	assert_int_equal(sc_key_verify(pub384, msg, strlen(msg), sig.data, sig.len), 0);
	assert_int_equal(sc_key_verify(k, msg, strlen(msg), sig.data, sig.len), SC_ECHECK);
	sc_buf_release(&sig);
	sc_key_free(k);
	sc_key_free(pub384);
	sc_key_free(priv384);
	EVP_PKEY_free(p384);
}

static void test_p521(void **state)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	sc_key *pub = public_of(pk);
	unsigned char sig[256];
	size_t n = sizeof(sig);

	(void)state;
	assert_int_equal(sc_key_get_type(pub), SC_KEY_ECDSA_P521);
	assert_string_equal(sc_key_type_name(sc_key_get_type(pub)), "ecdsa-p521");
	sign_with(pk, EVP_sha256(), 0, sig, &n);
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, n), 0);
	sc_key_free(pub);
	EVP_PKEY_free(pk);
}

static void test_ed25519(void **state)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	sc_key *pub = public_of(pk), *priv = private_of(pk);
	unsigned char sig[64];
	size_t n = sizeof(sig);
	sc_buf mine;
	char h1[45], h2[45];

	(void)state;
	assert_int_equal(sc_key_get_type(pub), SC_KEY_ED25519);
	assert_string_equal(sc_key_type_name(SC_KEY_ED25519), "ed25519");
	sign_with(pk, NULL, 0, sig, &n);
	assert_int_equal(n, 64);
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, n), 0);
	sig[0] ^= 1;
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, n), SC_ECHECK);
	assert_string_equal(sc_error_msg(), "signature does not verify with the ed25519 key");
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, 63), SC_ECHECK);
	assert_non_null(strstr(sc_error_msg(), "not a 64-byte Ed25519 signature"));
	sc_buf_init(&mine, 4096, "sig");
	assert_int_equal(sc_key_sign(priv, msg, strlen(msg), &mine), 0);
	assert_int_equal(mine.len, 64);
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), mine.data, mine.len), 0);
	assert_int_equal(sc_key_hint(pub, h1), 0);
	assert_int_equal(sc_key_hint(priv, h2), 0);
	assert_string_equal(h1, h2);
	sc_buf_release(&mine);
	sc_key_free(pub);
	sc_key_free(priv);
	EVP_PKEY_free(pk);
}

static void test_rsa(void **state)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	sc_key *pub = public_of(pk), *priv = private_of(pk);
	unsigned char sig[256];
	size_t n = sizeof(sig);
	sc_buf mine;

	(void)state;
	assert_int_equal(sc_key_get_type(pub), SC_KEY_RSA);
	sign_with(pk, EVP_sha256(), 0, sig, &n);
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, n), 0);
	/* PSS is tried when PKCS#1 v1.5 does not verify. */
	n = sizeof(sig);
	sign_with(pk, EVP_sha256(), 1, sig, &n);
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, n), 0);
	sig[5] ^= 1;
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, n), SC_ECHECK);
	assert_string_equal(sc_error_msg(), "signature does not verify with the rsa key");
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), sig, 100), SC_ECHECK);
	sc_buf_init(&mine, 4096, "sig");
	assert_int_equal(sc_key_sign(priv, msg, strlen(msg), &mine), 0);
	assert_int_equal(sc_key_verify(pub, msg, strlen(msg), mine.data, mine.len), 0);
	sc_buf_release(&mine);
	sc_key_free(pub);
	sc_key_free(priv);
	EVP_PKEY_free(pk);
}

static void public_fails(const char *pem, int code, const char *want)
{
	sc_key *k = (sc_key *)1;
	int rc = sc_key_read_public(&k, pem, strlen(pem));

	if (rc != code)
		fail_msg("rc %d (want %d): %s", rc, code, sc_error_msg());
	assert_null(k);
	if (!strstr(sc_error_msg(), want))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), want);
}

static void test_public_rejects(void **state)
{
	EVP_PKEY *pk;
	BIO *bio;
	char *data;
	long n;
	sc_buf b;

	(void)state;
	public_fails("", SC_EINPUT, "no PEM block");
	public_fails("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", SC_EINPUT,
		     "not a valid PKIX");
	public_fails("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", SC_EINPUT,
		     "not a PKIX public key");
	public_fails("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
		     SC_EINPUT, "this is a private key");
	/* A compressed P-256 point. */
	public_fails("-----BEGIN PUBLIC KEY-----\n"
		     "MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgACFNLqFhf4fiN6o/glAuYnq2jYUeL0vRuLu/z39pmbVwQ=\n"
		     "-----END PUBLIC KEY-----\n",
		     SC_EINPUT, "compressed EC points are not accepted");
	/* Unsupported curve and a weak RSA key. */
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PUBKEY(bio, pk), 1);
	n = BIO_get_mem_data(bio, &data);
	sc_buf_init(&b, 1 << 16, "t");
	assert_int_equal(sc_buf_append(&b, data, (size_t)n), 0);
	public_fails(b.data, SC_EUNSUPPORTED, "secp256k1 is not supported");
	BIO_free(bio);
	EVP_PKEY_free(pk);
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PUBKEY(bio, pk), 1);
	n = BIO_get_mem_data(bio, &data);
	sc_buf_reset(&b);
	assert_int_equal(sc_buf_append(&b, data, (size_t)n), 0);
	public_fails(b.data, SC_EUNSUPPORTED, "RSA key of 1024 bits");
	BIO_free(bio);
	EVP_PKEY_free(pk);
	sc_buf_release(&b);
	/* Text around the block, CRLF lines. */
	{
		sc_key *k = NULL;
		const char *ok = "comment line\r\n-----BEGIN PUBLIC KEY-----\r\n"
				 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEFNLqFhf4fiN6o/glAuYnq2jYUeL0\r\n"
				 "vRuLu/z39pmbVwS9ff5AYnlwaP9sxREajdLY9ynM6G1sy6AAmb7Z63TsLg==\r\n"
				 "-----END PUBLIC KEY-----\r\ntrailing";

		assert_int_equal(sc_key_read_public(&k, ok, strlen(ok)), 0);
		sc_key_free(k);
	}
}

/* ---- files and the passphrase --------------------------------------------------------------- */

static void test_load_files(void **state)
{
	char *keyp = shared_path("cosign-pemsigstorekey.key"), *pubp = shared_path("cosign-pemsigstorekey.pub");
	sc_key *k = NULL;

	(void)state;
	if (!keyp || !pubp) {
		free(keyp);
		free(pubp);
		print_message("skipped: ../shared/data/sigstore not present\n");
		skip();
	}
	setenv("SCUTE_PASSWORD", "hello", 1);
	setenv("COSIGN_PASSWORD", "not this one", 1);
	if (sc_key_load_private(&k, keyp) != 0)
		fail_msg("%s", sc_error_msg());
	sc_key_free(k);
	k = NULL;
	assert_int_equal(sc_key_load_public(&k, pubp), 0);
	sc_key_free(k);
	k = NULL;
	assert_int_equal(sc_key_load_private(&k, pubp), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "is a public key; signing needs the private key"));
	assert_int_equal(sc_key_load_public(&k, keyp), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "this is a private key"));
	setenv("SCUTE_PASSWORD", "wrong", 1);
	assert_int_equal(sc_key_load_private(&k, keyp), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), ": wrong passphrase or corrupt key"));
	unsetenv("SCUTE_PASSWORD");
	setenv("COSIGN_PASSWORD", "hello", 1);
	assert_int_equal(sc_key_load_private(&k, keyp), 0);
	sc_key_free(k);
	unsetenv("COSIGN_PASSWORD");
	assert_int_equal(sc_key_load_public(&k, "/nonexistent/cosign.pub"), SC_ENOTFOUND);
	assert_int_equal(sc_key_load_public(&k, "/"), SC_EINPUT);
	free(keyp);
	free(pubp);
}

static void test_passphrase_env(void **state)
{
	char *p;
	size_t n;

	(void)state;
	setenv("SCUTE_PASSWORD", "first", 1);
	setenv("COSIGN_PASSWORD", "second", 1);
	assert_int_equal(sc_key_passphrase(&p, &n, 1), 0);
	assert_string_equal(p, "first");
	assert_int_equal(n, 5);
	sc_key_passphrase_free(p, n);
	unsetenv("SCUTE_PASSWORD");
	assert_int_equal(sc_key_passphrase(&p, &n, 0), 0);
	assert_string_equal(p, "second");
	sc_key_passphrase_free(p, n);
	setenv("COSIGN_PASSWORD", "", 1);
	assert_int_equal(sc_key_passphrase(&p, &n, 0), 0);
	assert_string_equal(p, "");
	assert_int_equal(n, 0);
	sc_key_passphrase_free(p, n);
	unsetenv("COSIGN_PASSWORD");
	sc_key_passphrase_free(NULL, 0);
}

/* Without a controlling terminal (a new session) and no variable: a usage error. */
static void test_passphrase_no_tty(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *p = NULL;
		size_t n;
		int rc;

		unsetenv("SCUTE_PASSWORD");
		unsetenv("COSIGN_PASSWORD");
		if (setsid() < 0)
			_exit(3);
		rc = sc_key_passphrase(&p, &n, 1);
		_exit(rc == SC_EUSAGE && p == NULL &&
				      strcmp(sc_error_msg(), "no passphrase: set SCUTE_PASSWORD or run on a terminal") == 0
			      ? 0
			      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_legacy_label),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_vector_sigstore_label),
		cmocka_unit_test(test_vector_cosign_label),
		cmocka_unit_test(test_vector_sec1_rejected),
		cmocka_unit_test(test_vector_public_keys),
		cmocka_unit_test(test_vector_ci_signature),
		cmocka_unit_test(test_p384_rejects_p256_signature),
		cmocka_unit_test(test_p521),
		cmocka_unit_test(test_ed25519),
		cmocka_unit_test(test_rsa),
		cmocka_unit_test(test_public_rejects),
		cmocka_unit_test(test_load_files),
		cmocka_unit_test(test_passphrase_env),
		cmocka_unit_test(test_passphrase_no_tty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
