/*
 * source_oci.c - oci: (directory) and oci-archive: (tar) sources: an OCI
 * image layout read through a fileset.
 *
 * Spec: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 *   oci-layout   {"imageLayoutVersion": "1.0.0"}
 *   index.json   an image index; the image to use is the entry whose
 *                org.opencontainers.image.ref.name annotation equals REF,
 *                or the only entry when no REF is given
 *   blobs/<alg>/<hex>
 */
#include "image/source.h"
#include "core/error.h"
#include "core/json.h"
#include "image/fileset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OCI_LAYOUT_MAX 4096
#define TAGS_LIST_MAX 400

typedef struct oci_source {
	sc_source base;
	sc_fileset *fs;
	sc_descriptor root; /* media_type, digest, size copied from index.json */
	sc_index ix;        /* index.json, for get_doc's names */
	int have_ix;
} oci_source;

static int oci_open_blob(sc_source *s, const sc_descriptor *d, sc_stream **out)
{
	oci_source *o = (oci_source *)s;
	char hex[65], name[80], what[96];
	sc_stream *inner = NULL, *v = NULL;
	uint64_t size = 0;
	int rc;

	if (!d->digest.set)
		return sc_error_set(SC_EINPUT, "descriptor without a digest in %s", sc_fileset_name(o->fs));
	sc_digest_hex(&d->digest, hex);
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	snprintf(what, sizeof(what), "blob sha256:%s", hex);
	if ((rc = sc_fileset_open(o->fs, name, &inner, &size)) != 0) {
		/* The fileset names the path; say which blob is missing instead. */
		if (rc == SC_ENOTFOUND)
			return sc_error_set(rc, "%s not found in %s", what, sc_fileset_name(o->fs));
		return sc_error_prefix(rc, "%s", what);
	}
	if (size != d->size) {
		sc_stream_close(inner);
		return sc_error_set(SC_EDIGEST, "%s: size mismatch: %llu bytes, descriptor declares %llu",
				    what, (unsigned long long)size, (unsigned long long)d->size);
	}
	if ((rc = sc_stream_verify_new(&v, inner, &d->digest, d->size, what)) != 0) {
		sc_stream_close(inner);
		return rc;
	}
	*out = v;
	return 0;
}

static int oci_get_root(sc_source *s, sc_buf *out, char **media_type, sc_digest *digest)
{
	oci_source *o = (oci_source *)s;
	char *mt = NULL;
	int rc;

	if (o->root.media_type && !(mt = sc_strdup(o->root.media_type)))
		return SC_ENOMEM;
	if ((rc = sc_source_read_blob(s, &o->root, SC_MANIFEST_MAX, out)) != 0) {
		free(mt);
		return rc;
	}
	*media_type = mt;
	*digest = o->root.digest;
	return 0;
}


/*
 * get_doc: "sha256:<hex>" is any stored blob (at most SC_MANIFEST_MAX
 * bytes; media type from its mediaType field); anything else is a name in
 * index.json (org.opencontainers.image.ref.name).
 */
static int oci_get_doc(sc_source *s, const char *ref, sc_buf *out, char **media_type, sc_digest *digest)
{
	oci_source *o = (oci_source *)s;
	sc_descriptor d;
	const sc_descriptor *found = NULL;
	char name[80], hex[65];
	char *mt = NULL;
	size_t i;
	int rc;

	memset(&d, 0, sizeof(d));
	if (strncmp(ref, "sha256:", 7) == 0) {
		if ((rc = sc_digest_parse(&d.digest, ref)) != 0)
			return rc;
		snprintf(name, sizeof(name), "blobs/sha256/%s", sc_digest_hex(&d.digest, hex));
		rc = sc_fileset_stat(o->fs, name, &d.size);
		if (rc == SC_ENOTFOUND)
			return sc_error_set(SC_ENOTFOUND, "%.80s not found in %s", ref, sc_fileset_name(o->fs));
		if (rc)
			return rc;
		if ((rc = sc_source_read_blob(s, &d, SC_MANIFEST_MAX, out)) != 0)
			return rc;
		*media_type = sc_doc_media_type(out->data, out->len);
		*digest = d.digest;
		return 0;
	}
	for (i = 0; o->have_ix && i < o->ix.n_manifests; i++) {
		const sc_descriptor *e = &o->ix.manifests[i];

		if (!e->ref_name || strcmp(e->ref_name, ref) != 0)
			continue;
		if (found)
			return sc_error_set(SC_EINPUT, "more than one image tagged '%.200s' in %s", ref,
					    sc_fileset_name(o->fs));
		found = e;
	}
	if (!found || !found->digest.set)
		return sc_error_set(SC_ENOTFOUND, "no document tagged '%.200s' in %s", ref, sc_fileset_name(o->fs));
	if ((rc = sc_source_read_blob(s, found, SC_MANIFEST_MAX, out)) != 0)
		return rc;
	if (found->media_type && !(mt = sc_strdup(found->media_type)))
		return SC_ENOMEM;
	*media_type = mt ? mt : sc_doc_media_type(out->data, out->len);
	*digest = found->digest;
	return 0;
}

