/*
 * store.c - reading and writing an image's cosign signatures, attestations
 * and Sigstore bundle referrers (see store.h for the layouts).
 *
 * Reads go through the image source (image/source.h: get_root, get_doc for
 * the "sha256-<hex>.sig/.att" tags, referrers, verified blob reads); writes
 * through an image destination (image/dest.h) opened on the same
 * repository or layout, fed from an in-memory source of the new blobs.
 * Nothing is named until sc_sigrepo_commit: a failure half way leaves the
 * tags as they were.
 */
#include "sign/store.h"

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "core/stream.h"
#include "image/dest.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/source.h"
#include "registry/client.h"
#include "sbom/sbom.h"
#include "sign/bundle.h"
#include "sign/envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MT_EMPTY "application/vnd.oci.empty.v1+json"
#define EMPTY_JSON "{}"
#define DIR_SIG_MAX_FILES 1000
#define DIR_SIG_FILE_MAX (4u << 20)

/* ---- an in-memory source of the blobs being written ---- */

typedef struct mem_blob {
	sc_digest digest;
	unsigned char *data;
	size_t len;
} mem_blob;

typedef struct mem_source {
	sc_source base;
	mem_blob *blobs;
	size_t n;
} mem_source;

static int mem_open_blob(sc_source *s, const sc_descriptor *d, sc_stream **out)
{
	mem_source *m = (mem_source *)s;
	char dg[SC_DIGEST_STRLEN];
	size_t i;

	for (i = 0; i < m->n; i++)
		if (sc_digest_eq(&m->blobs[i].digest, &d->digest))
			return sc_stream_mem_new(out, m->blobs[i].data, m->blobs[i].len);
	return sc_error_set(SC_EINTERNAL, "signature store: no pending blob %s", sc_digest_fmt(&d->digest, dg));
}

static void mem_free(sc_source *s)
{
	(void)s;
}

static const sc_source_ops mem_ops = {
	.open_blob = mem_open_blob,
	.free = mem_free,
};

/* A legacy tag being rewritten in this session. */
typedef struct pending_tag {
	char suffix[4];          /* "sig" / "att" */
	json_t *layers;          /* the manifest's layers so far (array, owned) */
	int loaded;              /* layers hold what the store had */
	int dirty;
} pending_tag;

typedef struct written_doc {
	char *name;              /* tag, or NULL (referrer by digest) */
	sc_descriptor desc;
	unsigned char *data;
	size_t len;
} written_doc;

struct sc_sigrepo {
	int is_dir;
	char *dir_path;
	sc_imgref ref;
	int have_ref;
	sc_source *src;
	sc_buf root;
	char *media_type;
	sc_digest digest;
	char *pinned;
	char *identity;
	char *subject_name;
	char *dest_name;         /* "docker://HOST/REPO" / "oci:DIR"; NULL: read only */

	pending_tag tags[2];
	mem_source mem;
	written_doc *docs;       /* referrers and referrer indexes to write */
	size_t n_docs;
	json_t *layout_referrers; /* layouts: descriptors for the sha256-<hex> index */
	int truncated;           /* the last collect stopped at a limit */
};

/* ---- opening ---- */

static int open_dir(sc_sigrepo *r, const char *path)
{
	char *p, *data = NULL;
	size_t len = 0;
	int rc;

	if (!*path)
		return sc_error_set(SC_EUSAGE, "dir: needs a directory");
	if (!(r->dir_path = sc_strdup(path)))
		return SC_ENOMEM;
	if (asprintf(&p, "%s/manifest.json", path) < 0)
		return sc_error_set(SC_ENOMEM, "out of memory");
	rc = sc_file_read_all(p, SC_MANIFEST_MAX, &data, &len);
	free(p);
	if (rc)
		return rc;
	rc = sc_buf_append(&r->root, data, len);
	free(data);
	if (rc)
		return rc;
	sc_sha256_buf(&r->digest, r->root.data, r->root.len);
	r->media_type = sc_doc_media_type(r->root.data, r->root.len);
	r->is_dir = 1;
	{
		char dg[SC_DIGEST_STRLEN];

		if (asprintf(&r->pinned, "dir:%s@%s", path, sc_digest_fmt(&r->digest, dg)) < 0)
			return sc_error_set(SC_ENOMEM, "out of memory");
	}
	return 0;
}

