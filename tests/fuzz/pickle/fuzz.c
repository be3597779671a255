/*
 * fuzz.c - libFuzzer harness for the pickle opcode walker, the zip
 * local-header scanner (PyTorch, .npz, Keras), .npy and HDF5 sniffing and
 * the config/tokenizer JSON readers (src/catalog/model_formats.c).  The zip
 * scanner is fed in chunks whose size comes from the input.
 * Corpus: tests/fuzz/pickle/corpus/ (replayed by the fuzz-pickle test).
 */
#include "catalog/model_formats.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const exts[] = { "pt", "npz", "keras", "bin" };
	sc_model_info mi;
	sc_zipscan *z = NULL;
	size_t i, off = 0, step = size ? (size_t)(data[size - 1] % 61) + 1 : 1;

	sc_model_info_init(&mi);
	(void)sc_model_parse_pickle(&mi, data, size, size, 0);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_pickle(&mi, data, size, (uint64_t)size + 1, 1);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_npy(&mi, data, size, size);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_hdf5(&mi, data, size, size);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_config(&mi, data, size, size);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_config(&mi, data, size, (uint64_t)size + 1);
	sc_model_info_release(&mi);
	sc_model_info_init(&mi);
	(void)sc_model_parse_tokenizer(&mi, data, size, size, 1);
	sc_model_info_release(&mi);
	if (sc_zipscan_new(&z) == 0) {
		while (off < size) {
			size_t n = size - off < step ? size - off : step;

			if (sc_zipscan_feed(z, data + off, n) != 0)
				break;
			off += n;
		}
		for (i = 0; i < 4; i++) {
			sc_model_info_init(&mi);
			(void)sc_model_from_zip(&mi, z, exts[i], size);
			sc_model_info_release(&mi);
		}
		sc_zipscan_free(z);
	}
	sc_error_clear();
	return 0;
}
