/*
 * copy.c - the copy engine of `scute mirror`: an image (or index) from a
 * source to a destination by digest; see copy.h.
 *
 * Specs:
 *   https://github.com/opencontainers/image-spec/blob/main/image-index.md
 *   https://github.com/opencontainers/image-spec/blob/main/manifest.md
 *   https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 *     (referrers; the "sha256-<hex>" tag schema fallback)
 *   cosign's tag convention: "sha256-<hex>.sig", ".att", ".sbom"
 *
 * Plan (nothing is written yet):
 *   root -> index: all children (recursively, to MAX_DEPTH) or the chosen
 *           platform's manifest; manifest: config + layers
 *   signatures: for each planned manifest, its cosign tags and referrers,
 *           and theirs, breadth first to SIG_DEPTH, at most MAX_ARTIFACTS
 * Transfer: the blobs, deduplicated by digest and sorted largest first,
 *   pulled from a queue by `jobs` threads (has_blob? skip : put_blob); the
 *   first failure cancels the rest (their source streams return
 *   SC_ECANCELED) and is the one reported.
 * Documents: children before their index, the root, the artifacts (bytes
 *   as read, so digests are kept), then names, then commit.
 *
 * Bounds on hostile input: SC_MAX_INDEX_ENTRIES per index, SC_MAX_LAYERS
 * per manifest, MAX_DOCS documents and MAX_DOC_BYTES of them in memory,
 * MAX_BLOBS blob references, explicit depth limits (no recursion deeper
 * than MAX_DEPTH).
 */
#include "image/copy.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 4            /* nested indexes below the root */
#define SIG_DEPTH 4            /* signatures of signatures, referrers of referrers */
#define MAX_ARTIFACTS 1000     /* signature/attestation/referrer manifests */
#define MAX_DOCS (SC_MAX_INDEX_ENTRIES + MAX_ARTIFACTS + 64)
#define MAX_DOC_BYTES (64u << 20)
#define MAX_BLOBS (1u << 18)
#define MAX_JOBS 64
#define DEFAULT_JOBS 4

static const char *const sig_suffixes[] = { ".sig", ".att", ".sbom" };

typedef struct doc {
	sc_descriptor desc; /* media_type, digest, size (and platform for the root) owned */
	char *data;
	size_t len;
} doc;

typedef struct name_req {
	char *name;
	size_t doc;
} name_req;

typedef struct plan {
	doc *docs;
	size_t n_docs, cap_docs;
	size_t doc_bytes;
	sc_descriptor *blobs; /* media_type owned */
	size_t n_blobs, cap_blobs;
	name_req *names;
	size_t n_names, cap_names;
	size_t n_artifacts;
	size_t root;          /* docs[root] */
} plan;

/* ---- descriptors and the plan ------------------------------------------ */

/* media type, digest, size and (with_platform) the platform of in. */
static int desc_copy(sc_descriptor *out, const sc_descriptor *in, int with_platform)
{
	const sc_platform *p = &in->platform;

	memset(out, 0, sizeof(*out));
	out->digest = in->digest;
	out->size = in->size;
	if (in->media_type && !(out->media_type = sc_strdup(in->media_type)))
		goto nomem;
	if (with_platform && in->has_platform && p->os && p->architecture) {
		out->has_platform = 1;
		if (!(out->platform.os = sc_strdup(p->os)) ||
		    !(out->platform.architecture = sc_strdup(p->architecture)) ||
		    (p->variant && !(out->platform.variant = sc_strdup(p->variant))) ||
		    (p->os_version && !(out->platform.os_version = sc_strdup(p->os_version))))
			goto nomem;
	}
	return 0;
nomem:
	sc_descriptor_release(out);
	return SC_ENOMEM;
}

static void plan_release(plan *p)
{
	size_t i;

	for (i = 0; i < p->n_docs; i++) {
		sc_descriptor_release(&p->docs[i].desc);
		free(p->docs[i].data);
	}
	for (i = 0; i < p->n_blobs; i++)
		sc_descriptor_release(&p->blobs[i]);
	for (i = 0; i < p->n_names; i++)
		free(p->names[i].name);
	free(p->docs);
	free(p->blobs);
	free(p->names);
	memset(p, 0, sizeof(*p));
}

