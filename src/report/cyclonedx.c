/*
 * cyclonedx.c - findings as a CycloneDX 1.6 BOM with vulnerabilities
 * (a VEX BOM).
 *
 * Spec: https://cyclonedx.org/docs/1.6/json/#vulnerabilities (validated
 * in tests against the official bom-1.6 schema).  Layout:
 *   metadata.component  the target (type container; purl when known)
 *   components          one per package that has a finding (bom-ref: its
 *                       purl, "#N" for twins exactly as `scute sbom` does,
 *                       so refs line up with the SBOM), one "file" per
 *                       path-only finding
 *   vulnerabilities     one per advisory id and VEX outcome: findings of
 *                       the same id are merged into affects[] unless VEX
 *                       statements gave them different analyses, which one
 *                       vulnerability object cannot hold
 * analysis.state: VEX not_affected -> not_affected, fixed -> resolved,
 * affected -> exploitable, under_investigation or no VEX -> in_triage;
 * OpenVEX justifications are mapped onto CycloneDX's (see just_map).
 * serialNumber is a UUID (version 5 layout) from the SHA-256 of the
 * document's own content, so the same findings give the same bytes.
 */
#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "report/report.h"
#include "report/util.h"
#include "sbom/sbom.h"
#include "vuln/cvss.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_VERSION 1024 /* CycloneDX `version` maxLength */

static const char *cdx_severity(sc_level l)
{
	switch (l) {
	case SC_LEVEL_CRITICAL: return "critical";
	case SC_LEVEL_HIGH: return "high";
	case SC_LEVEL_MEDIUM: return "medium";
	case SC_LEVEL_LOW: return "low";
	case SC_LEVEL_NEGLIGIBLE: return "info";
	default: return "unknown";
	}
}

static const char *cvss_method(const char *vector)
{
	if (strncmp(vector, "CVSS:3.1/", 9) == 0)
		return "CVSSv31";
	if (strncmp(vector, "CVSS:3.0/", 9) == 0)
		return "CVSSv3";
	if (strncmp(vector, "CVSS:4.0/", 9) == 0)
		return "CVSSv4";
	if (strncmp(vector, "AV:", 3) == 0 || strncmp(vector, "(AV:", 4) == 0)
		return "CVSSv2";
	return "other";
}

