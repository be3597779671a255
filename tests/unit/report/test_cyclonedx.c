/*
 * test_cyclonedx.c - the CycloneDX 1.6 VEX BOM: metadata, components for
 * affected packages (bom-refs as `scute sbom` makes them), one
 * vulnerability per advisory with merged affects, ratings, references,
 * analysis from VEX; deterministic serial numbers; and validation against
 * the official bom-1.6 schema in ../shared/data/schemas ($SCUTE_SCHEMAS).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reporttest.h"

#include <regex.h>

static json_t *vuln(json_t *bom, const char *bom_ref)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(bom, "vulnerabilities"), i, v)
		if (strcmp(sc_json_str(v, "bom-ref"), bom_ref) == 0)
			return v;
	fail_msg("no vulnerability %s", bom_ref);
	return NULL;
}

static json_t *rating(json_t *v, size_t i)
{
	return json_array_get(json_object_get(v, "ratings"), i);
}

/* 0 when valid, 77 when the schema or python3-jsonschema is missing (skip after cleaning up). */
static int validate(json_t *bom)
{
	char schema[4096];

	rt_shared_schema(schema, sizeof(schema), "cyclonedx-bom-1.6.schema.json");
	return rt_validate(bom, schema);
}

static void test_bom(void **state)
{
	rt_fixture fx;
	json_t *bom = NULL, *meta, *comps, *v, *a, *r;
	regex_t re;
	int sk;

	(void)state;
	rt_setup(&fx);
	assert_int_equal(sc_report_cyclonedx(&bom, &fx.ctx, &fx.fs), 0);
	assert_string_equal(sc_json_str(bom, "bomFormat"), "CycloneDX");
	assert_string_equal(sc_json_str(bom, "specVersion"), "1.6");
	assert_int_equal(json_integer_value(json_object_get(bom, "version")), 1);
	assert_int_equal(regcomp(&re, "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	assert_int_equal(regexec(&re, sc_json_str(bom, "serialNumber"), 0, NULL, 0), 0);
	regfree(&re);

	meta = json_object_get(bom, "metadata");
	assert_string_equal(sc_json_str(meta, "timestamp"), "2023-11-14T22:13:20Z");
	assert_string_equal(sc_json_str(json_array_get(json_object_get(json_object_get(meta, "tools"), "components"), 0),
					"name"),
			    "scute");
	assert_string_equal(sc_json_str(json_object_get(meta, "component"), "type"), "container");
	assert_string_equal(sc_json_str(json_object_get(meta, "component"), "purl"), fx.ctx.target_purl);
	assert_string_equal(sc_json_str(json_object_get(meta, "component"), "version"), fx.ctx.target_digest);

	/* Components: the five packages (catalog order) and the file. */
	comps = json_object_get(bom, "components");
	assert_int_equal(json_array_size(comps), 6);
	assert_string_equal(sc_json_str(json_array_get(comps, 0), "bom-ref"), fx.purls[RT_LIBC]);
	assert_string_equal(sc_json_str(json_array_get(comps, 0), "purl"), fx.purls[RT_LIBC]);
	assert_string_equal(sc_json_str(json_array_get(comps, 0), "version"), "2.36-9+deb12u4");
	assert_string_equal(sc_json_str(json_array_get(comps, 4), "name"), "torch");
	assert_string_equal(sc_json_str(json_array_get(comps, 5), "type"), "file");
	assert_string_equal(sc_json_str(json_array_get(comps, 5), "bom-ref"), "file:/opt/app/bin/tool");
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(bom, "dependencies"), 0),
							 "dependsOn")),
			 6);

	assert_int_equal(json_array_size(json_object_get(bom, "vulnerabilities")), 6);
	/* The critical one, every field. */
	v = vuln(bom, "vuln:PYSEC-2024-1");
	assert_string_equal(sc_json_str(v, "id"), "PYSEC-2024-1");
	assert_string_equal(sc_json_str(json_object_get(v, "source"), "name"), "osv:pypa-advisory-database");
	assert_string_equal(sc_json_str(json_object_get(v, "source"), "url"), "https://osv.dev/vulnerability/PYSEC-2024-1");
	a = json_object_get(v, "references");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(sc_json_str(json_array_get(a, 0), "id"), "CVE-2024-5480");
	assert_string_equal(sc_json_str(json_object_get(json_array_get(a, 0), "source"), "url"),
			    "https://nvd.nist.gov/vuln/detail/CVE-2024-5480");
	assert_string_equal(sc_json_str(json_object_get(json_array_get(a, 1), "source"), "url"),
			    "https://github.com/advisories/GHSA-aaaa-bbbb-cccc");
	assert_int_equal(json_array_size(json_object_get(v, "ratings")), 1);
	r = rating(v, 0);
	assert_true(json_real_value(json_object_get(r, "score")) == 9.8);
	assert_string_equal(sc_json_str(r, "severity"), "critical");
	assert_string_equal(sc_json_str(r, "method"), "CVSSv31");
	assert_string_equal(sc_json_str(r, "vector"), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_non_null(strstr(sc_json_str(v, "description"), "Remote code execution"));
	assert_non_null(strstr(sc_json_str(v, "detail"), "pickle"));
	assert_string_equal(sc_json_str(v, "recommendation"), "upgrade torch to 2.2.0");
	assert_int_equal(json_array_size(json_object_get(v, "advisories")), 2);
	assert_string_equal(sc_json_str(v, "published"), "2024-06-06T18:15:00Z");
	assert_string_equal(sc_json_str(v, "updated"), "2024-06-20T08:00:00Z"); /* +02:00 normalised to UTC */
	assert_string_equal(sc_json_str(json_object_get(v, "analysis"), "state"), "in_triage");
	a = json_array_get(json_object_get(v, "affects"), 0);
	assert_string_equal(sc_json_str(a, "ref"), "pkg:pypi/torch@2.0.0");
	assert_string_equal(sc_json_str(json_array_get(json_object_get(a, "versions"), 0), "version"), "2.0.0");
	assert_string_equal(sc_json_str(json_array_get(json_object_get(a, "versions"), 0), "status"), "affected");

	/* Vendor severity plus CVSS: both ratings. */
	v = vuln(bom, "vuln:CVE-2024-2961");
	assert_int_equal(json_array_size(json_object_get(v, "ratings")), 2);
	assert_string_equal(sc_json_str(rating(v, 0), "method"), "other");
	assert_string_equal(sc_json_str(rating(v, 0), "severity"), "high");
	assert_string_equal(sc_json_str(rating(v, 1), "method"), "CVSSv31");
	assert_string_equal(sc_json_str(rating(v, 1), "severity"), "high");
	assert_string_equal(sc_json_str(v, "recommendation"), "upgrade libc6 to 2.36-9+deb12u7");
	assert_null(json_object_get(v, "references"));

	/* One advisory, two packages: merged. */
	v = vuln(bom, "vuln:CVE-2024-1111");
	assert_int_equal(json_array_size(json_object_get(v, "affects")), 2);
	assert_string_equal(sc_json_str(json_array_get(json_object_get(v, "affects"), 0), "ref"), fx.purls[RT_LIBC]);
	assert_string_equal(sc_json_str(json_array_get(json_object_get(v, "affects"), 1), "ref"), fx.purls[RT_OPENSSL]);
	assert_null(json_object_get(v, "recommendation"));
	assert_string_equal(sc_json_str(json_array_get(json_object_get(v, "properties"), 0), "value"), "unfixed");

	/* negligible -> info; invalid published dropped. */
	v = vuln(bom, "vuln:CVE-2020-0001");
	assert_string_equal(sc_json_str(rating(v, 0), "severity"), "info");
	assert_null(json_object_get(v, "published"));
	/* CVSS v2 vector; unknown level; path-only affects a file component. */
	v = vuln(bom, "vuln:GO-2024-0001");
	assert_string_equal(sc_json_str(rating(v, 0), "severity"), "unknown");
	assert_string_equal(sc_json_str(rating(v, 1), "method"), "CVSSv2");
	assert_string_equal(sc_json_str(json_array_get(json_object_get(v, "affects"), 0), "ref"),
			    "file:/opt/app/bin/tool");
	assert_null(json_object_get(json_array_get(json_object_get(v, "affects"), 0), "versions"));
	sk = validate(bom);
	json_decref(bom);
	rt_teardown(&fx);
	if (sk)
		skip();
}

