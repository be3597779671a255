/*
 * test_predicate.c - predicate type names, SLSA Provenance v1 and cosign's
 * vulnerability scan record (src/sign/predicate.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "sign/predicate.h"
#include "sc_config.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_lookup(void **state)
{
	static const char *const pairs[][2] = {
		{ "sbom", "https://cyclonedx.org/bom" },
		{ "cyclonedx", "https://cyclonedx.org/bom" },
		{ "spdx", "https://spdx.dev/Document" },
		{ "spdxjson", "https://spdx.dev/Document" },
		{ "vuln", "https://cosign.sigstore.dev/attestation/vuln/v1" },
		{ "slsa", "https://slsa.dev/provenance/v1" },
		{ "slsaprovenance1", "https://slsa.dev/provenance/v1" },
		{ "audit", "https://scute.dev/attestation/audit/v1" },
		{ "custom", "https://cosign.sigstore.dev/attestation/v1" },
	};
	const char *uri;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		uri = NULL;
		assert_int_equal(sc_predicate_type_lookup(pairs[i][0], &uri), 0);
		assert_string_equal(uri, pairs[i][1]);
	}
	/* a URI passes through as it is */
	assert_int_equal(sc_predicate_type_lookup("https://example.com/p/v2", &uri), 0);
	assert_string_equal(uri, "https://example.com/p/v2");
}

static void test_lookup_unknown(void **state)
{
	const char *uri = "untouched";

	(void)state;
	assert_int_equal(sc_predicate_type_lookup("slsaprovenance", &uri), SC_EUSAGE);
	assert_string_equal(uri, "untouched");
	assert_non_null(strstr(sc_error_msg(), "'slsaprovenance'"));
	assert_non_null(strstr(sc_error_msg(), "sbom, cyclonedx, spdx, spdxjson, vuln, slsa, slsaprovenance1, audit, custom"));
	assert_int_equal(sc_predicate_type_lookup("", &uri), SC_EUSAGE);
	assert_int_equal(sc_predicate_type_lookup("SBOM", &uri), SC_EUSAGE);
	assert_int_equal(sc_predicate_type_lookup("https:/x", &uri), SC_EUSAGE);
}

static void test_reverse(void **state)
{
	(void)state;
	assert_string_equal(sc_predicate_type_name(SC_PREDICATE_CYCLONEDX), "sbom");
	assert_string_equal(sc_predicate_type_name(SC_PREDICATE_SPDX), "spdx");
	assert_string_equal(sc_predicate_type_name(SC_PREDICATE_VULN), "vuln");
	assert_string_equal(sc_predicate_type_name(SC_PREDICATE_SLSA1), "slsa");
	assert_string_equal(sc_predicate_type_name(SC_PREDICATE_AUDIT), "audit");
	assert_string_equal(sc_predicate_type_name(SC_PREDICATE_CUSTOM), "custom");
	assert_null(sc_predicate_type_name("https://example.com/x"));
	assert_null(sc_predicate_type_name(NULL));
}

