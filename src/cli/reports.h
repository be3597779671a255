/*
 * reports.h - the documents `scute sbom`, `scute scan` and `scute audit`
 * write, built by one shared code path: the verbs use the pieces below,
 * and sc_cli_reports_make() catalogs an image once and builds any set of
 * them for attestations (`scute attest`, `scute harden --sign-key`).
 */
#ifndef SC_CLI_REPORTS_H
#define SC_CLI_REPORTS_H

#include "catalog/catalog.h"
#include "core/digest.h"
#include "image/image.h"
#include "image/scan.h"
#include "report/audit_report.h"
#include "report/finding.h"
#include "report/report.h"
#include "vuln/db.h"
#include "vuln/match.h"

#include <jansson.h>
#include <time.h>

enum {
	SC_REPORT_CYCLONEDX = 1, /* `scute sbom --format cyclonedx` */
	SC_REPORT_SPDX = 2,      /* `scute sbom --format spdx` */
	SC_REPORT_VULN = 4,      /* `scute scan --format json` in cosign's vuln predicate */
	SC_REPORT_AUDIT = 8,     /* `scute audit --format json` */
};

typedef struct sc_cli_reports {
	json_t *cyclonedx, *spdx;
	json_t *vuln;  /* cosign vuln predicate (sign/predicate.h) around the scan JSON */
	json_t *audit; /* scute audit JSON */
} sc_cli_reports;

/*
 * Catalog `image` once (progress bar unless quiet) and build the documents
 * in `want` (SC_REPORT_* bits); the others stay NULL.  The vulnerability
 * database is opened first, as `scute scan` does ($SCUTE_DB, else the XDG
 * cache; a missing one fails with scan's message before the pass).
 * *out is the caller's only on success (release it with
 * sc_cli_reports_release).
 */
int sc_cli_reports_make(sc_cli_reports *out, const char *image, unsigned want, int quiet);
/* The same with the database at db_path (NULL: the default, like `scute scan --db`). */
int sc_cli_reports_make_db(sc_cli_reports *out, const char *image, unsigned want, int quiet, const char *db_path);
/*
 * The same documents from an image already cataloged (no pass over its
 * layers): audit = the findings of the audit run over it (needed for
 * SC_REPORT_AUDIT), db/db_path the open database (for SC_REPORT_VULN),
 * started = when the work began (the scan's start time).  Used by
 * `harden --sign-key`, which has all of it from its own pass.
 */
int sc_cli_reports_build(sc_cli_reports *out, const sc_image *img, const sc_catalog *cat, const sc_findings *audit,
			 unsigned want, sc_vulndb *db, const char *db_path, time_t started);
void sc_cli_reports_release(sc_cli_reports *r);

/* ---- the pieces the verbs share ---- */

/*
 * Open the vulnerability database read-only: db_opt (--db), else
 * $SCUTE_DB, else the XDG cache.  *path_out (malloc'd) is the path used.
 */
int sc_cli_vulndb_open(sc_vulndb **db, char **path_out, const char *db_opt);

/* A scan: findings and the report context the scan formats render. */
typedef struct sc_cli_vuln {
	sc_report_ctx rctx;
	sc_findings fs;
	sc_match_stats ms;
	char **purls;      /* per catalog package */
	size_t n_purls;
	char *image_purl;
	char digest[SC_DIGEST_STRLEN];
} sc_cli_vuln;

void sc_cli_vuln_init(sc_cli_vuln *v);
/* The report's target is image img (name, digest, purl, timestamp); img must outlive v. */
int sc_cli_vuln_target_image(sc_cli_vuln *v, const sc_image *img);
/* Match cat (outlives v) against db; fills the findings and the rest of the report context. */
int sc_cli_vuln_match(sc_cli_vuln *v, sc_vulndb *db, const char *db_path, const sc_catalog *cat,
		      const sc_match_opts *mo);
void sc_cli_vuln_release(sc_cli_vuln *v);

/* An audit: the interests its pass needs, findings and the report context. */
#define SC_CLI_AUDIT_MAX_INTERESTS 64
typedef struct sc_cli_audit {
	const sc_interest *ins[SC_CLI_AUDIT_MAX_INTERESTS];
	sc_findings fs;
	sc_audit_report_ctx rctx;
	char digest[SC_DIGEST_STRLEN];
} sc_cli_audit;

void sc_cli_audit_init(sc_cli_audit *a);
/* Add the audit's interests to co (before the catalog pass; a must outlive the pass). */
int sc_cli_audit_interests(sc_cli_audit *a, sc_catalog_opts *co);
/* Run the rules over the pass's merged view; img must outlive a. */
int sc_cli_audit_run(sc_cli_audit *a, const sc_image *img, const sc_catalog *cat, const sc_scan *scan);
void sc_cli_audit_release(sc_cli_audit *a);

#endif