static int names_docker(sc_sigrepo *r)
{
	sc_regref rr = { 0 };
	int rc;

	if ((rc = sc_regref_parse(&rr, r->ref.path)) != 0)
		return rc;
	if (!(r->pinned = sc_regref_pinned(&rr, &r->digest)))
		rc = SC_ENOMEM;
	else if (asprintf(&r->subject_name, "%s/%s", rr.host, rr.repo) < 0 ||
		 (rr.tag && !rr.digest.set ? asprintf(&r->identity, "%s/%s:%s", rr.host, rr.repo, rr.tag)
					     : asprintf(&r->identity, "%s/%s", rr.host, rr.repo)) < 0 ||
		 asprintf(&r->dest_name, "docker://%s/%s", rr.host, rr.repo) < 0)
		rc = sc_error_set(SC_ENOMEM, "out of memory");
	sc_regref_release(&rr);
	return rc;
}

static int names_layout(sc_sigrepo *r)
{
	char dg[SC_DIGEST_STRLEN];
	const char *t = sc_transport_name(r->ref.transport);

	if (asprintf(&r->pinned, "%s:%s@%s", t, r->ref.path, sc_digest_fmt(&r->digest, dg)) < 0 ||
	    asprintf(&r->subject_name, "%s:%s", t, r->ref.path) < 0 ||
	    (r->ref.ref && !(r->identity = sc_strdup(r->ref.ref))) ||
	    asprintf(&r->dest_name, "%s:%s", t, r->ref.path) < 0)
		return sc_error_set(SC_ENOMEM, "out of memory");
	return 0;
}

