/*
 * record.h - the advisory model every importer produces and the database
 * stores: one record per advisory (OSV id, Debian CVE, Alpine CVE), with
 * the packages it affects and the version ranges that are vulnerable.
 *
 * The model follows OSV (https://ossf.github.io/osv-schema/): distro
 * sources are mapped onto it (Debian tracker "resolved" with a fixed
 * version becomes ECOSYSTEM range introduced "0" / fixed V; Alpine
 * secfixes become fixed events).
 *
 * Records handed to an emit callback are borrowed: every pointer is valid
 * only during the call.
 */
#ifndef SC_VULN_RECORD_H
#define SC_VULN_RECORD_H

#include "vuln/version.h"

#include <stddef.h>

typedef enum sc_range_type {
	SC_RANGE_ECOSYSTEM = 1, /* versions ordered by the ecosystem's scheme */
	SC_RANGE_SEMVER,        /* SemVer 2.0 ordering whatever the ecosystem */
	SC_RANGE_GIT,           /* commit hashes: stored, never matched against package versions */
} sc_range_type;

/* OSV range events, by the letter stored in the database. */
typedef enum sc_event_kind {
	SC_EV_INTRODUCED = 'i',
	SC_EV_FIXED = 'f',
	SC_EV_LAST_AFFECTED = 'l',
	SC_EV_LIMIT = 'm',
} sc_event_kind;

typedef struct sc_vuln_event {
	sc_event_kind kind;
	const char *version; /* "0" for introduced means "every version" */
} sc_vuln_event;

#define SC_VULN_MAX_RANGES 64 /* ranges per affected entry (importers refuse more) */

typedef struct sc_vuln_range {
	sc_range_type type;
	const sc_vuln_event *events;
	size_t n_events;
} sc_vuln_range;

/* What the vendor says of the package in this release. */
typedef enum sc_vuln_status {
	SC_VSTATUS_AFFECTED = 1, /* affected in the ranges; fixed where a fixed event says so */
	SC_VSTATUS_UNFIXED,      /* affected, no fix released yet (Debian "open") */
	SC_VSTATUS_WONTFIX,      /* affected, vendor will not fix (Debian no-dsa "ignored", EOL) */
	SC_VSTATUS_UNIMPORTANT,  /* affected, vendor rates it unimportant (Debian "unimportant") */
} sc_vuln_status;

const char *sc_vuln_status_name(sc_vuln_status s); /* "affected", "unfixed", "wont-fix", "unimportant" */

typedef struct sc_vuln_affected {
	const char *ecosystem;   /* OSV base name: "PyPI", "npm", "Go", "Debian", "Ubuntu", "Alpine", "Maven"... */
	const char *release;     /* "12", "v3.11", "22.04"; NULL for ecosystems without releases */
	const char *name;        /* normalised for the ecosystem (PyPI: PEP 503; Debian: source package) */
	sc_vuln_status status;
	const char *severity;    /* vendor severity for this package/release ("high", "unimportant") or NULL */
	const sc_vuln_range *ranges;
	size_t n_ranges;
	const char *const *versions; /* explicit affected versions (OSV `versions`) */
	size_t n_versions;
} sc_vuln_affected;

typedef struct sc_vuln_record {
	const char *id;          /* "PYSEC-2024-1", "GHSA-xxxx", "CVE-2024-1234" */
	const char *summary;     /* one line or NULL */
	const char *details;     /* longer text or NULL (stored truncated to 4 KiB) */
	const char *published;   /* RFC 3339 or NULL */
	const char *modified;    /* RFC 3339 or NULL */
	int withdrawn;           /* OSV `withdrawn` set: stored, never matched */
	const char *severity;    /* vendor severity ("HIGH", "moderate") or NULL */
	const char *cvss_v2;     /* vectors as published, or NULL */
	const char *cvss_v3;
	const char *cvss_v4;
	const char *const *aliases;
	size_t n_aliases;
	const char *const *references; /* URLs */
	size_t n_references;
	const sc_vuln_affected *affected;
	size_t n_affected;
} sc_vuln_record;

/*
 * Where importers send records.  Returning non-zero stops the import with
 * that code (e.g. the database failed).
 */
typedef int (*sc_vuln_emit_fn)(void *ud, const sc_vuln_record *rec);

/* The version scheme of an OSV ecosystem base name, or 0 when unsupported. */
sc_version_scheme sc_vuln_ecosystem_scheme(const char *ecosystem);

#endif
