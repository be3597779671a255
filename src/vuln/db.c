/*
 * db.c - the vulnerability database (db.h) on SQLite 3.
 *
 * Schema (PRAGMA user_version = SC_VULNDB_SCHEMA):
 *   source(id, name UNIQUE, kind, location, imported_at, records, skipped)
 *   vuln(id, source, vid, summary, details, published, modified, withdrawn,
 *        severity, cvss_v2, cvss_v3, cvss_v3_score, cvss_v4, cvss_v4_score, refs)
 *   alias(vuln, alias)
 *   affected(vuln, ecosystem, release, name, status, severity, ranges, versions)
 *     index (ecosystem, name, release): a package lookup is one index probe.
 * Ranges are stored as text, one range per line: a type letter (E, S, G)
 * then space-separated events "i:VERSION", "f:...", "l:...", "m:...";
 * versions one per line.  Importers reject versions containing whitespace,
 * so the encoding is unambiguous.
 *
 * SQLite docs: https://www.sqlite.org/c3ref/intro.html
 */
#include "vuln/db.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/strv.h"
#include "vuln/cvss.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DETAILS_MAX 4096
#define RANGES_MAX SC_VULN_MAX_RANGES /* per affected entry, as decoded */
#define EVENTS_MAX 4096        /* per affected entry, as decoded */

enum {
	ST_DEL_AFFECTED, ST_DEL_ALIAS, ST_DEL_VULN, ST_SOURCE_ID, ST_SOURCE_INS,
	ST_VULN_INS, ST_ALIAS_INS, ST_AFF_INS, ST_LOOKUP, ST_LOOKUP_NOREL,
	ST_ADV, ST_ADV_ALIASES, ST__N
};

static const char *const stmt_sql[ST__N] = {
	[ST_DEL_AFFECTED] = "DELETE FROM affected WHERE vuln IN (SELECT id FROM vuln WHERE source = ?1)",
	[ST_DEL_ALIAS] = "DELETE FROM alias WHERE vuln IN (SELECT id FROM vuln WHERE source = ?1)",
	[ST_DEL_VULN] = "DELETE FROM vuln WHERE source = ?1",
	[ST_SOURCE_ID] = "SELECT id FROM source WHERE name = ?1",
	[ST_SOURCE_INS] = "INSERT INTO source(name, kind, location, imported_at) VALUES (?1, ?2, ?3, '')",
	[ST_VULN_INS] = "INSERT INTO vuln(source, vid, summary, details, published, modified, withdrawn, severity,"
			" cvss_v2, cvss_v3, cvss_v3_score, cvss_v4, cvss_v4_score, refs)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[ST_ALIAS_INS] = "INSERT INTO alias(vuln, alias) VALUES (?1, ?2)",
	[ST_AFF_INS] = "INSERT INTO affected(vuln, ecosystem, release, name, status, severity, ranges, versions)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_LOOKUP] = "SELECT a.vuln, v.vid, s.name, a.ecosystem, a.release, a.name, a.status, a.severity,"
		      " a.ranges, a.versions FROM affected a JOIN vuln v ON v.id = a.vuln"
		      " JOIN source s ON s.id = v.source"
		      " WHERE a.ecosystem = ?1 AND a.name = ?2 AND a.release IN (?3, '') AND v.withdrawn = 0"
		      " ORDER BY v.vid, a.rowid",
	[ST_LOOKUP_NOREL] = "SELECT a.vuln, v.vid, s.name, a.ecosystem, a.release, a.name, a.status, a.severity,"
			    " a.ranges, a.versions FROM affected a JOIN vuln v ON v.id = a.vuln"
			    " JOIN source s ON s.id = v.source"
			    " WHERE a.ecosystem = ?1 AND a.name = ?2 AND a.release = '' AND v.withdrawn = 0"
			    " ORDER BY v.vid, a.rowid",
	[ST_ADV] = "SELECT vid, summary, details, published, modified, severity, cvss_v2, cvss_v3,"
		   " cvss_v3_score, cvss_v4, cvss_v4_score, refs FROM vuln WHERE id = ?1",
	[ST_ADV_ALIASES] = "SELECT alias FROM alias WHERE vuln = ?1 ORDER BY rowid",
};

