/*
 * test_match.c - OSV range evaluation (introduced/fixed/last_affected/
 * limit, unsorted events, versions lists, GIT ranges ignored, bad versions
 * never matching) and whole-catalog matching against a real database file:
 * Debian by source package and release, Alpine by origin, PyPI with local
 * labels ignored and OS-managed distributions skipped unless asked, alias
 * de-duplication across sources, severity order, --ignore-unfixed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "catalog/catalog.h"
#include "core/error.h"
#include "vuln/db.h"
#include "vuln/match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- sc_match_affected ---------------------------------------------------- */

static int eval(sc_version_scheme s, const sc_vuln_event *ev, size_t n, sc_range_type type,
		const char *const *versions, size_t nv, const char *v, const char **fixed)
{
	sc_vuln_range r = { type, ev, n };
	sc_vulndb_hit h;

	memset(&h, 0, sizeof(h));
	h.id = "T-1";
	h.ranges = &r;
	h.n_ranges = n ? 1 : 0;
	h.versions = versions;
	h.n_versions = nv;
	return sc_match_affected(&h, s, v, fixed);
}

static void test_introduced_fixed(void **state)
{
	static const sc_vuln_event ev[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, "2.2.0" } };
	const char *fx = NULL;

	assert_int_equal(eval(SC_VER_PEP440, ev, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "2.1.0", &fx), 1);
	assert_string_equal(fx, "2.2.0");
	assert_int_equal(eval(SC_VER_PEP440, ev, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "2.2.0", &fx), 0);
	assert_null(fx);
	assert_int_equal(eval(SC_VER_PEP440, ev, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "2.2.0rc1", &fx), 1);
	assert_int_equal(eval(SC_VER_PEP440, ev, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "0.0.1.dev0", &fx), 1);
	assert_int_equal(eval(SC_VER_PEP440, ev, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "3!0.1", &fx), 0);
}

static void test_last_affected_and_limit(void **state)
{
	static const sc_vuln_event la[] = { { SC_EV_INTRODUCED, "1.0" }, { SC_EV_LAST_AFFECTED, "1.4" } };
	static const sc_vuln_event lim[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_LIMIT, "3.0" } };
	static const sc_vuln_event star[] = { { SC_EV_LIMIT, "*" }, { SC_EV_INTRODUCED, "1.0" } };
	const char *fx = (const char *)1;

	assert_int_equal(eval(SC_VER_PEP440, la, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "1.4", &fx), 1);
	assert_null(fx); /* no fix known */
	assert_int_equal(eval(SC_VER_PEP440, la, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "1.4.1", &fx), 0);
	assert_int_equal(eval(SC_VER_PEP440, la, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "0.9", &fx), 0);
	assert_int_equal(eval(SC_VER_PEP440, lim, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "2.9", &fx), 1);
	assert_int_equal(eval(SC_VER_PEP440, lim, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "3.0", &fx), 0);
	/* limit "*" is no limit (OSV schema), whatever its position */
	assert_int_equal(eval(SC_VER_PEP440, star, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "99.0", &fx), 1);
	assert_int_equal(eval(SC_VER_PEP440, star, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "0.9", &fx), 0);
}

static void test_unsorted_pairs(void **state)
{
	/* Two affected windows given out of order: [2.0, 2.5) and [1.0, 1.5). */
	static const sc_vuln_event ev[] = { { SC_EV_INTRODUCED, "2.0" }, { SC_EV_FIXED, "2.5" },
					    { SC_EV_INTRODUCED, "1.0" }, { SC_EV_FIXED, "1.5" } };
	const char *fx = NULL;

	assert_int_equal(eval(SC_VER_SEMVER, ev, 4, SC_RANGE_ECOSYSTEM, NULL, 0, "1.2.0", &fx), SC_EINPUT);
	sc_error_clear();
	assert_int_equal(eval(SC_VER_PEP440, ev, 4, SC_RANGE_ECOSYSTEM, NULL, 0, "1.2", &fx), 1);
	assert_string_equal(fx, "1.5");
	assert_int_equal(eval(SC_VER_PEP440, ev, 4, SC_RANGE_ECOSYSTEM, NULL, 0, "1.7", &fx), 0);
	assert_int_equal(eval(SC_VER_PEP440, ev, 4, SC_RANGE_ECOSYSTEM, NULL, 0, "2.1", &fx), 1);
	assert_string_equal(fx, "2.5");
	assert_int_equal(eval(SC_VER_PEP440, ev, 4, SC_RANGE_ECOSYSTEM, NULL, 0, "2.5", &fx), 0);
}

