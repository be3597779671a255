/*
 * test_version_apk.c - sc_version_cmp_apk: apk-tools ordering (letters, _suffixes, leading zeros, ~hash, -rN) and its grammar.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vuln/version.h"
#include "core/error.h"

#include <string.h>

struct pair {
	const char *a, *b;
	int want;
};

static void check_pairs(const struct pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = 42, r = 42;

		if (sc_version_cmp_apk(p[i].a, p[i].b, &c) != 0)
			fail_msg("'%s' vs '%s': %s", p[i].a, p[i].b, sc_error_msg());
		if (c != p[i].want)
			fail_msg("'%s' vs '%s': got %d, want %d", p[i].a, p[i].b, c, p[i].want);
		assert_int_equal(sc_version_cmp_apk(p[i].b, p[i].a, &r), 0);
		assert_int_equal(r, -p[i].want);
		assert_int_equal(sc_version_compare(SC_VER_APK, p[i].a, p[i].b, &r), 0);
		assert_int_equal(r, p[i].want);
		assert_int_equal(sc_version_cmp_apk(p[i].a, p[i].a, &r), 0);
		assert_int_equal(r, 0);
	}
}

static void check_rejected(const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = 42;

		sc_error_clear();
		if (sc_version_cmp_apk(v[i], "1.0", &c) != SC_EINPUT)
			fail_msg("'%s' accepted", v[i]);
		assert_int_equal(c, 42); /* untouched */
		assert_non_null(strstr(sc_error_msg(), "apk"));
		sc_error_clear();
		assert_int_equal(sc_version_cmp_apk("1.0", v[i], &c), SC_EINPUT);
		assert_int_equal(sc_version_valid(SC_VER_APK, v[i]), 0);
	}
}

static void test_limits(void **state)
{
	char big[SC_VERSION_MAX + 2];
	int c = 42;

	(void)state;
	memset(big, '1', sizeof(big));
	big[SC_VERSION_MAX + 1] = '\0';
	big[0] = '1';
	assert_int_equal(sc_version_cmp_apk(big, "1.0", &c), SC_EINPUT);
	big[SC_VERSION_MAX] = '\0'; /* exactly the limit is fine */
	assert_int_equal(sc_version_cmp_apk(big, "1.0", &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(sc_version_cmp_apk(NULL, "1.0", &c), SC_EUSAGE);
	assert_int_equal(sc_version_cmp_apk("1.0", "1.0", NULL), SC_EUSAGE);
	assert_int_equal(sc_version_valid(SC_VER_APK, "1.0"), 1);
	sc_error_clear();
}

static void test_order(void **state)
{
	static const struct pair p[] = {
		{"1.0", "1.0", 0},
		{"1.0", "1.0.1", -1},
		{"1.0", "1.0-r0", -1},        /* "-r0" is a revision: more version */
		{"1.0-r1", "1.0-r0", 1},
		{"1.0-r10", "1.0-r9", 1},
		{"1.0_alpha", "1.0", -1},
		{"1.0_alpha", "1.0_beta", -1},
		{"1.0_beta", "1.0_pre", -1},
		{"1.0_pre", "1.0_rc", -1},
		{"1.0_rc", "1.0", -1},
		{"1.0", "1.0_cvs", -1},
		{"1.0_cvs", "1.0_svn", -1},
		{"1.0_svn", "1.0_git", -1},
		{"1.0_git", "1.0_hg", -1},
		{"1.0_hg", "1.0_p", -1},
		{"1.0_rc1", "1.0_rc2", -1},
		{"1.0_rc10", "1.0_rc9", 1},
		{"1.0_rc", "1.0_rc1", -1},
		{"1.0_p1", "1.0.1", -1},      /* a patch is less than a new number */
		{"1.0_alpha", "1.0.1", -1},
		{"1.0_rc1", "1.0-r1", -1},
		{"1.0_p1-r0", "1.0_p1", 1},
		{"1.0_alpha_p1", "1.0_alpha", 1},
		{"1.0_alpha1_p1", "1.0_alpha1_beta", 1},
		{"1.0a", "1.0", 1},           /* letters */
		{"1.0a", "1.0b", -1},
		{"1.0z", "1.0.1", -1},
		{"1.0a", "1.0_p1", 1},        /* a letter comes before a suffix: more version */
		{"1.0a_rc1", "1.0a", -1},
		{"1.01", "1.1", -1},          /* leading zero: compared as strings */
		{"1.01", "1.001", 1},
		{"1.0", "1.00", -1},
		{"1.09", "1.1", -1},
		{"1.10", "1.9", 1},           /* otherwise numerically */
		{"01.0", "1.0", 0},           /* the first number is always numeric */
		{"2", "10", -1},
		{"1.0~abc", "1.0", 1},        /* commit hash */
		{"1.0~abc", "1.0~abd", -1},
		{"1.0~abc-r1", "1.0~abc-r0", 1},
		{"1.0~abc", "1.0-r0", 1},      /* hash before revision: more version */
		{"1.0_git20230101~abc-r0", "1.0_git20230101-r0", 1},
		{"1.2.3_rc1-r2", "1.2.3-r0", -1},
		{"6.6_p1-r0", "6.6-r5", 1},
		{"2.36.1-r0", "2.36-r10", 1},
		{"99999999999999999999999", "99999999999999999999998", 1},
	};

	(void)state;
	check_pairs(p, sizeof(p) / sizeof(p[0]));
}

static void test_rejected(void **state)
{
	static const char *const v[] = {
		"", "a", ".1", "1.", "1..0", "1.0.-r0", "1.0a1", "1.0ab", "1.0A", "1.0-r",
		"1.0-1", "1.0-r1-r2", "1.0-r1a", "1.0_", "1.0_foo", "1.0_RC1", "1.0_rc1.2",
		"1.0~", "1.0~xyz", "1.0~ab~cd", "1.0-r0~ab", "1.0_p1a", "1.0 ", " 1.0",
		"1.0.r2", "v1.0", "1.0-r0_p1", "1.0a.1",
	};

	(void)state;
	check_rejected(v, sizeof(v) / sizeof(v[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
