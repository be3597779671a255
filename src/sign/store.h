/*
 * store.h - where an image's signatures and attestations live, read and
 * written the way cosign does.
 *
 *   legacy tags   "sha256-<hex>.sig" / "sha256-<hex>.att" in the image's
 *                 repository (docker://) or layout (oci:): an OCI image
 *                 manifest whose layers are the signed documents
 *                 (application/vnd.dev.cosign.simplesigning.v1+json with
 *                 annotation dev.cosignproject.cosign/signature;
 *                 application/vnd.dsse.envelope.v1+json with annotation
 *                 predicateType), and a cosign-style config blob.
 *   referrers     OCI 1.1 artifacts whose subject is the image: Sigstore
 *                 bundles (artifactType application/vnd.dev.sigstore.
 *                 bundle.v0.3+json) and DSSE envelopes.  Registries without
 *                 the referrers API, and layouts, use the "sha256-<hex>"
 *                 tag-schema index.
 *   dir:PATH      containers/image's dir: transport (read only):
 *                 PATH/manifest.json and PATH/signature-1..N files holding
 *                 "\0sigstore-json\n" + JSON (see envelope.h).
 *
 * The image is resolved once to its root document; its digest is computed
 * from those bytes (a registry's answer for a tag is never trusted for
 * the digest).  Every blob read is verified against its descriptor and
 * bounded (SC_SIGN_DOC_MAX); a signature manifest that cannot be read is
 * an artifact with an error, so the verifier can report it and go on.
 */
#ifndef SC_SIGN_STORE_H
#define SC_SIGN_STORE_H

#include "core/buf.h"
#include "core/digest.h"

#include <jansson.h>
#include <stddef.h>

#define SC_COSIGN_SIG_ANNOTATION "dev.cosignproject.cosign/signature"
#define SC_COSIGN_PREDICATE_ANNOTATION "predicateType"
#define SC_BUNDLE_CONTENT_ANNOTATION "dev.sigstore.bundle.content"
#define SC_BUNDLE_PREDICATE_ANNOTATION "dev.sigstore.bundle.predicateType"
#define SC_COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define SC_SIGSTORE_MAX_ARTIFACTS 1000 /* layers + referrers read per image */
#define SC_SIGSTORE_MAX_BYTES (256u << 20) /* signature documents read per image */

typedef struct sc_sigrepo sc_sigrepo;

/*
 * Open image (docker://HOST/REPO[:TAG|@DIGEST], oci:DIR[:TAG], dir:PATH;
 * oci-archive:/docker-archive: only for reading).  writable: signatures
 * will be added (dir: and archives are refused with SC_EUSAGE).  Registry
 * options are sc_registry_defaults().
 */
int sc_sigrepo_open(sc_sigrepo **out, const char *image, int writable);
void sc_sigrepo_free(sc_sigrepo *r); /* accepts NULL; uncommitted writes are not named */

const sc_digest *sc_sigrepo_digest(const sc_sigrepo *r);
const char *sc_sigrepo_media_type(const sc_sigrepo *r);  /* the root document's */
uint64_t sc_sigrepo_size(const sc_sigrepo *r);
/* "HOST/REPO@sha256:..." / "oci:DIR@sha256:..." / "dir:PATH@sha256:..." */
const char *sc_sigrepo_pinned(const sc_sigrepo *r);
/* The default docker-reference: "HOST/REPO:TAG" (or "HOST/REPO" by digest);
 * a layout's TAG as given (or NULL); NULL for dir:. */
const char *sc_sigrepo_identity(const sc_sigrepo *r);
/* The in-toto subject name: "HOST/REPO", or the image name without its tag. */
const char *sc_sigrepo_subject_name(const sc_sigrepo *r);

typedef enum sc_sigart_kind {
	SC_SIGART_SIMPLESIGN,   /* a simple-signing payload + detached signature */
	SC_SIGART_DSSE,         /* a DSSE envelope (legacy .att layer or referrer) */
	SC_SIGART_BUNDLE,       /* a Sigstore bundle referrer */
	SC_SIGART_BROKEN,       /* could not be read: error says why */
} sc_sigart_kind;

typedef struct sc_sigart {
	sc_sigart_kind kind;
	char *where;            /* "sha256-<hex>.sig[0]", "referrer sha256:...", "signature-1" */
	unsigned char *doc;     /* payload / envelope / bundle bytes (verified blob) */
	size_t doc_len;
	char *signature_b64;    /* SIMPLESIGN: the signature annotation (NULL when missing) */
	char *predicate_type;   /* DSSE/BUNDLE: the annotation, NULL when absent */
	unsigned char *payload; /* BUNDLE with a message signature: the signed payload layer */
	size_t payload_len;
	char *error;            /* BROKEN */
} sc_sigart;

/* Which artifacts to collect. */
enum { SC_COLLECT_SIGNATURES = 1, SC_COLLECT_ATTESTATIONS = 2 };

/* Every artifact of the requested kinds (legacy tags, referrers, dir: files). */
int sc_sigrepo_collect(sc_sigrepo *r, unsigned what, sc_sigart **out, size_t *n);
/* 1 when the last collect stopped at SC_SIGSTORE_MAX_ARTIFACTS or
 * SC_SIGSTORE_MAX_BYTES (what was read is returned; the rest is not). */
int sc_sigrepo_truncated(const sc_sigrepo *r);
void sc_sigarts_free(sc_sigart *a, size_t n);

/*
 * Append one layer (blob of media type layer_mt, one annotation key=value)
 * to the legacy "sha256-<hex>.<suffix>" manifest (suffix "sig" or "att"),
 * creating it when absent.  An identical layer (same blob digest and
 * same annotation) is not added again: *added = 0.  *n_layers (may be
 * NULL) gets the layer count after.  Written at sc_sigrepo_commit.
 */
int sc_sigrepo_append(sc_sigrepo *r, const char *suffix, const char *layer_mt, const void *blob, size_t len,
		      const char *ann_key, const char *ann_value, int *added, size_t *n_layers);

typedef struct sc_sigblob {
	const char *media_type;
	const void *data;
	size_t len;
} sc_sigblob;

/*
 * Push an OCI 1.1 referrer of the image: a manifest with artifactType,
 * the empty config, the given layers and manifest annotations (borrowed,
 * may be NULL), subject = the image.  *digest_out (may be NULL) gets the
 * referrer manifest's digest.  Registries: pushed by digest (the client
 * keeps the tag-schema index up to date); layouts: stored and merged into
 * the "sha256-<hex>" index at sc_sigrepo_commit.
 */
int sc_sigrepo_push_referrer(sc_sigrepo *r, const char *artifact_type, const sc_sigblob *layers, size_t n,
			     json_t *annotations, sc_digest *digest_out);

/* Name what was written (registry: tags PUT; layout: index.json). */
int sc_sigrepo_commit(sc_sigrepo *r);

#endif
