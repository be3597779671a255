/*
 * spdx.c - SPDX 2.3 JSON from a catalog.
 *
 * Spec: https://spdx.github.io/spdx-spec/v2.3/ (validated in tests against
 * the official spdx-2.3 JSON schema).  The image is a CONTAINER package
 * that the document DESCRIBES; it CONTAINS the OS, every package, model
 * file and unpackaged ELF file; packages DEPENDS_ON what their metadata
 * names when it resolves.  Every package carries its purl as a
 * PACKAGE-MANAGER external reference.  licenseDeclared is an SPDX id only
 * when the database states one we recognise, else NOASSERTION (the raw
 * text goes to licenseComments).
 */
#include "sbom/sbom.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SPDXRef-<kind>-<sanitised name>-<n>: only [A-Za-z0-9.-] are allowed. */
static char *spdx_id(const char *kind, const char *name, size_t n, char *out, size_t outsz)
{
	size_t o = (size_t)snprintf(out, outsz, "SPDXRef-%s-", kind), i;

	for (i = 0; name && name[i] && o + 24 < outsz; i++) {
		unsigned char c = (unsigned char)name[i];

		out[o++] = (char)(isalnum(c) || c == '.' || c == '-' ? c : '-');
	}
	snprintf(out + o, outsz - o, "-%zu", n);
	return out;
}

static json_t *purl_ref(const char *purl)
{
	return json_pack("[{s:s,s:s,s:s}]", "referenceCategory", "PACKAGE-MANAGER", "referenceType", "purl",
			 "referenceLocator", purl);
}

static void rel(json_t *rels, const char *a, const char *type, const char *b)
{
	json_array_append_new(rels, json_pack("{s:s,s:s,s:s}", "spdxElementId", a, "relationshipType", type,
					      "relatedSpdxElement", b));
}

static json_t *base_pkg(const char *id, const char *name, const char *version, const char *purpose)
{
	json_t *p = json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "SPDXID", id, "name", name && *name ? name : "unknown",
			      "downloadLocation", "NOASSERTION", "filesAnalyzed", 0, "licenseConcluded", "NOASSERTION",
			      "copyrightText", "NOASSERTION", "primaryPackagePurpose", purpose);

	if (version && *version)
		json_object_set_new(p, "versionInfo", json_string(version));
	return p;
}

static void set_supplier(json_t *p, const char *supplier)
{
	sc_buf b;
	size_t i;

	if (!supplier || !*supplier) {
		json_object_set_new(p, "supplier", json_string("NOASSERTION"));
		return;
	}
	sc_buf_init(&b, 4096, "supplier");
	sc_buf_puts(&b, "Organization: ");
	for (i = 0; supplier[i] && i < 1000; i++)
		sc_buf_putc(&b, supplier[i] == '\n' ? ' ' : supplier[i]);
	json_object_set_new(p, "supplier", json_string(b.data ? b.data : "NOASSERTION"));
	sc_buf_release(&b);
}

