/*
 * test_import_alpine.c - Alpine secdb (YAML and JSON) -> one record per id
 * (src/vuln/import_alpine.c): id extraction from free-text fix lines,
 * grouping across packages, "0" versions, skips; the real v3.11 secdb from
 * ../shared/data when present.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "importtest.h"
#include "vuln/import_priv.h"

#include <sys/stat.h>

static int import_text(const char *text, it_sink *sink, sc_import_stats *st)
{
	return sc_import_alpine_buf(text, strlen(text), "t", it_emit, sink, st);
}

static void test_fixture(void **state)
{
	char path[4096], *data, *src = NULL;
	size_t len;
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	it_path(path, sizeof(path), "tests/fixtures/vuln/alpine/main.yaml");
	data = it_read(path, &len);
	assert_int_equal(sc_import_alpine_buf(data, len, "main.yaml", it_emit, &s, &st), 0);
	free(data);
	assert_int_equal(s.n, 8);
	assert_string_equal(s.recs[0].id, "CVE-2020-0001");
	assert_string_equal(s.recs[7].id, "XSA-300");
	/* Grouped across packages; one entry per (package, fixed version). */
	it_assert_rec(&s, "CVE-2020-0001",
		      "id=CVE-2020-0001\n"
		      "affected=Alpine|v3.99|alpha|affected|-\n"
		      " range=ECOSYSTEM i:0 f:1.2-r0\n"
		      "affected=Alpine|v3.99|beta|affected|-\n"
		      " range=ECOSYSTEM i:0 f:1.10.2-r3\n"
		      "affected=Alpine|v3.99|beta|affected|-\n"
		      " range=ECOSYSTEM i:0 f:2.0-r0\n");
	/* Several ids on one line. */
	it_assert_rec(&s, "CVE-2020-0002", "id=CVE-2020-0002\naffected=Alpine|v3.99|alpha|affected|-\n range=ECOSYSTEM i:0 f:1.2-r0\n");
	it_assert_rec(&s, "CVE-2020-0003", "id=CVE-2020-0003\naffected=Alpine|v3.99|alpha|affected|-\n range=ECOSYSTEM i:0 f:1.2-r0\n");
	/* Non-CVE ids next to a CVE are its aliases; "(FrameRelay)" is not an id. */
	it_assert_rec(&s, "CVE-2020-0004",
		      "id=CVE-2020-0004\nalias=TALOS-2020-0001\naffected=Alpine|v3.99|alpha|affected|-\n"
		      " range=ECOSYSTEM i:0 f:1.2-r0\n");
	/* CVE_2020-0007, CVE-2020-0008-1/-2 and CVE-2020-0009.patch are cut to the CVE id. */
	it_assert_rec(&s, "CVE-2020-0007", "id=CVE-2020-0007\naffected=Alpine|v3.99|beta|affected|-\n range=ECOSYSTEM i:0 f:2.0-r0\n");
	it_assert_rec(&s, "CVE-2020-0008", "id=CVE-2020-0008\naffected=Alpine|v3.99|beta|affected|-\n range=ECOSYSTEM i:0 f:2.0-r0\n");
	it_assert_rec(&s, "CVE-2020-0009", "id=CVE-2020-0009\naffected=Alpine|v3.99|beta|affected|-\n range=ECOSYSTEM i:0 f:2.0-r0\n");
	it_assert_rec(&s, "XSA-300", "id=XSA-300\naffected=Alpine|v3.99|alpha|affected|-\n range=ECOSYSTEM i:0 f:1.3-r1\n");
	/* "0" (never affected) and the bad version key produce nothing. */
	assert_null(it_find(&s, "CVE-2020-0005"));
	assert_null(it_find(&s, "CVE-2020-0006"));
	assert_null(it_find(&s, "CVE-2020-0010"));
	assert_int_equal(st.records, 8);
	assert_int_equal(st.skipped, 3);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.n_warnings, 5);
	assert_string_equal(st.warnings[0], "main.yaml: alpha: fixed version '4.10-1-r1' skipped: not an apk version");
	assert_string_equal(st.warnings[1], "main.yaml: alpha 1.4-r0: fix line '(junk only)' has no advisory id");
	assert_string_equal(st.warnings[2], "main.yaml: alpha 1.4-r0: fix line 'CVE-\?\?\?\?-\?\?\?\?\?' has no advisory id");
	assert_string_equal(st.warnings[3], "main.yaml: alpha 1.6-r0 skipped: the fixes are not a list");
	assert_string_equal(st.warnings[4], "main.yaml: packages[2] skipped: no pkg.name");
	it_sink_release(&s);
	sc_import_stats_release(&st);

	assert_int_equal(sc_import_path(path, SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "alpine:v3.99/main");
	assert_int_equal(s.n, 8);
	free(src);
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_json_secdb(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	/* secdb.alpinelinux.org publishes the same document as JSON. */
	assert_int_equal(import_text("{\"apkurl\": \"x\", \"distroversion\": \"v3.20\", \"reponame\": \"community\","
				     " \"packages\": [{\"pkg\": {\"name\": \"go\", \"secfixes\": {"
				     "\"1.22.5-r0\": [\"CVE-2024-24791\"], \"0\": [\"CVE-2020-1\"]}}}]}",
				     &s, &st),
			 0);
	assert_int_equal(s.n, 1);
	it_assert_rec(&s, "CVE-2024-24791",
		      "id=CVE-2024-24791\naffected=Alpine|v3.20|go|affected|-\n range=ECOSYSTEM i:0 f:1.22.5-r0\n");
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_lines(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_text("distroversion: edge\npackages:\n- pkg:\n    name: xen\n    secfixes:\n"
				     "      4.13.0-r0:\n"
				     "        - XSA-1 XSA-2\n"
				     "        - 'GHSA-2c2x-2v5q-6ghm, (wnpa-sec-2017-18)'\n"
				     "        - CVE-2019-1111 CVE-2019-2222 XSA-3\n"
				     "        - cve-2019-3333\n"
				     "        - XPTI\n"
				     "        - 42\n"
				     "        - [nested]\n"
				     "      4.13.0-r0x: [CVE-2019-9999]\n",
				     &s, &st),
			 0);
	assert_int_equal(s.n, 7);
	it_assert_rec(&s, "CVE-2019-1111", "id=CVE-2019-1111\nalias=XSA-3\naffected=Alpine|edge|xen|affected|-\n range=ECOSYSTEM i:0 f:4.13.0-r0\n");
	it_assert_rec(&s, "CVE-2019-2222", "id=CVE-2019-2222\nalias=XSA-3\naffected=Alpine|edge|xen|affected|-\n range=ECOSYSTEM i:0 f:4.13.0-r0\n");
	it_assert_rec(&s, "CVE-2019-3333", "id=CVE-2019-3333\naffected=Alpine|edge|xen|affected|-\n range=ECOSYSTEM i:0 f:4.13.0-r0\n");
	assert_non_null(it_find(&s, "XSA-1"));
	assert_non_null(it_find(&s, "XSA-2"));
	assert_non_null(it_find(&s, "GHSA-2c2x-2v5q-6ghm"));
	assert_non_null(it_find(&s, "wnpa-sec-2017-18"));
	/* Lines without an id ("XPTI", a plain 42 read as the string "42") and the nested list. */
	assert_int_equal(st.dropped, 3);
	assert_true(it_warned(&st, "t: xen 4.13.0-r0: fix line '42' has no advisory id"));
	assert_true(it_warned(&st, "t: xen 4.13.0-r0: fix line 'XPTI' has no advisory id"));
	assert_true(it_warned(&st, "t: xen 4.13.0-r0: fix line 6 is not a string"));
	assert_true(it_warned(&st, "t: xen: fixed version '4.13.0-r0x' skipped: not an apk version"));
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_document_errors(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	char *src = NULL;

	(void)state;
	assert_int_equal(import_text("- a\n", &s, &st), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "t: not an Alpine secdb document (no top-level mapping)");
	assert_int_equal(import_text("reponame: main\npackages: []\n", &s, &st), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "t: not an Alpine secdb document (no distroversion)");
	assert_int_equal(import_text("distroversion: v3.1\npackages: {}\n", &s, &st), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "t: packages is not a list");
	assert_int_equal(import_text("distroversion: v3.1\npackages: [\n", &s, &st), SC_EINPUT);
	assert_int_equal(import_text("distroversion: &a v3.1\n", &s, &st), SC_EINPUT);
	/* An empty packages list (v3.3 community) is a valid, empty secdb. */
	{
		static const char v33[] = "distroversion: v3.3\nreponame: community\npackages:\n";

		assert_int_equal(sc_import_alpine_buf_src(v33, strlen(v33), "t", it_emit, &s, &st, &src), 0);
	}
	assert_string_equal(src, "alpine:v3.3/community");
	free(src);
	assert_int_equal(s.n, 0);
	/* The callback's error stops the import. */
	s.fail_after = 1;
	s.fail_rc = SC_EIO;
	assert_int_equal(import_text("distroversion: v3.1\npackages:\n- pkg:\n    name: a\n    secfixes:\n"
				     "      1-r0: [CVE-2000-0001, CVE-2000-0002]\n",
				     &s, &st),
			 SC_EIO);
	assert_int_equal(s.n, 1);
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

/* The real secdb v3.11/main.yaml, when ../shared/data is there. */
static void test_real_v311(void **state)
{
	char path[4096], *src = NULL;
	struct stat sb;
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	const char *t;

	(void)state;
	it_path(path, sizeof(path), "../shared/data/alpine-secdb/v3.11/main.yaml");
	if (stat(path, &sb) != 0) {
		print_message("skipped: %s is absent\n", path);
		skip();
	}
	assert_int_equal(sc_import_path(path, SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "alpine:v3.11/main");
	free(src);
	assert_int_equal(st.records, 1119);
	assert_int_equal(st.skipped, 3); /* 6.6.2p1-r0, 2.7.16-33, 4.10-1-r1 */
	assert_int_equal(st.dropped, 0);
	assert_true(it_warned(&st, "opensmtpd: fixed version '6.6.2p1-r0' skipped: not an apk version"));
	/* ansible's secfixes, one record per CVE. */
	it_assert_rec(&s, "CVE-2019-14904", "id=CVE-2019-14904\naffected=Alpine|v3.11|ansible|affected|-\n range=ECOSYSTEM i:0 f:2.9.3-r0\n");
	it_assert_rec(&s, "CVE-2018-10875", "id=CVE-2018-10875\naffected=Alpine|v3.11|ansible|affected|-\n range=ECOSYSTEM i:0 f:2.6.3-r0\n");
	/* One CVE fixed in two packages. */
	it_assert_rec(&s, "CVE-2019-9517",
		      "id=CVE-2019-9517\n"
		      "affected=Alpine|v3.11|apache2|affected|-\n range=ECOSYSTEM i:0 f:2.4.41-r0\n"
		      "affected=Alpine|v3.11|nodejs|affected|-\n range=ECOSYSTEM i:0 f:10.16.3-r0\n");
	/* "CVE-2017-12122 TALOS-2017-0488" */
	it_assert_rec(&s, "CVE-2017-12122",
		      "id=CVE-2017-12122\nalias=TALOS-2017-0488\n"
		      "affected=Alpine|v3.11|sdl2_image|affected|-\n range=ECOSYSTEM i:0 f:2.0.3-r0\n");
	t = it_find(&s, "XSA-207");
	assert_non_null(t);
	assert_non_null(strstr(t, "affected=Alpine|v3.11|xen|affected|-\n"));
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_json_secdb),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_document_errors),
		cmocka_unit_test(test_real_v311),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
