/*
 * image.c - open an image: resolve the reference, walk an index to the
 * platform's manifest, read and cross-check manifest and config; see image.h.
 *
 * Specs:
 *   https://github.com/opencontainers/image-spec/blob/main/image-index.md
 *   https://github.com/opencontainers/image-spec/blob/main/manifest.md
 *   https://github.com/opencontainers/image-spec/blob/main/config.md
 */
#include "image/image.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An index may point at one more index (e.g. an attestation wrapper), no deeper. */
#define MAX_INDEX_LEVELS 2

static int dup_platform(sc_platform *out, const sc_platform *in)
{
	sc_platform p = { 0 };

	if ((in->os && !(p.os = sc_strdup(in->os))) ||
	    (in->architecture && !(p.architecture = sc_strdup(in->architecture))) ||
	    (in->variant && !(p.variant = sc_strdup(in->variant))) ||
	    (in->os_version && !(p.os_version = sc_strdup(in->os_version)))) {
		sc_platform_release(&p);
		return SC_ENOMEM;
	}
	*out = p;
	return 0;
}

static int layer_type_known(const char *mt)
{
	if (!mt)
		return 0;
	if (strcmp(mt, SC_MT_DOCKER_LAYER_TAR) == 0)
		return 1;
	return sc_layer_compression(mt) != SC_COMP_UNKNOWN;
}

/* Everything after the source is open; errors carry "what" context, not the image name. */
static int resolve(sc_image *img, const sc_platform *want)
{
	sc_buf doc;
	char *mt = NULL;
	sc_digest dg = { 0 };
	sc_platform def = { 0 };
	int have_def = 0, levels = 0, rc;
	const sc_platform *selected = NULL; /* from an index descriptor */
	sc_platform selected_copy = { 0 };
	char ds[SC_DIGEST_STRLEN];
	size_t i;

	sc_buf_init(&doc, SC_MANIFEST_MAX, "manifest");
	if ((rc = img->src->ops->get_root(img->src, &doc, &mt, &dg)) != 0)
		goto out;
	for (;;) {
		sc_doc_kind kind = SC_DOC_UNKNOWN;
		sc_index ix;
		const sc_descriptor *d = NULL;

		if ((rc = sc_doc_detect(&kind, doc.data ? doc.data : "", doc.len, mt)) != 0) {
			rc = sc_error_prefix(rc, "document %s", sc_digest_fmt(&dg, ds));
			goto out;
		}
		if (kind == SC_DOC_MANIFEST)
			break;
		if (kind != SC_DOC_INDEX) {
			rc = sc_error_set(SC_EUNSUPPORTED, "document %s (media type %.120s) is not an image manifest or index",
					  sc_digest_fmt(&dg, ds), mt ? mt : "unknown");
			goto out;
		}
		if (++levels > MAX_INDEX_LEVELS) {
			rc = sc_error_set(SC_EINPUT, "index %s: indexes nested more than %d levels deep",
					  sc_digest_fmt(&dg, ds), MAX_INDEX_LEVELS);
			goto out;
		}
		if ((rc = sc_index_parse(&ix, doc.data ? doc.data : "", doc.len)) != 0) {
			rc = sc_error_prefix(rc, "index %s", sc_digest_fmt(&dg, ds));
			goto out;
		}
		if (!want && !have_def) {
			if ((rc = sc_platform_default(&def)) != 0) {
				sc_index_release(&ix);
				goto out;
			}
			have_def = 1;
		}
		rc = sc_index_select(&ix, want ? want : &def, &d);
		if (rc == 0 && !d->digest.set)
			rc = sc_error_set(SC_EINPUT, "entry without a digest");
		if (rc) {
			sc_index_release(&ix);
			rc = sc_error_prefix(rc, "index %s", sc_digest_fmt(&dg, ds));
			goto out;
		}
		if (!img->from_index) {
			img->from_index = 1;
			img->index_digest = dg;
			img->index_media_type = mt;
			mt = NULL;
		}
		free(mt);
		mt = NULL;
		if (d->media_type && !(mt = sc_strdup(d->media_type))) {
			sc_index_release(&ix);
			rc = SC_ENOMEM;
			goto out;
		}
		dg = d->digest;
		if (d->has_platform) {
			sc_platform_release(&selected_copy);
			if ((rc = dup_platform(&selected_copy, &d->platform)) != 0) {
				sc_index_release(&ix);
				goto out;
			}
			selected = &selected_copy;
		}
		sc_buf_reset(&doc);
		rc = sc_source_read_blob(img->src, d, SC_MANIFEST_MAX, &doc);
		sc_index_release(&ix);
		if (rc) {
			rc = sc_error_prefix(rc, "manifest"); /* the blob message names the digest */
			goto out;
		}
	}

	/* manifest */
	if ((rc = sc_manifest_parse(&img->manifest, doc.data ? doc.data : "", doc.len)) != 0) {
		rc = sc_error_prefix(rc, "manifest %s", sc_digest_fmt(&dg, ds));
		goto out;
	}
	img->manifest_digest = dg;
	img->manifest_media_type = mt;
	mt = NULL;
	img->manifest_raw = doc;
	sc_buf_init(&doc, SC_MANIFEST_MAX, "manifest");
	if (img->manifest.n_layers > SC_MAX_LAYERS) {
		rc = sc_error_set(SC_ELIMIT, "manifest %s has %zu layers, limit is %d", sc_digest_fmt(&dg, ds),
				  img->manifest.n_layers, SC_MAX_LAYERS);
		goto out;
	}
	for (i = 0; i < img->manifest.n_layers; i++) {
		const char *lmt = img->manifest.layers[i].media_type;

		if (!layer_type_known(lmt)) {
			rc = sc_error_set(SC_EUNSUPPORTED, "manifest %s: layer %zu has unsupported media type '%.120s'",
					  sc_digest_fmt(&dg, ds), i + 1, lmt ? lmt : "(none)");
			goto out;
		}
	}

	/* config */
	{
		const sc_descriptor *c = &img->manifest.config;
		char cs[SC_DIGEST_STRLEN];

		if (!c->media_type ||
		    (strcmp(c->media_type, SC_MT_OCI_CONFIG) != 0 && strcmp(c->media_type, SC_MT_DOCKER_CONFIG) != 0)) {
			rc = sc_error_set(SC_EUNSUPPORTED,
					  "manifest %s: config media type '%.120s' is not an image config (an artifact?)",
					  sc_digest_fmt(&dg, ds), c->media_type ? c->media_type : "(none)");
			goto out;
		}
		if ((rc = sc_source_read_blob(img->src, c, SC_CONFIG_MAX, &img->config_raw)) != 0) {
			rc = sc_error_prefix(rc, "config");
			goto out;
		}
		if ((rc = sc_config_parse(&img->config, img->config_raw.data ? img->config_raw.data : "",
					  img->config_raw.len)) != 0) {
			rc = sc_error_prefix(rc, "config %s", sc_digest_fmt(&c->digest, cs));
			goto out;
		}
	}
	if (img->config.n_diff_ids != img->manifest.n_layers) {
		rc = sc_error_set(SC_EINPUT, "image config lists %zu diff_ids but the manifest has %zu layers",
				  img->config.n_diff_ids, img->manifest.n_layers);
		goto out;
	}

	/* platform: the config's, else the index entry's, else what was asked for */
	if (img->config.platform.os && img->config.platform.architecture)
		rc = dup_platform(&img->platform, &img->config.platform);
	else if (selected)
		rc = dup_platform(&img->platform, selected);
	else if (want)
		rc = dup_platform(&img->platform, want);
out:
	free(mt);
	sc_buf_release(&doc);
	sc_platform_release(&selected_copy);
	if (have_def)
		sc_platform_release(&def);
	return rc;
}

