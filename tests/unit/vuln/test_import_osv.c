/*
 * test_import_osv.c - OSV records -> sc_vuln_record (src/vuln/import_osv.c):
 * every field of the model from hand-made fixtures (tests/fixtures/vuln/osv),
 * what is skipped or dropped and at which level, and the whole PyPA
 * advisory database (../shared/data, skipped when absent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "importtest.h"

#include <sys/stat.h>

/* Import one fixture file (by its own format) into sink/stats. */
static int import_fixture(const char *rel, it_sink *sink, sc_import_stats *st)
{
	char path[4096];
	size_t len;
	char *data;
	int rc;

	it_path(path, sizeof(path), rel);
	data = it_read(path, &len);
	rc = sc_import_osv_buf(data, len, strstr(rel, ".yaml") != NULL, rel, it_emit, sink, st);
	free(data);
	return rc;
}

static int import_text(const char *text, int yaml, it_sink *sink, sc_import_stats *st)
{
	return sc_import_osv_buf(text, strlen(text), yaml, "t", it_emit, sink, st);
}

static void test_full_record(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/GHSA-full.json", &s, &st), 0);
	assert_int_equal(s.n, 1);
	it_assert_rec(&s, "GHSA-abcd-efgh-ijkl",
		      "id=GHSA-abcd-efgh-ijkl\n"
		      "summary=Everything an OSV record can carry\n"
		      "details=Longer text.\nSecond line.\n"
		      "published=2024-01-02T03:04:05Z\n"
		      "modified=2024-02-03T04:05:06.789Z\n"
		      "severity=HIGH\n"
		      "cvss_v2=AV:N/AC:L/Au:N/C:P/I:P/A:P\n"
		      "cvss_v3=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n"
		      "cvss_v4=CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\n"
		      "alias=CVE-2024-0001\n"
		      "alias=PYSEC-2024-1\n"
		      "ref=https://github.com/advisories/GHSA-abcd-efgh-ijkl\n"
		      "ref=https://example.com/fix\n"
		      "affected=PyPI|-|django-foo-bar|affected|-\n"
		      " range=ECOSYSTEM i:0 f:1.10\n"
		      " range=ECOSYSTEM i:2.0a1 l:2.0.post1\n"
		      " range=GIT i:0 f:0123456789abcdef0123456789abcdef01234567 m:fedcba9876543210fedcba9876543210fedcba98\n"
		      " versions=1.0 1.10rc1 2.0a1\n"
		      "affected=npm|-|@scope/lodash|affected|moderate\n"
		      " range=SEMVER i:1.0.0 l:4.17.20\n"
		      "affected=Debian|12|openssl|affected|high\n"
		      " range=ECOSYSTEM i:0 f:3.0.11-1~deb12u1\n"
		      "affected=Alpine|v3.18|busybox|affected|-\n"
		      " range=ECOSYSTEM i:0 f:1.36.1-r2 m:1.37.0-r0\n"
		      "affected=Ubuntu|22.04|curl|affected|medium\n"
		      " range=ECOSYSTEM i:0 f:7.81.0-1ubuntu1.15\n"
		      "affected=Ubuntu|18.04|curl|affected|-\n"
		      " range=ECOSYSTEM i:0 f:7.58.0-2ubuntu3.24+esm3\n"
		      "affected=Go|-|golang.org/x/net|affected|-\n"
		      " range=SEMVER i:0 f:0.17.0\n"
		      "affected=Maven|-|org.apache.logging.log4j:log4j-core|affected|-\n"
		      " range=ECOSYSTEM i:2.0-beta9 f:2.15.0\n"
		      " versions=2.0-beta9 2.14.1\n");
	assert_int_equal(st.records, 1);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.unsupported, 1); /* crates.io */
	assert_int_equal(st.dropped, 3);     /* "not a version", "1.0-foo-bar", 7 */
	assert_int_equal(st.withdrawn, 0);
	assert_int_equal(st.n_warnings, 1);
	assert_string_equal(st.warnings[0],
			    "tests/fixtures/vuln/osv/GHSA-full.json: GHSA-abcd-efgh-ijkl: affected[0] (PyPI "
			    "Django_Foo.Bar): 3 of 6 versions dropped as not pep440 (first: 'not a version')");
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

