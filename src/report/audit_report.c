/*
 * audit_report.c - audit findings as a table, scute's audit JSON
 * (docs/schemas/audit-v1.schema.json) and SARIF 2.1.0 (one rule per
 * SC-xxxx rule that fired, one result per finding, located at the file).
 *
 * SARIF 2.1.0: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * Audit levels are critical/high/medium/low/info; info is the finding
 * model's "negligible".  Untrusted text (paths, messages built from image
 * content) goes through sc_report_clean() on a terminal.
 */
#include "report/audit_report.h"

#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "report/util.h"

#include <stdio.h>
#include <string.h>

const char *sc_audit_level_name(sc_level l)
{
	return l == SC_LEVEL_NEGLIGIBLE || l == SC_LEVEL_UNKNOWN ? "info" : sc_level_name(l);
}

static const char *level_color(sc_level l)
{
	switch (l) {
	case SC_LEVEL_CRITICAL: return "\033[1;31m";
	case SC_LEVEL_HIGH: return "\033[31m";
	case SC_LEVEL_MEDIUM: return "\033[33m";
	case SC_LEVEL_LOW: return "\033[36m";
	default: return "\033[2m";
	}
}

static void counts(const sc_findings *fs, size_t c[SC_LEVEL_CRITICAL + 1])
{
	size_t i;

	memset(c, 0, sizeof(size_t) * (SC_LEVEL_CRITICAL + 1));
	for (i = 0; i < fs->n; i++)
		if (!fs->items[i].suppressed && fs->items[i].level <= SC_LEVEL_CRITICAL)
			c[fs->items[i].level]++;
}

