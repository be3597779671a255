/*
 * test_json.c - scute's JSON scan report: every field of a finding,
 * optional fields only when set, suppressed findings kept with their VEX
 * record, summary counts; and validation against
 * docs/schemas/scan-v1.schema.json (python3-jsonschema).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reporttest.h"

static json_t *finding_json(json_t *doc, const char *id, const char *pkg_name)
{
	json_t *list = json_object_get(doc, "findings"), *f;
	size_t i;

	json_array_foreach(list, i, f) {
		const char *name = json_string_value(json_object_get(json_object_get(f, "package"), "name"));

		if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0 &&
		    (!pkg_name ? !json_object_get(f, "package") : name && strcmp(name, pkg_name) == 0))
			return f;
	}
	fail_msg("no finding %s/%s", id, pkg_name ? pkg_name : "-");
	return NULL;
}

static void test_document(void **state)
{
	rt_fixture fx;
	json_t *doc = NULL, *f, *s, *p;

	(void)state;
	rt_setup(&fx);
	assert_int_equal(sc_report_json(&doc, &fx.ctx, &fx.fs), 0);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "scute-scan/1");
	assert_string_equal(sc_json_str(json_object_get(doc, "target"), "name"), "oci:/srv/images/app:1.0");
	assert_string_equal(sc_json_str(json_object_get(doc, "target"), "digest"), fx.ctx.target_digest);
	assert_string_equal(sc_json_str(json_object_get(doc, "target"), "purl"), fx.ctx.target_purl);
	assert_string_equal(sc_json_str(json_object_get(doc, "tool"), "name"), "scute");
	assert_string_equal(sc_json_str(json_object_get(doc, "tool"), "version"), "0.1.0");
	assert_string_equal(sc_json_str(doc, "database"), "/var/cache/scute/vulndb.sqlite");
	s = json_object_get(doc, "summary");
	assert_int_equal(json_integer_value(json_object_get(s, "critical")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "high")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "medium")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "low")), 2);
	assert_int_equal(json_integer_value(json_object_get(s, "negligible")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "unknown")), 1);
	assert_int_equal(json_integer_value(json_object_get(s, "total")), 7);
	assert_int_equal(json_integer_value(json_object_get(s, "suppressed")), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), 7);
	/* In list order (sorted). */
	assert_string_equal(sc_json_str(json_array_get(json_object_get(doc, "findings"), 0), "id"), "PYSEC-2024-1");

	f = finding_json(doc, "PYSEC-2024-1", "torch");
	assert_string_equal(sc_json_str(f, "kind"), "vulnerability");
	assert_string_equal(sc_json_str(f, "level"), "critical");
	assert_int_equal(json_array_size(json_object_get(f, "aliases")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(f, "aliases"), 0)), "CVE-2024-5480");
	assert_non_null(strstr(sc_json_str(f, "description"), "pickle"));
	p = json_object_get(f, "package");
	assert_string_equal(sc_json_str(p, "version"), "2.0.0");
	assert_string_equal(sc_json_str(p, "ecosystem"), "pypi");
	assert_string_equal(sc_json_str(p, "purl"), "pkg:pypi/torch@2.0.0");
	assert_non_null(strstr(sc_json_str(p, "location"), "torch-2.0.0.dist-info"));
	assert_null(json_object_get(p, "source_name"));
	assert_null(json_object_get(f, "path"));
	assert_string_equal(sc_json_str(f, "status"), "fixed");
	assert_string_equal(json_string_value(json_array_get(json_object_get(f, "fixed_in"), 0)), "2.2.0");
	assert_string_equal(sc_json_str(f, "remediation"), "upgrade torch to 2.2.0");
	assert_true(json_real_value(json_object_get(json_object_get(f, "cvss"), "score")) == 9.8);
	assert_string_equal(sc_json_str(json_object_get(f, "cvss"), "vector"),
			    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_string_equal(sc_json_str(f, "severity_source"), "cvss");
	assert_string_equal(sc_json_str(f, "source"), "osv:pypa-advisory-database");
	assert_string_equal(sc_json_str(json_object_get(f, "matched"), "ecosystem"), "PyPI");
	assert_string_equal(sc_json_str(json_object_get(f, "matched"), "name"), "torch");
	assert_string_equal(sc_json_str(json_object_get(f, "matched"), "version"), "2.0.0");
	assert_int_equal(json_array_size(json_object_get(f, "references")), 2);
	assert_string_equal(sc_json_str(f, "published"), "2024-06-06T18:15:00Z");
	assert_null(json_object_get(f, "os_managed_pypi"));
	assert_true(json_is_false(json_object_get(f, "suppressed")));
	assert_null(json_object_get(f, "vex"));

	/* deb: source package; optional fields absent or null. */
	f = finding_json(doc, "CVE-2024-2961", "libc6");
	p = json_object_get(f, "package");
	assert_string_equal(sc_json_str(p, "source_name"), "glibc");
	assert_string_equal(sc_json_str(p, "location"), "var/lib/dpkg/status");
	assert_string_equal(sc_json_str(json_object_get(f, "matched"), "name"), "glibc");
	assert_null(json_object_get(f, "description"));
	assert_true(json_is_null(json_object_get(f, "remediation")));
	assert_int_equal(json_array_size(json_object_get(f, "aliases")), 0);

	f = finding_json(doc, "GHSA-pppp-0000-0000", "pillow");
	assert_true(json_is_true(json_object_get(f, "os_managed_pypi")));
	assert_null(json_object_get(f, "cvss"));
	assert_string_equal(sc_json_str(f, "severity_source"), "vendor");
	assert_int_equal(json_array_size(json_object_get(f, "fixed_in")), 2);

	f = finding_json(doc, "GO-2024-0001", NULL);
	assert_string_equal(sc_json_str(f, "path"), "opt/app/bin/tool");
	assert_string_equal(sc_json_str(f, "level"), "unknown");
	assert_true(json_is_null(json_object_get(f, "severity_source")));
	assert_true(json_is_null(json_object_get(json_object_get(f, "matched"), "name")));
	json_decref(doc);
	rt_teardown(&fx);
}

