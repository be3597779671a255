/*
 * test_envelope.c - simple-signing payloads, DSSE, in-toto Statements and
 * sigstore-json signature files (src/sign/envelope.c).  The payload writer
 * is checked byte for byte against real cosign payloads from
 * containers/image's fixtures (../shared/data/sigstore, skipped when
 * absent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "signtest.h"

#include "core/base64.h"
#include "core/error.h"
#include "sign/envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEX_A "634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"
#define DIGEST_A "sha256:" HEX_A

/* ---- helpers ---- */


static sc_digest digest_of(const char *s)
{
	sc_digest d;

	assert_int_equal(sc_digest_parse(&d, s), 0);
	return d;
}

static json_t *js(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (!j)
		fail_msg("test JSON: %s", e.text);
	return j;
}

/* Parse a payload, expecting failure code with msg_part in the message. */
static void simplesign_reject(const char *doc, int code, const char *msg_part)
{
	sc_simplesign s;
	int rc;

	memset(&s, 0x5a, sizeof(s));
	rc = sc_simplesign_parse(&s, doc, strlen(doc));
	if (rc != code)
		fail_msg("rc %d want %d for %s (%s)", rc, code, doc, sc_error_msg());
	if (rc == 0) {
		sc_simplesign_release(&s);
		return;
	}
	assert_null(s.docker_ref);
	assert_null(s.optional);
	if (msg_part && !strstr(sc_error_msg(), msg_part))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), msg_part);
	assert_null(strchr(sc_error_msg(), '\n'));
	sc_error_clear();
}

static void dsse_reject(const char *doc, int code, const char *msg_part)
{
	sc_dsse e;
	int rc;

	rc = sc_dsse_parse(&e, doc, strlen(doc));
	if (rc != code)
		fail_msg("rc %d want %d for %s (%s)", rc, code, doc, sc_error_msg());
	assert_null(e.sigs);
	assert_null(e.payload);
	assert_null(e.payload_type);
	if (msg_part && !strstr(sc_error_msg(), msg_part))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), msg_part);
	sc_error_clear();
}

static void intoto_reject(const char *doc, int code, const char *msg_part)
{
	sc_intoto st;
	int rc;

	rc = sc_intoto_parse(&st, doc, strlen(doc));
	if (rc != code)
		fail_msg("rc %d want %d for %.200s (%s)", rc, code, doc, sc_error_msg());
	if (rc == 0) {
		sc_intoto_release(&st);
		return;
	}
	assert_null(st.subjects);
	assert_null(st.predicate);
	if (msg_part && !strstr(sc_error_msg(), msg_part))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), msg_part);
	sc_error_clear();
}

/* ---- simple signing ---- */

static void test_simplesign_build(void **state)
{
	static const char want[] =
		"{\"critical\":{\"identity\":{\"docker-reference\":\"quay.io/a/b:1\"},"
		"\"image\":{\"docker-manifest-digest\":\"" DIGEST_A "\"},"
		"\"type\":\"cosign container image signature\"},\"optional\":null}";
	sc_digest d = digest_of(DIGEST_A);
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1 << 20, "payload");
	assert_int_equal(sc_simplesign_payload(&b, "quay.io/a/b:1", &d, NULL), 0);
	assert_string_equal(b.data, want);
	sc_buf_release(&b);
}

/* What Go's json.Marshal writes for a map[string]interface{}: sorted keys,
 * HTML-safe escapes, shortest floats. */
