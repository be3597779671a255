/*
 * fuzz.c - libFuzzer harness for the ONNX top-level protobuf reader
 * (src/catalog/model_formats.c): the input parsed as a buffer, and
 * streamed in chunks whose sizes come from the input, which must give the
 * same facts.
 * Corpus: tests/fuzz/onnx/corpus/ (replayed by the fuzz-onnx test).
 */
#include "catalog/model_formats.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_model_info a, b;
	sc_pbscan *p = NULL;
	size_t off = 0, step = size ? (size_t)(data[0] % 17) + 1 : 1;

	sc_model_info_init(&a);
	sc_model_info_init(&b);
	(void)sc_model_parse_onnx(&a, data, size, size);
	if (sc_pbscan_new(&p) == 0) {
		while (off < size) {
			size_t n = size - off < step ? size - off : step;

			if (sc_pbscan_feed(p, data + off, n) != 0)
				break;
			off += n;
		}
		if (off == size && sc_model_from_pbscan(&b, p, size) == 0) {
			const char *x = sc_kv_list_get(&a.props, "opsets"), *y = sc_kv_list_get(&b.props, "opsets");

			if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0) || strcmp(a.error, b.error) != 0)
				__builtin_trap(); /* chunking must not change the result */
		}
		sc_pbscan_free(p);
	}
	sc_model_info_release(&a);
	sc_model_info_release(&b);
	sc_model_info_init(&a);
	(void)sc_model_parse_onnx(&a, data, size, (uint64_t)size + 100);
	sc_model_info_release(&a);
	sc_error_clear();
	return 0;
}