void sc_report_audit_table(FILE *f, const sc_audit_report_ctx *ctx, const sc_findings *fs, int color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	size_t c[SC_LEVEL_CRITICAL + 1], i, k;
	int lvl, shown = -1;
	sc_buf msg, rem;

	sc_buf_init(&msg, 1u << 16, "table cell");
	sc_buf_init(&rem, 1u << 16, "table cell");
	counts(fs, c);
	fprintf(f, "%sImage%s  %s\n", bold, reset, ctx->target ? ctx->target : "-");
	fprintf(f, "%sScore%s  %d/100\n\n", bold, reset, ctx->score);
	for (lvl = SC_LEVEL_CRITICAL; lvl >= SC_LEVEL_UNKNOWN; lvl--) {
		for (i = 0; i < fs->n; i++) {
			const sc_finding *x = &fs->items[i];

			if (x->suppressed || (int)x->level != lvl)
				continue;
			if (shown != (lvl <= SC_LEVEL_NEGLIGIBLE ? SC_LEVEL_NEGLIGIBLE : lvl)) {
				char up[16];
				size_t u;

				snprintf(up, sizeof(up), "%s", sc_audit_level_name((sc_level)lvl));
				for (u = 0; up[u]; u++)
					up[u] = (char)(up[u] >= 'a' && up[u] <= 'z' ? up[u] - 32 : up[u]);
				fprintf(f, "%s%s%s\n", color ? level_color((sc_level)lvl) : "", up, reset);
				shown = lvl <= SC_LEVEL_NEGLIGIBLE ? SC_LEVEL_NEGLIGIBLE : lvl;
			}
			sc_report_clean(&msg, x->title, 0);
			fprintf(f, "  %-8s %s\n", x->id, msg.data ? msg.data : "");
			/* The fix once, after the last finding of a rule at this level. */
			for (k = i + 1; k < fs->n && fs->items[k].suppressed; k++)
				;
			if (k < fs->n && fs->items[k].level == x->level && strcmp(fs->items[k].id, x->id) == 0)
				continue;
			if (x->remediation) {
				sc_report_clean(&rem, x->remediation, 0);
				fprintf(f, "  %-8s fix: %s\n", "", rem.data ? rem.data : "");
			}
		}
	}
	if (fs->n == 0)
		fprintf(f, "No findings\n");
	fprintf(f, "\n%zu findings: %zu critical, %zu high, %zu medium, %zu low, %zu info\n",
		c[SC_LEVEL_CRITICAL] + c[SC_LEVEL_HIGH] + c[SC_LEVEL_MEDIUM] + c[SC_LEVEL_LOW] + c[SC_LEVEL_NEGLIGIBLE] +
			c[SC_LEVEL_UNKNOWN],
		c[SC_LEVEL_CRITICAL], c[SC_LEVEL_HIGH], c[SC_LEVEL_MEDIUM], c[SC_LEVEL_LOW],
		c[SC_LEVEL_NEGLIGIBLE] + c[SC_LEVEL_UNKNOWN]);
	sc_buf_release(&msg);
	sc_buf_release(&rem);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/*
 * json_string() rejects invalid UTF-8: findings built from image paths may
 * carry it.  Such text is sanitized (invalid bytes become '?'): a string
 * made with json_stringn_nocheck() would make json_dumpf() fail half-way.
 */
static json_t *jtext(const char *s)
{
	return sc_rp_str(s);
}

static void set(json_t *o, const char *k, json_t *v)
{
	if (v)
		json_object_set_new(o, k, v);
}

int sc_report_audit_json(json_t **out, const sc_audit_report_ctx *ctx, const sc_findings *fs)
{
	json_t *doc = json_object(), *t = json_object(), *tool = json_object(), *sum = json_object(),
	       *arr = json_array();
	size_t c[SC_LEVEL_CRITICAL + 1], i;

	if (!doc || !t || !tool || !sum || !arr)
		goto nomem;
	counts(fs, c);
	set(doc, "schema", json_string("scute-audit/1"));
	set(t, "name", jtext(ctx->target));
	if (ctx->target_digest)
		set(t, "digest", json_string(ctx->target_digest));
	set(doc, "target", t);
	t = NULL;
	set(tool, "name", json_string("scute"));
	set(tool, "version", jstr(ctx->tool_version));
	set(doc, "tool", tool);
	tool = NULL;
	set(doc, "score", json_integer(ctx->score));
	set(sum, "critical", json_integer((json_int_t)c[SC_LEVEL_CRITICAL]));
	set(sum, "high", json_integer((json_int_t)c[SC_LEVEL_HIGH]));
	set(sum, "medium", json_integer((json_int_t)c[SC_LEVEL_MEDIUM]));
	set(sum, "low", json_integer((json_int_t)c[SC_LEVEL_LOW]));
	set(sum, "info", json_integer((json_int_t)(c[SC_LEVEL_NEGLIGIBLE] + c[SC_LEVEL_UNKNOWN])));
	set(doc, "summary", sum);
	sum = NULL;
	for (i = 0; i < fs->n; i++) {
		const sc_finding *x = &fs->items[i];
		const sc_rule *r = sc_audit_rule(x->id);
		json_t *o = json_object();

		if (!o)
			goto nomem;
		set(o, "rule", json_string(x->id));
		set(o, "level", json_string(sc_audit_level_name(x->level)));
		if (r)
			set(o, "category", json_string(sc_audit_category_name(r->category)));
		set(o, "title", jtext(x->description));
		set(o, "message", jtext(x->title));
		if (x->path)
			set(o, "path", jtext(x->path));
		if (x->remediation)
			set(o, "remediation", jtext(x->remediation));
		if (r && r->references)
			set(o, "references", json_string(r->references));
		json_array_append_new(arr, o);
	}
	set(doc, "findings", arr);
	*out = doc;
	return 0;
nomem:
	json_decref(doc);
	json_decref(t);
	json_decref(tool);
	json_decref(sum);
	json_decref(arr);
	return sc_error_set(SC_ENOMEM, "out of memory");
}

static const char *sarif_level(sc_level l)
{
	return l >= SC_LEVEL_HIGH ? "error" : l == SC_LEVEL_MEDIUM ? "warning" : "note";
}

static const char *severity_score(sc_level l)
{
	switch (l) {
	case SC_LEVEL_CRITICAL: return "9.5";
	case SC_LEVEL_HIGH: return "8.0";
	case SC_LEVEL_MEDIUM: return "5.5";
	case SC_LEVEL_LOW: return "2.0";
	default: return "0.0";
	}
}

int sc_report_audit_sarif(json_t **out, const sc_audit_report_ctx *ctx, const sc_findings *fs)
{
	json_t *doc = json_object(), *runs = json_array(), *run = json_object(), *tool = json_object(),
	       *driver = json_object(), *rules = json_array(), *results = json_array();
	const char *seen[256];
	size_t n_seen = 0, i, k;

	if (!doc || !runs || !run || !tool || !driver || !rules || !results)
		goto nomem;
	set(doc, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	set(doc, "version", json_string("2.1.0"));
	set(driver, "name", json_string("scute"));
	set(driver, "version", jstr(ctx->tool_version));
	set(driver, "informationUri", json_string("https://scute.invalid/"));
	for (i = 0; i < fs->n; i++) {
		const sc_finding *x = &fs->items[i];
		const sc_rule *r;
		json_t *res, *locs, *loc, *phys, *art, *region, *msg, *fp, *rule, *props, *tags;
		char dg_in[512], hex[65];
		sc_digest dg;
		long idx = -1;

		if (x->suppressed)
			continue;
		for (k = 0; k < n_seen; k++)
			if (strcmp(seen[k], x->id) == 0)
				idx = (long)k;
		if (idx < 0 && n_seen < sizeof(seen) / sizeof(seen[0])) {
			r = sc_audit_rule(x->id);
			rule = json_object();
			props = json_object();
			tags = json_array();
			if (!rule || !props || !tags)
				goto nomem;
			set(rule, "id", json_string(x->id));
			set(rule, "name", json_string(x->id));
			msg = json_object();
			set(msg, "text", jtext(x->description ? x->description : x->id));
			set(rule, "shortDescription", msg);
			msg = json_object();
			set(msg, "text", jtext(r && r->references ? r->references : x->description));
			set(rule, "fullDescription", msg);
			msg = json_object();
			set(msg, "text", jtext(x->remediation ? x->remediation : "see docs/checks.md"));
			set(rule, "help", msg);
			msg = json_object();
			set(msg, "level", json_string(sarif_level(r ? r->level : x->level)));
			set(rule, "defaultConfiguration", msg);
			json_array_append_new(tags, json_string("security"));
			if (r)
				json_array_append_new(tags, json_string(sc_audit_category_name(r->category)));
			set(props, "tags", tags);
			set(props, "security-severity", json_string(severity_score(r ? r->level : x->level)));
			set(rule, "properties", props);
			json_array_append_new(rules, rule);
			idx = (long)n_seen;
			seen[n_seen++] = x->id;
		}
		if (idx < 0)
			continue;
		res = json_object();
		msg = json_object();
		locs = json_array();
		loc = json_object();
		phys = json_object();
		art = json_object();
		region = json_object();
		fp = json_object();
		if (!res || !msg || !locs || !loc || !phys || !art || !region || !fp)
			goto nomem;
		set(res, "ruleId", json_string(x->id));
		set(res, "ruleIndex", json_integer(idx));
		set(res, "level", json_string(sarif_level(x->level)));
		set(msg, "text", jtext(x->title));
		set(res, "message", msg);
		/* GitHub needs a location: the file, else the image itself. */
		set(art, "uri", jtext(x->path && *x->path ? x->path : ctx->target ? ctx->target : "image"));
		set(phys, "artifactLocation", art);
		set(region, "startLine", json_integer(1));
		set(phys, "region", region);
		set(loc, "physicalLocation", phys);
		json_array_append_new(locs, loc);
		set(res, "locations", locs);
		snprintf(dg_in, sizeof(dg_in), "%s\n%s\n%s", x->id, x->path ? x->path : "", x->title ? x->title : "");
		sc_sha256_buf(&dg, dg_in, strlen(dg_in));
		set(fp, "scuteFinding/v1", json_string(sc_digest_hex(&dg, hex)));
		set(res, "partialFingerprints", fp);
		json_array_append_new(results, res);
	}
	set(driver, "rules", rules);
	rules = NULL;
	set(tool, "driver", driver);
	driver = NULL;
	set(run, "tool", tool);
	tool = NULL;
	set(run, "results", results);
	results = NULL;
	json_array_append_new(runs, run);
	run = NULL;
	set(doc, "runs", runs);
	*out = doc;
	return 0;
nomem:
	json_decref(doc);
	json_decref(runs);
	json_decref(run);
	json_decref(tool);
	json_decref(driver);
	json_decref(rules);
	json_decref(results);
	return sc_error_set(SC_ENOMEM, "out of memory");
}