static void test_versions_git_and_bad(void **state)
{
	static const sc_vuln_event git[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, "767f6aa49fe2" } };
	static const sc_vuln_event bad[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, "not a version" } };
	static const char *const vs[] = { "1.0", "1.1" };
	const char *fx = NULL;

	/* versions: PEP 440 equality ("1.0.0" == "1.0"). */
	assert_int_equal(eval(SC_VER_PEP440, NULL, 0, SC_RANGE_ECOSYSTEM, vs, 2, "1.0.0", &fx), 1);
	assert_int_equal(eval(SC_VER_PEP440, NULL, 0, SC_RANGE_ECOSYSTEM, vs, 2, "1.2", &fx), 0);
	/* GIT ranges never match a package version. */
	assert_int_equal(eval(SC_VER_PEP440, git, 2, SC_RANGE_GIT, NULL, 0, "1.0", &fx), 0);
	/* A range that does not evaluate never matches (and says why). */
	assert_true(eval(SC_VER_PEP440, bad, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "1.0", &fx) < 0);
	sc_error_clear();
	/* An installed version that does not parse never matches. */
	assert_true(eval(SC_VER_PEP440, git, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "not-a-version!", &fx) < 0);
	sc_error_clear();
}

static void test_schemes(void **state)
{
	static const sc_vuln_event deb[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, "2.36-9+deb12u7" } };
	static const sc_vuln_event go[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, "0.17.0" } };
	static const sc_vuln_event apk[] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, "1.1.1d-r3" } };
	const char *fx = NULL;

	assert_int_equal(eval(SC_VER_DPKG, deb, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "2.36-9+deb12u4", &fx), 1);
	assert_int_equal(eval(SC_VER_DPKG, deb, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "2.36-9+deb12u10", &fx), 0);
	assert_int_equal(eval(SC_VER_DPKG, deb, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "2.36-9+deb12u7~bpo1", &fx), 1);
	/* Go module versions carry a 'v'; OSV's SEMVER ranges do not. */
	assert_int_equal(eval(SC_VER_SEMVER, go, 2, SC_RANGE_SEMVER, NULL, 0, "v0.16.0", &fx), 1);
	assert_int_equal(eval(SC_VER_SEMVER, go, 2, SC_RANGE_SEMVER, NULL, 0, "v0.0.0-20230101000000-abcdefabcdef", &fx), 1);
	assert_int_equal(eval(SC_VER_SEMVER, go, 2, SC_RANGE_SEMVER, NULL, 0, "v0.17.0", &fx), 0);
	assert_int_equal(eval(SC_VER_APK, apk, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "1.1.1d-r0", &fx), 1);
	assert_int_equal(eval(SC_VER_APK, apk, 2, SC_RANGE_ECOSYSTEM, NULL, 0, "1.1.1g-r0", &fx), 0);
}

/* --- whole catalogs against a database ------------------------------------ */

static char dbpath[128];
static char dbdir[64];

static void add(sc_vulndb *db, const char *id, const char *alias, const char *eco, const char *rel,
		const char *name, sc_vuln_status st, const char *aff_sev, const char *sev, const char *cvss,
		const char *fixed)
{
	sc_vuln_event ev[2] = { { SC_EV_INTRODUCED, "0" }, { SC_EV_FIXED, fixed } };
	sc_vuln_range r = { SC_RANGE_ECOSYSTEM, ev, fixed ? 2 : 1 };
	const char *al[1] = { alias };
	sc_vuln_affected a;
	sc_vuln_record rec;

	memset(&a, 0, sizeof(a));
	a.ecosystem = eco;
	a.release = rel;
	a.name = name;
	a.status = st;
	a.severity = aff_sev;
	a.ranges = &r;
	a.n_ranges = 1;
	memset(&rec, 0, sizeof(rec));
	rec.id = id;
	rec.summary = "summary of the flaw";
	rec.severity = sev;
	rec.cvss_v3 = cvss;
	rec.aliases = al;
	rec.n_aliases = alias ? 1 : 0;
	rec.affected = &a;
	rec.n_affected = 1;
	assert_int_equal(sc_vulndb_add(db, &rec), 0);
}

