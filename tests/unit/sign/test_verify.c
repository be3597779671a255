/*
 * test_verify.c - sign/verify.c: which signatures and attestations are
 * valid for an image digest and keys, and the reason for each rejection.
 * Artifacts are built in memory with sign/key.c and sign/envelope.c; the
 * bundle vectors come from ../shared/data/sigstore when present.
 */
#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/stream.h"
#include "sign/bundle.h"
#include "sign/envelope.h"
#include "sign/key.h"
#include "sign/store.h"
#include "sign/verify.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "signtest.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sc_key *key, *other;
static sc_digest image, elsewhere;

static int setup(void **state)
{
	(void)state;
	if (sc_key_generate(&key) != 0 || sc_key_generate(&other) != 0)
		return -1;
	sc_sha256_buf(&image, "the image manifest", 18);
	sc_sha256_buf(&elsewhere, "another image", 13);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sc_key_free(key);
	sc_key_free(other);
	return 0;
}

/* A simple-signing artifact for digest d and identity ref, signed by k. */
static void make_sig(sc_sigart *a, sc_key *k, const sc_digest *d, const char *ref)
{
	sc_buf p, s;

	memset(a, 0, sizeof(*a));
	a->kind = SC_SIGART_SIMPLESIGN;
	a->where = strdup("sha256-x.sig[0]");
	sc_buf_init(&p, SC_SIGN_PAYLOAD_MAX, "payload");
	sc_buf_init(&s, SC_KEY_SIG_MAX, "sig");
	assert_int_equal(sc_simplesign_payload(&p, ref, d, NULL), 0);
	assert_int_equal(sc_key_sign(k, p.data, p.len, &s), 0);
	assert_int_equal(sc_base64_encode(&a->signature_b64, s.data, s.len), 0);
	a->doc = (unsigned char *)sc_buf_detach(&p, &a->doc_len);
	sc_buf_release(&s);
}

/* A DSSE attestation about subject d of predicate type pt, signed by k. */
static void make_att(sc_sigart *a, sc_key *k, const sc_digest *d, const char *pt)
{
	sc_buf st, pae, s, env;
	json_t *pred = json_pack("{s:s}", "hello", "world");

	memset(a, 0, sizeof(*a));
	a->kind = SC_SIGART_DSSE;
	a->where = strdup("sha256-x.att[0]");
	a->predicate_type = strdup(pt);
	sc_buf_init(&st, SC_SIGN_DOC_MAX, "st");
	sc_buf_init(&pae, SC_SIGN_DOC_MAX, "pae");
	sc_buf_init(&s, SC_KEY_SIG_MAX, "sig");
	sc_buf_init(&env, SC_SIGN_DOC_MAX, "env");
	assert_int_equal(sc_intoto_statement(&st, "reg.example/app", d, pt, pred), 0);
	assert_int_equal(sc_dsse_pae(&pae, SC_INTOTO_PAYLOAD_TYPE, st.data, st.len), 0);
	assert_int_equal(sc_key_sign(k, pae.data, pae.len, &s), 0);
	assert_int_equal(sc_dsse_build(&env, SC_INTOTO_PAYLOAD_TYPE, st.data, st.len, "", s.data, s.len), 0);
	a->doc = (unsigned char *)sc_buf_detach(&env, &a->doc_len);
	sc_buf_release(&st);
	sc_buf_release(&pae);
	sc_buf_release(&s);
	json_decref(pred);
}

static void free_art(sc_sigart *a)
{
	free(a->where);
	free(a->doc);
	free(a->signature_b64);
	free(a->predicate_type);
	free(a->payload);
	free(a->error);
}

static sc_verify_opts opts_for(sc_key **keys, size_t n)
{
	sc_verify_opts o = { 0 };

	o.keys = keys;
	o.nkeys = n;
	return o;
}

static void expect_reason(const sc_sigart *a, const sc_digest *d, int att, const sc_verify_opts *o, const char *part)
{
	sc_verify_item it;

	assert_int_equal(sc_verify_artifact(&it, a, d, att, o), 0);
	assert_int_equal(it.valid, 0);
	assert_non_null(it.reason);
	if (!strstr(it.reason, part))
		fail_msg("reason '%s' does not contain '%s'", it.reason, part);
	sc_verify_item_release(&it);
}

