/*
 * test_sarif.c - the SARIF 2.1.0 log for GitHub code scanning: required
 * fields, one rule per advisory with security-severity and level,
 * results with locations and stable partial fingerprints, suppressed
 * findings left out.  With $SCUTE_SARIF_SCHEMA pointing at the SARIF
 * 2.1.0 JSON schema (not shipped: third-party file), the log is also
 * validated against it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reporttest.h"

static json_t *run0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "runs"), 0);
}

static json_t *rules(json_t *doc)
{
	return json_object_get(json_object_get(json_object_get(run0(doc), "tool"), "driver"), "rules");
}

static json_t *rule(json_t *doc, const char *id)
{
	json_t *r;
	size_t i;

	json_array_foreach(rules(doc), i, r)
		if (strcmp(sc_json_str(r, "id"), id) == 0)
			return r;
	return NULL;
}

static const char *uri_of(json_t *res)
{
	return sc_json_str(json_object_get(json_object_get(json_array_get(json_object_get(res, "locations"), 0),
							     "physicalLocation"),
					   "artifactLocation"),
			   "uri");
}

static const char *fingerprint(json_t *res)
{
	return sc_json_str(json_object_get(res, "partialFingerprints"), "scuteFinding/v1");
}

static void test_log(void **state)
{
	rt_fixture fx;
	json_t *doc = NULL, *driver, *results, *res, *r;
	size_t i;

	(void)state;
	rt_setup(&fx);
	assert_int_equal(sc_report_sarif(&doc, &fx.ctx, &fx.fs), 0);
	assert_string_equal(sc_json_str(doc, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
	assert_string_equal(sc_json_str(doc, "version"), "2.1.0");
	assert_int_equal(json_array_size(json_object_get(doc, "runs")), 1);
	driver = json_object_get(json_object_get(run0(doc), "tool"), "driver");
	assert_string_equal(sc_json_str(driver, "name"), "scute");
	assert_string_equal(sc_json_str(driver, "version"), "0.1.0");
	assert_non_null(sc_json_str(driver, "informationUri"));
	/* One rule per advisory id: CVE-2024-1111 has two packages but one rule. */
	assert_int_equal(json_array_size(rules(doc)), 6);
	results = json_object_get(run0(doc), "results");
	assert_int_equal(json_array_size(results), 7);

	json_array_foreach(results, i, res) {
		json_t *rl = json_array_get(rules(doc), (size_t)json_integer_value(json_object_get(res, "ruleIndex")));
		json_t *loc = json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");

		assert_string_equal(sc_json_str(rl, "id"), sc_json_str(res, "ruleId"));
		assert_non_null(sc_json_str(res, "level"));
		assert_non_null(sc_json_str(json_object_get(res, "message"), "text"));
		assert_non_null(uri_of(res));
		assert_int_equal(json_integer_value(json_object_get(json_object_get(loc, "region"), "startLine")), 1);
		assert_int_equal(strlen(fingerprint(res)), 64);
	}

	/* Rule fields. */
	r = rule(doc, "PYSEC-2024-1");
	assert_non_null(r);
	assert_string_equal(sc_json_str(r, "name"), "PYSEC-2024-1");
	assert_non_null(strstr(sc_json_str(json_object_get(r, "shortDescription"), "text"), "Remote code"));
	assert_non_null(strstr(sc_json_str(json_object_get(r, "fullDescription"), "text"), "pickle"));
	assert_string_equal(sc_json_str(r, "helpUri"),
			    "https://github.com/pytorch/pytorch/security/advisories/GHSA-aaaa-bbbb-cccc");
	assert_non_null(strstr(sc_json_str(json_object_get(r, "help"), "text"), "2.2.0"));
	assert_non_null(strstr(sc_json_str(json_object_get(r, "help"), "markdown"), "| critical | torch | 2.0.0 | 2.2.0 |"));
	assert_string_equal(sc_json_str(json_object_get(r, "defaultConfiguration"), "level"), "error");
	assert_string_equal(sc_json_str(json_object_get(r, "properties"), "security-severity"), "9.8");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(r, "properties"), "tags"), 2)),
			    "critical");

	/* Levels and security-severity derived from the level without CVSS. */
	r = rule(doc, "GHSA-pppp-0000-0000");
	assert_string_equal(sc_json_str(json_object_get(r, "defaultConfiguration"), "level"), "warning");
	assert_string_equal(sc_json_str(json_object_get(r, "properties"), "security-severity"), "5.5");
	assert_string_equal(sc_json_str(r, "helpUri"), "https://osv.dev/vulnerability/GHSA-pppp-0000-0000");
	r = rule(doc, "CVE-2024-1111");
	assert_string_equal(sc_json_str(json_object_get(r, "defaultConfiguration"), "level"), "note");
	assert_string_equal(sc_json_str(json_object_get(r, "properties"), "security-severity"), "2.0");
	assert_non_null(strstr(sc_json_str(json_object_get(r, "help"), "markdown"), "| low | libc6 |"));
	assert_non_null(strstr(sc_json_str(json_object_get(r, "help"), "markdown"), "| low | openssl |"));
	r = rule(doc, "CVE-2020-0001");
	assert_string_equal(sc_json_str(json_object_get(r, "properties"), "security-severity"), "0.0");
	r = rule(doc, "GO-2024-0001");
	assert_string_equal(sc_json_str(json_object_get(r, "properties"), "security-severity"), "7.5");
	assert_string_equal(sc_json_str(json_object_get(r, "defaultConfiguration"), "level"), "note");

	/* Results: message, location, fingerprints. */
	res = json_array_get(results, 0);
	assert_string_equal(sc_json_str(res, "ruleId"), "PYSEC-2024-1");
	assert_string_equal(sc_json_str(res, "level"), "error");
	assert_non_null(strstr(sc_json_str(json_object_get(res, "message"), "text"),
			       "Package torch version 2.0.0 is vulnerable to PYSEC-2024-1; fixed in 2.2.0"));
	assert_string_equal(uri_of(res), "usr/local/lib/python3.11/site-packages/torch-2.0.0.dist-info/METADATA");
	{
		json_t *a = json_array_get(results, 3), *b = json_array_get(results, 4);

		assert_string_equal(sc_json_str(a, "ruleId"), "CVE-2024-1111");
		assert_string_equal(sc_json_str(b, "ruleId"), "CVE-2024-1111");
		assert_int_equal(json_integer_value(json_object_get(a, "ruleIndex")),
				 json_integer_value(json_object_get(b, "ruleIndex")));
		assert_string_equal(uri_of(a), "var/lib/dpkg/status");
		assert_string_not_equal(fingerprint(a), fingerprint(b));
		assert_non_null(strstr(sc_json_str(json_object_get(a, "message"), "text"), "unfixed"));
	}
	res = json_array_get(results, 6);
	assert_string_equal(sc_json_str(res, "ruleId"), "GO-2024-0001");
	assert_string_equal(uri_of(res), "opt/app/bin/tool");
	assert_non_null(strstr(sc_json_str(json_object_get(res, "message"), "text"),
			       "File opt/app/bin/tool is affected by GO-2024-0001"));
	json_decref(doc);
	rt_teardown(&fx);
}

