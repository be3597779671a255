/*
 * fuzz.c - libFuzzer harness for the GGUF header parser
 * (src/catalog/model_formats.c): the input as a whole file and as the
 * captured prefix of a much larger one.
 * Corpus: tests/fuzz/gguf/corpus/ (replayed by the fuzz-gguf test).
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
	(void)sc_model_parse_gguf(&mi, data, size, size);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_gguf(&mi, data, size, (uint64_t)1 << 40);
	sc_model_info_release(&mi);
	sc_error_clear();
	return 0;
}