static void test_simplesign_go_encoding(void **state)
{
	static const char want[] =
		"{\"critical\":{\"identity\":{\"docker-reference\":\"r\\u003cx\\u003e\\u0026\\\"\\\\\"},"
		"\"image\":{\"docker-manifest-digest\":\"" DIGEST_A "\"},"
		"\"type\":\"cosign container image signature\"},"
		"\"optional\":{\"A\":true,\"a\":\"x\\u003cy/z\",\"b\":1,"
		"\"c\":[1.5,1e+21,1e-7,0.000001,100,-0.25,123456789012,1.2345678901234567e+30,null,false],"
		"\"ctl\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\",\"nested\":{\"a\":{},\"z\":[]},"
		"\"u\":\"\xc3\xa9\\u2028\\u2029\xe2\x80\xaa\"}}";
	sc_digest d = digest_of(DIGEST_A);
	json_t *opt = json_object();
	sc_buf b;

	(void)state;
	/* Inserted out of order: the writer sorts like Go's map encoder. */
	json_object_set_new(opt, "u", json_string("\xc3\xa9\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa"));
	json_object_set_new(opt, "nested", js("{\"z\":[],\"a\":{}}"));
	json_object_set_new(opt, "ctl", json_string("\b\f\n\r\t\x01\x1f\x7f"));
	json_object_set_new(opt, "c", js("[1.5,1e21,1e-7,0.000001,100.0,-0.25,123456789012,1.2345678901234567e30,null,false]"));
	json_object_set_new(opt, "b", json_integer(1));
	json_object_set_new(opt, "a", json_string("x<y/z"));
	json_object_set_new(opt, "A", json_true());
	sc_buf_init(&b, 1 << 20, "payload");
	assert_int_equal(sc_simplesign_payload(&b, "r<x>&\"\\", &d, opt), 0);
	assert_string_equal(b.data, want);
	sc_buf_release(&b);
}

static void test_simplesign_build_errors(void **state)
{
	sc_digest d = digest_of(DIGEST_A), none = {0};
	json_t *big = json_object();
	char *s = malloc(SC_SIGN_PAYLOAD_MAX + 1);
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1 << 20, "payload");
	assert_int_equal(sc_simplesign_payload(&b, "a\xff", &d, NULL), SC_EUSAGE);
	assert_int_equal(sc_simplesign_payload(&b, "a", &none, json_object()), SC_EUSAGE);
	assert_int_equal(sc_simplesign_payload(&b, "a", &d, json_string("x")), SC_EUSAGE);
	memset(s, 'x', SC_SIGN_PAYLOAD_MAX);
	s[SC_SIGN_PAYLOAD_MAX] = '\0';
	json_object_set_new(big, "x", json_string(s));
	sc_buf_reset(&b);
	assert_int_equal(sc_simplesign_payload(&b, "a", &d, big), SC_ELIMIT);
	free(s);
	sc_buf_release(&b);
	sc_error_clear();
}

static void test_simplesign_parse(void **state)
{
	static const char doc[] =
		"{\"critical\":{\"identity\":{\"docker-reference\":\"quay.io/a/b:1\"},"
		"\"image\":{\"docker-manifest-digest\":\"" DIGEST_A "\"},"
		"\"type\":\"cosign container image signature\"},\"optional\":{\"creator\":\"x\",\"timestamp\":5}}";
	sc_digest d = digest_of(DIGEST_A);
	sc_simplesign s;
	const char *doc2;

	(void)state;
	assert_int_equal(sc_simplesign_parse(&s, doc, strlen(doc)), 0);
	assert_string_equal(s.docker_ref, "quay.io/a/b:1");
	assert_true(sc_digest_eq(&s.digest, &d));
	assert_non_null(s.optional);
	assert_int_equal(json_integer_value(json_object_get(s.optional, "timestamp")), 5);
	sc_simplesign_release(&s);
	assert_null(s.docker_ref);

	/* Key order and whitespace do not matter; optional absent or null. */
	doc2 = "{ \"critical\" : {\"type\":\"cosign container image signature\","
	       "\"image\":{\"docker-manifest-digest\":\"" DIGEST_A "\"},"
	       "\"identity\":{\"docker-reference\":\"\"}}, \"optional\": null }";
	assert_int_equal(sc_simplesign_parse(&s, doc2, strlen(doc2)), 0);
	assert_string_equal(s.docker_ref, "");
	assert_null(s.optional);
	sc_simplesign_release(&s);
}

#define CRIT(ident, image, type) \
	"{\"critical\":{\"identity\":" ident ",\"image\":" image ",\"type\":" type "}}"
#define IDENT "{\"docker-reference\":\"r\"}"
#define IMAGE "{\"docker-manifest-digest\":\"" DIGEST_A "\"}"
#define TYPE "\"cosign container image signature\""

