/*
 * fuzz.c (osv) - bytes as one OSV file through sc_import_osv_buf(): JSON
 * when the first non-blank byte is '{' or '[', YAML otherwise; every
 * emitted record is walked field by field (walk_record.h).
 */
#include "vuln/import.h"
#include "core/error.h"
#include "../walk_record.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_import_stats st;
	size_t i = 0;
	int json;

	memset(&st, 0, sizeof(st));
	while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	json = i < size && (data[i] == '{' || data[i] == '[');
	sc_import_osv_buf((const char *)data, size, !json, "fuzz", fz_walk_record, NULL, &st);
	if (st.n_warnings > SC_IMPORT_MAX_WARNINGS)
		abort();
	sc_import_stats_release(&st);
	sc_error_clear();
	return 0;
}
