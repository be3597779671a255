/*
 * dest_layout.c - oci:, oci-archive: and docker-archive: destinations of
 * `scute mirror`: an sc_dest over the image writer's raw API (writer.h).
 *
 * Spec: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 *
 *   has_blob      blobs/sha256/<hex> exists with the right size
 *   put_blob      src->ops->open_blob -> writer (temp file, hashed, size and
 *                 digest checked, fsync, rename); safe from several threads
 *   put_manifest  the bytes as given, by digest
 *   tag           remembered; nothing is named before commit
 *   commit        sc_image_writer_commit_refs: index.json (oci:), the tar
 *                 (oci-archive:), manifest.json + tar (docker-archive:)
 *
 * Names: the destination's TAG (oci:DIR:TAG, oci-archive:FILE:TAG,
 * docker-archive:FILE:REPO:TAG) names the root; without one the root is an
 * untagged index.json entry (tag() with a NULL name), as the image writer
 * does.  Names derived from the source ("sha256-<hex>.sig", ".att",
 * ".sbom") follow the source: they replace what the destination had.  The
 * referrers tag-schema index ("sha256-<hex>") is merged with the one the
 * destination has.  Only the root's name is protected (--replace).
 */
#include "image/dest.h"
#include "core/error.h"
#include "image/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct layout_tag {
	char *name; /* NULL: the untagged root */
	char *media_type;
	sc_digest digest;
	uint64_t size;
	sc_platform platform; /* os NULL when absent */
} layout_tag;

typedef struct layout_dest {
	sc_dest base;
	sc_image_writer *w;
	layout_tag *tags;
	size_t n_tags;
} layout_dest;

static int ld_has_blob(sc_dest *d, const sc_descriptor *desc, int *present)
{
	layout_dest *l = (layout_dest *)d;

	return sc_image_writer_has_blob(l->w, &desc->digest, desc->size, present);
}

static int ld_put_blob(sc_dest *d, const sc_descriptor *desc, sc_source *src, const char *from_repo,
		       uint64_t *sent)
{
	layout_dest *l = (layout_dest *)d;
	sc_stream *s = NULL;
	int rc, present = 0;

	(void)from_repo;
	if (sent)
		*sent = 0;
	if ((rc = sc_image_writer_has_blob(l->w, &desc->digest, desc->size, &present)) != 0 || present)
		return rc;
	if ((rc = src->ops->open_blob(src, desc, &s)) != 0)
		return rc;
	rc = sc_image_writer_put_blob_stream(l->w, &desc->digest, desc->size, s, sent);
	sc_stream_close(s);
	return rc;
}

static int ld_put_manifest(sc_dest *d, const sc_descriptor *desc, const void *data, size_t len)
{
	layout_dest *l = (layout_dest *)d;

	if (desc->size != len)
		return sc_error_set(SC_EUSAGE, "%s: manifest of %zu bytes, its descriptor declares %llu", d->name, len,
				    (unsigned long long)desc->size);
	return sc_image_writer_put_bytes(l->w, &desc->digest, data, len);
}

static void tag_release(layout_tag *t)
{
	free(t->name);
	free(t->media_type);
	sc_platform_release(&t->platform);
	memset(t, 0, sizeof(*t));
}

static int platform_copy(sc_platform *out, const sc_platform *in)
{
	memset(out, 0, sizeof(*out));
	if (!in->os || !in->architecture)
		return 0;
	if (!(out->os = sc_strdup(in->os)) || !(out->architecture = sc_strdup(in->architecture)) ||
	    (in->variant && !(out->variant = sc_strdup(in->variant))) ||
	    (in->os_version && !(out->os_version = sc_strdup(in->os_version)))) {
		sc_platform_release(out);
		return SC_ENOMEM;
	}
	return 0;
}

static int ld_tag(sc_dest *d, const char *name, const sc_descriptor *root)
{
	layout_dest *l = (layout_dest *)d;
	layout_tag t, *nt;
	size_t i;
	int rc;

	if (name && !name[0])
		return sc_error_set(SC_EUSAGE, "%s: an empty tag", d->name);
	if (!root->media_type || !root->digest.set)
		return sc_error_set(SC_EUSAGE, "%s: tag %s: a root without a media type or digest", d->name,
				    name ? name : "(none)");
	memset(&t, 0, sizeof(t));
	if ((name && !(t.name = sc_strdup(name))) || !(t.media_type = sc_strdup(root->media_type)) ||
	    (root->has_platform && platform_copy(&t.platform, &root->platform) != 0)) {
		tag_release(&t);
		return SC_ENOMEM;
	}
	t.digest = root->digest;
	t.size = root->size;
	/* The same name again: the last one wins. */
	for (i = 0; i < l->n_tags; i++) {
		if (name ? (l->tags[i].name && !strcmp(l->tags[i].name, name)) : !l->tags[i].name) {
			tag_release(&l->tags[i]);
			l->tags[i] = t;
			return 0;
		}
	}
	if (l->n_tags >= SC_MAX_INDEX_ENTRIES) {
		tag_release(&t);
		return sc_error_set(SC_ELIMIT, "%s: more than %d names", d->name, SC_MAX_INDEX_ENTRIES);
	}
	if (!(nt = sc_reallocarray(l->tags, l->n_tags + 1, sizeof(*nt)))) {
		tag_release(&t);
		return SC_ENOMEM;
	}
	l->tags = nt;
	l->tags[l->n_tags++] = t;
	rc = 0;
	return rc;
}

