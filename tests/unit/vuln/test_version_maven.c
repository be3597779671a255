/*
 * test_version_maven.c - Maven ComparableVersion order (the examples of
 * the POM reference "Version Order Specification" and behaviour checked
 * with maven-artifact 3.8.7's ComparableVersion).
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

	if (sc_version_cmp_maven(a, b, &got) != 0)
		fail_msg("'%s' vs '%s': %s", a, b, sc_error_msg());
	if (got != want)
		fail_msg("'%s' vs '%s': got %d want %d", a, b, got, want);
	if (sc_version_cmp_maven(b, a, &got) != 0 || got != -want)
		fail_msg("'%s' vs '%s' not antisymmetric", b, a);
}

static void test_spec_examples(void **state)
{
	(void)state;
	/* Version Order Specification examples */
	cmp("1", "1.1", -1);
	cmp("1-snapshot", "1", -1);
	cmp("1", "1-sp", -1);
	cmp("1-foo2", "1-foo10", -1);
	cmp("1.foo", "1-foo", 0);
	cmp("1-foo", "1-1", -1);
	cmp("1-1", "1.1", -1);
	cmp("1.ga", "1-ga", 0);
	cmp("1-ga", "1-0", 0);
	cmp("1-0", "1.0", 0);
	cmp("1.0", "1", 0);
	cmp("1-sp", "1-ga", 1);
	cmp("1-sp.1", "1-ga.1", 1);
	cmp("1-sp-1", "1-ga-1", -1);
	cmp("1-a1", "1-alpha-1", 0);
	cmp("1.0.0", "1", 0);
	cmp("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", "1", 0);
}

static void test_qualifiers(void **state)
{
	static const char *const seq[] = {
		"1-alpha", "1-alpha1", "1-alpha-2", "1-beta", "1-b2", "1-milestone", "1-m2", "1-rc",
		"1-cr2", "1-rc3", "1-SNAPSHOT", "1", "1-sp", "1-sp1", "1-abc", "1-xyz", "1-xyz1", "1.0.1",
		"1.1", "2.0-alpha", "2.0", "2.0.0.1",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		for (size_t j = 0; j < sizeof(seq) / sizeof(seq[0]); j++)
			cmp(seq[i], seq[j], i < j ? -1 : i > j);
	cmp("1-final", "1", 0);
	cmp("1-RELEASE", "1.GA", 0);
	cmp("1-a", "1-alpha", 1); /* "a" alone is an unknown qualifier */
	cmp("1-cr1", "1-rc1", 0);
	cmp("1a1", "1-alpha-1", 0);
}

static void test_numbers(void **state)
{
	(void)state;
	cmp("1.0-1", "1-1", 0);
	cmp("1-0.1", "1", 1);
	cmp("1..1", "1.0.1", 0);
	cmp("999999999999999999999999", "999999999999999999999998", 1);
	cmp("2147483648", "2147483647", 1);
	/* maven-artifact keeps <= 9 digits in an int, <= 18 in a long, more in a
	 * BigInteger and orders different kinds by kind: all-zero strings keep
	 * their length. */
	cmp("999999999", "0000000000000000000000000000000.milestone.10", -1);
	cmp("999999999", "0000000000000000000000000000000.milestone", 1); /* trailing-list rule drops the 0 */
	cmp("0000000000000000000000.1", "1", 1);
	cmp("000", "0", 0);
	cmp("", "0", 0);
}

static void test_limits(void **state)
{
	char big[SC_VERSION_MAX + 8];
	int out = 42;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	for (size_t i = 0; i + 1 < sizeof(big); i += 2)
		big[i] = '1'; /* 1a1a1a...: a nested list per transition */
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sc_version_cmp_maven(big, "1", &out), SC_EINPUT);
	assert_int_equal(out, 42);
	sc_error_clear();
	big[SC_VERSION_MAX] = '\0';
	cmp(big, big, 0);
	cmp(big, "1", -1);
	memset(big, '-', SC_VERSION_MAX);
	cmp(big, "", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_examples),
		cmocka_unit_test(test_qualifiers),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
