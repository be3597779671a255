/*
 * buf.h - growable byte buffer with a hard size cap (after curl's dynbuf).
 *
 * Every buffer that holds data from an image, a registry or a file has a
 * maximum size; appending past it fails with SC_ELIMIT instead of growing
 * without bound.  The data is always NUL-terminated (the NUL is not counted
 * in len), so text can be used as a C string.
 */
#ifndef SC_CORE_BUF_H
#define SC_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct sc_buf {
	char *data;  /* NULL until the first append; owned by the buffer */
	size_t len;  /* bytes used, excluding the terminating NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len */
	const char *what; /* names the content in limit errors; not owned */
} sc_buf;

void sc_buf_init(sc_buf *b, size_t max, const char *what);
void sc_buf_release(sc_buf *b);
void sc_buf_reset(sc_buf *b); /* len = 0, keeps the allocation */
int sc_buf_append(sc_buf *b, const void *data, size_t len);
int sc_buf_puts(sc_buf *b, const char *s);
int sc_buf_putc(sc_buf *b, char c);
int sc_buf_printf(sc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the data to the caller (who frees it); the buffer becomes empty. */
char *sc_buf_detach(sc_buf *b, size_t *len_out);

/* Checked arithmetic: return SC_ELIMIT-free 0 on success, -1 on overflow. */
static inline int sc_add_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out) ? -1 : 0;
}
static inline int sc_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out) ? -1 : 0;
}

/* Allocation helpers that set the error on failure. */
void *sc_malloc(size_t n);
void *sc_calloc(size_t n, size_t size);
void *sc_realloc(void *p, size_t n);
void *sc_reallocarray(void *p, size_t n, size_t size);
char *sc_strdup(const char *s);
char *sc_strndup(const char *s, size_t n);

#endif
