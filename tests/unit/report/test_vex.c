/*
 * test_vex.c - OpenVEX parsing and application: statements matched by
 * id and alias, by package purl (version and qualifier rules), by the
 * image (purl, name, digest) with and without subcomponents; the latest
 * statement wins; v0.0.1 documents; malformed documents rejected with
 * messages naming the statement.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "reporttest.h"

#define CTX "\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"https://example.com/vex/1\", " \
	    "\"author\": \"Sec Team\", \"timestamp\": \"2024-05-01T00:00:00Z\", \"version\": 1, "
#define DOC(stmts) "{" CTX "\"statements\": [" stmts "]}"
#define IMAGE_PURL "pkg:oci/app@sha256%3A1111111111111111111111111111111111111111111111111111111111111111"

static int parse(sc_vex **v, const char *text)
{
	sc_error_clear();
	return sc_vex_parse(v, text, strlen(text), "vex.json");
}

/* Parse and apply text to a fresh fixture; returns the number newly suppressed. */
static size_t apply(rt_fixture *fx, const char *text)
{
	sc_vex *v = NULL;
	size_t n = 12345;

	if (parse(&v, text) != 0)
		fail_msg("parse failed: %s", sc_error_msg());
	assert_int_equal(sc_vex_apply(v, &fx->ctx, &fx->fs, &n), 0);
	sc_vex_free(v);
	return n;
}

static size_t count_suppressed(rt_fixture *fx)
{
	size_t i, n = 0;

	for (i = 0; i < fx->fs.n; i++)
		n += fx->fs.items[i].suppressed;
	return n;
}

static void test_by_id(void **state)
{
	rt_fixture fx;
	sc_finding *f;

	(void)state;
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"PYSEC-2024-1\"},"
					" \"products\": [{\"@id\": \"pkg:pypi/torch@2.0.0\"}],"
					" \"status\": \"not_affected\","
					" \"justification\": \"vulnerable_code_not_in_execute_path\","
					" \"impact_statement\": \"RPC is never started\"}")),
			 1);
	f = rt_find(&fx, "PYSEC-2024-1", RT_TORCH);
	assert_true(f->suppressed);
	assert_string_equal(f->vuln.vex_status, "not_affected");
	assert_string_equal(f->vuln.vex_justification, "vulnerable_code_not_in_execute_path");
	assert_string_equal(f->vuln.vex_statement, "RPC is never started");
	assert_string_equal(f->vuln.vex_document, "https://example.com/vex/1");
	assert_int_equal(count_suppressed(&fx), 1);
	rt_teardown(&fx);
}

