/*
 * fuzz.c (ref) - containers-transports name parsing (src/image/ref.c): the
 * input bytes, NUL-terminated, go to sc_imgref_parse().
 */
#include "core/error.h"
#include "image/ref.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	sc_imgref r;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (sc_imgref_parse(&r, s) == 0) {
		(void)sc_transport_name(r.transport);
		sc_imgref_release(&r);
	}
	free(s);
	return 0;
}
