/*
 * verify.c - is a signature or attestation valid for an image and a set
 * of keys?  (see verify.h for the rules).
 *
 * Order of checks, as cosign does: the signature over the exact bytes
 * first (nothing in an unauthenticated document is believed), then what
 * the authenticated document claims (digest, identity, subject).
 */
#include "sign/verify.h"

#include "core/base64.h"
#include "core/error.h"
#include "sign/bundle.h"
#include "sign/envelope.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reject(sc_verify_item *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reject(sc_verify_item *out, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(out->reason);
	out->reason = s;
	out->valid = 0;
	sc_error_clear();
	return s ? 0 : sc_error_set(SC_ENOMEM, "out of memory");
}

/* Reject with "prefix: <the current error message>" (ENOMEM is passed on). */
static int reject_error(sc_verify_item *out, int rc, const char *prefix)
{
	char m[512];

	if (rc == SC_ENOMEM)
		return rc;
	snprintf(m, sizeof(m), "%s", sc_error_msg());
	return prefix ? reject(out, "%s: %s", prefix, m) : reject(out, "%s", m);
}

/* sig over msg with one of the keys: 1 (out->key_hint set), 0 (out->reason set), <0 error. */
static int verify_any(sc_verify_item *out, const void *msg, size_t len, const void *sig, size_t sig_len,
		      const sc_verify_opts *o)
{
	size_t i;
	int rc;

	if (o->nkeys == 0)
		return reject(out, "no public key to verify with");
	for (i = 0; i < o->nkeys; i++) {
		rc = sc_key_verify(o->keys[i], msg, len, sig, sig_len);
		if (rc == 0) {
			if ((rc = sc_key_hint(o->keys[i], out->key_hint)) != 0)
				return rc;
			return 1;
		}
		if (rc != SC_ECHECK)
			return rc;
	}
	if (o->nkeys == 1) {
		char msgbuf[512], hint[45];

		/* The key's own words when they say more (not DER, wrong size). */
		snprintf(msgbuf, sizeof(msgbuf), "%s", sc_error_msg());
		if ((rc = sc_key_hint(o->keys[0], hint)) != 0)
			return rc;
		if (strncmp(msgbuf, "signature does not verify", 25) == 0)
			rc = reject(out, "signature does not verify with key %s (%s)", hint,
				    sc_key_type_name(sc_key_get_type(o->keys[0])));
		else
			rc = reject(out, "signature does not verify with key %s: %s", hint, msgbuf);
	} else {
		rc = reject(out, "signature does not verify with any of the %zu keys", o->nkeys);
	}
	return rc < 0 ? rc : 0;
}

/* "host/repo" matches "host/repo:tag" and "host/repo@sha256:..."; otherwise exact. */
static int identity_matches(const char *want, const char *have)
{
	size_t n = strlen(want);
	const char *last_slash = strrchr(want, '/');

	if (strcmp(want, have) == 0)
		return 1;
	if (strchr(last_slash ? last_slash : want, ':') || strchr(want, '@'))
		return 0;
	return strncmp(want, have, n) == 0 && (have[n] == ':' || have[n] == '@');
}

/* A simple-signing payload with its detached signature. */
static int check_simplesign(sc_verify_item *out, const void *payload, size_t len, const void *sig,
			    size_t sig_len, const sc_digest *image, const sc_verify_opts *o)
{
	sc_simplesign ss;
	char a[SC_DIGEST_STRLEN], b[SC_DIGEST_STRLEN];
	int rc;

	if ((rc = verify_any(out, payload, len, sig, sig_len, o)) <= 0)
		return rc;
	memset(&ss, 0, sizeof(ss));
	if ((rc = sc_simplesign_parse(&ss, payload, len)) != 0)
		return reject_error(out, rc, "payload");
	out->docker_ref = ss.docker_ref;
	ss.docker_ref = NULL;
	out->optional = ss.optional;
	ss.optional = NULL;
	if (!sc_digest_eq(&ss.digest, image))
		rc = reject(out, "payload digest %s is not the image's %s", sc_digest_fmt(&ss.digest, a),
			    sc_digest_fmt(image, b));
	else if (o->identity && !identity_matches(o->identity, out->docker_ref))
		rc = reject(out, "identity '%s' is not the required '%s'", out->docker_ref, o->identity);
	else
		out->valid = 1;
	sc_simplesign_release(&ss);
	return rc;
}

