/*
 * fuzz.c (ldso_cache) - bytes as an /etc/ld.so.cache through
 * sc_ldso_cache_parse() (glibc sysdeps/generic/dl-cache.h formats),
 * checking that every parsed entry's strings are reachable, that keys are
 * sorted, and that lookups by key find the entries.
 */
#include "audit/ldso.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sc_ldso_cache c;
	size_t i, first, n;

	if (sc_ldso_cache_parse(&c, data, size) == 0) {
		if (c.n > SC_LDSO_CACHE_MAX_ENTRIES)
			abort();
		for (i = 0; i < c.n; i++) {
			const sc_ldso_cache_entry *e = &c.entries[i];

			if (e->key < c.strings || e->key >= c.strings + size || e->value < c.strings ||
			    e->value >= c.strings + size)
				abort();
			if (strlen(e->key) > size || strlen(e->value) > size)
				abort();
			if (i && strcmp(c.entries[i - 1].key, e->key) > 0)
				abort();
			(void)sc_ldso_cache_flags_match(e->flags, "x86_64");
		}
		if (c.n) {
			n = sc_ldso_cache_find(&c, c.entries[c.n / 2].key, &first);
			if (n == 0 || first > c.n / 2 || first + n <= c.n / 2)
				abort();
		}
		sc_ldso_cache_release(&c);
	}
	sc_error_clear();
	return 0;
}
