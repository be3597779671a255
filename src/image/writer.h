/*
 * writer.h - write an image into an OCI image layout, deterministically
 * and atomically.
 *
 * Specs:
 *   https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 *   https://github.com/opencontainers/image-spec/blob/main/manifest.md
 *   https://github.com/opencontainers/image-spec/blob/main/config.md
 *   https://github.com/opencontainers/image-spec/blob/main/layer.md
 *
 *   sc_image_writer_open("oci:DIR[:TAG]")
 *     -> layers: sc_image_writer_layer_begin() / tar entries / _layer_end()
 *                (tar -> deterministic gzip -> blobs/sha256/.tmp-* -> rename
 *                 to its digest; blob digest, size and diff_id computed
 *                 while streaming)
 *             or sc_image_writer_copy_layer(src image, i) (blob copied as is)
 *     -> sc_image_writer_commit(source config JSON, edits)
 *                config blob, manifest blob, then index.json (temp + rename,
 *                the single commit point)
 *
 * Blobs are content-addressed, so writing them before the commit is
 * harmless; until index.json is renamed the layout still shows exactly
 * what it showed before.  A failure (or freeing the writer without a
 * commit) leaves index.json untouched and removes the writer's temp files.
 * See docs/writer.md for the determinism rules.
 *
 * Archives (oci-archive:FILE[:TAG], docker-archive:FILE[:REPO:TAG]) hold
 * this one image: it is built as a layout in a staging directory beside
 * FILE, tarred deterministically (sorted members, mtime 0, root-owned;
 * docker-archive adds `docker save`'s manifest.json) into FILE.tmp-*, and
 * renamed over FILE at commit; the staging directory is removed either way.
 * An existing FILE is only replaced with opts->replace.
 */
#ifndef SC_IMAGE_WRITER_H
#define SC_IMAGE_WRITER_H

#include "core/digest.h"
#include "core/stream.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/tarwriter.h"

#include <stddef.h>
#include <stdint.h>

/* gzip level when opts->gzip_level is 0. */
#define SC_WRITER_GZIP_LEVEL 6
/* The gzip header's OS byte: 255 "unknown", as Go's compress/gzip (and so
 * containerd, Docker and umoci) writes it, so it is the same on every host. */
#define SC_WRITER_GZIP_OS 255

typedef struct sc_image_writer_opts {
	int replace;       /* an existing TAG in DIR is replaced (else SC_EUSAGE "exists") */
	int gzip_level;    /* 1..9, 0 = SC_WRITER_GZIP_LEVEL */
	int64_t epoch;     /* SOURCE_DATE_EPOCH: tar mtimes are clamped to it and the
	                      config's "created" (and new history entries) are set to
	                      it; SC_TAR_NO_CLAMP = keep mtimes and the source's
	                      "created" (never the current time) */
} sc_image_writer_opts;

/* Edits applied to the source config (everything else is preserved). */
typedef struct sc_image_config_edit {
	const char *user;            /* config.User; NULL = keep */
	const char *const *env;      /* NULL-terminated, replaces config.Env; NULL = keep */
	const sc_kv *labels;         /* set config.Labels[key] = value (value NULL removes) */
	size_t n_labels;
	int reset_history;           /* drop the source history before appending */
	const char *const *entrypoint; /* NULL-terminated: replaces Entrypoint and removes Cmd; NULL = keep */
} sc_image_config_edit;

typedef struct sc_image_writer sc_image_writer;

/*
 * Open a destination (oci:, oci-archive: or docker-archive:; others are
 * SC_EUSAGE).  "oci:DIR[:TAG]": DIR is created with oci-layout and
 * an empty index.json when missing; an existing DIR must be an OCI layout
 * (imageLayoutVersion 1.0.0) or empty.  When TAG is already in index.json
 * and !opts->replace: SC_EUSAGE "... exists".  opts may be NULL.
 * *out is owned by the caller (sc_image_writer_free).
 */
int sc_image_writer_open(sc_image_writer **out, const char *dest, const sc_image_writer_opts *opts);

/*
 * Start a new layer (application/vnd.oci.image.layer.v1.tar+gzip).  Add
 * entries to *tar_out (borrowed; valid until layer_end or free) in the
 * order they must appear (sorted by the caller).  One layer at a time.
 */
