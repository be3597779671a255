/*
 * test_table.c - the human table: grouping by level (critical first),
 * columns, CVE alias in brackets, fixed-in status, path-only findings,
 * title truncation, hostile text, colour only when asked, the summary
 * line with VEX suppressions, and the empty report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reporttest.h"

/* Render into a string (caller frees). */
static char *render(rt_fixture *fx, int color)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	sc_report_table(f, &fx->ctx, &fx->fs, color);
	fclose(f);
	return text;
}

/* The line containing `needle` (copied into out), or fail. */
static const char *line_with(const char *text, const char *needle, char *out, size_t n)
{
	const char *p = strstr(text, needle), *b, *e;

	if (!p)
		fail_msg("no line with '%s' in:\n%s", needle, text);
	for (b = p; b > text && b[-1] != '\n'; b--)
		;
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	snprintf(out, n, "%.*s", (int)(e - b), b);
	return out;
}

static void test_layout(void **state)
{
	rt_fixture fx;
	char *t, line[1024];
	const char *crit, *high, *med, *low, *negl, *unk;

	(void)state;
	rt_setup(&fx);
	t = render(&fx, 0);
	assert_null(strchr(t, '\033'));
	/* Header first, then the groups critical first. */
	assert_true(strncmp(t, "PACKAGE", 7) == 0);
	line_with(t, "PACKAGE", line, sizeof(line));
	assert_non_null(strstr(line, "INSTALLED"));
	assert_non_null(strstr(line, "ADVISORY"));
	assert_non_null(strstr(line, "STATUS"));
	assert_non_null(strstr(line, "TITLE"));
	crit = strstr(t, "\nCRITICAL (1)\n");
	high = strstr(t, "\nHIGH (1)\n");
	med = strstr(t, "\nMEDIUM (1)\n");
	low = strstr(t, "\nLOW (2)\n");
	negl = strstr(t, "\nNEGLIGIBLE (1)\n");
	unk = strstr(t, "\nUNKNOWN (1)\n");
	assert_non_null(crit);
	assert_true(crit < high && high < med && med < low && low < negl && negl < unk);

	/* Advisory with its CVE alias; fixed-in versions; installed version. */
	line_with(t, "torch", line, sizeof(line));
	assert_non_null(strstr(line, "2.0.0"));
	assert_non_null(strstr(line, "PYSEC-2024-1 [CVE-2024-5480]"));
	assert_non_null(strstr(line, "fixed in 2.2.0"));
	assert_non_null(strstr(line, "Remote code execution"));
	/* Truncated title: 60 columns ending in "...". */
	assert_null(strstr(line, "pickled arguments"));
	assert_non_null(strstr(line, "..."));
	assert_int_equal(strlen(strstr(line, "Remote code")), 60);

	line_with(t, "pillow", line, sizeof(line));
	assert_non_null(strstr(line, "GHSA-pppp-0000-0000 "));
	assert_null(strstr(line, "["));
	assert_non_null(strstr(line, "fixed in 9.0.1, 8.4.1"));

	/* A CVE id gets no bracket; unfixed / wont-fix shown as is. */
	line_with(t, "openssl", line, sizeof(line));
	assert_non_null(strstr(line, "CVE-2024-1111 "));
	assert_non_null(strstr(line, "unfixed"));
	assert_non_null(strstr(line, "3.0.11-1~deb12u2"));
	line_with(t, "lodash", line, sizeof(line));
	assert_non_null(strstr(line, "wont-fix"));

	/* Path-only finding shows the path. */
	line_with(t, "/opt/app/bin/tool", line, sizeof(line));
	assert_non_null(strstr(line, "GO-2024-0001"));

	/* Columns line up: the advisory column starts at the same offset on every row. */
	{
		char l1[1024], l2[1024];

		line_with(t, "torch ", l1, sizeof(l1));
		line_with(t, "lodash ", l2, sizeof(l2));
		assert_int_equal(strstr(l1, "PYSEC") - l1, strstr(l2, "CVE-2020") - l2);
	}

	line_with(t, "vulnerabilities:", line, sizeof(line));
	assert_string_equal(line, "7 vulnerabilities: 1 critical, 1 high, 1 medium, 2 low, 1 negligible, 1 unknown");
	free(t);
	rt_teardown(&fx);
}

static void test_suppressed_and_color(void **state)
{
	rt_fixture fx;
	char *t, line[1024];
	sc_finding *f;

	(void)state;
	rt_setup(&fx);
	f = rt_find(&fx, "PYSEC-2024-1", RT_TORCH);
	f->suppressed = 1;
	f->vuln.vex_status = strdup("not_affected");
	f = rt_find(&fx, "CVE-2024-1111", RT_LIBC);
	f->vuln.vex_status = strdup("under_investigation");
	t = render(&fx, 0);
	assert_null(strstr(t, "torch"));
	assert_null(strstr(t, "CRITICAL"));
	line_with(t, "libc6", line, sizeof(line)); /* first libc6 row is the high one */
	line_with(t, "(VEX: under_investigation)", line, sizeof(line));
	assert_non_null(strstr(line, "CVE-2024-1111"));
	line_with(t, "vulnerabilities:", line, sizeof(line));
	assert_string_equal(line, "6 vulnerabilities: 1 high, 1 medium, 2 low, 1 negligible, 1 unknown "
				  "(1 suppressed by VEX)");
	free(t);

	t = render(&fx, 1);
	assert_non_null(strstr(t, "\033[31m"));   /* high */
	assert_non_null(strstr(t, "\033[33m"));   /* medium */
	assert_non_null(strstr(t, "\033[0m"));
	assert_non_null(strstr(t, "vulnerabilities"));
	free(t);
	rt_teardown(&fx);
}

static void test_empty(void **state)
{
	rt_fixture fx;
	char *t;
	size_t i;

	(void)state;
	rt_catalog(&fx);
	t = render(&fx, 1);
	assert_string_equal(t, "No vulnerabilities found\n");
	free(t);
	rt_teardown(&fx);

	rt_setup(&fx);
	for (i = 0; i < fx.fs.n; i++)
		fx.fs.items[i].suppressed = 1;
	t = render(&fx, 0);
	assert_string_equal(t, "No vulnerabilities found (7 suppressed by VEX)\n");
	free(t);
	/* Callers that dropped suppressed findings from the list pass the count. */
	fx.fs.n = 0;
	fx.ctx.n_suppressed = 3;
	t = render(&fx, 0);
	fx.fs.n = 7;
	assert_string_equal(t, "No vulnerabilities found (3 suppressed by VEX)\n");
	free(t);
	rt_teardown(&fx);
}

static void test_one_and_hostile(void **state)
{
	rt_fixture fx;
	sc_finding *f;
	char *t, line[1024];

	(void)state;
	rt_catalog(&fx);
	f = rt_add(&fx.fs, "CVE-2024-9", SC_LEVEL_HIGH, RT_LODASH, "evil\033[2J title\nwith\tnewline \xff\xfe end");
	f->vuln.status = strdup("fixed"); /* fixed, but no version known */
	t = render(&fx, 0);
	assert_null(strchr(t, '\033'));
	assert_null(strstr(t, "\xff"));
	line_with(t, "lodash", line, sizeof(line));
	assert_non_null(strstr(line, "evil?[2J title with newline ?? end"));
	assert_non_null(strstr(line, " fixed "));
	line_with(t, "vulnerability:", line, sizeof(line));
	assert_string_equal(line, "1 vulnerability: 1 high");
	free(t);
	rt_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_suppressed_and_color),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_and_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