static void set_vex(sc_finding *f, const char *status, const char *just, const char *stmt)
{
	f->vuln.vex_status = strdup(status);
	f->vuln.vex_justification = just ? strdup(just) : NULL;
	f->vuln.vex_statement = stmt ? strdup(stmt) : NULL;
	f->vuln.vex_document = strdup("https://example.com/vex/1");
	f->suppressed = strcmp(status, "not_affected") == 0 || strcmp(status, "fixed") == 0;
}

static void test_analysis(void **state)
{
	static const char *const map[][2] = {
		{ "component_not_present", "code_not_present" },
		{ "vulnerable_code_not_present", "code_not_present" },
		{ "vulnerable_code_not_in_execute_path", "code_not_reachable" },
		{ "vulnerable_code_cannot_be_controlled_by_adversary", "requires_environment" },
		{ "inline_mitigations_already_exist", "protected_by_mitigating_control" },
	};
	rt_fixture fx;
	json_t *bom = NULL, *v, *an, *a;
	size_t i;
	int sk;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		rt_setup(&fx);
		set_vex(rt_find(&fx, "PYSEC-2024-1", RT_TORCH), "not_affected", map[i][0], "RPC never started");
		assert_int_equal(sc_report_cyclonedx(&bom, &fx.ctx, &fx.fs), 0);
		an = json_object_get(vuln(bom, "vuln:PYSEC-2024-1"), "analysis");
		assert_string_equal(sc_json_str(an, "state"), "not_affected");
		assert_string_equal(sc_json_str(an, "justification"), map[i][1]);
		assert_string_equal(sc_json_str(an, "detail"), "RPC never started");
		a = json_array_get(json_object_get(vuln(bom, "vuln:PYSEC-2024-1"), "affects"), 0);
		assert_string_equal(sc_json_str(json_array_get(json_object_get(a, "versions"), 0), "status"), "unaffected");
		json_decref(bom);
		rt_teardown(&fx);
	}

	rt_setup(&fx);
	set_vex(rt_find(&fx, "CVE-2024-2961", RT_LIBC), "fixed", NULL, NULL);
	set_vex(rt_find(&fx, "GHSA-pppp-0000-0000", RT_PILLOW), "affected", NULL, "upgrade now");
	set_vex(rt_find(&fx, "CVE-2020-0001", RT_LODASH), "under_investigation", NULL, NULL);
	/* Different outcomes for one advisory: two vulnerability objects. */
	set_vex(rt_find(&fx, "CVE-2024-1111", RT_LIBC), "not_affected", "component_not_present", NULL);
	assert_int_equal(sc_report_cyclonedx(&bom, &fx.ctx, &fx.fs), 0);
	assert_string_equal(sc_json_str(json_object_get(vuln(bom, "vuln:CVE-2024-2961"), "analysis"), "state"), "resolved");
	an = json_object_get(vuln(bom, "vuln:GHSA-pppp-0000-0000"), "analysis");
	assert_string_equal(sc_json_str(an, "state"), "exploitable");
	assert_string_equal(sc_json_str(an, "detail"), "upgrade now");
	assert_null(json_object_get(an, "justification"));
	assert_string_equal(sc_json_str(json_object_get(vuln(bom, "vuln:CVE-2020-0001"), "analysis"), "state"),
			    "in_triage");
	assert_int_equal(json_array_size(json_object_get(bom, "vulnerabilities")), 7);
	v = vuln(bom, "vuln:CVE-2024-1111");
	assert_string_equal(sc_json_str(json_object_get(v, "analysis"), "state"), "not_affected");
	assert_int_equal(json_array_size(json_object_get(v, "affects")), 1);
	assert_string_equal(sc_json_str(json_array_get(json_object_get(v, "affects"), 0), "ref"), fx.purls[RT_LIBC]);
	v = vuln(bom, "vuln:CVE-2024-1111#2");
	assert_string_equal(sc_json_str(v, "id"), "CVE-2024-1111");
	assert_string_equal(sc_json_str(json_object_get(v, "analysis"), "state"), "in_triage");
	assert_string_equal(sc_json_str(json_array_get(json_object_get(v, "affects"), 0), "ref"), fx.purls[RT_OPENSSL]);
	sk = validate(bom);
	json_decref(bom);
	rt_teardown(&fx);
	if (sk)
		skip();
}