/* Grow *arr (of *cap elements of size sz) to hold n + 1. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *na;

	if (n < *cap)
		return 0;
	if (sc_mul_overflow(*cap ? *cap : 8, 2, &nc) != 0)
		return sc_error_set(SC_ELIMIT, "copy plan too large");
	if (!(na = sc_reallocarray(*arr, nc, sz)))
		return SC_ENOMEM;
	*arr = na;
	*cap = nc;
	return 0;
}

static int add_blob(plan *p, const sc_descriptor *d)
{
	int rc;

	if (!d->digest.set)
		return sc_error_set(SC_EINPUT, "a blob descriptor without a digest");
	if (p->n_blobs >= MAX_BLOBS)
		return sc_error_set(SC_ELIMIT, "more than %u blob references to copy", MAX_BLOBS);
	if ((rc = grow((void **)&p->blobs, &p->cap_blobs, p->n_blobs, sizeof(*p->blobs))) != 0)
		return rc;
	if ((rc = desc_copy(&p->blobs[p->n_blobs], d, 0)) != 0)
		return rc;
	p->n_blobs++;
	return 0;
}

static int find_doc(const plan *p, const sc_digest *d, size_t *at)
{
	size_t i;

	for (i = 0; i < p->n_docs; i++)
		if (sc_digest_eq(&p->docs[i].desc.digest, d)) {
			*at = i;
			return 1;
		}
	return 0;
}

static int add_name(plan *p, const char *name, size_t doc_i)
{
	size_t i;
	int rc;

	for (i = 0; i < p->n_names; i++)
		if (!strcmp(p->names[i].name, name))
			return 0;
	if ((rc = grow((void **)&p->names, &p->cap_names, p->n_names, sizeof(*p->names))) != 0)
		return rc;
	if (!(p->names[p->n_names].name = sc_strdup(name)))
		return SC_ENOMEM;
	p->names[p->n_names++].doc = doc_i;
	return 0;
}

/* ---- reading documents --------------------------------------------------- */

/*
 * The document's media type: its own mediaType field, else the one given
 * (descriptor, HTTP header), else the OCI type of its kind.  Malloc'd.
 */
static char *doc_media_type(const char *data, size_t len, const char *given, sc_doc_kind kind)
{
	char *mt = sc_doc_media_type(data, len);

	if (mt)
		return mt;
	return sc_strdup(given && given[0] ? given : (kind == SC_DOC_INDEX ? SC_MT_OCI_INDEX : SC_MT_OCI_MANIFEST));
}

typedef struct ctx {
	sc_source *src;
	const char *src_repo;
	sc_dest *dst;
	const sc_copy_opts *opts;
	int convert_docker;
	plan p;
} ctx;

static int add_doc(ctx *c, const sc_descriptor *desc, const char *data, size_t len, int depth, int with_platform,
		   size_t *at);

/* Read the document desc names from the source (verified against desc). */
static int fetch_doc(ctx *c, const sc_descriptor *desc, sc_buf *out)
{
	return sc_source_read_blob(c->src, desc, SC_MANIFEST_MAX, out);
}

static int add_index_children(ctx *c, const char *data, size_t len, int depth)
{
	sc_index ix;
	sc_buf b;
	size_t i, at;
	int rc;

	if ((rc = sc_index_parse(&ix, data, len)) != 0)
		return rc;
	sc_buf_init(&b, SC_MANIFEST_MAX, "manifest");
	for (i = 0; i < ix.n_manifests; i++) {
		const sc_descriptor *d = &ix.manifests[i];

		if (find_doc(&c->p, &d->digest, &at))
			continue;
		if (depth + 1 > MAX_DEPTH) {
			rc = sc_error_set(SC_ELIMIT, "indexes nested more than %d deep", MAX_DEPTH);
			break;
		}
		sc_buf_reset(&b);
		if ((rc = fetch_doc(c, d, &b)) != 0 ||
		    (rc = add_doc(c, d, b.data ? b.data : "", b.len, depth + 1, 0, &at)) != 0)
			break;
	}
	sc_buf_release(&b);
	sc_index_release(&ix);
	return rc;
}

