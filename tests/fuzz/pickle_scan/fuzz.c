/*
 * fuzz.c (pickle_scan) - arbitrary bytes through sc_pickle_scan() and its
 * prefix mode (src/audit/pickle.c), checking the report's invariants: a
 * verdict that matches the import counts, bounded import list, offsets
 * inside the input.  Corpus: tests/fuzz/pickle_scan/corpus/ (replayed by
 * the fuzz-pickle_scan test).
 */
#include "audit/pickle.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const sc_pickle_report *r, size_t size)
{
	size_t i;

	if (r->n_imports > SC_PICKLE_MAX_IMPORTS)
		abort();
	if (r->n_dangerous && r->verdict != SC_PICKLE_VERDICT_DANGEROUS)
		abort();
	if (!r->n_dangerous && r->malformed && r->verdict != SC_PICKLE_VERDICT_MALFORMED)
		abort();
	if (r->verdict == SC_PICKLE_VERDICT_SAFE && (r->n_unknown || r->malformed))
		abort();
	if (r->malformed && r->error_offset > size)
		abort();
	for (i = 0; i < r->n_imports; i++) {
		const sc_pickle_import *im = &r->imports[i];

		if (!im->module || !im->name || im->first_offset >= size || !im->count ||
		    strlen(im->module) > SC_PICKLE_MAX_NAME || strlen(im->name) > SC_PICKLE_MAX_NAME)
			abort();
	}
	if (!memchr(r->reason, '\0', sizeof(r->reason)) || !r->reason[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_pickle_report r;
	sc_pickle_opts o;

	if (sc_pickle_scan(&r, data, size, "fuzz") == 0) {
		check(&r, size);
		sc_pickle_report_release(&r);
	}
	memset(&o, 0, sizeof(o));
	o.prefix = 1;
	o.proto_only_after_stop = size & 1;
	if (sc_pickle_scan_ex(&r, data, size, "fuzz", &o) == 0) {
		check(&r, size);
		sc_pickle_report_release(&r);
	}
	sc_error_clear();
	return 0;
}