static int setup_db(void **state)
{
	sc_vulndb *db = NULL;
	const char *crit = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

	snprintf(dbdir, sizeof(dbdir), "/tmp/scute-test-match-XXXXXX");
	if (!mkdtemp(dbdir))
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/db.sqlite", dbdir);
	if (sc_vulndb_open(&db, dbpath, 1) != 0)
		return -1;
	assert_int_equal(sc_vulndb_begin_source(db, "a", "osv", "/a"), 0);
	add(db, "CVE-2099-1", NULL, "Debian", "12", "glibc", SC_VSTATUS_AFFECTED, "high", NULL, NULL, "2.36-9+deb12u9");
	add(db, "CVE-2099-2", NULL, "Debian", "11", "glibc", SC_VSTATUS_AFFECTED, "high", NULL, NULL, "2.36-9+deb12u9");
	add(db, "CVE-2099-3", NULL, "Debian", "12", "glibc", SC_VSTATUS_UNIMPORTANT, "unimportant", NULL, NULL, NULL);
	add(db, "CVE-2099-4", NULL, "Debian", "12", "libc6", SC_VSTATUS_AFFECTED, "high", NULL, NULL, "9.9");
	add(db, "CVE-2099-5", NULL, "Alpine", "v3.11", "openssl", SC_VSTATUS_AFFECTED, NULL, NULL, NULL, "1.1.1d-r3");
	add(db, "PYSEC-2099-1", "GHSA-xxxx-1", "PyPI", NULL, "torch", SC_VSTATUS_AFFECTED, NULL, NULL, crit, "2.2.0");
	add(db, "PYSEC-2099-2", NULL, "PyPI", NULL, "requests", SC_VSTATUS_AFFECTED, NULL, "MODERATE", crit, "2.31.0");
	add(db, "PYSEC-2099-3", NULL, "PyPI", NULL, "torch", SC_VSTATUS_AFFECTED, NULL, NULL, NULL, NULL);
	add(db, "GO-2099-1", NULL, "Go", NULL, "stdlib", SC_VSTATUS_AFFECTED, NULL, NULL, NULL, "1.20.5");
	assert_int_equal(sc_vulndb_commit(db, 9, 0), 0);
	/* The same advisory again from a second source, under its GHSA id. */
	assert_int_equal(sc_vulndb_begin_source(db, "b", "osv", "/b"), 0);
	add(db, "GHSA-xxxx-1", "PYSEC-2099-1", "PyPI", NULL, "torch", SC_VSTATUS_AFFECTED, "HIGH", NULL, NULL, "2.2.0");
	/* One source knows no fix yet, the other does: the merged finding is fixed. */
	add(db, "GHSA-aaaa-4", "PYSEC-2099-4", "PyPI", NULL, "numpy", SC_VSTATUS_AFFECTED, NULL, NULL, NULL, NULL);
	add(db, "PYSEC-2099-4", NULL, "PyPI", NULL, "numpy", SC_VSTATUS_AFFECTED, NULL, NULL, NULL, "1.26.0");
	assert_int_equal(sc_vulndb_commit(db, 3, 0), 0);
	sc_vulndb_close(db);
	return 0;
}

static int teardown_db(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dbdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void pkg(sc_catalog *cat, sc_ecosystem eco, const char *name, const char *version, const char *src,
		const char *srcver, int os_managed)
{
	sc_package p;

	memset(&p, 0, sizeof(p));
	p.eco = eco;
	p.name = (char *)name;
	p.version = (char *)version;
	p.source_name = (char *)src;
	p.source_version = (char *)srcver;
	p.os_managed = os_managed;
	assert_int_equal(sc_catalog_add_package(cat, &p, NULL), 0);
}

static const sc_finding *find(const sc_findings *fs, const sc_catalog *cat, const char *id, const char *pkgname)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->items[i].id, id) == 0 && fs->items[i].pkg >= 0 &&
		    strcmp(cat->pkgs[fs->items[i].pkg].name, pkgname) == 0)
			return &fs->items[i];
	return NULL;
}

