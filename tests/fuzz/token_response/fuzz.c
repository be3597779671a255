/*
 * fuzz.c (token_response) - a token endpoint's JSON answer
 * (src/registry/auth.c sc_auth_token_parse).  A success gives a token of
 * printable ASCII without spaces (it goes into a header line) and a TTL
 * within bounds; a failure's message never quotes the input.
 */
#include "core/error.h"
#include "registry/auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = NULL;
	long ttl = 0;

	if (sc_auth_token_parse(&t, &ttl, (const char *)data, size) == 0) {
		const char *p;

		if (!t || !t[0] || ttl < SC_TOKEN_DEFAULT_TTL || ttl > SC_TOKEN_MAX_TTL || strlen(t) > SC_TOKEN_MAX)
			abort();
		for (p = t; *p; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
				abort();
		if (strstr(sc_error_msg(), t))
			abort();
		sc_secret_free(t);
	}
	sc_error_clear();
	return 0;
}
