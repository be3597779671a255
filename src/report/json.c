/*
 * json.c - scute's own JSON scan report, "schema": "scute-scan/1".
 *
 * Layout documented in docs/scan.md ("Output formats") and fixed by
 * docs/schemas/scan-v1.schema.json (JSON Schema draft 2020-12), which the
 * unit test validates against.  Every finding is written, suppressed ones
 * with "suppressed": true and their VEX statement; the summary counts the
 * findings that are not suppressed, per level.
 */
#include "core/error.h"
#include "report/report.h"
#include "report/util.h"

#include <math.h>

static json_t *package_obj(const sc_report_ctx *ctx, const sc_finding *f)
{
	const sc_package *p = sc_rp_pkg(ctx, f);
	json_t *o;

	if (!p)
		return NULL;
	o = json_object();
	json_object_set_new(o, "name", sc_rp_str(p->name));
	json_object_set_new(o, "version", sc_rp_str(p->version));
	json_object_set_new(o, "ecosystem", json_string(sc_ecosystem_name(p->eco)));
	json_object_set_new(o, "purl", sc_rp_str(sc_rp_purl(ctx, f)));
	sc_rp_set_opt(o, "source_name", p->source_name);
	sc_rp_set_opt(o, "source_version", p->source_version);
	sc_rp_set_opt(o, "location", p->location);
	return o;
}

static json_t *finding_obj(const sc_report_ctx *ctx, const sc_finding *f)
{
	const sc_finding_vuln *v = &f->vuln;
	json_t *o = json_object(), *pkg;

	json_object_set_new(o, "kind", json_string(f->kind ? f->kind : "vulnerability"));
	json_object_set_new(o, "id", sc_rp_str(f->id ? f->id : ""));
	json_object_set_new(o, "aliases", sc_rp_strv(v->aliases));
	json_object_set_new(o, "level", json_string(sc_level_name(f->level)));
	json_object_set_new(o, "title", sc_rp_str(f->title));
	sc_rp_set_opt(o, "description", f->description);
	if ((pkg = package_obj(ctx, f)) != NULL)
		json_object_set_new(o, "package", pkg);
	sc_rp_set_opt(o, "path", f->path);
	json_object_set_new(o, "status", sc_rp_str(v->status));
	json_object_set_new(o, "fixed_in", sc_rp_strv(v->fixed_in));
	json_object_set_new(o, "remediation", sc_rp_str(f->remediation));
	if (v->cvss_score >= 0 && isfinite(v->cvss_score))
		json_object_set_new(o, "cvss", json_pack("{s:f,s:o}", "score", v->cvss_score, "vector",
							 sc_rp_str(v->cvss_vector)));
	json_object_set_new(o, "severity_source", sc_rp_str(v->severity_source));
	json_object_set_new(o, "source", sc_rp_str(v->source));
	json_object_set_new(o, "matched", json_pack("{s:o,s:o,s:o}", "ecosystem", sc_rp_str(v->ecosystem), "name",
						    sc_rp_str(v->matched_name), "version",
						    sc_rp_str(v->matched_version)));
	json_object_set_new(o, "references", sc_rp_strv(v->references));
	sc_rp_set_opt(o, "published", v->published);
	sc_rp_set_opt(o, "modified", v->modified);
	if (v->os_managed_pypi)
		json_object_set_new(o, "os_managed_pypi", json_true());
	json_object_set_new(o, "suppressed", json_boolean(f->suppressed));
	if (v->vex_status)
		json_object_set_new(o, "vex", json_pack("{s:o,s:o,s:o,s:o}", "status", sc_rp_str(v->vex_status),
							"justification", sc_rp_str(v->vex_justification),
							"statement", sc_rp_str(v->vex_statement), "document",
							sc_rp_str(v->vex_document)));
	return o;
}

int sc_report_json(json_t **out, const sc_report_ctx *ctx, const sc_findings *fs)
{
	json_t *doc = NULL, *summary, *list;
	sc_rp_counts c;
	size_t i;
	int lv, rc = 0;

	sc_rp_count(&c, ctx, fs);
	doc = json_object();
	summary = json_object();
	list = json_array();
	if (!doc || !summary || !list) {
		json_decref(summary);
		json_decref(list);
		rc = sc_error_set(SC_ENOMEM, "out of memory building the JSON report");
		goto out;
	}
	json_object_set_new(doc, "schema", json_string("scute-scan/1"));
	json_object_set_new(doc, "target", json_pack("{s:o,s:o,s:o}", "name", sc_rp_str(ctx->target), "digest",
						     sc_rp_str(ctx->target_digest), "purl",
						     sc_rp_str(ctx->target_purl)));
	json_object_set_new(doc, "tool", json_pack("{s:s,s:o}", "name", "scute", "version",
						   sc_rp_str(ctx->tool_version ? ctx->tool_version : "unknown")));
	json_object_set_new(doc, "database", sc_rp_str(ctx->db_path));
	for (lv = SC_LEVEL_CRITICAL; lv >= SC_LEVEL_UNKNOWN; lv--)
		json_object_set_new(summary, sc_level_name((sc_level)lv), json_integer((json_int_t)c.level[lv]));
	json_object_set_new(summary, "total", json_integer((json_int_t)c.shown));
	json_object_set_new(summary, "suppressed", json_integer((json_int_t)c.suppressed));
	json_object_set_new(doc, "summary", summary);
	for (i = 0; i < fs->n; i++) {
		json_t *o = finding_obj(ctx, &fs->items[i]);

		if (!o || json_array_append_new(list, o) != 0) {
			json_decref(list);
			rc = sc_error_set(SC_ENOMEM, "out of memory building the JSON report");
			goto out;
		}
	}
	json_object_set_new(doc, "findings", list);
out:
	if (rc) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return 0;
}
