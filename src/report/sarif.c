/*
 * sarif.c - findings as a SARIF 2.1.0 log for GitHub code scanning.
 *
 * Specs:
 *   https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 *   https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 * One run; tool.driver.rules has one rule per advisory id (in the order the
 * findings are listed, so highest level first when sorted) and results one
 * result per (advisory, package).  GitHub needs:
 *   - a location per result: the record that declared the package
 *     ("var/lib/dpkg/status"), else the finding's path, else the target
 *     name; percent-encoded as a URI reference, region startLine 1;
 *   - properties."security-severity" on the rule, a number as a string:
 *     the highest CVSS score among the advisory's findings, else a value
 *     derived from the level (critical 9.5, high 8.0, medium 5.5, low 2.0,
 *     negligible/unknown 0.0);
 *   - partialFingerprints so alerts survive re-runs: SHA-256 of
 *     id, package name, version and path.
 * Suppressed findings (VEX not_affected / fixed) are omitted rather than
 * written with `suppressions`: a triaged finding should not open an alert
 * at all.
 */
#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "report/report.h"
#include "report/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
/* The project has no public home yet: same placeholder host as the schema $ids. */
#define INFO_URI "https://scute.invalid/"

static const char *sarif_level(sc_level l)
{
	switch (l) {
	case SC_LEVEL_CRITICAL:
	case SC_LEVEL_HIGH: return "error";
	case SC_LEVEL_MEDIUM: return "warning";
	default: return "note";
	}
}

static double level_score(sc_level l)
{
	switch (l) {
	case SC_LEVEL_CRITICAL: return 9.5;
	case SC_LEVEL_HIGH: return 8.0;
	case SC_LEVEL_MEDIUM: return 5.5;
	case SC_LEVEL_LOW: return 2.0;
	default: return 0.0;
	}
}

/* Percent-encode everything a URI reference (RFC 3986) cannot hold as is. */
static int uri_encode(sc_buf *b, const char *s)
{
	static const char keep[] = "-._~:/?#[]@!$&'()*+,;=";
	const unsigned char *p;
	int rc = 0;

	for (p = (const unsigned char *)s; *p && !rc; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(keep, *p))
			rc = sc_buf_putc(b, (char)*p);
		else
			rc = sc_buf_printf(b, "%%%02X", *p);
	}
	return rc;
}

/* Text for a Markdown table cell: '|' escaped, line breaks as spaces. */
static void md_cell(sc_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			sc_buf_puts(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			sc_buf_putc(b, ' ');
		else
			sc_buf_putc(b, *s);
	}
}

static void fixed_list(sc_buf *b, const sc_finding *f)
{
	size_t i;

	for (i = 0; f->vuln.fixed_in && f->vuln.fixed_in[i]; i++)
		sc_buf_printf(b, "%s%s", i ? ", " : "", f->vuln.fixed_in[i]);
}

static const char *subject_name(const sc_report_ctx *ctx, const sc_finding *f)
{
	const sc_package *p = sc_rp_pkg(ctx, f);

	return p ? p->name : f->path ? f->path : "(unknown)";
}

