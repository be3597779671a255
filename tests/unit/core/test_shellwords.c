/*
 * test_shellwords.c - shell-like word splitting without expansion
 * (src/core/shellwords.c): quoting rules, and every refusal and limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/shellwords.h"

#include <stdlib.h>
#include <string.h>

/* Split s and compare with the n words in want. */
static void check_split(const char *s, size_t n, const char *const *want)
{
	char **argv = NULL;
	size_t argc = 999, i;

	if (sc_shell_split(s, &argv, &argc) != 0)
		fail_msg("split '%s': %s", s, sc_error_msg());
	assert_non_null(argv);
	if (argc != n)
		fail_msg("split '%s': %zu words, want %zu", s, argc, n);
	for (i = 0; i < n; i++)
		if (strcmp(argv[i], want[i]) != 0)
			fail_msg("split '%s': word %zu = '%s', want '%s'", s, i, argv[i], want[i]);
	assert_null(argv[n]);
	sc_shell_free(argv);
}

#define SPLIT(s, ...)                                                                   \
	do {                                                                            \
		static const char *const w_[] = { __VA_ARGS__ };                        \
		check_split((s), sizeof(w_) / sizeof(w_[0]), w_);                       \
	} while (0)

/* Require failure with code and each phrase in the message; outputs untouched. */
static void check_fail(const char *s, int code, const char *phrase)
{
	char **argv = (char **)(uintptr_t)0x1;
	size_t argc = 777;
	int rc = sc_shell_split(s, &argv, &argc);

	if (rc != code)
		fail_msg("split '%.60s': rc %d, want %d (%s)", s, rc, code, sc_error_msg());
	if (!strstr(sc_error_msg(), phrase))
		fail_msg("split '%.60s': message '%s' lacks '%s'", s, sc_error_msg(), phrase);
	if (strchr(sc_error_msg(), '\n'))
		fail_msg("message is not one line: '%s'", sc_error_msg());
	assert_true(argv == (char **)(uintptr_t)0x1);
	assert_int_equal(argc, 777);
}

static void test_example(void **state)
{
	(void)state;
	SPLIT("python3 -c 'import torch, numpy; print(torch.__version__)'",
	      "python3", "-c", "import torch, numpy; print(torch.__version__)");
}

static void test_blanks(void **state)
{
	char **argv = NULL;
	size_t argc = 5;

	(void)state;
	SPLIT("a b", "a", "b");
	SPLIT("  a \t  b\t", "a", "b");
	SPLIT("\n\na b\n\n", "a", "b");
	SPLIT("/bin/echo hi", "/bin/echo", "hi");
	assert_int_equal(sc_shell_split("", &argv, &argc), 0);
	assert_int_equal(argc, 0);
	assert_non_null(argv);
	assert_null(argv[0]);
	sc_shell_free(argv);
	assert_int_equal(sc_shell_split(" \t\n ", &argv, &argc), 0);
	assert_int_equal(argc, 0);
	sc_shell_free(argv);
	sc_shell_free(NULL);
}

static void test_single_quotes(void **state)
{
	(void)state;
	SPLIT("'a b'", "a b");
	SPLIT("''", "");
	SPLIT("a '' b", "a", "", "b");
	SPLIT("'$HOME `x` \\ \" | & ; * ~'", "$HOME `x` \\ \" | & ; * ~");
	SPLIT("'multi\nline'", "multi\nline");
	SPLIT("x'y'z", "xyz");
	SPLIT("'it'\\''s'", "it's");
}

static void test_double_quotes(void **state)
{
	(void)state;
	SPLIT("\"a b\"", "a b");
	SPLIT("\"\"", "");
	SPLIT("\"a\\\\b\"", "a\\b");
	SPLIT("\"a\\\"b\"", "a\"b");
	SPLIT("\"\\$HOME\"", "$HOME");
	SPLIT("\"\\`x\\`\"", "`x`");
	SPLIT("\"con\\\ntinued\"", "continued");
	/* other backslashes stay */
	SPLIT("\"a\\nb\\tc\\'\"", "a\\nb\\tc\\'");
	SPLIT("\"| & ; < > ( ) * ? [ ~ '\"", "| & ; < > ( ) * ? [ ~ '");
	SPLIT("\"a\"'b'c", "abc");
	SPLIT("\"line\nbreak\"", "line\nbreak");
}

static void test_backslash(void **state)
{
	(void)state;
	SPLIT("a\\ b", "a b");
	SPLIT("\\$x \\| \\& \\; \\* \\~ \\#", "$x", "|", "&", ";", "*", "~", "#");
	SPLIT("\\'", "'");
	SPLIT("\\\"", "\"");
	SPLIT("\\\\", "\\");
	SPLIT("a \\\n b", "a", "b");
	SPLIT("ab\\\ncd", "abcd");
	SPLIT("\\\na\\\n \\\n", "a");
	SPLIT("a\\\n\\\nb \\\n\\\n c", "ab", "c");
	SPLIT("FOO\\=bar", "FOO=bar");
}

static void test_comments(void **state)
{
	char **argv = NULL;
	size_t argc = 5;

	(void)state;
	SPLIT("a # comment | & ; $x `y` 'z", "a");
	SPLIT("a #\n", "a");
	SPLIT("#c\n\na b", "a", "b");
	SPLIT("a '#' \\# x#y", "a", "#", "#", "x#y");
	assert_int_equal(sc_shell_split("# only a comment", &argv, &argc), 0);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	sc_shell_free(argv);
}

