/*
 * fuzz.c (bundle) - Sigstore bundles (src/sign/bundle.c).  The input is
 * parsed; a parsed bundle is consistent (known version, one content kind
 * with its parts), and a keyed message-signature bundle written again from
 * its parts parses to the same hint, digest and signature.
 */
#include "core/buf.h"
#include "core/error.h"
#include "sign/bundle.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_bundle b, c;
	sc_buf out;

	if (sc_bundle_parse(&b, data, size) != 0) {
		sc_error_clear();
		return 0;
	}
	if (!b.media_type || b.version_minor < 1 || b.version_minor > 3 || (b.hint && b.has_certificate))
		abort();
	if (b.content == SC_BUNDLE_MESSAGE_SIGNATURE) {
		if (!b.signature || !b.signature_len || b.dsse.nsigs || (b.has_message_digest && !b.message_digest.set))
			abort();
	} else if (b.content != SC_BUNDLE_DSSE || b.signature || !b.dsse.nsigs || !b.dsse.payload_type) {
		abort();
	}
	if (b.content == SC_BUNDLE_MESSAGE_SIGNATURE && b.has_message_digest && b.hint) {
		sc_buf_init(&out, 2 * SC_SIGN_DOC_MAX, "bundle");
		if (sc_bundle_build_message(&out, b.hint, &b.message_digest, b.signature, b.signature_len) != 0)
			abort();
		if (sc_bundle_parse(&c, out.data, out.len) != 0) {
			/* Re-escaping can push a near-limit bundle past SC_SIGN_DOC_MAX. */
			if (sc_error_code() != SC_ELIMIT)
				abort();
			goto out;
		}
		if (strcmp(c.hint, b.hint) != 0 || !sc_digest_eq(&c.message_digest, &b.message_digest) ||
		    c.signature_len != b.signature_len || memcmp(c.signature, b.signature, b.signature_len) != 0)
			abort();
		sc_bundle_release(&c);
out:
		sc_buf_release(&out);
	}
	sc_bundle_release(&b);
	sc_error_clear();
	return 0;
}