/*
 * docker-archive sources: the synthetic Docker manifest (layers of the
 * non-registry type application/vnd.docker.image.rootfs.diff.tar) as an
 * OCI manifest: config and layers keep their bytes and digests, media
 * types are mapped (tar, gzip, zstd as the bytes are).  Its digest is new.
 */
static const char *oci_layer_type(const char *mt)
{
	if (!strcmp(mt, SC_MT_DOCKER_LAYER_TAR))
		return SC_MT_OCI_LAYER;
	if (!strcmp(mt, SC_MT_DOCKER_LAYER_GZIP))
		return SC_MT_OCI_LAYER_GZIP;
	if (!strcmp(mt, SC_MT_DOCKER_LAYER_FOREIGN))
		return SC_MT_OCI_LAYER_ND_GZIP;
	return mt;
}

static json_t *desc_json(const char *mt, const sc_descriptor *d)
{
	char s[SC_DIGEST_STRLEN];

	return json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", sc_digest_fmt(&d->digest, s), "size",
			 (json_int_t)d->size);
}

static int docker_to_oci(const char *data, size_t len, char **out, size_t *out_len)
{
	sc_manifest m;
	json_t *j = NULL, *layers = NULL, *e;
	size_t i, n;
	char *s = NULL;
	int rc;

	if ((rc = sc_manifest_parse(&m, data, len)) != 0)
		return rc;
	if (!(j = json_object()) || !(layers = json_array()) ||
	    json_object_set_new(j, "schemaVersion", json_integer(2)) != 0 ||
	    json_object_set_new(j, "mediaType", json_string(SC_MT_OCI_MANIFEST)) != 0 ||
	    json_object_set_new(j, "config", desc_json(SC_MT_OCI_CONFIG, &m.config)) != 0)
		goto nomem;
	for (i = 0; i < m.n_layers; i++) {
		const char *lmt = m.layers[i].media_type ? m.layers[i].media_type : "";

		if (!(e = desc_json(oci_layer_type(lmt), &m.layers[i])) || json_array_append_new(layers, e) != 0)
			goto nomem;
	}
	if (json_object_set(j, "layers", layers) != 0)
		goto nomem;
	n = json_dumpb(j, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!n || !(s = sc_malloc(n + 1)) || json_dumpb(j, s, n, JSON_COMPACT | JSON_PRESERVE_ORDER) != n)
		goto nomem;
	s[n] = '\0';
	*out = s;
	*out_len = n;
	s = NULL;
	goto out;
nomem:
	rc = sc_error_set(SC_ENOMEM, "out of memory");
out:
	free(s);
	json_decref(layers);
	json_decref(j);
	sc_manifest_release(&m);
	return rc;
}

/*
 * Plan document desc (bytes data): an index's children first, a
 * manifest's config and layers; then the document itself.  *at gets its
 * place in the plan (an already planned digest is not added twice).
 */