static const char schema_v1[] =
	"CREATE TABLE source ("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, location TEXT,"
	"  imported_at TEXT NOT NULL, records INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE vuln ("
	"  id INTEGER PRIMARY KEY, source INTEGER NOT NULL REFERENCES source(id), vid TEXT NOT NULL,"
	"  summary TEXT, details TEXT, published TEXT, modified TEXT, withdrawn INTEGER NOT NULL DEFAULT 0,"
	"  severity TEXT, cvss_v2 TEXT, cvss_v3 TEXT, cvss_v3_score REAL, cvss_v4 TEXT, cvss_v4_score REAL,"
	"  refs TEXT);"
	"CREATE INDEX vuln_source ON vuln(source);"
	"CREATE INDEX vuln_vid ON vuln(vid);"
	"CREATE TABLE alias (vuln INTEGER NOT NULL, alias TEXT NOT NULL);"
	"CREATE INDEX alias_vuln ON alias(vuln);"
	"CREATE INDEX alias_alias ON alias(alias);"
	"CREATE TABLE affected ("
	"  vuln INTEGER NOT NULL, ecosystem TEXT NOT NULL, release TEXT NOT NULL DEFAULT '',"
	"  name TEXT NOT NULL, status INTEGER NOT NULL, severity TEXT, ranges TEXT, versions TEXT);"
	"CREATE INDEX affected_pkg ON affected(ecosystem, name, release);"
	"CREATE INDEX affected_vuln ON affected(vuln);";

/* Migrations: migrations[n] takes schema n to n + 1. */
static const char *const migrations[] = { schema_v1 };

struct sc_vulndb {
	sqlite3 *h;
	char *path;
	int writable;
	int in_tx;
	sqlite3_int64 source_id;
	sqlite3_stmt *st[ST__N];
	sc_buf enc; /* scratch for range/versions/refs encoding */
};

static int db_err(sc_vulndb *db, int rc, const char *what)
{
	int code = SC_EINTERNAL;

	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		code = SC_EINPUT;
	else if (rc == SQLITE_NOMEM)
		code = SC_ENOMEM;
	else if (rc == SQLITE_CANTOPEN || rc == SQLITE_IOERR || rc == SQLITE_FULL || rc == SQLITE_READONLY ||
		 rc == SQLITE_BUSY || rc == SQLITE_PERM)
		code = SC_EIO;
	return sc_error_set(code, "vulnerability database %s: %s: %s", db->path, what,
			    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
}

static int exec(sc_vulndb *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_err(db, rc, "statement failed");
}

static int stmt(sc_vulndb *db, int which, sqlite3_stmt **out)
{
	int rc;

	if (!db->st[which]) {
		rc = sqlite3_prepare_v3(db->h, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &db->st[which], NULL);
		if (rc != SQLITE_OK)
			return db_err(db, rc, "preparing a statement");
	}
	sqlite3_reset(db->st[which]);
	sqlite3_clear_bindings(db->st[which]);
	*out = db->st[which];
	return 0;
}

static int mkdirs(const char *path)
{
	char *p = sc_strdup(path), *s;
	int ret = 0;

	if (!p)
		return SC_ENOMEM;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			ret = sc_error_set_errno(SC_EIO, errno, "creating %s", p);
			break;
		}
		*s = '/';
	}
	free(p);
	return ret;
}

int sc_vulndb_default_path(char **out)
{
	const char *env = getenv("SCUTE_DB"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	sc_buf b;

	sc_buf_init(&b, 4096, "database path");
	if (env && *env)
		sc_buf_puts(&b, env);
	else if (xdg && xdg[0] == '/')
		sc_buf_printf(&b, "%s/scute/vulndb.sqlite", xdg);
	else if (home && home[0] == '/')
		sc_buf_printf(&b, "%s/.cache/scute/vulndb.sqlite", home);
	else {
		sc_buf_release(&b);
		return sc_error_set(SC_EUSAGE, "no database location: set SCUTE_DB, XDG_CACHE_HOME or HOME, or pass --db");
	}
	if (b.len == 0 || !b.data) {
		sc_buf_release(&b);
		return sc_error_code() ? sc_error_code() : SC_ENOMEM;
	}
	*out = sc_buf_detach(&b, NULL);
	return 0;
}

static int user_version(sc_vulndb *db, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return db_err(db, rc, "reading the schema version");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_err(db, rc, "reading the schema version");
	}
	*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int has_tables(sc_vulndb *db, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, "SELECT count(*) FROM sqlite_master", -1, &s, NULL);

	if (rc != SQLITE_OK)
		return db_err(db, rc, "reading the schema");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_err(db, rc, "reading the schema");
	}
	*out = sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	return 0;
}

