/*
 * test_db.c - the vulnerability database: schema creation and version
 * checks, records in and lookups out (ranges, versions, releases,
 * withdrawn), source replacement and renaming, rollback leaving the
 * previous contents, status counts, advisory details with CVSS scores.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "vuln/db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/scute-test-db-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/sub/dir/vulndb.sqlite", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const sc_vuln_event ev_a[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, "2.2.0" } };
static const sc_vuln_event ev_b[] = { { SC_EV_INTRODUCED, "1.0.0" }, { SC_EV_LAST_AFFECTED, "1.4.0" } };
static const sc_vuln_range ranges[] = { { SC_RANGE_ECOSYSTEM, ev_a, 2 }, { SC_RANGE_SEMVER, ev_b, 2 } };
static const char *const versions[] = { "1.0", "1.1" };
static const char *const aliases[] = { "CVE-2024-0001", "GHSA-aaaa-bbbb-cccc" };
static const char *const refs[] = { "https://example.org/a", "https://example.org/b" };

static void add_pysec(sc_vulndb *db, const char *id, int withdrawn)
{
	sc_vuln_affected aff[2];
	sc_vuln_record r;

	memset(aff, 0, sizeof(aff));
	aff[0].ecosystem = "PyPI";
	aff[0].name = "torch";
	aff[0].status = SC_VSTATUS_AFFECTED;
	aff[0].ranges = ranges;
	aff[0].n_ranges = 2;
	aff[0].versions = versions;
	aff[0].n_versions = 2;
	aff[1].ecosystem = "Debian";
	aff[1].release = "12";
	aff[1].name = "pytorch";
	aff[1].status = SC_VSTATUS_UNFIXED;
	aff[1].severity = "high";
	aff[1].ranges = ranges;
	aff[1].n_ranges = 1;
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.summary = "torch is vulnerable";
	r.details = "long text";
	r.withdrawn = withdrawn;
	r.severity = "HIGH";
	r.cvss_v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
	r.cvss_v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
	r.aliases = aliases;
	r.n_aliases = 2;
	r.references = refs;
	r.n_references = 2;
	r.affected = aff;
	r.n_affected = 2;
	assert_int_equal(sc_vulndb_add(db, &r), 0);
}

typedef struct seen {
	int n;
	int64_t key;
	char id[64], release[16], ranges[256], versions[64];
	int status;
} seen;

static int on_hit(void *ud, const sc_vulndb_hit *h)
{
	seen *s = ud;
	size_t i, j;
	size_t off = 0;

	s->n++;
	s->key = h->vuln_key;
	s->status = h->status;
	snprintf(s->id, sizeof(s->id), "%s", h->id);
	snprintf(s->release, sizeof(s->release), "%s", h->release);
	s->ranges[0] = '\0';
	for (i = 0; i < h->n_ranges; i++) {
		off += (size_t)snprintf(s->ranges + off, sizeof(s->ranges) - off, "%s%d", i ? "|" : "", h->ranges[i].type);
		for (j = 0; j < h->ranges[i].n_events; j++)
			off += (size_t)snprintf(s->ranges + off, sizeof(s->ranges) - off, " %c=%s",
						h->ranges[i].events[j].kind, h->ranges[i].events[j].version);
	}
	off = 0;
	s->versions[0] = '\0';
	for (i = 0; i < h->n_versions; i++)
		off += (size_t)snprintf(s->versions + off, sizeof(s->versions) - off, "%s%s", i ? "," : "", h->versions[i]);
	return 0;
}

static void test_roundtrip(void **state)
{
	sc_vulndb *db = NULL;
	sc_vulndb_advisory a;
	sc_vulndb_status st;
	seen s;

	assert_int_equal(sc_vulndb_open(&db, path, 1), 0);
	assert_int_equal(sc_vulndb_begin_source(db, "osv:test", "osv", "/x"), 0);
	add_pysec(db, "PYSEC-2024-1", 0);
	add_pysec(db, "PYSEC-2024-2", 1); /* withdrawn: never returned */
	assert_int_equal(sc_vulndb_commit(db, 2, 3), 0);
	sc_vulndb_close(db);

	assert_int_equal(sc_vulndb_open(&db, path, 0), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(sc_vulndb_lookup(db, "PyPI", NULL, "torch", on_hit, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id, "PYSEC-2024-1");
	assert_string_equal(s.ranges, "1 i=0 f=2.2.0|2 i=1.0.0 l=1.4.0");
	assert_string_equal(s.versions, "1.0,1.1");
	assert_int_equal(s.status, SC_VSTATUS_AFFECTED);

	/* Release-aware: Debian 12 sees it, Debian 11 does not. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(sc_vulndb_lookup(db, "Debian", "12", "pytorch", on_hit, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.release, "12");
	assert_int_equal(s.status, SC_VSTATUS_UNFIXED);
	memset(&s, 0, sizeof(s));
	assert_int_equal(sc_vulndb_lookup(db, "Debian", "11", "pytorch", on_hit, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(sc_vulndb_lookup(db, "PyPI", NULL, "numpy", on_hit, &s), 0);
	assert_int_equal(s.n, 0);

	memset(&s, 0, sizeof(s));
	assert_int_equal(sc_vulndb_lookup(db, "PyPI", NULL, "torch", on_hit, &s), 0);
	assert_int_equal(sc_vulndb_get_advisory(db, s.key, &a), 0);
	assert_string_equal(a.id, "PYSEC-2024-1");
	assert_string_equal(a.summary, "torch is vulnerable");
	assert_string_equal(a.severity, "HIGH");
	assert_true(a.cvss_v3_score > 9.79 && a.cvss_v3_score < 9.81);
	assert_true(a.cvss_v4_score > 9.29 && a.cvss_v4_score < 9.31);
	assert_non_null(a.aliases);
	assert_string_equal(a.aliases[0], "CVE-2024-0001");
	assert_string_equal(a.aliases[1], "GHSA-aaaa-bbbb-cccc");
	assert_null(a.aliases[2]);
	assert_string_equal(a.references[1], "https://example.org/b");
	sc_vulndb_advisory_release(&a);

	assert_int_equal(sc_vulndb_status_get(db, &st), 0);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.affected, 4);
	assert_int_equal(st.n_sources, 1);
	assert_string_equal(st.sources[0].name, "osv:test");
	assert_int_equal(st.sources[0].records, 2);
	assert_int_equal(st.sources[0].skipped, 3);
	assert_int_equal(st.sources[0].affected, 4);
	assert_int_equal(strlen(st.sources[0].imported_at), 20);
	sc_vulndb_status_release(&st);
	sc_vulndb_close(db);
}

static void test_replace_rename_rollback(void **state)
{
	sc_vulndb *db = NULL;
	sc_vulndb_status st;
	seen s;

	assert_int_equal(sc_vulndb_open(&db, path, 1), 0);
	assert_int_equal(sc_vulndb_begin_source(db, "osv:test", "osv", "/x"), 0);
	add_pysec(db, "PYSEC-2024-9", 0);
	assert_int_equal(sc_vulndb_commit(db, 1, 0), 0);

	/* Same name again: replaces. */
	assert_int_equal(sc_vulndb_begin_source(db, "osv:test", "osv", "/y"), 0);
	add_pysec(db, "PYSEC-2024-10", 0);
	assert_int_equal(sc_vulndb_commit(db, 1, 0), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(sc_vulndb_lookup(db, "PyPI", NULL, "torch", on_hit, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id, "PYSEC-2024-10");

	/* A temporary name renamed onto an existing source replaces it too. */
	assert_int_equal(sc_vulndb_begin_source(db, "importing:1", "osv", "/z"), 0);
	add_pysec(db, "PYSEC-2024-11", 0);
	assert_int_equal(sc_vulndb_name_source(db, "osv:test"), 0);
	assert_int_equal(sc_vulndb_commit(db, 1, 0), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(sc_vulndb_lookup(db, "PyPI", NULL, "torch", on_hit, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id, "PYSEC-2024-11");

	/* An import that fails midway is rolled back: the previous records stay. */
	assert_int_equal(sc_vulndb_begin_source(db, "osv:test", "osv", "/w"), 0);
	add_pysec(db, "PYSEC-2024-12", 0);
	sc_vulndb_rollback(db);
	memset(&s, 0, sizeof(s));
	assert_int_equal(sc_vulndb_lookup(db, "PyPI", NULL, "torch", on_hit, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id, "PYSEC-2024-11");

	/* An import left open when the process "dies" (close without commit). */
	assert_int_equal(sc_vulndb_begin_source(db, "osv:other", "osv", "/v"), 0);
	add_pysec(db, "PYSEC-2024-13", 0);
	sc_vulndb_close(db);
	assert_int_equal(sc_vulndb_open(&db, path, 0), 0);
	assert_int_equal(sc_vulndb_status_get(db, &st), 0);
	assert_int_equal(st.n_sources, 1);
	assert_int_equal(st.records, 1);
	sc_vulndb_status_release(&st);
	sc_vulndb_close(db);
}

static void test_open_errors(void **state)
{
	sc_vulndb *db = NULL;
	char p2[160];
	sqlite3 *h;
	FILE *f;

	snprintf(p2, sizeof(p2), "%s/missing.sqlite", dir);
	assert_int_equal(sc_vulndb_open(&db, p2, 0), SC_ENOTFOUND);
	assert_non_null(strstr(sc_error_msg(), "scute db import"));
	assert_null(db);

	snprintf(p2, sizeof(p2), "%s/garbage.sqlite", dir);
	f = fopen(p2, "w");
	assert_non_null(f);
	fputs("this is not a database, just text that goes on for a while.................\n", f);
	fclose(f);
	assert_int_equal(sc_vulndb_open(&db, p2, 0), SC_EINPUT);

	/* An SQLite file of something else. */
	snprintf(p2, sizeof(p2), "%s/other.sqlite", dir);
	assert_int_equal(sqlite3_open(p2, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(sc_vulndb_open(&db, p2, 1), SC_EINPUT);
	assert_non_null(strstr(sc_error_msg(), "not a scute vulnerability database"));

	/* A database from a newer scute. */
	snprintf(p2, sizeof(p2), "%s/newer.sqlite", dir);
	assert_int_equal(sqlite3_open(p2, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(sc_vulndb_open(&db, p2, 0), SC_EUNSUPPORTED);
	assert_non_null(strstr(sc_error_msg(), "newer"));
}

static void test_default_path(void **state)
{
	char *p = NULL;

	setenv("SCUTE_DB", "/x/y.sqlite", 1);
	assert_int_equal(sc_vulndb_default_path(&p), 0);
	assert_string_equal(p, "/x/y.sqlite");
	free(p);
	unsetenv("SCUTE_DB");
	setenv("XDG_CACHE_HOME", "/c", 1);
	assert_int_equal(sc_vulndb_default_path(&p), 0);
	assert_string_equal(p, "/c/scute/vulndb.sqlite");
	free(p);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/h", 1);
	assert_int_equal(sc_vulndb_default_path(&p), 0);
	assert_string_equal(p, "/h/.cache/scute/vulndb.sqlite");
	free(p);
}

static void test_whitespace_version_refused(void **state)
{
	static const sc_vuln_event ev[] = { { SC_EV_INTRODUCED, "1 0" } };
	static const sc_vuln_range rg[] = { { SC_RANGE_ECOSYSTEM, ev, 1 } };
	sc_vuln_affected aff;
	sc_vuln_record r;
	sc_vulndb *db = NULL;

	memset(&aff, 0, sizeof(aff));
	aff.ecosystem = "PyPI";
	aff.name = "x";
	aff.status = SC_VSTATUS_AFFECTED;
	aff.ranges = rg;
	aff.n_ranges = 1;
	memset(&r, 0, sizeof(r));
	r.id = "X-1";
	r.affected = &aff;
	r.n_affected = 1;
	assert_int_equal(sc_vulndb_open(&db, path, 1), 0);
	assert_int_equal(sc_vulndb_begin_source(db, "osv:ws", "osv", "/x"), 0);
	assert_int_equal(sc_vulndb_add(db, &r), SC_EINPUT);
	sc_vulndb_rollback(db);
	sc_vulndb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_replace_rename_rollback),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_whitespace_version_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
