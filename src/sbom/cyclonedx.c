/*
 * cyclonedx.c - CycloneDX 1.6 JSON from a catalog.
 *
 * Spec: https://cyclonedx.org/docs/1.6/json/ (validated in tests against
 * the official bom-1.6 schema).  Layout:
 *   metadata.component   the image (type container, purl pkg:oci/...)
 *   components           the OS (operating-system), every package
 *                        (library; purl, licenses, supplier, properties),
 *                        model files (machine-learning-model with hashes
 *                        and a modelCard), unpackaged ELF files (file)
 *   dependencies         the image -> everything; package -> resolved deps
 * Property names are namespaced "scute:".
 */
#include "sbom/sbom.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void prop(json_t *arr, const char *name, const char *value)
{
	if (value && *value)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "name", name, "value", value));
}

static void prop_u64(json_t *arr, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	prop(arr, name, buf);
}

static int prop_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "name")), json_string_value(json_object_get(y, "name")));

	return c ? c : strcmp(json_string_value(json_object_get(x, "value")),
			      json_string_value(json_object_get(y, "value")));
}

/* Sort a properties array by name/value; drop it from obj when empty. */
static void attach_props(json_t *obj, const char *key, json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **items;

	if (!n) {
		json_decref(arr);
		return;
	}
	items = malloc(n * sizeof(*items));
	if (items) {
		for (i = 0; i < n; i++)
			items[i] = json_incref(json_array_get(arr, i));
		qsort(items, n, sizeof(*items), prop_cmp);
		json_array_clear(arr);
		for (i = 0; i < n; i++)
			json_array_append_new(arr, items[i]);
		free(items);
	}
	json_object_set_new(obj, key, arr);
}

static void kv_props(json_t *arr, const sc_kv_list *l, const char *prefix)
{
	size_t i;
	char name[256];

	for (i = 0; i < l->n; i++) {
		snprintf(name, sizeof(name), "%s%s", prefix, l->items[i].key);
		prop(arr, name, l->items[i].value);
	}
}

static json_t *licenses(const char *license)
{
	const char *id = sc_spdx_license_id(license);

	if (!license || !*license)
		return NULL;
	if (id)
		return json_pack("[{s:{s:s}}]", "license", "id", id);
	return json_pack("[{s:{s:s}}]", "license", "name", license);
}

static json_t *package_component(const sc_sbom_ctx *ctx, size_t i)
{
	const sc_package *p = &ctx->cat->pkgs[i];
	json_t *c = json_object(), *props = json_array(), *lic;
	char loc[4200];

	json_object_set_new(c, "type", json_string("library"));
	json_object_set_new(c, "bom-ref", json_string(ctx->refs[i]));
	if (p->supplier)
		json_object_set_new(c, "supplier", json_pack("{s:s}", "name", p->supplier));
	json_object_set_new(c, "name", json_string(p->name));
	if (p->version)
		json_object_set_new(c, "version", json_string(p->version));
	if (p->summary)
		json_object_set_new(c, "description", json_string(p->summary));
	if ((lic = licenses(p->license)) != NULL)
		json_object_set_new(c, "licenses", lic);
	json_object_set_new(c, "purl", json_string(ctx->purls[i]));
	prop(props, "scute:ecosystem", sc_ecosystem_name(p->eco));
	if (p->location) {
		snprintf(loc, sizeof(loc), "/%s", p->location);
		prop(props, "scute:location", loc);
	}
	prop(props, "scute:arch", p->arch);
	prop(props, "scute:source-name", p->source_name);
	prop(props, "scute:source-version", p->source_version);
	if (p->installed_size)
		prop_u64(props, "scute:installed-size", p->installed_size);
	if (p->os_managed)
		prop(props, "scute:os-managed", "true");
	if (p->files)
		prop_u64(props, "scute:files", sc_strv_len(p->files));
	kv_props(props, &p->props, "scute:");
	attach_props(c, "properties", props);
	return c;
}