static void test_by_alias(void **state)
{
	rt_fixture fx;

	(void)state;
	/* The statement names the finding's alias. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"CVE-2024-5480\"},"
					" \"products\": [{\"@id\": \"torch\", \"identifiers\": {\"purl\": \"pkg:pypi/torch\"}}],"
					" \"status\": \"fixed\"}")),
			 1);
	assert_true(rt_find(&fx, "PYSEC-2024-1", RT_TORCH)->suppressed);
	assert_string_equal(rt_find(&fx, "PYSEC-2024-1", RT_TORCH)->vuln.vex_status, "fixed");
	rt_teardown(&fx);

	/* The statement's own aliases name the finding's id. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"CVE-2099-1\", \"aliases\": [\"GHSA-x\", "
					"\"GHSA-pppp-0000-0000\"]},"
					" \"products\": [\"pkg:pypi/pillow@9.0.0\"],"
					" \"status\": \"not_affected\", \"justification\": \"component_not_present\"}")),
			 1);
	assert_true(rt_find(&fx, "GHSA-pppp-0000-0000", RT_PILLOW)->suppressed);
	rt_teardown(&fx);

	/* Names are exact and case-sensitive. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"cve-2024-5480\"},"
					" \"products\": [\"pkg:pypi/torch\"], \"status\": \"fixed\"}")),
			 0);
	rt_teardown(&fx);
}

static void test_image_products(void **state)
{
	static const char *const images[] = {
		IMAGE_PURL,                                   /* purl without qualifiers */
		IMAGE_PURL "?tag=other",                      /* qualifiers ignored for the image */
		"pkg:oci/app",                                /* no version: any digest */
		"oci:/srv/images/app:1.0",                    /* the target name */
		"sha256:1111111111111111111111111111111111111111111111111111111111111111", /* its digest */
	};
	rt_fixture fx;
	char doc[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		rt_setup(&fx);
		snprintf(doc, sizeof(doc),
			 DOC("{\"vulnerability\": {\"name\": \"CVE-2024-1111\"}, \"products\": [{\"@id\": \"%s\"}],"
			     " \"status\": \"not_affected\", \"justification\": \"inline_mitigations_already_exist\"}"),
			 images[i]);
		/* Every package of the image: both libc6 and openssl. */
		if (apply(&fx, doc) != 2)
			fail_msg("image product %s did not apply to both packages", images[i]);
		assert_true(rt_find(&fx, "CVE-2024-1111", RT_LIBC)->suppressed);
		assert_true(rt_find(&fx, "CVE-2024-1111", RT_OPENSSL)->suppressed);
		assert_int_equal(count_suppressed(&fx), 2);
		rt_teardown(&fx);
	}

	/* Another image: nothing. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"CVE-2024-1111\"},"
					" \"products\": [{\"@id\": \"pkg:oci/other@sha256%3A22\"}, {\"@id\": \"sha256:2222\"}],"
					" \"status\": \"not_affected\", \"justification\": \"component_not_present\"}")),
			 0);
	rt_teardown(&fx);

	/* The image product also covers path-only findings. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"GO-2024-0001\"},"
					" \"products\": [{\"@id\": \"" IMAGE_PURL "\"}],"
					" \"status\": \"not_affected\", \"justification\": \"component_not_present\"}")),
			 1);
	rt_teardown(&fx);
}

static void test_subcomponents(void **state)
{
	rt_fixture fx;

	(void)state;
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"CVE-2024-1111\"},"
					" \"products\": [{\"@id\": \"" IMAGE_PURL "\", \"subcomponents\": ["
					"  {\"@id\": \"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64\"}]}],"
					" \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_present\"}")),
			 1);
	assert_true(rt_find(&fx, "CVE-2024-1111", RT_LIBC)->suppressed);
	assert_false(rt_find(&fx, "CVE-2024-1111", RT_OPENSSL)->suppressed);
	assert_null(rt_find(&fx, "CVE-2024-1111", RT_OPENSSL)->vuln.vex_status);
	rt_teardown(&fx);

	/* Subcomponents of another image do not apply. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"CVE-2024-1111\"},"
					" \"products\": [{\"@id\": \"pkg:oci/other\", \"subcomponents\": ["
					"  {\"identifiers\": {\"purl\": \"pkg:deb/debian/libc6\"}}]}],"
					" \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_present\"}")),
			 0);
	/* A subcomponent that is not in the image: nothing either. */
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"CVE-2024-1111\"},"
					" \"products\": [{\"@id\": \"oci:/srv/images/app:1.0\", \"subcomponents\": ["
					"  \"pkg:deb/debian/zlib1g\"]}],"
					" \"status\": \"fixed\"}")),
			 0);
	rt_teardown(&fx);
}

