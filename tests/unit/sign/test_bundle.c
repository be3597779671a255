/*
 * test_bundle.c - Sigstore bundles (src/sign/bundle.c): real bundles from
 * sigstore-conformance and sigstore-go (../shared/data/sigstore, skipped
 * when absent), the keyed v0.3 writer, and malformed bundles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "signtest.h"

#include "core/error.h"
#include "sign/bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Parse a shared file into b; 0 when the shared data is absent. */
static int load_shared(sc_bundle *b, const char *name)
{
	char *path = shared_path(name);
	unsigned char *data;
	size_t len;

	if (!path) {
		print_message("skipped: %s not present (../shared/data/sigstore)\n", name);
		return 0;
	}
	data = slurp(path, &len);
	if (sc_bundle_parse(b, data, len) != 0)
		fail_msg("%s: %s", name, sc_error_msg());
	free(data);
	free(path);
	return 1;
}

static void test_conformance_managed_key(void **state)
{
	sc_bundle b;
	sc_digest want;
	char *path;
	unsigned char *blob;
	size_t len;

	(void)state;
	if (!load_shared(&b, "conf-managed-key-happy-path.json")) {
		skip();
		return;
	}
	assert_string_equal(b.media_type, "application/vnd.dev.sigstore.bundle.v0.3+json");
	assert_int_equal(b.version_minor, 3);
	assert_string_equal(b.hint, "TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=");
	assert_false(b.has_certificate);
	assert_int_equal(b.ntlog_entries, 1);
	assert_int_equal(b.ntimestamps, 1);
	assert_int_equal(b.content, SC_BUNDLE_MESSAGE_SIGNATURE);
	assert_true(b.has_message_digest);
	assert_true(b.signature_len >= 64 && b.signature[0] == 0x30);
	/* The digest is that of the signed artifact conf-a.txt. */
	path = shared_path("conf-a.txt");
	assert_non_null(path);
	blob = slurp(path, &len);
	assert_int_equal(sc_sha256_buf(&want, blob, len), 0);
	assert_true(sc_digest_eq(&want, &b.message_digest));
	free(blob);
	free(path);
	sc_bundle_release(&b);
	assert_null(b.hint);
}

static void test_sigstore_go_public_key(void **state)
{
	sc_bundle b;
	sc_digest want;

	(void)state;
	if (!load_shared(&b, "sgo-public-key-validity.sigstore.json")) {
		skip();
		return;
	}
	assert_int_equal(b.version_minor, 3);
	assert_string_equal(b.hint, "IpekKjxVkmTfB4YqY8q5sGEAeVtF9x3m7jHdhAxpgjQ=");
	assert_int_equal(b.ntlog_entries, 0);
	assert_int_equal(b.ntimestamps, 1);
	assert_int_equal(b.content, SC_BUNDLE_MESSAGE_SIGNATURE);
	assert_int_equal(sc_sha256_buf(&want, "test content", 12), 0);
	assert_true(b.has_message_digest);
	assert_true(sc_digest_eq(&want, &b.message_digest));
	sc_bundle_release(&b);
}

static void test_sigstore_go_dsse_v01(void **state)
{
	sc_bundle b;
	sc_intoto st;

	(void)state;
	if (!load_shared(&b, "sgo-bundle-publish.json")) {
		skip();
		return;
	}
	assert_string_equal(b.media_type, "application/vnd.dev.sigstore.bundle+json;version=0.1");
	assert_int_equal(b.version_minor, 1);
	assert_string_equal(b.hint, "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA");
	assert_int_equal(b.ntlog_entries, 1);
	assert_int_equal(b.ntimestamps, 0); /* timestampVerificationData: null */
	assert_int_equal(b.content, SC_BUNDLE_DSSE);
	assert_false(b.has_message_digest);
	assert_null(b.signature);
	assert_string_equal(b.dsse.payload_type, SC_INTOTO_PAYLOAD_TYPE);
	assert_int_equal(b.dsse.nsigs, 1);
	assert_string_equal(b.dsse.sigs[0].keyid, "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA");
	/* The payload is an in-toto v0.1 statement whose only subject has a sha512. */
	assert_int_equal(sc_intoto_parse(&st, b.dsse.payload, b.dsse.payload_len), 0);
	assert_string_equal(st.type, SC_INTOTO_STATEMENT_V01);
	assert_string_equal(st.predicate_type, "https://github.com/npm/attestation/tree/main/specs/publish/v0.1");
	assert_int_equal(st.nsubjects, 0);
	sc_intoto_release(&st);
	sc_bundle_release(&b);
}

