/*
 * test_base64.c - RFC 4648 base64 (src/core/base64.c): the RFC's test
 * vectors, padding optional on input, the URL-safe alphabet only when
 * asked for, and strict rejection of everything else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/base64.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

/* RFC 4648 section 10. */
static const char *const vectors[][2] = {
	{"", ""},
	{"f", "Zg=="},
	{"fo", "Zm8="},
	{"foo", "Zm9v"},
	{"foob", "Zm9vYg=="},
	{"fooba", "Zm9vYmE="},
	{"foobar", "Zm9vYmFy"},
};

static int decode(const char *in, int flags, unsigned char **out, size_t *len)
{
	return sc_base64_decode(out, len, in, strlen(in), 1024, flags, "thing");
}

static void expect_decode(const char *in, int flags, const void *want, size_t want_len)
{
	unsigned char *out = NULL;
	size_t len = 99;

	if (decode(in, flags, &out, &len) != 0)
		fail_msg("decode '%s': %s", in, sc_error_msg());
	assert_non_null(out);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(out[len], '\0');
	free(out);
}

static void expect_reject(const char *in, int flags, int code, const char *msg_part)
{
	unsigned char *out = (unsigned char *)(uintptr_t)1;
	size_t len = 99;
	int rc = decode(in, flags, &out, &len);

	if (rc != code)
		fail_msg("decode '%s': rc %d, want %d (%s)", in, rc, code, sc_error_msg());
	assert_null(out);
	assert_int_equal(len, 0);
	assert_non_null(strstr(sc_error_msg(), "thing"));
	if (msg_part && !strstr(sc_error_msg(), msg_part))
		fail_msg("decode '%s': message '%s' lacks '%s'", in, sc_error_msg(), msg_part);
	sc_error_clear();
}

static void test_rfc4648_encode(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char *s = NULL;

		assert_int_equal(sc_base64_encode(&s, vectors[i][0], strlen(vectors[i][0])), 0);
		assert_string_equal(s, vectors[i][1]);
		assert_int_equal(sc_base64_encoded_len(strlen(vectors[i][0])), strlen(vectors[i][1]));
		free(s);
	}
}

static void test_rfc4648_decode(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char unpadded[16];
		size_t n = strlen(vectors[i][1]);

		expect_decode(vectors[i][1], 0, vectors[i][0], strlen(vectors[i][0]));
		expect_decode(vectors[i][1], SC_B64_URL, vectors[i][0], strlen(vectors[i][0]));
		/* Without padding too. */
		memcpy(unpadded, vectors[i][1], n + 1);
		while (n && unpadded[n - 1] == '=')
			unpadded[--n] = '\0';
		expect_decode(unpadded, 0, vectors[i][0], strlen(vectors[i][0]));
	}
}

static void test_binary_roundtrip(void **state)
{
	unsigned char data[256], *out = NULL;
	size_t n, len;
	char *s = NULL;

	(void)state;
	for (n = 0; n < sizeof(data); n++)
		data[n] = (unsigned char)(255 - n);
	for (n = 0; n <= sizeof(data); n += 37) {
		assert_int_equal(sc_base64_encode(&s, data, n), 0);
		assert_int_equal(sc_base64_decode(&out, &len, s, strlen(s), 4096, 0, "bin"), 0);
		assert_int_equal(len, n);
		assert_memory_equal(out, data, n);
		free(s);
		free(out);
	}
}

static void test_url_safe(void **state)
{
	static const unsigned char fbff[] = {0xfb, 0xff};
	static const unsigned char fbef[] = {0xfb, 0xef, 0xbe};

	(void)state;
	expect_decode("+/8=", 0, fbff, 2);
	expect_decode("-_8=", SC_B64_URL, fbff, 2);
	expect_decode("-_8", SC_B64_URL, fbff, 2);
	expect_decode("+/8=", SC_B64_URL, fbff, 2); /* the standard alphabet stays valid */
	expect_decode("++++", 0, fbef, 3);
	expect_decode("----", SC_B64_URL, fbef, 3);
	expect_reject("-_8=", 0, SC_EINPUT, "not base64");
	expect_reject("Zm9v-A", 0, SC_EINPUT, "character 5");
}

static void test_rejects(void **state)
{
	(void)state;
	expect_reject("Zm9v Ym=", 0, SC_EINPUT, "not base64");
	expect_reject("Zm9\n", 0, SC_EINPUT, "not base64");
	expect_reject(" Zm9", 0, SC_EINPUT, "not base64");
	expect_reject("Zm9v!", 0, SC_EINPUT, NULL);
	expect_reject("Zm9v\x80", 0, SC_EINPUT, NULL);
	expect_reject("=Zm9", 0, SC_EINPUT, NULL);
	expect_reject("Zm=9", 0, SC_EINPUT, NULL);
	expect_reject("Zg=", 0, SC_EINPUT, "padding");
	expect_reject("Zg===", 0, SC_EINPUT, NULL);
	expect_reject("Zm9vY===", 0, SC_EINPUT, NULL);
	expect_reject("====", 0, SC_EINPUT, NULL);
	expect_reject("Z", 0, SC_EINPUT, "truncated");
	expect_reject("Zm9vY", 0, SC_EINPUT, "truncated");
	expect_reject("Zm9vY=", 0, SC_EINPUT, NULL);
}

static void test_non_canonical(void **state)
{
	(void)state;
	/* "Zg==" is 'f'; "Zh==" sets a bit past the last byte. */
	expect_reject("Zh==", 0, SC_EINPUT, "non-canonical");
	expect_reject("Zh", 0, SC_EINPUT, "non-canonical");
	expect_reject("Zm9=", 0, SC_EINPUT, "non-canonical");
	expect_reject("Zm_", SC_B64_URL, SC_EINPUT, "non-canonical");
	expect_decode("Zm8", 0, "fo", 2);
}

static void test_limit(void **state)
{
	unsigned char *out = (unsigned char *)(uintptr_t)1;
	size_t len = 99;

	(void)state;
	assert_int_equal(sc_base64_decode(&out, &len, "Zm9vYmFy", 8, 8, 0, "sig"), 0);
	assert_int_equal(len, 6);
	free(out);
	assert_int_equal(sc_base64_decode(&out, &len, "Zm9vYmFy", 8, 7, 0, "sig"), SC_ELIMIT);
	assert_null(out);
	assert_non_null(strstr(sc_error_msg(), "sig"));
	/* Padding counts toward the limit (it is input). */
	assert_int_equal(sc_base64_decode(&out, &len, "Zm8=", 4, 3, 0, "sig"), SC_ELIMIT);
	sc_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_encode),
		cmocka_unit_test(test_rfc4648_decode),
		cmocka_unit_test(test_binary_roundtrip),
		cmocka_unit_test(test_url_safe),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_non_canonical),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