int sc_sigrepo_open(sc_sigrepo **out, const char *image, int writable)
{
	sc_sigrepo *r;
	sc_digest got;
	int rc;

	*out = NULL;
	if (!(r = sc_calloc(1, sizeof(*r))))
		return SC_ENOMEM;
	sc_buf_init(&r->root, SC_MANIFEST_MAX, "image manifest");
	memcpy(r->tags[0].suffix, "sig", 4);
	memcpy(r->tags[1].suffix, "att", 4);
	r->mem.base.ops = &mem_ops;
	if (strncmp(image, "dir:", 4) == 0) {
		if (writable)
			rc = sc_error_set(SC_EUSAGE, "%s: dir: images can be verified, not signed", image);
		else
			rc = open_dir(r, image + 4);
		goto done;
	}
	if ((rc = sc_imgref_parse(&r->ref, image)) != 0)
		goto done;
	r->have_ref = 1;
	if (writable && r->ref.transport != SC_TRANSPORT_OCI && r->ref.transport != SC_TRANSPORT_DOCKER) {
		rc = sc_error_set(SC_EUSAGE, "%s: signatures are written to docker:// or oci: images, not %s:", image,
				  sc_transport_name(r->ref.transport));
		goto done;
	}
	if ((rc = sc_source_open(&r->src, &r->ref)) != 0)
		goto done;
	if ((rc = r->src->ops->get_root(r->src, &r->root, &r->media_type, &got)) != 0)
		goto done;
	/* The digest is what the bytes hash to, whatever the transport said. */
	sc_sha256_buf(&r->digest, r->root.data, r->root.len);
	if (got.set && !sc_digest_eq(&got, &r->digest)) {
		rc = sc_error_set(SC_EDIGEST, "%s: the manifest does not hash to its digest", image);
		goto done;
	}
	if (!r->media_type)
		r->media_type = sc_doc_media_type(r->root.data, r->root.len);
	rc = r->ref.transport == SC_TRANSPORT_DOCKER ? names_docker(r) : names_layout(r);
	if (!writable) {
		free(r->dest_name);
		r->dest_name = NULL;
	}
done:
	/* dir: only hashes manifest.json (containers/image does no more); a
	 * registry or layout needs the media type for referrers. */
	if (rc == 0 && !r->media_type && !r->is_dir)
		rc = sc_error_set(SC_EINPUT, "%s: the image manifest has no media type", image);
	if (rc) {
		sc_sigrepo_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void sc_sigrepo_free(sc_sigrepo *r)
{
	size_t i;

	if (!r)
		return;
	sc_source_free(r->src);
	if (r->have_ref)
		sc_imgref_release(&r->ref);
	sc_buf_release(&r->root);
	free(r->media_type);
	free(r->pinned);
	free(r->identity);
	free(r->subject_name);
	free(r->dest_name);
	free(r->dir_path);
	for (i = 0; i < 2; i++)
		json_decref(r->tags[i].layers);
	for (i = 0; i < r->mem.n; i++)
		free(r->mem.blobs[i].data);
	free(r->mem.blobs);
	for (i = 0; i < r->n_docs; i++) {
		free(r->docs[i].name);
		free(r->docs[i].desc.media_type);
		free(r->docs[i].data);
	}
	free(r->docs);
	json_decref(r->layout_referrers);
	free(r);
}

const sc_digest *sc_sigrepo_digest(const sc_sigrepo *r)
{
	return &r->digest;
}

const char *sc_sigrepo_media_type(const sc_sigrepo *r)
{
	return r->media_type;
}

uint64_t sc_sigrepo_size(const sc_sigrepo *r)
{
	return r->root.len;
}

const char *sc_sigrepo_pinned(const sc_sigrepo *r)
{
	return r->pinned;
}

const char *sc_sigrepo_identity(const sc_sigrepo *r)
{
	return r->identity;
}

const char *sc_sigrepo_subject_name(const sc_sigrepo *r)
{
	return r->subject_name ? r->subject_name : r->pinned;
}

/* ---- reading ---- */

static void tag_name(const sc_sigrepo *r, const char *suffix, char out[80])
{
	char hex[65];

	snprintf(out, 80, "sha256-%s%s%s", sc_digest_hex(&r->digest, hex), suffix ? "." : "", suffix ? suffix : "");
}

typedef struct art_list {
	sc_sigart *v;
	size_t n, cap;
	uint64_t bytes;  /* read so far, against SC_SIGSTORE_MAX_BYTES */
	int full;        /* a limit was reached: collecting stopped */
} art_list;

/*
 * A new artifact, or NULL: out of memory (error set), or l->full when
 * the count or byte budget is spent.  A hostile repository can fill it,
 * but it cannot make collecting fail: what was read is still verified.
 */
static sc_sigart *art_new(art_list *l, sc_sigart_kind kind, const char *where)
{
	sc_sigart *a;

	if (l->n >= SC_SIGSTORE_MAX_ARTIFACTS || l->bytes >= SC_SIGSTORE_MAX_BYTES) {
		l->full = 1;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		sc_sigart *v = sc_reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	a = &l->v[l->n];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	if (!(a->where = sc_strdup(where)))
		return NULL;
	l->n++;
	return a;
}

/* art_new failed: stop quietly at a limit, fail on ENOMEM. */
static int art_new_failed(const art_list *l)
{
	return l->full ? 0 : SC_ENOMEM;
}

/* Turn artifact a into a BROKEN one carrying the current error message. */
static int art_broken(sc_sigart *a)
{
	free(a->doc);
	a->doc = NULL;
	a->doc_len = 0;
	a->kind = SC_SIGART_BROKEN;
	free(a->error);
	a->error = sc_strdup(sc_error_msg()[0] ? sc_error_msg() : "unreadable");
	sc_error_clear();
	return a->error ? 0 : SC_ENOMEM;
}

/* The blob d names (at most max bytes), verified; an empty blob is "". */
static int read_desc_blob(sc_sigrepo *r, const sc_descriptor *d, const char *what, size_t max, unsigned char **out,
			  size_t *len)
{
	sc_buf b;
	int rc;

	*out = NULL;
	*len = 0;
	sc_buf_init(&b, max, what);
	if ((rc = sc_source_read_blob(r->src, d, max, &b)) != 0) {
		sc_buf_release(&b);
		if (rc == SC_EDIGEST) {
			/* The verifier reports this with the artifact's name: say which blob and how. */
			char inner[512], dg[SC_DIGEST_STRLEN];
			const char *how;

			snprintf(inner, sizeof(inner), "%s", sc_error_msg());
			how = strstr(inner, "content is ");
			return sc_error_set(rc, "layer blob %s does not match its descriptor%s%s%s",
					    sc_digest_fmt(&d->digest, dg), how ? " (" : "", how ? how : "", how ? ")" : "");
		}
		return rc;
	}
	if (!b.data && !(b.data = sc_strdup(""))) /* an empty blob */
		return SC_ENOMEM;
	*out = (unsigned char *)sc_buf_detach(&b, len);
	return 0;
}

/* The raw manifest named tag (image/manifest.c parses it); SC_ENOTFOUND when there is none. */
static int get_tag_doc(sc_sigrepo *r, const char *tag, sc_buf *out)
{
	char *mt = NULL;
	sc_digest d;
	int rc;

	if (!r->src->ops->get_doc)
		return SC_ENOTFOUND;
	rc = r->src->ops->get_doc(r->src, tag, out, &mt, &d);
	free(mt);
	return rc;
}

/* Network and memory failures stop collecting; anything else is one broken artifact. */
static int fatal(int rc)
{
	return rc == SC_ENOMEM || rc == SC_ENET || rc == SC_EAUTH;
}

static int collect_tag(sc_sigrepo *r, const char *suffix, art_list *l)
{
	const int att = strcmp(suffix, "att") == 0;
	const char *want_mt = att ? SC_DSSE_MEDIA_TYPE : SC_SIMPLESIGN_MEDIA_TYPE;
	char tag[80], where[112];
	sc_manifest m;
	sc_buf raw;
	size_t i;
	int rc;

	tag_name(r, suffix, tag);
	memset(&m, 0, sizeof(m));
	sc_buf_init(&raw, SC_MANIFEST_MAX, tag);
	rc = get_tag_doc(r, tag, &raw);
	if (rc == 0)
		rc = sc_manifest_parse(&m, raw.data, raw.len);
	sc_buf_release(&raw);
	if (rc == SC_ENOTFOUND) {
		sc_error_clear();
		return 0;
	}
	if (rc) {
		sc_sigart *a;

		if (fatal(rc))
			return rc;
		if (!(a = art_new(l, SC_SIGART_BROKEN, tag)))
			return art_new_failed(l);
		return art_broken(a);
	}
	for (i = 0; i < m.n_layers && rc == 0; i++) {
		const sc_descriptor *layer = &m.layers[i];
		const char *v;
		sc_sigart *a;

		snprintf(where, sizeof(where), "%s[%zu]", tag, i);
		if (!(a = art_new(l, att ? SC_SIGART_DSSE : SC_SIGART_SIMPLESIGN, where))) {
			rc = art_new_failed(l);
			break;
		}
		if (strcmp(layer->media_type, want_mt) != 0) {
			sc_error_set(SC_EINPUT, "layer media type '%.100s' is not %s", layer->media_type, want_mt);
			rc = art_broken(a);
			continue;
		}
		rc = read_desc_blob(r, layer, where, att ? SC_SIGN_DOC_MAX : SC_SIGN_PAYLOAD_MAX, &a->doc, &a->doc_len);
		l->bytes += a->doc_len;
		if (rc) {
			if (!fatal(rc))
				rc = art_broken(a);
			continue;
		}
		v = sc_kv_get(layer->annotations, layer->n_annotations,
			      att ? SC_COSIGN_PREDICATE_ANNOTATION : SC_COSIGN_SIG_ANNOTATION);
		if (v && !(att ? (a->predicate_type = sc_strdup(v)) : (a->signature_b64 = sc_strdup(v))))
			rc = SC_ENOMEM;
	}
	sc_manifest_release(&m);
	return rc;
}

static int is_bundle_type(const char *t)
{
	return t && strncmp(t, "application/vnd.dev.sigstore.bundle", 35) == 0;
}

static int collect_referrer(sc_sigrepo *r, const sc_descriptor *desc, unsigned what, art_list *l)
{
	const char *at = desc->artifact_type;
	int bundle = is_bundle_type(at), dsse = at && strcmp(at, SC_DSSE_MEDIA_TYPE) == 0;
	char where[100], dg[SC_DIGEST_STRLEN];
	unsigned char *mdata = NULL;
	size_t mlen = 0;
	sc_manifest m;
	sc_sigart *a;
	const char *pt;
	int rc;

	if (!bundle && !(dsse && (what & SC_COLLECT_ATTESTATIONS)))
		return 0;
	if (bundle) {
		/* Not read when the index entry says it is of the other kind (the
		 * byte budget is for what was asked for; unsigned hints only skip). */
		const char *content = sc_kv_get(desc->annotations, desc->n_annotations, SC_BUNDLE_CONTENT_ANNOTATION);
		const char *ipt = sc_kv_get(desc->annotations, desc->n_annotations, SC_BUNDLE_PREDICATE_ANNOTATION);
		int sig = content && (strcmp(content, "message-signature") == 0 ||
				      (ipt && strcmp(ipt, SC_COSIGN_SIGN_PREDICATE) == 0));

		if (content && !sig && !(what & SC_COLLECT_ATTESTATIONS))
			return 0;
		if (content && sig && !(what & SC_COLLECT_SIGNATURES))
			return 0;
	}
	snprintf(where, sizeof(where), "referrer %s", sc_digest_fmt(&desc->digest, dg));
	if (!(a = art_new(l, bundle ? SC_SIGART_BUNDLE : SC_SIGART_DSSE, where)))
		return art_new_failed(l);
	memset(&m, 0, sizeof(m));
	if ((rc = read_desc_blob(r, desc, where, SC_MANIFEST_MAX, &mdata, &mlen)) != 0 ||
	    (rc = sc_manifest_parse(&m, (const char *)mdata, mlen)) != 0)
		goto out;
	if (m.n_layers < 1) {
		rc = sc_error_set(SC_EINPUT, "%s: a referrer manifest without layers", where);
		goto out;
	}
	rc = read_desc_blob(r, &m.layers[0], where, SC_SIGN_DOC_MAX, &a->doc, &a->doc_len);
	l->bytes += a->doc_len;
	if (rc)
		goto out;
	/* The predicate type a referrer claims: on its layer or the manifest. */
	pt = sc_kv_get(m.layers[0].annotations, m.layers[0].n_annotations, SC_COSIGN_PREDICATE_ANNOTATION);
	if (!pt)
		pt = sc_kv_get(m.annotations, m.n_annotations,
			       bundle ? SC_BUNDLE_PREDICATE_ANNOTATION : SC_COSIGN_PREDICATE_ANNOTATION);
	if (pt && !(a->predicate_type = sc_strdup(pt))) {
		rc = SC_ENOMEM;
		goto out;
	}
	if (bundle && m.n_layers >= 2 && strcmp(m.layers[1].media_type, SC_SIMPLESIGN_MEDIA_TYPE) == 0)
		rc = read_desc_blob(r, &m.layers[1], where, SC_SIGN_PAYLOAD_MAX, &a->payload, &a->payload_len);
out:
	free(mdata);
	sc_manifest_release(&m);
	if (rc && !fatal(rc))
		rc = art_broken(a);
	return rc;
}

static int collect_referrers(sc_sigrepo *r, unsigned what, art_list *l)
{
	sc_index ix;
	sc_buf b;
	size_t i;
	int rc;

	if (!r->src->ops->referrers)
		return 0;
	memset(&ix, 0, sizeof(ix));
	sc_buf_init(&b, SC_MANIFEST_MAX, "referrers");
	rc = r->src->ops->referrers(r->src, &r->digest, &b);
	if (rc == 0)
		rc = sc_index_parse(&ix, b.data, b.len);
	sc_buf_release(&b);
	for (i = 0; rc == 0 && i < ix.n_manifests && !l->full; i++)
		rc = collect_referrer(r, &ix.manifests[i], what, l);
	sc_index_release(&ix);
	return rc;
}

static int collect_dir(sc_sigrepo *r, art_list *l)
{
	int i, rc = 0;

	for (i = 1; i <= DIR_SIG_MAX_FILES; i++) {
		char *path, *data = NULL, where[32];
		size_t len = 0;
		sc_sigstore_json sj;
		sc_sigart *a;

		if (asprintf(&path, "%s/signature-%d", r->dir_path, i) < 0)
			return sc_error_set(SC_ENOMEM, "out of memory");
		rc = sc_file_read_all(path, DIR_SIG_FILE_MAX, &data, &len);
		free(path);
		if (rc == SC_ENOTFOUND) {
			sc_error_clear();
			return 0;
		}
		if (rc)
			return rc;
		snprintf(where, sizeof(where), "signature-%d", i);
		if (!(a = art_new(l, SC_SIGART_SIMPLESIGN, where))) {
			free(data);
			return art_new_failed(l);
		}
		memset(&sj, 0, sizeof(sj));
		rc = sc_sigstore_json_parse(&sj, data, len);
		free(data);
		if (rc == 0 && strcmp(sj.mime_type, SC_SIMPLESIGN_MEDIA_TYPE) != 0)
			rc = sc_error_set(SC_EINPUT, "mimeType '%.100s' is not %s", sj.mime_type, SC_SIMPLESIGN_MEDIA_TYPE);
		if (rc == 0) {
			a->doc = sj.payload;
			a->doc_len = sj.payload_len;
			sj.payload = NULL;
			if (sj.signature && (rc = sc_base64_encode(&a->signature_b64, sj.signature, sj.signature_len)) != 0) {
				sc_sigstore_json_release(&sj);
				return rc;
			}
		}
		sc_sigstore_json_release(&sj);
		if (rc && (rc = art_broken(a)) != 0)
			return rc;
	}
	return rc;
}

int sc_sigrepo_collect(sc_sigrepo *r, unsigned what, sc_sigart **out, size_t *n)
{
	art_list l = { 0 };
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (r->is_dir)
		rc = (what & SC_COLLECT_SIGNATURES) ? collect_dir(r, &l) : 0;
	else {
		if (rc == 0 && (what & SC_COLLECT_SIGNATURES))
			rc = collect_tag(r, "sig", &l);
		if (rc == 0 && (what & SC_COLLECT_ATTESTATIONS))
			rc = collect_tag(r, "att", &l);
		if (rc == 0)
			rc = collect_referrers(r, what, &l);
	}
	if (rc) {
		sc_sigarts_free(l.v, l.n);
		return rc;
	}
	r->truncated = l.full;
	*out = l.v;
	*n = l.n;
	return 0;
}

int sc_sigrepo_truncated(const sc_sigrepo *r)
{
	return r->truncated;
}

void sc_sigarts_free(sc_sigart *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].where);
		free(a[i].doc);
		free(a[i].signature_b64);
		free(a[i].predicate_type);
		free(a[i].payload);
		free(a[i].error);
	}
	free(a);
}

