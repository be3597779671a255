/*
 * report.h - findings as documents: a human table, scute's JSON, SARIF
 * 2.1.0 (as GitHub code scanning accepts it) and CycloneDX 1.6 with the
 * vulnerabilities in the BOM (VEX); and OpenVEX documents applied to
 * findings.
 *
 * Specs:
 *   SARIF 2.1.0     https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 *                   https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 *   CycloneDX 1.6   https://cyclonedx.org/docs/1.6/json/#vulnerabilities
 *   OpenVEX 0.2.0   https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md
 * Output is deterministic: findings are sorted (sc_findings_sort) before
 * rendering and nothing reads the clock (timestamps come from the ctx).
 */
#ifndef SC_REPORT_REPORT_H
#define SC_REPORT_REPORT_H

#include "catalog/catalog.h"
#include "report/finding.h"

#include <jansson.h>
#include <stdio.h>
#include <time.h>

typedef struct sc_report_ctx {
	const char *tool_version;     /* "0.1.0" */
	const char *target;           /* what was scanned: image name or SBOM path */
	const char *target_digest;    /* "sha256:..." manifest digest, or NULL */
	const char *target_purl;      /* pkg:oci/... purl of the image, or NULL */
	const sc_catalog *cat;        /* packages findings point into */
	char **purls;                 /* per catalog package (may be NULL) */
	time_t timestamp;             /* document time (SOURCE_DATE_EPOCH / image created / 0) */
	const char *db_path;          /* database used, for the JSON report */
	size_t n_suppressed;          /* findings hidden by VEX (also marked in the list) */
} sc_report_ctx;

/*
 * Table grouped by severity (critical first): package, installed version,
 * advisory id, status, fixed-in versions, title.  Suppressed findings are
 * not shown; a summary line counts findings per level and suppressed ones.
 * Colour when `color`.
 */
void sc_report_table(FILE *f, const sc_report_ctx *ctx, const sc_findings *fs, int color);

/*
 * Copy untrusted text s into b as printable text for a terminal: control
 * bytes and invalid UTF-8 become '?', whitespace runs one space, at most
 * max_cols characters (0: no limit) with "..." when cut.  Returns the
 * number of characters.
 */
struct sc_buf;
size_t sc_report_clean(struct sc_buf *b, const char *s, size_t max_cols);

/* scute's JSON report (docs/scan.md): every finding, suppressed ones with their VEX justification. */
int sc_report_json(json_t **out, const sc_report_ctx *ctx, const sc_findings *fs);
/* SARIF 2.1.0 log: one rule per advisory, one result per (advisory, package); suppressed ones omitted. */
int sc_report_sarif(json_t **out, const sc_report_ctx *ctx, const sc_findings *fs);
/* CycloneDX 1.6 BOM: components for affected packages plus vulnerabilities[] with ratings,
 * affects, and analysis (state/justification from VEX or "exploitable"/"in_triage"). */
int sc_report_cyclonedx(json_t **out, const sc_report_ctx *ctx, const sc_findings *fs);

/*
 * OpenVEX: parse a document (bounded JSON) and apply its statements to
 * findings.  A statement applies when its vulnerability name equals the
 * finding's id or one of its aliases, and one of its products (purl, with or
 * without qualifiers/version; or the image purl/name/digest meaning "every
 * package of this image") and, when given, subcomponents match the
 * finding's package.  "not_affected" and "fixed" suppress the finding and
 * record status/justification/statement; "affected" and
 * "under_investigation" only annotate.  Later statements (by timestamp,
 * then document order) win.
 */
typedef struct sc_vex sc_vex;
int sc_vex_parse(sc_vex **out, const char *data, size_t len, const char *what);
void sc_vex_free(sc_vex *v);
/* Returns the number of findings newly suppressed through *n_suppressed (may be NULL). */
int sc_vex_apply(const sc_vex *v, const sc_report_ctx *ctx, sc_findings *fs, size_t *n_suppressed);

#endif