static void test_debian_by_source(void **state)
{
	sc_vulndb *db = NULL;
	sc_catalog cat;
	sc_findings fs;
	sc_match_stats st;
	const sc_finding *f;

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	cat.os.id = strdup("debian");
	cat.os.version_id = strdup("12");
	pkg(&cat, SC_ECO_DEB, "libc6", "2.36-9+deb12u4", "glibc", NULL, 0);
	pkg(&cat, SC_ECO_DEB, "libc-bin", "2.36-9+deb12u4", "glibc", NULL, 0);
	pkg(&cat, SC_ECO_DEB, "zlib1g", "1:1.2.13.dfsg-1", "zlib", "1.2.13.dfsg-1", 0);
	assert_int_equal(sc_vulndb_open(&db, dbpath, 0), 0);
	assert_int_equal(sc_vuln_match(&fs, db, &cat, NULL, &st), 0);
	/* CVE-2099-1 (bookworm, by source) for both binaries; -2 is bullseye's;
	 * -3 unimportant carried; -4 names a binary package, not a source. */
	assert_int_equal(fs.n, 4);
	f = find(&fs, &cat, "CVE-2099-1", "libc6");
	assert_non_null(f);
	assert_int_equal(f->level, SC_LEVEL_HIGH);
	assert_string_equal(f->vuln.status, "fixed");
	assert_string_equal(f->vuln.fixed_in[0], "2.36-9+deb12u9");
	assert_string_equal(f->vuln.matched_name, "glibc");
	assert_string_equal(f->vuln.ecosystem, "Debian:12");
	assert_non_null(strstr(f->remediation, "glibc"));
	assert_non_null(find(&fs, &cat, "CVE-2099-1", "libc-bin"));
	f = find(&fs, &cat, "CVE-2099-3", "libc6");
	assert_non_null(f);
	assert_string_equal(f->vuln.status, "unimportant");
	assert_int_equal(f->level, SC_LEVEL_NEGLIGIBLE);
	assert_null(find(&fs, &cat, "CVE-2099-2", "libc6"));
	assert_null(find(&fs, &cat, "CVE-2099-4", "libc6"));
	/* Highest level first. */
	assert_int_equal(fs.items[0].level, SC_LEVEL_HIGH);
	sc_findings_release(&fs);

	/* --ignore-unfixed drops the unimportant, unfixed ones. */
	{
		sc_match_opts o = { .ignore_unfixed = 1 };

		sc_findings_init(&fs);
		assert_int_equal(sc_vuln_match(&fs, db, &cat, &o, &st), 0);
		assert_int_equal(fs.n, 2);
		assert_int_equal(st.unfixed_dropped, 2);
		sc_findings_release(&fs);
	}
	sc_vulndb_close(db);
	sc_catalog_release(&cat);
}

static void test_alpine_and_pypi(void **state)
{
	sc_vulndb *db = NULL;
	sc_catalog cat;
	sc_findings fs;
	sc_match_stats st;
	sc_match_opts o = { .pypi_os_managed = 1 };
	const sc_finding *f;

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	cat.os.id = strdup("alpine");
	cat.os.version_id = strdup("3.11.6");
	pkg(&cat, SC_ECO_APK, "libcrypto1.1", "1.1.1d-r0", "openssl", NULL, 0);
	pkg(&cat, SC_ECO_PYPI, "torch", "2.1.0+cu121", NULL, NULL, 0);
	pkg(&cat, SC_ECO_PYPI, "requests", "2.28.1", NULL, NULL, 1);
	assert_int_equal(sc_vulndb_open(&db, dbpath, 0), 0);
	assert_int_equal(sc_vuln_match(&fs, db, &cat, NULL, &st), 0);
	assert_non_null(find(&fs, &cat, "CVE-2099-5", "libcrypto1.1"));
	/* torch: PYSEC-2099-1 once (its GHSA twin from source b merged), PYSEC-2099-3 unfixed. */
	f = find(&fs, &cat, "GHSA-xxxx-1", "torch");
	if (!f)
		f = find(&fs, &cat, "PYSEC-2099-1", "torch");
	assert_non_null(f);
	assert_string_equal(f->vuln.matched_version, "2.1.0");
	assert_string_equal(f->vuln.fixed_in[0], "2.2.0");
	assert_non_null(find(&fs, &cat, "PYSEC-2099-3", "torch"));
	assert_string_equal(find(&fs, &cat, "PYSEC-2099-3", "torch")->vuln.status, "unfixed");
	assert_int_equal(fs.n, 3);
	/* OS-managed requests: not matched against PyPI by default. */
	assert_null(find(&fs, &cat, "PYSEC-2099-2", "requests"));
	assert_int_equal(st.skipped, 1);
	sc_findings_release(&fs);

	sc_findings_init(&fs);
	assert_int_equal(sc_vuln_match(&fs, db, &cat, &o, &st), 0);
	f = find(&fs, &cat, "PYSEC-2099-2", "requests");
	assert_non_null(f);
	assert_true(f->vuln.os_managed_pypi);
	/* Vendor severity (MODERATE) wins over the CVSS score (9.8). */
	assert_int_equal(f->level, SC_LEVEL_MEDIUM);
	assert_string_equal(f->vuln.severity_source, "vendor");
	assert_true(f->vuln.cvss_score > 9.7);
	sc_findings_release(&fs);
	sc_vulndb_close(db);
	sc_catalog_release(&cat);
}

