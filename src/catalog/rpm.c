/*
 * rpm.c - the rpm cataloger: RPM packages from the SQLite rpmdb
 * (var/lib/rpm/rpmdb.sqlite, usr/lib/sysimage/rpm/rpmdb.sqlite).
 *
 * The captured database is copied into SQLite's memory and opened with
 * sqlite3_deserialize(SQLITE_DESERIALIZE_READONLY): nothing touches the
 * disk.  A WAL-mode file is switched to rollback mode in the copy (memdb
 * cannot read WAL; an uncheckpointed -wal file is noted).  Hostile
 * databases: the Packages object must be a real table, values are capped
 * by SQLITE_LIMIT_LENGTH, and a progress handler bounds the work.
 * Each blob is an RPM v4 header without its magic
 * (https://rpm-software-management.github.io/rpm/manual/format_v4.html,
 * "Header"): il, dl, il index entries {tag, type, offset, count}, dl data
 * bytes; every offset, count and string is checked against the data.
 * BerkeleyDB (var/lib/rpm/Packages) and NDB (Packages.db) databases are
 * not read: a warning says so.
 * Props: "rpm.packager" (PACKAGER when VENDOR is the supplier).
 */
#include "catalog/rpm.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strv.h"
#include "core/utf8.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RP_PROGRESS_STEPS 1000
#define RP_PROGRESS_MAX 2000000 /* x RP_PROGRESS_STEPS virtual machine steps */

static const char *const rp_globs[] = { "var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite", NULL };
static const sc_interest rp_interest = {
	.name = "rpmdb", .globs = rp_globs, .capture_max = SC_RPM_DB_MAX,
};
static const sc_interest *const rp_interests[] = { &rp_interest, NULL };

enum {
	RPMTAG_NAME = 1000, RPMTAG_VERSION = 1001, RPMTAG_RELEASE = 1002, RPMTAG_EPOCH = 1003,
	RPMTAG_SUMMARY = 1004, RPMTAG_SIZE = 1009, RPMTAG_VENDOR = 1011, RPMTAG_LICENSE = 1014,
	RPMTAG_PACKAGER = 1015, RPMTAG_ARCH = 1022, RPMTAG_OLDFILENAMES = 1027, RPMTAG_SOURCERPM = 1044,
	RPMTAG_REQUIRENAME = 1049, RPMTAG_DIRINDEXES = 1116, RPMTAG_BASENAMES = 1117, RPMTAG_DIRNAMES = 1118,
	RPMTAG_LONGSIZE = 5009,
};
enum { T_INT32 = 4, T_INT64 = 5, T_STRING = 6, T_STRING_ARRAY = 8, T_I18NSTRING = 9 };

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- header ----------------------------------------------------------- */

typedef struct rp_entry {
	uint32_t type, offset, count;
	int set;
} rp_entry;

enum {
	E_NAME, E_VERSION, E_RELEASE, E_EPOCH, E_SUMMARY, E_SIZE, E_VENDOR, E_LICENSE, E_PACKAGER, E_ARCH,
	E_OLDFILENAMES, E_SOURCERPM, E_REQUIRENAME, E_DIRINDEXES, E_BASENAMES, E_DIRNAMES, E_LONGSIZE, E_COUNT
};

typedef struct rp_hdr {
	const unsigned char *data;
	uint32_t dl;
	rp_entry e[E_COUNT];
	const char *err; /* first problem found */
} rp_hdr;

static int rp_slot(uint32_t tag)
{
	switch (tag) {
	case RPMTAG_NAME: return E_NAME;
	case RPMTAG_VERSION: return E_VERSION;
	case RPMTAG_RELEASE: return E_RELEASE;
	case RPMTAG_EPOCH: return E_EPOCH;
	case RPMTAG_SUMMARY: return E_SUMMARY;
	case RPMTAG_SIZE: return E_SIZE;
	case RPMTAG_VENDOR: return E_VENDOR;
	case RPMTAG_LICENSE: return E_LICENSE;
	case RPMTAG_PACKAGER: return E_PACKAGER;
	case RPMTAG_ARCH: return E_ARCH;
	case RPMTAG_OLDFILENAMES: return E_OLDFILENAMES;
	case RPMTAG_SOURCERPM: return E_SOURCERPM;
	case RPMTAG_REQUIRENAME: return E_REQUIRENAME;
	case RPMTAG_DIRINDEXES: return E_DIRINDEXES;
	case RPMTAG_BASENAMES: return E_BASENAMES;
	case RPMTAG_DIRNAMES: return E_DIRNAMES;
	case RPMTAG_LONGSIZE: return E_LONGSIZE;
	}
	return -1;
}

