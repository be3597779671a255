/*
 * bundle.c - Sigstore bundles in their protobuf JSON form
 * (sigstore/protobuf-specs protos/sigstore_bundle.proto): camelCase field
 * names, bytes as base64 (protojson writes the standard alphabet and reads
 * either), unset messages absent or null.
 */
#include "sign/bundle.h"

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLE_DEPTH 32               /* tlogEntries[].inclusionProof.checkpoint: 6 */
#define BUNDLE_MAX_ENTRIES 64         /* tlog entries, timestamps */
#define BUNDLE_MAX_CERTS 32           /* x509CertificateChain.certificates */
#define BUNDLE_PREFIX "application/vnd.dev.sigstore.bundle"

static const char *what = "sigstore bundle";

/*
 * The minor version of a bundle media type, either spelling:
 * "application/vnd.dev.sigstore.bundle+json;version=0.N" or
 * "application/vnd.dev.sigstore.bundle.v0.N+json", N in 1..3.
 */
static int media_type_minor(const char *mt, int *minor)
{
	size_t plen = strlen(BUNDLE_PREFIX);
	const char *p;
	char n;

	if (strncmp(mt, BUNDLE_PREFIX, plen) != 0)
		return sc_error_set(SC_EINPUT, "%s: mediaType is not a Sigstore bundle media type", what);
	p = mt + plen;
	if (strncmp(p, "+json;version=0.", 16) == 0 && p[16] && !p[17])
		n = p[16];
	else if (strncmp(p, ".v0.", 4) == 0 && p[4] && strcmp(p + 5, "+json") == 0)
		n = p[4];
	else
		return sc_error_set(SC_EINPUT, "%s: mediaType is not a Sigstore bundle media type", what);
	if (n < '1' || n > '3')
		return sc_error_set(SC_EUNSUPPORTED, "%s: unsupported bundle version 0.%c (0.1 to 0.3 are)", what,
				    (n >= '0' && n <= '9') ? n : '?');
	*minor = n - '0';
	return 0;
}

/* A bounded array of objects (absent: 0 elements). */
static int count_objects(const json_t *obj, const char *key, size_t max, size_t *count, const char *w)
{
	json_t *arr = NULL;
	size_t i, n;
	int rc;

	*count = 0;
	if ((rc = sc_json_get_arr(obj, key, 0, &arr, w)) != 0 || !arr)
		return rc;
	n = json_array_size(arr);
	if (n > max)
		return sc_error_set(SC_ELIMIT, "%s: field '%s' has %zu entries, limit is %zu", w, key, n, max);
	for (i = 0; i < n; i++)
		if (!json_is_object(json_array_get(arr, i)))
			return sc_error_set(SC_EINPUT, "%s: %s[%zu] is not an object", w, key, i);
	*count = n;
	return 0;
}

/* An X509Certificate message: {"rawBytes": B64}. */
static int check_cert(const json_t *c, const char *w)
{
	unsigned char *der = NULL;
	const char *raw = NULL;
	size_t len = 0;
	int rc;

	if (!json_is_object(c))
		return sc_error_set(SC_EINPUT, "%s is not an object", w);
	if ((rc = sc_json_get_str(c, "rawBytes", 1, &raw, w)) != 0)
		return rc;
	if ((rc = sc_base64_decode(&der, &len, raw, strlen(raw), SC_SIGN_SIG_B64_MAX, SC_B64_URL, w)) != 0)
		return rc;
	free(der);
	if (len == 0)
		return sc_error_set(SC_EINPUT, "%s: field 'rawBytes' is empty", w);
	return 0;
}

