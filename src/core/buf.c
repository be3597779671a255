/*
 * buf.c - bounded growable buffer and checked allocation helpers.
 */
#include "core/buf.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sc_buf_init(sc_buf *b, size_t max, const char *what)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->what = what ? what : "buffer";
}

void sc_buf_release(sc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void sc_buf_reset(sc_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(sc_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (sc_add_overflow(b->len, extra, &need) || need > b->max || need == (size_t)-1)
		return sc_error_set(SC_ELIMIT, "%s exceeds %zu bytes", b->what, b->max);
	if (need + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need + 1) {
		if (ncap > ((size_t)-1) / 2) {
			ncap = need + 1;
			break;
		}
		ncap *= 2;
	}
	if (b->max < (size_t)-1 && ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->data, ncap);
	if (!p)
		return sc_error_set(SC_ENOMEM, "out of memory growing %s to %zu bytes", b->what, ncap);
	b->data = p;
	b->cap = ncap;
	return 0;
}

int sc_buf_append(sc_buf *b, const void *data, size_t len)
{
	int rc = grow(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int sc_buf_puts(sc_buf *b, const char *s)
{
	return sc_buf_append(b, s, strlen(s));
}

int sc_buf_putc(sc_buf *b, char c)
{
	return sc_buf_append(b, &c, 1);
}

int sc_buf_printf(sc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return sc_error_set(SC_EINTERNAL, "formatting failed");
	if ((rc = grow(b, (size_t)n)) != 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *sc_buf_detach(sc_buf *b, size_t *len_out)
{
	char *p = b->data;

	if (len_out)
		*len_out = b->len;
	if (!p)
		p = sc_calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void *sc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		sc_error_set(SC_ENOMEM, "out of memory (%zu bytes)", n);
	return p;
}

void *sc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		sc_error_set(SC_ENOMEM, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *sc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		sc_error_set(SC_ENOMEM, "out of memory (%zu bytes)", n);
	return q;
}

void *sc_reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (sc_mul_overflow(n, size, &total)) {
		sc_error_set(SC_ENOMEM, "allocation size overflow (%zu x %zu)", n, size);
		return NULL;
	}
	return sc_realloc(p, total);
}

char *sc_strdup(const char *s)
{
	return sc_strndup(s, strlen(s));
}

/* Like strndup(): copies at most n bytes and stops at a NUL before that. */
char *sc_strndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);
	p = sc_malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
