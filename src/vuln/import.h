/*
 * import.h - advisory importers: read published advisory formats and emit
 * sc_vuln_record values (record.h) to a callback (the database writer, or
 * a test).
 *
 *   OSV            https://ossf.github.io/osv-schema/  JSON or YAML, one record
 *                  per file; a directory tree, a single file or a zip archive
 *                  (the per-ecosystem all.zip of the OSV bulk export)
 *   Debian tracker https://security-tracker.debian.org/tracker/data/json
 *                  {source: {CVE: {releases: {codename: {status, fixed_version, urgency}}}}}
 *   Alpine secdb   https://secdb.alpinelinux.org/  YAML, packages[].pkg.secfixes
 *
 * Every input is hostile: files are size-capped, JSON/YAML depth-bounded,
 * and a malformed record (missing id, unknown range type, a version that
 * does not parse in its ecosystem's scheme) is skipped and counted, never
 * emitted half-right.  Only I/O errors, limits on the whole input and
 * errors returned by the callback stop an import.
 */
#ifndef SC_VULN_IMPORT_H
#define SC_VULN_IMPORT_H

#include "vuln/record.h"

/* PyPI names are normalised with sc_python_normalize() (catalog/python.h). */

#include <stddef.h>

typedef enum sc_import_format {
	SC_IMPORT_AUTO = 0,      /* sniffed from the path and content */
	SC_IMPORT_OSV,
	SC_IMPORT_DEBIAN,
	SC_IMPORT_ALPINE,
} sc_import_format;

#define SC_IMPORT_MAX_FILE (64u << 20)      /* one OSV/secdb file */
#define SC_IMPORT_MAX_DEBIAN (1024u << 20)  /* the Debian tracker JSON (about 80 MB today) */
#define SC_IMPORT_MAX_WARNINGS 20           /* warnings kept verbatim; the rest only counted */

typedef struct sc_import_stats {
	size_t files;            /* files read */
	size_t records;          /* records emitted */
	size_t skipped;          /* records or affected entries skipped as malformed */
	size_t unsupported;      /* affected entries of ecosystems without a version scheme */
	size_t withdrawn;        /* records emitted with withdrawn set */
	size_t dropped;          /* single values dropped as malformed (an OSV `versions` item,
				    a CVSS vector, a secdb line without an id); the record is kept */
	char *warnings[SC_IMPORT_MAX_WARNINGS]; /* "path: what is wrong", malloc'd */
	size_t n_warnings;       /* entries used in warnings[] */
	size_t more_warnings;    /* warnings past the first SC_IMPORT_MAX_WARNINGS, counted only */
} sc_import_stats;

/*
 * Importers add to *st (zero it before the first import); st may be NULL.
 * Release frees the warnings and zeroes the counters; accepts NULL.
 */
void sc_import_stats_release(sc_import_stats *st);

/*
 * Import PATH (directory tree, file, or .zip) in `fmt`.  `source_out`, when
 * non-NULL, receives a malloc'd source name describing what was imported:
 * "osv:<basename>", "debian:<basename>", "alpine:<distroversion>/<reponame>"
 * (a tree or zip is "osv:<basename>", or "alpine:<basename>" when fmt is
 * SC_IMPORT_ALPINE); it is set only on success.  In a tree or zip, a file
 * that does not parse is skipped (st->skipped, a warning); a single file
 * that does not parse, a corrupt zip, I/O errors and the callback's errors
 * fail the import, possibly after some records were emitted (import in a
 * transaction).  Details: docs/advisories.md.
 */
int sc_import_path(const char *path, sc_import_format fmt, sc_vuln_emit_fn emit, void *ud,
		   sc_import_stats *st, char **source_out);

/*
 * Parsers over a buffer, used by sc_import_path and the fuzz harnesses.
 * `what` names the input in messages and warnings.  A buffer that does not
 * parse (or breaks a whole-document rule) fails with SC_EINPUT / SC_ELIMIT;
 * malformed records inside it are skipped and counted.  OSV records are
 * emitted even when none of their affected entries is usable; Debian and
 * Alpine ids left without an affected entry are not emitted.
 */
int sc_import_osv_buf(const char *data, size_t len, int yaml, const char *what, sc_vuln_emit_fn emit,
		      void *ud, sc_import_stats *st);
int sc_import_debian_buf(const char *data, size_t len, const char *what, sc_vuln_emit_fn emit, void *ud,
			 sc_import_stats *st);
int sc_import_alpine_buf(const char *data, size_t len, const char *what, sc_vuln_emit_fn emit, void *ud,
			 sc_import_stats *st);

/* Debian codename -> release number ("bookworm" -> "12", "sid" -> "unstable"), or NULL. */
const char *sc_debian_codename_release(const char *codename);

#endif