static void test_stable_and_suppressed(void **state)
{
	rt_fixture fx;
	json_t *a = NULL, *b = NULL, *res;
	char *ta, *tb, fp[65];
	size_t i;

	(void)state;
	rt_setup(&fx);
	assert_int_equal(sc_report_sarif(&a, &fx.ctx, &fx.fs), 0);
	snprintf(fp, sizeof(fp), "%s", fingerprint(json_array_get(json_object_get(run0(a), "results"), 0)));
	rt_find(&fx, "PYSEC-2024-1", RT_TORCH)->suppressed = 1;
	rt_find(&fx, "CVE-2024-1111", RT_LIBC)->suppressed = 1;
	assert_int_equal(sc_report_sarif(&b, &fx.ctx, &fx.fs), 0);
	/* Suppressed: left out, with their rule when nothing else uses it. */
	assert_int_equal(json_array_size(json_object_get(run0(b), "results")), 5);
	assert_null(rule(b, "PYSEC-2024-1"));
	assert_non_null(rule(b, "CVE-2024-1111"));
	json_array_foreach(json_object_get(run0(b), "results"), i, res)
		assert_string_not_equal(fingerprint(res), fp);
	json_decref(b);

	/* Same findings, same bytes (and so the same fingerprints). */
	rt_find(&fx, "PYSEC-2024-1", RT_TORCH)->suppressed = 0;
	rt_find(&fx, "CVE-2024-1111", RT_LIBC)->suppressed = 0;
	assert_int_equal(sc_report_sarif(&b, &fx.ctx, &fx.fs), 0);
	ta = json_dumps(a, JSON_COMPACT);
	tb = json_dumps(b, JSON_COMPACT);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	rt_teardown(&fx);
}