/* Check the layout; record the entries of the tags used. 0 or -1 (h->err set). */
static int rp_hdr_load(rp_hdr *h, const unsigned char *blob, size_t len)
{
	uint32_t il, dl, i;
	uint64_t need;

	memset(h, 0, sizeof(*h));
	if (len < 8) {
		h->err = "truncated header (shorter than 8 bytes)";
		return -1;
	}
	il = be32(blob);
	dl = be32(blob + 4);
	if (il == 0 || il > SC_RPM_IL_MAX) {
		h->err = "bad index entry count";
		return -1;
	}
	if (dl > SC_RPM_DL_MAX) {
		h->err = "data length over 256 MiB";
		return -1;
	}
	need = 8 + (uint64_t)il * 16 + dl;
	if (need > len) {
		h->err = "truncated header (index or data past the end of the blob)";
		return -1;
	}
	h->data = blob + 8 + (size_t)il * 16;
	h->dl = dl;
	for (i = 0; i < il; i++) {
		const unsigned char *ie = blob + 8 + (size_t)i * 16;
		int s = rp_slot(be32(ie));

		if (s < 0 || h->e[s].set)
			continue;
		h->e[s].type = be32(ie + 4);
		h->e[s].offset = be32(ie + 8);
		h->e[s].count = be32(ie + 12);
		h->e[s].set = 1;
		if (h->e[s].offset >= dl) {
			h->err = "index entry offset outside the data";
			return -1;
		}
	}
	return 0;
}

/*
 * The strings of an entry (STRING: one; STRING_ARRAY / I18NSTRING: count),
 * each NUL-terminated inside the data.  *out (if non-NULL) gets `max`
 * pointers at most.  Returns the number of strings, 0 when absent, -1 when
 * malformed (h->err set).
 */
static long rp_strings(rp_hdr *h, int slot, const char **out, size_t max)
{
	const rp_entry *e = &h->e[slot];
	uint32_t n, i;
	size_t off;

	if (!e->set)
		return 0;
	if (e->type == T_STRING)
		n = 1;
	else if (e->type == T_STRING_ARRAY || e->type == T_I18NSTRING)
		n = e->count;
	else {
		h->err = "string tag with a non-string type";
		return -1;
	}
	if (n > h->dl - e->offset) { /* every string takes at least one byte */
		h->err = "string count larger than the data";
		return -1;
	}
	off = e->offset;
	for (i = 0; i < n; i++) {
		const unsigned char *nul;

		if (off >= h->dl || !(nul = memchr(h->data + off, 0, h->dl - off))) {
			h->err = "string not terminated inside the data";
			return -1;
		}
		if (out && i < max)
			out[i] = (const char *)h->data + off;
		off = (size_t)(nul - h->data) + 1;
	}
	return (long)n;
}

/* First string of an entry, or NULL (also when malformed: h->err set). */
static const char *rp_str(rp_hdr *h, int slot)
{
	const char *s = NULL;

	if (rp_strings(h, slot, &s, 1) <= 0)
		return NULL;
	return s;
}

/* The INT32 array of an entry: data pointer and count, or NULL. */
static const unsigned char *rp_int32s(rp_hdr *h, int slot, uint32_t *count)
{
	const rp_entry *e = &h->e[slot];

	*count = 0;
	if (!e->set)
		return NULL;
	if (e->type != T_INT32 || (uint64_t)e->offset + (uint64_t)e->count * 4 > h->dl) {
		h->err = "integer entry outside the data";
		return NULL;
	}
	*count = e->count;
	return h->data + e->offset;
}

static int rp_dup(char **out, const char *s, int *bad)
{
	*out = NULL;
	if (!s || !*s)
		return 0;
	if (!(*out = sc_strdup(s)))
		return SC_ENOMEM;
	if (sc_utf8_sanitize(*out))
		*bad = 1;
	return 0;
}