/*
 * A DSSE envelope holding an in-toto Statement about image (NULL: any
 * subject, verify-blob without the file).  SC_ENOTFOUND when its
 * predicate type is not the one asked for.
 */
static int check_dsse(sc_verify_item *out, const sc_dsse *env, const sc_digest *image, const char *annotation,
		      const sc_verify_opts *o)
{
	sc_intoto st;
	sc_buf pae;
	size_t i;
	int rc, ok = 0;

	memset(&st, 0, sizeof(st));
	if (strcmp(env->payload_type, SC_INTOTO_PAYLOAD_TYPE) != 0)
		return reject(out, "DSSE payloadType '%.100s' is not %s", env->payload_type, SC_INTOTO_PAYLOAD_TYPE);
	if ((rc = sc_intoto_parse(&st, env->payload, env->payload_len)) != 0)
		return reject_error(out, rc, "statement");
	if (!(out->predicate_type = sc_strdup(st.predicate_type))) {
		sc_intoto_release(&st);
		return SC_ENOMEM;
	}
	if (o->predicate_type && strcmp(o->predicate_type, st.predicate_type) != 0) {
		sc_intoto_release(&st);
		return SC_ENOTFOUND; /* another kind of attestation: not asked for */
	}
	sc_buf_init(&pae, SC_SIGN_DOC_MAX + 256, "DSSE PAE");
	if ((rc = sc_dsse_pae(&pae, env->payload_type, env->payload, env->payload_len)) != 0)
		goto out;
	for (i = 0; i < env->nsigs && !ok; i++) {
		if ((rc = verify_any(out, pae.data, pae.len, env->sigs[i].sig, env->sigs[i].sig_len, o)) < 0)
			goto out;
		ok = rc == 1;
	}
	rc = 0;
	if (!ok)
		goto out; /* reason set by verify_any */
	free(out->reason);
	out->reason = NULL;
	if (image && !sc_intoto_has_subject(&st, image)) {
		char d[SC_DIGEST_STRLEN];

		rc = reject(out, "the statement has no subject with the image's digest %s", sc_digest_fmt(image, d));
	} else if (annotation && strcmp(annotation, st.predicate_type) != 0) {
		rc = reject(out, "predicateType annotation '%.200s' is not the statement's '%.200s'", annotation,
			    st.predicate_type);
	} else {
		out->valid = 1;
		out->predicate = st.predicate ? json_incref(st.predicate) : json_null();
	}
out:
	sc_buf_release(&pae);
	sc_intoto_release(&st);
	return rc;
}

/*
 * Is env's statement a cosign v3 image signature (predicate type sign/v1)?
 * Sorting only: what the statement says is verified by check_dsse later,
 * and the unsigned annotation is never used to sort.
 */
static int is_sign_statement(const sc_dsse *env)
{
	sc_intoto st;
	int yes;

	memset(&st, 0, sizeof(st));
	if (strcmp(env->payload_type, SC_INTOTO_PAYLOAD_TYPE) != 0 ||
	    sc_intoto_parse(&st, env->payload, env->payload_len) != 0) {
		sc_error_clear();
		return 0; /* an attestation to reject */
	}
	yes = strcmp(st.predicate_type, SC_COSIGN_SIGN_PREDICATE) == 0;
	sc_intoto_release(&st);
	return yes;
}

static int set_where(sc_verify_item *out, const char *where, const char *format, int attestation)
{
	memset(out, 0, sizeof(*out));
	out->format = format;
	out->attestation = attestation;
	if (!(out->where = sc_strdup(where ? where : "")))
		return SC_ENOMEM;
	return 0;
}

/* Bundle checks common to images and blobs: what scute cannot verify offline. */
static int bundle_unverifiable(sc_verify_item *out, const sc_bundle *b, const sc_verify_opts *o, int *stop)
{
	*stop = 1;
	if (b->has_certificate && !b->hint)
		return reject(out, "certificate-based (keyless) bundles are not supported; use --key");
	if (b->ntlog_entries && !o->ignore_tlog)
		return reject(out,
			      "bundle has %zu transparency-log entr%s that cannot be verified offline (no trusted root); "
			      "use --insecure-ignore-tlog to check the signature alone",
			      b->ntlog_entries, b->ntlog_entries == 1 ? "y" : "ies");
	*stop = 0;
	return 0;
}

