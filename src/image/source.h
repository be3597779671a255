/*
 * source.h - where an image's documents and blobs come from.
 *
 * A source resolves an image reference to its root document (an index or a
 * manifest) and opens blobs by descriptor.  Implementations:
 *   source_oci.c            oci: and oci-archive: (OCI image layout over a fileset)
 *   source_docker_archive.c docker-archive: (docker save / skopeo output)
 *   source_registry.c       docker:// (registry/client.h)
 *
 * Every blob stream returned by open_blob() is verified: its bytes are
 * hashed while they stream and checked against the descriptor's digest and
 * size (sc_stream_verify_new), failing with SC_EDIGEST naming the blob.  A
 * descriptor with an unset digest (docker-archive layers stored compressed)
 * is only size-checked; the layer reader then verifies the diff_id.
 * open_blob() must be safe to call from several threads at once.
 */
#ifndef SC_IMAGE_SOURCE_H
#define SC_IMAGE_SOURCE_H

#include "core/buf.h"
#include "core/digest.h"
#include "core/stream.h"
#include "image/manifest.h"
#include "image/ref.h"

typedef struct sc_source sc_source;

typedef struct sc_source_ops {
	/*
	 * The document the reference names.  out gets the raw bytes (caller
	 * initialises it), *media_type a newly allocated string (may be NULL
	 * when the document does not say), *digest its SHA-256.
	 */
	int (*get_root)(sc_source *s, sc_buf *out, char **media_type, sc_digest *digest);
	/*
	 * A verified stream over the blob the descriptor names.  A descriptor
	 * whose media type is a manifest or index (or an artifact manifest)
	 * is read from wherever the transport keeps manifests (a registry's
	 * /manifests/ endpoint).
	 */
	int (*open_blob)(sc_source *s, const sc_descriptor *d, sc_stream **out);
	/*
	 * Optional (NULL when the transport has no names besides the root):
	 * the document named `ref` (a tag or "sha256:...") in the same
	 * repository or layout, as get_root returns it; SC_ENOTFOUND when
	 * absent.  Used to find cosign's "sha256-<hex>.sig" / ".att" tags.
	 */
	int (*get_doc)(sc_source *s, const char *ref, sc_buf *out, char **media_type, sc_digest *digest);
	/*
	 * Optional: the OCI 1.1 referrers of manifest d as an image index
	 * (registry API, or the "sha256-<hex>" tag-schema fallback); an
	 * empty index when there are none.
	 */
	int (*referrers)(sc_source *s, const sc_digest *d, sc_buf *out);
	void (*free)(sc_source *s);
} sc_source_ops;

struct sc_source {
	const sc_source_ops *ops;
	const sc_imgref *ref; /* not owned; outlives the source */
};

int sc_source_open(sc_source **out, const sc_imgref *ref);
void sc_source_free(sc_source *s); /* accepts NULL */

/* Read a whole (small) blob, verified, failing with SC_ELIMIT above max. */
int sc_source_read_blob(sc_source *s, const sc_descriptor *d, size_t max, sc_buf *out);

/* Constructors used by sc_source_open(). */
int sc_source_oci_open(sc_source **out, const sc_imgref *ref);
int sc_source_docker_archive_open(sc_source **out, const sc_imgref *ref);
/* docker://: options from sc_registry_defaults(), or per side (mirror --src-creds). */
int sc_source_registry_open(sc_source **out, const sc_imgref *ref);
struct sc_registry_opts;
int sc_source_registry_open_opts(sc_source **out, const sc_imgref *ref, const struct sc_registry_opts *o);

#endif
