/*
 * test_digest.c - digest parsing/formatting and SHA-256 (src/core/digest.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/error.h"

#include <string.h>

#define EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* FIPS 180-2 two-block message */
#define ABC448 "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define MSG448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

static void test_vectors(void **state)
{
	sc_digest d;
	char buf[SC_DIGEST_STRLEN];

	(void)state;
	assert_int_equal(sc_sha256_buf(&d, "", 0), 0);
	assert_true(d.set);
	assert_string_equal(sc_digest_fmt(&d, buf), EMPTY);
	assert_int_equal(sc_sha256_buf(&d, "abc", 3), 0);
	assert_string_equal(sc_digest_fmt(&d, buf), ABC);
	assert_int_equal(sc_sha256_buf(&d, MSG448, strlen(MSG448)), 0);
	assert_string_equal(sc_digest_fmt(&d, buf), ABC448);
}

static void test_streaming(void **state)
{
	sc_sha256 *h = sc_sha256_new();
	sc_digest d, e;
	char buf[SC_DIGEST_STRLEN], hex[65];
	size_t i;

	(void)state;
	assert_non_null(h);
	for (i = 0; i < strlen(MSG448); i++)
		sc_sha256_update(h, &MSG448[i], 1);
	sc_sha256_update(h, NULL, 0);
	sc_sha256_final(h, &d);
	assert_string_equal(sc_digest_fmt(&d, buf), ABC448);
	/* final resets for reuse */
	sc_sha256_update(h, "a", 1);
	sc_sha256_update(h, "bc", 2);
	sc_sha256_final(h, &e);
	assert_string_equal(sc_digest_fmt(&e, buf), ABC);
	sc_sha256_final(h, &e);
	assert_string_equal(sc_digest_fmt(&e, buf), EMPTY);
	assert_string_equal(sc_digest_hex(&e, hex), &EMPTY[7]);
	sc_sha256_free(h);
	sc_sha256_free(NULL);
}

static void test_parse(void **state)
{
	sc_digest d, e;
	char buf[SC_DIGEST_STRLEN];

	(void)state;
	assert_int_equal(sc_digest_parse(&d, ABC), 0);
	assert_true(d.set);
	assert_string_equal(sc_digest_fmt(&d, buf), ABC);
	assert_int_equal(d.bytes[0], 0xba);
	assert_int_equal(d.bytes[31], 0xad);
	assert_int_equal(sc_sha256_buf(&e, "abc", 3), 0);
	assert_true(sc_digest_eq(&d, &e));
	assert_int_equal(sc_digest_parse(&e, EMPTY), 0);
	assert_false(sc_digest_eq(&d, &e));
}

static void test_parse_rejects(void **state)
{
	static const struct {
		const char *s;
		int code;
	} bad[] = {
		{ "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", SC_EINPUT },
		{ "sha256:Ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SC_EINPUT },
		{ "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", SC_EINPUT },
		{ "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0", SC_EINPUT },
		{ "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag", SC_EINPUT },
		{ "sha256: a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SC_EINPUT },
		{ " sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SC_EINPUT },
		{ "SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SC_EINPUT },
		{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SC_EINPUT },
		{ "sha256:", SC_EINPUT },
		{ "sha256", SC_EINPUT },
		{ "", SC_EINPUT },
		{ "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", SC_EUNSUPPORTED },
	};
	sc_digest d, sentinel;
	size_t i;

	(void)state;
	memset(&sentinel, 0x42, sizeof(sentinel));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = sentinel;
		sc_error_clear();
		if (sc_digest_parse(&d, bad[i].s) != bad[i].code)
			fail_msg("digest '%s' not rejected with %d", bad[i].s, bad[i].code);
		assert_int_equal(sc_error_code(), bad[i].code);
		assert_true(sc_error_msg()[0] != '\0');
		assert_memory_equal(&d, &sentinel, sizeof(d));
	}
	assert_int_equal(sc_digest_parse(&d, NULL), SC_EINPUT);
}

static void test_unset(void **state)
{
	sc_digest a, b;
	char buf[SC_DIGEST_STRLEN];

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_false(sc_digest_eq(&a, &b)); /* unset never equals anything */
	assert_string_equal(sc_digest_fmt(&a, buf), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_unset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