static void test_simplesign_reject(void **state)
{
	char *big;

	(void)state;
	simplesign_reject(CRIT(IDENT, IMAGE, TYPE), 0, NULL); /* the base document parses */
	simplesign_reject("", SC_EINPUT, "malformed JSON");
	simplesign_reject("[]", SC_EINPUT, "not a JSON object");
	simplesign_reject("{}", SC_EINPUT, "'critical'");
	simplesign_reject("{\"critical\":null}", SC_EINPUT, "missing field 'critical'");
	simplesign_reject("{\"critical\":[]}", SC_EINPUT, "'critical' is not an object");
	simplesign_reject(CRIT(IDENT, IMAGE, "\"atomic container signature\""), SC_EINPUT, "critical.type");
	simplesign_reject(CRIT(IDENT, IMAGE, "1"), SC_EINPUT, "'type' is not a string");
	simplesign_reject("{\"critical\":{\"identity\":" IDENT ",\"image\":" IMAGE "}}", SC_EINPUT,
			  "missing field 'type'");
	simplesign_reject("{\"critical\":{\"image\":" IMAGE ",\"type\":" TYPE "}}", SC_EINPUT,
			  "missing field 'identity'");
	simplesign_reject("{\"critical\":{\"identity\":" IDENT ",\"type\":" TYPE "}}", SC_EINPUT,
			  "missing field 'image'");
	simplesign_reject(CRIT("{}", IMAGE, TYPE), SC_EINPUT, "missing field 'docker-reference'");
	simplesign_reject(CRIT("{\"docker-reference\":7}", IMAGE, TYPE), SC_EINPUT,
			  "'docker-reference' is not a string");
	simplesign_reject(CRIT("{\"docker-reference\":\"a\\u0000b\"}", IMAGE, TYPE), SC_EINPUT, "NUL");
	simplesign_reject(CRIT(IDENT, "{}", TYPE), SC_EINPUT, "missing field 'docker-manifest-digest'");
	/* Bad digests: uppercase, short, other algorithm, not a string. */
	simplesign_reject(CRIT(IDENT, "{\"docker-manifest-digest\":\"sha256:634A8F35B5F16DCF4AAA0822ADC0B1964BB786FCA12F6831DE8DDC45E5986A00\"}", TYPE),
			  SC_EINPUT, "not a sha256 digest");
	simplesign_reject(CRIT(IDENT, "{\"docker-manifest-digest\":\"sha256:634a\"}", TYPE), SC_EINPUT,
			  "docker-manifest-digest");
	simplesign_reject(CRIT(IDENT, "{\"docker-manifest-digest\":\"md5:634a8f35b5f16dcf4aaa0822adc0b196\"}", TYPE),
			  SC_EINPUT, "docker-manifest-digest");
	simplesign_reject(CRIT(IDENT, "{\"docker-manifest-digest\":[]}", TYPE), SC_EINPUT, "not a string");
	/* Unknown fields (containers/image rejects them too). */
	simplesign_reject("{\"critical\":{\"identity\":" IDENT ",\"image\":" IMAGE ",\"type\":" TYPE ",\"x\":1}}",
			  SC_EINPUT, "unknown field 'critical.x'");
	simplesign_reject(CRIT("{\"docker-reference\":\"r\",\"y\":1}", IMAGE, TYPE), SC_EINPUT,
			  "critical.identity.y");
	simplesign_reject("{\"critical\":{\"identity\":" IDENT ",\"image\":" IMAGE ",\"type\":" TYPE "},\"z\":1}",
			  SC_EINPUT, "unknown field 'z'");
	simplesign_reject("{\"critical\":{\"identity\":" IDENT ",\"image\":" IMAGE ",\"type\":" TYPE "},\"Critical\":1}",
			  SC_EINPUT, "unknown field 'Critical'");
	simplesign_reject("{\"critical\":{\"identity\":" IDENT ",\"image\":" IMAGE ",\"type\":" TYPE "},\"optional\":\"s\"}",
			  SC_EINPUT, "'optional' is not an object");
	/* Duplicate keys would let two readers see different identities. */
	simplesign_reject(CRIT("{\"docker-reference\":\"a\",\"docker-reference\":\"b\"}", IMAGE, TYPE),
			  SC_EINPUT, NULL);
	simplesign_reject(CRIT(IDENT, IMAGE, TYPE) "x", SC_EINPUT, NULL);
	/* Bounded size and depth. */
	big = malloc(SC_SIGN_PAYLOAD_MAX + 2);
	memset(big, ' ', SC_SIGN_PAYLOAD_MAX + 1);
	big[SC_SIGN_PAYLOAD_MAX + 1] = '\0';
	simplesign_reject(big, SC_ELIMIT, NULL);
	free(big);
	big = malloc(4096);
	strcpy(big, "{\"critical\":{\"identity\":" IDENT ",\"image\":" IMAGE ",\"type\":" TYPE "},\"optional\":{\"a\":");
	for (int i = 0; i < 100; i++)
		strcat(big, "[");
	simplesign_reject(big, SC_ELIMIT, "deeper");
	free(big);
}

