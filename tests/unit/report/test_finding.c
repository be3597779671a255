/*
 * test_finding.c - level names, the findings list (growth, defaults,
 * release of every field) and the deterministic sort order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reporttest.h"

static void test_levels(void **state)
{
	(void)state;
	assert_string_equal(sc_level_name(SC_LEVEL_UNKNOWN), "unknown");
	assert_string_equal(sc_level_name(SC_LEVEL_NEGLIGIBLE), "negligible");
	assert_string_equal(sc_level_name(SC_LEVEL_LOW), "low");
	assert_string_equal(sc_level_name(SC_LEVEL_MEDIUM), "medium");
	assert_string_equal(sc_level_name(SC_LEVEL_HIGH), "high");
	assert_string_equal(sc_level_name(SC_LEVEL_CRITICAL), "critical");
	assert_string_equal(sc_level_name((sc_level)42), "unknown");
	assert_string_equal(sc_level_name((sc_level)-1), "unknown");

	assert_int_equal(sc_level_parse("unknown"), SC_LEVEL_UNKNOWN);
	assert_int_equal(sc_level_parse("negligible"), SC_LEVEL_NEGLIGIBLE);
	assert_int_equal(sc_level_parse("LOW"), SC_LEVEL_LOW);
	assert_int_equal(sc_level_parse("Medium"), SC_LEVEL_MEDIUM);
	assert_int_equal(sc_level_parse("MODERATE"), SC_LEVEL_MEDIUM);
	assert_int_equal(sc_level_parse("high"), SC_LEVEL_HIGH);
	assert_int_equal(sc_level_parse("Important"), SC_LEVEL_HIGH);
	assert_int_equal(sc_level_parse("CRITICAL"), SC_LEVEL_CRITICAL);
	assert_int_equal(sc_level_parse("severe"), -1);
	assert_int_equal(sc_level_parse(""), -1);
	assert_int_equal(sc_level_parse("high "), -1);
	assert_int_equal(sc_level_parse(NULL), -1);
	/* Ordered: --fail-on compares with >=. */
	assert_true(SC_LEVEL_CRITICAL > SC_LEVEL_HIGH && SC_LEVEL_HIGH > SC_LEVEL_MEDIUM &&
		    SC_LEVEL_MEDIUM > SC_LEVEL_LOW && SC_LEVEL_LOW > SC_LEVEL_NEGLIGIBLE &&
		    SC_LEVEL_NEGLIGIBLE > SC_LEVEL_UNKNOWN);
}

static void test_add_release(void **state)
{
	sc_findings fs;
	sc_finding *f;
	size_t i;

	(void)state;
	sc_findings_init(&fs);
	assert_int_equal(fs.n, 0);
	for (i = 0; i < 1000; i++) {
		char id[32];

		assert_int_equal(sc_findings_add(&fs, &f), 0);
		assert_int_equal(f->pkg, -1);
		assert_true(f->vuln.cvss_score < 0);
		assert_null(f->id);
		assert_int_equal(f->suppressed, 0);
		snprintf(id, sizeof(id), "CVE-2024-%zu", i);
		f->id = strdup(id);
		/* Every owned field set: leak checkers (ASan) catch a missed free. */
		f->kind = strdup("vulnerability");
		f->title = strdup("t");
		f->description = strdup("d");
		f->remediation = strdup("r");
		f->path = strdup("p");
		f->vuln.aliases = rt_strv("a", "b", NULL);
		f->vuln.status = strdup("fixed");
		f->vuln.fixed_in = rt_strv("1", NULL);
		f->vuln.source = strdup("s");
		f->vuln.ecosystem = strdup("e");
		f->vuln.matched_name = strdup("n");
		f->vuln.matched_version = strdup("v");
		f->vuln.severity_source = strdup("cvss");
		f->vuln.cvss_vector = strdup("CVSS:3.1/...");
		f->vuln.references = rt_strv("https://x", NULL);
		f->vuln.published = strdup("2024-01-01T00:00:00Z");
		f->vuln.modified = strdup("2024-01-01T00:00:00Z");
		f->vuln.vex_status = strdup("not_affected");
		f->vuln.vex_justification = strdup("component_not_present");
		f->vuln.vex_statement = strdup("x");
		f->vuln.vex_document = strdup("doc");
	}
	assert_int_equal(fs.n, 1000);
	assert_true(fs.cap >= 1000);
	assert_string_equal(fs.items[999].id, "CVE-2024-999");
	sc_findings_release(&fs);
	assert_int_equal(fs.n, 0);
	assert_null(fs.items);
	sc_findings_release(&fs); /* twice is fine */
	sc_findings_release(NULL);
}

