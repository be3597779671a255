/*
 * test_version_pep440.c - PEP 440 normalisation and order (expected values
 * from packaging.version.Version), invalid versions, bounds, and
 * sc_version_pep440_public().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vuln/version.h"
#include "vuln/version_pep440.h"
#include "core/error.h"

#include <string.h>

static void cmp(const char *a, const char *b, int want)
{
	int got = 42;

	if (sc_version_cmp_pep440(a, b, &got) != 0)
		fail_msg("'%s' vs '%s': %s", a, b, sc_error_msg());
	if (got != want)
		fail_msg("'%s' vs '%s': got %d want %d", a, b, got, want);
	if (sc_version_cmp_pep440(b, a, &got) != 0 || got != -want)
		fail_msg("'%s' vs '%s' not antisymmetric", b, a);
}

static void invalid(const char *v)
{
	int out = 42;

	sc_error_clear();
	assert_int_equal(sc_version_cmp_pep440(v, "1.0", &out), SC_EINPUT);
	assert_int_equal(out, 42);
	assert_non_null(strstr(sc_error_msg(), "pep440"));
	assert_int_equal(sc_version_valid(SC_VER_PEP440, v), 0);
	sc_error_clear();
}

static void test_normalisation(void **state)
{
	(void)state;
	cmp("1.0", "1.0.0", 0);
	cmp("1.0", "1", 0);
	cmp("v1.0", "1.0", 0);
	cmp("V1.0", "1.0", 0);
	cmp(" 1.0\t", "1.0", 0);
	cmp("1.0ALPHA1", "1.0a1", 0);
	cmp("1.0-alpha.1", "1.0a1", 0);
	cmp("1.0_beta_2", "1.0b2", 0);
	cmp("1.0c1", "1.0rc1", 0);
	cmp("1.0pre1", "1.0rc1", 0);
	cmp("1.0preview1", "1.0rc1", 0);
	cmp("1.0a", "1.0a0", 0);
	cmp("1.0-1", "1.0.post1", 0);
	cmp("1.0rev2", "1.0.post2", 0);
	cmp("1.0-r2", "1.0.post2", 0);
	cmp("1.0.post", "1.0.post0", 0);
	cmp("1.0dev", "1.0.dev0", 0);
	cmp("1.0-dev-3", "1.0.dev3", 0);
	cmp("01.002", "1.2", 0);
	cmp("0!1.0", "1.0", 0);
	cmp("1.0+ABC.1", "1.0+abc-1", 0);
	cmp("1.0+007", "1.0+7", 0);
	cmp("1.0a-", "1.0a0", 0);
	cmp("1.0-dev-", "1.0.dev0", 0);
}

static void test_order(void **state)
{
	static const char *const seq[] = {
		"1.0.dev0", "1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a1.post1.dev1", "1.0a1.post1",
		"1.0a2", "1.0b1", "1.0rc1.dev0", "1.0rc1", "1.0", "1.0+abc", "1.0+abc.5", "1.0+cu121",
		"1.0+0", "1.0+5", "1.0+5.abc", "1.0.post0.dev0", "1.0.post0", "1.0.post1",
		"1.0.1.dev0", "1.0.1", "1.1", "1.10", "2", "99999999999999999999999999", "1!0.1",
		"1!1.0", "2!0.0.1",
	};
	(void)state;
	/* Local labels: alphanumeric segments before numeric ones, shorter first. */
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		for (size_t j = 0; j < sizeof(seq) / sizeof(seq[0]); j++)
			cmp(seq[i], seq[j], i < j ? -1 : i > j);
	cmp("1.0.0.0.0.0.0.1", "1.0.0.0.0.0.0.0", 1);
	cmp("123456789012345678901234567890.1", "123456789012345678901234567891", -1);
}

static void test_invalid(void **state)
{
	char big[SC_VERSION_MAX + 8];

	(void)state;
	invalid("");
	invalid("v");
	invalid("1.");
	invalid(".1");
	invalid("1..0");
	invalid("1.0+");
	invalid("1.0+a..b");
	invalid("1.0+a_");
	invalid("1.0a1a2");
	invalid("1.0.post1.post2");
	invalid("1.0-");
	invalid("1!");
	invalid("!1.0");
	invalid("1.0 foo");
	invalid("1.0.x");
	invalid("vv1.0");
	invalid("1.0\xc3\xa9");
	invalid("1.0-1-1");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	invalid(big);
	big[SC_VERSION_MAX] = '\0'; /* exactly SC_VERSION_MAX digits: fine */
	cmp(big, big, 0);
}

static void test_public(void **state)
{
	char out[SC_VERSION_MAX + 32];
	char small[4] = "xyz";

	(void)state;
	assert_int_equal(sc_version_pep440_public("1.0+cu121", out, sizeof(out)), 0);
	assert_string_equal(out, "1.0");
	assert_int_equal(sc_version_pep440_public("V0!01.02-ALPHA-3-4.DEV_5+local.7", out, sizeof(out)), 0);
	assert_string_equal(out, "1.2a3.post4.dev5");
	assert_int_equal(sc_version_pep440_public("2!1.0c", out, sizeof(out)), 0);
	assert_string_equal(out, "2!1.0rc0");
	assert_int_equal(sc_version_pep440_public("1.0rev", out, sizeof(out)), 0);
	assert_string_equal(out, "1.0.post0");
	assert_int_equal(sc_version_pep440_public("1.0.0", small, sizeof(small)), SC_ELIMIT);
	assert_string_equal(small, "xyz");
	assert_int_equal(sc_version_pep440_public("1.0", small, sizeof(small)), 0);
	assert_string_equal(small, "1.0");
	assert_int_equal(sc_version_pep440_public("bogus", out, sizeof(out)), SC_EINPUT);
	sc_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalisation),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_public),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
