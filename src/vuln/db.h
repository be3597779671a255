/*
 * db.h - the vulnerability database: one SQLite file holding advisories
 * (record.h) from any number of sources, indexed by (ecosystem, name) so
 * that matching a package is one indexed lookup.
 *
 * Location: --db PATH, else $SCUTE_DB, else $XDG_CACHE_HOME/scute/vulndb.sqlite
 * (XDG_CACHE_HOME defaulting to ~/.cache).  The schema is versioned with
 * PRAGMA user_version and migrated forward on open for writing; a database
 * from a newer scute is refused with a clear message.
 *
 * Atomicity: an import replaces one source inside a single transaction
 * (sc_vulndb_begin_source .. sc_vulndb_commit); until the commit, readers
 * see the previous contents, and an interrupted import leaves them intact
 * (SQLite's rollback journal).
 */
#ifndef SC_VULN_DB_H
#define SC_VULN_DB_H

#include "vuln/record.h"

#include <stddef.h>
#include <stdint.h>

#define SC_VULNDB_SCHEMA 1

typedef struct sc_vulndb sc_vulndb;

/* The default path (malloc'd): $SCUTE_DB, else the XDG cache location. */
int sc_vulndb_default_path(char **out);

/*
 * Open (and with `writable`, create and migrate) the database at path.
 * Read-only open of a missing file fails with SC_ENOTFOUND and a message
 * telling the user to run `scute db import` or `scute db update`.
 */
int sc_vulndb_open(sc_vulndb **out, const char *path, int writable);
void sc_vulndb_close(sc_vulndb *db);

/*
 * Replace source `name` (e.g. "osv:pypa-advisory-database"): starts a
 * transaction and deletes the source's previous records.  `kind` is
 * "osv", "debian" or "alpine"; `location` the path or URL imported.
 */
int sc_vulndb_begin_source(sc_vulndb *db, const char *name, const char *kind, const char *location);
/* Add one record to the open source (an sc_vuln_emit_fn: ud is the sc_vulndb). */
int sc_vulndb_add(void *db, const sc_vuln_record *rec);
/*
 * Give the open source its final name (importers learn it from the
 * content): a previous source of that name is replaced, inside the same
 * transaction.
 */
int sc_vulndb_name_source(sc_vulndb *db, const char *name);
/* Commit with the import's counts; or roll everything back. */
int sc_vulndb_commit(sc_vulndb *db, size_t records, size_t skipped);
void sc_vulndb_rollback(sc_vulndb *db);

typedef struct sc_vulndb_source_info {
	char *name, *kind, *location;
	char *imported_at;        /* RFC 3339 UTC */
	uint64_t records, skipped, affected;
} sc_vulndb_source_info;

typedef struct sc_vulndb_status {
	char *path;
	int schema;
	uint64_t records, affected, aliases;
	sc_vulndb_source_info *sources;
	size_t n_sources;
} sc_vulndb_status;

int sc_vulndb_status_get(sc_vulndb *db, sc_vulndb_status *out);
void sc_vulndb_status_release(sc_vulndb_status *st);

/*
 * One affected entry found for a package, joined with its advisory.
 * Every pointer is valid only during the callback.
 */
typedef struct sc_vulndb_hit {
	int64_t vuln_key;         /* stable within the open database: use with sc_vulndb_get_advisory */
	const char *id;
	const char *source;       /* source name */
	const char *ecosystem, *release, *name;
	sc_vuln_status status;
	const char *severity;     /* per-affected vendor severity or NULL */
	const sc_vuln_range *ranges;
	size_t n_ranges;
	const char *const *versions;
	size_t n_versions;
} sc_vulndb_hit;

typedef int (*sc_vulndb_hit_fn)(void *ud, const sc_vulndb_hit *hit);

/*
 * Hold one read transaction over many lookups: one consistent snapshot,
 * and one file lock instead of one per lookup.  Not while an import is open.
 */
int sc_vulndb_read_begin(sc_vulndb *db);
void sc_vulndb_read_end(sc_vulndb *db);

/*
 * Every non-withdrawn affected entry for (ecosystem, name) whose release is
 * `release` or unset (release NULL: only entries without a release).
 */
int sc_vulndb_lookup(sc_vulndb *db, const char *ecosystem, const char *release, const char *name,
		     sc_vulndb_hit_fn fn, void *ud);

/* The advisory's details, malloc'd strings (NULL when absent); release with sc_vulndb_advisory_release. */
typedef struct sc_vulndb_advisory {
	char *id, *summary, *details, *published, *modified;
	char *severity;           /* vendor severity or NULL */
	char *cvss_v2, *cvss_v3, *cvss_v4;
	double cvss_v3_score, cvss_v4_score; /* -1 when no (valid) vector */
	char **aliases;           /* NULL-terminated or NULL */
	char **references;        /* NULL-terminated or NULL */
} sc_vulndb_advisory;

int sc_vulndb_get_advisory(sc_vulndb *db, int64_t vuln_key, sc_vulndb_advisory *out);
void sc_vulndb_advisory_release(sc_vulndb_advisory *a);

#endif
