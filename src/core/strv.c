/*
 * strv.c - NULL-terminated string array builder; see strv.h.
 */
#include "core/strv.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void sc_strv_release(sc_strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	s->dropped = 0;
}

int sc_strv_push(sc_strv *s, char *str)
{
	if (s->max && s->n >= s->max) {
		s->dropped = 1;
		free(str);
		return 0;
	}
	if (s->n + 1 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		char **nv = sc_reallocarray(s->v, ncap, sizeof(*nv));

		if (!nv) {
			free(str);
			return SC_ENOMEM;
		}
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

int sc_strv_pushn(sc_strv *s, const char *p, size_t len)
{
	char *c;

	if (s->max && s->n >= s->max) {
		s->dropped = 1;
		return 0;
	}
	c = sc_strndup(p, len);
	return c ? sc_strv_push(s, c) : SC_ENOMEM;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void sc_strv_sort_uniq(sc_strv *s)
{
	size_t i, k = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp);
	for (i = 0; i < s->n; i++) {
		if (k && strcmp(s->v[k - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
	s->v[k] = NULL;
}

char **sc_strv_finish(sc_strv *s, int sort_uniq)
{
	char **v;

	if (!s->n) {
		sc_strv_release(s);
		return NULL;
	}
	if (sort_uniq)
		sc_strv_sort_uniq(s);
	v = s->v;
	s->v = NULL;
	s->n = s->cap = 0;
	return v;
}
