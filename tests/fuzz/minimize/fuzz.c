/*
 * fuzz.c (minimize) - the --minimize closure on a hostile merged view.  The
 * input is one tar layer (as sc_layer_read accepts it); the workload is
 * fixed: `/usr/bin/python3 -c 'import os, numpy'` plus `/app/run`, so the
 * program lookup, symlink chains and loops, "#!" lines, the standard
 * library, site directories, imports read from the image's .py files and
 * top_level.txt all see attacker-controlled trees.  It must finish (no
 * unbounded loop or recursion) without crashing, and every kept node's
 * directories must be kept too.  The import scanner also runs on the raw
 * input.
 */
#include "core/error.h"
#include "harden/minimize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int check_cb(const sc_fsnode *n, void *ud)
{
	(void)ud;
	if (n->mark && n->parent && !n->parent->mark)
		abort(); /* a kept node whose directory is not kept */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const py[] = { "python3", "-c", "import os, numpy", NULL };
	static const char *const app[] = { "/app/run", "/data", NULL };
	static const char *const *const argvs[] = { app, py, NULL };
	static const char *const env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "PYTHONPATH=/opt/lib", NULL };
	sc_strv names = { 0 };
	sc_stream *m = NULL;
	sc_layer l;
	sc_layer_opts o;
	sc_fsview *v = NULL;
	sc_catalog cat;
	sc_ldso_result ld;
	sc_minimize_opts mo;
	sc_minimize_result r;
	size_t n = 0, i;

	if (size > (4u << 20))
		return 0;
	if (sc_minimize_py_imports((const char *)data, size, &names) == 0)
		for (i = 0; i < names.n; i++)
			if (!names.v[i][0] || strlen(names.v[i]) > 128)
				abort();
	sc_strv_release(&names);

	while (sc_minimize_interests[n])
		n++;
	memset(&o, 0, sizeof(o));
	o.name = "fuzz layer";
	o.interests = sc_minimize_interests;
	o.n_interests = n;
	if (sc_fsview_new(&v) != 0)
		return 0;
	if (sc_stream_mem_new(&m, data, size) != 0 || sc_layer_read(&l, m, &o) != 0) {
		sc_fsview_free(v);
		sc_error_clear();
		return 0;
	}
	if (sc_fsview_apply(v, &l, "fuzz layer") == 0) {
		sc_catalog_init(&cat);
		memset(&ld, 0, sizeof(ld));
		memset(&mo, 0, sizeof(mo));
		mo.argvs = argvs;
		mo.env = env;
		mo.workdir = "/app";
		if (sc_minimize(&r, v, &cat, &ld, &mo) == 0) {
			sc_fsview_walk(v, check_cb, NULL);
			sc_minimize_result_release(&r);
		}
	}
	sc_layer_release(&l);
	sc_fsview_free(v);
	sc_error_clear();
	return 0;
}