static void test_target_location(void **state)
{
	rt_fixture fx;
	json_t *doc = NULL;
	sc_finding *f;

	(void)state;
	rt_catalog(&fx);
	free(fx.cat.pkgs[RT_LODASH].location);
	fx.cat.pkgs[RT_LODASH].location = NULL;
	fx.ctx.target = "docker-archive:/tmp/my image|1.tar";
	f = rt_add(&fx.fs, "CVE-9", SC_LEVEL_HIGH, RT_LODASH, NULL);
	/* helpUri: the first reference that is a usable URL. */
	f->vuln.references = rt_strv("see the mailing list", "https://bad.example/a b", "https://ok.example/x?y=1", NULL);
	assert_int_equal(sc_report_sarif(&doc, &fx.ctx, &fx.fs), 0);
	assert_string_equal(sc_json_str(rule(doc, "CVE-9"), "helpUri"), "https://ok.example/x?y=1");
	assert_string_equal(uri_of(json_array_get(json_object_get(run0(doc), "results"), 0)),
			    "docker-archive:/tmp/my%20image%7C1.tar");
	/* No title: the id stands in; no fix: said so. */
	assert_string_equal(sc_json_str(json_object_get(rule(doc, "CVE-9"), "shortDescription"), "text"), "CVE-9");
	assert_non_null(strstr(sc_json_str(json_object_get(json_array_get(json_object_get(run0(doc), "results"), 0),
								 "message"),
					   "text"),
			       "no fixed version known"));
	json_decref(doc);
	rt_teardown(&fx);

	/* No findings: a valid, empty run. */
	rt_catalog(&fx);
	assert_int_equal(sc_report_sarif(&doc, &fx.ctx, &fx.fs), 0);
	assert_int_equal(json_array_size(json_object_get(run0(doc), "results")), 0);
	assert_int_equal(json_array_size(rules(doc)), 0);
	json_decref(doc);
	rt_teardown(&fx);
}

static void test_schema(void **state)
{
	const char *schema = getenv("SCUTE_SARIF_SCHEMA");
	rt_fixture fx;
	json_t *doc = NULL;
	int rc;

	(void)state;
	if (!schema) {
		print_message("skipping: set SCUTE_SARIF_SCHEMA to a sarif-2.1.0 JSON schema file to validate\n");
		skip();
	}
	rt_setup(&fx);
	assert_int_equal(sc_report_sarif(&doc, &fx.ctx, &fx.fs), 0);
	rc = rt_validate(doc, schema);
	json_decref(doc);
	rt_teardown(&fx);
	if (rc == 77)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_stable_and_suppressed),
		cmocka_unit_test(test_target_location),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