/* ---- writing ---- */

/* Keep a copy of a new blob for the destination; *d gets its digest. */
static int mem_add(sc_sigrepo *r, const void *data, size_t len, sc_digest *d)
{
	mem_blob *v;
	size_t i;

	if ((sc_sha256_buf(d, data, len)) != 0)
		return sc_error_set(SC_EINTERNAL, "sha256 failed");
	for (i = 0; i < r->mem.n; i++)
		if (sc_digest_eq(&r->mem.blobs[i].digest, d))
			return 0;
	if (!(v = sc_reallocarray(r->mem.blobs, r->mem.n + 1, sizeof(*v))))
		return SC_ENOMEM;
	r->mem.blobs = v;
	v[r->mem.n].digest = *d;
	if (!(v[r->mem.n].data = sc_malloc(len ? len : 1)))
		return SC_ENOMEM;
	memcpy(v[r->mem.n].data, data, len);
	v[r->mem.n].len = len;
	r->mem.n++;
	return 0;
}

static json_t *desc_json(const char *mt, const sc_digest *d, size_t size)
{
	char dg[SC_DIGEST_STRLEN];

	return json_pack("{s:s, s:I, s:s}", "mediaType", mt, "size", (json_int_t)size, "digest",
			 sc_digest_fmt(d, dg));
}

