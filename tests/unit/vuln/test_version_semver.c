/*
 * test_version_semver.c - SemVer 2.0.0 precedence (the semver.org examples)
 * and the syntax npm's semver.compare accepts (expected values checked
 * with semver 7).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vuln/version.h"
#include "core/error.h"

#include <string.h>

static void cmp(const char *a, const char *b, int want)
{
	int got = 42;

	if (sc_version_cmp_semver(a, b, &got) != 0)
		fail_msg("'%s' vs '%s': %s", a, b, sc_error_msg());
	if (got != want)
		fail_msg("'%s' vs '%s': got %d want %d", a, b, got, want);
	if (sc_version_cmp_semver(b, a, &got) != 0 || got != -want)
		fail_msg("'%s' vs '%s' not antisymmetric", b, a);
}

static void invalid(const char *v)
{
	int out = 42;

	sc_error_clear();
	assert_int_equal(sc_version_cmp_semver("1.0.0", v, &out), SC_EINPUT);
	assert_int_equal(out, 42);
	assert_non_null(strstr(sc_error_msg(), "semver"));
	sc_error_clear();
}

static void test_precedence(void **state)
{
	/* semver.org section 11 */
	static const char *const seq[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.9.0", "1.10.0",
		"2.0.0-0", "2.0.0-9", "2.0.0-10", "2.0.0-A", "2.0.0-a", "2.0.0", "9007199254740991.0.0",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		for (size_t j = 0; j < sizeof(seq) / sizeof(seq[0]); j++)
			cmp(seq[i], seq[j], i < j ? -1 : i > j);
}

static void test_syntax(void **state)
{
	(void)state;
	cmp("v1.2.3", "1.2.3", 0);
	cmp(" 1.2.3\n", "1.2.3", 0);
	cmp("1.2.3+build.5", "1.2.3+other", 0);
	cmp("1.2.3-rc.1+b", "1.2.3-rc.1", 0);
	cmp("1.2.3-0a", "1.2.3-0", 1);
	cmp("1.2.3--", "1.2.3-0", 1);
	cmp("1.2.3+007", "1.2.3", 0);
	/* semver compares huge numeric identifiers as JavaScript numbers, and the
	 * first textually different pair decides even when those are equal. */
	cmp("1.0.0-9007199254740993", "1.0.0-9007199254740992", 0);
	cmp("1.0.0-9007199254740993.2", "1.0.0-9007199254740992.1", 0);
	cmp("1.0.0-9007199254740993", "1.0.0-9007199254740990", 1);
}

static void test_invalid(void **state)
{
	char big[SC_VERSION_MAX + 8];

	(void)state;
	invalid("");
	invalid("1");
	invalid("1.2");
	invalid("1.2.3.4");
	invalid("01.2.3");
	invalid("1.02.3");
	invalid("1.2.03");
	invalid("1.2.3-01");
	invalid("1.2.3-");
	invalid("1.2.3-a..b");
	invalid("1.2.3+");
	invalid("1.2.3+a..b");
	invalid("1.2.3-a_b");
	invalid("=1.2.3");
	invalid("V1.2.3");
	invalid("vv1.2.3");
	invalid("v 1.2.3");
	invalid("1.2.3 x");
	invalid("9007199254740992.0.0");
	invalid("1.99999999999999999999.0");
	invalid("1.2.3-\xc3\xa9");
	memset(big, ' ', sizeof(big) - 1); /* semver counts the length before trimming */
	memcpy(big + 10, "1.2.3", 5);
	big[sizeof(big) - 1] = '\0';
	invalid(big);
	big[SC_VERSION_MAX] = '\0';
	cmp(big, "1.2.3", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