static int matches(const char *re, const char *s)
{
	regex_t r;
	int ok;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

#define RFC3339_UTC "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"

/* Exactly these keys (plus the optional ones) in obj, no other. */
static void keys_only(const json_t *obj, const char *const *required, const char *const *optional)
{
	const char *k;
	json_t *v;
	size_t i, n = 0;

	assert_true(json_is_object(obj));
	for (i = 0; required[i]; i++) {
		if (!json_object_get(obj, required[i]))
			fail_msg("required key '%s' missing", required[i]);
		n++;
	}
	json_object_foreach((json_t *)obj, k, v) {
		int known = 0;

		for (i = 0; required[i]; i++)
			known |= strcmp(k, required[i]) == 0;
		for (i = 0; optional && optional[i]; i++)
			known |= strcmp(k, optional[i]) == 0;
		if (!known)
			fail_msg("unexpected key '%s'", k);
	}
	(void)n;
}

/* A SLSA v1 ResourceDescriptor: uri (string), digest map of strings, optional name. */
static void check_descriptor(const json_t *d)
{
	static const char *const req[] = { "uri", "digest", NULL };
	static const char *const opt[] = { "name", "downloadLocation", "mediaType", "content", "annotations", NULL };
	const char *k;
	json_t *v;

	keys_only(d, req, opt);
	assert_true(json_is_string(json_object_get(d, "uri")));
	assert_true(json_object_size(json_object_get(d, "digest")) > 0);
	json_object_foreach(json_object_get(d, "digest"), k, v)
		assert_true(json_is_string(v));
	if (json_object_get(d, "name"))
		assert_true(json_is_string(json_object_get(d, "name")));
}

/*
 * The structure https://slsa.dev/spec/v1.0/provenance defines: the field
 * set and types of every level (there is no JSON schema for it in the
 * shared data, so the rules are written out here).
 */
static void check_slsa(const json_t *p)
{
	static const char *const top[] = { "buildDefinition", "runDetails", NULL };
	static const char *const bd_req[] = { "buildType", "externalParameters", NULL };
	static const char *const bd_opt[] = { "internalParameters", "resolvedDependencies", NULL };
	static const char *const rd_req[] = { "builder", NULL };
	static const char *const rd_opt[] = { "metadata", "byproducts", NULL };
	static const char *const b_req[] = { "id", NULL };
	static const char *const b_opt[] = { "version", "builderDependencies", NULL };
	static const char *const m_opt[] = { "invocationId", "startedOn", "finishedOn", NULL };
	static const char *const none[] = { NULL };
	json_t *bd, *rd, *b, *m, *v;
	const char *k;
	size_t i;

	keys_only(p, top, NULL);
	bd = json_object_get(p, "buildDefinition");
	keys_only(bd, bd_req, bd_opt);
	assert_true(matches("^https?://", json_string_value(json_object_get(bd, "buildType"))));
	assert_true(json_is_object(json_object_get(bd, "externalParameters")));
	if ((v = json_object_get(bd, "internalParameters")))
		assert_true(json_is_object(v));
	if ((v = json_object_get(bd, "resolvedDependencies"))) {
		assert_true(json_is_array(v));
		for (i = 0; i < json_array_size(v); i++)
			check_descriptor(json_array_get(v, i));
	}
	rd = json_object_get(p, "runDetails");
	keys_only(rd, rd_req, rd_opt);
	b = json_object_get(rd, "builder");
	keys_only(b, b_req, b_opt);
	assert_true(matches("^https?://", json_string_value(json_object_get(b, "id"))));
	if ((v = json_object_get(b, "version"))) {
		assert_true(json_is_object(v));
		json_object_foreach(v, k, m)
			assert_true(json_is_string(m));
	}
	if ((m = json_object_get(rd, "metadata"))) {
		keys_only(m, none, m_opt);
		if ((v = json_object_get(m, "invocationId")))
			assert_true(json_is_string(v));
		if ((v = json_object_get(m, "startedOn")))
			assert_true(matches(RFC3339_UTC, json_string_value(v)));
		if ((v = json_object_get(m, "finishedOn")))
			assert_true(matches(RFC3339_UTC, json_string_value(v)));
	}
	if ((v = json_object_get(rd, "byproducts"))) {
		assert_true(json_is_array(v));
		for (i = 0; i < json_array_size(v); i++)
			check_descriptor(json_array_get(v, i));
	}
}

static void test_slsa(void **state)
{
	sc_slsa_artifact dep = { "docker://reg.example:5000/team/app@sha256:" HEX_A, "sha256:" HEX_A,
				 "docker://reg.example:5000/team/app:1.0" };
	json_t *ext = json_pack("{s:s,s:s,s:b,s:[s]}", "source", "docker://reg.example:5000/team/app:1.0",
				"destination", "oci:/tmp/out:hard", "minimize", 1, "writable", "/data");
	json_t *p = NULL, *bd, *rd, *d;
	sc_slsa_opts o;
	char uuid[37];

	(void)state;
	assert_int_equal(sc_predicate_uuid(uuid), 0);
	memset(&o, 0, sizeof(o));
	o.external_parameters = ext;
	o.deps = &dep;
	o.n_deps = 1;
	o.invocation_id = uuid;
	o.started_on = 1700000000;
	o.finished_on = 1700000042;
	assert_int_equal(sc_predicate_slsa(&p, &o), 0);
	check_slsa(p);

	bd = json_object_get(p, "buildDefinition");
	assert_string_equal(json_string_value(json_object_get(bd, "buildType")), "https://scute.dev/harden/v1");
	assert_true(json_equal(json_object_get(bd, "externalParameters"), ext));
	assert_ptr_not_equal(json_object_get(bd, "externalParameters"), ext); /* a copy */
	assert_int_equal(json_object_size(json_object_get(bd, "internalParameters")), 0);
	assert_int_equal(json_array_size(json_object_get(bd, "resolvedDependencies")), 1);
	d = json_array_get(json_object_get(bd, "resolvedDependencies"), 0);
	assert_string_equal(json_string_value(json_object_get(d, "uri")), dep.uri);
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "digest"), "sha256")), HEX_A);
	assert_string_equal(json_string_value(json_object_get(d, "name")), dep.name);

	rd = json_object_get(p, "runDetails");
	assert_string_equal(json_string_value(json_object_get(json_object_get(rd, "builder"), "id")),
			    "https://scute.dev/scute");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(json_object_get(rd, "builder"), "version"), "scute")),
		SCUTE_VERSION);
	assert_string_equal(json_string_value(json_object_get(json_object_get(rd, "metadata"), "startedOn")),
			    "2023-11-14T22:13:20Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(rd, "metadata"), "finishedOn")),
			    "2023-11-14T22:14:02Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(rd, "metadata"), "invocationId")), uuid);
	assert_null(json_object_get(rd, "byproducts"));
	json_decref(p);
	json_decref(ext);
}