static void test_simple_signature(void **state)
{
	sc_key *k1[] = { key }, *k2[] = { other, key }, *ko[] = { other };
	sc_verify_opts o = opts_for(k1, 1);
	sc_verify_item it;
	sc_sigart a;
	char hint[45];

	(void)state;
	make_sig(&a, key, &image, "reg.example/app:v1");
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), 0);
	assert_int_equal(it.valid, 1);
	assert_null(it.reason);
	assert_int_equal(sc_key_hint(key, hint), 0);
	assert_string_equal(it.key_hint, hint);
	assert_string_equal(it.docker_ref, "reg.example/app:v1");
	sc_verify_item_release(&it);
	/* any of several keys */
	o = opts_for(k2, 2);
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), 0);
	assert_int_equal(it.valid, 1);
	sc_verify_item_release(&it);
	/* identity: exact, repository-only, and a mismatch */
	o = opts_for(k1, 1);
	o.identity = "reg.example/app";
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), 0);
	assert_int_equal(it.valid, 1);
	sc_verify_item_release(&it);
	o.identity = "reg.example/app:v2";
	expect_reason(&a, &image, 0, &o, "is not the required 'reg.example/app:v2'");
	o.identity = "reg.example/ap";
	expect_reason(&a, &image, 0, &o, "is not the required");
	/* another key */
	o = opts_for(ko, 1);
	expect_reason(&a, &image, 0, &o, "does not verify");
	/* another image: the payload names a different digest */
	o = opts_for(k1, 1);
	expect_reason(&a, &elsewhere, 0, &o, "is not the image's");
	/* not asked for: a signature when attestations are wanted */
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 1, &o), SC_ENOTFOUND);
	free_art(&a);
}

static void test_tampering(void **state)
{
	sc_key *k1[] = { key };
	sc_verify_opts o = opts_for(k1, 1);
	sc_sigart a;
	size_t n;

	(void)state;
	/* payload altered after signing */
	make_sig(&a, key, &image, "reg.example/app:v1");
	a.doc[a.doc_len - 2] ^= 1;
	expect_reason(&a, &image, 0, &o, "does not verify");
	free_art(&a);
	/* signature truncated */
	make_sig(&a, key, &image, "reg.example/app:v1");
	n = strlen(a.signature_b64);
	a.signature_b64[n - 8] = '\0';
	expect_reason(&a, &image, 0, &o, "signature");
	free_art(&a);
	/* annotation missing */
	make_sig(&a, key, &image, "reg.example/app:v1");
	free(a.signature_b64);
	a.signature_b64 = NULL;
	expect_reason(&a, &image, 0, &o, "no dev.cosignproject.cosign/signature annotation");
	/* not base64 */
	a.signature_b64 = strdup("***");
	expect_reason(&a, &image, 0, &o, "base64");
	free_art(&a);
	/* a broken artifact keeps the reader's reason */
	memset(&a, 0, sizeof(a));
	a.kind = SC_SIGART_BROKEN;
	a.where = strdup("sha256-x.sig[3]");
	a.error = strdup("blob sha256:abc does not match its digest");
	expect_reason(&a, &image, 0, &o, "does not match its digest");
	free_art(&a);
}

