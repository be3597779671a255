/*
 * dest_registry.c - docker:// destinations (dest.h) over the distribution
 * client (registry/client.h).
 *
 *   has_blob      HEAD /v2/<repo>/blobs/<digest> (and the size must match)
 *   put_blob      a cross-repository mount when the blob is known to be in
 *                 another repository of the same registry, else an upload
 *                 whose bytes are re-read from the source on every retry
 *   put_manifest  PUT /v2/<repo>/manifests/<digest>; the bytes are kept in
 *                 memory (by digest) so tag() can PUT them again
 *   tag           PUT /v2/<repo>/manifests/<tag> with the same bytes: names
 *                 appear only here, so a failed copy leaves no tag behind
 *   commit        nothing left to do
 * Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 */
#include "image/dest.h"

#include "core/error.h"
#include "core/json.h"
#include "registry/client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct stored {
	struct stored *next;
	sc_digest d;
	char *media_type;
	char *data;
	size_t len;
} stored;

typedef struct reg_dest {
	sc_dest base;
	sc_registry *reg;
	sc_regref rr;
	pthread_mutex_t mu;
	stored *manifests;
} reg_dest;

static int rd_has_blob(sc_dest *d, const sc_descriptor *desc, int *present)
{
	reg_dest *rd = (reg_dest *)d;
	uint64_t size = UINT64_MAX;
	int exists = 0, rc;

	if ((rc = sc_registry_blob_exists(rd->reg, rd->rr.repo, &desc->digest, &exists, &size)) != 0)
		return rc;
	*present = exists && (size == UINT64_MAX || size == desc->size);
	return 0;
}

typedef struct opener {
	sc_source *src;
	const sc_descriptor *desc;
} opener;

static int open_from_source(void *ud, sc_stream **out)
{
	opener *o = ud;

	return o->src->ops->open_blob(o->src, o->desc, out);
}

static int rd_put_blob(sc_dest *d, const sc_descriptor *desc, sc_source *src, const char *from_repo, uint64_t *sent)
{
	reg_dest *rd = (reg_dest *)d;
	size_t hl = strlen(rd->rr.host);
	opener o = { src, desc };
	int rc;

	if (sent)
		*sent = 0;
	if (!desc->digest.set)
		return sc_error_set(SC_EINPUT, "%s/%s: a blob without a digest cannot be pushed", rd->rr.host, rd->rr.repo);
	if (from_repo && strncmp(from_repo, rd->rr.host, hl) == 0 && from_repo[hl] == '/' &&
	    strcmp(from_repo + hl + 1, rd->rr.repo) != 0) {
		int mounted = 0;

		if ((rc = sc_registry_mount_blob(rd->reg, rd->rr.repo, from_repo + hl + 1, &desc->digest, &mounted)) != 0)
			return rc;
		if (mounted)
			return 0;
	}
	return sc_registry_push_blob(rd->reg, rd->rr.repo, &desc->digest, desc->size, open_from_source, &o, sent);
}

/* The media type to PUT a document with: the descriptor's, else its own mediaType. */
static char *doc_media_type(const sc_descriptor *desc, const void *data, size_t len)
{
	char *mt;

	if (desc && desc->media_type)
		return sc_strdup(desc->media_type);
	if (!(mt = sc_doc_media_type(data, len)))
		sc_error_set(SC_EINPUT, "manifest without a media type");
	return mt;
}

