/*
 * test_version_dpkg.c - sc_version_cmp_dpkg: Debian Policy 5.6.12 ordering ('~', epochs, revisions, letters vs non-letters) and dpkg's validation.
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
	vt_check_pairs(SC_VER_DPKG, sc_version_cmp_dpkg, p, n);
}

static void check_rejected(const char *const *v, size_t n)
{
	vt_check_rejected(SC_VER_DPKG, sc_version_cmp_dpkg, "1.0", v, n);
}

static void test_limits(void **state)
{
	(void)state;
	vt_check_limits(SC_VER_DPKG, sc_version_cmp_dpkg, '1', "1.0");
}

static void test_order(void **state)
{
	static const struct pair p[] = {
		{"1.0", "1.0", 0},
		{"1.0~rc1", "1.0", -1},       /* '~' before the end */
		{"1.0~~", "1.0~", -1},
		{"1.0~~a", "1.0~~", 1},
		{"1.0~", "1.0", -1},
		{"1.0", "1.0a", -1},          /* end before letters */
		{"1.0a", "1.0+", -1},         /* letters before non-letters */
		{"1.0a", "1.0.", -1},
		{"1.0+", "1.0.", -1},         /* '+' (43) before '.' (46) */
		{"1.0Z", "1.0a", -1},         /* letters by ASCII */
		{"1.0", "1.0.0", -1},
		{"1.0", "1.00", 0},           /* numerically */
		{"01.0", "1.0", 0},
		{"1.9", "1.10", -1},
		{"1.0-1", "1.0-0", 1},
		{"1.0", "1.0-0", 0},          /* no revision == "0" */
		{"1.0-1~bpo1", "1.0-1", -1},
		{"1.0-1+b1", "1.0-1", 1},
		{"1.0-1deb12u1", "1.0-1", 1},
		{"1:0.1", "2.0", 1},          /* epochs first */
		{"0:2.0", "2.0", 0},
		{"00:2.0", "0:2.0", 0},
		{"2:1", "10:0", -1},
		{"1.0-2-3", "1.0-2-2", 1},    /* revision after the last '-' */
		{"1.0-2-3", "1.0-3", 1},      /* upstream "1.0-2" > "1.0" */
		{"1:1.0:2-1", "1:1.0:1-1", 1},/* ':' allowed in upstream after an epoch */
		{"a1.0", "1.0", 1},           /* accepted (dpkg only warns) */
		{"~1", "1", -1},
		{"1.2.3+dfsg-1", "1.2.3-1", 1},
		{"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
		{"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1},
		{"1.0+really0.9", "1.0", 1},
		{"99999999999999999999999", "99999999999999999999998", 1},
		{"1.0000000000000000000000001", "1.1", 0},
	};

	(void)state;
	check_pairs(p, sizeof(p) / sizeof(p[0]));
}

static void test_rejected(void **state)
{
	static const char *const v[] = {
		"", " 1.0", "1.0 ", "1 .0", "1.0\t", ":1.0", "a:1.0", "1a:1.0", "-1:1.0",
		"+1:1.0", "2147483648:1.0", "99999999999999999999:1", "1:", "1.0-", "-1",
		"1:-1", "1.0_1", "1.0!", "1.0-1:2", "1.0-1-", "1.0-a_b", "1,0", "1.0\xc3\xa9",
	};

	(void)state;
	check_rejected(v, sizeof(v) / sizeof(v[0]));
	int c;
	assert_int_equal(sc_version_cmp_dpkg("2147483647:1", "1", &c), 0);
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
