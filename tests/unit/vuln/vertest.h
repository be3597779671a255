/*
 * vertest.h - shared checks for the version-comparator unit tests: every
 * ordered pair is checked reversed, against itself and through the
 * sc_version_compare() dispatcher; rejected versions must fail with
 * SC_EINPUT naming the scheme and leave *out untouched; the length limit
 * is exact.  Header-only; test code only.
 */
#ifndef SC_TESTS_VERTEST_H
#define SC_TESTS_VERTEST_H

#include "core/error.h"
#include "vuln/version.h"

#include <string.h>

struct pair {
	const char *a, *b;
	int want;
};

typedef int (*vt_cmp_fn)(const char *a, const char *b, int *out);

static inline void vt_check_pairs(sc_version_scheme s, vt_cmp_fn f, const struct pair *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = 42, r = 42;

		if (f(p[i].a, p[i].b, &c) != 0)
			fail_msg("'%s' vs '%s': %s", p[i].a, p[i].b, sc_error_msg());
		if (c != p[i].want)
			fail_msg("'%s' vs '%s': got %d, want %d", p[i].a, p[i].b, c, p[i].want);
		assert_int_equal(f(p[i].b, p[i].a, &r), 0);
		assert_int_equal(r, -p[i].want);
		assert_int_equal(sc_version_compare(s, p[i].a, p[i].b, &r), 0);
		assert_int_equal(r, p[i].want);
		assert_int_equal(f(p[i].a, p[i].a, &r), 0);
		assert_int_equal(r, 0);
	}
}

/* `good` is any valid version of the scheme. */
static inline void vt_check_rejected(sc_version_scheme s, vt_cmp_fn f, const char *good, const char *const *v,
				     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int c = 42;

		sc_error_clear();
		if (f(v[i], good, &c) != SC_EINPUT)
			fail_msg("'%s' accepted", v[i]);
		assert_int_equal(c, 42); /* untouched */
		assert_non_null(strstr(sc_error_msg(), sc_version_scheme_name(s)));
		sc_error_clear();
		assert_int_equal(f(good, v[i], &c), SC_EINPUT);
		assert_int_equal(sc_version_valid(s, v[i]), 0);
	}
}

/*
 * A version of SC_VERSION_MAX + 1 bytes is rejected, one of exactly
 * SC_VERSION_MAX is accepted (it is `first` followed by '1's and compares
 * above `good`); NULL arguments are usage errors.
 */
static inline void vt_check_limits(sc_version_scheme s, vt_cmp_fn f, char first, const char *good)
{
	char big[SC_VERSION_MAX + 2];
	int c = 42;

	memset(big, '1', sizeof(big));
	big[SC_VERSION_MAX + 1] = '\0';
	big[0] = first;
	assert_int_equal(f(big, good, &c), SC_EINPUT);
	big[SC_VERSION_MAX] = '\0'; /* exactly the limit is fine */
	assert_int_equal(f(big, good, &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(f(NULL, good, &c), SC_EUSAGE);
	assert_int_equal(f(good, good, NULL), SC_EUSAGE);
	assert_int_equal(sc_version_valid(s, good), 1);
	sc_error_clear();
}

#endif