static void test_attestation(void **state)
{
	sc_key *k1[] = { key }, *ko[] = { other };
	sc_verify_opts o = opts_for(k1, 1);
	sc_verify_item it;
	sc_sigart a;

	(void)state;
	make_att(&a, key, &image, "https://cyclonedx.org/bom");
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 1, &o), 0);
	assert_int_equal(it.valid, 1);
	assert_string_equal(it.predicate_type, "https://cyclonedx.org/bom");
	assert_string_equal(sc_json_str(it.predicate, "hello"), "world");
	sc_verify_item_release(&it);
	/* filtered by type: another type is skipped, not rejected */
	o.predicate_type = "https://slsa.dev/provenance/v1";
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 1, &o), SC_ENOTFOUND);
	o.predicate_type = NULL;
	/* signatures are not attestations */
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), SC_ENOTFOUND);
	/* subject of another image */
	expect_reason(&a, &elsewhere, 1, &o, "no subject with the image's digest");
	/* the annotation must agree with the signed statement */
	free(a.predicate_type);
	a.predicate_type = strdup("https://slsa.dev/provenance/v1");
	expect_reason(&a, &image, 1, &o, "predicateType annotation");
	/* another key */
	o = opts_for(ko, 1);
	expect_reason(&a, &image, 1, &o, "does not verify");
	/* labelled as a cosign signature: still an attestation, and the label is a lie */
	o = opts_for(k1, 1);
	free(a.predicate_type);
	a.predicate_type = strdup(SC_COSIGN_SIGN_PREDICATE);
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), SC_ENOTFOUND);
	expect_reason(&a, &image, 1, &o, "predicateType annotation");
	free_art(&a);
}

static void test_bundles(void **state)
{
	sc_key *k1[] = { key };
	sc_verify_opts o = opts_for(k1, 1);
	sc_verify_item it;
	sc_sigart a, s;
	sc_buf b;
	sc_digest pd;
	char hint[45];
	unsigned char *sig;
	size_t sig_len;

	(void)state;
	/* a message-signature bundle over a simple-signing payload */
	make_sig(&s, key, &image, "reg.example/app:v1");
	assert_int_equal(sc_base64_decode(&sig, &sig_len, s.signature_b64, strlen(s.signature_b64), 4096, 0, "t"), 0);
	assert_int_equal(sc_key_hint(key, hint), 0);
	sc_sha256_buf(&pd, s.doc, s.doc_len);
	sc_buf_init(&b, SC_SIGN_DOC_MAX, "bundle");
	assert_int_equal(sc_bundle_build_message(&b, hint, &pd, sig, sig_len), 0);
	memset(&a, 0, sizeof(a));
	a.kind = SC_SIGART_BUNDLE;
	a.where = strdup("referrer sha256:x");
	a.doc = (unsigned char *)sc_buf_detach(&b, &a.doc_len);
	a.payload = malloc(s.doc_len);
	memcpy(a.payload, s.doc, s.doc_len);
	a.payload_len = s.doc_len;
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), 0);
	assert_int_equal(it.valid, 1);
	assert_string_equal(it.format, "bundle");
	sc_verify_item_release(&it);
	/* the bundle is about a message signature, not an attestation */
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 1, &o), SC_ENOTFOUND);
	/* payload swapped: the digest in the bundle no longer matches */
	a.payload[5] ^= 1;
	expect_reason(&a, &image, 0, &o, "messageDigest");
	/* and verify-blob over the payload bytes */
	a.payload[5] ^= 1;
	assert_int_equal(sc_verify_bundle_blob(&it, a.doc, a.doc_len, a.payload, a.payload_len, 1, &o), 0);
	assert_int_equal(it.valid, 1);
	sc_verify_item_release(&it);
	assert_int_equal(sc_verify_bundle_blob(&it, a.doc, a.doc_len, "x", 1, 1, &o), 0);
	assert_int_equal(it.valid, 0);
	sc_verify_item_release(&it);
	/* a raw signature over the payload, base64 text and DER */
	assert_int_equal(sc_verify_signature_blob(&it, s.signature_b64, strlen(s.signature_b64), s.doc, s.doc_len, &o), 0);
	assert_int_equal(it.valid, 1);
	sc_verify_item_release(&it);
	assert_int_equal(sc_verify_signature_blob(&it, sig, sig_len, s.doc, s.doc_len, &o), 0);
	assert_int_equal(it.valid, 1);
	sc_verify_item_release(&it);
	free(sig);
	free_art(&a);
	free_art(&s);
}

