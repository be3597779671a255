/* fuzz.c (rpm) - bytes as one rpmdb header blob through the header parser. */
#include "catalog/rpm.h"
#include "core/error.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_catalog cat;

	sc_catalog_init(&cat);
	sc_rpm_parse_header(&cat, data, size, "var/lib/rpm/rpmdb.sqlite", "header 1");
	sc_catalog_finish(&cat);
	sc_catalog_release(&cat);
	sc_error_clear();
	return 0;
}
