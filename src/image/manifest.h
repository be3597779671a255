/*
 * manifest.h - OCI image index / manifest / config and Docker v2.2
 * manifest list / manifest model, and platform selection.
 *
 * Specs:
 *   https://github.com/opencontainers/image-spec/blob/main/image-index.md
 *   https://github.com/opencontainers/image-spec/blob/main/manifest.md
 *   https://github.com/opencontainers/image-spec/blob/main/config.md
 *   https://distribution.github.io/distribution/spec/manifest-v2-2/
 * Documents are parsed with sc_json_parse() limits (SC_MANIFEST_MAX bytes,
 * SC_JSON_MAX_DEPTH nesting) and every field's type is checked.
 */
#ifndef SC_IMAGE_MANIFEST_H
#define SC_IMAGE_MANIFEST_H

#include "core/digest.h"

#include <stddef.h>
#include <stdint.h>

#define SC_MANIFEST_MAX (4u << 20) /* manifests and indexes */
#define SC_CONFIG_MAX (8u << 20)   /* image configs */
#define SC_MAX_LAYERS 1024
#define SC_MAX_INDEX_ENTRIES 4096

#define SC_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define SC_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define SC_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define SC_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define SC_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define SC_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define SC_MT_OCI_LAYER_ND "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define SC_MT_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define SC_MT_OCI_LAYER_ND_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#define SC_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define SC_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define SC_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define SC_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define SC_MT_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
/* Not a registry media type: what docker-archive layers are (plain tar). */
#define SC_MT_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

typedef enum sc_compression {
	SC_COMP_UNKNOWN = 0, /* decide by sniffing the stream's magic bytes */
	SC_COMP_NONE,
	SC_COMP_GZIP,
	SC_COMP_ZSTD,
} sc_compression;

typedef struct sc_platform {
	char *os;           /* "linux" */
	char *architecture; /* "amd64" */
	char *variant;      /* "v8" or NULL */
	char *os_version;   /* may be NULL */
} sc_platform;

typedef struct sc_kv {
	char *key;
	char *value;
} sc_kv;
/* The value of key in a key-sorted array, or NULL. */
const char *sc_kv_get(const sc_kv *kv, size_t n, const char *key);

typedef struct sc_descriptor {
	char *media_type;
	sc_digest digest;
	uint64_t size;
	char *artifact_type;     /* may be NULL */
	char *ref_name;          /* org.opencontainers.image.ref.name annotation or NULL */
	sc_platform platform;    /* all NULL when absent */
	int has_platform;
	sc_kv *annotations;      /* sorted by key; NULL when none */
	size_t n_annotations;
} sc_descriptor;

/* Free what a descriptor owns (parsed ones are released with their document). */
void sc_descriptor_release(sc_descriptor *d);

typedef struct sc_index {
	char *media_type; /* from the document, may be NULL for OCI */
	sc_descriptor *manifests;
	size_t n_manifests;
} sc_index;

typedef struct sc_manifest {
	char *media_type;
	sc_descriptor config;
	sc_descriptor *layers;
	size_t n_layers;
	sc_kv *annotations;       /* sorted by key, e.g. org.opencontainers.image.base.name; NULL when none */
	size_t n_annotations;
} sc_manifest;

typedef struct sc_history {
	char *created;
	char *created_by;
	char *author;
	char *comment;
	int empty_layer;
} sc_history;

typedef struct sc_config {
	char *created;
	char *author;
	sc_platform platform;   /* os/architecture/variant from the config */
	char *user;
	char **entrypoint;      /* NULL-terminated or NULL */
	char **cmd;
	char **env;             /* "NAME=value" */
	char *working_dir;
	char *stop_signal;
	char **exposed_ports;   /* keys of ExposedPorts, sorted */
	char **volumes;         /* keys of Volumes, sorted */
	sc_kv *labels;          /* sorted by key */
	size_t n_labels;
	int has_healthcheck;
	sc_digest *diff_ids;
	size_t n_diff_ids;
	sc_history *history;
	size_t n_history;
} sc_config;

/* Kind of a JSON document from its mediaType field or shape. */
typedef enum { SC_DOC_UNKNOWN = 0, SC_DOC_INDEX, SC_DOC_MANIFEST } sc_doc_kind;
sc_doc_kind sc_doc_kind_of(const char *media_type);
/*
 * Decide what a manifest-ish document is: by media_type when given (e.g. from
 * a descriptor or an HTTP header), else by its mediaType field, else by shape
 * ("manifests" => index, "layers" => manifest).
 */
int sc_doc_detect(sc_doc_kind *out, const char *data, size_t len, const char *media_type);

/*
 * The document's own top-level "mediaType" (at most 255 bytes), malloc'd;
 * NULL when it has none or is not a JSON object (no error is recorded).
 */
char *sc_doc_media_type(const char *data, size_t len);
int sc_index_parse(sc_index *out, const char *data, size_t len);
void sc_index_release(sc_index *ix);
int sc_manifest_parse(sc_manifest *out, const char *data, size_t len);
void sc_manifest_release(sc_manifest *m);
int sc_config_parse(sc_config *out, const char *data, size_t len);
void sc_config_release(sc_config *c);

/* Layer compression implied by a layer media type (SC_COMP_UNKNOWN when not a known layer type). */
sc_compression sc_layer_compression(const char *media_type);
const char *sc_compression_name(sc_compression c); /* "none", "gzip", "zstd", "unknown" */

/* "os/arch[/variant]"; fails with SC_EUSAGE. */
int sc_platform_parse(sc_platform *out, const char *s);
void sc_platform_release(sc_platform *p);
/* The host default: linux/amd64 (or linux/arm64/v8 etc. per the build machine). */
int sc_platform_default(sc_platform *out);
/* "linux/amd64" or "linux/arm64/v8" into out. */
char *sc_platform_fmt(const sc_platform *p, char *out, size_t outsz);
/*
 * Pick the manifest for `want` from an index: os and architecture must match;
 * variant must match when `want` has one (amd64 ignores variant; arm64 with
 * no variant in the index matches v8).  Fails with SC_ENOTFOUND listing the
 * platforms the index offers.
 */
int sc_index_select(const sc_index *ix, const sc_platform *want, const sc_descriptor **out);

#endif