/*
 * referrers: the OCI referrers tag schema (the index tagged
 * "sha256-<hex>", as distribution-spec's fallback names it); an empty
 * index when there is none.
 */
static int oci_referrers(sc_source *s, const sc_digest *d, sc_buf *out)
{
	static const char empty[] = "{\"schemaVersion\":2,\"mediaType\":\"" SC_MT_OCI_INDEX "\",\"manifests\":[]}";
	char tag[80], hex[65], *mt = NULL;
	sc_doc_kind kind = SC_DOC_UNKNOWN;
	sc_digest got;
	size_t before = out->len;
	int rc;

	snprintf(tag, sizeof(tag), "sha256-%s", sc_digest_hex(d, hex));
	rc = oci_get_doc(s, tag, out, &mt, &got);
	if (rc == SC_ENOTFOUND) {
		sc_error_clear();
		return sc_buf_append(out, empty, sizeof(empty) - 1);
	}
	if (rc)
		return rc;
	rc = sc_doc_detect(&kind, out->data + before, out->len - before, mt);
	free(mt);
	if (rc)
		return rc;
	if (kind != SC_DOC_INDEX)
		return sc_error_set(SC_EINPUT, "%s: %s names a manifest, not a referrers index",
				    sc_fileset_name(((oci_source *)s)->fs), tag);
	return 0;
}

static void oci_free(sc_source *s)
{
	oci_source *o = (oci_source *)s;

	sc_fileset_free(o->fs);
	free(o->root.media_type);
	if (o->have_ix)
		sc_index_release(&o->ix);
	free(o);
}

static const sc_source_ops oci_ops = {
	.get_root = oci_get_root,
	.open_blob = oci_open_blob,
	.get_doc = oci_get_doc,
	.referrers = oci_referrers,
	.free = oci_free,
};

static int check_layout(sc_fileset *fs)
{
	sc_buf b;
	json_t *j = NULL;
	const char *ver = NULL;
	int rc;

	sc_buf_init(&b, OCI_LAYOUT_MAX, "oci-layout");
	rc = sc_fileset_read(fs, "oci-layout", OCI_LAYOUT_MAX, &b);
	if (rc == SC_ENOTFOUND) {
		rc = sc_error_set(SC_EINPUT, "%s is not an OCI image layout (no oci-layout file)",
				  sc_fileset_name(fs));
		goto out;
	}
	if (rc)
		goto out;
	if ((rc = sc_json_parse(&j, b.data ? b.data : "", b.len, OCI_LAYOUT_MAX, 4, "oci-layout")) != 0 ||
	    (rc = sc_json_get_str(j, "imageLayoutVersion", 1, &ver, "oci-layout")) != 0) {
		rc = sc_error_prefix(rc, "%s", sc_fileset_name(fs));
		goto out;
	}
	if (strcmp(ver, "1.0.0") != 0)
		rc = sc_error_set(SC_EINPUT, "%s: unsupported OCI layout version '%.40s' (want 1.0.0)",
				  sc_fileset_name(fs), ver);
out:
	json_decref(j);
	sc_buf_release(&b);
	return rc;
}

