/*
 * fuzz.c (cvss) - bytes as a CVSS vector string through sc_cvss_parse(),
 * checking that a parsed score is in range and matches its rating.
 */
#include "vuln/cvss.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[1024];
	sc_cvss c;

	if (size >= sizeof(buf))
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (sc_cvss_parse(&c, buf) == 0) {
		if (!(c.base_score >= 0.0 && c.base_score <= 10.0) ||
			(c.version != 30 && c.version != 31 && c.version != 40) ||
			c.rating != sc_cvss_rating_of(c.base_score) ||
			(int)(c.base_score * 10.0 + 0.5) * 10 != (int)(c.base_score * 100.0 + 0.5))
			abort();
	}
	sc_error_clear();
	return 0;
}
