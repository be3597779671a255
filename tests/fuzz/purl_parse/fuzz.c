/*
 * fuzz.c (purl_parse) - libFuzzer harness for src/sbom/purl_parse.c: the
 * bytes are parsed as a package URL; a parsed purl is re-encoded in
 * canonical form (sc_purl_encode per component, sorted qualifiers) and
 * must parse again into exactly the same fields.
 * Spec: https://github.com/package-url/purl-spec
 * Corpus: tests/fuzz/purl_parse/corpus/ (replayed by the fuzz-purl_parse test).
 */
#include "core/buf.h"
#include "core/error.h"
#include "sbom/read.h"
#include "sbom/sbom.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const sc_kv *)a)->key, ((const sc_kv *)b)->key);
}

/* Encode '/'-separated segments of s. */
static int put_segments(sc_buf *b, const char *s, int trailing_slash)
{
	int rc = 0;

	while (*s && !rc) {
		size_t n = strcspn(s, "/");
		char *seg = strndup(s, n);

		if (!seg)
			return -1;
		rc = sc_purl_encode(b, seg);
		free(seg);
		s += n;
		if (*s == '/')
			s++;
		if (!rc && (*s || trailing_slash))
			rc = sc_buf_putc(b, '/');
	}
	return rc;
}

static char *canonical(const sc_purl *u)
{
	sc_buf b;
	sc_kv *q = NULL;
	size_t i;
	int rc;

	sc_buf_init(&b, 1u << 20, "purl");
	rc = sc_buf_printf(&b, "pkg:%s/", u->type);
	if (!rc && u->ns)
		rc = put_segments(&b, u->ns, 1);
	if (!rc)
		rc = sc_purl_encode(&b, u->name);
	if (!rc && u->version) {
		rc = sc_buf_putc(&b, '@');
		if (!rc)
			rc = sc_purl_encode(&b, u->version);
	}
	if (!rc && u->quals.n) {
		q = malloc(u->quals.n * sizeof(*q));
		if (!q)
			rc = -1;
		else {
			memcpy(q, u->quals.items, u->quals.n * sizeof(*q));
			qsort(q, u->quals.n, sizeof(*q), kv_cmp);
		}
		for (i = 0; !rc && i < u->quals.n; i++) {
			rc = sc_buf_printf(&b, "%c%s=", i ? '&' : '?', q[i].key);
			if (!rc)
				rc = sc_purl_encode(&b, q[i].value);
		}
		free(q);
	}
	if (!rc && u->subpath) {
		rc = sc_buf_putc(&b, '#');
		if (!rc)
			rc = put_segments(&b, u->subpath, 0);
	}
	if (rc) {
		sc_buf_release(&b);
		return NULL;
	}
	return sc_buf_detach(&b, NULL);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *c;
	sc_purl u, v;
	size_t i;

	if (size > 16384)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (sc_purl_parse(&u, s) == 0) {
		if (!u.type || !u.name || !*u.name || (u.version && !*u.version) || u.quals.n > 64)
			__builtin_trap();
		c = canonical(&u);
		if (c && strlen(c) <= 4096) {
			if (sc_purl_parse(&v, c) != 0)
				__builtin_trap();
			if (!same(u.type, v.type) || !same(u.ns, v.ns) || !same(u.name, v.name) ||
			    !same(u.version, v.version) || !same(u.subpath, v.subpath) || u.quals.n != v.quals.n)
				__builtin_trap();
			for (i = 0; i < u.quals.n; i++)
				if (!same(sc_kv_list_get(&v.quals, u.quals.items[i].key), u.quals.items[i].value))
					__builtin_trap();
			sc_purl_release(&v);
		} else if (c) {
			/* too long once encoded: must fail cleanly */
			if (sc_purl_parse(&v, c) == 0)
				__builtin_trap();
		}
		free(c);
		sc_purl_release(&u);
	}
	sc_error_clear();
	free(s);
	return 0;
}
