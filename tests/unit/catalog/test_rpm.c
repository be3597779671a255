/*
 * test_rpm.c - the rpm cataloger: header blobs built per the RPM v4
 * header format, stored in a real SQLite rpmdb (Packages(hnum, blob))
 * that is serialized into the image; hostile headers (truncated, il/dl
 * overflow, offsets out of range, unterminated strings, invalid UTF-8),
 * garbage and view-based databases, WAL headers, BerkeleyDB detection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "catalog/rpm.h"
#include "core/json.h"
#include "catalogtest.h"

static const sc_cataloger *const cats[] = { &sc_cataloger_rpm };

/* ---- header builder --------------------------------------------------- */

typedef struct hb {
	unsigned char idx[64 * 16];
	unsigned char data[1 << 16];
	uint32_t il, dl;
} hb;

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void hb_add(hb *h, uint32_t tag, uint32_t type, const void *d, size_t len, uint32_t count, uint32_t align)
{
	unsigned char *e = h->idx + h->il * 16;

	while (align > 1 && h->dl % align)
		h->data[h->dl++] = 0;
	put32(e, tag);
	put32(e + 4, type);
	put32(e + 8, h->dl);
	put32(e + 12, count);
	memcpy(h->data + h->dl, d, len);
	h->dl += (uint32_t)len;
	h->il++;
}

static void hb_str(hb *h, uint32_t tag, const char *s)
{
	hb_add(h, tag, 6, s, strlen(s) + 1, 1, 1);
}

static void hb_i18n(hb *h, uint32_t tag, const char *s)
{
	hb_add(h, tag, 9, s, strlen(s) + 1, 1, 1);
}

static void hb_strv(hb *h, uint32_t tag, const char *const *v, uint32_t n)
{
	unsigned char buf[4096];
	size_t len = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		memcpy(buf + len, v[i], strlen(v[i]) + 1);
		len += strlen(v[i]) + 1;
	}
	hb_add(h, tag, 8, buf, len, n, 1);
}

static void hb_i32v(hb *h, uint32_t tag, const uint32_t *v, uint32_t n)
{
	unsigned char buf[1024];
	uint32_t i;

	for (i = 0; i < n; i++)
		put32(buf + 4 * i, v[i]);
	hb_add(h, tag, 4, buf, 4 * n, n, 4);
}

static unsigned char *hb_blob(const hb *h, size_t *len)
{
	unsigned char *b;

	*len = 8 + h->il * 16 + h->dl;
	b = malloc(*len);
	put32(b, h->il);
	put32(b + 4, h->dl);
	memcpy(b + 8, h->idx, h->il * 16);
	memcpy(b + 8 + h->il * 16, h->data, h->dl);
	return b;
}

/* bash from Rocky Linux 9, with the tags the cataloger reads. */
static unsigned char *bash_header(size_t *len)
{
	static const char *const dirs[] = { "/etc/skel/", "/usr/bin/", "/usr/share/doc/bash/" };
	static const char *const bases[] = { ".bashrc", "bash", "bashbug", "sh", "FAQ" };
	static const uint32_t dirindexes[] = { 0, 1, 1, 1, 2 };
	static const char *const req[] = {
		"/usr/bin/sh", "config(bash)", "filesystem", "libc.so.6()(64bit)", "libc.so.6(GLIBC_2.34)(64bit)",
		"libtinfo.so.6()(64bit)", "rpmlib(BuiltinLuaScripts)", "rpmlib(CompressedFileNames)", "filesystem",
	};
	static const unsigned char region[16] = { 0 };
	hb *h = calloc(1, sizeof(*h));
	unsigned char *b;
	uint32_t u;

	hb_add(h, 63, 7, region, 16, 16, 1); /* RPMTAG_HEADERIMMUTABLE region tag */
	hb_str(h, 1000, "bash");
	hb_str(h, 1001, "5.1.8");
	hb_str(h, 1002, "6.el9_1");
	hb_i18n(h, 1004, "The GNU Bourne Again shell");
	u = 7738634;
	hb_i32v(h, 1009, &u, 1);
	hb_str(h, 1011, "Rocky Enterprise Software Foundation");
	hb_str(h, 1014, "GPLv3+");
	hb_str(h, 1015, "Rocky Linux Build System (Peridot) <releng@rockylinux.org>");
	hb_str(h, 1022, "x86_64");
	hb_str(h, 1044, "bash-5.1.8-6.el9_1.src.rpm");
	hb_strv(h, 1049, req, sizeof(req) / sizeof(req[0]));
	hb_i32v(h, 1116, dirindexes, 5);
	hb_strv(h, 1117, bases, 5);
	hb_strv(h, 1118, dirs, 3);
	b = hb_blob(h, len);
	free(h);
	return b;
}

