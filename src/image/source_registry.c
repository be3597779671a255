/*
 * source_registry.c - docker:// sources: an image in a registry read
 * through the distribution client (registry/client.h).
 *
 * ref->path is "HOST/REPO[:TAG|@DIGEST]" (registry/ref.c grammar).  The
 * root is the manifest or index the tag or digest names; blobs stream from
 * /v2/<repo>/blobs/ (verified); descriptors of manifests and indexes are
 * read from /v2/<repo>/manifests/<digest> and checked against the digest.
 * The sc_registry is thread-safe, so open_blob may run on several threads.
 */
#include "image/source.h"

#include "core/error.h"
#include "registry/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reg_source {
	sc_source base;
	sc_registry *reg;
	sc_regref rr;
} reg_source;

/* A memory stream that owns its bytes. */
typedef struct owned_mem {
	sc_stream base;
	sc_stream *inner;
	char *data;
} owned_mem;

static ssize_t om_read(sc_stream *s, void *buf, size_t len)
{
	return sc_stream_read(((owned_mem *)s)->inner, buf, len);
}

static void om_close(sc_stream *s)
{
	owned_mem *m = (owned_mem *)s;

	sc_stream_close(m->inner);
	free(m->data);
	free(m);
}

static const sc_stream_ops om_ops = { om_read, om_close };

static int is_manifest_type(const char *mt)
{
	return mt && (sc_doc_kind_of(mt) != SC_DOC_UNKNOWN ||
		      strcmp(mt, "application/vnd.oci.artifact.manifest.v1+json") == 0);
}

static int rs_open_blob(sc_source *s, const sc_descriptor *d, sc_stream **out)
{
	reg_source *rs = (reg_source *)s;
	char dg[SC_DIGEST_STRLEN], what[SC_DIGEST_STRLEN + 400];
	int rc;

	if (!d->digest.set)
		return sc_error_set(SC_EINPUT, "%s/%s: descriptor without a digest", rs->rr.host, rs->rr.repo);
	sc_digest_fmt(&d->digest, dg);
	if (is_manifest_type(d->media_type)) {
		sc_buf b;
		owned_mem *m;
		sc_stream *v = NULL;

		if (d->size > SC_MANIFEST_MAX)
			return sc_error_set(SC_ELIMIT, "%s/%s: manifest %s is %llu bytes, limit is %u", rs->rr.host,
					    rs->rr.repo, dg, (unsigned long long)d->size, SC_MANIFEST_MAX);
		sc_buf_init(&b, SC_MANIFEST_MAX, "manifest");
		/* get_manifest checks the bytes against the digest. */
		if ((rc = sc_registry_get_manifest(rs->reg, rs->rr.repo, dg, &b, NULL, NULL)) != 0) {
			sc_buf_release(&b);
			return rc;
		}
		if (!(m = sc_calloc(1, sizeof(*m)))) {
			sc_buf_release(&b);
			return SC_ENOMEM;
		}
		m->base.ops = &om_ops;
		{
			size_t dlen = 0;

			m->data = b.data ? sc_buf_detach(&b, &dlen) : NULL;
			rc = sc_stream_mem_new(&m->inner, m->data ? m->data : "", dlen);
		}
		if (rc != 0) {
			free(m->data);
			free(m);
			return rc;
		}
		snprintf(what, sizeof(what), "%s/%s: manifest %s", rs->rr.host, rs->rr.repo, dg);
		/* The size is the descriptor's promise: check it as for blobs. */
		if ((rc = sc_stream_verify_new(&v, &m->base, &d->digest, d->size, what)) != 0) {
			om_close(&m->base);
			return rc;
		}
		*out = v;
		return 0;
	}
	return sc_registry_open_blob(rs->reg, rs->rr.repo, &d->digest, d->size, out);
}

static int rs_get_doc(sc_source *s, const char *ref, sc_buf *out, char **media_type, sc_digest *digest)
{
	reg_source *rs = (reg_source *)s;

	return sc_registry_get_manifest(rs->reg, rs->rr.repo, ref, out, media_type, digest);
}

static int rs_get_root(sc_source *s, sc_buf *out, char **media_type, sc_digest *digest)
{
	reg_source *rs = (reg_source *)s;
	char dg[SC_DIGEST_STRLEN];

	return rs_get_doc(s, rs->rr.digest.set ? sc_digest_fmt(&rs->rr.digest, dg) : rs->rr.tag, out, media_type,
			  digest);
}

static int rs_referrers(sc_source *s, const sc_digest *d, sc_buf *out)
{
	reg_source *rs = (reg_source *)s;

	return sc_registry_referrers(rs->reg, rs->rr.repo, d, NULL, out, NULL);
}

static void rs_free(sc_source *s)
{
	reg_source *rs = (reg_source *)s;

	sc_registry_free(rs->reg);
	sc_regref_release(&rs->rr);
	free(rs);
}

static const sc_source_ops rs_ops = {
	.get_root = rs_get_root,
	.open_blob = rs_open_blob,
	.get_doc = rs_get_doc,
	.referrers = rs_referrers,
	.free = rs_free,
};

int sc_source_registry_open_opts(sc_source **out, const sc_imgref *ref, const sc_registry_opts *o)
{
	reg_source *rs;
	int rc;

	if (ref->transport != SC_TRANSPORT_DOCKER)
		return sc_error_set(SC_EUSAGE, "not a docker:// reference: %s", sc_transport_name(ref->transport));
	if (!(rs = sc_calloc(1, sizeof(*rs))))
		return SC_ENOMEM;
	rs->base.ops = &rs_ops;
	rs->base.ref = ref;
	if ((rc = sc_regref_parse(&rs->rr, ref->path)) != 0) {
		free(rs);
		return rc;
	}
	if ((rc = sc_registry_new(&rs->reg, rs->rr.host, o ? o : sc_registry_defaults())) != 0) {
		sc_regref_release(&rs->rr);
		free(rs);
		return rc;
	}
	*out = &rs->base;
	return 0;
}

int sc_source_registry_open(sc_source **out, const sc_imgref *ref)
{
	return sc_source_registry_open_opts(out, ref, NULL);
}