static void test_purl_rules(void **state)
{
	static const struct {
		const char *purl;
		int match;
	} cases[] = {
		{ "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc", 1 },
		{ "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4", 1 },              /* no qualifiers: ignored */
		{ "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64", 1 },   /* the ones given match */
		{ "pkg:deb/debian/libc6?distro=debian-12", 1 },              /* no version: any */
		{ "pkg:deb/debian/libc6", 1 },
		{ "pkg:DEB/Debian/LIBC6", 1 },                               /* deb is case-insensitive */
		{ "pkg://deb/debian/libc6#some/subpath", 1 },
		{ "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=arm64", 0 },   /* qualifier differs */
		{ "pkg:deb/debian/libc6?foo=bar", 0 },                       /* qualifier absent */
		{ "pkg:deb/debian/libc6@2.36-9%2Bdeb12u5", 0 },              /* other version */
		{ "pkg:deb/ubuntu/libc6", 0 },                               /* other namespace */
		{ "pkg:rpm/debian/libc6", 0 },                               /* other type */
		{ "pkg:deb/libc6", 0 },                                      /* namespace missing */
		{ "pkg:deb/debian/glibc", 0 },                               /* purl names the binary package */
	};
	rt_fixture fx;
	char doc[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rt_setup(&fx);
		snprintf(doc, sizeof(doc),
			 DOC("{\"vulnerability\": {\"name\": \"CVE-2024-2961\"}, \"products\": [{\"@id\": \"x\","
			     " \"identifiers\": {\"purl\": \"%s\"}}], \"status\": \"fixed\"}"),
			 cases[i].purl);
		if (apply(&fx, doc) != (size_t)cases[i].match)
			fail_msg("%s: want %s", cases[i].purl, cases[i].match ? "a match" : "no match");
		rt_teardown(&fx);
	}

	/* PyPI names are compared PEP 503-normalised; npm scopes are encoded. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": \"GHSA-pppp-0000-0000\","
					" \"products\": [\"pkg:pypi/PIL_low@9.0.0\", \"pkg:pypi/Pillow@9.0.0\"],"
					" \"status\": \"fixed\"}")),
			 1);
	rt_teardown(&fx);
}

static void test_latest_wins(void **state)
{
	rt_fixture fx;
	sc_finding *f;

	(void)state;
	/* Same time (the document's): document order decides. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"PYSEC-2024-1\"}, \"products\": [\"pkg:pypi/torch\"],"
					" \"status\": \"not_affected\", \"justification\": \"component_not_present\"},"
					"{\"vulnerability\": {\"name\": \"CVE-2024-5480\"}, \"products\": [\"pkg:pypi/torch\"],"
					" \"status\": \"affected\", \"action_statement\": \"upgrade to 2.2.0\"}")),
			 0);
	f = rt_find(&fx, "PYSEC-2024-1", RT_TORCH);
	assert_false(f->suppressed);
	assert_string_equal(f->vuln.vex_status, "affected");
	assert_string_equal(f->vuln.vex_statement, "upgrade to 2.2.0");
	assert_null(f->vuln.vex_justification);
	rt_teardown(&fx);

	/* An earlier timestamp loses even when it comes later in the document. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": {\"name\": \"PYSEC-2024-1\"}, \"products\": [\"pkg:pypi/torch\"],"
					" \"status\": \"under_investigation\", \"timestamp\": \"2024-06-01T00:00:00Z\"},"
					"{\"vulnerability\": {\"name\": \"PYSEC-2024-1\"}, \"products\": [\"pkg:pypi/torch\"],"
					" \"status\": \"not_affected\", \"justification\": \"component_not_present\","
					" \"timestamp\": \"2024-05-31T23:00:00-02:00\"},"
					"{\"vulnerability\": {\"name\": \"PYSEC-2024-1\"}, \"products\": [\"pkg:pypi/torch\"],"
					" \"status\": \"fixed\"}")), /* inherits 2024-05-01: oldest */
			 1);
	f = rt_find(&fx, "PYSEC-2024-1", RT_TORCH);
	assert_true(f->suppressed); /* 23:00-02:00 is 01:00Z on June 1st: the latest */
	assert_string_equal(f->vuln.vex_status, "not_affected");
	rt_teardown(&fx);

	/* A later document overrides an earlier one; only new suppressions are counted. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": \"CVE-2024-1111\", \"products\": [\"" IMAGE_PURL "\"],"
					" \"status\": \"fixed\"}")),
			 2);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": \"CVE-2024-1111\", \"products\": [\"pkg:deb/debian/openssl\"],"
					" \"status\": \"fixed\"}")),
			 0);
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": \"CVE-2024-1111\", \"products\": [\"pkg:deb/debian/libc6\"],"
					" \"status\": \"under_investigation\", \"status_notes\": \"checking\"}")),
			 0);
	assert_false(rt_find(&fx, "CVE-2024-1111", RT_LIBC)->suppressed);
	assert_string_equal(rt_find(&fx, "CVE-2024-1111", RT_LIBC)->vuln.vex_statement, "checking");
	assert_true(rt_find(&fx, "CVE-2024-1111", RT_OPENSSL)->suppressed);
	rt_teardown(&fx);
}

static void test_legacy(void **state)
{
	rt_fixture fx;
	sc_finding *f;

	(void)state;
	rt_setup(&fx);
	/* v0.0.1: string vulnerability and products, statement-level subcomponents, no @id. */
	assert_int_equal(apply(&fx, "{\"@context\": \"https://openvex.dev/ns\", \"author\": \"x\","
				    " \"timestamp\": \"2023-01-16T19:07:16.853479631-06:00\", \"statements\": ["
				    "{\"vulnerability\": \"CVE-2024-1111\", \"products\": [\"" IMAGE_PURL "\"],"
				    " \"subcomponents\": [\"pkg:deb/debian/openssl\"],"
				    " \"status\": \"not_affected\", \"justification\": \"component_not_present\"}]}"),
			 1);
	f = rt_find(&fx, "CVE-2024-1111", RT_OPENSSL);
	assert_true(f->suppressed);
	assert_null(f->vuln.vex_document);
	assert_false(rt_find(&fx, "CVE-2024-1111", RT_LIBC)->suppressed);
	rt_teardown(&fx);

	/* Empty statements: nothing to do. */
	rt_setup(&fx);
	assert_int_equal(apply(&fx, DOC("")), 0);
	rt_teardown(&fx);
	sc_vex_free(NULL);
}