/* openssl-libs: epoch, a source rpm of another name. */
static unsigned char *openssl_header(size_t *len)
{
	static const char *const dirs[] = { "/usr/lib64/" };
	static const char *const bases[] = { "libssl.so.3" };
	static const uint32_t di[] = { 0 };
	hb *h = calloc(1, sizeof(*h));
	unsigned char *b;
	uint32_t epoch = 1;

	hb_str(h, 1000, "openssl-libs");
	hb_str(h, 1001, "3.0.7");
	hb_str(h, 1002, "24.el9");
	hb_i32v(h, 1003, &epoch, 1);
	hb_str(h, 1022, "x86_64");
	hb_str(h, 1015, "Rocky Linux Build System (Peridot) <releng@rockylinux.org>");
	hb_str(h, 1044, "openssl-3.0.7-24.el9.src.rpm");
	hb_i32v(h, 1116, di, 1);
	hb_strv(h, 1117, bases, 1);
	hb_strv(h, 1118, dirs, 1);
	b = hb_blob(h, len);
	free(h);
	return b;
}

static unsigned char *pubkey_header(size_t *len)
{
	hb *h = calloc(1, sizeof(*h));
	unsigned char *b;

	hb_str(h, 1000, "gpg-pubkey");
	hb_str(h, 1001, "350d275d");
	b = hb_blob(h, len);
	free(h);
	return b;
}

/* ---- rpmdb.sqlite ----------------------------------------------------- */

typedef struct blobv {
	unsigned char *p;
	size_t len;
} blobv;

/* A serialized SQLite database holding the blobs (schema as rpm creates it). */
static unsigned char *make_db(const blobv *blobs, size_t n, const char *schema, size_t *len)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	sqlite3_int64 sz;
	unsigned char *ser, *out;
	size_t i;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL)", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	if (n) {
		assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO Packages (hnum, blob) VALUES (?, ?)", -1, &st, NULL),
				 SQLITE_OK);
		for (i = 0; i < n; i++) {
			sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
			sqlite3_bind_blob(st, 2, blobs[i].p, (int)blobs[i].len, SQLITE_STATIC);
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
	}
	ser = sqlite3_serialize(db, "main", &sz, 0);
	assert_non_null(ser);
	out = malloc((size_t)sz);
	memcpy(out, ser, (size_t)sz);
	sqlite3_free(ser);
	sqlite3_close(db);
	*len = (size_t)sz;
	return out;
}

static const char schema[] = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)";

static int has_note(const sc_catalog *cat, const char *needle)
{
	size_t i;

	for (i = 0; i < cat->n_notes; i++)
		if (strstr(cat->notes[i].message, needle))
			return 1;
	return 0;
}

