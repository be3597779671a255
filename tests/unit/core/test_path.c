/*
 * test_path.c - lexical path cleaning, joining and glob matching
 * (src/core/path.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/path.h"

#include <stdlib.h>
#include <string.h>

static void check_clean(const char *in, const char *want, unsigned want_flags)
{
	char out[SC_PATH_MAX];
	unsigned flags = 12345;

	if (sc_path_clean(out, sizeof(out), in, &flags) != 0)
		fail_msg("clean '%s': %s", in, sc_error_msg());
	if (strcmp(out, want) != 0 || flags != want_flags)
		fail_msg("clean '%s' = '%s' flags %u, want '%s' flags %u", in, out, flags, want, want_flags);
}

static void test_clean(void **state)
{
	(void)state;
	check_clean("./a//b/", "a/b", 0);
	check_clean("/abs", "abs", SC_PATH_ABSOLUTE);
	check_clean("a/../../b", "b", SC_PATH_ESCAPES);
	check_clean("..", "", SC_PATH_ESCAPES);
	check_clean("", "", 0);
	check_clean(".", "", 0);
	check_clean("/", "", SC_PATH_ABSOLUTE);
	check_clean("///", "", SC_PATH_ABSOLUTE);
	check_clean("a/./b/..", "a", 0);
	check_clean("a/b/../..", "", 0);
	check_clean("/../etc/passwd", "etc/passwd", SC_PATH_ABSOLUTE | SC_PATH_ESCAPES);
	check_clean("usr/bin/../lib/./x.so", "usr/lib/x.so", 0);
	check_clean("...", "...", 0);
	check_clean(".hidden/..x", ".hidden/..x", 0);
	check_clean("a/b/c/../../../../../d", "d", SC_PATH_ESCAPES);
}

static void test_clean_limits(void **state)
{
	char small[4];
	char *big = malloc(SC_PATH_MAX + 2);
	char *out = malloc(SC_PATH_MAX);
	unsigned flags = 0;

	(void)state;
	assert_int_equal(sc_path_clean(small, sizeof(small), "abc", &flags), 0);
	assert_string_equal(small, "abc");
	assert_int_equal(sc_path_clean(small, sizeof(small), "a/bc", &flags), SC_ELIMIT);
	assert_int_equal(sc_path_clean(small, sizeof(small), "./a/../abc/", NULL), 0);
	assert_string_equal(small, "abc");
	assert_int_equal(sc_path_clean(small, 0, "a", &flags), SC_ELIMIT);
	/* overlong: SC_PATH_MAX + 1 characters */
	memset(big, 'a', SC_PATH_MAX + 1);
	big[SC_PATH_MAX + 1] = '\0';
	sc_error_clear();
	assert_int_equal(sc_path_clean(out, SC_PATH_MAX, big, &flags), SC_ELIMIT);
	assert_non_null(strstr(sc_error_msg(), "path longer than 4095 bytes"));
	/* 4095 characters fit */
	big[SC_PATH_MAX - 1] = '\0';
	assert_int_equal(sc_path_clean(out, SC_PATH_MAX, big, &flags), 0);
	assert_int_equal(strlen(out), SC_PATH_MAX - 1);
	/* lots of separators and dots collapse */
	memset(big, '/', SC_PATH_MAX + 1);
	big[SC_PATH_MAX] = 'x';
	big[SC_PATH_MAX + 1] = '\0';
	assert_int_equal(sc_path_clean(out, SC_PATH_MAX, big, &flags), 0);
	assert_string_equal(out, "x");
	free(big);
	free(out);
}

