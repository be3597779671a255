/*
 * test_version_go.c - sc_version_cmp_go: Go module versions (semver with 'v', shorthands, pre-releases, pseudo-versions, +incompatible).
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
	vt_check_pairs(SC_VER_GO, sc_version_cmp_go, p, n);
}

static void check_rejected(const char *const *v, size_t n)
{
	vt_check_rejected(SC_VER_GO, sc_version_cmp_go, "v1.0.0", v, n);
}

static void test_limits(void **state)
{
	(void)state;
	vt_check_limits(SC_VER_GO, sc_version_cmp_go, 'v', "v1.0.0");
}

static void test_order(void **state)
{
	static const struct pair p[] = {
		{"v1.0.0", "v1.0.0", 0},
		{"v1.0.0", "v1.0.1", -1},
		{"v1.9.0", "v1.10.0", -1},
		{"v2.0.0", "v10.0.0", -1},
		{"v1.0.0-alpha", "v1.0.0", -1},
		{"v1.0.0-alpha", "v1.0.0-alpha.1", -1},
		{"v1.0.0-alpha.1", "v1.0.0-alpha.beta", -1}, /* numeric < alnum */
		{"v1.0.0-alpha.beta", "v1.0.0-beta", -1},
		{"v1.0.0-beta.2", "v1.0.0-beta.11", -1},
		{"v1.0.0-beta.11", "v1.0.0-rc.1", -1},
		{"v1.0.0-rc.1", "v1.0.0", -1},
		{"v1.0.0-1", "v1.0.0-a", -1},
		{"v1.0.0-a-b", "v1.0.0-a", 1},
		{"v1.0.0-A", "v1.0.0-a", -1},
		{"v1.0.0-01a", "v1.0.0-1a", -1},              /* alnum, bytewise */
		{"v1", "v1.0.0", 0},                           /* shorthands */
		{"v1.2", "v1.2.0", 0},
		{"v1.2", "v1.2.1", -1},
		{"v2.0.0+incompatible", "v2.0.0", 0},          /* build ignored */
		{"v2.0.0+incompatible", "v2.0.1", -1},
		{"v1.0.0-rc.1+build.5", "v1.0.0-rc.1", 0},
		{"v0.0.0-20191109021931-daa7c04131f5", "v0.0.0", -1},
		{"v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-000000000000", -1},
		{"v1.2.3-pre", "v1.2.3-pre.0.20191109021931-daa7c04131f5", -1},
		{"v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3", -1},
		{"v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", -1},
		{"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1},
		{"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-alpha", -1},
		{"v1.0.0-99999999999999999999999", "v1.0.0-99999999999999999999998", 1},
		{"v99999999999999999999.0.0", "v99999999999999999998.9.9", 1},
	};

	(void)state;
	check_pairs(p, sizeof(p) / sizeof(p[0]));
}

static void test_rejected(void **state)
{
	static const char *const v[] = {
		"", "v", "1.2.3", "go1.21.3", "V1.2.3", "v1.", "v1.2.", "v1.2.3.4", "v01.2.3",
		"v1.02.3", "v1.2.03", "v1.2.3-", "v1.2.3+", "v1.2.3-01", "v1.2.3-a..b",
		"v1.2.3-a.", "v1.2.3-a_b", "v1.2.3+a..b", "v1.2-pre", "v1-pre", "v1.2+meta",
		"v1.2.3 ", " v1.2.3", "v1.2.3-\xc3\xa9", "v-1.2.3", "vx.y.z",
	};

	(void)state;
	check_rejected(v, sizeof(v) / sizeof(v[0]));
	int c;
	assert_int_equal(sc_version_cmp_go("v1.2.3+build.01", "v1.2.3", &c), 0);
	assert_int_equal(c, 0);
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