static void test_rpmdb(void **state)
{
	blobv b[3];
	unsigned char *db;
	size_t dblen, i;
	tt_tar t;
	tt_blob tb;
	sc_catalog cat;
	const sc_package *p;

	(void)state;
	b[0].p = bash_header(&b[0].len);
	b[1].p = openssl_header(&b[1].len);
	b[2].p = pubkey_header(&b[2].len);
	db = make_db(b, 3, schema, &dblen);
	db[18] = db[19] = 2; /* as rpm leaves it: WAL mode */
	tt_tar_init(&t, 4 << 20);
	/* Fedora/RHEL 9 layout: var/lib/rpm -> ../../usr/lib/sysimage/rpm */
	tt_add(&t, "usr/lib/sysimage/rpm/rpmdb.sqlite", 'f', 0644, (const char *)db, dblen, NULL);
	tt_add(&t, "var/lib/rpm", 'l', 0777, NULL, 0, "../../usr/lib/sysimage/rpm");
	tt_finish(&t);
	tb.data = t.mem;
	tb.len = t.used;
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &tb, 1, &cat, NULL), 0);
	free(tb.data);
	free(db);
	for (i = 0; i < 3; i++)
		free(b[i].p);

	assert_int_equal(cat.n_notes, 0);
	assert_int_equal(cat.n_pkgs, 2); /* gpg-pubkey skipped; the db is read once */
	p = ct_pkg(&cat, SC_ECO_RPM, "bash");
	assert_non_null(p);
	assert_string_equal(p->version, "5.1.8-6.el9_1");
	assert_string_equal(p->arch, "x86_64");
	assert_null(p->source_name);
	assert_null(p->source_version);
	assert_string_equal(p->license, "GPLv3+");
	assert_string_equal(p->summary, "The GNU Bourne Again shell");
	assert_string_equal(p->supplier, "Rocky Enterprise Software Foundation");
	assert_string_equal(sc_kv_list_get(&p->props, "rpm.packager"),
			    "Rocky Linux Build System (Peridot) <releng@rockylinux.org>");
	assert_int_equal(p->installed_size, 7738634);
	assert_string_equal(p->location, "usr/lib/sysimage/rpm/rpmdb.sqlite");
	assert_int_equal(sc_strv_len(p->depends), 5);
	assert_string_equal(p->depends[0], "config(bash)");
	assert_string_equal(p->depends[1], "filesystem");
	assert_string_equal(p->depends[2], "libc.so.6()(64bit)");
	assert_string_equal(p->depends[4], "libtinfo.so.6()(64bit)");
	assert_int_equal(sc_strv_len(p->files), 5);
	assert_string_equal(p->files[0], "etc/skel/.bashrc");
	assert_string_equal(p->files[1], "usr/bin/bash");
	assert_string_equal(p->files[3], "usr/bin/sh");
	assert_string_equal(p->files[4], "usr/share/doc/bash/FAQ");

	p = ct_pkg(&cat, SC_ECO_RPM, "openssl-libs");
	assert_string_equal(p->version, "1:3.0.7-24.el9");
	assert_string_equal(p->source_name, "openssl");
	assert_null(p->source_version);
	assert_string_equal(p->supplier, "Rocky Linux Build System (Peridot) <releng@rockylinux.org>");
	assert_null(p->depends);
	assert_string_equal(p->files[0], "usr/lib64/libssl.so.3");
	sc_catalog_release(&cat);
}

/* Hostile headers: each gives a note; the good one is still listed. */
static void test_bad_headers(void **state)
{
	unsigned char *good, *bad;
	size_t len, i;
	sc_catalog cat;
	hb *h;

	(void)state;
	good = bash_header(&len);
	sc_catalog_init(&cat);
	/* truncated at every length */
	for (i = 0; i < len; i += 7)
		assert_int_equal(sc_rpm_parse_header(&cat, good, i, "db", "header 1"), 0);
	assert_int_equal(cat.n_pkgs, 0);
	assert_true(has_note(&cat, "truncated header"));

	bad = malloc(len);
	/* il overflow: il * 16 wraps a 32-bit size */
	memcpy(bad, good, len);
	put32(bad, 0x10000001);
	assert_int_equal(sc_rpm_parse_header(&cat, bad, len, "db", "header 2"), 0);
	assert_true(has_note(&cat, "bad index entry count"));
	/* dl overflow */
	memcpy(bad, good, len);
	put32(bad + 4, 0xfffffff0);
	assert_int_equal(sc_rpm_parse_header(&cat, bad, len, "db", "header 3"), 0);
	assert_true(has_note(&cat, "over 256 MiB"));
	/* offset of NAME (index entry 1) out of range */
	memcpy(bad, good, len);
	put32(bad + 8 + 16 + 8, 0x7fffffff);
	assert_int_equal(sc_rpm_parse_header(&cat, bad, len, "db", "header 4"), 0);
	assert_true(has_note(&cat, "offset outside the data"));
	/* a string array count far larger than the data */
	memcpy(bad, good, len);
	put32(bad + 8 + 11 * 16 + 12, 0x7fffffff); /* REQUIRENAME count */
	assert_int_equal(sc_rpm_parse_header(&cat, bad, len, "db", "header 5"), 0);
	assert_true(has_note(&cat, "string count larger than the data"));
	/* dirindex out of range: the package stays, its files do not */
	memcpy(bad, good, len);
	{
		uint32_t off = (uint32_t)bad[8 + 12 * 16 + 8] << 24 | (uint32_t)bad[8 + 12 * 16 + 9] << 16 |
			       (uint32_t)bad[8 + 12 * 16 + 10] << 8 | bad[8 + 12 * 16 + 11];

		put32(bad + 8 + 15 * 16 + off, 99); /* data starts after the 15 index entries */
	}
	assert_int_equal(sc_rpm_parse_header(&cat, bad, len, "db", "header 6"), 0);
	assert_true(has_note(&cat, "directory index out of range"));
	/* headers 5 and 6 keep their package, without lists */
	assert_int_equal(cat.n_pkgs, 2);
	assert_null(cat.pkgs[0].files);
	assert_null(cat.pkgs[0].depends);
	assert_null(cat.pkgs[1].files);
	assert_null(cat.pkgs[1].depends);
	free(bad);
	free(good);

	/* unterminated string at the end of the data; invalid UTF-8 in the summary */
	h = calloc(1, sizeof(*h));
	hb_str(h, 1000, "evil");
	hb_i18n(h, 1004, "caf\xe9 \xc0\xaf");
	hb_add(h, 1014, 6, "MIT", 3, 1, 1);
	bad = hb_blob(h, &len);
	assert_int_equal(sc_rpm_parse_header(&cat, bad, len, "db", "header 7"), 0);
	free(bad);
	memset(h, 0, sizeof(*h));
	hb_str(h, 1000, "utf");
	hb_i18n(h, 1004, "caf\xe9 \xc0\xaf");
	bad = hb_blob(h, &len);
	assert_int_equal(sc_rpm_parse_header(&cat, bad, len, "db", "header 8"), 0);
	free(bad);
	free(h);
	assert_int_equal(sc_catalog_finish(&cat), 0);
	assert_true(has_note(&cat, "not terminated"));
	assert_true(has_note(&cat, "invalid UTF-8"));
	assert_string_equal(ct_pkg(&cat, SC_ECO_RPM, "utf")->summary, "caf? ??");
	assert_int_equal(sc_rpm_parse_header(&cat, NULL, 0, "db", NULL), 0);
	sc_catalog_release(&cat);
}