static int verify_bundle_art(sc_verify_item *out, const sc_sigart *a, const sc_digest *image, int attestations,
			     const sc_verify_opts *o)
{
	sc_bundle b;
	int rc, stop, sign_dsse;

	memset(&b, 0, sizeof(b));
	if ((rc = sc_bundle_parse(&b, a->doc, a->doc_len)) != 0) {
		int prc = rc;

		if (rc == SC_ENOMEM || (rc = set_where(out, a->where, "bundle", attestations)) != 0)
			return rc;
		return reject_error(out, prc, "bundle");
	}
	/* cosign v3 signs images with a DSSE bundle whose statement is of
	 * predicate type sign/v1: a signature, not an attestation.  The
	 * annotation only sorts; check_dsse holds it to the signed statement. */
	sign_dsse = b.content == SC_BUNDLE_DSSE && is_sign_statement(&b.dsse);
	if ((b.content == SC_BUNDLE_DSSE && !sign_dsse) != (attestations != 0)) {
		sc_bundle_release(&b);
		return SC_ENOTFOUND;
	}
	if ((rc = set_where(out, a->where, "bundle", attestations)) != 0 ||
	    (rc = bundle_unverifiable(out, &b, o, &stop)) != 0 || stop)
		goto done;
	if (sign_dsse) {
		sc_verify_opts so = *o;

		/* Its subject names a repository, not a docker-reference. */
		if (o->identity) {
			rc = reject(out, "a cosign sign/v1 bundle carries no docker-reference to match --identity");
			goto done;
		}
		so.predicate_type = SC_COSIGN_SIGN_PREDICATE;
		rc = check_dsse(out, &b.dsse, image, a->predicate_type, &so);
		out->attestation = 0;
	} else if (b.content == SC_BUNDLE_DSSE) {
		rc = check_dsse(out, &b.dsse, image, a->predicate_type, o);
	} else {
		sc_digest pd;

		if (!a->payload) {
			rc = reject(out, "bundle referrer has no simple-signing payload layer");
			goto done;
		}
		sc_sha256_buf(&pd, a->payload, a->payload_len);
		if (!b.has_message_digest || !sc_digest_eq(&pd, &b.message_digest))
			rc = reject(out, "bundle messageDigest is not the SHA-256 of the signed payload");
		else
			rc = check_simplesign(out, a->payload, a->payload_len, b.signature, b.signature_len, image, o);
	}
done:
	sc_bundle_release(&b);
	return rc;
}

static int verify_artifact(sc_verify_item *out, const sc_sigart *a, const sc_digest *image, int attestations,
			   const sc_verify_opts *o);

int sc_verify_artifact(sc_verify_item *out, const sc_sigart *a, const sc_digest *image, int attestations,
		       const sc_verify_opts *o)
{
	int rc = verify_artifact(out, a, image, attestations, o);

	/* Skipped or failed: the caller gets nothing to release. */
	if (rc)
		sc_verify_item_release(out);
	return rc;
}

static int verify_artifact(sc_verify_item *out, const sc_sigart *a, const sc_digest *image, int attestations,
			   const sc_verify_opts *o)
{
	int rc;

	memset(out, 0, sizeof(*out));
	switch (a->kind) {
	case SC_SIGART_BROKEN:
		if ((rc = set_where(out, a->where, attestations ? "dsse" : "simplesigning", attestations)) != 0)
			return rc;
		return reject(out, "%s", a->error ? a->error : "unreadable");
	case SC_SIGART_SIMPLESIGN: {
		unsigned char *sig = NULL;
		size_t sig_len = 0;

		if (attestations)
			return SC_ENOTFOUND;
		if ((rc = set_where(out, a->where, "simplesigning", 0)) != 0)
			return rc;
		if (!a->signature_b64)
			return reject(out, "layer has no " SC_COSIGN_SIG_ANNOTATION " annotation");
		rc = sc_base64_decode(&sig, &sig_len, a->signature_b64, strlen(a->signature_b64), 4 * SC_KEY_SIG_MAX,
				      0, "signature annotation");
		if (rc == SC_ENOMEM)
			return rc;
		if (rc)
			return reject_error(out, rc, NULL);
		rc = check_simplesign(out, a->doc, a->doc_len, sig, sig_len, image, o);
		free(sig);
		return rc;
	}
	case SC_SIGART_DSSE: {
		sc_dsse env;

		if (!attestations)
			return SC_ENOTFOUND;
		if ((rc = set_where(out, a->where, "dsse", 1)) != 0)
			return rc;
		memset(&env, 0, sizeof(env));
		if ((rc = sc_dsse_parse(&env, a->doc, a->doc_len)) != 0)
			return reject_error(out, rc, "envelope");
		if (is_sign_statement(&env)) {
			sc_dsse_release(&env);
			return SC_ENOTFOUND; /* a signature in DSSE form, not an attestation */
		}
		rc = check_dsse(out, &env, image, a->predicate_type, o);
		sc_dsse_release(&env);
		return rc;
	}
	case SC_SIGART_BUNDLE:
		return verify_bundle_art(out, a, image, attestations, o);
	}
	return sc_error_set(SC_EINTERNAL, "unknown artifact kind");
}

