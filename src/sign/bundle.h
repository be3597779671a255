/*
 * bundle.h - Sigstore bundles (sigstore/protobuf-specs bundle.proto, JSON
 * form), media type application/vnd.dev.sigstore.bundle.v0.3+json.
 *
 * scute writes keyed v0.3 bundles, as cosign v3 does with a key:
 *   {"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
 *    "verificationMaterial":{"publicKey":{"hint":HINT},"tlogEntries":[]},
 *    "messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":B64},
 *                        "signature":B64}}
 * or with "dsseEnvelope":{...} instead of messageSignature.  HINT is
 * base64(sha256(SPKI DER)) (sc_key_hint).  Parsing accepts v0.1, v0.2 and
 * v0.3 (both "application/vnd.dev.sigstore.bundle+json;version=0.3" and the
 * ".v0.3+json" spelling), keyed or with an x509 certificate / chain (which
 * scute does not verify: reported, not trusted), and records the
 * transparency-log entries and RFC 3161 timestamps it carries so the
 * verifier can say what it did not check.
 */
#ifndef SC_SIGN_BUNDLE_H
#define SC_SIGN_BUNDLE_H

#include "core/buf.h"
#include "core/digest.h"
#include "sign/envelope.h"

#include <stddef.h>

#define SC_BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"

typedef enum sc_bundle_content {
	SC_BUNDLE_MESSAGE_SIGNATURE,
	SC_BUNDLE_DSSE,
} sc_bundle_content;

typedef struct sc_bundle {
	char *media_type;
	int version_minor;          /* 1, 2 or 3 */
	char *hint;                 /* publicKey.hint, NULL when absent */
	int has_certificate;        /* x509CertificateChain or certificate present */
	size_t ntlog_entries;       /* verificationMaterial.tlogEntries */
	size_t ntimestamps;         /* timestampVerificationData.rfc3161Timestamps */
	sc_bundle_content content;
	/* SC_BUNDLE_MESSAGE_SIGNATURE */
	int has_message_digest;     /* messageDigest present and SHA2_256 */
	sc_digest message_digest;
	unsigned char *signature;
	size_t signature_len;
	/* SC_BUNDLE_DSSE */
	sc_dsse dsse;
} sc_bundle;

int sc_bundle_parse(sc_bundle *out, const void *data, size_t len);
void sc_bundle_release(sc_bundle *b);

/* A v0.3 message-signature bundle: digest of the signed bytes, signature. */
int sc_bundle_build_message(sc_buf *out, const char *hint, const sc_digest *message_digest,
			    const void *sig, size_t sig_len);
/* A v0.3 DSSE bundle: the envelope's parts as for sc_dsse_build (keyid ""). */
int sc_bundle_build_dsse(sc_buf *out, const char *hint, const char *payload_type, const void *payload,
			 size_t payload_len, const void *sig, size_t sig_len);

#endif