static void test_literals(void **state)
{
	(void)state;
	SPLIT("a#b c=d x~y {a,b} ! ] } -- %", "a#b", "c=d", "x~y", "{a,b}", "!", "]", "}", "--", "%");
	SPLIT("env FOO=bar prog", "env", "FOO=bar", "prog");
	SPLIT("'FOO'=bar", "FOO=bar");
	SPLIT("=x", "=x");
	SPLIT("1A=b", "1A=b");
	SPLIT("gunicorn app:app --bind 0.0.0.0:8000", "gunicorn", "app:app", "--bind", "0.0.0.0:8000");
	SPLIT("caf\xc3\xa9 \x01\x7f", "caf\xc3\xa9", "\x01\x7f");
}

static void test_errors(void **state)
{
	(void)state;
	check_fail("echo 'abc", SC_EUSAGE, "unterminated single quote opened at byte 5");
	check_fail("echo \"abc", SC_EUSAGE, "unterminated double quote opened at byte 5");
	check_fail("echo \"abc\\", SC_EUSAGE, "unterminated double quote");
	check_fail("echo \"abc\\\"", SC_EUSAGE, "unterminated double quote");
	check_fail("echo abc\\", SC_EUSAGE, "trailing backslash at byte 8");
	check_fail("a && b", SC_EUSAGE, "'&&' at byte 2 needs a shell");
	check_fail("a || b", SC_EUSAGE, "'||' at byte 2 needs a shell");
	check_fail("a | b", SC_EUSAGE, "'|' at byte 2 needs a shell");
	check_fail("a & b", SC_EUSAGE, "'&' at byte 2 needs a shell");
	check_fail("a; b", SC_EUSAGE, "';' at byte 1 needs a shell");
	check_fail("a <in", SC_EUSAGE, "'<' at byte 2 needs a shell");
	check_fail("a >out", SC_EUSAGE, "'>' at byte 2 needs a shell");
	check_fail("a 2>>log", SC_EUSAGE, "'>>' at byte 3 needs a shell");
	check_fail("(a)", SC_EUSAGE, "'(' at byte 0 needs a shell");
	check_fail("a)", SC_EUSAGE, "')' at byte 1 needs a shell");
	check_fail("echo $HOME", SC_EUSAGE, "'$' at byte 5 needs a shell");
	check_fail("echo `id`", SC_EUSAGE, "'`' at byte 5 needs a shell");
	check_fail("echo \"$HOME\"", SC_EUSAGE, "'$' at byte 6 inside double quotes needs a shell");
	check_fail("echo \"`id`\"", SC_EUSAGE, "'`' at byte 6 inside double quotes needs a shell");
	check_fail("ls *.py", SC_EUSAGE, "'*' at byte 3 is a pathname pattern");
	check_fail("ls a?", SC_EUSAGE, "'?' at byte 4 is a pathname pattern");
	check_fail("ls [ab]", SC_EUSAGE, "'[' at byte 3 is a pathname pattern");
	check_fail("cd ~/x", SC_EUSAGE, "'~' at byte 3 (tilde expansion) needs a shell");
	check_fail("FOO=bar prog", SC_EUSAGE, "'FOO=' at byte 0 is a variable assignment");
	check_fail("  _x1=\"a b\" prog", SC_EUSAGE, "'_x1=' at byte 2 is a variable assignment");
	check_fail("echo a\necho b", SC_EUSAGE, "newline at byte 7 separates commands");
	check_fail("echo a # c\nb", SC_EUSAGE, "newline at byte 11 separates commands");
	check_fail(NULL, SC_EUSAGE, "NULL argument");
}

static void test_assignment_name_is_bounded(void **state)
{
	char *s = malloc(1000);

	(void)state;
	memset(s, 'A', 998);
	s[998] = '=';
	s[999] = '\0';
	check_fail(s, SC_EUSAGE, "...' at byte 0 is a variable assignment");
	assert_true(strlen(sc_error_msg()) < 300);
	free(s);
}

static void test_limits(void **state)
{
	size_t max = SC_SHELL_MAX_INPUT, i;
	char *s = malloc(max + 2);
	char **argv = NULL;
	size_t argc = 0;

	(void)state;
	/* exactly the input limit: one long word */
	memset(s, 'x', max);
	s[max] = '\0';
	assert_int_equal(sc_shell_split(s, &argv, &argc), 0);
	assert_int_equal(argc, 1);
	assert_int_equal(strlen(argv[0]), max);
	sc_shell_free(argv);
	/* one byte more */
	s[max] = 'x';
	s[max + 1] = '\0';
	check_fail(s, SC_ELIMIT, "longer than 65536 bytes");
	/* exactly the word limit, then one more */
	for (i = 0; i < SC_SHELL_MAX_WORDS; i++) {
		s[2 * i] = 'w';
		s[2 * i + 1] = ' ';
	}
	s[2 * i] = '\0';
	assert_int_equal(sc_shell_split(s, &argv, &argc), 0);
	assert_int_equal(argc, SC_SHELL_MAX_WORDS);
	assert_null(argv[argc]);
	sc_shell_free(argv);
	s[2 * i] = 'w';
	s[2 * i + 1] = '\0';
	check_fail(s, SC_ELIMIT, "more than 4096 words");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_blanks),
		cmocka_unit_test(test_single_quotes),
		cmocka_unit_test(test_double_quotes),
		cmocka_unit_test(test_backslash),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_assignment_name_is_bounded),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
