/*
 * fuzz.c (alpine_secdb) - bytes as an Alpine secdb document (YAML, or JSON
 * when it starts with '{') through sc_import_alpine_buf(); every emitted
 * record is walked field by field (walk_record.h).
 */
#include "vuln/import.h"
#include "core/error.h"
#include "../walk_record.h"

#include <stdint.h>

static int walk(void *ud, const sc_vuln_record *r)
{
	size_t i;

	if (!r->n_affected || strspn(r->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(r->id))
		abort();
	for (i = 0; i < r->n_affected; i++)
		if (strcmp(r->affected[i].ecosystem, "Alpine") != 0 || !r->affected[i].release)
			abort();
	return fz_walk_record(ud, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_import_stats st;

	memset(&st, 0, sizeof(st));
	sc_import_alpine_buf((const char *)data, size, "fuzz", walk, NULL, &st);
	sc_import_stats_release(&st);
	sc_error_clear();
	return 0;
}