/* One rule for the advisory of fs->items[first], covering every (unsuppressed) finding with that id. */
static json_t *make_rule(const sc_report_ctx *ctx, const sc_findings *fs, size_t first)
{
	const sc_finding *f = &fs->items[first];
	json_t *rule;
	sc_buf text, md, uri;
	double score = -1;
	sc_level level = f->level;
	char sev[16];
	const char *title = f->title && *f->title ? f->title : f->id;
	size_t i, k;

	sc_buf_init(&text, 1u << 20, "SARIF help");
	sc_buf_init(&md, 1u << 20, "SARIF help");
	sc_buf_init(&uri, 8192, "SARIF uri");
	for (i = first; i < fs->n; i++) {
		const sc_finding *g = &fs->items[i];

		if (g->suppressed || !g->id || strcmp(g->id, f->id) != 0)
			continue;
		if (g->level > level)
			level = g->level;
		if (g->vuln.cvss_score >= 0 && isfinite(g->vuln.cvss_score) && g->vuln.cvss_score > score)
			score = g->vuln.cvss_score;
	}
	if (score < 0)
		score = level_score(level);
	if (score > 10)
		score = 10;
	snprintf(sev, sizeof(sev), "%.1f", score);

	sc_buf_printf(&text, "%s\nSeverity: %s\n", f->id, sc_level_name(level));
	sc_buf_printf(&md, "**%s**\n\n| Severity | Package | Installed | Fixed in |\n| --- | --- | --- | --- |\n",
		      f->id);
	for (i = first; i < fs->n; i++) {
		const sc_finding *g = &fs->items[i];
		const sc_package *p = sc_rp_pkg(ctx, g);
		size_t mark;

		if (g->suppressed || !g->id || strcmp(g->id, f->id) != 0)
			continue;
		sc_buf_printf(&text, "Package: %s %s; fixed in: ", subject_name(ctx, g),
			      p && p->version ? p->version : "-");
		mark = text.len;
		fixed_list(&text, g);
		if (text.len == mark)
			sc_buf_printf(&text, "%s", g->vuln.status ? g->vuln.status : "-");
		sc_buf_putc(&text, '\n');
		sc_buf_printf(&md, "| %s | ", sc_level_name(g->level));
		md_cell(&md, subject_name(ctx, g));
		sc_buf_puts(&md, " | ");
		md_cell(&md, p && p->version ? p->version : "-");
		sc_buf_puts(&md, " | ");
		for (k = 0; g->vuln.fixed_in && g->vuln.fixed_in[k]; k++) {
			if (k)
				sc_buf_puts(&md, ", ");
			md_cell(&md, g->vuln.fixed_in[k]);
		}
		if (!k)
			md_cell(&md, g->vuln.status ? g->vuln.status : "-");
		sc_buf_puts(&md, " |\n");
	}
	if (f->description) {
		sc_buf_printf(&text, "\n%s\n", f->description);
		sc_buf_printf(&md, "\n%s\n", f->description);
	}
	if (f->vuln.references && f->vuln.references[0]) {
		sc_buf_puts(&md, "\n**References**\n\n");
		for (i = 0; f->vuln.references[i] && i < 20; i++)
			sc_buf_printf(&md, "- %s\n", f->vuln.references[i]);
	}
	for (i = 0; f->vuln.references && f->vuln.references[i] && !uri.len; i++)
		if (sc_rp_url_ok(f->vuln.references[i]))
			sc_buf_puts(&uri, f->vuln.references[i]);
	if (!uri.len) {
		sc_buf_puts(&uri, "https://osv.dev/vulnerability/");
		uri_encode(&uri, f->id);
	}

	rule = json_object();
	json_object_set_new(rule, "id", sc_rp_str(f->id));
	json_object_set_new(rule, "name", sc_rp_str(f->id));
	json_object_set_new(rule, "shortDescription", json_pack("{s:o}", "text", sc_rp_str(title)));
	json_object_set_new(rule, "fullDescription",
			    json_pack("{s:o}", "text", sc_rp_str(f->description ? f->description : title)));
	json_object_set_new(rule, "helpUri", sc_rp_str(uri.data));
	json_object_set_new(rule, "help", json_pack("{s:o,s:o}", "text", sc_rp_str(text.data ? text.data : ""),
						    "markdown", sc_rp_str(md.data ? md.data : "")));
	json_object_set_new(rule, "defaultConfiguration", json_pack("{s:s}", "level", sarif_level(level)));
	json_object_set_new(rule, "properties",
			    json_pack("{s:s,s:[s,s,s]}", "security-severity", sev, "tags", "security", "vulnerability",
				      sc_level_name(level)));
	sc_buf_release(&text);
	sc_buf_release(&md);
	sc_buf_release(&uri);
	return rule;
}

