/*
 * fuzz.c (regref) - registry references HOST/REPO[:TAG|@DIGEST]
 * (src/registry/ref.c).  The input (cut at its first NUL) must parse or
 * fail with SC_EUSAGE; a success must have a host, a repo of at most 255
 * bytes, a tag or a digest, and pin back to a reference that parses to
 * the same host, repo and digest.
 */
#include "core/error.h"
#include "registry/client.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	sc_regref r, r2;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = sc_regref_parse(&r, s);
	if (rc == 0) {
		char *p;
		sc_digest d = { 0 };

		if (!r.host || !r.repo || strlen(r.repo) > 255 || (!r.tag && !r.digest.set))
			abort();
		d.set = 1;
		memset(d.bytes, 0xab, sizeof(d.bytes));
		p = sc_regref_pinned(&r, r.digest.set ? &r.digest : &d);
		if (!p || sc_regref_parse(&r2, p) != 0 || strcmp(r2.host, r.host) != 0 ||
		    strcmp(r2.repo, r.repo) != 0 || r2.tag || !r2.digest.set)
			abort();
		sc_regref_release(&r2);
		free(p);
		sc_regref_release(&r);
	} else if (rc != SC_EUSAGE && rc != SC_ENOMEM) {
		abort();
	}
	sc_error_clear();
	free(s);
	return 0;
}
