/*
 * test_utf8.c - sc_utf8_sanitize on valid text, control bytes, overlongs,
 * surrogates, code points beyond U+10FFFF and truncated sequences.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/utf8.h"

#include <string.h>

static void check(const char *in, const char *want, int changed)
{
	char buf[64];

	strcpy(buf, in);
	assert_int_equal(sc_utf8_sanitize(buf), changed);
	assert_string_equal(buf, want);
}

static void test_valid(void **state)
{
	(void)state;
	check("plain ascii", "plain ascii", 0);
	check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d", 0);
	check("", "", 0);
}

static void test_invalid(void **state)
{
	(void)state;
	check("a\tb\nc\x7f", "a?b?c?", 1);
	check("\xc0\xaf", "??", 1);               /* overlong '/' */
	check("\xed\xa0\x80", "???", 1);          /* surrogate U+D800 */
	check("\xf4\x90\x80\x80", "????", 1);     /* beyond U+10FFFF */
	check("ok\xe2\x82", "ok??", 1);           /* truncated at the end */
	check("\xff\xfe", "??", 1);
	check("\x80x", "?x", 1);                  /* lone continuation byte */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