static json_t *model_component(const sc_model_file *m)
{
	json_t *c = json_object(), *props = json_array(), *card = json_object(), *params = json_object();
	json_t *cprops = json_array();
	char hex[65], ref[4200], loc[4200];
	const char *base = strrchr(m->path, '/');

	snprintf(ref, sizeof(ref), "model:/%s", m->path);
	snprintf(loc, sizeof(loc), "/%s", m->path);
	json_object_set_new(c, "type", json_string("machine-learning-model"));
	json_object_set_new(c, "bom-ref", json_string(ref));
	json_object_set_new(c, "name", json_string(base ? base + 1 : m->path));
	if (m->sha256.set)
		json_object_set_new(c, "hashes",
				    json_pack("[{s:s,s:s}]", "alg", "SHA-256", "content", sc_digest_hex(&m->sha256, hex)));
	prop(props, "scute:location", loc);
	prop_u64(props, "scute:size", m->size);
	prop(props, "scute:model:format", m->format);
	if (m->pickle_based)
		prop(props, "scute:model:pickle-based", "true");
	kv_props(props, &m->props, "scute:model:");
	attach_props(c, "properties", props);

	if (m->architecture) {
		json_object_set_new(params, "architectureFamily", json_string(m->architecture));
		json_object_set_new(params, "modelArchitecture", json_string(m->architecture));
	}
	json_object_set_new(card, "modelParameters", params);
	prop(cprops, "format", m->format);
	prop(cprops, "quantization", m->quantization);
	if (m->parameters)
		prop_u64(cprops, "parameterCount", m->parameters);
	prop(cprops, "datasets", "unknown");
	prop(cprops, "serialization", m->pickle_based ? "pickle" : "data-only");
	attach_props(card, "properties", cprops);
	json_object_set_new(c, "modelCard", card);
	return c;
}

static json_t *elf_component(const sc_elf_info *e)
{
	json_t *c = json_object(), *props = json_array();
	char ref[4200], loc[4200];
	const char *base = strrchr(e->path, '/');
	size_t i;

	snprintf(ref, sizeof(ref), "file:/%s", e->path);
	snprintf(loc, sizeof(loc), "/%s", e->path);
	json_object_set_new(c, "type", json_string("file"));
	json_object_set_new(c, "bom-ref", json_string(ref));
	json_object_set_new(c, "name", json_string(base ? base + 1 : e->path));
	prop(props, "scute:location", loc);
	prop(props, "scute:package", "unpackaged");
	prop(props, "scute:elf:soname", e->soname);
	prop(props, "scute:elf:rpath", e->rpath);
	prop(props, "scute:elf:runpath", e->runpath);
	prop(props, "scute:elf:interp", e->interp);
	prop(props, "scute:elf:machine", e->machine);
	prop(props, "scute:elf:kind", e->is_executable ? "executable" : e->is_shared ? "shared-library" : "object");
	for (i = 0; e->needed && e->needed[i]; i++)
		prop(props, "scute:elf:needed", e->needed[i]);
	attach_props(c, "properties", props);
	return c;
}

