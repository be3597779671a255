/*
 * base64.c - RFC 4648 base64 encoding and strict decoding.
 */
#include "core/base64.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t sc_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

int sc_base64_encode(char **out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i, o = 0;
	char *s;

	*out = NULL;
	if (len > (((size_t)-1) / 4) * 3 - 3)
		return sc_error_set(SC_ELIMIT, "base64: input too large");
	if (!(s = sc_malloc(sc_base64_encoded_len(len) + 1)))
		return SC_ENOMEM;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = b64_alphabet[(v >> 6) & 63];
		s[o++] = b64_alphabet[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0);

		s[o++] = b64_alphabet[v >> 18];
		s[o++] = b64_alphabet[(v >> 12) & 63];
		s[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		s[o++] = '=';
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

static int b64_value(unsigned char c, int flags)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (c == '-' && (flags & SC_B64_URL)))
		return 62;
	if (c == '/' || (c == '_' && (flags & SC_B64_URL)))
		return 63;
	return -1;
}

int sc_base64_decode(unsigned char **out, size_t *out_len, const char *in, size_t len, size_t max,
		     int flags, const char *what)
{
	size_t i, o = 0, pad = 0;
	unsigned acc = 0;
	int bits = 0;
	unsigned char *d;

	*out = NULL;
	*out_len = 0;
	if (len > max)
		return sc_error_set(SC_ELIMIT, "%s: base64 longer than %zu characters", what, max);
	while (len > 0 && in[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if (pad && (len + pad) % 4 != 0)
		return sc_error_set(SC_EINPUT, "%s: bad base64 padding", what);
	if (len % 4 == 1)
		return sc_error_set(SC_EINPUT, "%s: truncated base64", what);
	if (!(d = sc_malloc(len / 4 * 3 + 3)))
		return SC_ENOMEM;
	for (i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i], flags);

		if (v < 0) {
			free(d);
			return sc_error_set(SC_EINPUT, "%s: not base64 (character %zu)", what, i + 1);
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0) { /* non-canonical: trailing bits set */
		free(d);
		return sc_error_set(SC_EINPUT, "%s: non-canonical base64", what);
	}
	d[o] = '\0';
	*out = d;
	*out_len = o;
	return 0;
}