/* An owned path "/usr/bin/x" (dir + base, either may be empty) into files. */
static int rp_add_file(sc_strv *files, size_t *bytes, const char *dir, const char *base, int *dropped)
{
	char joined[SC_PATH_MAX], clean[SC_PATH_MAX];
	size_t dl = strlen(dir), bl = strlen(base);
	unsigned flags = 0;
	char *s;

	if (dl + bl + 1 > sizeof(joined)) {
		*dropped = 1;
		return 0;
	}
	memcpy(joined, dir, dl);
	memcpy(joined + dl, base, bl + 1);
	if (sc_path_clean(clean, sizeof(clean), joined, &flags) != 0 || !clean[0] || (flags & SC_PATH_ESCAPES)) {
		sc_error_clear();
		*dropped = 1;
		return 0;
	}
	if (*bytes + strlen(clean) + 1 > SC_RPM_FILE_BYTES_MAX) {
		*dropped = 1;
		return 0;
	}
	*bytes += strlen(clean) + 1;
	if (!(s = sc_strdup(clean)))
		return SC_ENOMEM;
	sc_utf8_sanitize(s);
	return sc_strv_push(files, s);
}

static int rp_files(rp_hdr *h, sc_strv *files, int *dropped)
{
	const char **base = NULL, **dirs = NULL;
	const unsigned char *idx;
	uint32_t n_idx, i;
	long nb, nd;
	size_t bytes = 0;
	int rc = 0;

	nb = rp_strings(h, E_BASENAMES, NULL, 0);
	nd = rp_strings(h, E_DIRNAMES, NULL, 0);
	idx = rp_int32s(h, E_DIRINDEXES, &n_idx);
	if (nb < 0 || nd < 0 || h->err)
		return 0;
	if (nb == 0) {
		/* Old packages: OLDFILENAMES holds full paths. */
		long no = rp_strings(h, E_OLDFILENAMES, NULL, 0);

		if (no <= 0)
			return 0;
		if (!(base = sc_calloc((size_t)no, sizeof(*base))))
			return SC_ENOMEM;
		rp_strings(h, E_OLDFILENAMES, base, (size_t)no);
		for (i = 0; i < (uint32_t)no && rc == 0; i++)
			rc = rp_add_file(files, &bytes, "", base[i], dropped);
		free(base);
		return rc;
	}
	if (!idx || n_idx != (uint32_t)nb || nd == 0) {
		h->err = "file name tags do not match";
		return 0;
	}
	base = sc_calloc((size_t)nb, sizeof(*base));
	dirs = sc_calloc((size_t)nd, sizeof(*dirs));
	if (!base || !dirs) {
		rc = SC_ENOMEM;
		goto out;
	}
	rp_strings(h, E_BASENAMES, base, (size_t)nb);
	rp_strings(h, E_DIRNAMES, dirs, (size_t)nd);
	for (i = 0; i < n_idx && rc == 0; i++) {
		uint32_t d = be32(idx + (size_t)i * 4);

		if (d >= (uint32_t)nd) {
			h->err = "file directory index out of range";
			break;
		}
		rc = rp_add_file(files, &bytes, dirs[d], base[i], dropped);
	}
out:
	free(base);
	free(dirs);
	return rc;
}

static int rp_depends(rp_hdr *h, sc_strv *deps, int *dropped)
{
	const char **req;
	long n, i;
	int rc = 0;

	n = rp_strings(h, E_REQUIRENAME, NULL, 0);
	if (n <= 0)
		return 0;
	if (!(req = sc_calloc((size_t)n, sizeof(*req))))
		return SC_ENOMEM;
	rp_strings(h, E_REQUIRENAME, req, (size_t)n);
	for (i = 0; i < n && rc == 0; i++) {
		char *s;

		if (!req[i][0] || req[i][0] == '/' || strncmp(req[i], "rpmlib(", 7) == 0)
			continue;
		if (deps->n >= SC_RPM_MAX_DEPENDS) {
			*dropped = 1;
			break;
		}
		if (!(s = sc_strdup(req[i]))) {
			rc = SC_ENOMEM;
			break;
		}
		sc_utf8_sanitize(s);
		rc = sc_strv_push(deps, s);
	}
	free(req);
	if (!rc)
		sc_strv_sort_uniq(deps);
	return rc;
}