/* YAML: plain 1.10 stays "1.10"; withdrawn; a bad CVSS vector is dropped, not the record. */
static void test_yaml_record(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/PYSEC-2099-1.yaml", &s, &st), 0);
	it_assert_rec(&s, "PYSEC-2099-1",
		      "id=PYSEC-2099-1\n"
		      "summary=Withdrawn advisory\n"
		      "published=2024-05-01T00:00:00Z\n"
		      "modified=2024-05-06T07:08:09Z\n"
		      "withdrawn\n"
		      "cvss_v3=CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N\n"
		      "cvss_v4=CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N\n"
		      "ref=https://example.com/a\n"
		      "affected=PyPI|-|foo-bar|affected|-\n"
		      " range=ECOSYSTEM i:1.2 f:1.10\n"
		      " range=SEMVER i:0 f:2.0.0\n"
		      " versions=1.2 1.9 2.0\n");
	assert_int_equal(st.records, 1);
	assert_int_equal(st.withdrawn, 1);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.n_warnings, 1);
	assert_string_equal(st.warnings[0],
			    "tests/fixtures/vuln/osv/PYSEC-2099-1.yaml: PYSEC-2099-1: CVSS_V3 dropped: CVSS vector "
			    "'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H': base metric A missing");
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_array(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/array.json", &s, &st), 0);
	assert_int_equal(s.n, 2);
	it_assert_rec(&s, "OSV-2024-1",
		      "id=OSV-2024-1\nmodified=2024-01-01T00:00:00Z\naffected=PyPI|-|a|affected|-\n versions=1.0\n");
	it_assert_rec(&s, "OSV-2024-2", "id=OSV-2024-2\nmodified=2024-01-01T00:00:00Z\n");
	assert_int_equal(st.skipped, 1);
	assert_string_equal(st.warnings[0], "tests/fixtures/vuln/osv/array.json[1]: record skipped: not a JSON object");
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_malformed_fixtures(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/malformed/missing-id.json", &s, &st), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.skipped, 1);
	assert_string_equal(st.warnings[0], "tests/fixtures/vuln/osv/malformed/missing-id.json: record skipped: no id");

	/* An unknown range type skips that affected entry only. */
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/malformed/unknown-range.json", &s, &st), 0);
	it_assert_rec(&s, "OSV-2024-10",
		      "id=OSV-2024-10\nmodified=2024-01-01T00:00:00Z\naffected=PyPI|-|b|affected|-\n"
		      " range=ECOSYSTEM i:0 f:2.0\n");
	assert_int_equal(st.skipped, 2);
	assert_string_equal(st.warnings[1], "tests/fixtures/vuln/osv/malformed/unknown-range.json: OSV-2024-10: "
					    "affected[0] (PyPI a) skipped: unknown range type 'DATE'");

	/* Bad event versions: every affected entry goes, the record stays (it never matches). */
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/malformed/bad-version.json", &s, &st), 0);
	it_assert_rec(&s, "OSV-2024-11", "id=OSV-2024-11\nmodified=2024-01-01T00:00:00Z\n");
	assert_int_equal(st.skipped, 6);
	assert_true(it_warned(&st, "affected[0] (PyPI a) skipped: version '2019-09-12' is not a valid pep440 version"));
	assert_true(it_warned(&st, "affected[1] (npm b) skipped: event version '1.0 ' is empty, too long or has whitespace"));
	assert_true(it_warned(&st, "affected[2] (Debian:12 c) skipped: an event has 2 of introduced/fixed/last_affected/limit"));
	assert_true(it_warned(&st, "affected[3] (Debian:12 d) skipped: range of type ECOSYSTEM has no events"));

	/* A buffer that does not parse is an error of the buffer (the tree walker skips it). */
	sc_error_clear();
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/malformed/truncated.json", &s, &st), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "malformed JSON"));
	assert_int_equal(import_fixture("tests/fixtures/vuln/osv/malformed/broken.yaml", &s, &st), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "broken.yaml: line 3"));
	assert_int_equal(s.n, 2);
	assert_int_equal(st.records, 2);
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

/* Record-level problems: the record is skipped and named. */
static void test_record_skips(void **state)
{
	static const struct {
		const char *text;
		const char *warning;
	} cases[] = {
		{ "- 42\n", "t[0]: record skipped: not a JSON object" },
		{ "42\n", "t: record skipped: not a JSON object" },
		{ "{\"id\": 5}", "t: record skipped: no id" },
		{ "{\"id\": \"A B\"}", "t: record skipped: malformed id" },
		{ "{\"id\": \"A\\u0000B\"}", "t: record skipped: no id" },
		{ "{\"id\": \"\"}", "t: record skipped: malformed id" },
		{ "{\"id\": \"A-1\", \"summary\": 3}", "t: A-1: record skipped: a text field (summary, details, published, modified, withdrawn) is not a string" },
		{ "{\"id\": \"A-1\", \"withdrawn\": true}", "t: A-1: record skipped: a text field (summary, details, published, modified, withdrawn) is not a string" },
		{ "{\"id\": \"A-1\", \"aliases\": \"CVE-1\"}", "t: A-1: record skipped: aliases is not an array of strings" },
		{ "{\"id\": \"A-1\", \"aliases\": [1]}", "t: A-1: record skipped: aliases is not an array of strings" },
		{ "{\"id\": \"A-1\", \"references\": {}}", "t: A-1: record skipped: references is not an array" },
		{ "{\"id\": \"A-1\", \"severity\": \"HIGH\"}", "t: A-1: record skipped: severity is not an array" },
		{ "{\"id\": \"A-1\", \"affected\": {}}", "t: A-1: record skipped: affected is not an array" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		it_sink s = { 0 };
		sc_import_stats st = { 0 };

		/* JSON documents are objects or arrays: the scalar cases are YAML. */
		assert_int_equal(import_text(cases[i].text, cases[i].text[0] != '{', &s, &st), 0);
		assert_int_equal(s.n, 0);
		assert_int_equal(st.skipped, 1);
		assert_int_equal(st.n_warnings, 1);
		if (strcmp(st.warnings[0], cases[i].warning) != 0)
			fail_msg("%s: got '%s'", cases[i].text, st.warnings[0]);
		it_sink_release(&s);
		sc_import_stats_release(&st);
	}
}

/* Affected-level problems: the entry is skipped, the record kept. */
static void test_affected_skips(void **state)
{
	static const struct {
		const char *affected;
		const char *warning;
	} cases[] = {
		{ "[1]", "affected[0] skipped: not an object" },
		{ "[{}]", "affected[0] skipped: no package object" },
		{ "[{\"package\": {\"name\": \"a\"}}]", "affected[0] skipped: package.ecosystem missing or malformed" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a b\"}}]", "affected[0] (npm a b) skipped: package.name missing or malformed" },
		{ "[{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"-bad-\"}}]", "affected[0] (PyPI -bad-) skipped: '-bad-' is not a valid PyPI name" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"ranges\": {}}]", "affected[0] (npm a) skipped: ranges is not an array" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"ranges\": [{\"events\": []}]}]", "affected[0] (npm a) skipped: a range has no type" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": [[]]}]}]", "affected[0] (npm a) skipped: an event is not an object" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"fixed\": 1}]}]}]", "affected[0] (npm a) skipped: event 'fixed' is not a string" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"ranges\": [{\"type\": \"SEMVER\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.0\"}]}]}]", "affected[0] (npm a) skipped: version '1.0' is not a valid semver version" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"ranges\": [{\"type\": \"GIT\", \"events\": [{\"introduced\": \"ab\\tcd\"}]}]}]", "affected[0] (npm a) skipped: event version 'ab?cd' is empty, too long or has whitespace" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"versions\": \"1.0.0\"}]", "affected[0] (npm a) skipped: versions is not an array" },
		{ "[{\"package\": {\"ecosystem\": \"npm\", \"name\": \"a\"}, \"severity\": {}}]", "affected[0] (npm a) skipped: severity is not an array" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024], want[512];
		it_sink s = { 0 };
		sc_import_stats st = { 0 };

		snprintf(text, sizeof(text), "{\"id\": \"X-1\", \"affected\": %s}", cases[i].affected);
		snprintf(want, sizeof(want), "t: X-1: %s", cases[i].warning);
		assert_int_equal(import_text(text, 0, &s, &st), 0);
		it_assert_rec(&s, "X-1", "id=X-1\n");
		assert_int_equal(st.skipped, 1);
		assert_int_equal(st.n_warnings, 1);
		if (strcmp(st.warnings[0], want) != 0)
			fail_msg("%s:\n got  '%s'\n want '%s'", cases[i].affected, st.warnings[0], want);
		it_sink_release(&s);
		sc_import_stats_release(&st);
	}
}

static void test_severity_sources(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	/* Record severity from an "Ubuntu" item; CVSS from affected[].severity; mismatched versions dropped. */
	assert_int_equal(import_text("{\"id\": \"UBUNTU-1\", \"severity\": [{\"type\": \"Ubuntu\", \"score\": \"high\"},"
				     " {\"type\": \"CVSS_V3\", \"score\": \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\"},"
				     " {\"type\": \"CVSS_V2\", \"score\": \"AV:N/AC:L/Au:N/C:P/I:P/A:P junk\"},"
				     " {\"type\": \"SOMETHING\", \"score\": \"x\"}, {\"score\": \"y\"}, 3],"
				     " \"affected\": [{\"package\": {\"ecosystem\": \"Ubuntu:24.04\", \"name\": \"vim\"},"
				     " \"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H\"},"
				     " {\"type\": \"Ubuntu\", \"score\": \"medium\"}],"
				     " \"database_specific\": {\"severity\": 5}}]}",
				     0, &s, &st),
			 0);
	it_assert_rec(&s, "UBUNTU-1",
		      "id=UBUNTU-1\nseverity=high\ncvss_v3=CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H\n"
		      "affected=Ubuntu|24.04|vim|affected|medium\n");
	assert_int_equal(st.dropped, 2);
	assert_true(it_warned(&st, "t: UBUNTU-1: CVSS_V3 dropped: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' is not a CVSS 3.x vector"));
	assert_true(it_warned(&st, "t: UBUNTU-1: CVSS_V2 dropped: 'AV:N/AC:L/Au:N/C:P/I:P/A:P junk' is not a CVSS v2 vector"));
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_ecosystems(void **state)
{
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	assert_int_equal(import_text("id: E-1\naffected:\n"
				     "- package: {ecosystem: 'Ubuntu:Pro:FIPS-updates:20.04:LTS', name: openssl}\n"
				     "- package: {ecosystem: 'Red Hat:enterprise_linux:9::appstream', name: nginx}\n"
				     "- package: {ecosystem: 'Debian:', name: a}\n"
				     "- package: {ecosystem: 'Wolfi', name: b}\n"
				     "- package: {ecosystem: 'Hex', name: c}\n"
				     "- package: {ecosystem: 'pypi', name: d}\n",
				     1, &s, &st),
			 0);
	it_assert_rec(&s, "E-1",
		      "id=E-1\naffected=Ubuntu|20.04|openssl|affected|-\n"
		      "affected=Red Hat|enterprise_linux:9::appstream|nginx|affected|-\n"
		      "affected=Debian|-|a|affected|-\naffected=Wolfi|-|b|affected|-\n");
	assert_int_equal(st.unsupported, 2); /* Hex, and ecosystem names are case-sensitive */
	assert_int_equal(st.n_warnings, 0);
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

static void test_warning_cap_and_callback(void **state)
{
	char text[4096];
	size_t i, n = 0;
	it_sink s = { 0 };
	sc_import_stats st = { 0 };

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "[");
	for (i = 0; i < SC_IMPORT_MAX_WARNINGS + 5; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s{}", i ? "," : "");
	n += (size_t)snprintf(text + n, sizeof(text) - n, ",{\"id\":\"OK-1\"},{\"id\":\"OK-2\"}]");
	assert_int_equal(import_text(text, 0, &s, &st), 0);
	assert_int_equal(st.skipped, SC_IMPORT_MAX_WARNINGS + 5);
	assert_int_equal(st.n_warnings, SC_IMPORT_MAX_WARNINGS);
	assert_int_equal(st.more_warnings, 5);
	assert_string_equal(st.warnings[3], "t[3]: record skipped: no id");
	assert_int_equal(s.n, 2);
	it_sink_release(&s);
	sc_import_stats_release(&st);
	assert_int_equal(st.n_warnings, 0);
	sc_import_stats_release(NULL);

	/* The callback's error stops the import at once and comes back unchanged. */
	s.fail_after = 1;
	s.fail_rc = SC_EIO;
	assert_int_equal(import_text(text, 0, &s, &st), SC_EIO);
	assert_int_equal(s.n, 1);
	assert_int_equal(st.records, 1);
	it_sink_release(&s);
	sc_import_stats_release(&st);

	/* Stats are optional. */
	assert_int_equal(sc_import_osv_buf(text, strlen(text), 0, "t", it_emit, &s, NULL), 0);
	assert_int_equal(s.n, 2);
	it_sink_release(&s);
}

static void test_limits(void **state)
{
	char *big;
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	size_t i;
	char deep[300];

	(void)state;
	big = malloc((size_t)SC_IMPORT_MAX_FILE + 2);
	assert_non_null(big);
	memset(big, ' ', (size_t)SC_IMPORT_MAX_FILE + 1);
	big[0] = '{';
	big[SC_IMPORT_MAX_FILE] = '}';
	assert_int_equal(sc_import_osv_buf(big, (size_t)SC_IMPORT_MAX_FILE + 1, 0, "big", it_emit, &s, &st), SC_ELIMIT);
	assert_int_equal(sc_import_osv_buf(big, (size_t)SC_IMPORT_MAX_FILE + 1, 1, "big", it_emit, &s, &st), SC_ELIMIT);
	free(big);
	for (i = 0; i < 100; i++)
		deep[i] = '[';
	deep[i] = '\0';
	assert_int_equal(import_text(deep, 0, &s, &st), SC_ELIMIT);
	assert_int_equal(import_text(deep, 1, &s, &st), SC_ELIMIT);
	assert_int_equal(s.n, 0);
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

/* The PyPA advisory database (2661 OSV YAML files), when ../shared/data is there. */
static void test_pypa(void **state)
{
	char path[4096];
	struct stat sb;
	it_sink s = { 0 };
	sc_import_stats st = { 0 };
	char *src = NULL;
	const char *t;

	(void)state;
	it_path(path, sizeof(path), "../shared/data/osv/pypa-advisory-database");
	if (stat(path, &sb) != 0) {
		print_message("skipped: %s is absent\n", path);
		skip();
	}
	assert_int_equal(sc_import_path(path, SC_IMPORT_AUTO, it_emit, &s, &st, &src), 0);
	assert_string_equal(src, "osv:pypa-advisory-database");
	free(src);
	assert_int_equal(st.files, 2661);
	assert_int_equal(st.records, 2661);
	assert_int_equal(s.n, 2661);
	assert_int_equal(st.withdrawn, 10);
	/* PYSEC-2021-371 (event '0.2.0-n653') and PYSEC-2019-125 (fixed "2019-09-12") lose their entry. */
	assert_int_equal(st.skipped, 2);
	assert_int_equal(st.dropped, 108); /* legacy versions such as '0.7.10p1' */
	assert_int_equal(st.unsupported, 0);
	assert_int_equal(st.n_warnings + st.more_warnings, 30);
	it_assert_rec(&s, "PYSEC-2020-342",
		      "id=PYSEC-2020-342\n"
		      "details=**Resolved** Only when using H2/MySQL/TiDB as Apache SkyWalking storage, there is a "
		      "SQL injection vulnerability in the wildcard query cases.\n"
		      "published=2020-08-05T14:15:00Z\n"
		      "modified=2023-11-07T20:24:23.946863Z\n"
		      "cvss_v3=CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n"
		      "alias=CVE-2020-13921\n"
		      "ref=https://github.com/apache/skywalking/pull/4970\n"
		      "ref=http://www.openwall.com/lists/oss-security/2020/08/05/3\n"
		      "ref=http://www.openwall.com/lists/oss-security/2020/08/05/3\n"
		      "ref=https://lists.apache.org/thread.html/r6f3a934ebc54585d8468151a494c1919dc1ee2cccaf237ec434dbbd6%40%3Cdev.skywalking.apache.org%3E\n"
		      "affected=PyPI|-|apache-skywalking|affected|-\n"
		      " range=ECOSYSTEM i:0\n"
		      " versions=0.1.0 0.2.0 0.3.0 0.4.0 0.5.0 0.6.0 0.7.0 0.8.0 1.0.0 1.0.1\n");
	/* GIT and ECOSYSTEM ranges side by side, several introduced/fixed pairs in one range. */
	t = it_find(&s, "PYSEC-2021-335");
	assert_non_null(t);
	assert_non_null(strstr(t, "\naffected=PyPI|-|accesscontrol|affected|-\n"
				  " range=GIT i:0 f:b42dd4badf803bb9fb71ac34cd9cb0c249262f2c\n"
				  " range=ECOSYSTEM i:4.0 f:4.3 i:5.0 f:5.2\n"
				  " versions=4.0 4.1 4.2 5.0 5.1\n"));
	/* Withdrawn; '1.34' (quoted in the file) and 3.0.0.post1 kept as written. */
	t = it_find(&s, "PYSEC-2023-73");
	assert_non_null(t);
	assert_non_null(strstr(t, "\nwithdrawn\nalias=CVE-2023-31655\n"));
	assert_non_null(strstr(t, " versions=0.6.0 0.6.1 1.34 1.34.1 2.0.0 2.10.0 "));
	assert_non_null(strstr(t, " 3.0.0 3.0.0.post1 3.0.1 "));
	/* Every versions entry of PYSEC-2019-6 that is not PEP 440 is gone, the rest kept. */
	t = it_find(&s, "PYSEC-2019-6");
	assert_non_null(t);
	assert_null(strstr(t, "0.7.10p1"));
	t = it_find(&s, "PYSEC-2019-125");
	assert_non_null(t);
	assert_null(strstr(t, "affected="));
	assert_non_null(strstr(t, "\nref=https://hackerone.com/reports/583184\n"));
	/* Records come in path order: vulns/<package>/<id>.yaml sorted bytewise. */
	assert_string_equal(s.recs[0].id, "PYSEC-2021-335");
	it_sink_release(&s);
	sc_import_stats_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_record),
		cmocka_unit_test(test_yaml_record),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_malformed_fixtures),
		cmocka_unit_test(test_record_skips),
		cmocka_unit_test(test_affected_skips),
		cmocka_unit_test(test_severity_sources),
		cmocka_unit_test(test_ecosystems),
		cmocka_unit_test(test_warning_cap_and_callback),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_pypa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