static int parse_material(sc_bundle *out, const json_t *vm)
{
	const char *w = "sigstore bundle: verificationMaterial";
	json_t *pk = NULL, *chain = NULL, *cert = NULL, *tvd = NULL, *certs = NULL;
	const char *hint = NULL;
	size_t i;
	int rc;

	if ((rc = sc_json_get_obj(vm, "publicKey", 0, &pk, w)) != 0 ||
	    (rc = sc_json_get_obj(vm, "x509CertificateChain", 0, &chain, w)) != 0 ||
	    (rc = sc_json_get_obj(vm, "certificate", 0, &cert, w)) != 0)
		return rc;
	if (!pk + !chain + !cert != 2)
		return sc_error_set(SC_EINPUT, "%s: needs exactly one of publicKey, x509CertificateChain, certificate",
				    w);
	if (pk) {
		if ((rc = sc_json_get_str(pk, "hint", 0, &hint, "sigstore bundle: verificationMaterial.publicKey")) != 0)
			return rc;
		if (hint && !(out->hint = sc_strdup(hint)))
			return SC_ENOMEM;
	} else if (chain) {
		if ((rc = sc_json_get_arr(chain, "certificates", 1, &certs,
					  "sigstore bundle: verificationMaterial.x509CertificateChain")) != 0)
			return rc;
		if (json_array_size(certs) == 0)
			return sc_error_set(SC_EINPUT, "%s.x509CertificateChain: field 'certificates' is empty", w);
		if (json_array_size(certs) > BUNDLE_MAX_CERTS)
			return sc_error_set(SC_ELIMIT, "%s.x509CertificateChain: %zu certificates, limit is %d", w,
					    json_array_size(certs), BUNDLE_MAX_CERTS);
		for (i = 0; i < json_array_size(certs); i++) {
			char cw[96];

			snprintf(cw, sizeof(cw), "%s.x509CertificateChain.certificates[%zu]", w, i);
			if ((rc = check_cert(json_array_get(certs, i), cw)) != 0)
				return rc;
		}
		out->has_certificate = 1;
	} else {
		if ((rc = check_cert(cert, "sigstore bundle: verificationMaterial.certificate")) != 0)
			return rc;
		out->has_certificate = 1;
	}
	if ((rc = count_objects(vm, "tlogEntries", BUNDLE_MAX_ENTRIES, &out->ntlog_entries, w)) != 0 ||
	    (rc = sc_json_get_obj(vm, "timestampVerificationData", 0, &tvd, w)) != 0)
		return rc;
	if (tvd && (rc = count_objects(tvd, "rfc3161Timestamps", BUNDLE_MAX_ENTRIES, &out->ntimestamps,
				       "sigstore bundle: verificationMaterial.timestampVerificationData")) != 0)
		return rc;
	return 0;
}

static int parse_message_signature(sc_bundle *out, const json_t *ms)
{
	const char *w = "sigstore bundle: messageSignature";
	const char *sig = NULL, *alg = NULL, *dig = NULL;
	json_t *md = NULL;
	int rc;

	if ((rc = sc_json_get_obj(ms, "messageDigest", 0, &md, w)) != 0 ||
	    (rc = sc_json_get_str(ms, "signature", 1, &sig, w)) != 0)
		return rc;
	if (md) {
		const char *mw = "sigstore bundle: messageSignature.messageDigest";
		unsigned char *d = NULL;
		size_t dlen = 0;

		if ((rc = sc_json_get_str(md, "algorithm", 1, &alg, mw)) != 0 ||
		    (rc = sc_json_get_str(md, "digest", 1, &dig, mw)) != 0)
			return rc;
		if ((rc = sc_base64_decode(&d, &dlen, dig, strlen(dig), 1024, SC_B64_URL,
					   "sigstore bundle: messageSignature.messageDigest.digest")) != 0)
			return rc;
		if (strcmp(alg, "SHA2_256") == 0) {
			if (dlen != SC_SHA256_LEN) {
				free(d);
				return sc_error_set(SC_EINPUT, "%s: SHA2_256 digest is %zu bytes, not %d", mw, dlen,
						    SC_SHA256_LEN);
			}
			memcpy(out->message_digest.bytes, d, SC_SHA256_LEN);
			out->message_digest.set = 1;
			out->has_message_digest = 1;
		}
		free(d);
	}
	if ((rc = sc_base64_decode(&out->signature, &out->signature_len, sig, strlen(sig), SC_SIGN_SIG_B64_MAX,
				   SC_B64_URL, "sigstore bundle: messageSignature.signature")) != 0)
		return rc;
	if (out->signature_len == 0)
		return sc_error_set(SC_EINPUT, "%s: field 'signature' is empty", w);
	return 0;
}

int sc_bundle_parse(sc_bundle *out, const void *data, size_t len)
{
	json_t *root = NULL, *vm = NULL, *ms = NULL, *de = NULL;
	const char *mt = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sc_json_parse(&root, data, len, SC_SIGN_DOC_MAX, BUNDLE_DEPTH, what)) != 0)
		return rc;
	if (!json_is_object(root)) {
		rc = sc_error_set(SC_EINPUT, "%s: not a JSON object", what);
		goto fail;
	}
	if ((rc = sc_json_get_str(root, "mediaType", 1, &mt, what)) != 0 ||
	    (rc = media_type_minor(mt, &out->version_minor)) != 0)
		goto fail;
	if (!(out->media_type = sc_strdup(mt))) {
		rc = SC_ENOMEM;
		goto fail;
	}
	if ((rc = sc_json_get_obj(root, "verificationMaterial", 1, &vm, what)) != 0 ||
	    (rc = parse_material(out, vm)) != 0)
		goto fail;
	if ((rc = sc_json_get_obj(root, "messageSignature", 0, &ms, what)) != 0 ||
	    (rc = sc_json_get_obj(root, "dsseEnvelope", 0, &de, what)) != 0)
		goto fail;
	if (!ms == !de) {
		rc = sc_error_set(SC_EINPUT, "%s: needs exactly one of messageSignature, dsseEnvelope", what);
		goto fail;
	}
	if (ms) {
		out->content = SC_BUNDLE_MESSAGE_SIGNATURE;
		rc = parse_message_signature(out, ms);
	} else {
		out->content = SC_BUNDLE_DSSE;
		if ((rc = sc_dsse_from_json(&out->dsse, de)) != 0)
			sc_error_prefix(rc, "%s: dsseEnvelope", what);
	}
	if (rc != 0)
		goto fail;
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	sc_bundle_release(out);
	return rc;
}