static void uuid_from(const sc_digest *d, const char *salt, char out[37])
{
	unsigned char in[128], h[32];
	sc_digest r;
	size_t n = strlen(salt);

	memcpy(in, d->bytes, 32);
	memcpy(in + 32, salt, n < 96 ? n : 96);
	sc_sha256_buf(&r, in, 32 + (n < 96 ? n : 96));
	memcpy(h, r.bytes, 32);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50); /* version 5 (name-based, SHA) */
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2],
		 h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sc_sbom_cyclonedx(json_t **out, const sc_sbom_ctx *ctx)
{
	const sc_catalog *cat = ctx->cat;
	const sc_image *img = ctx->img;
	json_t *bom = json_object(), *meta = json_object(), *comps = json_array(), *deps = json_array();
	json_t *image = json_object(), *iprops = json_array(), *all = json_array();
	char ts[32], uuid[37], serial[64], dg[SC_DIGEST_STRLEN], plat[128], osref[600];
	size_t i, k;

	uuid_from(&img->manifest_digest, "cyclonedx", uuid);
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	json_object_set_new(bom, "$schema", json_string("http://cyclonedx.org/schema/bom-1.6.schema.json"));
	json_object_set_new(bom, "bomFormat", json_string("CycloneDX"));
	json_object_set_new(bom, "specVersion", json_string("1.6"));
	json_object_set_new(bom, "serialNumber", json_string(serial));
	json_object_set_new(bom, "version", json_integer(1));

	json_object_set_new(meta, "timestamp", json_string(sc_sbom_fmt_time(ctx->timestamp, ts)));
	json_object_set_new(meta, "tools",
			    json_pack("{s:[{s:s,s:s,s:s,s:s}]}", "components", "type", "application", "author",
				      "scute developers", "name", "scute", "version", ctx->tool_version));
	json_object_set_new(image, "type", json_string("container"));
	json_object_set_new(image, "bom-ref", json_string(ctx->image_purl));
	json_object_set_new(image, "name", json_string(ctx->image_name));
	json_object_set_new(image, "version", json_string(sc_digest_fmt(&img->manifest_digest, dg)));
	json_object_set_new(image, "purl", json_string(ctx->image_purl));
	prop(iprops, "scute:image:id", sc_digest_fmt(&img->manifest.config.digest, dg));
	prop(iprops, "scute:image:reference", img->name);
	prop(iprops, "scute:image:platform", sc_platform_fmt(&img->config.platform, plat, sizeof(plat)));
	prop(iprops, "scute:image:created", img->config.created);
	for (i = 0; i < cat->n_notes; i++) {
		char line[1200];

		snprintf(line, sizeof(line), "%s: %s%s%s%s", cat->notes[i].cataloger,
			 cat->notes[i].path ? "/" : "", cat->notes[i].path ? cat->notes[i].path : "",
			 cat->notes[i].path ? ": " : "", cat->notes[i].message);
		prop(iprops, cat->notes[i].level == SC_NOTE_INFO ? "scute:note:info" : "scute:note:warning", line);
	}
	attach_props(image, "properties", iprops);
	json_object_set_new(meta, "component", image);
	json_object_set_new(bom, "metadata", meta);

	if (cat->os.id) {
		json_t *os = json_object();

		snprintf(osref, sizeof(osref), "os:%s@%s", cat->os.id, cat->os.version_id ? cat->os.version_id : "");
		json_object_set_new(os, "type", json_string("operating-system"));
		json_object_set_new(os, "bom-ref", json_string(osref));
		json_object_set_new(os, "name", json_string(cat->os.id));
		if (cat->os.version_id)
			json_object_set_new(os, "version", json_string(cat->os.version_id));
		if (cat->os.pretty_name)
			json_object_set_new(os, "description", json_string(cat->os.pretty_name));
		json_array_append_new(comps, os);
		json_array_append_new(all, json_string(osref));
	}
	for (i = 0; i < cat->n_pkgs; i++) {
		json_array_append_new(comps, package_component(ctx, i));
		json_array_append_new(all, json_string(ctx->refs[i]));
	}
	for (i = 0; i < cat->n_models; i++) {
		json_t *m = model_component(&cat->models[i]);

		json_array_append(all, json_object_get(m, "bom-ref"));
		json_array_append_new(comps, m);
	}
	for (i = 0; i < cat->n_elves; i++) {
		json_t *e;

		if (cat->elves[i].packaged)
			continue;
		e = elf_component(&cat->elves[i]);
		json_array_append(all, json_object_get(e, "bom-ref"));
		json_array_append_new(comps, e);
	}
	json_object_set_new(bom, "components", comps);

	json_array_append_new(deps, json_pack("{s:s,s:o}", "ref", ctx->image_purl, "dependsOn", all));
	for (i = 0; i < cat->n_pkgs; i++) {
		const sc_package *p = &cat->pkgs[i];
		const char **refs;
		size_t n = sc_strv_len(p->depends), m = 0;
		json_t *on = json_array();

		refs = calloc(n ? n : 1, sizeof(*refs));
		if (!refs) {
			json_decref(on);
			json_decref(bom);
			return sc_error_set(SC_ENOMEM, "out of memory");
		}
		for (k = 0; k < n; k++) {
			long j = sc_sbom_resolve_dep(cat, p, p->depends[k]);

			if (j >= 0)
				refs[m++] = ctx->refs[j];
		}
		qsort(refs, m, sizeof(*refs), str_cmp);
		for (k = 0; k < m; k++)
			if (k == 0 || strcmp(refs[k], refs[k - 1]) != 0)
				json_array_append_new(on, json_string(refs[k]));
		free(refs);
		json_array_append_new(deps, json_pack("{s:s,s:o}", "ref", ctx->refs[i], "dependsOn", on));
	}
	json_object_set_new(bom, "dependencies", deps);
	*out = bom;
	return 0;
}