static int add_doc(ctx *c, const sc_descriptor *desc, const char *data, size_t len, int depth, int with_platform,
		   size_t *at)
{
	plan *p = &c->p;
	sc_doc_kind kind = SC_DOC_UNKNOWN;
	sc_descriptor d;
	char *conv = NULL;
	size_t conv_len = 0, total;
	sc_manifest m;
	size_t i;
	int rc;

	if (find_doc(p, &desc->digest, at))
		return 0;
	if (p->n_docs >= MAX_DOCS)
		return sc_error_set(SC_ELIMIT, "more than %d manifests to copy", MAX_DOCS);
	if (sc_add_overflow(p->doc_bytes, len, &total) != 0 || total > MAX_DOC_BYTES)
		return sc_error_set(SC_ELIMIT, "manifests to copy exceed %u bytes", MAX_DOC_BYTES);
	if ((rc = sc_doc_detect(&kind, data, len, desc->media_type)) != 0)
		return rc;
	if (kind == SC_DOC_UNKNOWN)
		return sc_error_set(SC_EUNSUPPORTED, "%.100s: not an image manifest or index",
				    desc->media_type ? desc->media_type : "document");
	if (kind == SC_DOC_INDEX) {
		if ((rc = add_index_children(c, data, len, depth)) != 0)
			return rc;
	} else {
		if (c->convert_docker && depth == 0) {
			if ((rc = docker_to_oci(data, len, &conv, &conv_len)) != 0)
				return rc;
			data = conv;
			len = conv_len;
		}
		if ((rc = sc_manifest_parse(&m, data, len)) != 0)
			goto out;
		rc = add_blob(p, &m.config);
		for (i = 0; !rc && i < m.n_layers; i++)
			rc = add_blob(p, &m.layers[i]);
		sc_manifest_release(&m);
		if (rc)
			goto out;
	}
	if ((rc = desc_copy(&d, desc, with_platform)) != 0)
		goto out;
	free(d.media_type);
	d.media_type = doc_media_type(data, len, conv ? SC_MT_OCI_MANIFEST : desc->media_type, kind);
	d.size = len;
	if (conv)
		sc_sha256_buf(&d.digest, data, len);
	if (!d.media_type || (rc = grow((void **)&p->docs, &p->cap_docs, p->n_docs, sizeof(*p->docs))) != 0) {
		sc_descriptor_release(&d);
		rc = rc ? rc : SC_ENOMEM;
		goto out;
	}
	p->docs[p->n_docs].desc = d;
	if (conv) {
		p->docs[p->n_docs].data = conv;
		conv = NULL;
	} else if (!(p->docs[p->n_docs].data = sc_malloc(len ? len : 1))) {
		sc_descriptor_release(&p->docs[p->n_docs].desc);
		rc = SC_ENOMEM;
		goto out;
	} else {
		memcpy(p->docs[p->n_docs].data, data, len);
	}
	p->docs[p->n_docs].len = len;
	p->doc_bytes += len;
	*at = p->n_docs++;
out:
	free(conv);
	return rc;
}

/* ---- signatures and referrers ------------------------------------------ */

/*
 * Plan one artifact manifest (found by tag or as a referrer): *added = 1
 * when it was new (its own signatures are looked up next).
 */
static int add_artifact(ctx *c, const sc_descriptor *desc, const char *data, size_t len, size_t *at, int *added)
{
	size_t before = c->p.n_docs;
	int rc;

	*added = 0;
	if (find_doc(&c->p, &desc->digest, at))
		return 0;
	if (c->p.n_artifacts >= MAX_ARTIFACTS)
		return sc_error_set(SC_ELIMIT, "more than %d signatures, attestations and referrers", MAX_ARTIFACTS);
	if ((rc = add_doc(c, desc, data, len, 1, 0, at)) != 0)
		return rc;
	c->p.n_artifacts++;
	*added = c->p.n_docs > before;
	return 0;
}

