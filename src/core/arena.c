/*
 * arena.c - chunked bump allocator; see arena.h.
 */
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK (64u * 1024u)

struct sc_arena_chunk {
	sc_arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void sc_arena_init(sc_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void sc_arena_release(sc_arena *a)
{
	sc_arena_chunk *c = a->head;

	while (c) {
		sc_arena_chunk *n = c->next;

		free(c);
		c = n;
	}
	a->head = NULL;
	a->total = 0;
}

void *sc_arena_alloc(sc_arena *a, size_t n)
{
	sc_arena_chunk *c = a->head;
	size_t need = (n + 7) & ~(size_t)7;
	void *p;

	if (need < n) {
		sc_error_set(SC_ENOMEM, "arena allocation overflow");
		return NULL;
	}
	if (!c || c->size - c->used < need) {
		size_t sz = need > CHUNK / 4 ? need : CHUNK;

		if (sz > (size_t)-1 - sizeof(*c)) {
			sc_error_set(SC_ENOMEM, "arena allocation overflow");
			return NULL;
		}
		c = malloc(sizeof(*c) + sz);
		if (!c) {
			sc_error_set(SC_ENOMEM, "out of memory (%zu bytes)", sz);
			return NULL;
		}
		c->used = 0;
		c->size = sz;
		if (need > CHUNK / 4 && a->head) {
			/* Big block: keep the current chunk at the head for small ones. */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	a->total += need;
	return p;
}

char *sc_arena_strndup(sc_arena *a, const char *s, size_t n)
{
	char *p = sc_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sc_arena_strdup(sc_arena *a, const char *s)
{
	return sc_arena_strndup(a, s, strlen(s));
}

void sc_arena_steal(sc_arena *dst, sc_arena *src)
{
	sc_arena_chunk *c = src->head, *last;

	if (!c)
		return;
	last = c;
	while (last->next)
		last = last->next;
	/* Append src chunks after dst's head so dst's current chunk stays first. */
	if (dst->head) {
		last->next = dst->head->next;
		dst->head->next = c;
	} else {
		dst->head = c;
	}
	dst->total += src->total;
	src->head = NULL;
	src->total = 0;
}