static int rd_put_manifest(sc_dest *d, const sc_descriptor *desc, const void *data, size_t len)
{
	reg_dest *rd = (reg_dest *)d;
	char dg[SC_DIGEST_STRLEN];
	stored *s;
	int rc;

	if (!desc->digest.set)
		return sc_error_set(SC_EINPUT, "%s/%s: manifest without a digest", rd->rr.host, rd->rr.repo);
	if (!(s = sc_calloc(1, sizeof(*s))))
		return SC_ENOMEM;
	s->d = desc->digest;
	s->len = len;
	if (!(s->media_type = doc_media_type(desc, data, len))) {
		/* doc_media_type set the error */
		rc = sc_error_prefix(sc_error_code(), "%s/%s: manifest %s", rd->rr.host, rd->rr.repo,
				     sc_digest_fmt(&desc->digest, dg));
		free(s);
		return rc;
	}
	if (!(s->data = sc_malloc(len ? len : 1))) {
		free(s->media_type);
		free(s);
		return SC_ENOMEM;
	}
	memcpy(s->data, data, len);
	if ((rc = sc_registry_put_manifest(rd->reg, rd->rr.repo, sc_digest_fmt(&desc->digest, dg), data, len,
					   s->media_type, NULL)) != 0) {
		free(s->media_type);
		free(s->data);
		free(s);
		return rc;
	}
	pthread_mutex_lock(&rd->mu);
	s->next = rd->manifests;
	rd->manifests = s;
	pthread_mutex_unlock(&rd->mu);
	return 0;
}

static int rd_tag(sc_dest *d, const char *name, const sc_descriptor *root)
{
	reg_dest *rd = (reg_dest *)d;
	char dg[SC_DIGEST_STRLEN];
	stored *s;

	pthread_mutex_lock(&rd->mu);
	for (s = rd->manifests; s; s = s->next)
		if (sc_digest_eq(&s->d, &root->digest))
			break;
	pthread_mutex_unlock(&rd->mu);
	/* The copier stores every document (put_manifest) before it names any. */
	if (!s)
		return sc_error_set(SC_EINTERNAL, "%s/%s: tag %s for manifest %s, which was not stored first",
				    rd->rr.host, rd->rr.repo, name ? name : "(none)", sc_digest_fmt(&root->digest, dg));
	return sc_registry_put_manifest(rd->reg, rd->rr.repo, name, s->data, s->len, s->media_type, NULL);
}

static int rd_commit(sc_dest *d)
{
	(void)d;
	return 0; /* every name was set by tag() */
}

static void rd_free(sc_dest *d)
{
	reg_dest *rd = (reg_dest *)d;
	stored *s, *n;

	for (s = rd->manifests; s; s = n) {
		n = s->next;
		free(s->media_type);
		free(s->data);
		free(s);
	}
	pthread_mutex_destroy(&rd->mu);
	sc_registry_free(rd->reg);
	sc_regref_release(&rd->rr);
	free(rd->base.name);
	free(rd->base.tag);
	free(rd);
}

static const sc_dest_ops rd_ops = {
	.has_blob = rd_has_blob,
	.put_blob = rd_put_blob,
	.put_manifest = rd_put_manifest,
	.tag = rd_tag,
	.commit = rd_commit,
	.free = rd_free,
};

int sc_dest_registry_open(sc_dest **out, const char *name, const sc_dest_opts *opts)
{
	const char *ref = name;
	reg_dest *rd;
	sc_registry_opts ro;
	int rc;

	if (strncmp(ref, "docker://", 9) == 0)
		ref += 9;
	if (!(rd = sc_calloc(1, sizeof(*rd))))
		return SC_ENOMEM;
	pthread_mutex_init(&rd->mu, NULL);
	rd->base.ops = &rd_ops;
	rd->base.transport = SC_TRANSPORT_DOCKER;
	if ((rc = sc_regref_parse(&rd->rr, ref)) != 0) {
		pthread_mutex_destroy(&rd->mu);
		free(rd);
		return rc;
	}
	if (!(rd->base.name = sc_strdup(name)) || (rd->rr.tag && !(rd->base.tag = sc_strdup(rd->rr.tag)))) {
		rd_free(&rd->base);
		return SC_ENOMEM;
	}
	ro = opts && opts->registry ? *opts->registry : *sc_registry_defaults();
	ro.push = 1;
	if ((rc = sc_registry_new(&rd->reg, rd->rr.host, &ro)) != 0) {
		rd_free(&rd->base);
		return rc;
	}
	*out = &rd->base;
	return 0;
}
