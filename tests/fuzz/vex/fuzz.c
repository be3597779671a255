/*
 * fuzz.c (vex) - bytes as an OpenVEX document through sc_vex_parse(),
 * then applied to a fixed small catalog and findings list (a deb, a PyPI
 * and an npm package in image "oci:/img:1", a path-only finding, ids with
 * aliases), and the result rendered as JSON, CycloneDX and a table.
 * Checks: parse failures set a message; after applying, a finding is
 * suppressed exactly when its VEX status is not_affected or fixed, and
 * the newly-suppressed count is never more than the suppressed findings.
 * Spec: https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md
 */
#include "catalog/catalog.h"
#include "core/error.h"
#include "report/report.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **strv(const char *a, const char *b)
{
	char **v = calloc(3, sizeof(char *));

	if (!v)
		abort();
	v[0] = strdup(a);
	v[1] = b ? strdup(b) : NULL;
	return v;
}

static void add_pkg(sc_catalog *cat, sc_ecosystem eco, const char *name, const char *version)
{
	sc_package p;

	memset(&p, 0, sizeof(p));
	p.eco = eco;
	p.name = (char *)name;
	p.version = (char *)version;
	p.location = (char *)"var/lib/dpkg/status";
	if (sc_catalog_add_package(cat, &p, NULL) != 0)
		abort();
}

static void add(sc_findings *fs, const char *id, const char *alias, long pkg, sc_level level)
{
	sc_finding *f;

	if (sc_findings_add(fs, &f) != 0)
		abort();
	f->kind = strdup("vulnerability");
	f->id = strdup(id);
	f->level = level;
	f->pkg = pkg;
	f->title = strdup("title");
	if (alias)
		f->vuln.aliases = strv(alias, "GHSA-aaaa-bbbb-cccc");
	if (pkg < 0)
		f->path = strdup("usr/bin/tool");
	f->vuln.status = strdup("fixed");
	f->vuln.fixed_in = strv("9.9", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *purls[] = { "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12",
				 "pkg:npm/%40scope/left-pad@1.0.0", "pkg:pypi/torch@2.0.0", NULL };
	sc_catalog cat;
	sc_findings fs;
	sc_report_ctx ctx;
	sc_vex *v = NULL;
	size_t i, newly = 0, supp = 0;
	json_t *doc = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (sc_vex_parse(&v, (const char *)data, size, "fuzz") != 0) {
		if (!*sc_error_msg())
			abort();
		sc_error_clear();
		return 0;
	}
	sc_catalog_init(&cat);
	sc_findings_init(&fs);
	add_pkg(&cat, SC_ECO_DEB, "openssl", "3.0.11-1");
	add_pkg(&cat, SC_ECO_NPM, "@scope/left-pad", "1.0.0");
	add_pkg(&cat, SC_ECO_PYPI, "torch", "2.0.0");
	add(&fs, "CVE-2024-1", NULL, 0, SC_LEVEL_HIGH);
	add(&fs, "PYSEC-2024-1", "CVE-2024-2", 2, SC_LEVEL_CRITICAL);
	add(&fs, "GHSA-xxxx-yyyy-zzzz", "CVE-2024-1", 1, SC_LEVEL_LOW);
	add(&fs, "GO-2024-1", "CVE-2024-3", -1, SC_LEVEL_UNKNOWN);
	memset(&ctx, 0, sizeof(ctx));
	ctx.tool_version = "0.0.0";
	ctx.target = "oci:/img:1";
	ctx.target_digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	ctx.target_purl = "pkg:oci/img@sha256%3A0000000000000000000000000000000000000000000000000000000000000000";
	ctx.cat = &cat;
	ctx.purls = purls;

	if (sc_vex_apply(v, &ctx, &fs, &newly) == 0) {
		for (i = 0; i < fs.n; i++) {
			const char *st = fs.items[i].vuln.vex_status;
			int want = st && (strcmp(st, "not_affected") == 0 || strcmp(st, "fixed") == 0);

			if (fs.items[i].suppressed != want)
				abort();
			supp += want;
		}
		if (newly > supp)
			abort();
		ctx.n_suppressed = supp;
		if (sc_report_json(&doc, &ctx, &fs) == 0)
			json_decref(doc);
		doc = NULL;
		if (sc_report_cyclonedx(&doc, &ctx, &fs) == 0)
			json_decref(doc);
		doc = NULL;
		if (sc_report_sarif(&doc, &ctx, &fs) == 0)
			json_decref(doc);
		if ((f = open_memstream(&text, &len)) != NULL) {
			sc_report_table(f, &ctx, &fs, 1);
			fclose(f);
			free(text);
		}
	}
	sc_error_clear();
	sc_vex_free(v);
	sc_findings_release(&fs);
	sc_catalog_release(&cat);
	return 0;
}
