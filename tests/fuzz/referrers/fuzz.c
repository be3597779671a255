/*
 * fuzz.c (referrers) - what a registry sends for listings
 * (src/registry/client.c, http.c): the first byte picks the parser, the
 * rest is its input:
 *   0  a referrers image index (no filter)
 *   1  a referrers image index filtered by artifactType "a/b"
 *   2  a tags/list page (at most 1000 tags)
 *   3  a Link header value (cut at its first NUL)
 * Each must succeed or fail cleanly within its bounds.
 */
#include "core/buf.h"
#include "core/error.h"
#include "registry/client.h"
#include "registry/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (size == 0)
		return 0;
	switch (data[0] % 4) {
	case 0:
	case 1: {
		sc_buf b;

		sc_buf_init(&b, 8u << 20, "referrers");
		if (sc_registry_referrers_parse(p, n, data[0] % 4 ? "a/b" : NULL, &b) == 0 && data[0] % 4 == 0 &&
		    (b.len != n || memcmp(b.data ? b.data : "", p, n) != 0))
			abort();
		sc_buf_release(&b);
		break;
	}
	case 2: {
		char **tags = NULL;
		size_t nt = 0, cap = 0, i;
		int rc = sc_registry_tags_parse(p, n, &tags, &nt, &cap, 1000);

		if (nt > 1000 || (nt && tags[nt] != NULL))
			abort();
		(void)rc;
		for (i = 0; i < nt; i++)
			free(tags[i]);
		free(tags);
		break;
	}
	case 3: {
		char *s = malloc(n + 1), *next = NULL;

		if (!s)
			return 0;
		memcpy(s, p, n);
		s[n] = '\0';
		if (sc_http_link_next(s, &next) == 0 && next && strlen(next) > strlen(s))
			abort();
		free(next);
		free(s);
		break;
	}
	}
	sc_error_clear();
	return 0;
}
