/*
 * native.c - scute's own catalog JSON (`scute sbom --format json`,
 * scuteSbomVersion 1; docs/sbom.md): everything the catalogers found, in
 * the catalog's model, for tools and tests that want it without going
 * through CycloneDX or SPDX.
 */
#include "sbom/sbom.h"
#include "core/error.h"
#include "core/json.h"

#include <stdio.h>
#include <string.h>

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *kv_obj(const sc_kv_list *l)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_object_set_new(o, l->items[i].key, json_string(l->items[i].value));
	return o;
}

static json_t *strv(char *const *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *slash(const char *p)
{
	char buf[4200];

	if (!p)
		return json_null();
	snprintf(buf, sizeof(buf), "/%s", p);
	return json_string(buf);
}

int sc_sbom_native(json_t **out, const sc_sbom_ctx *ctx)
{
	const sc_catalog *cat = ctx->cat;
	json_t *doc = json_object(), *pkgs = json_array(), *elves = json_array(), *models = json_array();
	json_t *notes = json_array();
	char dg[SC_DIGEST_STRLEN], hex[65];
	size_t i;

	json_object_set_new(doc, "scuteSbomVersion", json_integer(1));
	json_object_set_new(doc, "image", json_string(ctx->img->name));
	json_object_set_new(doc, "digest", json_string(sc_digest_fmt(&ctx->img->manifest_digest, dg)));
	json_object_set_new(doc, "purl", json_string(ctx->image_purl));
	json_object_set_new(doc, "os",
			    json_pack("{s:o,s:o,s:o,s:o,s:o}", "id", jstr(cat->os.id), "versionId",
				      jstr(cat->os.version_id), "codename", jstr(cat->os.codename), "prettyName",
				      jstr(cat->os.pretty_name), "source", slash(cat->os.source)));
	for (i = 0; i < cat->n_pkgs; i++) {
		const sc_package *p = &cat->pkgs[i];
		json_t *j = json_object();

		json_object_set_new(j, "ecosystem", json_string(sc_ecosystem_name(p->eco)));
		json_object_set_new(j, "name", json_string(p->name));
		json_object_set_new(j, "version", jstr(p->version));
		json_object_set_new(j, "arch", jstr(p->arch));
		json_object_set_new(j, "sourceName", jstr(p->source_name));
		json_object_set_new(j, "sourceVersion", jstr(p->source_version));
		json_object_set_new(j, "license", jstr(p->license));
		json_object_set_new(j, "supplier", jstr(p->supplier));
		json_object_set_new(j, "installedSize", json_integer((json_int_t)p->installed_size));
		json_object_set_new(j, "location", slash(p->location));
		json_object_set_new(j, "osManaged", json_boolean(p->os_managed));
		json_object_set_new(j, "purl", json_string(ctx->purls[i]));
		json_object_set_new(j, "depends", strv(p->depends));
		json_object_set_new(j, "files", json_integer((json_int_t)sc_strv_len(p->files)));
		json_object_set_new(j, "properties", kv_obj(&p->props));
		json_array_append_new(pkgs, j);
	}
	for (i = 0; i < cat->n_elves; i++) {
		const sc_elf_info *e = &cat->elves[i];

		json_array_append_new(
			elves, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:b,s:b}", "path", slash(e->path), "soname",
					 jstr(e->soname), "needed", strv(e->needed), "rpath", jstr(e->rpath), "runpath",
					 jstr(e->runpath), "interp", jstr(e->interp), "machine", jstr(e->machine),
					 "shared", e->is_shared, "executable", e->is_executable, "packaged", e->packaged));
	}
	for (i = 0; i < cat->n_models; i++) {
		const sc_model_file *m = &cat->models[i];

		json_array_append_new(
			models, json_pack("{s:o,s:o,s:I,s:o,s:b,s:o,s:o,s:I,s:o}", "path", slash(m->path), "format",
					  jstr(m->format), "size", (json_int_t)m->size, "sha256",
					  m->sha256.set ? json_string(sc_digest_hex(&m->sha256, hex)) : json_null(),
					  "pickleBased", m->pickle_based, "architecture", jstr(m->architecture),
					  "quantization", jstr(m->quantization), "parameters", (json_int_t)m->parameters,
					  "properties", kv_obj(&m->props)));
	}
	for (i = 0; i < cat->n_notes; i++) {
		const sc_note *n = &cat->notes[i];
		static const char *const lv[] = { "info", "warning", "error" };

		json_array_append_new(notes, json_pack("{s:s,s:o,s:o,s:s}", "level", lv[n->level], "cataloger",
						       jstr(n->cataloger), "path", slash(n->path), "message", n->message));
	}
	json_object_set_new(doc, "packages", pkgs);
	json_object_set_new(doc, "elf", elves);
	json_object_set_new(doc, "models", models);
	json_object_set_new(doc, "notes", notes);
	*out = doc;
	return 0;
}