/* Real cosign payloads: parse them, write them again, get the same bytes. */
static void check_cosign_file(const char *name)
{
	char *path = shared_path(name);
	unsigned char *data;
	sc_sigstore_json sj;
	sc_simplesign s;
	sc_buf b;
	size_t len;

	if (!path) {
		print_message("skipped %s: ../shared/data/sigstore not present\n", name);
		return;
	}
	data = slurp(path, &len);
	if (sc_sigstore_json_parse(&sj, data, len) != 0)
		fail_msg("%s: %s", name, sc_error_msg());
	assert_string_equal(sj.mime_type, SC_SIMPLESIGN_MEDIA_TYPE);
	assert_non_null(sj.signature);
	assert_true(sj.signature_len >= 8 && sj.signature[0] == 0x30); /* DER SEQUENCE */
	if (sc_simplesign_parse(&s, sj.payload, sj.payload_len) != 0)
		fail_msg("%s: %s", name, sc_error_msg());
	sc_buf_init(&b, 1 << 20, "payload");
	assert_int_equal(sc_simplesign_payload(&b, s.docker_ref, &s.digest, json_incref(s.optional)), 0);
	assert_int_equal(b.len, sj.payload_len);
	assert_memory_equal(b.data, sj.payload, b.len);
	sc_buf_release(&b);
	sc_simplesign_release(&s);
	sc_sigstore_json_release(&sj);
	free(data);
	free(path);
}

static void test_simplesign_cosign_identical(void **state)
{
	(void)state;
	check_cosign_file("ci-dir-img-cosign-valid/signature-1");
	check_cosign_file("ci-dir-img-cosign-valid-2/signature-1");
	check_cosign_file("ci-dir-img-cosign-valid-2/signature-2");
	check_cosign_file("ci-dir-img-cosign-key-rekor-valid/signature-1");
	check_cosign_file("ci-dir-img-cosign-valid-with-tag/signature-1"); /* optional {creator, timestamp} */
}

static void test_simplesign_cosign_fields(void **state)
{
	char *path = shared_path("ci-dir-img-cosign-valid/signature-1");
	unsigned char *data;
	sc_sigstore_json sj;
	sc_simplesign s;
	sc_digest d = digest_of(DIGEST_A);
	size_t len;

	(void)state;
	if (!path) {
		skip();
		return;
	}
	data = slurp(path, &len);
	assert_int_equal(sc_sigstore_json_parse(&sj, data, len), 0);
	assert_int_equal(sj.signature_len, 72);
	assert_non_null(json_object_get(sj.annotations, SC_COSIGN_SIGNATURE_ANNOTATION));
	assert_int_equal(sc_simplesign_parse(&s, sj.payload, sj.payload_len), 0);
	assert_string_equal(s.docker_ref, "192.168.64.2:5000/cosign-signed-single-sample");
	assert_true(sc_digest_eq(&s.digest, &d));
	assert_null(s.optional);
	sc_simplesign_release(&s);
	sc_sigstore_json_release(&sj);
	free(data);
	free(path);
}