static void test_build_message(void **state)
{
	static const char want[] =
		"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
		"\"verificationMaterial\":{\"publicKey\":{\"hint\":\"aGludA==\"},\"tlogEntries\":[]},"
		"\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
		"\"digest\":\"auinVVUgn9bEQVfArtgBbnY/9DWhnPGG92hjFAFD/3I=\"},\"signature\":\"MEUCIQ==\"}}";
	sc_digest d;
	sc_bundle b;
	sc_buf out;

	(void)state;
	assert_int_equal(sc_sha256_buf(&d, "test content", 12), 0);
	sc_buf_init(&out, 1 << 20, "bundle");
	assert_int_equal(sc_bundle_build_message(&out, "aGludA==", &d, "\x30\x45\x02\x21", 4), 0);
	assert_string_equal(out.data, want);
	assert_int_equal(sc_bundle_parse(&b, out.data, out.len), 0);
	assert_string_equal(b.media_type, SC_BUNDLE_MEDIA_TYPE);
	assert_int_equal(b.version_minor, 3);
	assert_string_equal(b.hint, "aGludA==");
	assert_int_equal(b.ntlog_entries, 0);
	assert_int_equal(b.ntimestamps, 0);
	assert_int_equal(b.content, SC_BUNDLE_MESSAGE_SIGNATURE);
	assert_true(b.has_message_digest);
	assert_true(sc_digest_eq(&d, &b.message_digest));
	assert_int_equal(b.signature_len, 4);
	assert_memory_equal(b.signature, "\x30\x45\x02\x21", 4);
	sc_bundle_release(&b);
	sc_buf_release(&out);

	sc_buf_init(&out, 1 << 20, "bundle");
	assert_int_equal(sc_bundle_build_message(&out, "h", &d, NULL, 0), SC_EUSAGE);
	sc_buf_release(&out);
	sc_error_clear();
}

static void test_build_dsse(void **state)
{
	static const char want[] =
		"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
		"\"verificationMaterial\":{\"publicKey\":{\"hint\":\"h\"},\"tlogEntries\":[]},"
		"\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\","
		"\"signatures\":[{\"sig\":\"MEQ=\"}]}}";
	sc_bundle b;
	sc_buf out;

	(void)state;
	sc_buf_init(&out, 1 << 20, "bundle");
	assert_int_equal(sc_bundle_build_dsse(&out, "h", SC_INTOTO_PAYLOAD_TYPE, "{}", 2, "\x30\x44", 2), 0);
	assert_string_equal(out.data, want);
	assert_int_equal(sc_bundle_parse(&b, out.data, out.len), 0);
	assert_int_equal(b.content, SC_BUNDLE_DSSE);
	assert_string_equal(b.dsse.payload_type, SC_INTOTO_PAYLOAD_TYPE);
	assert_int_equal(b.dsse.payload_len, 2);
	assert_memory_equal(b.dsse.payload, "{}", 2);
	assert_int_equal(b.dsse.nsigs, 1);
	assert_string_equal(b.dsse.sigs[0].keyid, "");
	assert_memory_equal(b.dsse.sigs[0].sig, "\x30\x44", 2);
	sc_bundle_release(&b);
	sc_buf_release(&out);
}

/* ---- malformed bundles ---- */

#define MT3 "\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\""
#define VM_KEY "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"h\"}}"
#define MSG "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\"," \
	"\"digest\":\"auinVVUgn9bEQVfArtgBbnY/9DWhnPGG92hjFAFD/3I=\"},\"signature\":\"MEQ=\"}"
#define DSSE "\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"MEQ=\"}]}"
#define CERT "{\"rawBytes\":\"MIIB\"}"

static void expect(const char *doc, int code, const char *msg_part)
{
	sc_bundle b;
	int rc = sc_bundle_parse(&b, doc, strlen(doc));

	if (rc != code)
		fail_msg("rc %d want %d for %.300s (%s)", rc, code, doc, sc_error_msg());
	if (rc == 0) {
		sc_bundle_release(&b);
		return;
	}
	assert_null(b.media_type);
	assert_null(b.hint);
	assert_null(b.signature);
	assert_null(b.dsse.sigs);
	if (msg_part && !strstr(sc_error_msg(), msg_part))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), msg_part);
	assert_null(strchr(sc_error_msg(), '\n'));
	sc_error_clear();
}