static int load_pending(sc_sigrepo *r, pending_tag *t)
{
	char tag[80];
	sc_manifest parsed;
	json_t *m = NULL;
	sc_buf raw;
	int rc;

	if (t->loaded)
		return 0;
	tag_name(r, t->suffix, tag);
	memset(&parsed, 0, sizeof(parsed));
	sc_buf_init(&raw, SC_MANIFEST_MAX, tag);
	rc = get_tag_doc(r, tag, &raw);
	/* Checked as a manifest; its layers are kept as they are written (all their fields). */
	if (rc == 0 && (rc = sc_manifest_parse(&parsed, raw.data, raw.len)) == 0)
		rc = sc_json_parse(&m, raw.data, raw.len, SC_MANIFEST_MAX, SC_JSON_MAX_DEPTH, tag);
	sc_manifest_release(&parsed);
	sc_buf_release(&raw);
	if (rc == SC_ENOTFOUND) {
		sc_error_clear();
		t->layers = json_array();
	} else if (rc) {
		return sc_error_prefix(rc, "reading the existing %s", tag);
	} else {
		t->layers = json_deep_copy(json_object_get(m, "layers"));
		json_decref(m);
	}
	if (!t->layers)
		return sc_error_set(SC_ENOMEM, "out of memory");
	if (json_array_size(t->layers) >= SC_SIGSTORE_MAX_ARTIFACTS)
		return sc_error_set(SC_ELIMIT, "%s already has %zu layers", tag, json_array_size(t->layers));
	t->loaded = 1;
	return 0;
}