static void test_slsa_options(void **state)
{
	sc_slsa_artifact by[2] = { { "file:///tmp/sbom.json", HEX_B, NULL }, { "file:///tmp/x", HEX_A, "x" } };
	json_t *ext = json_object(), *in = json_pack("{s:s}", "layering", "squash"), *p = NULL, *rd, *meta;
	sc_slsa_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.build_type = "https://example.com/bt/v1";
	o.builder_id = "https://example.com/builder";
	o.builder_version = "9.9";
	o.external_parameters = ext;
	o.internal_parameters = in;
	o.byproducts = by;
	o.n_byproducts = 2;
	assert_int_equal(sc_predicate_slsa(&p, &o), 0);
	check_slsa(p);
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "buildDefinition"), "buildType")),
			    "https://example.com/bt/v1");
	assert_true(json_equal(json_object_get(json_object_get(p, "buildDefinition"), "internalParameters"), in));
	assert_int_equal(json_array_size(json_object_get(json_object_get(p, "buildDefinition"), "resolvedDependencies")), 0);
	rd = json_object_get(p, "runDetails");
	assert_int_equal(json_array_size(json_object_get(rd, "byproducts")), 2);
	assert_null(json_object_get(json_array_get(json_object_get(rd, "byproducts"), 0), "name"));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(json_object_get(rd, "builder"), "version"), "scute")),
		"9.9");
	meta = json_object_get(rd, "metadata"); /* no times, no id: an empty object */
	assert_int_equal(json_object_size(meta), 0);
	json_decref(p);
	json_decref(ext);
	json_decref(in);
}

static void test_slsa_rejects(void **state)
{
	sc_slsa_artifact bad_digest = { "oci:/x:y", "sha256:ABC", NULL };
	sc_slsa_artifact upper = { "oci:/x:y",
				   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL };
	sc_slsa_artifact long_hex = { "oci:/x:y", HEX_A "0", NULL };
	sc_slsa_artifact no_uri = { "", HEX_A, NULL };
	json_t *ext = json_object(), *arr = json_array(), *p = (json_t *)(uintptr_t)1;
	sc_slsa_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE); /* no externalParameters */
	o.external_parameters = arr;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	o.external_parameters = ext;
	o.internal_parameters = arr;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	o.internal_parameters = NULL;
	o.n_deps = 1;
	o.deps = &bad_digest;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), "resolvedDependencies[0]"));
	o.deps = &upper;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	o.deps = &long_hex;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	o.deps = &no_uri;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	o.n_deps = 0;
	o.byproducts = &bad_digest;
	o.n_byproducts = 1;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	assert_non_null(strstr(sc_error_msg(), "byproducts[0]"));
	o.n_byproducts = 0;
	o.started_on = 200;
	o.finished_on = 100;
	assert_int_equal(sc_predicate_slsa(&p, &o), SC_EUSAGE);
	assert_ptr_equal(p, (json_t *)(uintptr_t)1);
	json_decref(ext);
	json_decref(arr);
}