static void expect_bad(const char *text, int code, const char *msg_part)
{
	sc_vex *v = (sc_vex *)0x1;

	if (parse(&v, text) != code)
		fail_msg("accepted or wrong code (%s): %s", sc_error_msg(), text);
	assert_ptr_equal(v, (sc_vex *)0x1); /* untouched */
	if (!strstr(sc_error_msg(), msg_part))
		fail_msg("message '%s' lacks '%s'", sc_error_msg(), msg_part);
	assert_non_null(strstr(sc_error_msg(), "vex.json"));
}

#define STMT_OK "{\"vulnerability\": {\"name\": \"CVE-1\"}, \"products\": [\"pkg:pypi/a\"], \"status\": \"fixed\"}"

static void test_malformed(void **state)
{
	char *big, *deep;
	size_t i;
	sc_vex *v = NULL;

	(void)state;
	expect_bad("{not json", SC_EINPUT, "malformed JSON");
	expect_bad("[]", SC_EINPUT, "not a JSON object");
	expect_bad("{\"statements\": []}", SC_EINPUT, "@context");
	expect_bad("{\"@context\": \"https://example.com/ns\", \"statements\": []}", SC_EINPUT, "not an OpenVEX");
	expect_bad("{\"@context\": \"https://openvex.dev/ns/v0.2.0\"}", SC_EINPUT, "statements");
	expect_bad("{" CTX "\"statements\": {}}", SC_EINPUT, "statements");
	expect_bad("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"timestamp\": \"yesterday\", \"statements\": []}",
		   SC_EINPUT, "RFC 3339");
	expect_bad(DOC(STMT_OK ", 42"), SC_EINPUT, "statements[1] is not an object");
	expect_bad(DOC("{\"products\": [\"pkg:pypi/a\"], \"status\": \"fixed\"}"), SC_EINPUT,
		   "statements[0].vulnerability is missing");
	expect_bad(DOC("{\"vulnerability\": {}, \"products\": [\"pkg:pypi/a\"], \"status\": \"fixed\"}"), SC_EINPUT,
		   "'name'");
	expect_bad(DOC("{\"vulnerability\": {\"name\": \"\"}, \"products\": [\"pkg:pypi/a\"], \"status\": \"fixed\"}"),
		   SC_EINPUT, "empty name");
	expect_bad(DOC("{\"vulnerability\": {\"name\": \"CVE-1\", \"aliases\": [1]}, \"products\": [\"pkg:pypi/a\"],"
		       " \"status\": \"fixed\"}"),
		   SC_EINPUT, "aliases[0]");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"status\": \"fixed\"}"), SC_EINPUT, "statements[0]: no products");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [], \"status\": \"fixed\"}"), SC_EINPUT,
		   "no products");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [{}], \"status\": \"fixed\"}"), SC_EINPUT,
		   "statements[0].products[0] has neither");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [7], \"status\": \"fixed\"}"), SC_EINPUT,
		   "products[0] is neither");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [{\"@id\": \"x\", \"identifiers\": {\"purl\": "
		       "\"pkg:pypi\"}}], \"status\": \"fixed\"}"),
		   SC_EINPUT, "malformed purl");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a%zz\"], \"status\": \"fixed\"}"),
		   SC_EINPUT, "malformed purl");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [{\"@id\": \"img\", \"subcomponents\": [{}]}],"
		       " \"status\": \"fixed\"}"),
		   SC_EINPUT, "statements[0].products[0].subcomponents[0]");
	expect_bad(DOC(STMT_OK ", {\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a\"], \"status\": \"maybe\"}"),
		   SC_EINPUT, "statements[1]: unknown status 'maybe'");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a\"]}"), SC_EINPUT, "'status'");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a\"], \"status\": \"not_affected\"}"),
		   SC_EINPUT, "statements[0]: not_affected needs a justification or an impact_statement");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a\"], \"status\": \"not_affected\","
		       " \"justification\": \"trust_me\"}"),
		   SC_EINPUT, "unknown justification 'trust_me'");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a\"], \"status\": \"fixed\","
		       " \"timestamp\": \"2024-02-30T00:00:00Z\"}"),
		   SC_EINPUT, "statements[0]: timestamp");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\\u0000x\", \"products\": [\"pkg:pypi/a\"], \"status\": \"fixed\"}"),
		   SC_EINPUT, "NUL");
	expect_bad(DOC("{\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a\"], \"status\": 3}"), SC_EINPUT,
		   "not a string");

	/* Soft rule: not_affected with only an impact statement is accepted. */
	assert_int_equal(parse(&v, DOC("{\"vulnerability\": \"CVE-1\", \"products\": [\"pkg:pypi/a\"],"
				       " \"status\": \"not_affected\", \"impact_statement\": \"not reachable\"}")),
			 0);
	sc_vex_free(v);

	/* Limits: depth and size. */
	deep = malloc(200 * 2 + 64);
	strcpy(deep, "{\"@context\": \"https://openvex.dev/ns\", \"statements\": ");
	for (i = 0; i < 100; i++)
		strcat(deep, "[");
	for (i = 0; i < 100; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	expect_bad(deep, SC_ELIMIT, "deeper");
	free(deep);
	big = malloc((17u << 20) + 1);
	memset(big, ' ', 17u << 20);
	big[17u << 20] = '\0';
	big[0] = '{';
	big[(17u << 20) - 1] = '}';
	expect_bad(big, SC_ELIMIT, "limit");
	free(big);
}

static void test_no_purls_in_ctx(void **state)
{
	rt_fixture fx;

	(void)state;
	/* Without ctx->purls, package purls are made from the catalog. */
	rt_setup(&fx);
	fx.ctx.purls = NULL;
	fx.ctx.target_purl = NULL;
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": \"CVE-2024-2961\", \"products\": [\"pkg:deb/debian/libc6?arch=amd64\"],"
					" \"status\": \"fixed\"}")),
			 1);
	/* And with no image purl, an image purl product matches nothing. */
	assert_int_equal(apply(&fx, DOC("{\"vulnerability\": \"CVE-2024-1111\", \"products\": [\"" IMAGE_PURL "\"],"
					" \"status\": \"fixed\"}")),
			 0);
	rt_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_id),
		cmocka_unit_test(test_by_alias),
		cmocka_unit_test(test_image_products),
		cmocka_unit_test(test_subcomponents),
		cmocka_unit_test(test_purl_rules),
		cmocka_unit_test(test_latest_wins),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_no_purls_in_ctx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