/* ---- sigstore-json files ---- */

static int sj_parse(sc_sigstore_json *sj, const char *json)
{
	char buf[2048];
	size_t n = strlen(json);

	assert_true(n + SC_SIGSTORE_JSON_PREFIX_LEN < sizeof(buf));
	memcpy(buf, SC_SIGSTORE_JSON_PREFIX, SC_SIGSTORE_JSON_PREFIX_LEN);
	memcpy(buf + SC_SIGSTORE_JSON_PREFIX_LEN, json, n);
	return sc_sigstore_json_parse(sj, buf, n + SC_SIGSTORE_JSON_PREFIX_LEN);
}

static void test_sigstore_json(void **state)
{
	sc_sigstore_json sj;

	(void)state;
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"aGk=\",\"annotations\":"
				  "{\"dev.cosignproject.cosign/signature\":\"MEUC\",\"other\":\"x\"}}"), 0);
	assert_string_equal(sj.mime_type, "m");
	assert_int_equal(sj.payload_len, 2);
	assert_memory_equal(sj.payload, "hi", 2);
	assert_int_equal(sj.signature_len, 3);
	assert_memory_equal(sj.signature, "\x30\x45\x02", 3);
	sc_sigstore_json_release(&sj);
	/* No signature annotation: parses, signature NULL (the verifier says why). */
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"\"}"), 0);
	assert_null(sj.signature);
	assert_null(sj.annotations);
	sc_sigstore_json_release(&sj);

	assert_int_equal(sc_sigstore_json_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"\"}", 29), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "prefix"));
	assert_int_equal(sc_sigstore_json_parse(&sj, "\0sigstore-json", 14), SC_EINPUT);
	assert_int_equal(sj_parse(&sj, "{\"payload\":\"\"}"), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "mimeType"));
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\"}"), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "payload"));
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"a b\"}"), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "payload"));
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"\",\"annotations\":[]}"), SC_EINPUT);
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"\",\"annotations\":{\"k\":1}}"), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "'k'"));
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"\",\"annotations\":"
				  "{\"dev.cosignproject.cosign/signature\":\"M!==\"}}"), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "dev.cosignproject.cosign/signature"));
	assert_int_equal(sj_parse(&sj, "{\"mimeType\":\"m\",\"payload\":\"\",\"annotations\":"
				  "{\"dev.cosignproject.cosign/signature\":\"\"}}"), SC_EINPUT);
	assert_null(sj.mime_type);
	sc_error_clear();
}

/* ---- DSSE ---- */

static void test_dsse_pae(void **state)
{
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1 << 20, "pae");
	assert_int_equal(sc_dsse_pae(&b, "http://example.com/HelloWorld", "hello world", 11), 0);
	assert_string_equal(b.data, "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
	sc_buf_reset(&b);
	assert_int_equal(sc_dsse_pae(&b, "", "", 0), 0);
	assert_string_equal(b.data, "DSSEv1 0  0 ");
	sc_buf_reset(&b);
	assert_int_equal(sc_dsse_pae(&b, "t", "a\0b", 3), 0);
	assert_int_equal(b.len, 16);
	assert_memory_equal(b.data, "DSSEv1 1 t 3 a\0b", 16);
	sc_buf_release(&b);
}

static void test_dsse_roundtrip(void **state)
{
	static const char want[] =
		"{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\","
		"\"signatures\":[{\"keyid\":\"\",\"sig\":\"+/8=\"}]}";
	sc_buf b;
	sc_dsse e;

	(void)state;
	sc_buf_init(&b, 1 << 20, "dsse");
	assert_int_equal(sc_dsse_build(&b, SC_INTOTO_PAYLOAD_TYPE, "{}", 2, NULL, "\xfb\xff", 2), 0);
	assert_string_equal(b.data, want);
	assert_int_equal(sc_dsse_parse(&e, b.data, b.len), 0);
	assert_string_equal(e.payload_type, SC_INTOTO_PAYLOAD_TYPE);
	assert_int_equal(e.payload_len, 2);
	assert_memory_equal(e.payload, "{}", 2);
	assert_int_equal(e.nsigs, 1);
	assert_string_equal(e.sigs[0].keyid, "");
	assert_int_equal(e.sigs[0].sig_len, 2);
	assert_memory_equal(e.sigs[0].sig, "\xfb\xff", 2);
	sc_dsse_release(&e);
	sc_buf_reset(&b);
	assert_int_equal(sc_dsse_build(&b, "t", "", 0, "k1", "s", 1), 0);
	assert_string_equal(b.data, "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"keyid\":\"k1\",\"sig\":\"cw==\"}]}");
	sc_buf_release(&b);
}