int sc_sigrepo_append(sc_sigrepo *r, const char *suffix, const char *layer_mt, const void *blob, size_t len,
		      const char *ann_key, const char *ann_value, int *added, size_t *n_layers)
{
	pending_tag *t = strcmp(suffix, "sig") == 0 ? &r->tags[0] : strcmp(suffix, "att") == 0 ? &r->tags[1] : NULL;
	char dg[SC_DIGEST_STRLEN];
	json_t *layer, *l;
	sc_digest d;
	size_t i;
	int rc;

	*added = 0;
	if (!t)
		return sc_error_set(SC_EUSAGE, "unknown signature tag suffix '%s'", suffix);
	if (!r->dest_name)
		return sc_error_set(SC_EUSAGE, "%s: opened read-only", r->pinned);
	if ((rc = load_pending(r, t)) != 0)
		return rc;
	sc_sha256_buf(&d, blob, len);
	sc_digest_fmt(&d, dg);
	json_array_foreach(t->layers, i, l) {
		const char *ld = sc_json_str(l, "digest");
		const char *av = sc_json_str(json_object_get(l, "annotations"), ann_key);

		if (ld && strcmp(ld, dg) == 0 && av && strcmp(av, ann_value) == 0) {
			if (n_layers)
				*n_layers = json_array_size(t->layers);
			return 0;
		}
	}
	if ((rc = mem_add(r, blob, len, &d)) != 0)
		return rc;
	if (!(layer = desc_json(layer_mt, &d, len)) ||
	    json_object_set_new(layer, "annotations", json_pack("{s:s}", ann_key, ann_value)) != 0 ||
	    json_array_append_new(t->layers, layer) != 0)
		return sc_error_set(SC_ENOMEM, "out of memory");
	t->dirty = 1;
	*added = 1;
	if (n_layers)
		*n_layers = json_array_size(t->layers);
	return 0;
}

