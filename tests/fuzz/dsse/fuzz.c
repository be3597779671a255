/*
 * fuzz.c (dsse) - DSSE envelopes (src/sign/envelope.c).  The input is
 * parsed; when it parses, PAE is computed over the parsed parts and the
 * envelope is written again (first signature) and must parse to the same
 * type, payload and signature.
 */
#include "core/buf.h"
#include "core/error.h"
#include "sign/envelope.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_dsse e, f;
	sc_buf pae, env;
	size_t i;

	if (sc_dsse_parse(&e, data, size) != 0) {
		sc_error_clear();
		return 0;
	}
	if (!e.payload_type || !e.payload || e.nsigs < 1 || e.nsigs > SC_SIGN_MAX_SIGNATURES)
		abort();
	for (i = 0; i < e.nsigs; i++)
		if (!e.sigs[i].keyid || !e.sigs[i].sig || !e.sigs[i].sig_len)
			abort();
	sc_buf_init(&pae, SC_SIGN_DOC_MAX + 64, "pae");
	if (sc_dsse_pae(&pae, e.payload_type, e.payload, e.payload_len) != 0 || pae.len < e.payload_len + 10 ||
	    memcmp(pae.data + pae.len - e.payload_len, e.payload, e.payload_len) != 0)
		abort();
	sc_buf_release(&pae);
	sc_buf_init(&env, 2 * SC_SIGN_DOC_MAX, "envelope");
	if (sc_dsse_build(&env, e.payload_type, e.payload, e.payload_len, e.sigs[0].keyid, e.sigs[0].sig,
			  e.sigs[0].sig_len) != 0)
		abort();
	if (sc_dsse_parse(&f, env.data, env.len) != 0) {
		/* Re-escaping can push a near-limit envelope past SC_SIGN_DOC_MAX. */
		if (sc_error_code() != SC_ELIMIT)
			abort();
		goto out;
	}
	if (strcmp(e.payload_type, f.payload_type) != 0 || e.payload_len != f.payload_len ||
	    memcmp(e.payload, f.payload, e.payload_len) != 0 || f.nsigs != 1 ||
	    strcmp(e.sigs[0].keyid, f.sigs[0].keyid) != 0 || e.sigs[0].sig_len != f.sigs[0].sig_len ||
	    memcmp(e.sigs[0].sig, f.sigs[0].sig, f.sigs[0].sig_len) != 0)
		abort();
	sc_dsse_release(&f);
out:
	sc_buf_release(&env);
	sc_dsse_release(&e);
	sc_error_clear();
	return 0;
}