static void test_media_types(void **state)
{
	static const char *const ok[] = {
		"application/vnd.dev.sigstore.bundle+json;version=0.1",
		"application/vnd.dev.sigstore.bundle+json;version=0.2",
		"application/vnd.dev.sigstore.bundle+json;version=0.3",
		"application/vnd.dev.sigstore.bundle.v0.3+json",
		"application/vnd.dev.sigstore.bundle.v0.2+json",
	};
	static const char *const bad[] = {
		"application/vnd.dev.sigstore.bundle+json",
		"application/vnd.dev.sigstore.bundle+json;version=0.3 ",
		"application/vnd.dev.sigstore.bundle+json;version=0.33",
		"application/vnd.dev.sigstore.bundle.v0.3+jsonx",
		"application/vnd.dev.sigstore.bundle.v1.0+json",
		"application/json",
		"",
	};
	char doc[512];
	size_t i;
	sc_bundle b;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"mediaType\":\"%s\"," VM_KEY "," MSG "}", ok[i]);
		assert_int_equal(sc_bundle_parse(&b, doc, strlen(doc)), 0);
		assert_int_equal(b.version_minor, ok[i][strlen(ok[i]) - (strchr(ok[i], ';') ? 1 : 6)] - '0');
		sc_bundle_release(&b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"mediaType\":\"%s\"," VM_KEY "," MSG "}", bad[i]);
		expect(doc, SC_EINPUT, "mediaType");
	}
	expect("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.4+json\"," VM_KEY "," MSG "}",
	       SC_EUNSUPPORTED, "0.4");
	expect("{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.0\"," VM_KEY "," MSG "}",
	       SC_EUNSUPPORTED, "0.0");
	expect("{" VM_KEY "," MSG "}", SC_EINPUT, "missing field 'mediaType'");
	expect("{\"mediaType\":3," VM_KEY "," MSG "}", SC_EINPUT, "'mediaType' is not a string");
}

static void test_verification_material(void **state)
{
	sc_bundle b;
	const char *doc;

	(void)state;
	expect("{" MT3 "," VM_KEY "," MSG "}", 0, NULL);
	expect("{" MT3 "," MSG "}", SC_EINPUT, "missing field 'verificationMaterial'");
	expect("{" MT3 ",\"verificationMaterial\":[]," MSG "}", SC_EINPUT, "not an object");
	expect("{" MT3 ",\"verificationMaterial\":{}," MSG "}", SC_EINPUT, "exactly one of publicKey");
	expect("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"certificate\":" CERT "}," MSG "}",
	       SC_EINPUT, "exactly one of publicKey");
	expect("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{\"hint\":5}}," MSG "}", SC_EINPUT, "'hint'");
	expect("{" MT3 ",\"verificationMaterial\":{\"certificate\":{}}," MSG "}", SC_EINPUT,
	       "missing field 'rawBytes'");
	expect("{" MT3 ",\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"!!!!\"}}," MSG "}", SC_EINPUT,
	       "certificate");
	expect("{" MT3 ",\"verificationMaterial\":{\"x509CertificateChain\":{\"certificates\":[]}}," MSG "}",
	       SC_EINPUT, "'certificates' is empty");
	expect("{" MT3 ",\"verificationMaterial\":{\"x509CertificateChain\":{\"certificates\":[" CERT ",7]}}," MSG "}",
	       SC_EINPUT, "certificates[1]");
	expect("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":{}}," MSG "}", SC_EINPUT,
	       "'tlogEntries' is not an array");
	expect("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":[1]}," MSG "}", SC_EINPUT,
	       "tlogEntries[0] is not an object");
	expect("{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"timestampVerificationData\":"
	       "{\"rfc3161Timestamps\":\"x\"}}," MSG "}", SC_EINPUT, "rfc3161Timestamps");

	/* Keyless: a certificate or chain is recorded (not trusted); no hint. */
	doc = "{" MT3 ",\"verificationMaterial\":{\"certificate\":" CERT ",\"tlogEntries\":[{},{}],"
	      "\"timestampVerificationData\":{\"rfc3161Timestamps\":[{},{},{}]}}," MSG "}";
	assert_int_equal(sc_bundle_parse(&b, doc, strlen(doc)), 0);
	assert_true(b.has_certificate);
	assert_null(b.hint);
	assert_int_equal(b.ntlog_entries, 2);
	assert_int_equal(b.ntimestamps, 3);
	sc_bundle_release(&b);
	doc = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.2\",\"verificationMaterial\":"
	      "{\"x509CertificateChain\":{\"certificates\":[" CERT "," CERT "]},\"tlogEntries\":null}," DSSE "}";
	assert_int_equal(sc_bundle_parse(&b, doc, strlen(doc)), 0);
	assert_true(b.has_certificate);
	assert_int_equal(b.ntlog_entries, 0);
	assert_int_equal(b.content, SC_BUNDLE_DSSE);
	sc_bundle_release(&b);
}