/* "bash-5.1.8-6.el9.src.rpm" -> name "bash", version "5.1.8-6.el9". */
static int rp_source(sc_package *p, const char *srpm, const char *verrel)
{
	size_t n = strlen(srpm), i;
	const char *sfx[] = { ".src.rpm", ".nosrc.rpm" };
	const char *d1 = NULL, *d2 = NULL;

	for (i = 0; i < 2; i++) {
		size_t l = strlen(sfx[i]);

		if (n > l && strcmp(srpm + n - l, sfx[i]) == 0) {
			n -= l;
			break;
		}
	}
	for (i = n; i > 0; i--) {
		if (srpm[i - 1] == '-') {
			if (!d2)
				d2 = srpm + i - 1;
			else {
				d1 = srpm + i - 1;
				break;
			}
		}
	}
	if (!d1 || d1 == srpm)
		return 0;
	if (strncmp(srpm, p->name, (size_t)(d1 - srpm)) != 0 || p->name[d1 - srpm] != '\0')
		if (!(p->source_name = sc_strndup(srpm, (size_t)(d1 - srpm))))
			return SC_ENOMEM;
	if (strlen(verrel) != (size_t)(srpm + n - d1 - 1) || strncmp(verrel, d1 + 1, strlen(verrel)) != 0) {
		if (!(p->source_version = sc_strndup(d1 + 1, (size_t)(srpm + n - d1 - 1))))
			return SC_ENOMEM;
		if (!p->source_name && !(p->source_name = sc_strdup(p->name)))
			return SC_ENOMEM;
	}
	if (p->source_name)
		sc_utf8_sanitize(p->source_name);
	if (p->source_version)
		sc_utf8_sanitize(p->source_version);
	return 0;
}

int sc_rpm_parse_header(sc_catalog *cat, const void *blob, size_t len, const char *location, const char *what)
{
	rp_hdr h;
	sc_package p;
	sc_strv files, deps;
	const char *name, *ver, *rel, *vendor, *packager;
	char verrel[1024], *version = NULL;
	const unsigned char *ip;
	uint32_t n;
	int bad = 0, fdrop = 0, ddrop = 0, rc = 0;

	memset(&p, 0, sizeof(p));
	memset(&files, 0, sizeof(files));
	memset(&deps, 0, sizeof(deps));
	if (!what)
		what = "header";
	if (rp_hdr_load(&h, blob, len) != 0)
		goto bad;
	name = rp_str(&h, E_NAME);
	ver = rp_str(&h, E_VERSION);
	rel = rp_str(&h, E_RELEASE);
	if (h.err)
		goto bad;
	if (!name || !*name) {
		h.err = "no package name";
		goto bad;
	}
	if (strcmp(name, "gpg-pubkey") == 0)
		return 0; /* an imported signing key, not a package */
	p.eco = SC_ECO_RPM;
	p.location = (char *)location;
	if ((rc = rp_dup(&p.name, name, &bad)) != 0)
		goto out;
	snprintf(verrel, sizeof(verrel), "%.500s%s%.500s", ver ? ver : "", rel ? "-" : "", rel ? rel : "");
	ip = rp_int32s(&h, E_EPOCH, &n);
	if (h.err)
		goto bad;
	if (ip && n >= 1) {
		char ev[1100];

		snprintf(ev, sizeof(ev), "%u:%s", be32(ip), verrel);
		rc = rp_dup(&version, ev, &bad);
	} else {
		rc = rp_dup(&version, verrel, &bad);
	}
	if (rc)
		goto out;
	p.version = version;
	vendor = rp_str(&h, E_VENDOR);
	packager = rp_str(&h, E_PACKAGER);
	if ((rc = rp_dup(&p.arch, rp_str(&h, E_ARCH), &bad)) || (rc = rp_dup(&p.summary, rp_str(&h, E_SUMMARY), &bad)) ||
	    (rc = rp_dup(&p.license, rp_str(&h, E_LICENSE), &bad)) ||
	    (rc = rp_dup(&p.supplier, vendor && *vendor ? vendor : packager, &bad)))
		goto out;
	if (vendor && *vendor && packager && *packager) {
		char *pk = NULL;

		if ((rc = rp_dup(&pk, packager, &bad)) == 0)
			rc = sc_kv_list_add(&p.props, "rpm.packager", pk);
		free(pk);
		if (rc)
			goto out;
	}
	{
		const char *srpm = rp_str(&h, E_SOURCERPM);

		if (srpm && (rc = rp_source(&p, srpm, verrel)) != 0)
			goto out;
	}
	ip = rp_int32s(&h, E_SIZE, &n);
	if (ip && n >= 1)
		p.installed_size = be32(ip);
	if (h.e[E_LONGSIZE].set && h.e[E_LONGSIZE].type == T_INT64 && h.e[E_LONGSIZE].count >= 1 &&
	    (uint64_t)h.e[E_LONGSIZE].offset + 8 <= h.dl) {
		const unsigned char *q = h.data + h.e[E_LONGSIZE].offset;

		p.installed_size = (uint64_t)be32(q) << 32 | be32(q + 4);
	}
	if ((rc = rp_depends(&h, &deps, &ddrop)) != 0 || (rc = rp_files(&h, &files, &fdrop)) != 0)
		goto out;
	if (h.err) {
		/* The package is known; only its lists are unusable. */
		if ((rc = sc_catalog_note(cat, SC_NOTE_WARNING, "rpm", location,
					  "%s: package '%s': %s; dependencies and files not listed", what, p.name,
					  h.err)) != 0)
			goto out;
		sc_strv_release(&deps);
		sc_strv_release(&files);
		ddrop = fdrop = 0;
	}
	p.depends = deps.n ? deps.v : NULL;
	p.files = files.n ? files.v : NULL;
	if (bad && (rc = sc_catalog_note(cat, SC_NOTE_WARNING, "rpm", location,
					 "%s: package '%s': invalid UTF-8 or control bytes replaced with '?'", what,
					 p.name)) != 0)
		goto out;
	if (ddrop && (rc = sc_catalog_note(cat, SC_NOTE_WARNING, "rpm", location,
					   "%s: package '%s': more than %d dependencies, the rest dropped", what, p.name,
					   SC_RPM_MAX_DEPENDS)) != 0)
		goto out;
	if (fdrop && (rc = sc_catalog_note(cat, SC_NOTE_WARNING, "rpm", location,
					   "%s: package '%s': unusable or too many file paths dropped", what, p.name)) != 0)
		goto out;
	rc = sc_catalog_add_package(cat, &p, NULL);
	goto out;
bad:
	rc = sc_catalog_note(cat, SC_NOTE_WARNING, "rpm", location, "%s: %s; package skipped", what,
			     h.err ? h.err : "malformed");
out:
	free(p.name);
	free(version);
	free(p.arch);
	free(p.summary);
	free(p.license);
	free(p.supplier);
	free(p.source_name);
	free(p.source_version);
	sc_kv_list_release(&p.props);
	sc_strv_release(&files);
	sc_strv_release(&deps);
	return rc;
}

