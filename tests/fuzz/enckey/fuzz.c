/*
 * fuzz.c (enckey) - cosign encrypted private key files
 * (sc_key_decrypt_pem, src/sign/key.c) with the passphrase "fuzz": PEM,
 * base64, JSON, scrypt parameter bounds, secretbox, PKCS#8.  A key that
 * decrypts must sign, and its signature must verify.  The committed seeds
 * use scrypt N=1024 so that replaying them is fast.
 */
#include "core/buf.h"
#include "core/error.h"
#include "sign/key.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char msg[] = "payload";
	sc_key *k = NULL;
	sc_buf sig;
	char hint[45];

	if (sc_key_decrypt_pem(&k, (const char *)data, size, "fuzz", 4) == 0) {
		if (!k || !sc_key_is_private(k) || sc_key_hint(k, hint) != 0)
			abort();
		sc_buf_init(&sig, SC_KEY_SIG_MAX, "signature");
		if (sc_key_sign(k, msg, sizeof(msg) - 1, &sig) != 0 ||
		    sc_key_verify(k, msg, sizeof(msg) - 1, sig.data, sig.len) != 0)
			abort();
		sc_buf_release(&sig);
		sc_key_free(k);
	} else if (k) {
		abort();
	}
	sc_error_clear();
	return 0;
}
