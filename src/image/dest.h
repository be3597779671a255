/*
 * dest.h - where a copied image goes: the write side of `scute mirror`.
 *
 * A destination stores blobs and manifests by digest, exactly as given
 * (no re-serialisation, so digests survive the copy), and points names
 * (tags) at manifests or indexes last:
 *
 *   has_blob(config, layers...)  -> put_blob() for the missing ones
 *   put_manifest(child manifests, then the index)
 *   tag(name, root) ...           (signature tags too)
 *   commit()                      the single point where names appear
 *
 * Implementations:
 *   dest_layout.c    oci:, oci-archive:, docker-archive: (image/writer.h
 *                    raw API: blobs into the layout, index.json at commit)
 *   dest_registry.c  docker:// (registry/client.h: HEAD, mount, upload,
 *                    manifest PUT; tag() PUTs the manifest by tag, so a
 *                    failed copy leaves no tag on a half-pushed image)
 * Every op must be safe to call from several threads at once except
 * tag() and commit(), which the copier calls from one thread.
 */
#ifndef SC_IMAGE_DEST_H
#define SC_IMAGE_DEST_H

#include "image/manifest.h"
#include "image/ref.h"
#include "image/source.h"

#include <stdint.h>

typedef struct sc_dest sc_dest;

typedef struct sc_dest_ops {
	/* *present = 1 when the destination already holds the blob (right size). */
	int (*has_blob)(sc_dest *d, const sc_descriptor *desc, int *present);
	/*
	 * Store a blob read from src (src->ops->open_blob(desc); the stream
	 * may be opened again for a retry).  The stored bytes are verified
	 * against desc.  from_repo: a "HOST/REPO" the blob is known to be in
	 * (a cross-repository mount is tried when it is on the same host), or
	 * NULL.  *sent (may be NULL) gets the bytes that moved (0 when mounted).
	 */
	int (*put_blob)(sc_dest *d, const sc_descriptor *desc, sc_source *src, const char *from_repo,
			uint64_t *sent);
	/* Store a manifest or index by digest (desc->digest == SHA-256(data)). */
	int (*put_manifest)(sc_dest *d, const sc_descriptor *desc, const void *data, size_t len);
	/*
	 * Name root (already stored) `name`: a tag ("v1", "sha256-<hex>.sig").
	 * name NULL: only for layouts (never docker://), when the destination
	 * names no tag: the root becomes an untagged index.json entry.
	 * Layouts: names derived from the source ("sha256-<hex>.sig/.att/.sbom")
	 * replace what is there; "sha256-<hex>" (referrers tag schema, an
	 * index) is merged with what is there; other names need opts->replace
	 * unless they already point at the same digest (then: no-op).
	 */
	int (*tag)(sc_dest *d, const char *name, const sc_descriptor *root);
	/* Make the names visible (layout: index.json; archive: the file). */
	int (*commit)(sc_dest *d);
	void (*free)(sc_dest *d);
} sc_dest_ops;

struct sc_dest {
	const sc_dest_ops *ops;
	sc_transport transport;
	char *name;      /* as given, for messages */
	char *tag;       /* the name the copied root gets: the reference's tag
	                    (oci: REF, docker:// TAG), or NULL (by digest only) */
	int single_image; /* docker-archive: holds one manifest, no index */
};

struct sc_registry_opts;
typedef struct sc_dest_opts {
	int replace;     /* an existing name may be replaced (oci:, archives) */
	/* docker://: registry options for this side (mirror --dest-creds ...);
	 * NULL = sc_registry_defaults().  Not copied: must outlive the dest. */
	const struct sc_registry_opts *registry;
} sc_dest_opts;

/* Open "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:REPO:TAG]"
 * or "docker://HOST/REPO[:TAG]".  opts may be NULL. */
int sc_dest_open(sc_dest **out, const char *name, const sc_dest_opts *opts);
void sc_dest_free(sc_dest *d); /* accepts NULL; without commit nothing is named */

int sc_dest_layout_open(sc_dest **out, const char *name, const sc_dest_opts *opts);
int sc_dest_registry_open(sc_dest **out, const char *name, const sc_dest_opts *opts);

#endif
