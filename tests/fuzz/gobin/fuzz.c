/*
 * fuzz.c - libFuzzer harness for src/catalog/gobin.c: every input is
 * parsed as a Go buildinfo blob (as if the magic were found at its start),
 * and also streamed through the magic scanner in odd-sized chunks, whose
 * result (when the magic is found) is parsed too.
 * Corpus: tests/fuzz/gobin/corpus/ (replayed by the fuzz-gobin test).
 */
#include "catalog/gobin.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse(const uint8_t *data, size_t size)
{
	sc_gobin_info g;
	size_t i;

	if (sc_gobin_parse(&g, data, size) == 0) {
		if (!g.toolchain)
			__builtin_trap();
		for (i = 0; i < g.n_deps; i++)
			if (!g.deps[i].path)
				__builtin_trap();
		sc_gobin_info_release(&g);
	}
	sc_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_gobin_scan *s;
	const unsigned char *r;
	size_t off = 0, chunk = size ? (size_t)data[0] % 37 + 1 : 1, rl;

	parse(data, size);
	if (!(s = sc_gobin_scan_new()))
		return 0;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (sc_gobin_scan_feed(s, data + off, n) != 0)
			break;
		off += n;
	}
	r = sc_gobin_scan_result(s, &rl);
	if (r) {
		if (rl < 16 || memcmp(r, "\xff Go buildinf:", 14) != 0)
			__builtin_trap();
		parse(r, rl);
	}
	sc_gobin_scan_free(s);
	return 0;
}