static void test_suppressed(void **state)
{
	rt_fixture fx;
	json_t *doc = NULL, *f, *vex;
	sc_finding *x;

	(void)state;
	rt_setup(&fx);
	x = rt_find(&fx, "PYSEC-2024-1", RT_TORCH);
	x->suppressed = 1;
	x->vuln.vex_status = strdup("not_affected");
	x->vuln.vex_justification = strdup("vulnerable_code_not_in_execute_path");
	x->vuln.vex_statement = strdup("RPC is never started");
	x->vuln.vex_document = strdup("https://example.com/vex/app-1");
	x = rt_find(&fx, "CVE-2024-1111", RT_LIBC);
	x->vuln.vex_status = strdup("under_investigation");
	assert_int_equal(sc_report_json(&doc, &fx.ctx, &fx.fs), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "critical")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "total")), 6);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "suppressed")), 1);
	/* Suppressed findings stay in the list. */
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), 7);
	f = finding_json(doc, "PYSEC-2024-1", "torch");
	assert_true(json_is_true(json_object_get(f, "suppressed")));
	vex = json_object_get(f, "vex");
	assert_string_equal(sc_json_str(vex, "status"), "not_affected");
	assert_string_equal(sc_json_str(vex, "justification"), "vulnerable_code_not_in_execute_path");
	assert_string_equal(sc_json_str(vex, "statement"), "RPC is never started");
	assert_string_equal(sc_json_str(vex, "document"), "https://example.com/vex/app-1");
	f = finding_json(doc, "CVE-2024-1111", "libc6");
	assert_true(json_is_false(json_object_get(f, "suppressed")));
	assert_string_equal(sc_json_str(json_object_get(f, "vex"), "status"), "under_investigation");
	assert_true(json_is_null(json_object_get(json_object_get(f, "vex"), "justification")));
	json_decref(doc);
	rt_teardown(&fx);
}

static void test_minimal_and_hostile(void **state)
{
	rt_fixture fx;
	json_t *doc = NULL, *f;
	char *text;

	(void)state;
	rt_catalog(&fx);
	fx.ctx.target_digest = NULL;
	fx.ctx.target_purl = NULL;
	fx.ctx.db_path = NULL;
	fx.ctx.tool_version = NULL;
	/* Invalid UTF-8 in advisory text must still give valid JSON. */
	rt_add(&fx.fs, "CVE-1", SC_LEVEL_LOW, RT_LODASH, "bad \xc3\x28 utf8");
	assert_int_equal(sc_report_json(&doc, &fx.ctx, &fx.fs), 0);
	assert_true(json_is_null(json_object_get(json_object_get(doc, "target"), "digest")));
	assert_true(json_is_null(json_object_get(doc, "database")));
	f = json_array_get(json_object_get(doc, "findings"), 0);
	assert_string_equal(sc_json_str(f, "title"), "bad ?( utf8");
	text = json_dumps(doc, 0);
	assert_non_null(text);
	free(text);
	json_decref(doc);
	rt_teardown(&fx);

	rt_catalog(&fx);
	assert_int_equal(sc_report_json(&doc, &fx.ctx, &fx.fs), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "findings")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "total")), 0);
	json_decref(doc);
	rt_teardown(&fx);
}

static void test_schema(void **state)
{
	rt_fixture fx;
	json_t *doc = NULL;
	char schema[4096], msg[8192];
	sc_finding *x;

	(void)state;
	rt_source_path(schema, sizeof(schema), "docs/schemas/scan-v1.schema.json");
	rt_setup(&fx);
	x = rt_find(&fx, "PYSEC-2024-1", RT_TORCH);
	x->suppressed = 1;
	x->vuln.vex_status = strdup("not_affected");
	x->vuln.vex_justification = strdup("component_not_present");
	assert_int_equal(sc_report_json(&doc, &fx.ctx, &fx.fs), 0);
	if (rt_validate(doc, schema) == 77) {
		json_decref(doc);
		rt_teardown(&fx);
		skip();
	}
	/* The schema is not vacuous: a wrong level or a missing field fails. */
	json_object_set_new(json_array_get(json_object_get(doc, "findings"), 0), "level", json_string("severe"));
	assert_int_equal(rt_check(doc, schema, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "severe"));
	json_object_set_new(json_array_get(json_object_get(doc, "findings"), 0), "level", json_string("high"));
	assert_int_equal(rt_check(doc, schema, msg, sizeof(msg)), 0);
	json_object_del(doc, "summary");
	assert_int_equal(rt_check(doc, schema, msg, sizeof(msg)), 1);
	json_decref(doc);
	rt_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_suppressed),
		cmocka_unit_test(test_minimal_and_hostile),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