int sc_image_open(sc_image **out, const char *name, const sc_platform *want)
{
	sc_image *img;
	int rc;

	img = sc_calloc(1, sizeof(*img));
	if (!img)
		return SC_ENOMEM;
	sc_buf_init(&img->manifest_raw, SC_MANIFEST_MAX, "manifest");
	sc_buf_init(&img->config_raw, SC_CONFIG_MAX, "image config");
	if (!(img->name = sc_strdup(name ? name : ""))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if ((rc = sc_imgref_parse(&img->ref, img->name)) != 0)
		goto out;
	if ((rc = sc_source_open(&img->src, &img->ref)) != 0) {
		rc = sc_error_prefix(rc, "image %.300s", img->name);
		goto out;
	}
	if ((rc = resolve(img, want)) != 0) {
		rc = sc_error_prefix(rc, "image %.300s", img->name);
		goto out;
	}
	*out = img;
	img = NULL;
out:
	sc_image_free(img);
	return rc;
}

void sc_image_free(sc_image *img)
{
	if (!img)
		return;
	sc_source_free(img->src);
	sc_imgref_release(&img->ref);
	free(img->index_media_type);
	free(img->manifest_media_type);
	sc_buf_release(&img->manifest_raw);
	sc_manifest_release(&img->manifest);
	sc_buf_release(&img->config_raw);
	sc_config_release(&img->config);
	sc_platform_release(&img->platform);
	free(img->name);
	free(img);
}

int sc_image_open_layer(sc_image *img, size_t i, sc_stream **out)
{
	char name[64];
	int rc;

	if (i >= img->manifest.n_layers)
		return sc_error_set(SC_EUSAGE, "layer %zu does not exist (the image has %zu)", i + 1,
				    img->manifest.n_layers);
	rc = img->src->ops->open_blob(img->src, &img->manifest.layers[i], out);
	if (rc)
		return sc_error_prefix(rc, "%s", sc_image_layer_name(img, i, name, sizeof(name)));
	return 0;
}

char *sc_image_layer_name(const sc_image *img, size_t i, char *out, size_t outsz)
{
	char hex[65];

	if (!outsz)
		return out;
	if (i < img->manifest.n_layers && img->manifest.layers[i].digest.set) {
		sc_digest_hex(&img->manifest.layers[i].digest, hex);
		snprintf(out, outsz, "layer %zu/%zu (sha256:%.12s)", i + 1, img->manifest.n_layers, hex);
	} else {
		snprintf(out, outsz, "layer %zu/%zu", i + 1, img->manifest.n_layers);
	}
	return out;
}
