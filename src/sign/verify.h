/*
 * verify.h - deciding whether a signature or attestation is valid for an
 * image, for a set of public keys.
 *
 * A simple signature is valid when its payload parses, its
 * docker-manifest-digest is the image's digest, its signature verifies
 * over the payload bytes with one of the keys, and (when asked) its
 * docker-reference is the required identity.  An attestation is valid when
 * its DSSE envelope's payload type is in-toto, a signature verifies over
 * PAE(payloadType, payload) with one of the keys, the Statement has a
 * subject with the image's sha256 digest, and its predicateType is the one
 * asked for (any when NULL).  A Sigstore bundle is checked the same way
 * for its content (message signature: its messageDigest must be the
 * SHA-256 of the signed payload); bundles with transparency-log entries or
 * certificates are rejected unless ignore_tlog, because scute verifies
 * offline with keys only and cannot check them.  Every rejection has a
 * one-line reason.
 */
#ifndef SC_SIGN_VERIFY_H
#define SC_SIGN_VERIFY_H

#include "core/digest.h"
#include "sign/key.h"
#include "sign/store.h"

#include <jansson.h>

typedef struct sc_verify_opts {
	sc_key *const *keys;
	size_t nkeys;
	const char *identity;        /* required docker-reference or NULL; "host/repo" (no tag or
	                                digest) matches any tag of that repository */
	const char *predicate_type;  /* attestations: required predicateType URI, NULL = any */
	int ignore_tlog;             /* accept bundles whose tlog entries / timestamps are not checked */
} sc_verify_opts;

typedef struct sc_verify_item {
	char *where;
	const char *format;          /* "simplesigning", "dsse", "bundle" */
	int attestation;             /* 1: an in-toto attestation */
	int valid;
	char *reason;                /* why not valid (NULL when valid) */
	char key_hint[45];           /* the key that verified it ("" when none) */
	char *docker_ref;            /* simple signing */
	json_t *optional;            /* simple signing's optional object, or NULL */
	char *predicate_type;        /* attestations */
	json_t *predicate;           /* attestations (only when valid) */
} sc_verify_item;

/*
 * Check artifact a against image digest.  Returns 0 with out->valid set
 * (and out->reason when not valid); a negative code only for ENOMEM and
 * similar failures.  An artifact of the other kind (a signature when
 * attestations were asked for) gives SC_ENOTFOUND so callers can skip it.
 */
int sc_verify_artifact(sc_verify_item *out, const sc_sigart *a, const sc_digest *image, int attestations,
		       const sc_verify_opts *o);

/*
 * verify-blob: a bundle (message signature over blob, or DSSE whose
 * statement names blob's digest when blob is given) or a raw signature
 * over blob (sig: base64 text or DER bytes).
 */
int sc_verify_bundle_blob(sc_verify_item *out, const void *bundle, size_t bundle_len, const void *blob,
			  size_t blob_len, int have_blob, const sc_verify_opts *o);
int sc_verify_signature_blob(sc_verify_item *out, const void *sig, size_t sig_len, const void *blob,
			     size_t blob_len, const sc_verify_opts *o);

void sc_verify_item_release(sc_verify_item *it);

/* The JSON form (--json). */
json_t *sc_verify_item_json(const sc_verify_item *it);

#endif
