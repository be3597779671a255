/*
 * image.h - an opened image: reference resolved, index walked to the
 * platform's manifest, manifest and config parsed and cross-checked.
 *
 *   sc_image_open(name) -> source -> root document
 *     index?  -> sc_index_select(platform) -> manifest (read, verified)
 *     manifest -> config blob (read, verified) -> sc_config
 *   checks: layer count <= SC_MAX_LAYERS, diff_ids count == layer count,
 *           known layer media types.
 * Layers are not read here; see layer.h / scan.h.
 */
#ifndef SC_IMAGE_IMAGE_H
#define SC_IMAGE_IMAGE_H

#include "core/buf.h"
#include "core/digest.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/source.h"

typedef struct sc_image {
	char *name;              /* as given by the user */
	sc_imgref ref;
	sc_source *src;
	int from_index;          /* root was an index / manifest list */
	sc_digest index_digest;  /* set when from_index */
	char *index_media_type;
	sc_digest manifest_digest;
	char *manifest_media_type;
	sc_buf manifest_raw;
	sc_manifest manifest;
	sc_buf config_raw;
	sc_config config;
	sc_platform platform;    /* the platform that was selected or requested */
} sc_image;

/* want may be NULL for the default platform.  *out is owned by the caller. */
int sc_image_open(sc_image **out, const char *name, const sc_platform *want);
void sc_image_free(sc_image *img);

/* Verified stream over layer i's blob (compressed as stored). */
int sc_image_open_layer(sc_image *img, size_t i, sc_stream **out);
/* "layer 3 (sha256:abcd1234...)" for messages, 1-based, short digest. */
char *sc_image_layer_name(const sc_image *img, size_t i, char *out, size_t outsz);

#endif
