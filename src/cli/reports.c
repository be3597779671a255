/*
 * reports.c - the documents of `scute sbom`, `scute scan` and `scute
 * audit` from one code path, and all of them from one catalog pass for
 * attestations; see reports.h.
 */
#include "cli/reports.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/error.h"
#include "sbom/sbom.h"
#include "sc_config.h"
#include "sign/predicate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- vulnerability database ---- */

int sc_cli_vulndb_open(sc_vulndb **db, char **path_out, const char *db_opt)
{
	char *path = NULL;
	int rc;

	*path_out = NULL;
	if (db_opt) {
		if (!(path = sc_strdup(db_opt)))
			return sc_error_set(SC_ENOMEM, "out of memory");
	} else if ((rc = sc_vulndb_default_path(&path)) != 0) {
		return rc;
	} else if (!path) {
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	if ((rc = sc_vulndb_open(db, path, 0)) != 0) {
		free(path);
		return rc;
	}
	*path_out = path;
	return 0;
}

/* ---- scan ---- */

void sc_cli_vuln_init(sc_cli_vuln *v)
{
	memset(v, 0, sizeof(*v));
	sc_findings_init(&v->fs);
}

int sc_cli_vuln_target_image(sc_cli_vuln *v, const sc_image *img)
{
	v->rctx.target = img->name;
	v->rctx.target_digest = sc_digest_fmt(&img->manifest_digest, v->digest);
	free(v->image_purl);
	if (!(v->image_purl = sc_purl_image(img, NULL)))
		return sc_error_set(SC_ENOMEM, "out of memory");
	v->rctx.target_purl = v->image_purl;
	v->rctx.timestamp = sc_sbom_timestamp(img);
	return 0;
}

int sc_cli_vuln_match(sc_cli_vuln *v, sc_vulndb *db, const char *db_path, const sc_catalog *cat,
		      const sc_match_opts *mo)
{
	size_t i;
	int rc;

	if ((rc = sc_vuln_match(&v->fs, db, cat, mo, &v->ms)) != 0)
		return rc;
	if (cat->n_pkgs && !(v->purls = sc_calloc(cat->n_pkgs, sizeof(*v->purls))))
		return SC_ENOMEM;
	v->n_purls = cat->n_pkgs;
	for (i = 0; i < cat->n_pkgs; i++)
		v->purls[i] = sc_purl_package(&cat->pkgs[i], &cat->os);
	v->rctx.tool_version = SCUTE_VERSION;
	v->rctx.cat = cat;
	v->rctx.purls = v->purls;
	v->rctx.db_path = db_path;
	return 0;
}

void sc_cli_vuln_release(sc_cli_vuln *v)
{
	size_t i;

	for (i = 0; v->purls && i < v->n_purls; i++)
		free(v->purls[i]);
	free(v->purls);
	free(v->image_purl);
	sc_findings_release(&v->fs);
	memset(v, 0, sizeof(*v));
}

/* ---- audit ---- */

void sc_cli_audit_init(sc_cli_audit *a)
{
	memset(a, 0, sizeof(*a));
	sc_findings_init(&a->fs);
}

int sc_cli_audit_interests(sc_cli_audit *a, sc_catalog_opts *co)
{
	size_t n = 0;
	int rc;

	if ((rc = sc_audit_interests(a->ins, &n, SC_CLI_AUDIT_MAX_INTERESTS)) != 0)
		return rc;
	co->scan.interests = a->ins;
	co->scan.n_interests = n;
	return 0;
}

int sc_cli_audit_run(sc_cli_audit *a, const sc_image *img, const sc_catalog *cat, const sc_scan *scan)
{
	sc_audit_ctx actx;
	int rc;

	actx.img = img;
	actx.cat = cat;
	actx.view = scan->view;
	if ((rc = sc_audit_run(&a->fs, &actx)) != 0)
		return rc;
	memset(&a->rctx, 0, sizeof(a->rctx));
	a->rctx.tool_version = SCUTE_VERSION;
	a->rctx.target = img->name;
	a->rctx.target_digest = sc_digest_fmt(&img->manifest_digest, a->digest);
	a->rctx.score = sc_audit_score(&a->fs);
	return 0;
}

void sc_cli_audit_release(sc_cli_audit *a)
{
	sc_findings_release(&a->fs);
}

/* ---- everything from one pass ---- */

/* The database's version for the vuln predicate: its newest import time ("" when unknown). */
static char *db_version(sc_vulndb *db)
{
	sc_vulndb_status st;
	const char *best = "";
	char *out;
	size_t i;

	if (sc_vulndb_status_get(db, &st) != 0) {
		sc_error_clear();
		return sc_strdup("");
	}
	for (i = 0; i < st.n_sources; i++)
		if (st.sources[i].imported_at && strcmp(st.sources[i].imported_at, best) > 0)
			best = st.sources[i].imported_at;
	out = sc_strdup(best);
	sc_vulndb_status_release(&st);
	return out;
}

static int make_vuln(json_t **out, sc_vulndb *db, const char *db_path, const sc_image *img, const sc_catalog *cat,
		     time_t started)
{
	sc_vuln_predicate_opts po;
	sc_cli_vuln v;
	json_t *doc = NULL;
	char *ver = NULL;
	int rc;

	sc_cli_vuln_init(&v);
	if ((rc = sc_cli_vuln_target_image(&v, img)) != 0 || (rc = sc_cli_vuln_match(&v, db, db_path, cat, NULL)) != 0 ||
	    (rc = sc_report_json(&doc, &v.rctx, &v.fs)) != 0)
		goto out;
	if (!(ver = db_version(db))) {
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	memset(&po, 0, sizeof(po));
	po.result = doc;
	po.db_uri = db_path;
	po.db_version = ver;
	po.started_on = started;
	po.finished_on = time(NULL);
	if (po.finished_on < started)
		po.finished_on = started;
	rc = sc_predicate_vuln(out, &po);
out:
	free(ver);
	json_decref(doc);
	sc_cli_vuln_release(&v);
	return rc;
}

int sc_cli_reports_build(sc_cli_reports *out, const sc_image *img, const sc_catalog *cat, const sc_findings *audit,
			 unsigned want, sc_vulndb *db, const char *db_path, time_t started)
{
	sc_cli_reports r = { 0 };
	sc_sbom_ctx ctx;
	int rc = 0;

	if ((want & SC_REPORT_VULN) && !db)
		return sc_error_set(SC_EUSAGE, "reports: the vulnerability report needs a database");
	if ((want & SC_REPORT_AUDIT) && !audit)
		return sc_error_set(SC_EUSAGE, "reports: the audit report needs the audit's findings");
	if (want & (SC_REPORT_CYCLONEDX | SC_REPORT_SPDX)) {
		if ((rc = sc_sbom_ctx_init(&ctx, img, cat, SCUTE_VERSION)) != 0)
			return rc;
		if (want & SC_REPORT_CYCLONEDX)
			rc = sc_sbom_cyclonedx(&r.cyclonedx, &ctx);
		if (rc == 0 && (want & SC_REPORT_SPDX))
			rc = sc_sbom_spdx(&r.spdx, &ctx);
		sc_sbom_ctx_release(&ctx);
	}
	if (rc == 0 && (want & SC_REPORT_VULN))
		rc = make_vuln(&r.vuln, db, db_path, img, cat, started);
	if (rc == 0 && (want & SC_REPORT_AUDIT)) {
		sc_audit_report_ctx actx;
		char dg[SC_DIGEST_STRLEN];

		memset(&actx, 0, sizeof(actx));
		actx.tool_version = SCUTE_VERSION;
		actx.target = img->name;
		actx.target_digest = sc_digest_fmt(&img->manifest_digest, dg);
		actx.score = sc_audit_score(audit);
		rc = sc_report_audit_json(&r.audit, &actx, audit);
	}
	if (rc) {
		sc_cli_reports_release(&r);
		return rc;
	}
	*out = r;
	return 0;
}

int sc_cli_reports_make_db(sc_cli_reports *out, const char *image, unsigned want, int quiet, const char *db_path)
{
	sc_catalog_opts co;
	sc_catalog cat;
	sc_scan scan;
	sc_cli_audit a;
	sc_vulndb *db = NULL;
	sc_image *img = NULL;
	char *path = NULL;
	time_t started = time(NULL);
	int rc, have_scan = 0;

	memset(&co, 0, sizeof(co));
	memset(&scan, 0, sizeof(scan));
	sc_catalog_init(&cat);
	sc_cli_audit_init(&a);
	if (!want || (want & ~(unsigned)(SC_REPORT_CYCLONEDX | SC_REPORT_SPDX | SC_REPORT_VULN | SC_REPORT_AUDIT))) {
		rc = sc_error_set(SC_EUSAGE, "no or unknown reports requested (%#x)", want);
		goto out;
	}
	/* the database first, as `scute scan` does: a missing one fails before the pass */
	if ((want & SC_REPORT_VULN) && (rc = sc_cli_vulndb_open(&db, &path, db_path)) != 0)
		goto out;
	if ((want & SC_REPORT_AUDIT) && (rc = sc_cli_audit_interests(&a, &co)) != 0)
		goto out;
	if ((rc = sc_cli_catalog_image(&img, &cat, image, NULL, &co, quiet, (want & SC_REPORT_AUDIT) ? &scan : NULL)) != 0)
		goto out;
	have_scan = (want & SC_REPORT_AUDIT) != 0;
	if ((want & SC_REPORT_AUDIT) && (rc = sc_cli_audit_run(&a, img, &cat, &scan)) != 0)
		goto out;
	rc = sc_cli_reports_build(out, img, &cat, (want & SC_REPORT_AUDIT) ? &a.fs : NULL, want, db, path, started);
out:
	sc_cli_audit_release(&a);
	if (have_scan)
		sc_scan_release(&scan);
	sc_catalog_release(&cat);
	sc_image_free(img);
	sc_vulndb_close(db);
	free(path);
	return rc;
}

int sc_cli_reports_make(sc_cli_reports *out, const char *image, unsigned want, int quiet)
{
	return sc_cli_reports_make_db(out, image, want, quiet, NULL);
}

void sc_cli_reports_release(sc_cli_reports *r)
{
	json_decref(r->cyclonedx);
	json_decref(r->spdx);
	json_decref(r->vuln);
	json_decref(r->audit);
	memset(r, 0, sizeof(*r));
}
