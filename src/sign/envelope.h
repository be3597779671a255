/*
 * envelope.h - what gets signed: cosign simple-signing payloads, in-toto
 * Statements and DSSE envelopes.
 *
 * Simple signing (containers/image docs/containers-signature.5.md, cosign
 * pkg/cosign/payload): the JSON
 *
 *   {"critical":{"identity":{"docker-reference":REF},
 *                "image":{"docker-manifest-digest":"sha256:HEX"},
 *                "type":"cosign container image signature"},
 *    "optional":OPTIONAL-OR-null}
 *
 * written compactly with keys in that order (cosign's Go encoder order), so
 * a payload scute writes is byte-identical to cosign's for the same input.
 *
 * DSSE (secure-systems-lab/dsse protocol.md): the signature is over
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with LEN the ASCII decimal byte length; the envelope is
 *   {"payloadType":T,"payload":B64,"signatures":[{"keyid":K,"sig":B64}]}
 *
 * in-toto Statement v1 (in-toto/attestation spec/v1/statement.md):
 *   {"_type":"https://in-toto.io/Statement/v1",
 *    "subject":[{"name":N,"digest":{"sha256":HEX}}],
 *    "predicateType":URI,"predicate":{...}}
 * Parsing also accepts "https://in-toto.io/Statement/v0.1" (cosign < 2.0
 * and sigstore-go's fixtures).
 *
 * Every parser takes hostile bytes: sizes are bounded (SC_SIGN_DOC_MAX),
 * JSON depth is bounded, required fields are checked with their types and
 * a failure is SC_EINPUT with a one-line message naming the field.
 */
#ifndef SC_SIGN_ENVELOPE_H
#define SC_SIGN_ENVELOPE_H

#include "core/buf.h"
#include "core/digest.h"

#include <jansson.h>
#include <stddef.h>

#define SC_SIGN_DOC_MAX (64u * 1024 * 1024)   /* an envelope / statement / bundle */
#define SC_SIGN_PAYLOAD_MAX (64u * 1024)      /* a simple-signing payload */
#define SC_SIMPLESIGN_TYPE "cosign container image signature"
#define SC_SIMPLESIGN_MEDIA_TYPE "application/vnd.dev.cosign.simplesigning.v1+json"
#define SC_DSSE_MEDIA_TYPE "application/vnd.dsse.envelope.v1+json"
#define SC_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define SC_INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define SC_INTOTO_STATEMENT_V01 "https://in-toto.io/Statement/v0.1"
#define SC_COSIGN_SIGNATURE_ANNOTATION "dev.cosignproject.cosign/signature"

/* Bounds on hostile documents (counts of repeated elements). */
#define SC_SIGN_MAX_SIGNATURES 64     /* DSSE signatures[] */
#define SC_SIGN_MAX_SUBJECTS 1024     /* in-toto subject[] */
#define SC_SIGN_SIG_B64_MAX (64u * 1024) /* base64 chars of one signature */

/* ---- simple signing ---- */

/*
 * The payload for `digest` under identity docker_ref ("host/repo:tag" or
 * "host/repo").  optional: a JSON object stolen into the payload's
 * "optional" (e.g. {"creator":"scute 0.1.0","timestamp":N}), or NULL for
 * null.  Compact, key order as above, no trailing newline; appended to
 * out.  Strings are escaped as Go's encoding/json does (<, >, & as \u003c
 * \u003e \u0026, U+2028/U+2029, \b \f \n \r \t, other controls \u00xx)
 * and the keys of "optional" (a Go map in cosign) are sorted bytewise at
 * every level, so the bytes equal cosign's json.Marshal output.  Strings
 * must be valid UTF-8 (SC_EUSAGE otherwise); optional is released even
 * when the call fails.
 */
int sc_simplesign_payload(sc_buf *out, const char *docker_ref, const sc_digest *digest, json_t *optional);

typedef struct sc_simplesign {
	char *docker_ref;     /* critical.identity.docker-reference */
	sc_digest digest;     /* critical.image.docker-manifest-digest */
	json_t *optional;     /* NULL when null/absent */
} sc_simplesign;

/* Strict: critical.type must equal SC_SIMPLESIGN_TYPE, the digest must
 * parse, the reference must be a string (not checked against a grammar).
 * As containers/image does, unknown fields in the payload, "critical",
 * "identity" and "image" are rejected; "optional" must be an object or
 * null.  At most SC_SIGN_PAYLOAD_MAX bytes. */
