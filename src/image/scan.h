/*
 * scan.h - read all layers of an opened image in parallel and merge them
 * into an fsview: the single pass every command is built on.
 *
 * Layers are independent: `jobs` worker threads take layers (largest
 * first) and run sc_layer_read() on each; when one fails the others are
 * canceled and the error of the lowest failing layer is returned.  The
 * merge (whiteouts, overrides) then runs in layer order on the calling
 * thread.
 */
#ifndef SC_IMAGE_SCAN_H
#define SC_IMAGE_SCAN_H

#include "image/fsview.h"
#include "image/image.h"
#include "image/layer.h"

#define SC_DEFAULT_MAX_ENTRIES 500000u
/* Bytes of entry names and link targets held for the merged view. */
#define SC_DEFAULT_NAME_BYTES (256ull << 20)
/* Bytes of file contents captured for consumers over the whole image. */
#define SC_DEFAULT_CAPTURE_BYTES (1ull << 30)

typedef struct sc_scan_opts {
	unsigned jobs;                 /* 0 = online CPUs */
	const sc_interest *const *interests;
	size_t n_interests;
	uint64_t max_entries;          /* tar entries over all layers; 0 = SC_DEFAULT_MAX_ENTRIES */
	int verify_diff_ids;           /* hash each uncompressed tar and compare with rootfs.diff_ids */
	int allow_devices;
	uint64_t *progress_bytes;      /* atomically += compressed bytes read; may be NULL */
} sc_scan_opts;

/* Per-layer statistics kept after the merge. */
typedef struct sc_layer_stats {
	sc_compression compression;
	uint64_t compressed_size;
	uint64_t uncompressed_size;
	sc_digest diff_id;             /* set when computed */
	uint64_t n_entries;            /* tar entries, whiteouts included */
	uint64_t n_files;              /* regular files and hard links */
	uint64_t n_whiteouts;
} sc_layer_stats;

typedef struct sc_scan {
	sc_fsview *view;
	sc_layer_stats *layers;        /* img->manifest.n_layers entries */
	size_t n_layers;
} sc_scan;

int sc_image_scan(sc_scan *out, sc_image *img, const sc_scan_opts *opts);
void sc_scan_release(sc_scan *s);

#endif