static void test_join(void **state)
{
	char out[SC_PATH_MAX];
	unsigned flags = 99;
	char *big;

	(void)state;
	assert_int_equal(sc_path_join(out, sizeof(out), "usr/bin", "sh", &flags), 0);
	assert_string_equal(out, "usr/bin/sh");
	assert_int_equal(flags, 0);
	assert_int_equal(sc_path_join(out, sizeof(out), "usr/bin", "../lib/libc.so", &flags), 0);
	assert_string_equal(out, "usr/lib/libc.so");
	assert_int_equal(flags, 0);
	assert_int_equal(sc_path_join(out, sizeof(out), "usr/bin", "/etc/passwd", &flags), 0);
	assert_string_equal(out, "etc/passwd");
	assert_int_equal(flags, SC_PATH_ABSOLUTE);
	assert_int_equal(sc_path_join(out, sizeof(out), "a", "../../x", &flags), 0);
	assert_string_equal(out, "x");
	assert_int_equal(flags, SC_PATH_ESCAPES);
	/* the root dir "" does not make the result look absolute */
	assert_int_equal(sc_path_join(out, sizeof(out), "", "etc/hosts", &flags), 0);
	assert_string_equal(out, "etc/hosts");
	assert_int_equal(flags, 0);
	assert_int_equal(sc_path_join(out, sizeof(out), "a/b", "", &flags), 0);
	assert_string_equal(out, "a/b");

	big = malloc(SC_PATH_MAX * 2 + 10);
	memset(big, 'b', SC_PATH_MAX * 2 + 9);
	big[SC_PATH_MAX * 2 + 9] = '\0';
	assert_int_equal(sc_path_join(out, sizeof(out), "a", big, &flags), SC_ELIMIT);
	big[SC_PATH_MAX] = '\0';
	assert_int_equal(sc_path_join(out, sizeof(out), "a", big, &flags), SC_ELIMIT);
	free(big);
}

static void test_split(void **state)
{
	size_t dl = 99;
	const char *base = NULL;

	(void)state;
	sc_path_split("usr/bin/sh", &dl, &base);
	assert_int_equal(dl, 7);
	assert_string_equal(base, "sh");
	sc_path_split("sh", &dl, &base);
	assert_int_equal(dl, 0);
	assert_string_equal(base, "sh");
	sc_path_split("", &dl, &base);
	assert_int_equal(dl, 0);
	assert_string_equal(base, "");
}

static void test_match(void **state)
{
	(void)state;
	assert_true(sc_path_match("etc/os-release", "etc/os-release"));
	assert_false(sc_path_match("etc/os-release", "etc/os-release2"));
	assert_false(sc_path_match("etc/os-release", "usr/etc/os-release"));
	assert_false(sc_path_match("etc/os-release", "etc"));

	assert_true(sc_path_match("**/METADATA", "METADATA"));
	assert_true(sc_path_match("**/METADATA", "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"));
	assert_false(sc_path_match("**/METADATA", "usr/lib/METADATA.bak"));
	assert_false(sc_path_match("**/METADATA", "usr/lib/XMETADATA"));

	assert_true(sc_path_match("usr/lib/*/libc.so.*", "usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_false(sc_path_match("usr/lib/*/libc.so.*", "usr/lib/libc.so.6"));
	assert_false(sc_path_match("usr/lib/*/libc.so.*", "usr/lib/a/b/libc.so.6"));
	assert_false(sc_path_match("usr/lib/*/libc.so.*", "usr/lib/x86_64-linux-gnu/libc.so"));

	assert_true(sc_path_match("**", ""));
	assert_true(sc_path_match("**", "a"));
	assert_true(sc_path_match("**", "a/b/c/d"));
	assert_true(sc_path_match("usr/**", "usr/bin/sh"));
	assert_false(sc_path_match("usr/**", "var/usr"));
	assert_true(sc_path_match("usr/**/sh", "usr/sh"));
	assert_true(sc_path_match("usr/**/sh", "usr/local/bin/sh"));

	assert_true(sc_path_match("*", "abc"));
	assert_false(sc_path_match("*", "a/b"));
	assert_true(sc_path_match("bin/?h", "bin/sh"));
	assert_false(sc_path_match("bin/?h", "bin/bash"));
	assert_true(sc_path_match("bin/[bcz]sh", "bin/zsh"));
	assert_false(sc_path_match("bin/[bcz]sh", "bin/ash"));
	assert_true(sc_path_match("", ""));
	assert_false(sc_path_match("", "a"));
}

static void test_match_pathological(void **state)
{
	char *path = malloc(SC_PATH_MAX);
	size_t i;

	(void)state;
	/* a very long path with many segments: must terminate and not match */
	for (i = 0; i + 2 < SC_PATH_MAX; i += 2) {
		path[i] = 'a';
		path[i + 1] = '/';
	}
	path[i - 1] = '\0'; /* "a/a/.../a" */
	assert_false(sc_path_match("**/a/**/b/**/c", path));
	assert_true(sc_path_match("**/a", path));
	assert_true(sc_path_match("a/**", path));
	assert_false(sc_path_match("**/b", path));
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_clean_limits),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_pathological),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