static void test_vuln(void **state)
{
	json_t *result = json_pack("{s:s,s:[]}", "schema", "scute-scan/1", "findings"), *p = NULL, *sc;
	json_t *params = json_pack("{s:s}", "image", "oci:/x:y");
	static const char *const top[] = { "invocation", "scanner", "metadata", NULL };
	static const char *const inv[] = { "parameters", "uri", "event_id", "builder.id", NULL };
	static const char *const scn[] = { "uri", "version", "db", "result", NULL };
	static const char *const db[] = { "uri", "version", NULL };
	static const char *const meta[] = { "scanStartedOn", "scanFinishedOn", NULL };
	sc_vuln_predicate_opts o;
	char *text;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.result = result;
	o.db_uri = "/var/cache/scute/vulndb.sqlite";
	o.db_version = "2024-05-01T10:00:00Z";
	o.started_on = 1700000000;
	o.finished_on = 1700000001;
	assert_int_equal(sc_predicate_vuln(&p, &o), 0);
	keys_only(p, top, NULL);
	keys_only(json_object_get(p, "invocation"), inv, NULL);
	assert_true(json_is_null(json_object_get(json_object_get(p, "invocation"), "parameters")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "invocation"), "builder.id")), "");
	sc = json_object_get(p, "scanner");
	keys_only(sc, scn, NULL);
	keys_only(json_object_get(sc, "db"), db, NULL);
	assert_string_equal(json_string_value(json_object_get(sc, "uri")), SC_SCANNER_URI);
	assert_string_equal(json_string_value(json_object_get(sc, "version")), SCUTE_VERSION);
	assert_string_equal(json_string_value(json_object_get(json_object_get(sc, "db"), "uri")), o.db_uri);
	assert_string_equal(json_string_value(json_object_get(json_object_get(sc, "db"), "version")), o.db_version);
	assert_true(json_equal(json_object_get(sc, "result"), result));
	keys_only(json_object_get(p, "metadata"), meta, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "metadata"), "scanStartedOn")),
			    "2023-11-14T22:13:20Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "metadata"), "scanFinishedOn")),
			    "2023-11-14T22:13:21Z");
	/* cosign's field order */
	text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(text);
	assert_true(matches("^\\{\"invocation\":\\{\"parameters\":null,\"uri\":\"\",\"event_id\":\"\",\"builder.id\":\"\"\\},"
			    "\"scanner\":\\{\"uri\":[^,]*,\"version\":[^,]*,\"db\":\\{\"uri\":[^,]*,\"version\":[^}]*\\},"
			    "\"result\":.*\"metadata\":\\{\"scanStartedOn\":",
			    text));
	free(text);
	json_decref(p);

	o.invocation_parameters = params;
	o.db_uri = o.db_version = NULL;
	assert_int_equal(sc_predicate_vuln(&p, &o), 0);
	assert_true(json_equal(json_object_get(json_object_get(p, "invocation"), "parameters"), params));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(p, "scanner"), "db"), "uri")),
			    "");
	json_decref(p);

	o.finished_on = 1;
	assert_int_equal(sc_predicate_vuln(&p, &o), SC_EUSAGE);
	o.result = NULL;
	assert_int_equal(sc_predicate_vuln(&p, &o), SC_EUSAGE);
	json_decref(result);
	json_decref(params);
}

static void test_time_uuid(void **state)
{
	char u1[37], u2[37];

	(void)state;
	assert_int_equal(sc_predicate_uuid(u1), 0);
	assert_int_equal(sc_predicate_uuid(u2), 0);
	assert_true(matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", u1));
	assert_string_not_equal(u1, u2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),	     cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_reverse),	     cmocka_unit_test(test_slsa),
		cmocka_unit_test(test_slsa_options), cmocka_unit_test(test_slsa_rejects),
		cmocka_unit_test(test_vuln),	     cmocka_unit_test(test_time_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
