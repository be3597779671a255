/*
 * arena.h - chunked bump allocator for many small strings that share a
 * lifetime (the paths of one layer).  Freed all at once.
 */
#ifndef SC_CORE_ARENA_H
#define SC_CORE_ARENA_H

#include <stddef.h>

typedef struct sc_arena_chunk sc_arena_chunk;
typedef struct sc_arena {
	sc_arena_chunk *head;
	size_t total; /* bytes handed out */
} sc_arena;

void sc_arena_init(sc_arena *a);
void sc_arena_release(sc_arena *a);
void *sc_arena_alloc(sc_arena *a, size_t n); /* 8-byte aligned; NULL + error on failure */
char *sc_arena_strndup(sc_arena *a, const char *s, size_t n);
char *sc_arena_strdup(sc_arena *a, const char *s);
/* Move every chunk of src into dst (src becomes empty). */
void sc_arena_steal(sc_arena *dst, sc_arena *src);

#endif