/* ---- SQLite ----------------------------------------------------------- */

static int rp_progress(void *ud)
{
	unsigned long *steps = ud;

	return ++*steps > RP_PROGRESS_MAX;
}

int sc_rpm_parse_sqlite(sc_catalog *cat, const void *data, size_t len, const char *location)
{
	static const char magic[16] = "SQLite format 3";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *copy;
	unsigned long steps = 0;
	const char *problem = NULL;
	int rc = 0, src;

	if (len < 100 || memcmp(data, magic, 16) != 0)
		return sc_catalog_note(cat, SC_NOTE_ERROR, "rpm", location, "not an SQLite database; rpm packages not listed");
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_PRIVATECACHE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return sc_error_set(SC_ENOMEM, "rpmdb: cannot open an in-memory SQLite connection");
	}
	copy = sqlite3_malloc64(len);
	if (!copy) {
		sqlite3_close(db);
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	memcpy(copy, data, len);
	/* memdb cannot read WAL mode: make the copy a rollback-journal database. */
	if (copy[18] == 2 && copy[19] == 2)
		copy[18] = copy[19] = 1;
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)(SC_RPM_DL_MAX + SC_RPM_IL_MAX * 16 + 8));
	sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 4096);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_progress_handler(db, RP_PROGRESS_STEPS, rp_progress, &steps);
	src = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				  SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
	if (src != SQLITE_OK) {
		problem = sqlite3_errmsg(db);
		goto note;
	}
	src = sqlite3_prepare_v2(db, "SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE", -1, &st,
				 NULL);
	if (src != SQLITE_OK) {
		problem = sqlite3_errmsg(db);
		goto note;
	}
	src = sqlite3_step(st);
	if (src != SQLITE_ROW || sqlite3_column_type(st, 0) != SQLITE_TEXT || !sqlite3_column_text(st, 0) ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "table") != 0) {
		problem = src == SQLITE_ROW || src == SQLITE_DONE ? "no Packages table" : sqlite3_errmsg(db);
		goto note;
	}
	sqlite3_finalize(st);
	st = NULL;
	src = sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages", -1, &st, NULL);
	if (src != SQLITE_OK) {
		problem = sqlite3_errmsg(db);
		goto note;
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		char what[64];
		const void *blob = sqlite3_column_blob(st, 1);
		int bl = sqlite3_column_bytes(st, 1);

		snprintf(what, sizeof(what), "header %lld", (long long)sqlite3_column_int64(st, 0));
		if ((rc = sc_rpm_parse_header(cat, blob, blob && bl > 0 ? (size_t)bl : 0, location, what)) != 0)
			goto out;
	}
	if (src != SQLITE_DONE) {
		problem = steps > RP_PROGRESS_MAX ? "too much work reading the database" : sqlite3_errmsg(db);
		goto note;
	}
	goto out;