int sc_simplesign_parse(sc_simplesign *out, const void *data, size_t len);
void sc_simplesign_release(sc_simplesign *s);

/* ---- DSSE ---- */

/* PAE(payload_type, payload) appended to out. */
int sc_dsse_pae(sc_buf *out, const char *payload_type, const void *payload, size_t len);

typedef struct sc_dsse_sig {
	char *keyid;          /* "" when absent */
	unsigned char *sig;
	size_t sig_len;
} sc_dsse_sig;

typedef struct sc_dsse {
	char *payload_type;
	unsigned char *payload;
	size_t payload_len;
	sc_dsse_sig *sigs;
	size_t nsigs;         /* >= 1 after a successful parse */
} sc_dsse;

/* An envelope with one signature (compact JSON, appended to out), keys in
 * the order above ("keyid" always written, "" for NULL, as cosign does). */
int sc_dsse_build(sc_buf *out, const char *payload_type, const void *payload, size_t len,
		  const char *keyid, const void *sig, size_t sig_len);
/* Parse an envelope from JSON text, or from an already parsed object.
 * payload and sig may use the standard or the URL-safe base64 alphabet,
 * padded or not (the DSSE spec allows either); 1 to SC_SIGN_MAX_SIGNATURES
 * signatures, each with a non-empty sig. */
int sc_dsse_parse(sc_dsse *out, const void *data, size_t len);
int sc_dsse_from_json(sc_dsse *out, const json_t *obj);
void sc_dsse_release(sc_dsse *e);

/* ---- in-toto Statement ---- */

/* Statement v1 about one subject, compact, keys in the order above,
 * appended to out; predicate is borrowed (not stolen), its key order kept;
 * a NULL predicate is omitted. */
int sc_intoto_statement(sc_buf *out, const char *subject_name, const sc_digest *subject,
			const char *predicate_type, const json_t *predicate);

typedef struct sc_intoto {
	char *type;           /* _type */
	char *predicate_type;
	sc_digest *subjects;  /* every subject's sha256 (subjects without one are skipped) */
	size_t nsubjects;
	json_t *predicate;    /* owned reference; NULL when absent */
} sc_intoto;

/* _type must be v1 or v0.1; subject: 1 to SC_SIGN_MAX_SUBJECTS objects
 * with a "digest" object of strings (a sha256 must be 64 lowercase hex);
 * predicateType a string; predicate an object or absent. */
int sc_intoto_parse(sc_intoto *out, const void *data, size_t len);
/* 1 when one of the statement's subjects has sha256 digest d. */
int sc_intoto_has_subject(const sc_intoto *st, const sc_digest *d);
void sc_intoto_release(sc_intoto *st);

/* ---- containers/image "sigstore-json" signature files ----
 *
 * The dir: transport (and containers/image's signature storage) keeps a
 * cosign signature as a file: the 15 bytes "\0sigstore-json\n" followed by
 * the JSON
 *   {"mimeType":MT,"payload":B64,"annotations":{"dev.cosignproject.cosign/signature":B64,...}}
 * (containers/image internal/signature/sigstore.go).
 */
#define SC_SIGSTORE_JSON_PREFIX "\0sigstore-json\n"
#define SC_SIGSTORE_JSON_PREFIX_LEN 15

typedef struct sc_sigstore_json {
	char *mime_type;          /* mimeType (required) */
	unsigned char *payload;   /* payload, decoded (required) */
	size_t payload_len;
	unsigned char *signature; /* the SC_COSIGN_SIGNATURE_ANNOTATION, decoded; NULL when absent */
	size_t signature_len;
	json_t *annotations;      /* owned; every value a string; NULL when absent */
} sc_sigstore_json;

/*
 * Parse a signature file (prefix included).  A missing prefix, malformed
 * JSON, a missing/mistyped mimeType or payload, a non-string annotation or
 * bad base64 is SC_EINPUT naming the field; a missing signature annotation
 * is not an error (signature stays NULL, so the verifier can say so).
 */
int sc_sigstore_json_parse(sc_sigstore_json *out, const void *data, size_t len);
void sc_sigstore_json_release(sc_sigstore_json *s);

#endif
