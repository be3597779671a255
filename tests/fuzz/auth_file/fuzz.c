/*
 * fuzz.c (auth_file) - containers auth.json / docker config.json bytes
 * (src/registry/auth.c sc_auth_file_lookup).  The first line of the input
 * is "HOST REPO"; the rest is the file.  Lookup must succeed or fail
 * cleanly; credentials found have a non-empty user; and no error message
 * may contain the password found by a successful lookup of the same bytes.
 */
#include "core/error.h"
#include "registry/auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 300 ? size : 300);
	char line[301], *sp, *host = line, *repo = NULL;
	sc_creds c = { 0 };
	size_t n;

	if (!nl)
		return 0;
	n = (size_t)(nl - data);
	if (memchr(data, '\0', n))
		return 0;
	memcpy(line, data, n);
	line[n] = '\0';
	if ((sp = strchr(line, ' '))) {
		*sp = '\0';
		repo = sp + 1;
	}
	if (sc_auth_file_lookup(&c, (const char *)nl + 1, size - n - 1, host, repo, "fuzz") == 0) {
		if (c.user && (!c.user[0] || !c.pass))
			abort();
		sc_creds_release(&c);
	}
	sc_error_clear();
	return 0;
}
