/*
 * digest.c - digest parsing/formatting and SHA-256 via OpenSSL's EVP API
 * (which uses the CPU's SHA extensions where present).
 */
#include "core/digest.h"
#include "core/error.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct sc_sha256 {
	EVP_MD_CTX *ctx;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int sc_digest_parse(sc_digest *out, const char *s)
{
	sc_digest d;
	size_t i;

	if (!s)
		return sc_error_set(SC_EINPUT, "missing digest");
	if (strncmp(s, "sha256:", 7) != 0) {
		if (strncmp(s, "sha512:", 7) == 0)
			return sc_error_set(SC_EUNSUPPORTED, "digest algorithm sha512 is not supported");
		return sc_error_set(SC_EINPUT, "malformed digest '%.80s' (want sha256:<64 hex>)", s);
	}
	s += 7;
	if (strlen(s) != 64)
		return sc_error_set(SC_EINPUT, "malformed digest 'sha256:%.80s' (want 64 hex digits)", s);
	memset(&d, 0, sizeof(d));
	for (i = 0; i < 32; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return sc_error_set(SC_EINPUT, "malformed digest 'sha256:%.80s' (not lowercase hex)", s);
		d.bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	d.set = 1;
	*out = d;
	return 0;
}

char *sc_digest_hex(const sc_digest *d, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hx[d->bytes[i] >> 4];
		out[2 * i + 1] = hx[d->bytes[i] & 15];
	}
	out[64] = '\0';
	return out;
}

char *sc_digest_fmt(const sc_digest *d, char out[SC_DIGEST_STRLEN])
{
	if (!d->set) {
		out[0] = '\0';
		return out;
	}
	memcpy(out, "sha256:", 7);
	sc_digest_hex(d, out + 7);
	return out;
}

int sc_digest_eq(const sc_digest *a, const sc_digest *b)
{
	return a->set && b->set && memcmp(a->bytes, b->bytes, 32) == 0;
}

sc_sha256 *sc_sha256_new(void)
{
	sc_sha256 *h = calloc(1, sizeof(*h));

	if (!h) {
		sc_error_set(SC_ENOMEM, "out of memory");
		return NULL;
	}
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(h->ctx);
		free(h);
		sc_error_set(SC_EINTERNAL, "cannot initialise SHA-256");
		return NULL;
	}
	return h;
}

void sc_sha256_update(sc_sha256 *h, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(h->ctx, data, len);
}

void sc_sha256_final(sc_sha256 *h, sc_digest *out)
{
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, out->bytes, &n);
	out->set = 1;
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void sc_sha256_free(sc_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int sc_sha256_buf(sc_digest *out, const void *data, size_t len)
{
	sc_sha256 *h = sc_sha256_new();

	if (!h)
		return sc_error_code();
	sc_sha256_update(h, data, len);
	sc_sha256_final(h, out);
	sc_sha256_free(h);
	return 0;
}