int sc_sbom_spdx(json_t **out, const sc_sbom_ctx *ctx)
{
	const sc_catalog *cat = ctx->cat;
	const sc_image *img = ctx->img;
	json_t *doc = json_object(), *pkgs = json_array(), *rels = json_array(), *image;
	char ts[32], ns[512], id[600], hex[65], dg[SC_DIGEST_STRLEN], tool[128];
	char **ids = NULL;
	size_t i, k;

	sc_digest_hex(&img->manifest_digest, hex);
	json_object_set_new(doc, "spdxVersion", json_string("SPDX-2.3"));
	json_object_set_new(doc, "dataLicense", json_string("CC0-1.0"));
	json_object_set_new(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
	json_object_set_new(doc, "name", json_string(ctx->image_name));
	snprintf(ns, sizeof(ns), "https://scute.invalid/spdx/%s-sha256-%s", ctx->image_name, hex);
	json_object_set_new(doc, "documentNamespace", json_string(ns));
	snprintf(tool, sizeof(tool), "Tool: scute-%s", ctx->tool_version);
	json_object_set_new(doc, "creationInfo", json_pack("{s:s,s:[s]}", "created", sc_sbom_fmt_time(ctx->timestamp, ts),
							   "creators", tool));

	image = base_pkg("SPDXRef-Image", ctx->image_name, sc_digest_fmt(&img->manifest_digest, dg), "CONTAINER");
	json_object_set_new(image, "checksums", json_pack("[{s:s,s:s}]", "algorithm", "SHA256", "checksumValue", hex));
	json_object_set_new(image, "externalRefs", purl_ref(ctx->image_purl));
	json_object_set_new(image, "licenseDeclared", json_string("NOASSERTION"));
	set_supplier(image, NULL);
	json_array_append_new(pkgs, image);
	rel(rels, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");

	if (cat->os.id) {
		json_t *os = base_pkg("SPDXRef-OperatingSystem", cat->os.id, cat->os.version_id, "OPERATING_SYSTEM");

		json_object_set_new(os, "licenseDeclared", json_string("NOASSERTION"));
		set_supplier(os, NULL);
		if (cat->os.pretty_name)
			json_object_set_new(os, "description", json_string(cat->os.pretty_name));
		json_array_append_new(pkgs, os);
		rel(rels, "SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem");
	}
	ids = calloc(cat->n_pkgs + 1, sizeof(*ids));
	if (!ids) {
		json_decref(doc);
		json_decref(pkgs);
		json_decref(rels);
		return sc_error_set(SC_ENOMEM, "out of memory");
	}
	for (i = 0; i < cat->n_pkgs; i++) {
		const sc_package *p = &cat->pkgs[i];
		const char *lid = sc_spdx_license_id(p->license);
		json_t *j;

		spdx_id(sc_ecosystem_name(p->eco), p->name, i, id, sizeof(id));
		ids[i] = strdup(id);
		j = base_pkg(id, p->name, p->version, p->eco == SC_ECO_BINARY ? "LIBRARY" : "LIBRARY");
		set_supplier(j, p->supplier);
		json_object_set_new(j, "licenseDeclared", json_string(lid ? lid : "NOASSERTION"));
		if (p->license && !lid)
			json_object_set_new(j, "licenseComments", json_string(p->license));
		if (p->summary)
			json_object_set_new(j, "summary", json_string(p->summary));
		if (p->location) {
			char src[4200];

			snprintf(src, sizeof(src), "%s package recorded in /%s", sc_ecosystem_name(p->eco), p->location);
			json_object_set_new(j, "sourceInfo", json_string(src));
		}
		json_object_set_new(j, "externalRefs", purl_ref(ctx->purls[i]));
		json_array_append_new(pkgs, j);
		rel(rels, "SPDXRef-Image", "CONTAINS", id);
	}
	for (i = 0; i < cat->n_models; i++) {
		const sc_model_file *m = &cat->models[i];
		const char *base = strrchr(m->path, '/');
		char fname[4200], comment[512];
		json_t *j;

		spdx_id("Model", base ? base + 1 : m->path, i, id, sizeof(id));
		j = base_pkg(id, base ? base + 1 : m->path, NULL, "FILE");
		snprintf(fname, sizeof(fname), "/%s", m->path);
		json_object_set_new(j, "packageFileName", json_string(fname));
		json_object_set_new(j, "licenseDeclared", json_string("NOASSERTION"));
		set_supplier(j, NULL);
		if (m->sha256.set)
			json_object_set_new(j, "checksums", json_pack("[{s:s,s:s}]", "algorithm", "SHA256", "checksumValue",
								     sc_digest_hex(&m->sha256, hex)));
		snprintf(comment, sizeof(comment),
			 "machine-learning model; format: %s; architecture: %s; quantization: %s; parameters: %llu; "
			 "pickle-based: %s; size: %llu",
			 m->format ? m->format : "unknown", m->architecture ? m->architecture : "unknown",
			 m->quantization ? m->quantization : "unknown", (unsigned long long)m->parameters,
			 m->pickle_based ? "yes" : "no", (unsigned long long)m->size);
		json_object_set_new(j, "comment", json_string(comment));
		json_array_append_new(pkgs, j);
		rel(rels, "SPDXRef-Image", "CONTAINS", id);
	}
	for (i = 0; i < cat->n_elves; i++) {
		const sc_elf_info *e = &cat->elves[i];
		const char *base = strrchr(e->path, '/');
		char fname[4200];
		json_t *j;

		if (e->packaged)
			continue;
		spdx_id("File", base ? base + 1 : e->path, i, id, sizeof(id));
		j = base_pkg(id, base ? base + 1 : e->path, NULL, "FILE");
		snprintf(fname, sizeof(fname), "/%s", e->path);
		json_object_set_new(j, "packageFileName", json_string(fname));
		json_object_set_new(j, "licenseDeclared", json_string("NOASSERTION"));
		set_supplier(j, NULL);
		json_object_set_new(j, "comment", json_string("unpackaged ELF file"));
		json_array_append_new(pkgs, j);
		rel(rels, "SPDXRef-Image", "CONTAINS", id);
	}
	for (i = 0; i < cat->n_pkgs; i++) {
		const sc_package *p = &cat->pkgs[i];
		long last = -1;

		for (k = 0; p->depends && p->depends[k]; k++) {
			long j = sc_sbom_resolve_dep(cat, p, p->depends[k]);

			if (j >= 0 && j != last && ids[i] && ids[j])
				rel(rels, ids[i], "DEPENDS_ON", ids[j]);
			last = j;
		}
	}
	for (i = 0; i < cat->n_pkgs; i++)
		free(ids[i]);
	free(ids);
	json_object_set_new(doc, "packages", pkgs);
	json_object_set_new(doc, "relationships", rels);
	*out = doc;
	return 0;
}
