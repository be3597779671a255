/*
 * fuzz.c (sigstore_json) - containers/image "\0sigstore-json\n" signature
 * files (src/sign/envelope.c sc_sigstore_json_parse).  The input is parsed;
 * a parsed file's payload goes on to the simple-signing parser, as the
 * dir: verifier does.
 */
#include "core/error.h"
#include "sign/envelope.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_sigstore_json sj;
	sc_simplesign s;

	if (sc_sigstore_json_parse(&sj, data, size) != 0) {
		sc_error_clear();
		return 0;
	}
	if (!sj.mime_type || !sj.payload || (sj.signature && !sj.signature_len) || (sj.signature && !sj.annotations))
		abort();
	if (sc_simplesign_parse(&s, sj.payload, sj.payload_len) == 0)
		sc_simplesign_release(&s);
	sc_sigstore_json_release(&sj);
	sc_error_clear();
	return 0;
}