static int plan_signatures(ctx *c)
{
	sc_source *s = c->src;
	sc_digest *queue = NULL;
	int *depths = NULL;
	size_t qn = 0, qcap = 0, qi, i, k, at;
	sc_buf b;
	int rc = 0, added;

	sc_buf_init(&b, SC_MANIFEST_MAX, "signature manifest");
	/* Subjects: every manifest and index of the image. */
	qcap = c->p.n_docs + MAX_ARTIFACTS + 1;
	if (!(queue = sc_calloc(qcap, sizeof(*queue))) || !(depths = sc_calloc(qcap, sizeof(*depths)))) {
		rc = SC_ENOMEM;
		goto out;
	}
	for (i = 0; i < c->p.n_docs; i++)
		queue[qn++] = c->p.docs[i].desc.digest;
	for (qi = 0; qi < qn && !rc; qi++) {
		char hex[65], name[96];
		char *mt = NULL;
		sc_digest got;

		if (depths[qi] >= SIG_DEPTH)
			continue;
		sc_digest_hex(&queue[qi], hex);
		for (k = 0; s->ops->get_doc && k < sizeof(sig_suffixes) / sizeof(sig_suffixes[0]); k++) {
			sc_descriptor d;

			snprintf(name, sizeof(name), "sha256-%s%s", hex, sig_suffixes[k]);
			sc_buf_reset(&b);
			rc = s->ops->get_doc(s, name, &b, &mt, &got);
			if (rc == SC_ENOTFOUND) {
				sc_error_clear();
				rc = 0;
				continue;
			}
			if (rc) {
				rc = sc_error_prefix(rc, "signature %s", name);
				goto out;
			}
			memset(&d, 0, sizeof(d));
			d.media_type = mt;
			d.digest = got;
			d.size = b.len;
			rc = add_artifact(c, &d, b.data ? b.data : "", b.len, &at, &added);
			free(mt);
			mt = NULL;
			if (rc || (rc = add_name(&c->p, name, at)) != 0)
				goto out;
			if (added && qn < qcap) {
				depths[qn] = depths[qi] + 1;
				queue[qn++] = got;
			}
		}
		if (s->ops->referrers) {
			sc_index ix;
			sc_buf rb;
			size_t j;

			sc_buf_init(&rb, SC_MANIFEST_MAX, "referrers index");
			if ((rc = s->ops->referrers(s, &queue[qi], &rb)) != 0 ||
			    (rc = sc_index_parse(&ix, rb.data ? rb.data : "", rb.len)) != 0) {
				sc_buf_release(&rb);
				rc = sc_error_prefix(rc, "referrers of sha256:%.12s", hex);
				goto out;
			}
			for (j = 0; j < ix.n_manifests && !rc; j++) {
				const sc_descriptor *d = &ix.manifests[j];

				if (find_doc(&c->p, &d->digest, &at))
					continue;
				sc_buf_reset(&b);
				if ((rc = fetch_doc(c, d, &b)) != 0 ||
				    (rc = add_artifact(c, d, b.data ? b.data : "", b.len, &at, &added)) != 0)
					break;
				if (added && qn < qcap) {
					depths[qn] = depths[qi] + 1;
					queue[qn++] = d->digest;
				}
			}
			/*
			 * Layouts have no referrers API: the index goes under the
			 * tag schema's name so the copies can be found (merged with
			 * what the destination has).  Registries index referrers
			 * themselves (dest_registry keeps the fallback tag).
			 */
			if (!rc && ix.n_manifests && c->dst->transport != SC_TRANSPORT_DOCKER) {
				sc_descriptor d;

				memset(&d, 0, sizeof(d));
				d.media_type = SC_MT_OCI_INDEX;
				d.size = rb.len;
				sc_sha256_buf(&d.digest, rb.data, rb.len);
				snprintf(name, sizeof(name), "sha256-%s", hex);
				if ((rc = add_doc(c, &d, rb.data, rb.len, 1, 0, &at)) == 0)
					rc = add_name(&c->p, name, at);
			}
			sc_index_release(&ix);
			sc_buf_release(&rb);
		}
	}
out:
	free(queue);
	free(depths);
	sc_buf_release(&b);
	return rc;
}

/* ---- the blob transfer --------------------------------------------------- */

typedef struct pool {
	ctx *c;
	sc_source proxy;        /* the source, with counted, cancellable streams */
	size_t next;            /* atomic: next blob to take */
	int cancel;             /* atomic */
	pthread_mutex_t mu;
	sc_error_info err;
	int have_err;
	uint64_t *progress;
	uint64_t skipped, mounted, sent; /* atomic */
} pool;

typedef struct proxy_stream {
	sc_stream base;
	sc_stream *inner;
	pool *p;
} proxy_stream;