static json_t *make_result(const sc_report_ctx *ctx, const sc_finding *f, long ri)
{
	const sc_package *p = sc_rp_pkg(ctx, f);
	sc_buf msg, uri, fp;
	sc_digest d;
	char hex[65];
	const char *where;
	json_t *res;
	size_t mark;

	sc_buf_init(&msg, 1u << 16, "SARIF message");
	sc_buf_init(&uri, 8192, "SARIF uri");
	sc_buf_init(&fp, 1u << 16, "SARIF fingerprint");
	if (p)
		sc_buf_printf(&msg, "Package %s version %s is vulnerable to %s", p->name ? p->name : "?",
			      p->version ? p->version : "(unknown)", f->id);
	else
		sc_buf_printf(&msg, "File %s is affected by %s", f->path ? f->path : "(unknown)", f->id);
	sc_buf_puts(&msg, "; ");
	mark = msg.len;
	if (f->vuln.fixed_in && f->vuln.fixed_in[0]) {
		sc_buf_puts(&msg, "fixed in ");
		fixed_list(&msg, f);
	} else if (f->vuln.status && strcmp(f->vuln.status, "fixed") != 0) {
		sc_buf_printf(&msg, "%s", f->vuln.status);
	}
	if (msg.len == mark)
		sc_buf_puts(&msg, "no fixed version known");
	if (f->title && *f->title)
		sc_buf_printf(&msg, ". %s", f->title);

	where = p && p->location ? p->location : f->path ? f->path : ctx->target ? ctx->target : "image";
	while (*where == '/')
		where++;
	uri_encode(&uri, *where ? where : "image");

	/* NUL-separated so that ("ab","c") and ("a","bc") differ. */
	sc_buf_puts(&fp, f->id);
	sc_buf_putc(&fp, '\0');
	sc_buf_puts(&fp, p && p->name ? p->name : "");
	sc_buf_putc(&fp, '\0');
	sc_buf_puts(&fp, p && p->version ? p->version : "");
	sc_buf_putc(&fp, '\0');
	sc_buf_puts(&fp, f->path ? f->path : p && p->location ? p->location : "");
	sc_sha256_buf(&d, fp.data ? fp.data : "", fp.len);
	sc_digest_hex(&d, hex);

	res = json_object();
	json_object_set_new(res, "ruleId", sc_rp_str(f->id));
	json_object_set_new(res, "ruleIndex", json_integer(ri));
	json_object_set_new(res, "level", json_string(sarif_level(f->level)));
	json_object_set_new(res, "message", json_pack("{s:o}", "text", sc_rp_str(msg.data ? msg.data : "")));
	json_object_set_new(res, "locations",
			    json_pack("[{s:{s:{s:o},s:{s:i}}}]", "physicalLocation", "artifactLocation", "uri",
				      sc_rp_str(uri.data ? uri.data : "image"), "region", "startLine", 1));
	json_object_set_new(res, "partialFingerprints", json_pack("{s:s}", "scuteFinding/v1", hex));
	sc_buf_release(&msg);
	sc_buf_release(&uri);
	sc_buf_release(&fp);
	return res;
}

int sc_report_sarif(json_t **out, const sc_report_ctx *ctx, const sc_findings *fs)
{
	json_t *doc = NULL, *rules = json_array(), *results = json_array(), *driver = NULL;
	json_t *index = json_object(); /* advisory id -> rule index */
	size_t i;
	int rc = 0;

	if (!rules || !results || !index) {
		rc = sc_error_set(SC_ENOMEM, "out of memory building the SARIF log");
		goto out;
	}
	for (i = 0; i < fs->n; i++) {
		const sc_finding *f = &fs->items[i];
		long ri;

		if (f->suppressed || !f->id)
			continue;
		if (json_is_integer(json_object_get(index, f->id))) {
			ri = (long)json_integer_value(json_object_get(index, f->id));
		} else {
			json_t *rule = make_rule(ctx, fs, i);

			ri = (long)json_array_size(rules);
			if (!rule || json_array_append_new(rules, rule) != 0 ||
			    json_object_set_new_nocheck(index, f->id, json_integer(ri)) != 0) {
				rc = sc_error_set(SC_ENOMEM, "out of memory building the SARIF log");
				goto out;
			}
		}
		if (json_array_append_new(results, make_result(ctx, f, ri)) != 0) {
			rc = sc_error_set(SC_ENOMEM, "out of memory building the SARIF log");
			goto out;
		}
	}
	driver = json_pack("{s:s,s:s,s:s,s:s,s:O}", "name", "scute", "version",
			   ctx->tool_version ? ctx->tool_version : "unknown", "semanticVersion",
			   ctx->tool_version ? ctx->tool_version : "0.0.0", "informationUri", INFO_URI, "rules", rules);
	if (!driver) {
		rc = sc_error_set(SC_ENOMEM, "out of memory building the SARIF log");
		goto out;
	}
	doc = json_pack("{s:s,s:s,s:[{s:{s:O},s:O,s:s}]}", "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs", "tool",
			"driver", driver, "results", results, "columnKind", "utf16CodeUnits");
	if (!doc)
		rc = sc_error_set(SC_ENOMEM, "out of memory building the SARIF log");
out:
	json_decref(index);
	json_decref(driver);
	json_decref(rules);
	json_decref(results);
	if (rc)
		return rc;
	*out = doc;
	return 0;
}