note:
	rc = sc_catalog_note(cat, SC_NOTE_ERROR, "rpm", location, "unreadable rpmdb (%s); rpm packages may be missing",
			     problem ? problem : "unknown error");
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* ---- the cataloger ---------------------------------------------------- */

/* The regular file at path (symlinks followed), or NULL. */
static const sc_fsnode *rp_file(const sc_fsview *view, const char *path)
{
	const sc_fsnode *n = NULL;

	if (sc_fsview_resolve(view, path, 1, &n, NULL, 0) != 0 || !n) {
		sc_error_clear();
		return NULL;
	}
	if (n->e.type != SC_FT_REG && n->e.type != SC_FT_HARDLINK)
		return NULL;
	return n;
}

static int rp_collect(const sc_fsview *view, sc_catalog *cat)
{
	static const char *const dbs[] = { "usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite" };
	static const struct {
		const char *path, *kind;
	} legacy[] = {
		{ "var/lib/rpm/Packages", "BerkeleyDB" },
		{ "usr/lib/sysimage/rpm/Packages", "BerkeleyDB" },
		{ "var/lib/rpm/Packages.db", "NDB" },
		{ "usr/lib/sysimage/rpm/Packages.db", "NDB" },
	};
	const sc_fsnode *seen[2] = { NULL, NULL };
	size_t i;
	int parsed = 0, rc;

	for (i = 0; i < 2; i++) {
		const sc_fsnode *n = rp_file(view, dbs[i]);
		const sc_capture *cap;
		char wal[64];

		if (!n || n == seen[0])
			continue;
		seen[i] = n;
		if (!(cap = sc_fsnode_capture(n, &rp_interest))) {
			if ((rc = sc_catalog_note(cat, SC_NOTE_WARNING, "rpm", dbs[i],
						  "rpmdb resolves to '%s', which was not read; rpm packages not listed",
						  n->e.path)) != 0)
				return rc;
			continue;
		}
		if (cap->truncated) {
			if ((rc = sc_catalog_note(cat, SC_NOTE_ERROR, "rpm", dbs[i],
						  "rpmdb larger than %u MiB, not read; rpm packages not listed",
						  SC_RPM_DB_MAX >> 20)) != 0)
				return rc;
			continue;
		}
		snprintf(wal, sizeof(wal), "%s-wal", dbs[i]);
		{
			const sc_fsnode *w = rp_file(view, wal);

			if (w && w->e.size > 0 &&
			    (rc = sc_catalog_note(cat, SC_NOTE_INFO, "rpm", wal,
						  "write-ahead log not applied; recent rpm transactions may be missing")) != 0)
				return rc;
		}
		if ((rc = sc_rpm_parse_sqlite(cat, cap->data, cap->len, dbs[i])) != 0)
			return rc;
		parsed = 1;
	}
	for (i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		if (!rp_file(view, legacy[i].path))
			continue;
		if (parsed)
			rc = sc_catalog_note(cat, SC_NOTE_INFO, "rpm", legacy[i].path,
					     "legacy rpmdb (%s) ignored; rpmdb.sqlite used", legacy[i].kind);
		else
			rc = sc_catalog_note(cat, SC_NOTE_WARNING, "rpm", legacy[i].path,
					     "unsupported rpmdb format (%s); rpm packages not listed", legacy[i].kind);
		if (rc)
			return rc;
	}
	return 0;
}

const sc_cataloger sc_cataloger_rpm = { "rpm", rp_interests, rp_collect };
