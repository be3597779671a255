/*
 * fuzz.c (pubkey) - public key PEM (sc_key_read_public, src/sign/key.c):
 * PEM framing, base64, SubjectPublicKeyInfo DER, key type checks.  A key
 * that parses must re-encode to PEM that parses to the same key hint, and
 * must reject a signature that is not one.
 */
#include "core/buf.h"
#include "core/error.h"
#include "sign/key.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char bogus[64] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
	sc_key *k = NULL, *k2 = NULL;
	char h1[45], h2[45];
	sc_buf pem;

	if (sc_key_read_public(&k, (const char *)data, size) != 0) {
		if (k)
			abort();
		sc_error_clear();
		return 0;
	}
	sc_buf_init(&pem, SC_KEY_FILE_MAX, "public key");
	if (sc_key_is_private(k) || sc_key_hint(k, h1) != 0 || sc_key_public_pem(k, &pem) != 0 ||
	    sc_key_read_public(&k2, pem.data, pem.len) != 0 || sc_key_hint(k2, h2) != 0 || strcmp(h1, h2) != 0 ||
	    sc_key_get_type(k) != sc_key_get_type(k2))
		abort();
	if (sc_key_verify(k, "x", 1, bogus, sizeof(bogus)) != SC_ECHECK)
		abort();
	sc_buf_release(&pem);
	sc_key_free(k);
	sc_key_free(k2);
	sc_error_clear();
	return 0;
}