void sc_bundle_release(sc_bundle *b)
{
	if (!b)
		return;
	free(b->media_type);
	free(b->hint);
	free(b->signature);
	sc_dsse_release(&b->dsse);
	memset(b, 0, sizeof(*b));
}

/* ---- writing ---- */

static json_t *b64_string(const void *data, size_t len)
{
	char *s = NULL;
	json_t *j;

	if (sc_base64_encode(&s, data, len) != 0)
		return NULL;
	j = json_string(s);
	free(s);
	if (!j)
		sc_error_set(SC_ENOMEM, "out of memory");
	return j;
}

static int dump(sc_buf *out, json_t *root)
{
	size_t n = json_dumpb(root, NULL, 0, JSON_COMPACT);
	char *s;
	int rc;

	if (n == 0)
		return sc_error_set(SC_EINTERNAL, "bundle: cannot serialise JSON");
	if (!(s = sc_malloc(n)))
		return SC_ENOMEM;
	if (json_dumpb(root, s, n, JSON_COMPACT) != n) {
		free(s);
		return sc_error_set(SC_EINTERNAL, "bundle: cannot serialise JSON");
	}
	rc = sc_buf_append(out, s, n);
	free(s);
	return rc;
}

/*
 * {"mediaType":..,"verificationMaterial":{"publicKey":{"hint":..},"tlogEntries":[]},
 *  <key>: content} (content stolen), serialised into out.
 */
static int build(sc_buf *out, const char *hint, const char *key, json_t *content)
{
	json_t *root;
	int rc;

	if (!content)
		return sc_error_code() ? sc_error_code() : sc_error_set(SC_ENOMEM, "out of memory");
	if (hint && !sc_utf8_valid(hint, strlen(hint))) {
		json_decref(content);
		return sc_error_set(SC_EUSAGE, "bundle key hint is not valid UTF-8");
	}
	root = hint ? json_pack("{s:s, s:{s:{s:s}, s:[]}, s:o}", "mediaType", SC_BUNDLE_MEDIA_TYPE,
				"verificationMaterial", "publicKey", "hint", hint, "tlogEntries", key, content)
		    : json_pack("{s:s, s:{s:{}, s:[]}, s:o}", "mediaType", SC_BUNDLE_MEDIA_TYPE,
				"verificationMaterial", "publicKey", "tlogEntries", key, content);
	if (!root)
		return sc_error_set(SC_ENOMEM, "out of memory");
	rc = dump(out, root);
	json_decref(root);
	return rc;
}

int sc_bundle_build_message(sc_buf *out, const char *hint, const sc_digest *message_digest,
			    const void *sig, size_t sig_len)
{
	json_t *d, *s;

	if (!message_digest || !message_digest->set || !sig || !sig_len)
		return sc_error_set(SC_EUSAGE, "bundle: needs a message digest and a signature");
	d = b64_string(message_digest->bytes, SC_SHA256_LEN);
	s = d ? b64_string(sig, sig_len) : NULL;
	return build(out, hint, "messageSignature",
		     s ? json_pack("{s:{s:s, s:o}, s:o}", "messageDigest", "algorithm", "SHA2_256", "digest", d,
				   "signature", s)
		       : (json_decref(d), NULL));
}

int sc_bundle_build_dsse(sc_buf *out, const char *hint, const char *payload_type, const void *payload,
			 size_t payload_len, const void *sig, size_t sig_len)
{
	json_t *p, *s;

	if (!payload_type || !sig || !sig_len)
		return sc_error_set(SC_EUSAGE, "bundle: needs a payload type and a signature");
	if (!sc_utf8_valid(payload_type, strlen(payload_type)))
		return sc_error_set(SC_EUSAGE, "bundle: DSSE payloadType is not valid UTF-8");
	p = b64_string(payload, payload_len);
	s = p ? b64_string(sig, sig_len) : NULL;
	/* protojson field order (payload, payloadType, signatures; sig,
	 * keyid) and an empty keyid omitted, as protojson does. */
	return build(out, hint, "dsseEnvelope",
		     s ? json_pack("{s:o, s:s, s:[{s:o}]}", "payload", p, "payloadType", payload_type, "signatures",
				   "sig", s)
		       : (json_decref(p), NULL));
}
