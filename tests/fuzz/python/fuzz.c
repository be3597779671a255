/*
 * fuzz.c - libFuzzer harness for src/catalog/python.c: every input is
 * parsed as core metadata (METADATA / PKG-INFO) and as a RECORD file; on
 * success the fields are checked for the invariants the cataloger relies
 * on (normalised name, non-empty version).
 * Corpus: tests/fuzz/python/corpus/ (replayed by the fuzz-python test).
 */
#include "catalog/python.h"
#include "core/error.h"
#include "core/json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_pymeta m;
	char **files = NULL;
	size_t i;

	if (size > SC_PY_METADATA_MAX)
		return 0;
	if (sc_python_parse_metadata(&m, (const char *)data, size) == 0) {
		char norm[300];

		if (!m.name || !m.version || !*m.version)
			__builtin_trap();
		if (sc_python_normalize(norm, sizeof(norm), m.name, strlen(m.name)) != 0 || strcmp(norm, m.name) != 0)
			__builtin_trap(); /* normalising is idempotent */
		for (i = 0; m.requires && m.requires[i]; i++)
			if (!*m.requires[i])
				__builtin_trap();
		sc_pymeta_release(&m);
	}
	if (sc_python_parse_record(&files, "usr/lib/python3/dist-packages", (const char *)data, size) == 0) {
		for (i = 0; files && files[i]; i++)
			if (!files[i][0] || files[i][0] == '/')
				__builtin_trap();
		sc_strv_free(files);
	}
	sc_error_clear();
	return 0;
}