/* ", "-separated ref names of an index for messages, bounded. */
static void list_tags(const sc_index *ix, char *out, size_t outsz)
{
	size_t i, o = 0, tagged = 0;

	out[0] = '\0';
	for (i = 0; i < ix->n_manifests; i++) {
		const char *t = ix->manifests[i].ref_name;
		int n;

		if (!t)
			continue;
		n = snprintf(out + o, outsz - o, "%s%.100s", tagged ? ", " : "", t);
		tagged++;
		if (n < 0 || (size_t)n >= outsz - o) {
			if (outsz > 4)
				memcpy(out + outsz - 4, "...", 4);
			return;
		}
		o += (size_t)n;
	}
	if (!tagged)
		snprintf(out, outsz, "none");
}

static int select_root(const sc_index *ix, const char *ref, const char *layout, const sc_descriptor **out)
{
	char tags[TAGS_LIST_MAX];
	const sc_descriptor *found = NULL;
	size_t i;

	if (ix->n_manifests == 0)
		return sc_error_set(SC_ENOTFOUND, "%s contains no images", layout);
	if (!ref) {
		if (ix->n_manifests == 1) {
			*out = &ix->manifests[0];
			return 0;
		}
		list_tags(ix, tags, sizeof(tags));
		return sc_error_set(SC_EUSAGE, "%s holds %zu images; name one as %s:TAG (tags: %s)", layout,
				    ix->n_manifests, layout, tags);
	}
	for (i = 0; i < ix->n_manifests; i++) {
		const sc_descriptor *d = &ix->manifests[i];

		if (!d->ref_name || strcmp(d->ref_name, ref) != 0)
			continue;
		if (found)
			return sc_error_set(SC_EINPUT, "more than one image tagged '%.200s' in %s", ref, layout);
		found = d;
	}
	if (!found) {
		list_tags(ix, tags, sizeof(tags));
		return sc_error_set(SC_ENOTFOUND, "no image tagged '%.200s' in %s (tags: %s)", ref, layout, tags);
	}
	*out = found;
	return 0;
}

int sc_source_oci_open(sc_source **out, const sc_imgref *ref)
{
	oci_source *o = NULL;
	sc_buf b;
	sc_index ix;
	int have_ix = 0, rc;
	const sc_descriptor *d = NULL;

	sc_buf_init(&b, SC_MANIFEST_MAX, "index.json");
	memset(&ix, 0, sizeof(ix));
	o = sc_calloc(1, sizeof(*o));
	if (!o)
		return SC_ENOMEM;
	o->base.ops = &oci_ops;
	o->base.ref = ref;
	if (ref->transport == SC_TRANSPORT_OCI)
		rc = sc_fileset_open_dir(&o->fs, ref->path);
	else if (ref->transport == SC_TRANSPORT_OCI_ARCHIVE)
		rc = sc_fileset_open_tar(&o->fs, ref->path);
	else
		rc = sc_error_set(SC_EUSAGE, "not an OCI transport: %s", sc_transport_name(ref->transport));
	if (rc)
		goto out;
	if ((rc = check_layout(o->fs)) != 0)
		goto out;
	rc = sc_fileset_read(o->fs, "index.json", SC_MANIFEST_MAX, &b);
	if (rc == SC_ENOTFOUND)
		rc = sc_error_set(SC_EINPUT, "%s is not an OCI image layout (no index.json)", ref->path);
	if (rc)
		goto out;
	if ((rc = sc_index_parse(&ix, b.data ? b.data : "", b.len)) != 0) {
		rc = sc_error_prefix(rc, "%s: index.json", ref->path);
		goto out;
	}
	have_ix = 1;
	if ((rc = select_root(&ix, ref->ref, ref->path, &d)) != 0)
		goto out;
	if (!d->digest.set) {
		rc = sc_error_set(SC_EINPUT, "%s: index.json entry without a digest", ref->path);
		goto out;
	}
	o->root.digest = d->digest;
	o->root.size = d->size;
	if (d->media_type && !(o->root.media_type = sc_strdup(d->media_type))) {
		rc = SC_ENOMEM;
		goto out;
	}
	/* Kept for get_doc's names. */
	o->ix = ix;
	o->have_ix = 1;
	have_ix = 0;
	*out = &o->base;
	o = NULL;
out:
	if (have_ix)
		sc_index_release(&ix);
	sc_buf_release(&b);
	if (o)
		oci_free(&o->base);
	return rc;
}
