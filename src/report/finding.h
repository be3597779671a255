/*
 * finding.h - the one finding model: vulnerabilities now, audit results,
 * secrets and pickle verdicts later.  Every report format (table, JSON,
 * SARIF, CycloneDX VEX) and policy decision reads this type only.
 *
 * A finding names its subject either as a package (index into the
 * catalog the findings were made from) or as a path, or both.
 * Ownership: a sc_findings list owns every string in it.
 */
#ifndef SC_REPORT_FINDING_H
#define SC_REPORT_FINDING_H

#include <stddef.h>

/* Ordered: a --fail-on level matches every finding at or above it. */
typedef enum sc_level {
	SC_LEVEL_UNKNOWN = 0,
	SC_LEVEL_NEGLIGIBLE,   /* Debian "unimportant" */
	SC_LEVEL_LOW,
	SC_LEVEL_MEDIUM,
	SC_LEVEL_HIGH,
	SC_LEVEL_CRITICAL,
} sc_level;

const char *sc_level_name(sc_level l); /* "unknown", "negligible", "low", "medium", "high", "critical" */
/* Parse a level name, case-insensitive; also "moderate" (GHSA), "important" (Red Hat) and
 * "unimportant" (Debian, = negligible).  -1 when unknown. */
int sc_level_parse(const char *s);

typedef struct sc_finding_vuln {
	char **aliases;        /* NULL-terminated or NULL ("CVE-2024-1", "GHSA-...") */
	char *status;          /* "fixed" (a fix exists), "unfixed", "wont-fix", "unimportant" */
	char **fixed_in;       /* versions that fix it, NULL-terminated, or NULL */
	char *source;          /* database source the advisory came from */
	char *ecosystem;       /* "PyPI", "Debian"... as matched */
	char *matched_name;    /* name looked up (deb: source package) */
	char *matched_version; /* version compared (deb: source version) */
	char *severity_source; /* "vendor" or "cvss" or NULL */
	char *cvss_vector;     /* the vector the score came from, or NULL */
	double cvss_score;     /* -1 when none */
	char **references;     /* URLs, NULL-terminated, or NULL */
	char *published, *modified;
	int os_managed_pypi;   /* PyPI advisory matched against an OS-managed distribution (opt-in) */
	char *vex_status;      /* OpenVEX status applied ("not_affected", "fixed", "under_investigation", "affected") or NULL */
	char *vex_justification;
	char *vex_statement;   /* impact/action statement or NULL */
	char *vex_document;    /* @id of the VEX document or NULL */
} sc_finding_vuln;

typedef struct sc_finding {
	char *kind;            /* "vulnerability" */
	char *id;              /* advisory id or rule id */
	sc_level level;
	char *title;           /* one line */
	char *description;     /* or NULL */
	char *remediation;     /* "upgrade torch to 2.2.0", or NULL */
	long pkg;              /* index into the catalog's packages, -1 when none */
	char *path;            /* file concerned (no leading '/') or NULL */
	int suppressed;        /* triaged away (VEX not_affected / fixed): kept for JSON, hidden elsewhere */
	sc_finding_vuln vuln;
} sc_finding;

typedef struct sc_findings {
	sc_finding *items;
	size_t n, cap;
} sc_findings;

void sc_findings_init(sc_findings *f);
void sc_findings_release(sc_findings *f);
/* Append a zeroed finding (pkg -1, cvss_score -1) and return it through *out. */
int sc_findings_add(sc_findings *f, sc_finding **out);
/* Sort by level (highest first), then package name, id. `pkg_name` maps pkg index to a name. */
void sc_findings_sort(sc_findings *f, const char *(*pkg_name)(const void *ctx, long pkg), const void *ctx);

#endif
