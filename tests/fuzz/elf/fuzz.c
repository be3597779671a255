/*
 * fuzz.c - libFuzzer harness for src/catalog/elf.c: every input is fed
 * through the streaming ELF parser in chunks of pseudo-random sizes
 * (derived from the input), with a small prefix limit so that the range
 * capture paths are exercised, then the result is checked and freed.
 * Corpus: tests/fuzz/elf/corpus/ (replayed by the fuzz-elf test).
 */
#include "catalog/elf.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = 2166136261u;
	size_t off = 0, i;
	sc_elf_stream *s;
	sc_elf_parsed *r = NULL;

	for (i = 0; i < size && i < 64; i++)
		seed = (seed ^ data[i]) * 16777619u;
	if (!(s = sc_elf_stream_new(seed & 1 ? 64 * 1024 : 0)))
		return 0;
	while (off < size) {
		size_t n;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 5000 + 1;
		if (n > size - off)
			n = size - off;
		if (sc_elf_stream_feed(s, data + off, n) != 0)
			goto out;
		off += n;
	}
	if (sc_elf_stream_finish(s, &r) == 0) {
		if (r->valid && !r->machine)
			__builtin_trap();
		for (i = 0; r->needed && r->needed[i]; i++)
			;
		if (i > SC_ELF_MAX_NEEDED)
			__builtin_trap();
		sc_elf_parsed_free(r);
	}
out:
	sc_elf_stream_free(s);
	sc_error_clear();
	return 0;
}
