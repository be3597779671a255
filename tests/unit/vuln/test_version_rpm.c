/*
 * test_version_rpm.c - sc_version_cmp_rpm: rpmvercmp ('~', '^', segments, leading zeros) and EVR (epochs, missing releases).
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
	vt_check_pairs(SC_VER_RPM, sc_version_cmp_rpm, p, n);
}

static void check_rejected(const char *const *v, size_t n)
{
	vt_check_rejected(SC_VER_RPM, sc_version_cmp_rpm, "1.0", v, n);
}

static void test_limits(void **state)
{
	(void)state;
	vt_check_limits(SC_VER_RPM, sc_version_cmp_rpm, '1', "1.0");
}

static void test_order(void **state)
{
	static const struct pair p[] = {
		{"1.0", "1.0", 0},
		{"1.0", "1.0.1", -1},
		{"1.0.1", "1.0a", 1},         /* numeric beats alpha */
		{"1.0a", "1.0", 1},           /* more segments win */
		{"1.0~rc1", "1.0", -1},       /* '~' before everything */
		{"1.0~rc1", "1.0~rc2", -1},
		{"1.0~~", "1.0~", -1},
		{"1.0^", "1.0", 1},           /* '^' after the end */
		{"1.0^git1", "1.0", 1},
		{"1.0^git1", "1.0.1", -1},    /* ...but before more segments */
		{"1.0^git1", "1.0^git2", -1},
		{"1.0^", "1.0~", 1},
		{"1.0~^", "1.0~", 1},
		{"1.0^~", "1.0^", -1},
		{"1.0^git1~pre", "1.0^git1", -1},
		{"1.01", "1.1", 0},           /* leading zeros stripped */
		{"1.001", "1.0", 1},
		{"1..0", "1.0", 0},           /* separators ignored */
		{"1_0", "1.0", 0},
		{"1+0", "1.0", 0},
		{"1.0.", "1.0", 0},
		{"a", "b", -1},
		{"B", "a", -1},               /* bytewise */
		{"abc", "ab", 1},
		{"1a", "1b", -1},
		{"10", "9", 1},
		{"2.0", "10", -1},
		{"123456789012345678901234567890", "123456789012345678901234567889", 1},
		{"1:1.0", "2.0", 1},          /* epochs first */
		{"0:1.0", "1.0", 0},          /* missing epoch is 0 */
		{"01:1.0", "1:1.0", 0},
		{"1.0-1", "1.0-2", -1},
		{"1.0-1.el8", "1.0-1.el8_4", -1},
		{"1.0-1.el8_4", "1.0-1.el9", -1},
		{"1.0-10.fc38", "1.0-9.fc38", 1},
		{"1.0", "1.0-1", -1},         /* no release sorts first (labelCompare) */
		{"2.0-1", "1.0-9", 1},
		{"5.14.0-362.8.1.el9_3", "5.14.0-362.13.1.el9_3", -1},
	};

	(void)state;
	check_pairs(p, sizeof(p) / sizeof(p[0]));
}

static void test_rejected(void **state)
{
	static const char *const v[] = {
		"", ":1.0", "a:1.0", "-1:1.0", "4294967296:1.0", "1:", "1.0-", "-1", "1:-1",
		"1.0 ", " 1.0", "1.0!", "1.0-1:2", "1,0", "1.0/2", "1.0-a b", "1.0\xc3\xa9",
		"1.0-2-3", /* a version may not contain the release separator */
	};

	(void)state;
	check_rejected(v, sizeof(v) / sizeof(v[0]));
	int c;
	assert_int_equal(sc_version_cmp_rpm("4294967295:1", "1", &c), 0);
	assert_int_equal(c, 1);
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