static void test_bad_databases(void **state)
{
	static const char garbage[] = "SQLite format 3\0this is not really a database at all, just bytes "
				      "long enough to pass the first check of the parser.............";
	blobv b[1];
	unsigned char *db;
	size_t len;
	sc_catalog cat;

	(void)state;
	sc_catalog_init(&cat);
	assert_int_equal(sc_rpm_parse_sqlite(&cat, garbage, sizeof(garbage), "a"), 0);
	assert_int_equal(sc_rpm_parse_sqlite(&cat, "hello", 5, "b"), 0);
	b[0].p = bash_header(&b[0].len);
	/* Packages as a view: refused */
	db = make_db(NULL, 0, "CREATE TABLE t (hnum INTEGER, blob BLOB);"
		     "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
		     "SELECT x AS hnum, zeroblob(10) AS blob FROM c", &len);
	assert_int_equal(sc_rpm_parse_sqlite(&cat, db, len, "c"), 0);
	free(db);
	/* no Packages table */
	db = make_db(NULL, 0, "CREATE TABLE Other (x)", &len);
	assert_int_equal(sc_rpm_parse_sqlite(&cat, db, len, "d"), 0);
	free(db);
	/* a good database cut in half */
	db = make_db(b, 1, schema, &len);
	assert_int_equal(sc_rpm_parse_sqlite(&cat, db, len / 2, "e"), 0);
	free(db);
	free(b[0].p);
	assert_int_equal(sc_catalog_finish(&cat), 0);
	assert_int_equal(cat.n_pkgs, 0);
	assert_true(cat.n_notes >= 5);
	assert_true(has_note(&cat, "not an SQLite database"));
	assert_true(has_note(&cat, "no Packages table"));
	assert_true(has_note(&cat, "unreadable rpmdb"));
	sc_catalog_release(&cat);
}

static void test_berkeleydb(void **state)
{
	tt_tar t;
	tt_blob tb;
	sc_catalog cat;

	(void)state;
	tt_tar_init(&t, 1 << 20);
	tt_file(&t, "var/lib/rpm/Packages", "\0\0\0\0\x61\x15\x06\0");
	tt_file(&t, "var/lib/rpm/rpmdb.sqlite-wal", "x");
	tb = tt_finish(&t);
	sc_catalog_init(&cat);
	assert_int_equal(ct_run(cats, 1, &tb, 1, &cat, NULL), 0);
	free(tb.data);
	assert_int_equal(cat.n_pkgs, 0);
	assert_int_equal(cat.n_notes, 1);
	assert_int_equal(cat.notes[0].level, SC_NOTE_WARNING);
	assert_string_equal(cat.notes[0].message, "unsupported rpmdb format (BerkeleyDB); rpm packages not listed");
	sc_catalog_release(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpmdb),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_databases),
		cmocka_unit_test(test_berkeleydb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
