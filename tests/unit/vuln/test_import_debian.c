/*
 * test_import_debian.c - the Debian security tracker JSON -> one record per
 * CVE across source packages (src/vuln/import_debian.c): status and
 * urgency mapping, not-affected entries, unknown codenames, skips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "importtest.h"

static int import_text(const char *text, it_sink *sink, sc_import_stats *st)
{
	return sc_import_debian_buf(text, strlen(text), "t", it_emit, sink, st);
}

static void test_codenames(void **state)
{
	(void)state;
	assert_string_equal(sc_debian_codename_release("bookworm"), "12");
	assert_string_equal(sc_debian_codename_release("bullseye"), "11");
	assert_string_equal(sc_debian_codename_release("buster"), "10");
	assert_string_equal(sc_debian_codename_release("stretch"), "9");
	assert_string_equal(sc_debian_codename_release("jessie"), "8");
	assert_string_equal(sc_debian_codename_release("trixie"), "13");
	assert_string_equal(sc_debian_codename_release("forky"), "14");
	assert_string_equal(sc_debian_codename_release("sid"), "unstable");
	assert_null(sc_debian_codename_release("experimental"));
	assert_null(sc_debian_codename_release("Bookworm"));
	assert_null(sc_debian_codename_release(""));
	assert_null(sc_debian_codename_release(NULL));
}

static void test_fixture(void **state)
{
	char path[4096], *data, *src = NULL;
	size_t len;
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	it_path(path, sizeof(path), "tests/fixtures/vuln/debian/tracker.json");
	data = it_read(path, &len);
	assert_int_equal(sc_import_debian_buf(data, len, "tracker.json", it_emit, &s, &st), 0);
	free(data);
	/* Sorted by id; CVE-2023-0003 (fixed_version "0" everywhere) is not emitted. */
	assert_int_equal(s.n, 4);
	assert_string_equal(s.recs[0].id, "CVE-2023-0001");
	assert_string_equal(s.recs[1].id, "CVE-2023-0002");
	assert_string_equal(s.recs[2].id, "CVE-2023-0004");
	assert_string_equal(s.recs[3].id, "TEMP-0000000-ABCDEF");
	/* One CVE across two source packages; "experimental" left out; "low**" -> low. */
	it_assert_rec(&s, "CVE-2023-0001",
		      "id=CVE-2023-0001\n"
		      "summary=curl: heap overflow in the URL parser\n"
		      "affected=Debian|11|curl|unfixed|low\n"
		      " range=ECOSYSTEM i:0\n"
		      "affected=Debian|12|curl|affected|medium\n"
		      " range=ECOSYSTEM i:0 f:7.88.1-10+deb12u1\n"
		      "affected=Debian|unstable|curl|affected|medium\n"
		      " range=ECOSYSTEM i:0 f:8.0.0-1\n"
		      "affected=Debian|11|curl-old|affected|high\n"
		      " range=ECOSYSTEM i:0 f:7.50.0-1\n");
	/* end-of-life and no-dsa ignored -> wont-fix; unimportant; undetermined -> unfixed. */
	it_assert_rec(&s, "CVE-2023-0002",
		      "id=CVE-2023-0002\n"
		      "summary=curl: several statuses\n"
		      "affected=Debian|10|curl|wont-fix|-\n"
		      " range=ECOSYSTEM i:0\n"
		      "affected=Debian|11|curl|wont-fix|low\n"
		      " range=ECOSYSTEM i:0\n"
		      "affected=Debian|12|curl|unimportant|unimportant\n"
		      " range=ECOSYSTEM i:0\n"
		      "affected=Debian|13|curl|unfixed|-\n"
		      " range=ECOSYSTEM i:0\n"
		      "affected=Debian|unstable|curl|affected|unimportant\n"
		      " range=ECOSYSTEM i:0 f:8.1.0-1\n");
	it_assert_rec(&s, "CVE-2023-0004",
		      "id=CVE-2023-0004\n"
		      "affected=Debian|13|openssl|affected|high\n"
		      " range=ECOSYSTEM i:0 f:3.0.11-1\n");
	it_assert_rec(&s, "TEMP-0000000-ABCDEF",
		      "id=TEMP-0000000-ABCDEF\n"
		      "summary=openssl: issue without a CVE yet\n"
		      "affected=Debian|12|openssl|unfixed|-\n"
		      " range=ECOSYSTEM i:0\n");
	assert_int_equal(st.records, 4);
	assert_int_equal(st.skipped, 6);
	assert_int_equal(st.n_warnings, 6);
	assert_true(it_warned(&st, "tracker.json: CVE-2023-0006: openssl skipped: value is not an object"));
	assert_true(it_warned(&st, "tracker.json: package 'bad package' skipped: malformed name"));
	assert_true(it_warned(&st, "tracker.json: package 'zlib' skipped: value is not an object"));
	assert_true(it_warned(&st, "tracker.json: CVE-2023-0004: openssl (bookworm) skipped: fixed_version is not a dpkg version"));
	assert_true(it_warned(&st, "tracker.json: CVE-2023-0004: openssl (bullseye) skipped: unknown status"));
	assert_true(it_warned(&st, "tracker.json: CVE-2023-0005: openssl skipped: no releases object"));
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* Through sc_import_path: sniffed as the tracker, named after the file. */
	assert_int_equal(sc_import_path(path, SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "debian:tracker.json");
	assert_int_equal(s.n, 4);
	assert_int_equal(st.files, 1);
	free(src);
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_release_entries(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_text("{\"p\": {\"CVE-1\": {\"description\": 5, \"releases\": {"
				     "\"bookworm\": {\"status\": \"resolved\"},"
				     "\"bullseye\": {\"status\": \"resolved\", \"fixed_version\": 2},"
				     "\"buster\": [],"
				     "\"trixie\": {\"urgency\": \"low\"},"
				     "\"sid\": {\"status\": \"open\", \"urgency\": \"medium*\", \"nodsa_reason\": \"postponed\"},"
				     "\"forky\": {\"status\": \"resolved\", \"fixed_version\": \"1:2.0-1\", \"urgency\": \"low*\"},"
				     "\"stretch\": {\"status\": \"resolved\", \"fixed_version\": \"\"}}}}}",
				     &s, &st),
			 0);
	it_assert_rec(&s, "CVE-1",
		      "id=CVE-1\n"
		      "affected=Debian|14|p|affected|low\n"
		      " range=ECOSYSTEM i:0 f:1:2.0-1\n"
		      "affected=Debian|unstable|p|unfixed|medium\n"
		      " range=ECOSYSTEM i:0\n");
	assert_int_equal(st.skipped, 5);
	assert_true(it_warned(&st, "t: CVE-1: p (bookworm) skipped: resolved without fixed_version"));
	assert_true(it_warned(&st, "t: CVE-1: p (bullseye) skipped: malformed release entry"));
	assert_true(it_warned(&st, "t: CVE-1: p (buster) skipped: malformed release entry"));
	assert_true(it_warned(&st, "t: CVE-1: p (trixie) skipped: malformed release entry"));
	assert_true(it_warned(&st, "t: CVE-1: p (stretch) skipped: fixed_version is not a dpkg version"));
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* Malformed ids are skipped whole. */
	assert_int_equal(import_text("{\"p\": {\"CVE 1\": {\"releases\": {\"sid\": {\"status\": \"open\"}}}}}", &s, &st), 0);
	assert_int_equal(s.n, 0);
	assert_true(it_warned(&st, "t: id 'CVE 1' (package p) skipped: malformed id"));
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_document_errors(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_text("[]", &s, &st), SC_EINPUT);
	assert_string_equal(sc_error_msg(), "t: not a Debian security tracker document (no top-level object)");
	assert_int_equal(import_text("{\"p\": {", &s, &st), SC_EINPUT);
	assert_int_equal(import_text("{\"p\": {}, \"p\": {}}", &s, &st), SC_EINPUT); /* duplicate keys */
	assert_int_equal(import_text("{}", &s, &st), 0);
	assert_int_equal(s.n, 0);
	/* The callback's error stops the import. */
	s.fail_after = 1;
	s.fail_rc = SC_EINTERNAL;
	assert_int_equal(import_text("{\"p\": {\"CVE-1\": {\"releases\": {\"sid\": {\"status\": \"open\"}}},"
				     "\"CVE-2\": {\"releases\": {\"sid\": {\"status\": \"open\"}}}}}",
				     &s, &st),
			 SC_EINTERNAL);
	assert_int_equal(s.n, 1);
	assert_int_equal(st.records, 1);
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

/* Many CVEs over many packages: grouping stays exact (and fast). */
static void test_grouping_scale(void **state)
{
	sc_buf b;
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	size_t p, c;
	char want[256];

	(void)state;
	sc_buf_init(&b, 64u << 20, "doc");
	sc_buf_putc(&b, '{');
	for (p = 0; p < 50; p++) {
		sc_buf_printf(&b, "%s\"pkg%02zu\": {", p ? "," : "", p);
		for (c = 0; c < 400; c++)
			sc_buf_printf(&b, "%s\"CVE-2024-%05zu\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", "
				      "\"fixed_version\": \"%zu.%zu-1\", \"urgency\": \"low\"}}}",
				      c ? "," : "", (c * 7 + p) % 1000, p, c);
		sc_buf_putc(&b, '}');
	}
	sc_buf_putc(&b, '}');
	assert_int_equal(sc_import_debian_buf(b.data, b.len, "big", it_emit, &s, &st), 0);
	sc_buf_release(&b);
	/* (c * 7 + p) % 1000 for c < 400, p < 50 covers every id 0..999 */
	assert_int_equal(s.n, 1000);
	assert_int_equal(st.records, 1000);
	assert_int_equal(st.skipped, 0);
	snprintf(want, sizeof(want), "CVE-2024-%05d", 0);
	assert_string_equal(s.recs[0].id, want);
	/* CVE-2024-00007 is (pkg00, c = 1) among others; affected entries are sorted by package. */
	assert_non_null(strstr(it_find(&s, "CVE-2024-00007"), "affected=Debian|12|pkg00|affected|low\n"
							      " range=ECOSYSTEM i:0 f:0.1-1\n"));
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codenames),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_release_entries),
		cmocka_unit_test(test_document_errors),
		cmocka_unit_test(test_grouping_scale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
