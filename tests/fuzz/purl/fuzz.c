/*
 * fuzz.c (purl) - package URLs from hostile package fields: the bytes are
 * split at NULs into ecosystem selector, name, version, arch, source and
 * OS id/version; the purl must be built without crashing and must contain
 * only characters the purl spec allows unencoded.
 */
#include "catalog/catalog.h"
#include "core/error.h"
#include "sbom/sbom.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *field[7] = { 0 }, *p, *purl;
	size_t i, n = 0;
	sc_package pkg;
	sc_os_info os;

	if (size == 0 || size > 65536)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = buf;
	for (n = 0; n < 7; n++) {
		field[n] = p;
		p += strlen(p);
		if (p >= buf + size)
			break;
		p++;
	}
	for (i = 0; i < 7; i++)
		if (!field[i])
			field[i] = "";
	memset(&pkg, 0, sizeof(pkg));
	memset(&os, 0, sizeof(os));
	pkg.eco = (sc_ecosystem)(1 + (unsigned char)field[0][0] % 7);
	pkg.name = field[1];
	pkg.version = field[2][0] ? field[2] : NULL;
	pkg.arch = field[3][0] ? field[3] : NULL;
	pkg.source_name = field[4][0] ? field[4] : NULL;
	os.id = field[5][0] ? field[5] : NULL;
	os.version_id = field[6][0] ? field[6] : NULL;
	purl = sc_purl_package(&pkg, &os);
	if (purl) {
		for (p = purl; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      strchr(".-_~%:/@?=&", *p)))
				abort();
		free(purl);
	}
	sc_error_clear();
	free(buf);
	return 0;
}
