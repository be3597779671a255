/*
 * fuzz.c - libFuzzer harness for src/catalog/npm.c: every input is parsed
 * as a package.json (bounded JSON); on success name and version are set.
 * Corpus: tests/fuzz/npm/corpus/ (replayed by the fuzz-npm test).
 */
#include "catalog/npm.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_npm_pkg p;

	if (sc_npm_parse_package_json(&p, (const char *)data, size) == 0) {
		if (!p.name || !p.version)
			__builtin_trap();
		sc_npm_pkg_release(&p);
	}
	sc_error_clear();
	return 0;
}
