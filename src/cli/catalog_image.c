/*
 * catalog_image.c - what `scute sbom` and `scute scan` share: open an image
 * and catalog it in the single pass over its layers, with the progress bar.
 */
#include "cli/cli.h"
#include "core/error.h"

int sc_cli_catalog_image(sc_image **img_out, sc_catalog *cat, const char *name, const sc_platform *want,
			 sc_catalog_opts *co, int quiet, sc_scan *scan_out)
{
	sc_image *img = NULL;
	sc_progress *prog;
	uint64_t total = 0;
	size_t i;
	int rc;

	if ((rc = sc_image_open(&img, name, want)) != 0)
		return rc;
	for (i = 0; i < img->manifest.n_layers; i++)
		total += img->manifest.layers[i].size;
	prog = sc_progress_start("cataloguing", total, !quiet);
	co->scan.progress_bytes = sc_progress_counter(prog);
	rc = sc_catalog_run(cat, img, co, scan_out);
	sc_progress_stop(prog);
	co->scan.progress_bytes = NULL;
	if (rc) {
		sc_image_free(img);
		return rc;
	}
	*img_out = img;
	return 0;
}