/* OpenVEX justification -> CycloneDX analysis.justification (NULL: none fits). */
static const char *just_map(const char *j)
{
	static const char *const map[][2] = {
		{ "component_not_present", "code_not_present" },
		{ "vulnerable_code_not_present", "code_not_present" },
		{ "vulnerable_code_not_in_execute_path", "code_not_reachable" },
		{ "vulnerable_code_cannot_be_controlled_by_adversary", "requires_environment" },
		{ "inline_mitigations_already_exist", "protected_by_mitigating_control" },
	};
	size_t i;

	for (i = 0; j && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(j, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static const char *analysis_state(const char *vex)
{
	if (!vex)
		return "in_triage";
	if (strcmp(vex, "not_affected") == 0)
		return "not_affected";
	if (strcmp(vex, "fixed") == 0)
		return "resolved";
	if (strcmp(vex, "affected") == 0)
		return "exploitable";
	return "in_triage";
}

/* A version string within CycloneDX's length limit, cut on a UTF-8 boundary. */
static json_t *version_str(const char *v)
{
	char buf[MAX_VERSION + 1];
	size_t n;

	if (strlen(v) <= MAX_VERSION)
		return sc_rp_str(v);
	n = MAX_VERSION;
	while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return sc_rp_str(buf);
}

/*
 * The bom-ref of catalog package i: its purl, with "#N" for the N-th
 * consecutive twin (sc_sbom_ctx_init's rule), else a derived ref.
 */
static char *package_ref(const sc_report_ctx *ctx, size_t i)
{
	const sc_package *p = &ctx->cat->pkgs[i];
	sc_buf b;
	size_t dup = 0, j;
	int rc;

	sc_buf_init(&b, 1u << 16, "bom-ref");
	if (ctx->purls && ctx->purls[i]) {
		for (j = i; j > 0 && ctx->purls[j - 1] && strcmp(ctx->purls[j - 1], ctx->purls[i]) == 0; j--)
			dup++;
		rc = dup ? sc_buf_printf(&b, "%s#%zu", ctx->purls[i], dup) : sc_buf_puts(&b, ctx->purls[i]);
	} else {
		/* No purl to line up with the SBOM: the catalog index keeps it unique. */
		rc = sc_buf_printf(&b, "package:%s/%s@%s#%zu", sc_ecosystem_name(p->eco), p->name ? p->name : "",
				   p->version ? p->version : "", i);
	}
	if (rc) {
		sc_buf_release(&b);
		return NULL;
	}
	return sc_buf_detach(&b, NULL);
}

static json_t *package_component(const sc_report_ctx *ctx, size_t i, const char *ref)
{
	const sc_package *p = &ctx->cat->pkgs[i];
	json_t *c = json_object();

	json_object_set_new(c, "type", json_string("library"));
	json_object_set_new(c, "bom-ref", sc_rp_str(ref));
	json_object_set_new(c, "name", sc_rp_str(p->name ? p->name : "unknown"));
	if (p->version)
		json_object_set_new(c, "version", version_str(p->version));
	if (ctx->purls && ctx->purls[i])
		json_object_set_new(c, "purl", sc_rp_str(ctx->purls[i]));
	if (p->location) {
		char loc[4200];

		snprintf(loc, sizeof(loc), "/%s", p->location);
		json_object_set_new(c, "properties", json_pack("[{s:s,s:o}]", "name", "scute:location", "value",
								sc_rp_str(loc)));
	}
	return c;
}

static json_t *alias_ref(const char *alias)
{
	char url[600];
	const char *name;

	if (strncmp(alias, "CVE-", 4) == 0) {
		name = "NVD";
		snprintf(url, sizeof(url), "https://nvd.nist.gov/vuln/detail/%s", alias);
	} else if (strncmp(alias, "GHSA-", 5) == 0) {
		name = "GitHub Advisories";
		snprintf(url, sizeof(url), "https://github.com/advisories/%s", alias);
	} else {
		name = "OSV";
		snprintf(url, sizeof(url), "https://osv.dev/vulnerability/%s", alias);
	}
	return json_pack("{s:o,s:{s:s,s:o}}", "id", sc_rp_str(alias), "source", "name", name, "url",
			 sc_rp_str(url));
}

/* published/updated: only valid RFC 3339, written normalised to UTC. */
static void set_time(json_t *v, const char *key, const char *s)
{
	long long secs;
	long ns;
	char ts[32];

	if (s && sc_rp_rfc3339(s, &secs, &ns) == 0 && secs >= 0 && secs < 253402300800LL) {
		sc_sbom_fmt_time((time_t)secs, ts);
		json_object_set_new(v, key, json_string(ts));
	}
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Findings i and j go into one vulnerability object: same id, same VEX outcome. */
static int same_group(const sc_finding *a, const sc_finding *b)
{
	return same_str(a->id, b->id) && same_str(a->vuln.vex_status, b->vuln.vex_status) &&
	       same_str(a->vuln.vex_justification, b->vuln.vex_justification) &&
	       same_str(a->vuln.vex_statement, b->vuln.vex_statement);
}

static json_t *ratings(const sc_finding *f, sc_level level, double score, const char *vector)
{
	json_t *r = json_array();
	const char *src = f->vuln.source ? f->vuln.source : "scute";
	int cvss_rated = vector && score >= 0 && f->vuln.severity_source &&
			 strcmp(f->vuln.severity_source, "cvss") == 0;

	/* The level scute used, unless it is exactly the CVSS rating below. */
	if (!cvss_rated)
		json_array_append_new(r, json_pack("{s:{s:o},s:s,s:s}", "source", "name", sc_rp_str(src), "severity",
						   cdx_severity(level), "method", "other"));
	if (vector && score >= 0) {
		json_t *o = json_pack("{s:{s:o},s:f,s:s,s:s,s:o}", "source", "name", sc_rp_str(src), "score", score,
				      "severity",
				      cvss_rated ? cdx_severity(level)
						 : sc_cvss_rating_name(sc_cvss_rating_of(score)),
				      "method", cvss_method(vector), "vector", sc_rp_str(vector));

		json_array_append_new(r, o);
	}
	return r;
}

/* One vulnerability object for the group of fs->items[first]; refs[pkg] are the component refs. */
static json_t *make_vuln(const sc_report_ctx *ctx, const sc_findings *fs, size_t first, char **refs, size_t seq)
{
	const sc_finding *f = &fs->items[first];
	const sc_finding_vuln *fv = &f->vuln;
	json_t *v = json_object(), *affects = json_array(), *seen = json_object(), *refsj = json_array();
	json_t *adv = json_array(), *an = json_object(), *props = json_array();
	sc_buf rec, tmp;
	sc_level level = f->level;
	double score = -1;
	const char *vector = NULL, *just;
	char ref[600], url[600];
	size_t i, k;

	sc_buf_init(&rec, 1u << 16, "recommendation");
	sc_buf_init(&tmp, 8192, "ref");
	for (i = first; i < fs->n; i++) {
		const sc_finding *g = &fs->items[i];
		const sc_package *p = sc_rp_pkg(ctx, g);
		const char *aref;

		if (!same_group(g, f))
			continue;
		if (g->level > level)
			level = g->level;
		if (g->vuln.cvss_vector && g->vuln.cvss_score >= 0 && isfinite(g->vuln.cvss_score) &&
		    g->vuln.cvss_score > score) {
			score = g->vuln.cvss_score;
			vector = g->vuln.cvss_vector;
		}
		if (p) {
			aref = refs[g->pkg];
		} else if (g->path) {
			sc_buf_reset(&tmp);
			sc_buf_printf(&tmp, "file:/%s", g->path);
			aref = tmp.data;
		} else {
			continue;
		}
		if (!aref || json_object_get(seen, aref))
			continue;
		json_object_set_new_nocheck(seen, aref, json_true());
		{
			json_t *a = json_pack("{s:o}", "ref", sc_rp_str(aref));

			if (p && p->version)
				json_object_set_new(a, "versions",
						    json_pack("[{s:o,s:s}]", "version", version_str(p->version), "status",
							      g->suppressed ? "unaffected" : "affected"));
			json_array_append_new(affects, a);
		}
		/* Recommendation: the matcher's remediation, else the fixed versions. */
		sc_buf_reset(&tmp);
		if (g->remediation) {
			sc_buf_puts(&tmp, g->remediation);
		} else if (g->vuln.fixed_in && g->vuln.fixed_in[0]) {
			sc_buf_printf(&tmp, "upgrade %s to ", p ? p->name : g->path);
			for (k = 0; g->vuln.fixed_in[k]; k++)
				sc_buf_printf(&tmp, "%s%s", k ? " or " : "", g->vuln.fixed_in[k]);
		}
		if (tmp.len && (!rec.data || !strstr(rec.data, tmp.data)))
			sc_buf_printf(&rec, "%s%s", rec.len ? "; " : "", tmp.data);
	}
	json_decref(seen);

	if (seq > 1)
		snprintf(ref, sizeof(ref), "vuln:%.500s#%zu", f->id, seq);
	else
		snprintf(ref, sizeof(ref), "vuln:%.500s", f->id);
	snprintf(url, sizeof(url), "https://osv.dev/vulnerability/%.500s", f->id);
	json_object_set_new(v, "bom-ref", sc_rp_str(ref));
	json_object_set_new(v, "id", sc_rp_str(f->id));
	json_object_set_new(v, "source", json_pack("{s:o,s:o}", "name", sc_rp_str(fv->source ? fv->source : "scute"),
						   "url", sc_rp_str(url)));
	for (i = 0; fv->aliases && fv->aliases[i]; i++)
		json_array_append_new(refsj, alias_ref(fv->aliases[i]));
	if (json_array_size(refsj))
		json_object_set_new(v, "references", refsj);
	else
		json_decref(refsj);
	json_object_set_new(v, "ratings", ratings(f, level, score, vector));
	if (f->title)
		json_object_set_new(v, "description", sc_rp_str(f->title));
	if (f->description)
		json_object_set_new(v, "detail", sc_rp_str(f->description));
	if (rec.len)
		json_object_set_new(v, "recommendation", sc_rp_str(rec.data));
	for (i = 0; fv->references && fv->references[i]; i++)
		if (sc_rp_url_ok(fv->references[i]))
			json_array_append_new(adv, json_pack("{s:o}", "url", sc_rp_str(fv->references[i])));
	if (json_array_size(adv))
		json_object_set_new(v, "advisories", adv);
	else
		json_decref(adv);
	set_time(v, "published", fv->published);
	set_time(v, "updated", fv->modified);

	json_object_set_new(an, "state", json_string(analysis_state(fv->vex_status)));
	if (fv->vex_status && strcmp(fv->vex_status, "not_affected") == 0 &&
	    (just = just_map(fv->vex_justification)) != NULL)
		json_object_set_new(an, "justification", json_string(just));
	if (fv->vex_statement)
		json_object_set_new(an, "detail", sc_rp_str(fv->vex_statement));
	json_object_set_new(v, "analysis", an);
	json_object_set_new(v, "affects", affects);

	if (fv->status)
		json_array_append_new(props, json_pack("{s:s,s:o}", "name", "scute:status", "value",
						       sc_rp_str(fv->status)));
	if (fv->vex_document)
		json_array_append_new(props, json_pack("{s:s,s:o}", "name", "scute:vex:document", "value",
						       sc_rp_str(fv->vex_document)));
	if (fv->vex_justification && !just_map(fv->vex_justification))
		json_array_append_new(props, json_pack("{s:s,s:o}", "name", "scute:vex:justification", "value",
						       sc_rp_str(fv->vex_justification)));
	if (json_array_size(props))
		json_object_set_new(v, "properties", props);
	else
		json_decref(props);
	sc_buf_release(&rec);
	sc_buf_release(&tmp);
	return v;
}

static void uuid_of(const json_t *doc, char out[37])
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	sc_digest d;
	const unsigned char *h;

	sc_sha256_buf(&d, text ? text : "", text ? strlen(text) : 0);
	free(text);
	h = d.bytes;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2],
		 h[3], h[4], h[5], (h[6] & 0x0f) | 0x50, h[7], (h[8] & 0x3f) | 0x80, h[9], h[10], h[11], h[12], h[13],
		 h[14], h[15]);
}

int sc_report_cyclonedx(json_t **out, const sc_report_ctx *ctx, const sc_findings *fs)
{
	json_t *bom = NULL, *meta, *target, *comps, *vulns, *deps, *groups = NULL, *files = NULL, *made = NULL;
	char **refs = NULL;
	size_t n_pkgs = ctx->cat ? ctx->cat->n_pkgs : 0, i, k;
	char ts[32], uuid[37], serial[64];
	const char *target_ref = ctx->target_purl ? ctx->target_purl : "scute:target";
	int rc = 0;

	bom = json_object();
	meta = json_object();
	target = json_object();
	comps = json_array();
	vulns = json_array();
	deps = json_array();
	groups = json_object(); /* vuln id -> number of objects made for it so far */
	files = json_object();
	made = json_object(); /* group keys already written */
	refs = sc_calloc(n_pkgs + 1, sizeof(*refs));
	if (!bom || !meta || !target || !comps || !vulns || !deps || !groups || !files || !made || !refs) {
		json_decref(meta);
		json_decref(target);
		json_decref(comps);
		json_decref(vulns);
		json_decref(deps);
		rc = sc_error_set(SC_ENOMEM, "out of memory building the CycloneDX report");
		goto out;
	}
	json_object_set_new(bom, "$schema", json_string("http://cyclonedx.org/schema/bom-1.6.schema.json"));
	json_object_set_new(bom, "bomFormat", json_string("CycloneDX"));
	json_object_set_new(bom, "specVersion", json_string("1.6"));
	json_object_set_new(bom, "serialNumber", json_string("urn:uuid:00000000-0000-0000-0000-000000000000"));
	json_object_set_new(bom, "version", json_integer(1));

	json_object_set_new(meta, "timestamp", json_string(sc_sbom_fmt_time(ctx->timestamp, ts)));
	json_object_set_new(meta, "tools",
			    json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "components", "type", "application", "author",
				      "scute developers", "name", "scute", "version",
				      ctx->tool_version ? ctx->tool_version : "unknown"));
	json_object_set_new(target, "type", json_string("container"));
	json_object_set_new(target, "bom-ref", sc_rp_str(target_ref));
	json_object_set_new(target, "name", sc_rp_str(ctx->target ? ctx->target : "unknown"));
	if (ctx->target_digest)
		json_object_set_new(target, "version", sc_rp_str(ctx->target_digest));
	if (ctx->target_purl)
		json_object_set_new(target, "purl", sc_rp_str(ctx->target_purl));
	json_object_set_new(meta, "component", target);
	json_object_set_new(bom, "metadata", meta);

	/* Components: packages with findings in catalog order, then files. */
	for (i = 0; i < fs->n; i++) {
		const sc_finding *f = &fs->items[i];

		if (sc_rp_pkg(ctx, f) && !refs[f->pkg] && !(refs[f->pkg] = package_ref(ctx, (size_t)f->pkg))) {
			rc = sc_error_set(SC_ENOMEM, "out of memory building the CycloneDX report");
			goto out;
		}
		if (!sc_rp_pkg(ctx, f) && f->path)
			json_object_set_new_nocheck(files, f->path, json_true());
	}
	for (i = 0; i < n_pkgs; i++) {
		if (!refs[i])
			continue;
		json_array_append_new(comps, package_component(ctx, i, refs[i]));
		json_array_append_new(deps, sc_rp_str(refs[i]));
	}
	{
		const char **paths = sc_calloc(json_object_size(files) + 1, sizeof(*paths));
		const char *key;
		json_t *val;

		if (!paths) {
			rc = SC_ENOMEM;
			goto out;
		}
		k = 0;
		json_object_foreach(files, key, val)
			paths[k++] = key;
		for (i = 1; i < k; i++) { /* insertion sort: few files, deterministic order */
			const char *t = paths[i];
			size_t j = i;

			for (; j > 0 && strcmp(paths[j - 1], t) > 0; j--)
				paths[j] = paths[j - 1];
			paths[j] = t;
		}
		for (i = 0; i < k; i++) {
			char ref[4200];
			const char *base = strrchr(paths[i], '/');

			snprintf(ref, sizeof(ref), "file:/%s", paths[i]);
			json_array_append_new(comps, json_pack("{s:s,s:o,s:o}", "type", "file", "bom-ref",
							       sc_rp_str(ref), "name",
							       sc_rp_str(base ? base + 1 : paths[i])));
			json_array_append_new(deps, sc_rp_str(ref));
		}
		free(paths);
	}
	json_object_set_new(bom, "components", comps);
	json_object_set_new(bom, "dependencies", json_pack("[{s:o,s:o}]", "ref", sc_rp_str(target_ref), "dependsOn",
							   deps));

	/* Vulnerabilities: one per (id, VEX outcome), in order of first finding. */
	for (i = 0; i < fs->n; i++) {
		const sc_finding *f = &fs->items[i];
		json_int_t seq;
		sc_buf key;

		if (!f->id)
			continue;
		sc_buf_init(&key, 1u << 20, "group key");
		rc = sc_buf_printf(&key, "%s\x1f%d%s\x1f%d%s\x1f%d%s", f->id, !!f->vuln.vex_status,
				   f->vuln.vex_status ? f->vuln.vex_status : "", !!f->vuln.vex_justification,
				   f->vuln.vex_justification ? f->vuln.vex_justification : "", !!f->vuln.vex_statement,
				   f->vuln.vex_statement ? f->vuln.vex_statement : "");
		if (rc || json_object_get(made, key.data)) {
			sc_buf_release(&key);
			if (rc)
				goto out;
			continue;
		}
		json_object_set_new_nocheck(made, key.data, json_true());
		sc_buf_release(&key);
		seq = json_integer_value(json_object_get(groups, f->id)) + 1;
		json_object_set_new_nocheck(groups, f->id, json_integer(seq));
		json_array_append_new(vulns, make_vuln(ctx, fs, i, refs, (size_t)seq));
	}
	json_object_set_new(bom, "vulnerabilities", vulns);

	uuid_of(bom, uuid);
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	json_object_set_new(bom, "serialNumber", json_string(serial));
out:
	json_decref(groups);
	json_decref(files);
	json_decref(made);
	for (i = 0; refs && i < n_pkgs; i++)
		free(refs[i]);
	free(refs);
	if (rc) {
		json_decref(bom);
		return rc;
	}
	*out = bom;
	return 0;
}