/*
 * The config blob cosign gives a signature image: an image config with no
 * platform, zero times and one diff_id per layer (the layers are
 * uncompressed blobs, so diff_id == digest).
 */
static int sig_config(json_t *layers, sc_buf *out)
{
	json_t *cfg, *ids, *hist, *l;
	size_t i;
	char *s;
	int rc = 0;

	cfg = json_pack("{s:s, s:s, s:o, s:s, s:{s:s, s:o}, s:{}}", "architecture", "", "created",
			"0001-01-01T00:00:00Z", "history", json_array(), "os", "", "rootfs", "type", "layers",
			"diff_ids", json_array(), "config");
	if (!cfg)
		return sc_error_set(SC_ENOMEM, "out of memory");
	ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	hist = json_object_get(cfg, "history");
	json_array_foreach(layers, i, l) {
		const char *dg = sc_json_str(l, "digest");

		if (!dg || json_array_append_new(ids, json_string(dg)) != 0 ||
		    json_array_append_new(hist, json_pack("{s:s}", "created", "0001-01-01T00:00:00Z")) != 0) {
			rc = sc_error_set(SC_EINPUT, "a signature layer without a digest");
			break;
		}
	}
	if (rc == 0) {
		if (!(s = json_dumps(cfg, JSON_COMPACT)))
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		else {
			rc = sc_buf_puts(out, s);
			free(s);
		}
	}
	json_decref(cfg);
	return rc;
}

static int add_doc(sc_sigrepo *r, const char *name, const char *mt, char *data, size_t len, sc_digest *out)
{
	written_doc *v, *w;

	if (!(v = sc_reallocarray(r->docs, r->n_docs + 1, sizeof(*v)))) {
		free(data);
		return SC_ENOMEM;
	}
	r->docs = v;
	w = &v[r->n_docs];
	memset(w, 0, sizeof(*w));
	w->data = (unsigned char *)data;
	w->len = len;
	w->desc.size = len;
	sc_sha256_buf(&w->desc.digest, data, len);
	r->n_docs++;
	if (!(w->desc.media_type = sc_strdup(mt)) || (name && !(w->name = sc_strdup(name))))
		return SC_ENOMEM;
	if (out)
		*out = w->desc.digest;
	return 0;
}

static int dump_doc(sc_sigrepo *r, const char *name, const char *mt, json_t *doc, sc_digest *out)
{
	char *s = json_dumps(doc, JSON_COMPACT);

	if (!s)
		return sc_error_set(SC_ENOMEM, "out of memory");
	return add_doc(r, name, mt, s, strlen(s), out);
}

static int finish_tag(sc_sigrepo *r, pending_tag *t)
{
	char tag[80];
	sc_buf cfg;
	sc_digest cd;
	json_t *m;
	int rc;

	if (!t->dirty)
		return 0;
	tag_name(r, t->suffix, tag);
	sc_buf_init(&cfg, SC_CONFIG_MAX, "signature config");
	if ((rc = sig_config(t->layers, &cfg)) == 0)
		rc = mem_add(r, cfg.data, cfg.len, &cd);
	if (rc == 0) {
		m = json_pack("{s:i, s:s, s:o, s:O}", "schemaVersion", 2, "mediaType", SC_MT_OCI_MANIFEST, "config",
			      desc_json(SC_MT_OCI_CONFIG, &cd, cfg.len), "layers", t->layers);
		if (!m)
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		else {
			rc = dump_doc(r, tag, SC_MT_OCI_MANIFEST, m, NULL);
			json_decref(m);
		}
	}
	sc_buf_release(&cfg);
	t->dirty = 0;
	return rc;
}

