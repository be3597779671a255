/*
 * catalogtest.h - run catalogers over in-memory layers in unit tests:
 * each tar (built with tartest.h) is read with the catalogers' interests,
 * applied to an fsview in order, then each cataloger's collect() runs.
 * Header-only; test code only.
 */
#ifndef SC_TESTS_CATALOGTEST_H
#define SC_TESTS_CATALOGTEST_H

#include "catalog/catalog.h"
#include "core/error.h"
#include "image/fsview.h"
#include "image/layer.h"
#include "tartest.h"

/*
 * Returns the first non-zero code.  *view_out (if non-NULL) receives the
 * view (caller frees with sc_fsview_free), else it is freed here.
 */
static inline int ct_run(const sc_cataloger *const *cats, size_t n_cats, const tt_blob *layers, size_t n_layers,
			 sc_catalog *cat, sc_fsview **view_out)
{
	const sc_interest *ins[64];
	size_t n = 0, i, k;
	sc_fsview *v = NULL;
	int rc;

	for (i = 0; i < n_cats; i++)
		for (k = 0; cats[i]->interests && cats[i]->interests[k] && n < 64; k++)
			ins[n++] = cats[i]->interests[k];
	if ((rc = sc_fsview_new(&v)) != 0)
		return rc;
	for (i = 0; i < n_layers; i++) {
		sc_stream *m = NULL;
		sc_layer l;
		sc_layer_opts o;

		memset(&o, 0, sizeof(o));
		o.index = i;
		o.name = "test layer";
		o.interests = ins;
		o.n_interests = n;
		if ((rc = sc_stream_mem_new(&m, layers[i].data, layers[i].len)) != 0 ||
		    (rc = sc_layer_read(&l, m, &o)) != 0 || (rc = sc_fsview_apply(v, &l, "test layer")) != 0) {
			sc_fsview_free(v);
			return rc;
		}
	}
	for (i = 0; i < n_cats; i++) {
		if (cats[i]->collect && (rc = cats[i]->collect(v, cat)) != 0) {
			sc_fsview_free(v);
			return rc;
		}
	}
	rc = sc_catalog_finish(cat);
	if (view_out)
		*view_out = v;
	else
		sc_fsview_free(v);
	return rc;
}

/* Find a package by ecosystem and name, or NULL. */
static inline const sc_package *ct_pkg(const sc_catalog *cat, sc_ecosystem eco, const char *name)
{
	size_t i;

	for (i = 0; i < cat->n_pkgs; i++)
		if (cat->pkgs[i].eco == eco && strcmp(cat->pkgs[i].name, name) == 0)
			return &cat->pkgs[i];
	return NULL;
}

#endif