/* A Go binary's standard library, whatever the toolchain's spelling. */
static void test_go_stdlib(void **state)
{
	static const char *const tcs[] = { "go1.20", "go1.20.4", "go1.19 X:boringcrypto" };
	size_t i;

	for (i = 0; i < sizeof(tcs) / sizeof(tcs[0]); i++) {
		sc_vulndb *db = NULL;
		sc_catalog cat;
		sc_findings fs;
		sc_match_stats st;
		sc_package p;
		const sc_finding *f;

		sc_catalog_init(&cat);
		sc_findings_init(&fs);
		memset(&p, 0, sizeof(p));
		p.eco = SC_ECO_GOLANG;
		p.name = (char *)"example.com/app";
		p.version = (char *)"v1.0.0";
		p.arch = (char *)"amd64";
		assert_int_equal(sc_kv_list_add(&p.props, "go.toolchain", tcs[i]), 0);
		assert_int_equal(sc_catalog_add_package(&cat, &p, NULL), 0);
		sc_kv_list_release(&p.props);
		assert_int_equal(sc_vulndb_open(&db, dbpath, 0), 0);
		assert_int_equal(sc_vuln_match(&fs, db, &cat, NULL, &st), 0);
		f = find(&fs, &cat, "GO-2099-1", "example.com/app");
		if (!f)
			fail_msg("toolchain %s: stdlib advisory not matched", tcs[i]);
		assert_string_equal(f->vuln.matched_name, "stdlib");
		sc_findings_release(&fs);
		sc_vulndb_close(db);
		sc_catalog_release(&cat);
	}
}

static void test_merge_fix(void **state)
{
	sc_vulndb *db = NULL;
	sc_catalog cat;
	sc_findings fs;
	sc_match_stats st;
	const sc_finding *f;

	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	pkg(&cat, SC_ECO_PYPI, "numpy", "1.25.0", NULL, NULL, 0);
	assert_int_equal(sc_vulndb_open(&db, dbpath, 0), 0);
	assert_int_equal(sc_vuln_match(&fs, db, &cat, NULL, &st), 0);
	assert_int_equal(fs.n, 1);
	f = &fs.items[0];
	assert_string_equal(f->vuln.status, "fixed");
	assert_non_null(f->vuln.fixed_in);
	assert_string_equal(f->vuln.fixed_in[0], "1.26.0");
	assert_non_null(f->remediation);
	sc_findings_release(&fs);
	sc_vulndb_close(db);
	sc_catalog_release(&cat);
}

static void test_targets(void **state)
{
	sc_os_info os;
	sc_package p;
	const char *eco = NULL;
	char rel[64];

	memset(&os, 0, sizeof(os));
	memset(&p, 0, sizeof(p));
	p.eco = SC_ECO_DEB;
	os.id = "debian";
	os.codename = "trixie";
	assert_int_equal(sc_match_target(&p, &os, &eco, rel, sizeof(rel)), 1);
	assert_string_equal(eco, "Debian");
	assert_string_equal(rel, "13");
	os.id = "ubuntu";
	os.version_id = "22.04";
	assert_int_equal(sc_match_target(&p, &os, &eco, rel, sizeof(rel)), 1);
	assert_string_equal(eco, "Ubuntu");
	assert_string_equal(rel, "22.04");
	os.id = "fedora";
	assert_int_equal(sc_match_target(&p, &os, &eco, rel, sizeof(rel)), 0);
	p.eco = SC_ECO_APK;
	os.id = "alpine";
	os.version_id = "3.19.1";
	assert_int_equal(sc_match_target(&p, &os, &eco, rel, sizeof(rel)), 1);
	assert_string_equal(rel, "v3.19");
	p.eco = SC_ECO_BINARY;
	assert_int_equal(sc_match_target(&p, &os, &eco, rel, sizeof(rel)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introduced_fixed),
		cmocka_unit_test(test_last_affected_and_limit),
		cmocka_unit_test(test_unsorted_pairs),
		cmocka_unit_test(test_versions_git_and_bad),
		cmocka_unit_test(test_schemes),
		cmocka_unit_test(test_debian_by_source),
		cmocka_unit_test(test_alpine_and_pypi),
		cmocka_unit_test(test_go_stdlib),
		cmocka_unit_test(test_merge_fix),
		cmocka_unit_test(test_targets),
	};

	return cmocka_run_group_tests(tests, setup_db, teardown_db);
}