static void test_deterministic(void **state)
{
	rt_fixture fx;
	json_t *a = NULL, *b = NULL;
	char *ta, *tb, serial[64];

	(void)state;
	rt_setup(&fx);
	assert_int_equal(sc_report_cyclonedx(&a, &fx.ctx, &fx.fs), 0);
	assert_int_equal(sc_report_cyclonedx(&b, &fx.ctx, &fx.fs), 0);
	ta = json_dumps(a, JSON_COMPACT);
	tb = json_dumps(b, JSON_COMPACT);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	snprintf(serial, sizeof(serial), "%s", sc_json_str(a, "serialNumber"));
	json_decref(a);
	json_decref(b);
	/* Different content, different serial number. */
	set_vex(rt_find(&fx, "CVE-2020-0001", RT_LODASH), "fixed", NULL, NULL);
	assert_int_equal(sc_report_cyclonedx(&a, &fx.ctx, &fx.fs), 0);
	assert_string_not_equal(sc_json_str(a, "serialNumber"), serial);
	json_decref(a);
	rt_teardown(&fx);
}

static void test_refs_without_purls(void **state)
{
	rt_fixture fx;
	json_t *bom = NULL, *c;
	char *all[RT_N_PKGS + 2];
	size_t i;
	int sk;

	(void)state;
	rt_setup(&fx);
	fx.ctx.purls = NULL;
	fx.ctx.target_purl = NULL;
	assert_int_equal(sc_report_cyclonedx(&bom, &fx.ctx, &fx.fs), 0);
	c = json_array_get(json_object_get(bom, "components"), 4);
	assert_string_equal(sc_json_str(c, "bom-ref"), "package:pypi/torch@2.0.0#4");
	assert_null(json_object_get(c, "purl"));
	assert_string_equal(sc_json_str(json_object_get(json_object_get(bom, "metadata"), "component"), "bom-ref"),
			    "scute:target");
	sk = validate(bom);
	json_decref(bom);
	rt_teardown(&fx);

	/* Twins (same purl at two locations) get "#1" as in `scute sbom`. */
	rt_catalog(&fx);
	rt_add_pkg(&fx.cat, SC_ECO_PYPI, "torch", "2.0.0", NULL, "other/METADATA");
	for (i = 0; i < RT_N_PKGS; i++)
		all[i] = fx.purls[i];
	all[RT_N_PKGS] = fx.purls[RT_TORCH];
	all[RT_N_PKGS + 1] = NULL;
	fx.ctx.purls = all;
	rt_add(&fx.fs, "CVE-1", SC_LEVEL_HIGH, RT_TORCH, "x");
	rt_add(&fx.fs, "CVE-1", SC_LEVEL_HIGH, RT_N_PKGS, "x");
	assert_int_equal(sc_report_cyclonedx(&bom, &fx.ctx, &fx.fs), 0);
	c = json_object_get(bom, "components");
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(sc_json_str(json_array_get(c, 0), "bom-ref"), "pkg:pypi/torch@2.0.0");
	assert_string_equal(sc_json_str(json_array_get(c, 1), "bom-ref"), "pkg:pypi/torch@2.0.0#1");
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(bom, "vulnerabilities"), 0),
							 "affects")),
			 2);
	sk |= validate(bom);
	json_decref(bom);
	rt_teardown(&fx);
	if (sk)
		skip();
}

static void test_empty(void **state)
{
	rt_fixture fx;
	json_t *bom = NULL;
	char schema[4096], msg[8192];
	int sk;

	(void)state;
	rt_catalog(&fx);
	assert_int_equal(sc_report_cyclonedx(&bom, &fx.ctx, &fx.fs), 0);
	assert_int_equal(json_array_size(json_object_get(bom, "components")), 0);
	assert_int_equal(json_array_size(json_object_get(bom, "vulnerabilities")), 0);
	sk = validate(bom);
	json_decref(bom);
	rt_teardown(&fx);

	/* The validator is not vacuous: a bad analysis state and justification are refused. */
	rt_setup(&fx);
	assert_int_equal(sc_report_cyclonedx(&bom, &fx.ctx, &fx.fs), 0);
	json_object_set_new(json_object_get(json_array_get(json_object_get(bom, "vulnerabilities"), 0), "analysis"),
			    "state", json_string("bogus"));
	rt_shared_schema(schema, sizeof(schema), "cyclonedx-bom-1.6.schema.json");
	if (!sk)
		assert_int_equal(rt_check(bom, schema, msg, sizeof(msg)), 1);
	json_decref(bom);
	rt_teardown(&fx);
	if (sk)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_analysis),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_refs_without_purls),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