static ssize_t proxy_read(sc_stream *s, void *buf, size_t len)
{
	proxy_stream *ps = (proxy_stream *)s;

	if (__atomic_load_n(&ps->p->cancel, __ATOMIC_RELAXED))
		return sc_error_set(SC_ECANCELED, "canceled: another transfer failed");
	return sc_stream_read(ps->inner, buf, len);
}

static void proxy_close(sc_stream *s)
{
	proxy_stream *ps = (proxy_stream *)s;

	sc_stream_close(ps->inner);
	free(ps);
}

static const sc_stream_ops proxy_stream_ops = { proxy_read, proxy_close };

static pool *proxy_pool(sc_source *s)
{
	return (pool *)((char *)s - offsetof(pool, proxy));
}

static int proxy_open_blob(sc_source *s, const sc_descriptor *d, sc_stream **out)
{
	pool *p = proxy_pool(s);
	proxy_stream *ps;
	sc_stream *inner = NULL;
	int rc;

	if (__atomic_load_n(&p->cancel, __ATOMIC_RELAXED))
		return sc_error_set(SC_ECANCELED, "canceled: another transfer failed");
	if ((rc = p->c->src->ops->open_blob(p->c->src, d, &inner)) != 0)
		return rc;
	/* Progress: the stream layer that already counts bytes (core/stream.h). */
	if (p->progress) {
		sc_stream *counted = NULL;

		if ((rc = sc_stream_count_new(&counted, inner, p->progress)) != 0) {
			sc_stream_close(inner);
			return rc;
		}
		inner = counted;
	}
	if (!(ps = sc_calloc(1, sizeof(*ps)))) {
		sc_stream_close(inner);
		return SC_ENOMEM;
	}
	ps->base.ops = &proxy_stream_ops;
	ps->inner = inner;
	ps->p = p;
	*out = &ps->base;
	return 0;
}

static int proxy_get_root(sc_source *s, sc_buf *out, char **media_type, sc_digest *digest)
{
	sc_source *in = proxy_pool(s)->c->src;

	return in->ops->get_root(in, out, media_type, digest);
}

static void proxy_free(sc_source *s)
{
	(void)s; /* part of the pool */
}

static const sc_source_ops proxy_ops = { .get_root = proxy_get_root, .open_blob = proxy_open_blob, .free = proxy_free };