int sc_sigrepo_push_referrer(sc_sigrepo *r, const char *artifact_type, const sc_sigblob *layers, size_t n,
			     json_t *annotations, sc_digest *digest_out)
{
	json_t *m = NULL, *ls, *ann;
	char dg[SC_DIGEST_STRLEN], now[32];
	sc_digest ed, md;
	size_t i;
	int rc;

	if (!r->dest_name)
		return sc_error_set(SC_EUSAGE, "%s: opened read-only", r->pinned);
	if ((rc = mem_add(r, EMPTY_JSON, 2, &ed)) != 0)
		return rc;
	if (!(ls = json_array()))
		return sc_error_set(SC_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		sc_digest d;

		if ((rc = mem_add(r, layers[i].data, layers[i].len, &d)) != 0) {
			json_decref(ls);
			return rc;
		}
		json_array_append_new(ls, desc_json(layers[i].media_type, &d, layers[i].len));
	}
	ann = annotations ? json_deep_copy(annotations) : json_object();
	sc_sbom_fmt_time(time(NULL), now);
	if (ann && !json_object_get(ann, "org.opencontainers.image.created"))
		json_object_set_new(ann, "org.opencontainers.image.created", json_string(now));
	m = json_pack("{s:i, s:s, s:s, s:o, s:o, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
		      SC_MT_OCI_MANIFEST, "artifactType", artifact_type, "config", desc_json(MT_EMPTY, &ed, 2),
		      "layers", ls, "subject", "mediaType", r->media_type, "digest", sc_digest_fmt(&r->digest, dg),
		      "size", (json_int_t)r->root.len, "annotations", ann);
	if (!m)
		return sc_error_set(SC_ENOMEM, "out of memory");
	rc = dump_doc(r, NULL, SC_MT_OCI_MANIFEST, m, &md);
	if (rc == 0 && r->ref.transport == SC_TRANSPORT_OCI) {
		/* Layouts: the referrers tag-schema index, merged at commit. */
		json_t *d = desc_json(SC_MT_OCI_MANIFEST, &md, r->docs[r->n_docs - 1].len);

		if (!d || json_object_set_new(d, "artifactType", json_string(artifact_type)) != 0 ||
		    json_object_set(d, "annotations", json_object_get(m, "annotations")) != 0)
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		if (rc == 0 && !r->layout_referrers && !(r->layout_referrers = json_array()))
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		if (rc == 0 && json_array_append(r->layout_referrers, d) != 0)
			rc = sc_error_set(SC_ENOMEM, "out of memory");
		json_decref(d);
	}
	json_decref(m);
	if (rc == 0 && digest_out)
		*digest_out = md;
	return rc;
}

static int finish_layout_referrers(sc_sigrepo *r)
{
	char tag[80];
	json_t *ix;
	int rc;

	if (!r->layout_referrers)
		return 0;
	tag_name(r, NULL, tag);
	ix = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType", SC_MT_OCI_INDEX, "manifests",
		       r->layout_referrers);
	if (!ix)
		return sc_error_set(SC_ENOMEM, "out of memory");
	rc = dump_doc(r, tag, SC_MT_OCI_INDEX, ix, NULL);
	json_decref(ix);
	json_decref(r->layout_referrers);
	r->layout_referrers = NULL;
	return rc;
}

int sc_sigrepo_commit(sc_sigrepo *r)
{
	sc_dest *d = NULL;
	sc_dest_opts o = { 0 };
	size_t i;
	int rc;

	if (!r->dest_name)
		return sc_error_set(SC_EUSAGE, "%s: opened read-only", r->pinned);
	if ((rc = finish_tag(r, &r->tags[0])) != 0 || (rc = finish_tag(r, &r->tags[1])) != 0 ||
	    (rc = finish_layout_referrers(r)) != 0)
		return rc;
	if (r->n_docs == 0)
		return 0;
	if ((rc = sc_dest_open(&d, r->dest_name, &o)) != 0)
		return rc;
	/* Blobs, then documents by digest, then names. */
	for (i = 0; i < r->mem.n && rc == 0; i++) {
		sc_descriptor desc = { 0 };
		int present = 0;

		desc.digest = r->mem.blobs[i].digest;
		desc.size = r->mem.blobs[i].len;
		desc.media_type = (char *)"application/octet-stream";
		rc = d->ops->has_blob(d, &desc, &present);
		if (rc == 0 && !present)
			rc = d->ops->put_blob(d, &desc, &r->mem.base, NULL, NULL);
	}
	for (i = 0; i < r->n_docs && rc == 0; i++)
		rc = d->ops->put_manifest(d, &r->docs[i].desc, r->docs[i].data, r->docs[i].len);
	for (i = 0; i < r->n_docs && rc == 0; i++)
		if (r->docs[i].name)
			rc = d->ops->tag(d, r->docs[i].name, &r->docs[i].desc);
	if (rc == 0)
		rc = d->ops->commit(d);
	sc_dest_free(d);
	if (rc == 0) {
		/* Written: later appends start from what is stored now. */
		for (i = 0; i < r->n_docs; i++) {
			free(r->docs[i].name);
			free(r->docs[i].desc.media_type);
			free(r->docs[i].data);
		}
		r->n_docs = 0;
	}
	return rc;
}
