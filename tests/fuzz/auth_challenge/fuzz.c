/*
 * fuzz.c (auth_challenge) - WWW-Authenticate values from a hostile
 * registry (src/registry/auth.c).  The input (cut at its first NUL) must
 * parse or fail cleanly; a success is Basic or Bearer, a Bearer has a
 * realm, and no value is longer than the header.
 */
#include "core/error.h"
#include "registry/auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	sc_auth_challenge c;
	size_t len;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	if (sc_auth_challenge_parse(&c, s) == 0) {
		if (c.scheme != SC_AUTH_BASIC && c.scheme != SC_AUTH_BEARER)
			abort();
		if (c.scheme == SC_AUTH_BEARER && !c.realm)
			abort();
		if ((c.realm && strlen(c.realm) > len) || (c.service && strlen(c.service) > len) ||
		    (c.scope && strlen(c.scope) > len))
			abort();
		sc_auth_challenge_release(&c);
	}
	sc_error_clear();
	free(s);
	return 0;
}
