/*
 * fuzz.c - libFuzzer harness for the safetensors header parser
 * (src/catalog/model_formats.c): the input is a whole file, then the same
 * bytes as the captured prefix of a larger file.
 * Corpus: tests/fuzz/safetensors/corpus/ (replayed by the fuzz-safetensors test).
 */
#include "catalog/model_formats.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_model_info mi;

	sc_model_info_init(&mi);
	(void)sc_model_parse_safetensors(&mi, data, size, size);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_safetensors(&mi, data, size, (uint64_t)size + 4096);
	sc_model_info_release(&mi);
	sc_error_clear();
	return 0;
}
