/*
 * signtest.h - helpers shared by the sign/ unit tests: the path of a file
 * of ../shared/data/sigstore (NULL when the shared data is absent, so the
 * test can skip) and a whole file read into memory.  Test-only.
 */
#ifndef SC_TEST_SIGNTEST_H
#define SC_TEST_SIGNTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline char *shared_path(const char *name)
{
	const char *root = getenv("SCUTE_SOURCE_ROOT");
	char *p;
	FILE *f;

	if (!root)
		return NULL;
	p = malloc(strlen(root) + strlen(name) + 64);
	assert_non_null(p);
	sprintf(p, "%s/../shared/data/sigstore/%s", root, name);
	if (!(f = fopen(p, "rb"))) {
		free(p);
		return NULL;
	}
	fclose(f);
	return p;
}

static inline unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d = NULL;
	size_t cap = 0, n;

	assert_non_null(f);
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			d = realloc(d, cap + 1);
			assert_non_null(d);
		}
		n = fread(d + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	d[*len] = '\0';
	return d;
}

#endif