static void test_sort(void **state)
{
	rt_fixture fx;
	static const char *const want[][2] = {
		{ "PYSEC-2024-1", "torch" },       { "CVE-2024-2961", "libc6" },
		{ "GHSA-pppp-0000-0000", "pillow" }, { "CVE-2024-1111", "libc6" },
		{ "CVE-2024-1111", "openssl" },    { "CVE-2020-0001", "lodash" },
		{ "GO-2024-0001", NULL },
	};
	size_t i;

	(void)state;
	rt_setup(&fx); /* sorts */
	assert_int_equal(fx.fs.n, 7);
	for (i = 0; i < fx.fs.n; i++) {
		assert_string_equal(fx.fs.items[i].id, want[i][0]);
		if (want[i][1])
			assert_string_equal(fx.cat.pkgs[fx.fs.items[i].pkg].name, want[i][1]);
		else
			assert_int_equal(fx.fs.items[i].pkg, -1);
	}
	/* Sorting again changes nothing; sorting without names still orders by level. */
	sc_findings_sort(&fx.fs, rt_pkg_name, &fx.cat);
	for (i = 0; i < fx.fs.n; i++)
		assert_string_equal(fx.fs.items[i].id, want[i][0]);
	sc_findings_sort(&fx.fs, NULL, NULL);
	for (i = 1; i < fx.fs.n; i++)
		assert_true(fx.fs.items[i - 1].level >= fx.fs.items[i].level);
	rt_teardown(&fx);
}

static void test_sort_ties(void **state)
{
	sc_findings fs;
	sc_finding *f;
	sc_catalog cat;
	size_t i;

	(void)state;
	sc_catalog_init(&cat);
	rt_add_pkg(&cat, SC_ECO_PYPI, "six", "1.0", NULL, "a/METADATA");
	rt_add_pkg(&cat, SC_ECO_PYPI, "six", "1.1", NULL, "b/METADATA");
	sc_findings_init(&fs);
	/* Same level and name: id, then path, then package index decide. */
	f = rt_add(&fs, "B", SC_LEVEL_HIGH, 1, NULL);
	f = rt_add(&fs, "B", SC_LEVEL_HIGH, 0, NULL);
	f = rt_add(&fs, "A", SC_LEVEL_HIGH, -1, NULL);
	f->path = strdup("z");
	f = rt_add(&fs, "A", SC_LEVEL_HIGH, -1, NULL);
	f->path = strdup("y");
	f = rt_add(&fs, "A", SC_LEVEL_HIGH, 1, NULL);
	(void)f;
	sc_findings_sort(&fs, rt_pkg_name, &cat);
	/* No package sorts as "" (before "six"). */
	assert_string_equal(fs.items[0].path, "y");
	assert_string_equal(fs.items[1].path, "z");
	assert_string_equal(fs.items[2].id, "A");
	assert_int_equal(fs.items[2].pkg, 1);
	assert_string_equal(fs.items[3].id, "B");
	assert_int_equal(fs.items[3].pkg, 0);
	assert_int_equal(fs.items[4].pkg, 1);
	for (i = 0; i < fs.n; i++)
		assert_non_null(fs.items[i].kind);
	sc_findings_release(&fs);
	sc_catalog_release(&cat);
	/* Empty and one-element lists. */
	sc_findings_init(&fs);
	sc_findings_sort(&fs, NULL, NULL);
	sc_findings_sort(NULL, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_add_release),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sort_ties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
