/*
 * fuzz.c (debian_tracker) - bytes as the Debian security tracker JSON
 * through sc_import_debian_buf(); every emitted record is walked field by
 * field (walk_record.h) and must have an affected entry.
 */
#include "vuln/import.h"
#include "core/error.h"
#include "../walk_record.h"

#include <stdint.h>

static int walk(void *ud, const sc_vuln_record *r)
{
	if (!r->n_affected || strcmp(r->affected[0].ecosystem, "Debian") != 0)
		abort();
	return fz_walk_record(ud, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_import_stats st;

	memset(&st, 0, sizeof(st));
	sc_import_debian_buf((const char *)data, size, "fuzz", walk, NULL, &st);
	sc_import_stats_release(&st);
	sc_error_clear();
	return 0;
}
