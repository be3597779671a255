/*
 * test_version_apk.c - sc_version_cmp_apk: apk-tools ordering (letters, _suffixes, leading zeros, ~hash, -rN) and its grammar.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vertest.h"

#include <string.h>

static void check_pairs(const struct pair *p, size_t n)
{
	vt_check_pairs(SC_VER_APK, sc_version_cmp_apk, p, n);
}

static void check_rejected(const char *const *v, size_t n)
{
	vt_check_rejected(SC_VER_APK, sc_version_cmp_apk, "1.0", v, n);
}

static void test_limits(void **state)
{
	(void)state;
	vt_check_limits(SC_VER_APK, sc_version_cmp_apk, '1', "1.0");
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