static void test_dsse_parse_variants(void **state)
{
	sc_dsse e;
	const char *doc;

	(void)state;
	/* URL-safe and unpadded base64, several signatures, keyid absent. */
	doc = "{\"payloadType\":\"t\",\"payload\":\"-_8\",\"signatures\":[{\"sig\":\"-_8\"},"
	      "{\"keyid\":\"SHA256:x\",\"sig\":\"+/8=\"}],\"extra\":1}";
	assert_int_equal(sc_dsse_parse(&e, doc, strlen(doc)), 0);
	assert_int_equal(e.payload_len, 2);
	assert_memory_equal(e.payload, "\xfb\xff", 2);
	assert_int_equal(e.nsigs, 2);
	assert_string_equal(e.sigs[0].keyid, "");
	assert_string_equal(e.sigs[1].keyid, "SHA256:x");
	assert_memory_equal(e.sigs[1].sig, "\xfb\xff", 2);
	sc_dsse_release(&e);
}

static void test_dsse_reject(void **state)
{
	char *many;
	size_t i;

	(void)state;
	dsse_reject("nope", SC_EINPUT, "malformed JSON");
	dsse_reject("[]", SC_EINPUT, "not a JSON object");
	dsse_reject("{\"payload\":\"\",\"signatures\":[{\"sig\":\"cw==\"}]}", SC_EINPUT, "'payloadType'");
	dsse_reject("{\"payloadType\":1,\"payload\":\"\",\"signatures\":[{\"sig\":\"cw==\"}]}", SC_EINPUT,
		    "'payloadType' is not a string");
	dsse_reject("{\"payloadType\":\"t\",\"signatures\":[{\"sig\":\"cw==\"}]}", SC_EINPUT, "'payload'");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"e30*\",\"signatures\":[{\"sig\":\"cw==\"}]}", SC_EINPUT,
		    "'payload': not base64");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\"}", SC_EINPUT, "'signatures'");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":{}}", SC_EINPUT, "not an array");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[]}", SC_EINPUT, "'signatures' is empty");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[\"x\"]}", SC_EINPUT,
		    "signatures[0] is not an object");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"cw==\"},{}]}", SC_EINPUT,
		    "signatures[1]: missing field 'sig'");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"\"}]}", SC_EINPUT,
		    "'sig' is empty");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"c\"}]}", SC_EINPUT,
		    "signatures[0]: field 'sig'");
	dsse_reject("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"cw==\",\"keyid\":5}]}",
		    SC_EINPUT, "'keyid' is not a string");
	/* Too many signatures. */
	many = malloc(64 + 20 * (SC_SIGN_MAX_SIGNATURES + 1));
	strcpy(many, "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[");
	for (i = 0; i <= SC_SIGN_MAX_SIGNATURES; i++)
		strcat(many, i ? ",{\"sig\":\"cw==\"}" : "{\"sig\":\"cw==\"}");
	strcat(many, "]}");
	dsse_reject(many, SC_ELIMIT, "field 'signatures' has 65 entries");
	/* Exactly the limit is fine. */
	strcpy(many, "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[");
	for (i = 0; i < SC_SIGN_MAX_SIGNATURES; i++)
		strcat(many, i ? ",{\"sig\":\"cw==\"}" : "{\"sig\":\"cw==\"}");
	strcat(many, "]}");
	{
		sc_dsse e;

		assert_int_equal(sc_dsse_parse(&e, many, strlen(many)), 0);
		assert_int_equal(e.nsigs, SC_SIGN_MAX_SIGNATURES);
		sc_dsse_release(&e);
	}
	free(many);
}

