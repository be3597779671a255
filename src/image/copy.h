/*
 * copy.h - copy an image (or a whole index) from a source to a
 * destination by digest: the engine of `scute mirror`.
 *
 *   source root (index or manifest)
 *     index: all children (--all-platforms) or the selected platform's
 *     manifest -> config + layers
 *   blobs: has_blob? skip : put_blob, `jobs` at a time (a work queue,
 *          largest first); each blob verified by the destination
 *   manifests: children, then the root, byte for byte (digest kept)
 *   signatures (opts->signatures): for every copied manifest digest D,
 *          the source's "sha256-<hex(D)>.sig", ".att" and ".sbom" tags and
 *          its OCI 1.1 referrers (and theirs, to depth 4), copied the same
 *          way and given the same names
 *   names: the root's tag, then the signature tags; commit last
 *
 * When only one platform of an index is copied the index is not (the
 * copy is that platform's manifest, whose digest is unchanged).
 * docker-archive sources have synthetic Docker manifests whose layers
 * are plain tars: copied to a registry or layout they are rewritten as
 * OCI manifests (media types mapped, bytes unchanged), so their digest
 * changes, as with skopeo.  A docker-archive destination takes a single
 * manifest.
 */
#ifndef SC_IMAGE_COPY_H
#define SC_IMAGE_COPY_H

#include "core/digest.h"
#include "image/dest.h"
#include "image/manifest.h"
#include "image/source.h"

#include <stdint.h>

typedef struct sc_copy_opts {
	int all_platforms;          /* copy the whole index */
	const sc_platform *platform; /* when !all_platforms: NULL = host default */
	int signatures;             /* copy .sig/.att/.sbom tags and referrers */
	unsigned jobs;              /* concurrent blob transfers; 0 = 4, more than 64 = 64 */
	uint64_t *progress;         /* blob bytes done, updated as they move; blobs the
	                               destination already has count whole (may be NULL) */
	/*
	 * Optional: called once, from the calling thread, after the plan and
	 * before any blob moves, with the bytes of all blobs to copy (found or
	 * not).  A non-NULL return is the counter to update instead of
	 * progress (e.g. a progress bar started with that total).
	 */
	uint64_t *(*on_plan)(void *ud, uint64_t total_bytes);
	void *on_plan_ud;
} sc_copy_opts;

typedef struct sc_copy_result {
	sc_digest root;             /* digest of what was copied (index or manifest) */
	char *root_media_type;
	uint64_t blobs;             /* blobs referenced */
	uint64_t blobs_skipped;     /* already at the destination */
	uint64_t blobs_mounted;     /* cross-repository mounts */
	uint64_t bytes_sent;        /* blob bytes that moved */
	uint64_t manifests;         /* manifests and indexes written */
	uint64_t signatures;        /* signature/attestation/referrer manifests copied */
} sc_copy_result;

/*
 * Copy src (opened from src_name) to dst; the destination is committed
 * on success.  src_repo: "HOST/REPO" of a docker:// source (mount hint)
 * or NULL.  res is filled (release with sc_copy_result_release).
 */
int sc_copy_image(sc_source *src, const char *src_repo, sc_dest *dst, const sc_copy_opts *opts,
		  sc_copy_result *res);
void sc_copy_result_release(sc_copy_result *res);

#endif