/* "sha256-<64 lowercase hex>" followed by end of string (*suffix = "") or a suffix. */
static int derived_name(const char *name, const char **suffix)
{
	size_t i;

	if (!name || strncmp(name, "sha256-", 7) != 0)
		return 0;
	for (i = 7; i < 71; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	*suffix = name + 71;
	return 1;
}

static int ld_commit(sc_dest *d)
{
	layout_dest *l = (layout_dest *)d;
	sc_writer_ref *refs = NULL;
	size_t i;
	int rc;

	if (d->single_image && l->n_tags != 1)
		return sc_error_set(SC_EUSAGE, "%s: a docker archive holds one image (%zu names given)", d->name,
				    l->n_tags);
	if (!(refs = sc_calloc(l->n_tags ? l->n_tags : 1, sizeof(*refs))))
		return SC_ENOMEM;
	for (i = 0; i < l->n_tags; i++) {
		const layout_tag *t = &l->tags[i];
		const char *suffix = NULL;

		refs[i].name = t->name;
		refs[i].media_type = t->media_type;
		refs[i].digest = t->digest;
		refs[i].size = t->size;
		refs[i].platform = t->platform.os ? &t->platform : NULL;
		if (derived_name(t->name, &suffix) && !d->single_image) {
			if (!suffix[0] && sc_doc_kind_of(t->media_type) == SC_DOC_INDEX)
				refs[i].merge = 1;
			else if (suffix[0] == '.')
				refs[i].replace = 1;
		}
	}
	rc = sc_image_writer_commit_refs(l->w, refs, l->n_tags);
	free(refs);
	return rc;
}

static void ld_free(sc_dest *d)
{
	layout_dest *l = (layout_dest *)d;
	size_t i;

	if (!l)
		return;
	sc_image_writer_free(l->w);
	for (i = 0; i < l->n_tags; i++)
		tag_release(&l->tags[i]);
	free(l->tags);
	free(l->base.name);
	free(l->base.tag);
	free(l);
}

static const sc_dest_ops layout_ops = {
	.has_blob = ld_has_blob,
	.put_blob = ld_put_blob,
	.put_manifest = ld_put_manifest,
	.tag = ld_tag,
	.commit = ld_commit,
	.free = ld_free,
};

int sc_dest_layout_open(sc_dest **out, const char *name, const sc_dest_opts *opts)
{
	sc_image_writer_opts wo;
	layout_dest *l = NULL;
	sc_imgref ref;
	char *wname = NULL;
	int rc;

	memset(&ref, 0, sizeof(ref));
	if ((rc = sc_imgref_parse(&ref, name)) != 0)
		return rc;
	if (ref.transport != SC_TRANSPORT_OCI && ref.transport != SC_TRANSPORT_OCI_ARCHIVE &&
	    ref.transport != SC_TRANSPORT_DOCKER_ARCHIVE) {
		rc = sc_error_set(SC_EUSAGE, "%s: not a layout or archive destination", name);
		goto out;
	}
	if (ref.ref && (!ref.ref[0] || (ref.transport == SC_TRANSPORT_DOCKER_ARCHIVE && ref.ref[0] == '@'))) {
		rc = sc_error_set(SC_EUSAGE, "%s: %s", name,
				  ref.ref[0] ? "a docker-archive destination takes REPO:TAG, not an index"
					     : "empty tag");
		goto out;
	}
	if (!(l = sc_calloc(1, sizeof(*l)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	l->base.ops = &layout_ops;
	l->base.transport = ref.transport;
	l->base.single_image = ref.transport == SC_TRANSPORT_DOCKER_ARCHIVE;
	if (!(l->base.name = sc_strdup(name)) || (ref.ref && !(l->base.tag = sc_strdup(ref.ref)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	/*
	 * The writer is opened without the tag: names are checked at commit,
	 * where the same digest under the same name is not a conflict.
	 */
	if (asprintf(&wname, "%s:%s", sc_transport_name(ref.transport), ref.path) < 0) {
		wname = NULL;
		rc = sc_error_set(SC_ENOMEM, "out of memory");
		goto out;
	}
	memset(&wo, 0, sizeof(wo));
	wo.replace = opts ? opts->replace : 0;
	wo.epoch = SC_TAR_NO_CLAMP;
	if ((rc = sc_image_writer_open(&l->w, wname, &wo)) != 0)
		goto out;
	*out = &l->base;
	l = NULL;
out:
	free(wname);
	ld_free(l ? &l->base : NULL);
	sc_imgref_release(&ref);
	return rc;
}
