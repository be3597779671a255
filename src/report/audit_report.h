/*
 * audit_report.h - audit findings (kind "audit", audit/audit.h) rendered
 * as a table, scute's audit JSON (docs/schemas/audit-v1.schema.json) and
 * SARIF 2.1.0.  docs/audit.md describes the formats.
 */
#ifndef SC_REPORT_AUDIT_REPORT_H
#define SC_REPORT_AUDIT_REPORT_H

#include "audit/audit.h"
#include "report/report.h"

#include <jansson.h>
#include <stdio.h>

typedef struct sc_audit_report_ctx {
	const char *tool_version;
	const char *target;         /* image name */
	const char *target_digest;  /* "sha256:..." or NULL */
	int score;                  /* sc_audit_score() */
} sc_audit_report_ctx;

/* "critical", "high", "medium", "low", "info" (negligible and unknown are info). */
const char *sc_audit_level_name(sc_level l);

void sc_report_audit_table(FILE *f, const sc_audit_report_ctx *ctx, const sc_findings *fs, int color);
int sc_report_audit_json(json_t **out, const sc_audit_report_ctx *ctx, const sc_findings *fs);
int sc_report_audit_sarif(json_t **out, const sc_audit_report_ctx *ctx, const sc_findings *fs);

#endif
