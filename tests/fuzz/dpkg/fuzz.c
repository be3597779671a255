/*
 * fuzz.c (dpkg) - bytes as a dpkg status file, as an info/<pkg>.list file
 * and as a copyright file through the dpkg cataloger's parsers.
 */
#include "catalog/dpkg.h"
#include "core/error.h"
#include "core/json.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_catalog cat;
	char **files = NULL;
	char *lic = NULL;

	sc_catalog_init(&cat);
	sc_dpkg_parse_status(&cat, data, size, "var/lib/dpkg/status");
	sc_catalog_finish(&cat);
	sc_catalog_release(&cat);
	if (sc_dpkg_parse_list(&files, data, size) == 0)
		sc_strv_free(files);
	if (sc_dpkg_copyright_license(&lic, data, size) == 0)
		free(lic);
	sc_error_clear();
	return 0;
}