static void test_dsse_from_json(void **state)
{
	json_t *j = js("{\"payloadType\":\"t\",\"payload\":\"aGk=\",\"signatures\":[{\"sig\":\"cw==\"}]}");
	sc_dsse e;

	(void)state;
	assert_int_equal(sc_dsse_from_json(&e, j), 0);
	assert_memory_equal(e.payload, "hi", 2);
	sc_dsse_release(&e);
	json_decref(j);
	assert_int_equal(sc_dsse_from_json(&e, NULL), SC_EINPUT);
	sc_error_clear();
}

/* ---- in-toto ---- */

static void test_intoto_roundtrip(void **state)
{
	static const char want[] =
		"{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"quay.io/a/b\","
		"\"digest\":{\"sha256\":\"" HEX_A "\"}}],\"predicateType\":\"https://cyclonedx.org/bom\","
		"\"predicate\":{\"z\":1,\"a\":[\"\\u003c\"]}}";
	sc_digest d = digest_of(DIGEST_A), other = digest_of("sha256:" "00000000000000000000000000000000"
							       "00000000000000000000000000000000");
	json_t *pred = js("{\"z\":1,\"a\":[\"<\"]}");
	sc_intoto st;
	sc_buf b;

	(void)state;
	sc_buf_init(&b, 1 << 20, "statement");
	assert_int_equal(sc_intoto_statement(&b, "quay.io/a/b", &d, "https://cyclonedx.org/bom", pred), 0);
	assert_string_equal(b.data, want);
	assert_int_equal(json_object_size(pred), 2); /* borrowed */
	assert_int_equal(sc_intoto_parse(&st, b.data, b.len), 0);
	assert_string_equal(st.type, SC_INTOTO_STATEMENT_V1);
	assert_string_equal(st.predicate_type, "https://cyclonedx.org/bom");
	assert_int_equal(st.nsubjects, 1);
	assert_true(sc_intoto_has_subject(&st, &d));
	assert_false(sc_intoto_has_subject(&st, &other));
	assert_true(json_equal(st.predicate, pred));
	sc_intoto_release(&st);
	/* No predicate: omitted. */
	sc_buf_reset(&b);
	assert_int_equal(sc_intoto_statement(&b, "n", &d, "p", NULL), 0);
	assert_null(strstr(b.data, "predicate\":"));
	assert_int_equal(sc_intoto_parse(&st, b.data, b.len), 0);
	assert_null(st.predicate);
	sc_intoto_release(&st);
	sc_buf_release(&b);
	json_decref(pred);
}

static void test_intoto_v01_and_subjects(void **state)
{
	static const char doc[] =
		"{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"p\","
		"\"subject\":[{\"name\":\"a\",\"digest\":{\"sha512\":\"abcd\"}},"
		"{\"digest\":{\"sha256\":\"" HEX_A "\",\"sha1\":\"x\"}}],\"predicate\":null}";
	sc_digest d = digest_of(DIGEST_A);
	sc_intoto st;

	(void)state;
	assert_int_equal(sc_intoto_parse(&st, doc, strlen(doc)), 0);
	assert_string_equal(st.type, SC_INTOTO_STATEMENT_V01);
	assert_int_equal(st.nsubjects, 1); /* the sha512-only subject is skipped */
	assert_true(sc_intoto_has_subject(&st, &d));
	assert_null(st.predicate);
	sc_intoto_release(&st);
}

#define ST(type, subj, pt, rest) "{\"_type\":" type ",\"subject\":" subj ",\"predicateType\":" pt rest "}"
#define V1 "\"https://in-toto.io/Statement/v1\""
#define SUBJ "[{\"name\":\"n\",\"digest\":{\"sha256\":\"" HEX_A "\"}}]"

