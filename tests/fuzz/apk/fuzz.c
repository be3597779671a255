/* fuzz.c (apk) - bytes as lib/apk/db/installed through the apk parser. */
#include "catalog/apk.h"
#include "core/error.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_catalog cat;

	sc_catalog_init(&cat);
	sc_apk_parse_installed(&cat, data, size, "lib/apk/db/installed");
	sc_catalog_finish(&cat);
	sc_catalog_release(&cat);
	sc_error_clear();
	return 0;
}
