/*
 * fuzz.c (sbom_read) - libFuzzer harness for src/sbom/read.c: every input
 * is read as a CycloneDX / SPDX JSON document into a fresh catalog; on
 * success the counts must be consistent and the catalog sorted.
 * Corpus: tests/fuzz/sbom_read/corpus/ (replayed by the fuzz-sbom_read test).
 */
#include "core/error.h"
#include "sbom/read.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_catalog cat;
	sc_sbom_read_info info;
	size_t i;

	if (size > (4u << 20))
		return 0;
	sc_catalog_init(&cat);
	if (sc_sbom_read(&cat, &info, (const char *)data, size, "fuzz") == 0) {
		if (!info.format || cat.n_pkgs > info.components ||
		    info.without_purl + info.unsupported > info.components)
			__builtin_trap();
		for (i = 0; i < cat.n_pkgs; i++) {
			const sc_package *p = &cat.pkgs[i];

			if (!p->name || p->eco < SC_ECO_DEB || p->eco > SC_ECO_GOLANG)
				__builtin_trap();
			if (i && (cat.pkgs[i - 1].eco > p->eco ||
				  (cat.pkgs[i - 1].eco == p->eco && strcmp(cat.pkgs[i - 1].name, p->name) > 0)))
				__builtin_trap();
		}
		sc_sbom_read_info_release(&info);
	} else if (cat.n_pkgs || cat.os.id) {
		__builtin_trap(); /* a failed read leaves the catalog as it was */
	}
	sc_catalog_release(&cat);
	sc_error_clear();
	return 0;
}
