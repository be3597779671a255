/*
 * ldso_check.c - test hook for the DT_NEEDED resolver (not installed).
 *
 * Usage: ldso_check [-v] IMAGE
 * Catalogs IMAGE (containers-transports name) in one pass with the ldso
 * interests added, resolves every ELF's DT_NEEDED (src/audit/ldso.h) and
 * prints one line per missing library:
 *   missing<TAB>/ELF<TAB>NEEDED<TAB>REASON
 * with -v also every other dependency:
 *   STATUS<TAB>/ELF<TAB>NEEDED<TAB>VIA<TAB>/PATH
 * then a summary line on stderr and, prefixed with "note", the loader
 * configuration problems.  Exit status: 0 nothing missing, 1 something
 * missing, 2 usage, 3 input error, 4 other errors.  Used by
 * tests/e2e/test_ldso.py.
 */
#include "audit/ldso.h"
#include "catalog/catalog.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	sc_image *img = NULL;
	sc_catalog cat;
	sc_catalog_opts co;
	sc_scan scan;
	sc_ldso_result r;
	const char *name;
	size_t i, k, n_ins = 0, n_deps = 0;
	int verbose = 0, rc, status = 0;

	if (argc == 3 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		name = argv[2];
	} else if (argc == 2) {
		name = argv[1];
	} else {
		fprintf(stderr, "usage: ldso_check [-v] IMAGE\n");
		return 2;
	}
	while (sc_ldso_interests[n_ins])
		n_ins++;
	memset(&co, 0, sizeof(co));
	memset(&scan, 0, sizeof(scan));
	co.scan.interests = sc_ldso_interests;
	co.scan.n_interests = n_ins;
	sc_catalog_init(&cat);
	if ((rc = sc_image_open(&img, name, NULL)) != 0 || (rc = sc_catalog_run(&cat, img, &co, &scan)) != 0 ||
	    (rc = sc_ldso_resolve_all(&r, scan.view, cat.elves, cat.n_elves,
				      (const char *const *)img->config.env)) != 0) {
		fprintf(stderr, "ldso_check: %s\n", sc_error_msg());
		status = sc_error_exit_status(rc);
		goto out;
	}
	for (i = 0; i < r.n_objects; i++) {
		const sc_ldso_object *o = &r.objects[i];

		for (k = 0; k < o->n_deps; k++) {
			const sc_ldso_dep *d = &o->deps[k];

			n_deps++;
			if (d->status == SC_LDSO_MISSING)
				printf("missing\t/%s\t%s\t%s\n", o->path, d->needed, d->reason ? d->reason : "");
			else if (verbose)
				printf("%s\t/%s\t%s\t%s\t%s%s\n", sc_ldso_status_name(d->status), o->path, d->needed,
				       sc_ldso_via_name(d->via), d->path ? "/" : "", d->path ? d->path : "-");
		}
	}
	for (i = 0; i < r.notes.n; i++)
		fprintf(stderr, "note: %s\n", r.notes.v[i]);
	fprintf(stderr, "objects %zu, dependencies %zu, missing %zu, driver %zu, cache %s (%zu entries)\n",
		r.n_objects, n_deps, r.n_missing, r.n_driver, r.have_cache ? "yes" : "no", r.n_cache_entries);
	status = r.n_missing ? 1 : 0;
	sc_ldso_result_release(&r);
out:
	sc_scan_release(&scan);
	sc_catalog_release(&cat);
	sc_image_free(img);
	return status;
}