static void fail(pool *p, int rc)
{
	pthread_mutex_lock(&p->mu);
	if (!p->have_err) {
		if (!sc_error_msg()[0])
			sc_error_set(rc, "%s", sc_error_name(rc));
		sc_error_save(&p->err);
		p->err.code = rc;
		p->have_err = 1;
	}
	__atomic_store_n(&p->cancel, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg)
{
	pool *p = arg;
	ctx *c = p->c;
	sc_dest *dst = c->dst;

	for (;;) {
		size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		const sc_descriptor *b;
		uint64_t sent = 0;
		int present = 0, rc;

		if (i >= c->p.n_blobs || __atomic_load_n(&p->cancel, __ATOMIC_RELAXED))
			break;
		b = &c->p.blobs[i];
		if ((rc = dst->ops->has_blob(dst, b, &present)) != 0) {
			fail(p, rc);
			break;
		}
		if (present) {
			__atomic_fetch_add(&p->skipped, 1, __ATOMIC_RELAXED);
			if (p->progress)
				__atomic_fetch_add(p->progress, b->size, __ATOMIC_RELAXED);
			continue;
		}
		if ((rc = dst->ops->put_blob(dst, b, &p->proxy, c->src_repo, &sent)) != 0) {
			fail(p, rc);
			break;
		}
		__atomic_fetch_add(&p->sent, sent, __ATOMIC_RELAXED);
		if (dst->transport == SC_TRANSPORT_DOCKER && sent == 0 && b->size > 0) {
			__atomic_fetch_add(&p->mounted, 1, __ATOMIC_RELAXED);
			if (p->progress)
				__atomic_fetch_add(p->progress, b->size, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static int cmp_digest(const void *a, const void *b)
{
	const sc_descriptor *x = a, *y = b;

	return memcmp(x->digest.bytes, y->digest.bytes, SC_SHA256_LEN);
}

static int cmp_size_desc(const void *a, const void *b)
{
	const sc_descriptor *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return memcmp(x->digest.bytes, y->digest.bytes, SC_SHA256_LEN);
}

/* Deduplicate by digest (one digest with two sizes is hostile), then largest first. */
static int dedupe_blobs(plan *p)
{
	size_t i, o = 0;
	char dg[SC_DIGEST_STRLEN];

	if (!p->n_blobs)
		return 0;
	qsort(p->blobs, p->n_blobs, sizeof(*p->blobs), cmp_digest);
	for (i = 0; i < p->n_blobs; i++) {
		if (o && sc_digest_eq(&p->blobs[o - 1].digest, &p->blobs[i].digest)) {
			if (p->blobs[o - 1].size != p->blobs[i].size)
				return sc_error_set(SC_EINPUT, "blob %s is referenced with sizes %llu and %llu",
						    sc_digest_fmt(&p->blobs[i].digest, dg),
						    (unsigned long long)p->blobs[o - 1].size,
						    (unsigned long long)p->blobs[i].size);
			sc_descriptor_release(&p->blobs[i]);
			continue;
		}
		if (o != i) {
			p->blobs[o] = p->blobs[i];
			memset(&p->blobs[i], 0, sizeof(p->blobs[i]));
		}
		o++;
	}
	p->n_blobs = o;
	qsort(p->blobs, p->n_blobs, sizeof(*p->blobs), cmp_size_desc);
	return 0;
}

static int transfer(ctx *c, sc_copy_result *res)
{
	pool p;
	pthread_t th[MAX_JOBS];
	unsigned jobs = c->opts && c->opts->jobs ? c->opts->jobs : DEFAULT_JOBS, started = 0, i;
	uint64_t total = 0;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.proxy.ops = &proxy_ops;
	p.proxy.ref = c->src->ref;
	p.progress = c->opts ? c->opts->progress : NULL;
	for (i = 0; i < c->p.n_blobs; i++)
		total += c->p.blobs[i].size;
	if (c->opts && c->opts->on_plan) {
		uint64_t *ctr = c->opts->on_plan(c->opts->on_plan_ud, total);

		if (ctr)
			p.progress = ctr;
	}
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	if (jobs > c->p.n_blobs)
		jobs = (unsigned)c->p.n_blobs;
	if (pthread_mutex_init(&p.mu, NULL) != 0)
		return sc_error_set(SC_EINTERNAL, "cannot create a mutex");
	/* One job runs here; more run on threads (fewer if threads cannot start). */
	for (i = 1; i < jobs; i++, started++)
		if (pthread_create(&th[started], NULL, worker, &p) != 0)
			break;
	worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	if (p.have_err)
		rc = sc_error_restore(&p.err);
	res->blobs_skipped = p.skipped;
	res->blobs_mounted = p.mounted;
	res->bytes_sent = p.sent;
	return rc;
}

/* ---- the copy ------------------------------------------------------------ */

/* The manifest of an index to copy when one platform is wanted. */
static int select_platform(ctx *c, const char *data, size_t len, sc_descriptor *out)
{
	sc_platform def;
	const sc_platform *want = c->opts ? c->opts->platform : NULL;
	const sc_descriptor *d = NULL;
	sc_index ix;
	int rc, have_def = 0;

	memset(&def, 0, sizeof(def));
	if (!want) {
		if ((rc = sc_platform_default(&def)) != 0)
			return rc;
		have_def = 1;
		want = &def;
	}
	if ((rc = sc_index_parse(&ix, data, len)) == 0) {
		if ((rc = sc_index_select(&ix, want, &d)) == 0)
			rc = desc_copy(out, d, 1);
		sc_index_release(&ix);
	}
	if (have_def)
		sc_platform_release(&def);
	return rc;
}

static int plan_image(ctx *c)
{
	sc_source *s = c->src;
	sc_buf b;
	char *mt = NULL;
	sc_digest dg;
	sc_doc_kind kind = SC_DOC_UNKNOWN;
	sc_descriptor root;
	int rc, all = c->opts && c->opts->all_platforms;

	memset(&root, 0, sizeof(root));
	sc_buf_init(&b, SC_MANIFEST_MAX, "root document");
	if ((rc = s->ops->get_root(s, &b, &mt, &dg)) != 0)
		goto out;
	if ((rc = sc_doc_detect(&kind, b.data ? b.data : "", b.len, mt)) != 0)
		goto out;
	if (kind == SC_DOC_INDEX && (!all || c->dst->single_image)) {
		if (all) {
			rc = sc_error_set(SC_EUSAGE, "%s holds one image: copy one platform of the index (--platform)",
					  c->dst->name);
			goto out;
		}
		if ((rc = select_platform(c, b.data ? b.data : "", b.len, &root)) != 0)
			goto out;
		sc_buf_reset(&b);
		if ((rc = fetch_doc(c, &root, &b)) != 0)
			goto out;
	} else {
		root.media_type = mt;
		mt = NULL;
		root.digest = dg;
		root.size = b.len;
	}
	rc = add_doc(c, &root, b.data ? b.data : "", b.len, 0, 1, &c->p.root);
out:
	sc_descriptor_release(&root);
	free(mt);
	sc_buf_release(&b);
	return rc;
}

int sc_copy_image(sc_source *src, const char *src_repo, sc_dest *dst, const sc_copy_opts *opts,
		  sc_copy_result *res)
{
	ctx c;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.src = src;
	c.src_repo = src_repo;
	c.dst = dst;
	c.opts = opts;
	/* docker-archive manifests are synthetic: elsewhere they become OCI manifests. */
	c.convert_docker = src->ref && src->ref->transport == SC_TRANSPORT_DOCKER_ARCHIVE && !dst->single_image;
	if ((rc = plan_image(&c)) != 0)
		goto out;
	if (opts && opts->signatures && !dst->single_image && (src->ops->get_doc || src->ops->referrers) &&
	    (rc = plan_signatures(&c)) != 0)
		goto out;
	res->blobs = 0;
	if ((rc = dedupe_blobs(&c.p)) != 0)
		goto out;
	res->blobs = c.p.n_blobs;
	if ((rc = transfer(&c, res)) != 0)
		goto out;
	/* Children before their index (add_doc's order), the root, then the artifacts. */
	for (i = 0; i < c.p.n_docs; i++) {
		const doc *d = &c.p.docs[i];

		if ((rc = dst->ops->put_manifest(dst, &d->desc, d->data, d->len)) != 0)
			goto out;
		res->manifests++;
	}
	res->signatures = c.p.n_artifacts;
	/*
	 * Names: the signature tags first, the image's own tag last, so a
	 * registry push that fails in between has not moved the image's tag
	 * (layouts name everything at once in commit).
	 */
	for (i = 0, rc = 0; !rc && i < c.p.n_names; i++)
		rc = dst->ops->tag(dst, c.p.names[i].name, &c.p.docs[c.p.names[i].doc].desc);
	if (!rc && dst->tag)
		rc = dst->ops->tag(dst, dst->tag, &c.p.docs[c.p.root].desc);
	else if (!rc && dst->transport != SC_TRANSPORT_DOCKER)
		rc = dst->ops->tag(dst, NULL, &c.p.docs[c.p.root].desc); /* an untagged entry */
	if (rc || (rc = dst->ops->commit(dst)) != 0)
		goto out;
	res->root = c.p.docs[c.p.root].desc.digest;
	if (!(res->root_media_type = sc_strdup(c.p.docs[c.p.root].desc.media_type)))
		rc = SC_ENOMEM;
out:
	plan_release(&c.p);
	return rc;
}

void sc_copy_result_release(sc_copy_result *res)
{
	if (!res)
		return;
	free(res->root_media_type);
	res->root_media_type = NULL;
}