int sc_image_writer_layer_begin(sc_image_writer *w, sc_tarwriter **tar_out);
/*
 * Finish the layer: end the tar, flush gzip, fsync, rename the blob to its
 * digest and append its descriptor and diff_id.  created_by (may be NULL)
 * goes into the new history entry.  desc_out (may be NULL) gets the blob's
 * digest, diff_id_out (may be NULL) the uncompressed tar's digest.
 */
int sc_image_writer_layer_end(sc_image_writer *w, const char *created_by, sc_digest *desc_out,
			      sc_digest *diff_id_out);

/*
 * Append layer i of src as it is stored (bytes copied and verified against
 * the source's digest; diff_id from the source config).  Docker media
 * types are mapped to the OCI equivalents (same bytes).  No history entry
 * is added: keep the source's history (reset_history = 0).
 */
int sc_image_writer_copy_layer(sc_image_writer *w, sc_image *src, size_t i);

/*
 * Write the config (base_json: the source config as stored, or NULL for a
 * minimal one for the host platform; edits applied; rootfs.diff_ids set to
 * the written layers; serialised compact with sorted keys), the manifest,
 * and index.json (the commit).  manifest_out (may be NULL) gets the
 * manifest's digest.  After commit only sc_image_writer_free is allowed.
 */
int sc_image_writer_commit(sc_image_writer *w, const char *base_json, size_t base_len,
			   const sc_image_config_edit *edit, sc_digest *manifest_out);

/*
 * Raw API (scute mirror, image/dest_layout.c): the opened writer as a
 * byte-exact, content-addressed store.  Blobs and documents are stored as
 * given (never re-serialised, so digests survive), then names are pointed
 * at them with one commit.  Do not mix with layer_begin/copy_layer/commit.
 * has_blob, put_blob_stream and put_bytes may be called from several
 * threads at once (temp names are unique per call); commit_refs from one.
 *
 * *present = 1 when blobs/sha256/<hex> is a regular file of `size` bytes
 * (the bytes are not re-hashed: the layout's content is trusted).
 */
int sc_image_writer_has_blob(sc_image_writer *w, const sc_digest *digest, uint64_t size, int *present);
/*
 * Stream s (read in 1 MiB chunks, not closed) into blobs/sha256/.tmp-*,
 * hash it, check size and digest (SC_EDIGEST, nothing left behind), fsync
 * once and rename to <hex>.  A blob already present is not read.
 * *written (may be NULL) gets the bytes stored (0 when present).
 */
int sc_image_writer_put_blob_stream(sc_image_writer *w, const sc_digest *digest, uint64_t size,
				    sc_stream *s, uint64_t *written);
/* Store a manifest/index (or any small blob) whose SHA-256 must be digest. */
int sc_image_writer_put_bytes(sc_image_writer *w, const sc_digest *digest, const void *data, size_t len);

/* A name to point at a stored manifest or index at commit. */
typedef struct sc_writer_ref {
	const char *name;        /* org.opencontainers.image.ref.name; NULL = untagged entry
	                            (docker-archive: the REPO:TAG for RepoTags, or NULL) */
	const char *media_type;  /* the document's media type (index.json descriptor) */
	sc_digest digest;
	uint64_t size;
	const sc_platform *platform; /* optional: the descriptor's platform */
	int replace;             /* may replace a different document under this name even
	                            without opts->replace (names derived from the source:
	                            "sha256-<hex>.sig") */
	int merge;               /* an index (OCI referrers tag schema, "sha256-<hex>"):
	                            merged with the index the name points at now */
} sc_writer_ref;

/*
 * The commit of the raw API.  oci: index.json gets the refs (entries of
 * other names are kept; an existing name with the same digest is left as
 * it is, so re-mirroring identical content succeeds; a different digest
 * under the name is SC_EUSAGE "... exists" unless opts->replace or
 * ref->replace, or is merged with ref->merge; an untagged ref replaces an
 * untagged entry of the same digest), written with temp + rename after
 * blobs/sha256 is synced.  Every ref's document must be stored.
 * oci-archive: the same in the staging layout, then tarred into FILE.
 * docker-archive: exactly one ref, a manifest (Docker v2 or OCI) whose
 * config and layers are stored; `docker save`'s manifest.json
 * (Config, RepoTags = [name], Layers: blobs/sha256/<hex> as stored) is
 * added.  After commit only sc_image_writer_free is allowed.
 */
int sc_image_writer_commit_refs(sc_image_writer *w, const sc_writer_ref *refs, size_t n);

/* Accepts NULL.  Without a commit: temp files removed, index.json untouched. */
void sc_image_writer_free(sc_image_writer *w);

#endif