static void test_intoto_reject(void **state)
{
	char *many;
	size_t i;

	(void)state;
	intoto_reject(ST(V1, SUBJ, "\"p\"", ""), 0, NULL);
	intoto_reject("[1]", SC_EINPUT, "not a JSON object");
	intoto_reject("{\"subject\":" SUBJ ",\"predicateType\":\"p\"}", SC_EINPUT, "missing field '_type'");
	intoto_reject(ST("\"https://in-toto.io/Statement/v2\"", SUBJ, "\"p\"", ""), SC_EINPUT, "_type");
	intoto_reject(ST("\"https://in-toto.io/Statement/v1\\n\"", SUBJ, "\"p\"", ""), SC_EINPUT, "_type");
	intoto_reject(ST("5", SUBJ, "\"p\"", ""), SC_EINPUT, "'_type' is not a string");
	intoto_reject("{\"_type\":" V1 ",\"subject\":" SUBJ "}", SC_EINPUT, "'predicateType'");
	intoto_reject(ST(V1, SUBJ, "[]", ""), SC_EINPUT, "'predicateType' is not a string");
	intoto_reject("{\"_type\":" V1 ",\"predicateType\":\"p\"}", SC_EINPUT, "'subject'");
	intoto_reject(ST(V1, "[]", "\"p\"", ""), SC_EINPUT, "'subject' is empty");
	intoto_reject(ST(V1, "{}", "\"p\"", ""), SC_EINPUT, "'subject' is not an array");
	intoto_reject(ST(V1, "[7]", "\"p\"", ""), SC_EINPUT, "subject[0] is not an object");
	intoto_reject(ST(V1, "[{\"name\":\"n\"}]", "\"p\"", ""), SC_EINPUT, "subject[0]: missing field 'digest'");
	intoto_reject(ST(V1, "[{\"name\":1,\"digest\":{}}]", "\"p\"", ""), SC_EINPUT, "'name' is not a string");
	intoto_reject(ST(V1, "[{\"digest\":{\"sha256\":\"abc\"}}]", "\"p\"", ""), SC_EINPUT, "64 lowercase hex");
	intoto_reject(ST(V1, "[{\"digest\":{\"sha256\":\"634A8F35B5F16DCF4AAA0822ADC0B1964BB786FCA12F6831DE8DDC45E5986A00\"}}]",
			 "\"p\"", ""), SC_EINPUT, "64 lowercase hex");
	intoto_reject(ST(V1, "[{\"digest\":{\"sha256\":\"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e59\"}}]",
			 "\"p\"", ""), SC_EINPUT, "64 lowercase hex");
	intoto_reject(ST(V1, "[{\"digest\":{\"sha1\":3}}]", "\"p\"", ""), SC_EINPUT, "digest 'sha1' is not a string");
	intoto_reject(ST(V1, SUBJ, "\"p\"", ",\"predicate\":[]"), SC_EINPUT, "'predicate' is not an object");
	/* Too many subjects. */
	many = malloc(128 + 40 * (SC_SIGN_MAX_SUBJECTS + 1));
	strcpy(many, "{\"_type\":" V1 ",\"predicateType\":\"p\",\"subject\":[");
	for (i = 0; i <= SC_SIGN_MAX_SUBJECTS; i++)
		strcat(many, i ? ",{\"digest\":{}}" : "{\"digest\":{}}");
	strcat(many, "]}");
	intoto_reject(many, SC_ELIMIT, "field 'subject' has 1025 entries");
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simplesign_build),
		cmocka_unit_test(test_simplesign_go_encoding),
		cmocka_unit_test(test_simplesign_build_errors),
		cmocka_unit_test(test_simplesign_parse),
		cmocka_unit_test(test_simplesign_reject),
		cmocka_unit_test(test_simplesign_cosign_identical),
		cmocka_unit_test(test_simplesign_cosign_fields),
		cmocka_unit_test(test_sigstore_json),
		cmocka_unit_test(test_dsse_pae),
		cmocka_unit_test(test_dsse_roundtrip),
		cmocka_unit_test(test_dsse_parse_variants),
		cmocka_unit_test(test_dsse_reject),
		cmocka_unit_test(test_dsse_from_json),
		cmocka_unit_test(test_intoto_roundtrip),
		cmocka_unit_test(test_intoto_v01_and_subjects),
		cmocka_unit_test(test_intoto_reject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