int sc_verify_bundle_blob(sc_verify_item *out, const void *bundle, size_t bundle_len, const void *blob,
			  size_t blob_len, int have_blob, const sc_verify_opts *o)
{
	sc_bundle b;
	sc_digest bd;
	int rc, stop;

	memset(&b, 0, sizeof(b));
	if ((rc = set_where(out, "bundle", "bundle", 0)) != 0)
		return rc;
	if ((rc = sc_bundle_parse(&b, bundle, bundle_len)) != 0)
		return reject_error(out, rc, "bundle");
	out->attestation = b.content == SC_BUNDLE_DSSE;
	if (have_blob)
		sc_sha256_buf(&bd, blob, blob_len);
	if ((rc = bundle_unverifiable(out, &b, o, &stop)) != 0 || stop)
		goto done;
	if (b.content == SC_BUNDLE_DSSE) {
		sc_verify_opts any = *o;

		any.predicate_type = NULL;
		rc = check_dsse(out, &b.dsse, have_blob ? &bd : NULL, NULL, &any);
	} else if (!have_blob) {
		rc = reject(out, "a message-signature bundle needs the signed file");
	} else if (!b.has_message_digest || !sc_digest_eq(&bd, &b.message_digest)) {
		rc = reject(out, "bundle messageDigest is not the SHA-256 of the file");
	} else if ((rc = verify_any(out, blob, blob_len, b.signature, b.signature_len, o)) > 0) {
		out->valid = 1;
		rc = 0;
	}
done:
	sc_bundle_release(&b);
	return rc;
}

int sc_verify_signature_blob(sc_verify_item *out, const void *sig, size_t sig_len, const void *blob,
			     size_t blob_len, const sc_verify_opts *o)
{
	unsigned char *raw = NULL;
	size_t raw_len = 0, n = sig_len;
	const char *s = sig;
	int rc;

	if ((rc = set_where(out, "signature", "raw", 0)) != 0)
		return rc;
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	/* cosign writes signatures as base64 text; anything else is raw bytes. */
	if (n > 0 && sc_base64_decode(&raw, &raw_len, s, n, 4 * SC_KEY_SIG_MAX, 0, "signature") == 0) {
		rc = verify_any(out, blob, blob_len, raw, raw_len, o);
		free(raw);
	} else {
		sc_error_clear();
		rc = verify_any(out, blob, blob_len, sig, sig_len, o);
	}
	if (rc > 0) {
		out->valid = 1;
		rc = 0;
	}
	return rc;
}

void sc_verify_item_release(sc_verify_item *it)
{
	if (!it)
		return;
	free(it->where);
	free(it->reason);
	free(it->docker_ref);
	json_decref(it->optional);
	free(it->predicate_type);
	json_decref(it->predicate);
	memset(it, 0, sizeof(*it));
}

json_t *sc_verify_item_json(const sc_verify_item *it)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "source", json_string(it->where));
	json_object_set_new(o, "format", json_string(it->format));
	json_object_set_new(o, "valid", json_boolean(it->valid));
	json_object_set_new(o, "reason", it->reason ? json_string(it->reason) : json_null());
	json_object_set_new(o, "key", it->key_hint[0] ? json_string(it->key_hint) : json_null());
	if (it->attestation) {
		json_object_set_new(o, "predicate_type", it->predicate_type ? json_string(it->predicate_type) : json_null());
		if (it->valid && it->predicate)
			json_object_set(o, "predicate", it->predicate);
	} else {
		json_object_set_new(o, "docker_reference", it->docker_ref ? json_string(it->docker_ref) : json_null());
		json_object_set(o, "optional", it->optional ? it->optional : json_null());
	}
	return o;
}