static void test_too_many_entries(void **state)
{
	char *doc = malloc(8192);
	int i;

	(void)state;
	strcpy(doc, "{" MT3 ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":[");
	for (i = 0; i < 65; i++)
		strcat(doc, i ? ",{}" : "{}");
	strcat(doc, "]}," MSG "}");
	expect(doc, SC_ELIMIT, "field 'tlogEntries' has 65 entries");
	strcpy(doc, "{" MT3 "," VM_KEY ",\"dsseEnvelope\":{\"payload\":\"\",\"payloadType\":\"t\",\"signatures\":[");
	for (i = 0; i < 65; i++)
		strcat(doc, i ? ",{\"sig\":\"MEQ=\"}" : "{\"sig\":\"MEQ=\"}");
	strcat(doc, "]}}");
	expect(doc, SC_ELIMIT, "dsseEnvelope");
	free(doc);
}

static void test_content(void **state)
{
	sc_bundle b;
	const char *doc;

	(void)state;
	expect("{" MT3 "," VM_KEY "}", SC_EINPUT, "exactly one of messageSignature, dsseEnvelope");
	expect("{" MT3 "," VM_KEY "," MSG "," DSSE "}", SC_EINPUT, "exactly one of messageSignature");
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":\"x\"}", SC_EINPUT, "'messageSignature' is not an object");
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":{}}", SC_EINPUT, "missing field 'signature'");
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":{\"signature\":\"\"}}", SC_EINPUT, "'signature' is empty");
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":{\"signature\":\"M E=\"}}", SC_EINPUT,
	       "messageSignature.signature");
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\"},"
	       "\"signature\":\"MEQ=\"}}", SC_EINPUT, "missing field 'digest'");
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":{\"messageDigest\":{\"digest\":\"\"},"
	       "\"signature\":\"MEQ=\"}}", SC_EINPUT, "missing field 'algorithm'");
	/* Bad digests: wrong length for SHA2_256, bad base64. */
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
	       "\"digest\":\"MEQ=\"},\"signature\":\"MEQ=\"}}", SC_EINPUT, "SHA2_256 digest is 2 bytes");
	expect("{" MT3 "," VM_KEY ",\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
	       "\"digest\":\"@@@@\"},\"signature\":\"MEQ=\"}}", SC_EINPUT, "messageDigest.digest");
	expect("{" MT3 "," VM_KEY ",\"dsseEnvelope\":{\"payloadType\":\"t\",\"signatures\":[]}}", SC_EINPUT,
	       "dsseEnvelope");
	expect("{" MT3 "," VM_KEY ",\"dsseEnvelope\":[]}", SC_EINPUT, "'dsseEnvelope' is not an object");

	/* Another algorithm: parses, but no usable digest. */
	doc = "{" MT3 "," VM_KEY ",\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_384\","
	      "\"digest\":\"MEQ=\"},\"signature\":\"MEQ=\"}}";
	assert_int_equal(sc_bundle_parse(&b, doc, strlen(doc)), 0);
	assert_false(b.has_message_digest);
	sc_bundle_release(&b);
	/* No messageDigest at all; URL-safe signature base64 (protojson reads it). */
	doc = "{" MT3 "," VM_KEY ",\"messageSignature\":{\"signature\":\"-_8\"}}";
	assert_int_equal(sc_bundle_parse(&b, doc, strlen(doc)), 0);
	assert_false(b.has_message_digest);
	assert_memory_equal(b.signature, "\xfb\xff", 2);
	sc_bundle_release(&b);

	expect("[]", SC_EINPUT, "not a JSON object");
	expect("{" MT3 "," VM_KEY "," MSG "}}", SC_EINPUT, "malformed JSON");
	expect("{" MT3 "," MT3 "," VM_KEY "," MSG "}", SC_EINPUT, NULL); /* duplicate key */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_managed_key),
		cmocka_unit_test(test_sigstore_go_public_key),
		cmocka_unit_test(test_sigstore_go_dsse_v01),
		cmocka_unit_test(test_build_message),
		cmocka_unit_test(test_build_dsse),
		cmocka_unit_test(test_media_types),
		cmocka_unit_test(test_verification_material),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_content),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