/* cosign v3 signs with a DSSE bundle of predicate type sign/v1: a signature, not an attestation. */
static void test_cosign_v3_sign_bundle(void **state)
{
	sc_key *k1[] = { key };
	sc_verify_opts o = opts_for(k1, 1);
	sc_verify_item it;
	sc_sigart att, a;
	sc_dsse env;
	sc_buf b;
	char hint[45];

	(void)state;
	make_att(&att, key, &image, SC_COSIGN_SIGN_PREDICATE);
	memset(&env, 0, sizeof(env));
	assert_int_equal(sc_dsse_parse(&env, att.doc, att.doc_len), 0);
	assert_int_equal(sc_key_hint(key, hint), 0);
	sc_buf_init(&b, SC_SIGN_DOC_MAX, "bundle");
	assert_int_equal(sc_bundle_build_dsse(&b, hint, env.payload_type, env.payload, env.payload_len, env.sigs[0].sig,
					      env.sigs[0].sig_len), 0);
	memset(&a, 0, sizeof(a));
	a.kind = SC_SIGART_BUNDLE;
	a.where = strdup("referrer sha256:y");
	a.predicate_type = strdup(SC_COSIGN_SIGN_PREDICATE);
	a.doc = (unsigned char *)sc_buf_detach(&b, &a.doc_len);
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), 0);
	assert_int_equal(it.valid, 1);
	assert_int_equal(it.attestation, 0);
	sc_verify_item_release(&it);
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 1, &o), SC_ENOTFOUND);
	/* another image's digest: rejected as a signature */
	expect_reason(&a, &elsewhere, 0, &o, "no subject with the image's digest");
	/* sorted by the signed statement, not the unsigned annotation */
	free(a.predicate_type);
	a.predicate_type = NULL;
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 0, &o), 0);
	assert_int_equal(it.valid, 1);
	sc_verify_item_release(&it);
	assert_int_equal(sc_verify_artifact(&it, &a, &image, 1, &o), SC_ENOTFOUND);
	/* no docker-reference to hold --identity to */
	o.identity = "reg.example/app:v1";
	expect_reason(&a, &image, 0, &o, "no docker-reference to match --identity");
	o.identity = NULL;
	sc_dsse_release(&env);
	free_art(&a);
	free_art(&att);
}

static void test_shared_bundles(void **state)
{
	char *kp = shared_path("conf-key.pub"), *bp = shared_path("conf-managed-key-happy-path.json");
	char *ap = shared_path("conf-a.txt");
	char *bundle = NULL, *blob = NULL;
	size_t bl = 0, al = 0;
	sc_key *k = NULL, *keys[1];
	sc_verify_opts o;
	sc_verify_item it;

	(void)state;
	if (!kp || !bp || !ap) {
		free(kp);
		free(bp);
		free(ap);
		skip(); /* ../shared/data/sigstore is not present */
		return;
	}
	assert_int_equal(sc_key_load_public(&k, kp), 0);
	keys[0] = k;
	o = opts_for(keys, 1);
	assert_int_equal(sc_file_read_all(bp, 1 << 20, &bundle, &bl), 0);
	assert_int_equal(sc_file_read_all(ap, 1 << 20, &blob, &al), 0);
	/* a Rekor entry scute cannot check offline: rejected, naming it */
	assert_int_equal(sc_verify_bundle_blob(&it, bundle, bl, blob, al, 1, &o), 0);
	assert_int_equal(it.valid, 0);
	assert_non_null(strstr(it.reason, "transparency-log"));
	sc_verify_item_release(&it);
	/* the signature itself is good */
	o.ignore_tlog = 1;
	assert_int_equal(sc_verify_bundle_blob(&it, bundle, bl, blob, al, 1, &o), 0);
	assert_int_equal(it.valid, 1);
	sc_verify_item_release(&it);
	/* over other bytes it is not */
	assert_int_equal(sc_verify_bundle_blob(&it, bundle, bl, "b\n", 2, 1, &o), 0);
	assert_int_equal(it.valid, 0);
	sc_verify_item_release(&it);
	sc_key_free(k);
	free(bundle);
	free(blob);
	free(kp);
	free(bp);
	free(ap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_signature),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_attestation),
		cmocka_unit_test(test_bundles),
		cmocka_unit_test(test_cosign_v3_sign_bundle),
		cmocka_unit_test(test_shared_bundles),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
