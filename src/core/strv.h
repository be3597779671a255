/*
 * strv.h - build NULL-terminated string arrays (char **) one item at a
 * time, with an optional cap on the number of items: catalogers collect
 * dependency names and owned files from hostile databases this way.
 * The finished array is freed with sc_strv_free() (core/json.h).
 */
#ifndef SC_CORE_STRV_H
#define SC_CORE_STRV_H

#include <stddef.h>

typedef struct sc_strv {
	char **v;       /* NULL-terminated while n > 0 */
	size_t n, cap;
	size_t max;     /* 0 = no cap; items past it are dropped */
	int dropped;    /* set when an item was dropped because of max */
} sc_strv;

/* Append str, taking ownership (freed on failure or when dropped). */
int sc_strv_push(sc_strv *s, char *str);
/* Append a copy of the len bytes at p. */
int sc_strv_pushn(sc_strv *s, const char *p, size_t len);
/*
 * Hand the array over (NULL when empty), sorted with duplicates removed
 * when sort_uniq; s is left empty.
 */
char **sc_strv_finish(sc_strv *s, int sort_uniq);
/* Sort the items and drop duplicates in place. */
void sc_strv_sort_uniq(sc_strv *s);
void sc_strv_release(sc_strv *s);

#endif