static int migrate(sc_vulndb *db)
{
	int v = 0, tables = 0, ret;
	char sql[64];

	if ((ret = user_version(db, &v)) != 0)
		return ret;
	if (v > SC_VULNDB_SCHEMA)
		return sc_error_set(SC_EUNSUPPORTED,
				    "vulnerability database %s has schema %d, newer than this scute's %d: upgrade scute",
				    db->path, v, SC_VULNDB_SCHEMA);
	if (v == SC_VULNDB_SCHEMA)
		return 0;
	if (v == 0) {
		if ((ret = has_tables(db, &tables)) != 0)
			return ret;
		if (tables)
			return sc_error_set(SC_EINPUT, "%s is an SQLite file but not a scute vulnerability database",
					    db->path);
	}
	if (!db->writable)
		return sc_error_set(SC_EUNSUPPORTED,
				    "vulnerability database %s has schema %d: run 'scute db import' or 'scute db update' to migrate it",
				    db->path, v);
	if ((ret = exec(db, "BEGIN IMMEDIATE")) != 0)
		return ret;
	for (; v < SC_VULNDB_SCHEMA; v++) {
		if ((ret = exec(db, migrations[v])) != 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((ret = exec(db, sql)) != 0)
			goto fail;
	}
	return exec(db, "COMMIT");
fail:
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

int sc_vulndb_open(sc_vulndb **out, const char *path, int writable)
{
	sc_vulndb *db;
	struct stat st;
	int rc, ret, flags;

	db = sc_calloc(1, sizeof(*db));
	if (!db)
		return SC_ENOMEM;
	db->writable = writable;
	sc_buf_init(&db->enc, 64u << 20, "advisory encoding");
	if (!(db->path = sc_strdup(path))) {
		ret = SC_ENOMEM;
		goto fail;
	}
	if (!writable && stat(path, &st) != 0) {
		ret = errno == ENOENT
			      ? sc_error_set(SC_ENOTFOUND,
					     "no vulnerability database at %s: run 'scute db import PATH' or 'scute db update' first",
					     path)
			      : sc_error_set_errno(SC_EIO, errno, "vulnerability database %s", path);
		goto fail;
	}
	if (writable && (ret = mkdirs(path)) != 0)
		goto fail;
	flags = (writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
		SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(path, &db->h, flags, NULL);
	if (rc != SQLITE_OK) {
		ret = db_err(db, rc, "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 0);
	sqlite3_busy_timeout(db->h, 10000);
	if ((ret = migrate(db)) != 0)
		goto fail;
	/* Lookups touch scattered pages: map the file rather than read() each page. */
	if ((ret = exec(db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768")) != 0)
		goto fail;
	if (writable && (ret = exec(db, "PRAGMA synchronous = NORMAL")) != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	sc_vulndb_close(db);
	return ret;
}

void sc_vulndb_close(sc_vulndb *db)
{
	size_t i;

	if (!db)
		return;
	if (db->in_tx)
		sc_vulndb_rollback(db);
	for (i = 0; i < ST__N; i++)
		sqlite3_finalize(db->st[i]);
	sqlite3_close(db->h);
	sc_buf_release(&db->enc);
	free(db->path);
	free(db);
}

static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

static int step_done(sc_vulndb *db, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE)
		return db_err(db, rc, what);
	return 0;
}

int sc_vulndb_begin_source(sc_vulndb *db, const char *name, const char *kind, const char *location)
{
	sqlite3_stmt *s = NULL;
	int ret, rc, i;

	if (!db->writable || db->in_tx)
		return sc_error_set(SC_EUSAGE, "vulnerability database: source import already open or read-only");
	if ((ret = exec(db, "BEGIN IMMEDIATE")) != 0)
		return ret;
	db->in_tx = 1;
	if ((ret = stmt(db, ST_SOURCE_ID, &s)) != 0)
		goto fail;
	bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		db->source_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		for (i = ST_DEL_AFFECTED; i <= ST_DEL_VULN; i++) {
			if ((ret = stmt(db, i, &s)) != 0)
				goto fail;
			sqlite3_bind_int64(s, 1, db->source_id);
			if ((ret = step_done(db, s, "removing the previous import")) != 0)
				goto fail;
		}
		s = NULL;
		rc = sqlite3_prepare_v2(db->h, "UPDATE source SET kind = ?2, location = ?3 WHERE id = ?1", -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, db->source_id);
			bind_text(s, 2, kind);
			bind_text(s, 3, location);
			ret = step_done(db, s, "updating the source");
		} else
			ret = db_err(db, rc, "updating the source");
		sqlite3_finalize(s);
		if (ret)
			goto fail;
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		if ((ret = stmt(db, ST_SOURCE_INS, &s)) != 0)
			goto fail;
		bind_text(s, 1, name);
		bind_text(s, 2, kind);
		bind_text(s, 3, location);
		if ((ret = step_done(db, s, "adding the source")) != 0)
			goto fail;
		db->source_id = sqlite3_last_insert_rowid(db->h);
	} else {
		ret = db_err(db, rc, "finding the source");
		goto fail;
	}
	return 0;
fail:
	sc_vulndb_rollback(db);
	return ret;
}

/* Append s + sep, failing on whitespace that would break the encoding. */
static int enc_word(sc_buf *b, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ')
			return sc_error_set(SC_EINPUT, "version '%s' contains whitespace", s);
	return sc_buf_puts(b, s);
}

static int encode_ranges(sc_buf *b, const sc_vuln_affected *a)
{
	size_t r, e;
	int ret;

	sc_buf_reset(b);
	for (r = 0; r < a->n_ranges; r++) {
		const sc_vuln_range *rg = &a->ranges[r];
		char t = rg->type == SC_RANGE_SEMVER ? 'S' : rg->type == SC_RANGE_GIT ? 'G' : 'E';

		if (r && (ret = sc_buf_putc(b, '\n')) != 0)
			return ret;
		if ((ret = sc_buf_putc(b, t)) != 0)
			return ret;
		for (e = 0; e < rg->n_events; e++) {
			char k = (char)rg->events[e].kind;

			if (k != 'i' && k != 'f' && k != 'l' && k != 'm')
				return sc_error_set(SC_EINPUT, "unknown range event kind");
			if ((ret = sc_buf_printf(b, " %c:", k)) != 0 || (ret = enc_word(b, rg->events[e].version)) != 0)
				return ret;
		}
	}
	return sc_buf_putc(b, '\0');
}

static int encode_lines(sc_buf *b, const char *const *v, size_t n, int words)
{
	size_t i;
	int ret;

	sc_buf_reset(b);
	for (i = 0; i < n; i++) {
		if (!words && (!v[i] || !*v[i] || strchr(v[i], '\n')))
			continue; /* a reference that would break the line encoding */
		if (b->len && (ret = sc_buf_putc(b, '\n')) != 0)
			return ret;
		if (words)
			ret = enc_word(b, v[i]);
		else
			ret = sc_buf_puts(b, v[i]);
		if (ret)
			return ret;
	}
	return sc_buf_putc(b, '\0');
}

static void bind_cvss(sqlite3_stmt *s, int vi, int si, const char *vector)
{
	sc_cvss c;

	bind_text(s, vi, vector);
	if (vector && sc_cvss_parse(&c, vector) == 0)
		sqlite3_bind_double(s, si, c.base_score);
	else
		sqlite3_bind_null(s, si);
}

int sc_vulndb_add(void *ud, const sc_vuln_record *rec)
{
	sc_vulndb *db = ud;
	sqlite3_stmt *s = NULL;
	sqlite3_int64 key;
	char *details = NULL;
	size_t i;
	int ret;

	if (!db->in_tx)
		return sc_error_set(SC_EUSAGE, "vulnerability database: no source import open");
	if (!rec->id || !*rec->id)
		return 0;
	if (rec->details && strlen(rec->details) > DETAILS_MAX) {
		size_t n = DETAILS_MAX;

		while (n > 0 && ((unsigned char)rec->details[n] & 0xc0) == 0x80)
			n--;
		if (!(details = sc_strndup(rec->details, n)))
			return SC_ENOMEM;
	}
	if ((ret = stmt(db, ST_VULN_INS, &s)) != 0)
		goto out;
	sqlite3_bind_int64(s, 1, db->source_id);
	bind_text(s, 2, rec->id);
	bind_text(s, 3, rec->summary);
	bind_text(s, 4, details ? details : rec->details);
	bind_text(s, 5, rec->published);
	bind_text(s, 6, rec->modified);
	sqlite3_bind_int(s, 7, rec->withdrawn ? 1 : 0);
	bind_text(s, 8, rec->severity);
	bind_text(s, 9, rec->cvss_v2);
	bind_cvss(s, 10, 11, rec->cvss_v3);
	bind_cvss(s, 12, 13, rec->cvss_v4);
	if (rec->n_references) {
		if ((ret = encode_lines(&db->enc, rec->references, rec->n_references, 0)) != 0)
			goto out;
		bind_text(s, 14, db->enc.data);
	}
	if ((ret = step_done(db, s, "adding an advisory")) != 0)
		goto out;
	key = sqlite3_last_insert_rowid(db->h);
	for (i = 0; i < rec->n_aliases; i++) {
		if (!rec->aliases[i] || strcmp(rec->aliases[i], rec->id) == 0)
			continue;
		if ((ret = stmt(db, ST_ALIAS_INS, &s)) != 0)
			goto out;
		sqlite3_bind_int64(s, 1, key);
		bind_text(s, 2, rec->aliases[i]);
		if ((ret = step_done(db, s, "adding an alias")) != 0)
			goto out;
	}
	for (i = 0; i < rec->n_affected; i++) {
		const sc_vuln_affected *a = &rec->affected[i];

		if (!a->ecosystem || !a->name)
			continue;
		if ((ret = stmt(db, ST_AFF_INS, &s)) != 0)
			goto out;
		sqlite3_bind_int64(s, 1, key);
		bind_text(s, 2, a->ecosystem);
		bind_text(s, 3, a->release ? a->release : "");
		bind_text(s, 4, a->name);
		sqlite3_bind_int(s, 5, (int)a->status);
		bind_text(s, 6, a->severity);
		/* Both encodings share one scratch buffer: bind transient copies. */
		if ((ret = encode_ranges(&db->enc, a)) != 0)
			goto out;
		if (a->n_ranges)
			sqlite3_bind_text(s, 7, db->enc.data, -1, SQLITE_TRANSIENT);
		if ((ret = encode_lines(&db->enc, a->versions, a->n_versions, 1)) != 0)
			goto out;
		if (a->n_versions)
			sqlite3_bind_text(s, 8, db->enc.data, -1, SQLITE_TRANSIENT);
		if ((ret = step_done(db, s, "adding an affected package")) != 0)
			goto out;
	}
out:
	free(details);
	return ret;
}

static int delete_source(sc_vulndb *db, sqlite3_int64 id)
{
	sqlite3_stmt *s = NULL;
	int i, ret, rc;

	for (i = ST_DEL_AFFECTED; i <= ST_DEL_VULN; i++) {
		if ((ret = stmt(db, i, &s)) != 0)
			return ret;
		sqlite3_bind_int64(s, 1, id);
		if ((ret = step_done(db, s, "removing a previous import")) != 0)
			return ret;
	}
	s = NULL;
	rc = sqlite3_prepare_v2(db->h, "DELETE FROM source WHERE id = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_err(db, rc, "removing a previous import");
	sqlite3_bind_int64(s, 1, id);
	ret = step_done(db, s, "removing a previous import");
	sqlite3_finalize(s);
	return ret;
}

int sc_vulndb_name_source(sc_vulndb *db, const char *name)
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 other = -1;
	int rc, ret;

	if (!db->in_tx)
		return sc_error_set(SC_EUSAGE, "vulnerability database: no source import open");
	if ((ret = stmt(db, ST_SOURCE_ID, &s)) != 0)
		return ret;
	bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		other = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(db, rc, "finding the source");
	if (other == db->source_id)
		return 0;
	if (other >= 0 && (ret = delete_source(db, other)) != 0)
		return ret;
	s = NULL;
	rc = sqlite3_prepare_v2(db->h, "UPDATE source SET name = ?2 WHERE id = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_err(db, rc, "naming the source");
	sqlite3_bind_int64(s, 1, db->source_id);
	bind_text(s, 2, name);
	ret = step_done(db, s, "naming the source");
	sqlite3_finalize(s);
	return ret;
}

int sc_vulndb_commit(sc_vulndb *db, size_t records, size_t skipped)
{
	sqlite3_stmt *s = NULL;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc, ret;

	if (!db->in_tx)
		return sc_error_set(SC_EUSAGE, "vulnerability database: no source import open");
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = sqlite3_prepare_v2(db->h, "UPDATE source SET imported_at = ?2, records = ?3, skipped = ?4 WHERE id = ?1",
				-1, &s, NULL);
	if (rc != SQLITE_OK) {
		ret = db_err(db, rc, "recording the import");
		goto fail;
	}
	sqlite3_bind_int64(s, 1, db->source_id);
	bind_text(s, 2, when);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)records);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)skipped);
	ret = step_done(db, s, "recording the import");
	sqlite3_finalize(s);
	if (ret)
		goto fail;
	if ((ret = exec(db, "COMMIT")) != 0)
		goto fail;
	db->in_tx = 0;
	return 0;
fail:
	sc_vulndb_rollback(db);
	return ret;
}

void sc_vulndb_rollback(sc_vulndb *db)
{
	if (!db || !db->in_tx)
		return;
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? sc_strdup((const char *)t) : NULL;
}

static int count(sc_vulndb *db, const char *sql, uint64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = (uint64_t)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return 0;
	}
	sqlite3_finalize(s);
	return db_err(db, rc, "counting");
}

int sc_vulndb_status_get(sc_vulndb *db, sc_vulndb_status *out)
{
	sc_vulndb_status st;
	sqlite3_stmt *s = NULL;
	int rc, ret;

	memset(&st, 0, sizeof(st));
	st.schema = SC_VULNDB_SCHEMA;
	if (!(st.path = sc_strdup(db->path)))
		return SC_ENOMEM;
	if ((ret = count(db, "SELECT count(*) FROM vuln", &st.records)) != 0 ||
	    (ret = count(db, "SELECT count(*) FROM affected", &st.affected)) != 0 ||
	    (ret = count(db, "SELECT count(*) FROM alias", &st.aliases)) != 0)
		goto fail;
	rc = sqlite3_prepare_v2(db->h,
				"SELECT s.name, s.kind, s.location, s.imported_at, s.records, s.skipped,"
				" (SELECT count(*) FROM affected a JOIN vuln v ON v.id = a.vuln WHERE v.source = s.id)"
				" FROM source s ORDER BY s.name",
				-1, &s, NULL);
	if (rc != SQLITE_OK) {
		ret = db_err(db, rc, "listing sources");
		goto fail;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sc_vulndb_source_info *si;
		void *n = sc_reallocarray(st.sources, st.n_sources + 1, sizeof(*st.sources));

		if (!n) {
			ret = SC_ENOMEM;
			goto fail;
		}
		st.sources = n;
		si = &st.sources[st.n_sources++];
		memset(si, 0, sizeof(*si));
		si->name = col_dup(s, 0);
		si->kind = col_dup(s, 1);
		si->location = col_dup(s, 2);
		si->imported_at = col_dup(s, 3);
		si->records = (uint64_t)sqlite3_column_int64(s, 4);
		si->skipped = (uint64_t)sqlite3_column_int64(s, 5);
		si->affected = (uint64_t)sqlite3_column_int64(s, 6);
		if (!si->name || !si->kind) {
			ret = sc_error_set(SC_ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		ret = db_err(db, rc, "listing sources");
		goto fail;
	}
	sqlite3_finalize(s);
	*out = st;
	return 0;
fail:
	sqlite3_finalize(s);
	sc_vulndb_status_release(&st);
	return ret;
}

void sc_vulndb_status_release(sc_vulndb_status *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->n_sources; i++) {
		free(st->sources[i].name);
		free(st->sources[i].kind);
		free(st->sources[i].location);
		free(st->sources[i].imported_at);
	}
	free(st->sources);
	free(st->path);
	memset(st, 0, sizeof(*st));
}

/* Decoded ranges of one affected row; pointers into `text` (modified in place). */
typedef struct decoded {
	sc_vuln_range ranges[RANGES_MAX];
	sc_vuln_event *events;
	size_t n_ranges;
	const char **versions;
	size_t n_versions;
} decoded;

static int decode(decoded *d, char *ranges, char *versions)
{
	size_t n_ev = 0, cap_ev = 0, i;
	char *line, *save = NULL, *tok, *save2;

	memset(d->ranges, 0, sizeof(d->ranges));
	d->n_ranges = 0;
	d->n_versions = 0;
	if (ranges) {
		/* Count events to size the array once. */
		for (i = 0; ranges[i]; i++)
			cap_ev += ranges[i] == ':';
		if (cap_ev > EVENTS_MAX)
			return sc_error_set(SC_EINPUT, "vulnerability database: too many range events in one entry");
		if (cap_ev && !(d->events = sc_calloc(cap_ev, sizeof(*d->events))))
			return SC_ENOMEM;
		for (line = strtok_r(ranges, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			sc_vuln_range *r;

			if (d->n_ranges == RANGES_MAX)
				return sc_error_set(SC_EINPUT, "vulnerability database: too many ranges in one entry");
			r = &d->ranges[d->n_ranges++];
			r->type = line[0] == 'S' ? SC_RANGE_SEMVER : line[0] == 'G' ? SC_RANGE_GIT : SC_RANGE_ECOSYSTEM;
			r->events = d->events + n_ev;
			for (tok = strtok_r(line + 1, " ", &save2); tok; tok = strtok_r(NULL, " ", &save2)) {
				if (strlen(tok) < 3 || tok[1] != ':' || n_ev >= cap_ev)
					continue;
				d->events[n_ev].kind = (sc_event_kind)tok[0];
				d->events[n_ev].version = tok + 2;
				n_ev++;
				r->n_events++;
			}
		}
	}
	if (versions && *versions) {
		size_t n = 1;

		for (i = 0; versions[i]; i++)
			n += versions[i] == '\n';
		if (!(d->versions = sc_calloc(n, sizeof(*d->versions))))
			return SC_ENOMEM;
		for (line = strtok_r(versions, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			d->versions[d->n_versions++] = line;
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int sc_vulndb_lookup(sc_vulndb *db, const char *ecosystem, const char *release, const char *name,
		     sc_vulndb_hit_fn fn, void *ud)
{
	sqlite3_stmt *s = NULL;
	int rc, ret;

	if ((ret = stmt(db, release ? ST_LOOKUP : ST_LOOKUP_NOREL, &s)) != 0)
		return ret;
	bind_text(s, 1, ecosystem);
	bind_text(s, 2, name);
	if (release)
		bind_text(s, 3, release);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		decoded d;
		sc_vulndb_hit h;
		const char *r = col_text(s, 8), *v = col_text(s, 9);
		char *rc_copy = r ? sc_strdup(r) : NULL, *v_copy = v ? sc_strdup(v) : NULL;

		memset(&d, 0, sizeof(d));
		if ((r && !rc_copy) || (v && !v_copy))
			ret = SC_ENOMEM;
		else
			ret = decode(&d, rc_copy, v_copy);
		if (ret == 0) {
			int st = sqlite3_column_int(s, 6);

			memset(&h, 0, sizeof(h));
			h.vuln_key = sqlite3_column_int64(s, 0);
			h.id = col_text(s, 1);
			h.source = col_text(s, 2);
			h.ecosystem = col_text(s, 3);
			h.release = col_text(s, 4);
			h.name = col_text(s, 5);
			h.status = st >= SC_VSTATUS_AFFECTED && st <= SC_VSTATUS_UNIMPORTANT ? (sc_vuln_status)st
											    : SC_VSTATUS_AFFECTED;
			h.severity = col_text(s, 7);
			h.ranges = d.ranges;
			h.n_ranges = d.n_ranges;
			h.versions = d.versions;
			h.n_versions = d.n_versions;
			ret = fn(ud, &h);
		}
		free(d.events);
		free(d.versions);
		free(rc_copy);
		free(v_copy);
		if (ret) {
			sqlite3_reset(s);
			return ret;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_err(db, rc, "looking up a package");
	return 0;
}

int sc_vulndb_read_begin(sc_vulndb *db)
{
	if (db->in_tx)
		return sc_error_set(SC_EUSAGE, "vulnerability database: a transaction is already open");
	return exec(db, "BEGIN DEFERRED");
}

void sc_vulndb_read_end(sc_vulndb *db)
{
	if (db && !db->in_tx)
		sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
}

static char **split_lines(const char *t)
{
	sc_strv v = { 0 };
	const char *p = t, *nl;

	if (!t)
		return NULL;
	while (*p) {
		nl = strchr(p, '\n');
		if (sc_strv_pushn(&v, p, nl ? (size_t)(nl - p) : strlen(p)) != 0) {
			sc_strv_release(&v);
			return NULL;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return sc_strv_finish(&v, 0);
}

int sc_vulndb_get_advisory(sc_vulndb *db, int64_t vuln_key, sc_vulndb_advisory *out)
{
	sc_vulndb_advisory a;
	sqlite3_stmt *s = NULL;
	sc_strv al = { 0 };
	int rc, ret;

	memset(&a, 0, sizeof(a));
	if ((ret = stmt(db, ST_ADV, &s)) != 0)
		return ret;
	sqlite3_bind_int64(s, 1, vuln_key);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? sc_error_set(SC_ENOTFOUND, "vulnerability database: advisory %lld not found",
							(long long)vuln_key)
					 : db_err(db, rc, "reading an advisory");
	}
	a.id = col_dup(s, 0);
	a.summary = col_dup(s, 1);
	a.details = col_dup(s, 2);
	a.published = col_dup(s, 3);
	a.modified = col_dup(s, 4);
	a.severity = col_dup(s, 5);
	a.cvss_v2 = col_dup(s, 6);
	a.cvss_v3 = col_dup(s, 7);
	a.cvss_v3_score = sqlite3_column_type(s, 8) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 8);
	a.cvss_v4 = col_dup(s, 9);
	a.cvss_v4_score = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 10);
	a.references = split_lines(col_text(s, 11));
	sqlite3_reset(s);
	if (!a.id) {
		ret = sc_error_set(SC_ENOMEM, "out of memory");
		goto fail;
	}
	if ((ret = stmt(db, ST_ADV_ALIASES, &s)) != 0)
		goto fail;
	sqlite3_bind_int64(s, 1, vuln_key);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((ret = sc_strv_pushn(&al, col_text(s, 0), (size_t)sqlite3_column_bytes(s, 0))) != 0) {
			sqlite3_reset(s);
			goto fail;
		}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		ret = db_err(db, rc, "reading aliases");
		goto fail;
	}
	a.aliases = sc_strv_finish(&al, 0);
	*out = a;
	return 0;
fail:
	sc_strv_release(&al);
	sc_vulndb_advisory_release(&a);
	return ret;
}

void sc_vulndb_advisory_release(sc_vulndb_advisory *a)
{
	if (!a)
		return;
	free(a->id);
	free(a->summary);
	free(a->details);
	free(a->published);
	free(a->modified);
	free(a->severity);
	free(a->cvss_v2);
	free(a->cvss_v3);
	free(a->cvss_v4);
	sc_strv_free(a->aliases);
	sc_strv_free(a->references);
	memset(a, 0, sizeof(*a));
}
